//! The engine: CPython 3.11's asyncio event loop, modelled in Rust.
//!
//! Architecture Invariant: nothing here depends on the browser. The engine
//! takes time as a value from its caller and never reads a clock itself.
//!
//! Layers, bottom up: `heap` (CPython's heapq) and `value` (Python values
//! as data); `core` (the loop, futures, tasks); `aio` and `sync` (asyncio's
//! awaitables, combinators and primitives, written as `tasks.py` writes
//! them); `threads` (the executor's threads) and `side` (a second loop in
//! a thread of its own); `interp` (runs a `program` as a task's coroutine;
//! `program_json` is its text form); `sim` (what
//! `asyncio.run` does, and the drivers' controls); `trace` (the record);
//! `spare` (natively, a dropped loop's tables kept for the next).

pub mod aio;
pub mod budget;
pub mod core;
pub mod fasthash;
pub mod heap;
#[rustfmt::skip]
mod identifier_table;
pub mod ids;
pub mod interp;
pub mod program;
mod program_json;
pub mod pyrules;
pub mod ready;
pub mod side;
pub mod sim;
pub mod snapshot;
#[cfg(not(target_arch = "wasm32"))]
mod spare;
pub mod sync;
pub mod threads;
pub mod trace;
pub mod validate;
pub mod value;

pub use budget::{Budget, Limit, Stop};
pub use ids::{FutId, HandleId, TaskId};
pub use program::{
    Awaitable, CallbackFn, Coroutine, Expr, Handler, Job, Program, ReturnWhen, Step,
};
pub use sim::{Deadlock, Outside, Simulation, Status};
pub use validate::{validate, Location, Problem, Severity};
pub use value::{ExcKind, PyExc, Value};
