//! The playground's benchmark workload (`asyncio-playground bench`) on
//! tokio's current-thread runtime with paused time, the baseline issue 3
//! names: N tasks; task i sleeps d = ((i*7919) % 1000) ms, then d/2, then
//! 0, and returns i; all awaited by the main task. A warm-up, then five
//! runs; the last line is the median run's, in the engine benchmark's form.
//!
//! `asyncio.sleep(0)` gives up the loop for one iteration; tokio's
//! `sleep(Duration::ZERO)` with paused time returns at once, without
//! yielding, so a zero sleep is `yield_now`, which does yield.
//!
//! With `--trace`, each task also records what the engine's trace records
//! for it: created; each poll begun; each timer armed, due and its future
//! done; suspended or yielded; finished and its future done: sixteen
//! events of 16 bytes for most tasks, as the engine records, in a table
//! sized ahead as the engine's is.
//!
//!     tokio-reference [TASKS] [--trace]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

#[path = "../../runs.rs"]
mod runs;

/// One trace event: what happened, to which task.
#[derive(Clone, Copy)]
#[allow(dead_code)] // recorded, never read: the cost of keeping them is the point
enum Event {
    Created(u64),
    Running(u64),
    TimerArmed(u64),
    TimerDue(u64),
    FutureDone(u64),
    Suspended(u64),
    Finished(u64),
}

thread_local! {
    static TRACE: RefCell<Vec<Event>> = const { RefCell::new(Vec::new()) };
}

/// Records `event` in a run that keeps a trace (`TRACED`). The choice is
/// made at compile time, so a run without one pays nothing for it.
fn record<const TRACED: bool>(event: Event) {
    if TRACED {
        TRACE.with(|trace| trace.borrow_mut().push(event));
    }
}

/// A task's future, recording each poll as the engine's `__step` does.
struct Traced<const TRACED: bool, F> {
    task: u64,
    work: F,
}

impl<const TRACED: bool, F: Future> Future for Traced<TRACED, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let task = self.task;
        record::<TRACED>(Event::Running(task));
        // SAFETY: `work` is structurally pinned: it is never moved out of a
        // pinned `Traced`, which has no `Drop` and is not `Unpin` unless
        // `work` is.
        let poll = unsafe { self.map_unchecked_mut(|t| &mut t.work) }.poll(cx);
        match poll {
            Poll::Pending => record::<TRACED>(Event::Suspended(task)),
            Poll::Ready(_) => {
                record::<TRACED>(Event::Finished(task));
                record::<TRACED>(Event::FutureDone(task));
            }
        }
        poll
    }
}

/// `asyncio.sleep(seconds)`: a timer, or for no time a bare yield.
async fn sleep<const TRACED: bool>(task: u64, seconds: f64) {
    if seconds <= 0.0 {
        return tokio::task::yield_now().await;
    }
    record::<TRACED>(Event::TimerArmed(task));
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    record::<TRACED>(Event::TimerDue(task));
    record::<TRACED>(Event::FutureDone(task));
}

fn delay(i: u64) -> f64 {
    ((i * 7919) % 1000) as f64 / 1000.0
}

async fn work<const TRACED: bool>(i: u64) -> u64 {
    let d = delay(i);
    sleep::<TRACED>(i, d).await;
    sleep::<TRACED>(i, d / 2.0).await;
    sleep::<TRACED>(i, 0.0).await;
    i
}

/// The events `--trace` records for `tasks` tasks: sixteen a task, less
/// the three of each timer a zero sleep does not arm.
fn expected_events(tasks: u64) -> u64 {
    (0..tasks)
        .map(|i| if delay(i) > 0.0 { 16 } else { 10 })
        .sum()
}

/// Seconds one run of `tasks` tasks takes, after checking its results.
fn run<const TRACED: bool>(tasks: u64) -> f64 {
    let start = Instant::now();
    if TRACED {
        TRACE.with(|t| *t.borrow_mut() = Vec::with_capacity(17 * tasks as usize));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime");
    let sum = runtime.block_on(async move {
        let handles: Vec<_> = (0..tasks)
            .map(|task| {
                record::<TRACED>(Event::Created(task));
                tokio::spawn(Traced::<TRACED, _> {
                    task,
                    work: work::<TRACED>(task),
                })
            })
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("a task that returns");
        }
        sum
    });
    drop(runtime);
    let seconds = start.elapsed().as_secs_f64();
    let events = TRACE.with(|t| std::mem::take(&mut *t.borrow_mut()).len());
    assert_eq!(
        sum,
        tasks * (tasks - 1) / 2,
        "every task returned its number"
    );
    assert_eq!(
        events as u64,
        if TRACED { expected_events(tasks) } else { 0 },
        "each task recorded its events"
    );
    seconds
}

fn main() {
    let mut tasks: usize = 100_000;
    let mut trace = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--trace" => trace = true,
            n => tasks = n.parse().expect("the number of tasks, or --trace"),
        }
    }
    let run = if trace { run::<true> } else { run::<false> };
    runs::report(tasks, |n| run(n as u64));
}
