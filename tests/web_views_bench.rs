//! View benchmarks in headless Chromium: they print figures and assert only
//! that the work was done (speed goals are read, not asserted).
//! - the biggest scenario the page's budget runs (1,900 tasks): simulate
//!   it and draw its timeline;
//! - dragging the time cursor on it: updates per second;
//! - live play with 100 and 1,000 tasks: animation frames per second;
//! - a Step with 100 and 1,000 tasks: the redraw, in ms;
//! - the page's first render, from mounting the app.
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

/// main gathers `tasks` fresh coroutines, through batches of at most
/// 1,000 (what one await may wait for); each sleeps a little (so timers
/// have varied deadlines) and returns.
fn many_tasks(tasks: usize) -> Program {
    let work = |i: usize| Awaitable::Coro(1 + (i % 4) as u32);
    let gather = |items: Vec<Awaitable>| Step::Gather {
        items,
        return_exceptions: false,
        bind: None,
    };
    let mut coroutines = vec![Coroutine::new("main", vec![])];
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
    if tasks <= 1_000 {
        coroutines[0] = Coroutine::new("main", vec![gather((0..tasks).map(work).collect())]);
    } else {
        let batches = tasks.div_ceil(1_000);
        let mut items = Vec::new();
        for b in 0..batches {
            items.push(Awaitable::Coro(coroutines.len() as u32));
            let size = 1_000.min(tasks - b * 1_000);
            coroutines.push(Coroutine::new(
                &format!("batch{b}"),
                vec![gather((0..size).map(work).collect())],
            ));
        }
        coroutines[0] = Coroutine::new("main", vec![gather(items)]);
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
async fn bench_biggest_scenario_simulate_draw_and_drag() {
    let start = now_ms();
    // The page runs at most 2,000 tasks.
    let root = open_program(many_tasks(1_900)).await;
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
        "views bench: 1900 tasks simulated and drawn in {:.0} ms; cursor drag {:.1} ms per move ({:.0} updates/s) first pass, {:.1} ms ({:.0} updates/s) second",
        drawn,
        per_move[0],
        1000.0 / per_move[0],
        per_move[1],
        1000.0 / per_move[1]
    );
}

/// A requestAnimationFrame callback that re-arms itself.
type FrameCallback = Rc<std::cell::RefCell<Option<Closure<dyn FnMut()>>>>;

/// Counts the frames the browser draws from `start` until `stop`.
struct FrameCounter {
    frames: Rc<Cell<u32>>,
    running: Rc<Cell<bool>>,
    // Keeps the callback alive while frames come.
    _tick: FrameCallback,
}

impl FrameCounter {
    fn start() -> FrameCounter {
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
        FrameCounter {
            frames,
            running,
            _tick: tick,
        }
    }

    /// Stops counting; the frames drawn so far.
    fn stop(&self) -> u32 {
        self.running.set(false);
        self.frames.get()
    }
}

/// Frames drawn per second while a `tasks`-task scenario runs live at
/// `speed`: a blocked main thread shows up as missing frames.
async fn live_frames_per_second(tasks: usize, speed: &str) -> (f64, u32) {
    let root = open_program(many_tasks(tasks)).await;
    click(&root, "Reset").await;
    set(&field(&root, "Speed"), speed).await;
    let frames = FrameCounter::start();
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
    let drawn = frames.stop();
    let seconds = (now_ms() - start) / 1000.0;
    assert!(finished, "the live run of {tasks} tasks did not finish");
    (seconds, drawn)
}

/// Frames the browser draws in a second with nothing running: what a
/// live run's figure is read against (headless Chromium does not always
/// reach 60).
async fn idle_frames_per_second() -> f64 {
    let frames = FrameCounter::start();
    let start = now_ms();
    gloo_timers::future::TimeoutFuture::new(2_000).await;
    frames.stop() as f64 / ((now_ms() - start) / 1000.0)
}

#[wasm_bindgen_test]
async fn bench_live_play_frames_per_second() {
    console_log!(
        "views bench: with nothing running the browser draws {:.0} frames/s",
        idle_frames_per_second().await
    );
    for (tasks, speed) in [(100, "1"), (1_000, "1"), (1_000, "2")] {
        let (seconds, frames) = live_frames_per_second(tasks, speed).await;
        console_log!(
            "views bench: {tasks} tasks live at {speed}x: {seconds:.2} s, {frames} frames, {:.0} frames/s (goal: {} with {tasks} tasks)",
            frames as f64 / seconds,
            if tasks <= 100 { 60 } else { 30 }
        );
    }
}

/// Each Step with `tasks` tasks: the iteration run and the loop picture,
/// the timeline and the output redrawn and laid out, in ms.
#[wasm_bindgen_test]
async fn bench_step_redraw() {
    for tasks in [100, 1_000] {
        let root = open_program(many_tasks(tasks)).await;
        click(&root, "Reset").await;
        let mut times = Vec::new();
        for _ in 0..8 {
            let start = now_ms();
            click(&root, "Step").await;
            // Layout is part of a redraw.
            let _ = root.unchecked_ref::<web_sys::HtmlElement>().offset_height();
            times.push(now_ms() - start);
        }
        assert!(!all(&root, ".await-graph li").is_empty());
        times.sort_by(f64::total_cmp);
        console_log!(
            "views bench: a step with {tasks} tasks redraws in {:.1} ms (median of {}, slowest {:.1} ms; one frame is 16.7 ms)",
            times[times.len() / 2],
            times.len(),
            times[times.len() - 1]
        );
    }
}

/// The page's first render: the default program opened, run and drawn
/// (its loop picture included), from mounting the app.
#[wasm_bindgen_test]
async fn bench_first_render() {
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = now_ms();
        let root = browser::mount_first_render("en").await;
        let _ = root.unchecked_ref::<web_sys::HtmlElement>().offset_height();
        times.push(now_ms() - start);
        assert!(!all(&root, ".loop-picture").is_empty());
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "views bench: first render (mount to laid out, wasm already loaded) {:.0} ms median of {} (goal: the whole page under 300 ms on localhost; tests/e2e/bench-page.mjs measures it from navigation)",
        times[times.len() / 2],
        times.len()
    );
}
