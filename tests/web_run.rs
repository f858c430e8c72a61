//! Watching a run in the browser: stepping, a live run, the time cursor
//! and cancelling a task live, used through the page only.
#![cfg(target_arch = "wasm32")]

mod browser;

use browser::{all, click, field, fire, labels, mount, one, set, timer_rows, until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_example(name: &str) -> Element {
    let root = mount("en").await;
    set(&field(&root, "Example"), name).await;
    root
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

fn state_of(root: &Element, task: &str) -> String {
    text(root, &format!("tr.task-row[data-task=\"{task}\"] td.state"))
}

fn printed(root: &Element) -> String {
    texts(root, ".run-lines samp")
        .iter()
        .map(|t| format!("{t}\n"))
        .collect()
}

#[wasm_bindgen_test]
async fn stepping_shows_the_ready_queue_and_task_states_of_each_iteration() {
    let root = mount_example("01_gather").await;
    click(&root, "Reset").await;
    assert_eq!(text(&root, "[data-testid=clock]"), "t=0.0");
    assert_eq!(labels(&root, ".ready-queue li"), ["step Task-1"]);
    assert_eq!(state_of(&root, "Task-1"), "not started");

    // Iteration 1: main runs, creates three tasks (their first steps are
    // queued in creation order) and suspends on the gather.
    click(&root, "Step").await;
    assert_eq!(text(&root, "[data-testid=iteration]"), "iteration 1");
    assert_eq!(
        labels(&root, ".ready-queue li"),
        ["step Task-2", "step Task-3", "step Task-4"]
    );
    assert_eq!(state_of(&root, "Task-1"), "waiting for gather");
    assert_eq!(state_of(&root, "Task-2"), "not started");

    // Iteration 2: each task prints and sleeps; three timers are armed.
    click(&root, "Step").await;
    assert!(all(&root, ".ready-queue li").is_empty());
    assert_eq!(
        timer_rows(&root),
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

    // The Python view marks where each task is: main at its gather, the
    // three tasks at their sleeps.
    let current = texts(&root, ".python-view .line.current");
    let current: Vec<&str> = current.iter().map(|l| l.trim()).collect();
    assert_eq!(
        current,
        [
            "results = await asyncio.gather(func1_5_task, func1_3_task, func1_4_task)",
            "await asyncio.sleep(5.0)",
            "await asyncio.sleep(3.0)",
            "await asyncio.sleep(4.0)",
        ]
    );

    // The loop's story, up to this moment, in plain words (worded once
    // it is opened).
    one(&root, ".loop-log summary")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    until(|| !all(&root, ".story li").is_empty(), "the story opened").await;
    let story = texts(&root, ".story li");
    assert!(
        story.iter().any(|l| l == "t=0.0 Task-2 sleeps until t=5.0"),
        "{story:?}"
    );
    assert!(
        !story.iter().any(|l| l.contains("returns")),
        "nothing has returned yet: {story:?}"
    );

    // Iteration 3: the clock jumps to the first timer.
    click(&root, "Step").await;
    assert_eq!(text(&root, "[data-testid=clock]"), "t=3.0");
    assert_eq!(labels(&root, ".ready-queue li"), ["wake Task-3"]);
}

#[wasm_bindgen_test]
async fn a_live_run_at_ten_times_speed_prints_cpythons_output() {
    let root = mount_example("01_gather").await;
    click(&root, "Reset").await;
    set(&field(&root, "Speed"), "10").await;
    click(&root, "Run").await;
    assert!(all(&root, "button")
        .iter()
        .any(|b| b.text_content().as_deref() == Some("Pause")));
    until(
        || printed(&root) == include_str!("programs/examples/01_gather.out"),
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
    assert_eq!(labels(&root, ".ready-queue li"), ["step Task-1"]);
    assert_eq!(printed(&root), "");
    // And forward again, to the end.
    cursor.set_value(&cursor.max());
    fire(&cursor, "input").await;
    assert_eq!(
        printed(&root),
        include_str!("programs/examples/01_gather.out")
    );
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
    // The timeline marks where CancelledError landed: in Task-2 at t=3.0.
    let landed = all(&root, ".lane[data-task=\"Task-2\"] .landed-mark");
    assert_eq!(landed.len(), 1);
    assert!(landed[0].text_content().unwrap().contains("CancelledError"));
}

#[wasm_bindgen_test]
async fn the_results_panel_shows_gathers_list_waits_sets_and_as_completed_order() {
    let root = mount_example("01_gather").await;
    click(&root, "Reset").await;
    while text(&root, "[data-testid=clock]") != "t=3.0" {
        click(&root, "Next event").await;
    }
    // At t=3 only func1(3), the second argument, has finished.
    assert_eq!(
        texts(
            &root,
            ".result[data-kind=\"asyncio.gather\"] .result-items li"
        ),
        [
            "Task-2 (pending)",
            "Task-3 → 'recv num 3'",
            "Task-4 (pending)"
        ]
    );
    // main awaits the gather, under which its unfinished children wait.
    assert_eq!(
        text(&root, ".await-tree"),
        "Task-1 (awaits gather)\n└── asyncio.gather\n    ├── Task-2 (awaits sleep)\n    └── Task-4 (awaits sleep)"
    );
    // The timeline draws main's await edges to its three children.
    assert_eq!(all(&root, ".await-edges line").len(), 3);

    set(&field(&root, "Example"), "03_as_completed").await;
    assert_eq!(
        texts(
            &root,
            ".result[data-kind=\"asyncio.as_completed\"] .result-items li"
        ),
        [
            "Task-3 → 'recv num 3'",
            "Task-4 → 'recv num 4'",
            "Task-2 → 'recv num 5'"
        ]
    );

    // wait(timeout=3): n1 and n2 done, n3 still pending when it returned.
    set(&field(&root, "Example"), "11_wait_timeout").await;
    let first_wait = &all(&root, ".result[data-kind=\"asyncio.wait\"]")[0];
    assert_eq!(text(first_wait, ".done-set"), "done: {Task-2, Task-3}");
    assert_eq!(text(first_wait, ".pending-set"), "pending: {Task-4}");
    assert_eq!(
        all(&root, ".lane[data-task=\"Task-1\"] .timeout-mark").len(),
        1
    );
}

#[wasm_bindgen_test]
async fn the_side_loop_panel_follows_the_loop_in_the_other_thread() {
    let root = mount_example("loop_in_thread").await;
    click(&root, "Reset").await;
    let side = one(&root, ".side-loop");
    assert_eq!(
        text(&side, "[data-testid=side-thread]"),
        "iteration 0 · its thread has started but not run yet"
    );

    // Iteration 1: the side loop's thread starts `run_forever` and waits
    // in select; main hands it greet and two coroutines, which wakes it.
    click(&root, "Step").await;
    let side = one(&root, ".side-loop");
    assert_eq!(
        labels(&side, ".ready-queue li"),
        [
            "call greet()",
            "make fetch_page()'s task (run_coroutine_threadsafe)",
            "make fetch_image()'s task (run_coroutine_threadsafe)",
        ]
    );
    assert_eq!(
        text(&side, "[data-testid=side-thread]"),
        "iteration 0 · woken by call_soon_threadsafe: its thread runs next"
    );

    // Iteration 2: the side loop's thread ran first (two iterations of
    // its own), then main's loop ran the ticker.
    click(&root, "Step").await;
    let side = one(&root, ".side-loop");
    assert!(all(&side, ".ready-queue li").is_empty());
    assert_eq!(
        timer_rows(&side),
        ["t=1.0 end a sleep", "t=2.0 end a sleep"]
    );
    assert_eq!(
        text(&side, "[data-testid=side-thread]"),
        "iteration 2 · waiting in select until t=1.0"
    );
    assert_eq!(
        text(&root, "tr.task-row[data-task=\"Task-3\"] td:first-child"),
        "Task-3 · fetch_page() · side loop"
    );
    assert_eq!(state_of(&root, "Task-3"), "waiting for sleep");
    assert_eq!(
        printed(&root),
        "hello from the side loop's thread at 0.0\n\
         fetch_page starts on the side loop at 0.0\n\
         fetch_image starts on the side loop at 0.0\n\
         tick at 0.0\n"
    );

    click(&root, "Run to end").await;
    assert_eq!(
        text(&one(&root, ".side-loop"), "[data-testid=side-thread]"),
        "iteration 9 · stopped: its thread has ended"
    );
    assert_eq!(state_of(&root, "Task-4"), "returned 'fetch_image data'");
}
