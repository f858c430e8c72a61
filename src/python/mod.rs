//! The Python side: the exporter, which writes a program as idiomatic
//! asyncio Python, and (natively) the tracer, CPython's own picture of
//! the loop at every iteration, with what drives it.

#[cfg(not(target_arch = "wasm32"))]
pub mod cpython;
mod export;
pub mod paste;
pub mod picture;
pub mod trace;

pub use export::*;
