//! Where code mode goes in the page. Code mode's views are a yew app in a
//! WebAssembly module of their own (`src/code_mode/main.rs`), loaded the
//! first time code mode opens (`www/code-loader.js`): graph mode's first
//! download carries none of them.
//!
//! That app is mounted in an element beside the page's root, not inside
//! it: each yew app listens for events in the capture phase at its root and
//! finds handlers by ids both apps number alike, so a root around the other
//! app's elements would run its own handlers for their clicks.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::i18n::{t, Lang};

#[wasm_bindgen(module = "/www/code-loader.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn open_code_mode(
        host: &web_sys::Element,
        lang: &str,
        opened_count: u32,
        opened_text: Option<String>,
        paste_asked: u32,
        follow_address: bool,
    ) -> Result<JsValue, JsValue>;
    fn update_code_mode(
        handle: &JsValue,
        lang: &str,
        opened_count: u32,
        opened_text: Option<String>,
        paste_asked: u32,
    );
    fn close_code_mode(handle: &JsValue);
}

#[derive(Properties, PartialEq)]
pub struct CodeModeHostProps {
    pub lang: Lang,
    /// A program for code mode to open, numbered (see `CodeModeProps`).
    pub open: Option<(u32, Rc<String>)>,
    /// How many times "Paste a program" was asked for (see `CodeModeProps`).
    pub paste_asked: u32,
    /// The page's own setting: whether it reads and keeps the address bar.
    pub follow_address: bool,
}

/// What the host knows of the code-mode app.
enum Guest {
    Loading,
    Mounted(JsValue),
    /// The host left before the module arrived.
    Gone,
}

#[component]
pub fn CodeModeHost(props: &CodeModeHostProps) -> Html {
    let guest = use_mut_ref(|| Guest::Loading);
    // The newest props, for the app when it arrives.
    let latest = use_mut_ref(|| (props.lang, props.open.clone(), props.paste_asked));
    *latest.borrow_mut() = (props.lang, props.open.clone(), props.paste_asked);
    let failed = use_state(|| None::<String>);
    let loading = use_state(|| true);
    {
        let (guest, latest, failed, loading) = (
            guest.clone(),
            latest.clone(),
            failed.clone(),
            loading.clone(),
        );
        let follow = props.follow_address;
        use_effect_with((), move |_| {
            let root = guest_root();
            if root.is_none() {
                // No #app to go beside (a page embedding the app elsewhere).
                loading.set(false);
                failed.set(Some("the page has no #app element to put it beside".into()));
            }
            if let Some(root) = root.clone() {
                let guest = guest.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let (lang, open, paste) = latest.borrow().clone();
                    let (count, text) = split(&open);
                    let mounted =
                        open_code_mode(&root, lang.code(), count, text, paste, follow).await;
                    loading.set(false);
                    match mounted {
                        Ok(handle) => {
                            let gone = matches!(*guest.borrow(), Guest::Gone);
                            if gone {
                                close_code_mode(&handle);
                                return;
                            }
                            // What changed while it loaded.
                            let (lang, open, paste) = latest.borrow().clone();
                            let (count, text) = split(&open);
                            update_code_mode(&handle, lang.code(), count, text, paste);
                            *guest.borrow_mut() = Guest::Mounted(handle);
                        }
                        Err(e) => failed.set(Some(
                            e.as_string()
                                .or_else(|| {
                                    js_sys::Reflect::get(&e, &"message".into())
                                        .ok()
                                        .and_then(|m| m.as_string())
                                })
                                .unwrap_or_else(|| format!("{e:?}")),
                        )),
                    }
                });
            }
            move || {
                let was = std::mem::replace(&mut *guest.borrow_mut(), Guest::Gone);
                if let Guest::Mounted(handle) = was {
                    close_code_mode(&handle);
                }
                if let Some(root) = root {
                    root.remove();
                }
            }
        });
    }
    {
        let guest = guest.clone();
        let key = (props.lang, props.open.clone(), props.paste_asked);
        use_effect_with(key, move |(lang, open, paste)| {
            if let Guest::Mounted(handle) = &*guest.borrow() {
                let (count, text) = split(open);
                update_code_mode(handle, lang.code(), count, text, *paste);
            }
        });
    }
    html! {
        <>
            if *loading {
                <p class="code-status" role="status">{ t(props.lang, "code.loading_views") }</p>
            }
            if let Some(why) = &*failed {
                <p class="code-status notice" role="alert">{ format!("{}: {why}", t(props.lang, "code.load_failed")) }</p>
            }
        </>
    }
}

/// A new element after the page's root, for code mode's app.
fn guest_root() -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    let root = document.create_element("div").ok()?;
    root.set_class_name("code-mode-host");
    let app = document.get_element_by_id("app")?;
    app.after_with_node_1(&root).ok()?;
    Some(root)
}

fn split(open: &Option<(u32, Rc<String>)>) -> (u32, Option<String>) {
    match open {
        Some((n, text)) => (*n, Some((**text).clone())),
        None => (0, None),
    }
}
