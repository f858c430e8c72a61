//! The engine benchmark in the browser: the same workload and runs as
//! `asyncio-playground bench` (the median of five), timed with
//! performance.now() in headless Chromium. It prints figures; it asserts
//! only that the workload ran.
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
    let (runs, median) =
        asyncio_playground::bench::measure_runs(tasks, now).expect("the workload runs");
    for (i, f) in runs.iter().enumerate() {
        console_log!("wasm {}", f.run_line(i + 1));
    }
    console_log!("wasm bench tasks={} {}", tasks, median.line());
}
