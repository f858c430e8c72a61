//! The editor in a real browser, used only through the page: labelled
//! fields, buttons and keys, as a person (or assistive technology) would.
#![cfg(target_arch = "wasm32")]

mod browser;

use browser::{all, click, document, field, mount, one, set};
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn card(root: &Element, name: &str) -> Element {
    one(root, &format!("article.coroutine[aria-label=\"{name}\"]"))
}

/// The `n`th (1-based) top-level step of a coroutine card; its own
/// parameters are in `.step-params`.
fn step(card: &Element, n: u32) -> Element {
    one(
        card,
        &format!(":scope > .block > ol > li:nth-child({n}) > .step"),
    )
}

fn params(step: &Element) -> Element {
    one(step, ":scope > .step-params")
}

/// Adds a step of `kind` at the end of a coroutine's body.
async fn add_step(card: &Element, kind: &str) {
    let block = one(card, ":scope > .block > .add-step");
    set(&field(&block, "Step to add"), kind).await;
    click(&block, "Add step").await;
}

fn output(root: &Element) -> String {
    all(root, ".output-view .output-lines samp")
        .iter()
        .map(|s| s.text_content().unwrap_or_default() + "\n")
        .collect()
}

#[wasm_bindgen_test]
async fn building_the_gather_example_through_the_ui_prints_cpythons_output() {
    let root = mount("en").await;
    set(&field(&root, "Example"), "new").await;
    for _ in 0..3 {
        click(&root, "Add task").await;
    }
    for (name, num) in [("task", 5), ("task_2", 3), ("task_3", 4)] {
        let c = card(&root, name);
        set(
            &field(&one(&c, ":scope > header"), "Coroutine name"),
            &format!("func1_{num}"),
        )
        .await;
        let c = card(&root, &format!("func1_{num}"));
        set(
            &field(&params(&step(&c, 1)), "Arguments"),
            &format!("{num}, 'before---func1----'"),
        )
        .await;
        set(&field(&params(&step(&c, 2)), "Seconds"), &num.to_string()).await;
        set(
            &field(&params(&step(&c, 3)), "Value"),
            &format!("'recv num {num}'"),
        )
        .await;
    }
    let main = card(&root, "main");
    for (n, task) in [(1, "1"), (2, "2"), (3, "3")] {
        add_step(&main, "create_task").await;
        set(&field(&params(&step(&main, n)), "Task"), task).await;
    }
    add_step(&main, "gather").await;
    add_step(&main, "for").await;
    let each = step(&main, 5);
    set(&field(&params(&each), "Loop variable"), "result").await;
    set(&field(&params(&each), "List"), "results").await;
    let body_print = one(&each, ".sub-block .step");
    set(
        &field(&params(&body_print), "Arguments"),
        "'Task ret: ', result",
    )
    .await;
    click(&main, "Add a line").await;

    let problems = all(&root, ".problems li");
    assert!(
        problems.is_empty(),
        "problems: {:?}",
        problems
            .iter()
            .map(|p| p.text_content())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        output(&root),
        include_str!("programs/examples/01_gather.out")
    );
}

#[wasm_bindgen_test]
async fn editing_a_sleep_changes_the_output_and_undo_restores_it() {
    let root = mount("en").await;
    set(&field(&root, "Example"), "01_gather").await;
    let before = output(&root);
    assert_eq!(before, include_str!("programs/examples/01_gather.out"));

    let task = card(&root, "func1_3");
    set(&field(&params(&step(&task, 2)), "Seconds"), "6").await;
    let after = output(&root);
    assert_ne!(after, before);
    assert!(
        after.ends_with("6.0\n"),
        "the program now ends at t=6: {after}"
    );

    click(&root, "Undo").await;
    assert_eq!(output(&root), before);
    click(&root, "Redo").await;
    assert_eq!(output(&root), after);

    // Ctrl+Z from the keyboard (outside a text field) undoes too.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("z");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    let key = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document().body().unwrap().dispatch_event(&key).unwrap();
    yew::scheduler::flush().await;
    assert_eq!(output(&root), before);
}

#[wasm_bindgen_test]
async fn bad_input_is_shown_where_it_is_and_never_runs() {
    let root = mount("en").await;
    set(&field(&root, "Example"), "01_gather").await;
    let task = card(&root, "func1_5");

    // Not a number: the field says so and the program keeps its value.
    let seconds = field(&params(&step(&task, 2)), "Seconds");
    set(&seconds, "soon").await;
    let error = one(&step(&task, 2), ".field-error");
    assert!(error.text_content().unwrap().contains("not a number"));
    assert_eq!(
        output(&root),
        include_str!("programs/examples/01_gather.out")
    );

    // A negative duration: a problem at that step, and nothing runs.
    set(&field(&params(&step(&task, 2)), "Seconds"), "-1").await;
    let problem_step = step(&card(&root, "func1_5"), 2);
    assert!(problem_step
        .get_attribute("class")
        .unwrap_or_default()
        .contains("has-problem"));
    assert!(one(&problem_step, ".problems-inline")
        .text_content()
        .unwrap()
        .contains("negative"));
    assert!(one(&root, ".output-view, .status.invalid")
        .text_content()
        .unwrap()
        .contains("Fix the problems"));

    // A name with markup is refused as a name, and shown as text, not markup.
    let header = one(&card(&root, "func1_5"), ":scope > header");
    set(
        &field(&header, "Coroutine name"),
        "<img src=x onerror=alert(1)>",
    )
    .await;
    assert!(
        all(&root, "img").is_empty(),
        "markup in a name was rendered"
    );
    assert!(one(&root, ".problems")
        .text_content()
        .unwrap()
        .contains("is not a Python name"));
}

#[wasm_bindgen_test]
async fn the_interface_switches_to_chinese_and_remembers_it() {
    let root = mount("en").await;
    set(&field(&root, "Language"), "zh-CN").await;
    assert_eq!(one(&root, "h1").text_content().unwrap(), "asyncio 演练场");
    assert!(all(&root, "button")
        .iter()
        .any(|b| b.text_content().as_deref() == Some("撤销")));
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(
        storage
            .get_item("asyncio-playground.lang")
            .unwrap()
            .as_deref(),
        Some("zh-CN")
    );
    assert_eq!(
        document()
            .document_element()
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("zh-CN")
    );
}

#[wasm_bindgen_test]
async fn a_callback_defined_in_the_editor_runs_through_call_soon() {
    let root = mount("en").await;
    set(&field(&root, "Example"), "new").await;
    let main = card(&root, "main");
    add_step(&main, "call_soon").await;
    // Adding the step created a callback: give it a name and what it prints.
    let objects = one(&root, ".objects");
    set(&field(&objects, "Callback"), "ring").await;
    set(
        &field(&one(&root, ".objects"), "def NAME(fut=None): print(…)"),
        "'ring at', time.time() - begin",
    )
    .await;
    add_step(&card(&root, "main"), "print").await;
    set(
        &field(&params(&step(&card(&root, "main"), 2)), "Arguments"),
        "'main first'",
    )
    .await;
    assert_eq!(output(&root), "main first\nring at 0.0\n");
    assert!(one(&root, ".python-view")
        .text_content()
        .unwrap()
        .contains("def ring(fut=None):"));
}
