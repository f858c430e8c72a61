//! asyncio-playground: a browser playground for learning Python's asyncio.
//!
//! The crate is a pure core (the engine, which models CPython 3.11's event
//! loop) and a thin shell (the yew app, compiled only for wasm32). The native
//! command-line tool in `src/bin` uses the core directly.

pub mod bench;
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod conform;
pub mod editor;
pub mod engine;
pub mod examples;
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzz;
pub mod gallery;
#[cfg(not(target_arch = "wasm32"))]
pub mod hostile;
pub mod i18n;
pub mod json;
pub mod link;
pub mod python;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod live;
