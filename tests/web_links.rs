//! Share links and autosave in the page: a link opens exactly its state; a
//! damaged link says so, keeps the user's autosaved work, and leaves the app
//! usable; edits keep the address bar and the autosave current.
#![cfg(target_arch = "wasm32")]

mod browser;

use asyncio_playground::examples::tutorial_examples;
use asyncio_playground::link::{decode, encode, Shared};
use browser::{all, click, field, one, open, set, set_hash};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn output(root: &Element) -> String {
    all(root, ".output-view .output-lines samp")
        .iter()
        .map(|s| s.text_content().unwrap_or_default() + "\n")
        .collect()
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
async fn every_preset_opened_from_its_link_prints_its_output() {
    for preset in asyncio_playground::gallery::presets() {
        set_hash(&encode(&Shared {
            program: preset.program.clone(),
            lang: Some("zh-CN".into()),
            cursor: None,
            speed: None,
        }));
        let root = open("en").await;
        // The link's language wins over the remembered one.
        assert_eq!(
            one(&root, "h1").text_content().unwrap(),
            "asyncio 演练场",
            "{}",
            preset.id
        );
        let explanation = one(&root, ".explanation").text_content().unwrap();
        assert!(explanation.contains(preset.explanation[1]), "{}", preset.id);
        let mut sim = asyncio_playground::engine::Simulation::new(preset.program).unwrap();
        sim.run_to_end();
        assert_eq!(output(&root), sim.output_text(), "{}", preset.id);
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn a_damaged_link_keeps_the_autosaved_work_and_the_app_usable() {
    let (_, mine) = tutorial_examples()
        .into_iter()
        .find(|(n, _)| *n == "14_task_states")
        .unwrap();
    let good = encode(&Shared {
        program: tutorial_examples().remove(0).1,
        lang: None,
        cursor: None,
        speed: None,
    });
    for bad in [&good[..good.len() / 2], "v9.zzzz", "v1.%%%", "nonsense"] {
        // The user's own work, autosaved before they open the bad link.
        storage()
            .set_item("asyncio-playground.autosave", &mine.to_json())
            .unwrap();
        set_hash(bad);
        let root = open("en").await;
        let notice = one(&root, ".notice").text_content().unwrap();
        assert!(
            notice.contains("This link could not be opened")
                && notice.contains("Your own work is kept"),
            "{bad}: {notice}"
        );
        assert!(
            output(&root).starts_with("done? False\n"),
            "{bad}: the autosaved work is shown"
        );
        // Still usable: an edit works and runs.
        set(&field(&root, "Example"), "12_call_later").await;
        assert!(output(&root).contains("call_soon"));
        root.remove();
    }
    // In Chinese the reason is worded too, not only the sentence around it.
    set_hash(&good[..good.len() / 2]);
    let root = open("zh-CN").await;
    let notice = one(&root, ".notice").text_content().unwrap();
    assert!(
        notice.starts_with("无法打开此链接：链接已损坏") && !notice.contains("damaged"),
        "{notice}"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn editing_keeps_the_address_bar_and_the_autosave_current() {
    set_hash(&encode(&Shared {
        program: tutorial_examples().remove(0).1,
        lang: Some("en".into()),
        cursor: None,
        speed: None,
    }));
    let root = open("en").await;
    set(&field(&root, "Example"), "09_future_set_result").await;
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    let shared = decode(&hash).expect("the address bar holds a valid link");
    assert_eq!(
        shared.program,
        tutorial_examples()
            .into_iter()
            .find(|(n, _)| *n == "09_future_set_result")
            .unwrap()
            .1
    );
    assert_eq!(shared.lang.as_deref(), Some("en"));
    let saved = storage()
        .get_item("asyncio-playground.autosave")
        .unwrap()
        .unwrap();
    assert!(saved.contains("set_after"));
    assert!(all(&root, "button")
        .iter()
        .any(|b| b.text_content().as_deref() == Some("Copy link")));
    click(&root, "Copy link").await;
    root.remove();
}

#[wasm_bindgen_test]
async fn a_link_can_point_at_a_moment() {
    let program = tutorial_examples().remove(0).1;
    set_hash(&encode(&Shared {
        program,
        lang: Some("en".into()),
        cursor: Some(3.0),
        speed: None,
    }));
    let root = open("en").await;
    // The views open where the clock first reaches t=3.0: only the lines
    // printed at t=0 so far, and func1(3)'s timer is the one due.
    assert_eq!(
        one(&root, "[data-testid=clock]").text_content().unwrap(),
        "t=3.0"
    );
    let printed: Vec<String> = all(&root, ".run-lines samp")
        .iter()
        .filter_map(|s| s.text_content())
        .collect();
    assert_eq!(printed.len(), 3, "{printed:?}");
    // And the address keeps pointing at that moment.
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert_eq!(decode(&hash).unwrap().cursor, Some(3.0));
    // Dragged back to the start, it follows once the cursor rests.
    let cursor = one(&root, ".field.cursor input")
        .dyn_into::<web_sys::HtmlInputElement>()
        .unwrap();
    cursor.set_value("0");
    browser::fire(&cursor, "input").await;
    gloo_timers::future::TimeoutFuture::new(400).await;
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert_eq!(decode(&hash).unwrap().cursor, Some(0.0));
    root.remove();
}

#[wasm_bindgen_test]
async fn opening_a_link_offers_to_go_back_to_the_autosaved_work() {
    let (_, mine) = tutorial_examples()
        .into_iter()
        .find(|(n, _)| *n == "14_task_states")
        .unwrap();
    storage()
        .set_item("asyncio-playground.autosave", &mine.to_json())
        .unwrap();
    set_hash(&encode(&Shared {
        program: tutorial_examples().remove(0).1,
        lang: Some("en".into()),
        cursor: None,
        speed: None,
    }));
    let root = open("en").await;
    assert_eq!(
        output(&root),
        include_str!("programs/examples/01_gather.out")
    );
    click(&root, "Back to my work").await;
    assert!(
        output(&root).starts_with("done? False\n"),
        "back to the autosaved scenario"
    );
    assert!(all(&root, "button")
        .iter()
        .all(|b| b.text_content().as_deref() != Some("Back to my work")));
    root.remove();
}

#[wasm_bindgen_test]
async fn a_link_carries_the_live_runs_speed_and_an_edit_keeps_it() {
    set_hash(&encode(&Shared {
        program: tutorial_examples().remove(0).1,
        lang: Some("en".into()),
        cursor: None,
        speed: Some(5.0),
    }));
    let root = open("en").await;
    let speed = || {
        field(&root, "Speed")
            .dyn_into::<web_sys::HtmlSelectElement>()
            .unwrap()
            .value()
    };
    assert_eq!(speed(), "5");
    let address = || decode(&web_sys::window().unwrap().location().hash().unwrap()).unwrap();
    assert_eq!(address().speed, Some(5.0));
    // Chosen in the page: the address follows at once.
    set(&field(&root, "Speed"), "0.25").await;
    assert_eq!(address().speed, Some(0.25));
    // An edit records a new run, at the same speed.
    set(&field(&root, "Example"), "09_future_set_result").await;
    assert_eq!(speed(), "0.25");
    assert_eq!(address().speed, Some(0.25));
    // 1x, the default, goes without saying.
    set(&field(&root, "Speed"), "1").await;
    assert_eq!(address().speed, None);
    root.remove();

    // A speed between the offered ones is shown as it is.
    set_hash(&encode(&Shared {
        program: tutorial_examples().remove(0).1,
        lang: Some("en".into()),
        cursor: None,
        speed: Some(3.0),
    }));
    let root = open("en").await;
    let select = field(&root, "Speed")
        .dyn_into::<web_sys::HtmlSelectElement>()
        .unwrap();
    assert_eq!(select.value(), "3");
    assert_eq!(
        select
            .selected_options()
            .item(0)
            .unwrap()
            .text_content()
            .unwrap(),
        "3×"
    );
    root.remove();
}
