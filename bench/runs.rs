//! How the yardsticks run their workload and report it, in the form
//! `asyncio-playground bench` prints and `scripts/bench` reads. The
//! tokio program and the floor each include this file (`#[path]`): they
//! are crates of their own, free of the engine and of each other's
//! dependencies, but their figures are read one way.

/// How many times the workload runs; the figure is the median run's.
const RUNS: usize = 5;

/// Runs `run` once on a thousand tasks at most, to warm up, then
/// [`RUNS`] times on `tasks`; prints each run's line, then the median
/// run's `tasks_per_s`. `run` returns the seconds a run took.
pub fn report(tasks: usize, run: impl Fn(usize) -> f64) {
    run(tasks.min(1_000));
    let mut seconds: Vec<f64> = (0..RUNS).map(|_| run(tasks)).collect();
    for (i, s) in seconds.iter().enumerate() {
        println!(
            "run {}: seconds={s:.3} tasks_per_s={}",
            i + 1,
            (tasks as f64 / s) as u64
        );
    }
    seconds.sort_by(f64::total_cmp);
    println!("tasks_per_s={}", (tasks as f64 / seconds[RUNS / 2]) as u64);
}
