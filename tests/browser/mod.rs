//! Helpers the browser tests share: mount the app, find fields by their
//! visible labels and buttons by their accessible names, and act on them
//! the way a person does (events bubble, as real ones do).

// Each browser test file includes this module and uses a different part
// of it, so what one file leaves unused is not dead.
#![allow(dead_code)]

use asyncio_playground::app::{App, AppProps};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a fresh app in `lang` that leaves the page's address alone (the
/// test page is shared by every test).
pub async fn mount(lang: &str) -> Element {
    mount_with(lang, false).await
}

/// Mounts a fresh app that opens the link in the address bar, as a page
/// opened from a link does.
pub async fn open(lang: &str) -> Element {
    mount_with(lang, true).await
}

/// Replaces the address bar's fragment, as opening a link would.
pub fn set_hash(fragment: &str) {
    let url = if fragment.is_empty() {
        " ".to_string()
    } else {
        format!("#{fragment}")
    };
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url.trim()))
        .unwrap();
}

thread_local! {
    /// The app the last test mounted: the next mount ends it, so that its
    /// timers (the address following a resting cursor) cannot write into
    /// the next test's address bar.
    static MOUNTED: std::cell::RefCell<Option<yew::AppHandle<App>>> = const { std::cell::RefCell::new(None) };
}

/// Mounts a fresh app and returns once its first render is done: the loop
/// picture drawn, the editor's cards below main not yet (they follow the
/// first paint). The moment the first-render benchmark times.
pub async fn mount_first_render(lang: &str) -> Element {
    render_app(lang, false).await
}

async fn mount_with(lang: &str, follow_address: bool) -> Element {
    let root = render_app(lang, follow_address).await;
    // The editor's cards below main are drawn once the page is painted.
    until(
        || all(&root, ".coroutine.pending").is_empty(),
        "every coroutine card",
    )
    .await;
    root
}

async fn render_app(lang: &str, follow_address: bool) -> Element {
    if let Some(previous) = MOUNTED.with(|m| m.borrow_mut().take()) {
        previous.destroy();
    }
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("asyncio-playground.lang", lang).unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { follow_address })
        .render();
    MOUNTED.with(|m| *m.borrow_mut() = Some(app));
    yew::scheduler::flush().await;
    root
}

pub fn all(scope: &Element, selector: &str) -> Vec<Element> {
    let list = scope.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
        .collect()
}

pub fn one(scope: &Element, selector: &str) -> Element {
    scope
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

/// The control of the field labelled `label` in `scope`.
pub fn field(scope: &Element, label: &str) -> Element {
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
        .unwrap_or_else(|| panic!("no field labelled {label:?}"))
}

/// Dispatches a bubbling event of `kind` and lets the app re-render.
pub async fn fire(target: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

/// Types a value into a field (or picks an option) and commits it.
pub async fn set(control: &Element, value: &str) {
    if let Some(input) = control.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(select) = control.dyn_ref::<HtmlSelectElement>() {
        select.set_value(value);
        assert_eq!(select.value(), value, "no option {value:?}");
    }
    fire(control, "change").await;
}

/// Clicks the button named `name` (its accessible name or its text).
pub async fn click(scope: &Element, name: &str) {
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

/// Waits (in real time, up to 5 s) until `done` holds: for live runs and
/// for what loads.
pub async fn until(mut done: impl FnMut() -> bool, what: &str) {
    for _ in 0..200 {
        if done() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(25).await;
        yew::scheduler::flush().await;
    }
    panic!("timed out waiting for {what}");
}

/// The `data-label` of each element `selector` finds in `scope`: what a
/// ready-queue item or a timer is, without the words drawn around it.
pub fn labels(scope: &Element, selector: &str) -> Vec<String> {
    all(scope, selector)
        .iter()
        .map(|e| e.get_attribute("data-label").unwrap_or_default())
        .collect()
}

/// Each timer of the loop picture in `scope`: its deadline and what it
/// does (`t=3.0 end a sleep`).
pub fn timer_rows(scope: &Element) -> Vec<String> {
    all(scope, ".timers li")
        .iter()
        .map(|li| {
            let time = li
                .query_selector(".time")
                .ok()
                .flatten()
                .and_then(|t| t.text_content())
                .unwrap_or_default();
            format!(
                "{time} {}",
                li.get_attribute("data-label").unwrap_or_default()
            )
        })
        .collect()
}
