//! The playground's benchmark workload (`asyncio-playground bench`) on
//! tokio's current-thread runtime with paused time, the baseline issue 3
//! names: N tasks; task i sleeps d = ((i*7919) % 1000) ms, then d/2, then
//! 0, and returns i; all awaited by the main task. A warm-up, then five
//! runs; the last line is the median run's, in the engine benchmark's form.

use std::time::{Duration, Instant};

const RUNS: usize = 5;

async fn work(i: u64) -> u64 {
    let d = ((i * 7919) % 1000) as f64 / 1000.0;
    tokio::time::sleep(Duration::from_secs_f64(d)).await;
    tokio::time::sleep(Duration::from_secs_f64(d / 2.0)).await;
    tokio::time::sleep(Duration::ZERO).await;
    i
}

/// Seconds one run of `tasks` tasks takes, after checking its results.
fn run(tasks: u64) -> f64 {
    let start = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime");
    let sum = runtime.block_on(async move {
        let handles: Vec<_> = (0..tasks).map(|i| tokio::spawn(work(i))).collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("a task that returns");
        }
        sum
    });
    drop(runtime);
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(
        sum,
        tasks * (tasks - 1) / 2,
        "every task returned its number"
    );
    seconds
}

fn main() {
    let tasks: u64 = match std::env::args().nth(1).as_deref() {
        None => 100_000,
        Some(n) => n.parse().expect("the number of tasks"),
    };
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
