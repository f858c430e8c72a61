//! Browser tests for code mode's seam in the page (`app/code_host.rs`,
//! `www/code-loader.js`): here nothing serves code mode's module, as when a
//! learner goes offline before code mode was ever opened.
#![cfg(target_arch = "wasm32")]

use asyncio_playground::app::App;
use asyncio_playground::i18n::{t, Lang};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn button(root: &web_sys::Element, text: &str) -> web_sys::HtmlElement {
    let buttons = root.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .filter_map(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
        .find(|b| b.text_content().as_deref() == Some(text))
        .unwrap_or_else(|| panic!("no button {text:?}"))
}

async fn until(what: &str, ok: impl Fn() -> bool) {
    for _ in 0..200 {
        if ok() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(25).await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn code_mode_that_cannot_load_says_so_and_graph_mode_goes_on() {
    let root = document().create_element("div").unwrap();
    root.set_id("app");
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    let lang = document()
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .map(|code| Lang::from_tag(&code))
        .unwrap_or_default();

    button(&root, t(lang, "mode.code")).click();
    yew::scheduler::flush().await;
    // Code mode's app goes beside the page's root, never inside it.
    assert!(root.query_selector(".code-mode-host").unwrap().is_none());
    assert!(document()
        .query_selector("#app + .code-mode-host")
        .unwrap()
        .is_some());
    let failed = t(lang, "code.load_failed");
    until("the message that code mode could not load", || {
        root.query_selector(".code-status.notice")
            .unwrap()
            .and_then(|e| e.text_content())
            .is_some_and(|text| text.starts_with(failed))
    })
    .await;

    // The learner's graph is still there, a click away; code mode's
    // element leaves with it.
    button(&root, t(lang, "mode.graph")).click();
    yew::scheduler::flush().await;
    assert!(root.query_selector("section#editor").unwrap().is_some());
    assert!(document()
        .query_selector(".code-mode-host")
        .unwrap()
        .is_none());
    root.remove();
}
