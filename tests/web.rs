//! Browser tests: mount the app in headless Chromium and check the DOM.
#![cfg(target_arch = "wasm32")]

use asyncio_playground::app::{App, REGIONS};
use asyncio_playground::i18n::{t, Lang};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

#[wasm_bindgen_test]
async fn app_shell_shows_title_and_every_region() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;

    // The app sets <html lang> to the language it chose.
    let lang = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap()
        .get_attribute("lang")
        .map(|code| Lang::from_tag(&code))
        .unwrap_or_default();
    let title = root.query_selector("h1").unwrap().expect("a title");
    assert_eq!(title.text_content().unwrap(), t(lang, "app.title"));
    for (id, key) in REGIONS {
        let name = t(lang, key);
        let region = root
            .query_selector(&format!("section#{id}"))
            .unwrap()
            .unwrap_or_else(|| panic!("region {id} is missing"));
        assert_eq!(region.get_attribute("aria-label").as_deref(), Some(name));
    }
}

#[wasm_bindgen_test]
async fn live_driver_gives_the_virtual_drivers_trace() {
    use asyncio_playground::engine::Simulation;
    use asyncio_playground::live::{drive, LiveControl};
    use std::cell::{Cell, RefCell};

    // Every preset: the tutorials, threads, the loop in another thread and
    // the deadlock among them.
    for preset in asyncio_playground::gallery::presets() {
        let (name, program) = (preset.id, preset.program);
        let mut virtual_run = Simulation::new(program.clone()).unwrap();
        let status = virtual_run.run_to_end().clone();

        let live_run = RefCell::new(Simulation::new(program).unwrap());
        let control = LiveControl {
            speed: Cell::new(1000.0),
            paused: Cell::new(false),
            ..LiveControl::default()
        };
        let slices = Cell::new(0);
        drive(&live_run, &control, || slices.set(slices.get() + 1)).await;
        let live_run = live_run.borrow();
        assert_eq!(live_run.status(), &status, "{name}");
        assert!(slices.get() > 0, "{name}: no slice reported");
        assert_eq!(
            live_run.trace_text(),
            virtual_run.trace_text(),
            "{name}: traces differ"
        );
        assert_eq!(live_run.output_text(), virtual_run.output_text(), "{name}");
    }
}

#[wasm_bindgen_test]
async fn pausing_a_live_run_stops_it_where_it_is_and_resuming_finishes_it() {
    use asyncio_playground::engine::{Simulation, Status};
    use asyncio_playground::examples::tutorial_examples;
    use asyncio_playground::live::{drive, LiveControl};
    use std::cell::{Cell, RefCell};

    let (_, program) = tutorial_examples().remove(0);
    let expected = {
        let mut sim = Simulation::new(program.clone()).unwrap();
        sim.run_to_end();
        sim.output_text()
    };
    let sim = RefCell::new(Simulation::new(program).unwrap());
    let control = LiveControl {
        speed: Cell::new(1000.0),
        paused: Cell::new(false),
        ..LiveControl::default()
    };
    // Pause from inside the first slice: the run must stop, unfinished.
    drive(&sim, &control, || control.paused.set(true)).await;
    assert_eq!(sim.borrow().status(), &Status::Running);
    assert_ne!(sim.borrow().output_text(), expected);
    control.paused.set(false);
    drive(&sim, &control, || {}).await;
    assert_eq!(sim.borrow().status(), &Status::Finished);
    assert_eq!(sim.borrow().output_text(), expected);
}
