//! Browser tests: mount the app in headless Chromium and check the DOM.
#![cfg(target_arch = "wasm32")]

use asyncio_playground::app::{App, REGIONS};
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

    let title = root.query_selector("h1").unwrap().expect("a title");
    assert_eq!(title.text_content().unwrap(), "asyncio playground");
    for (id, name) in REGIONS {
        let region = root
            .query_selector(&format!("section#{id}"))
            .unwrap()
            .unwrap_or_else(|| panic!("region {id} is missing"));
        assert_eq!(region.get_attribute("aria-label").as_deref(), Some(name));
    }
}
