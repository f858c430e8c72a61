//! Code mode's own WebAssembly module: its views, the tracer's record
//! reader and the bridge to the editor and CPython. Trunk builds it beside
//! the page (`dist/code-mode/`); the page loads it only when code mode is
//! first opened (`www/code-loader.js`), so graph mode's first download
//! carries none of it.

#[cfg(target_arch = "wasm32")]
mod views;

#[cfg(target_arch = "wasm32")]
mod web {
    use std::rc::Rc;

    use crate::views::{mount as mount_app, CodeMode, CodeModeProps};
    use asyncio_playground::i18n::Lang;
    use wasm_bindgen::prelude::*;

    /// Code mode, mounted; the page updates it and closes it.
    #[wasm_bindgen]
    pub struct CodeModeHandle {
        app: Option<yew::AppHandle<CodeMode>>,
        /// Fixed when mounted: the page's setting does not change.
        follow_address: bool,
    }

    fn props(
        lang: &str,
        opened_count: u32,
        opened_text: Option<String>,
        paste_asked: u32,
        follow_address: bool,
    ) -> CodeModeProps {
        CodeModeProps {
            lang: Lang::from_tag(lang),
            open: opened_text.map(|text| (opened_count, Rc::new(text))),
            paste_asked,
            follow_address,
        }
    }

    #[wasm_bindgen]
    pub fn mount(
        root: web_sys::Element,
        lang: &str,
        opened_count: u32,
        opened_text: Option<String>,
        paste_asked: u32,
        follow_address: bool,
    ) -> CodeModeHandle {
        CodeModeHandle {
            app: Some(mount_app(
                root,
                props(lang, opened_count, opened_text, paste_asked, follow_address),
            )),
            follow_address,
        }
    }

    #[wasm_bindgen]
    impl CodeModeHandle {
        pub fn update(
            &mut self,
            lang: &str,
            opened_count: u32,
            opened_text: Option<String>,
            paste_asked: u32,
        ) {
            let follow_address = self.follow_address;
            if let Some(app) = self.app.as_mut() {
                app.update(props(
                    lang,
                    opened_count,
                    opened_text,
                    paste_asked,
                    follow_address,
                ));
            }
        }

        /// Ends code mode: its editor, CPython's worker and its timers.
        pub fn close(&mut self) {
            if let Some(app) = self.app.take() {
                app.destroy();
            }
        }
    }
}

fn main() {}
