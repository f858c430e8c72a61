//! Watching a run in the browser: stepping, a live run, the time cursor
//! and cancelling a task live, used through the page only.
#![cfg(target_arch = "wasm32")]

use asyncio_playground::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn mount_example(name: &str) -> Element {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("asyncio-playground.lang", "en").unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    let example = field(&root, "Example")
        .dyn_into::<HtmlSelectElement>()
        .unwrap();
    example.set_value(name);
    fire(&example, "change").await;
    root
}

async fn fire(target: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    target
        .dispatch_event(&web_sys::Event::new_with_event_init_dict(kind, &init).unwrap())
        .unwrap();
    yew::scheduler::flush().await;
}

fn all(scope: &Element, selector: &str) -> Vec<Element> {
    let list = scope.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i).and_then(|n| n.dyn_into().ok()))
        .collect()
}

fn one(scope: &Element, selector: &str) -> Element {
    scope
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn text(scope: &Element, selector: &str) -> String {
    one(scope, selector).text_content().unwrap_or_default()
}

fn texts(scope: &Element, selector: &str) -> Vec<String> {
    all(scope, selector)
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect()
}

fn field(scope: &Element, label: &str) -> Element {
    all(scope, "label.field")
        .into_iter()
        .find(|l| {
            l.query_selector(".field-label")
                .unwrap()
                .and_then(|s| s.text_content())
                .as_deref()
                == Some(label)
        })
        .and_then(|l| l.query_selector("input, select").unwrap())
        .unwrap_or_else(|| panic!("no field {label:?}"))
}

async fn click(scope: &Element, name: &str) {
    let button = all(scope, "button")
        .into_iter()
        .find(|b| {
            b.get_attribute("aria-label").as_deref() == Some(name)
                || b.text_content().as_deref() == Some(name)
        })
        .unwrap_or_else(|| panic!("no button {name:?}"));
    button.unchecked_ref::<HtmlElement>().click();
    yew::scheduler::flush().await;
}

fn state_of(root: &Element, task: &str) -> String {
    text(root, &format!("tr.task-row[data-task=\"{task}\"] td.state"))
}

fn printed(root: &Element) -> String {
    texts(root, ".run-lines samp")
        .iter()
        .map(|t| format!("{t}\n"))
        .collect()
}

/// Waits (in real time) until `done` holds, for live runs.
async fn until(mut done: impl FnMut() -> bool, what: &str) {
    for _ in 0..200 {
        if done() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(25).await;
        yew::scheduler::flush().await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn stepping_shows_the_ready_queue_and_task_states_of_each_iteration() {
    let root = mount_example("01_gather").await;
    click(&root, "Reset").await;
    assert_eq!(text(&root, "[data-testid=clock]"), "t=0.0");
    assert_eq!(texts(&root, ".ready-queue li"), ["step Task-1"]);
    assert_eq!(state_of(&root, "Task-1"), "not started");

    // Iteration 1: main runs, creates three tasks (their first steps are
    // queued in creation order) and suspends on the gather.
    click(&root, "Step").await;
    assert_eq!(text(&root, "[data-testid=iteration]"), "iteration 1");
    assert_eq!(
        texts(&root, ".ready-queue li"),
        ["step Task-2", "step Task-3", "step Task-4"]
    );
    assert_eq!(state_of(&root, "Task-1"), "waiting for gather");
    assert_eq!(state_of(&root, "Task-2"), "not started");

    // Iteration 2: each task prints and sleeps; three timers are armed.
    click(&root, "Step").await;
    assert!(all(&root, ".ready-queue li").is_empty());
    assert_eq!(
        texts(&root, ".timers li"),
        [
            "t=3.0 end a sleep",
            "t=4.0 end a sleep",
            "t=5.0 end a sleep"
        ]
    );
    assert_eq!(state_of(&root, "Task-2"), "waiting for sleep");
    assert_eq!(
        printed(&root),
        "5 before---func1----\n3 before---func1----\n4 before---func1----\n"
    );

    // Iteration 3: the clock jumps to the first timer.
    click(&root, "Step").await;
    assert_eq!(text(&root, "[data-testid=clock]"), "t=3.0");
    assert_eq!(texts(&root, ".ready-queue li"), ["wake Task-3"]);
}

#[wasm_bindgen_test]
async fn a_live_run_at_ten_times_speed_prints_cpythons_output() {
    let root = mount_example("01_gather").await;
    click(&root, "Reset").await;
    let speed = field(&root, "Speed")
        .dyn_into::<HtmlSelectElement>()
        .unwrap();
    speed.set_value("10");
    fire(&speed, "change").await;
    click(&root, "Run").await;
    assert!(all(&root, "button")
        .iter()
        .any(|b| b.text_content().as_deref() == Some("Pause")));
    until(
        || printed(&root) == include_str!("expected/01_gather.out"),
        "the live run to finish",
    )
    .await;
    assert_eq!(state_of(&root, "Task-1"), "returned None");
}

#[wasm_bindgen_test]
async fn dragging_the_cursor_back_shows_the_earlier_state() {
    let root = mount_example("01_gather").await;
    assert_eq!(text(&root, "[data-testid=clock]"), "t=5.0");
    let cursor = one(&root, ".field.cursor input")
        .dyn_into::<HtmlInputElement>()
        .unwrap();
    cursor.set_value("0");
    fire(&cursor, "input").await;
    assert_eq!(text(&root, "[data-testid=clock]"), "t=0.0");
    assert_eq!(texts(&root, ".ready-queue li"), ["step Task-1"]);
    assert_eq!(printed(&root), "");
    // And forward again, to the end.
    cursor.set_value(&cursor.max());
    fire(&cursor, "input").await;
    assert_eq!(printed(&root), include_str!("expected/01_gather.out"));
}

#[wasm_bindgen_test]
async fn cancelling_a_task_live_delivers_cancelled_error_at_its_await() {
    let root = mount_example("01_gather").await;
    click(&root, "Reset").await;
    // Run to t=3.0, where func1(3) has finished and func1(5) still sleeps.
    while text(&root, "[data-testid=clock]") != "t=3.0" {
        click(&root, "Next event").await;
    }
    click(&root, "Cancel now Task-2").await;
    assert!(
        state_of(&root, "Task-2").contains("cancellation requested")
            || state_of(&root, "Task-2").contains("waiting")
    );
    click(&root, "Run to end").await;
    // The sleep it awaited was cancelled, so CancelledError landed there;
    // gather passed it on to main, which did not catch it.
    assert_eq!(state_of(&root, "Task-2"), "cancelled");
    assert_eq!(state_of(&root, "Task-1"), "cancelled");
    assert_eq!(state_of(&root, "Task-3"), "returned 'recv num 3'");
    // func1(4) was still sleeping when main ended: asyncio.run cancels
    // leftover tasks on its way out (CPython 3.11 shows the same).
    assert_eq!(state_of(&root, "Task-4"), "cancelled");
    assert!(!printed(&root).contains("Task ret"));
}
