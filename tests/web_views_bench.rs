//! View benchmarks in headless Chromium: they print figures and assert only
//! that the work was done (speed goals are read, not asserted).
//! - a 10,000-task scenario: simulate it and draw its timeline;
//! - dragging the time cursor on it: updates per second;
//! - a 1,000-task scenario run live: animation frames per second.
#![cfg(target_arch = "wasm32")]

mod browser;

use asyncio_playground::engine::{Awaitable, Coroutine, Program, Step};
use asyncio_playground::link::{encode, Shared};
use browser::{all, click, field, fire, one, open, set, set_hash};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// main gathers `tasks` fresh coroutines; each sleeps a little (so timers
/// have varied deadlines) and returns.
fn many_tasks(tasks: usize) -> Program {
    let mut coroutines = vec![Coroutine::new(
        "main",
        vec![Step::Gather {
            items: (0..tasks)
                .map(|i| Awaitable::Coro(1 + (i % 4) as u32))
                .collect(),
            return_exceptions: false,
            bind: None,
        }],
    )];
    for (i, d) in [0.5, 1.0, 1.5, 2.0].iter().enumerate() {
        coroutines.push(Coroutine::new(
            &format!("work{i}"),
            vec![
                Step::sleep(*d),
                Step::sleep(d / 2.0),
                Step::ret(asyncio_playground::engine::Expr::int(i as i64)),
            ],
        ));
    }
    Program {
        coroutines,
        ..Program::default()
    }
}

async fn open_program(program: Program) -> web_sys::Element {
    set_hash(&encode(&Shared {
        program,
        lang: Some("en".into()),
        cursor: None,
        speed: None,
    }));
    open("en").await
}

#[wasm_bindgen_test]
async fn bench_ten_thousand_tasks_simulate_draw_and_drag() {
    let start = now_ms();
    let root = open_program(many_tasks(10_000)).await;
    let drawn = now_ms() - start;
    assert!(!all(&root, ".timeline-svg .lane").is_empty());
    assert_eq!(
        one(&root, "[data-testid=clock]").text_content().unwrap(),
        "t=3.0"
    );

    let cursor = one(&root, ".field.cursor input")
        .dyn_into::<HtmlInputElement>()
        .unwrap();
    let max: usize = cursor.max().parse().unwrap();
    let moves = 30;
    let mut per_move = Vec::new();
    // Drag back to the start, then forward to the end (moments replayed on
    // the way back are cached for the way forward).
    for pass in 0..2 {
        let start = now_ms();
        for i in 0..moves {
            let step = if pass == 0 { moves - i } else { i };
            cursor.set_value(&(max * step / moves).to_string());
            fire(&cursor, "input").await;
        }
        per_move.push((now_ms() - start) / moves as f64);
    }
    console_log!(
        "views bench: 10000 tasks simulated and drawn in {:.0} ms; cursor drag {:.1} ms per move ({:.0} updates/s) first pass, {:.1} ms ({:.0} updates/s) second",
        drawn,
        per_move[0],
        1000.0 / per_move[0],
        per_move[1],
        1000.0 / per_move[1]
    );
}

/// A requestAnimationFrame callback that re-arms itself.
type FrameCallback = Rc<std::cell::RefCell<Option<Closure<dyn FnMut()>>>>;

#[wasm_bindgen_test]
async fn bench_thousand_tasks_live() {
    let root = open_program(many_tasks(1_000)).await;
    click(&root, "Reset").await;
    set(&field(&root, "Speed"), "2").await;
    // Count animation frames while the run is live: a blocked main thread
    // shows up as missing frames.
    let frames = Rc::new(Cell::new(0u32));
    let running = Rc::new(Cell::new(true));
    let tick: FrameCallback = Rc::default();
    {
        let (frames, running, tick2) = (frames.clone(), running.clone(), tick.clone());
        *tick.borrow_mut() = Some(Closure::new(move || {
            frames.set(frames.get() + 1);
            if running.get() {
                if let Some(cb) = tick2.borrow().as_ref() {
                    let _ = web_sys::window()
                        .unwrap()
                        .request_animation_frame(cb.as_ref().unchecked_ref());
                }
            }
        }));
    }
    web_sys::window()
        .unwrap()
        .request_animation_frame(tick.borrow().as_ref().unwrap().as_ref().unchecked_ref())
        .unwrap();
    let start = now_ms();
    click(&root, "Run").await;
    let mut finished = false;
    for _ in 0..400 {
        gloo_timers::future::TimeoutFuture::new(25).await;
        yew::scheduler::flush().await;
        if one(&root, "[data-testid=clock]").text_content().unwrap() == "t=3.0"
            && all(&root, "button")
                .iter()
                .any(|b| b.text_content().as_deref() == Some("Run"))
        {
            finished = true;
            break;
        }
    }
    running.set(false);
    let seconds = (now_ms() - start) / 1000.0;
    assert!(finished, "the live run did not finish");
    console_log!(
        "views bench: 1000 tasks live at 2x: {:.2} s, {} frames, {:.0} frames/s",
        seconds,
        frames.get(),
        frames.get() as f64 / seconds
    );
}
