//! The engine: CPython 3.11's asyncio event loop, modelled in Rust.
//!
//! Architecture Invariant: nothing here depends on the browser. The engine
//! takes time as a value from its caller and never reads a clock itself.

pub mod heap;
