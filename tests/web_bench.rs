//! The engine benchmark in the browser: the same workload as
//! `asyncio-playground bench`, timed with performance.now() in headless
//! Chromium. It prints figures; it asserts only that the workload ran.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn bench_standard_workload_in_the_browser() {
    let performance = web_sys::window().unwrap().performance().unwrap();
    let now = || performance.now() / 1000.0;
    let tasks: usize = option_env!("BENCH_TASKS")
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let _ = asyncio_playground::bench::measure(1_000, now);
    let figures = asyncio_playground::bench::measure(tasks, now).expect("the workload runs");
    console_log!("wasm bench tasks={} {}", tasks, figures.line());
}
