//! Browser tests for code mode's seam in the page (`app/code_host.rs`,
//! `www/code-loader.js`): here nothing serves code mode's module, as when a
//! learner goes offline before code mode was ever opened.
#![cfg(target_arch = "wasm32")]

mod browser;

use asyncio_playground::i18n::{t, Lang};
use browser::{click, document, mount, until};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn code_mode_that_cannot_load_says_so_and_graph_mode_goes_on() {
    let root = mount("en").await;
    // Code mode's host finds the page's root by its id, as in index.html.
    root.set_id("app");

    click(&root, t(Lang::En, "mode.code")).await;
    // Code mode's app goes beside the page's root, never inside it.
    assert!(root.query_selector(".code-mode-host").unwrap().is_none());
    assert!(document()
        .query_selector("#app + .code-mode-host")
        .unwrap()
        .is_some());
    let failed = t(Lang::En, "code.load_failed");
    until(
        || {
            root.query_selector(".code-status.notice")
                .unwrap()
                .and_then(|e| e.text_content())
                .is_some_and(|text| text.starts_with(failed))
        },
        "the message that code mode could not load",
    )
    .await;

    // The learner's graph is still there, a click away; code mode's
    // element leaves with it.
    click(&root, t(Lang::En, "mode.graph")).await;
    assert!(root.query_selector("section#editor").unwrap().is_some());
    assert!(document()
        .query_selector(".code-mode-host")
        .unwrap()
        .is_none());
    root.remove();
}
