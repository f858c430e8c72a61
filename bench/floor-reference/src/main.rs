//! How fast could the engine run its benchmark? The standard workload (N
//! tasks; task i sleeps d = ((i*7919) % 1000) ms, then d/2, then 0, and
//! returns i; all gathered) run with the callbacks CPython's asyncio runs
//! for it, in the same order, on the smallest data model that does so:
//! `call_soon` and a ready queue run as a snapshot per iteration, a
//! `heapq` of timer handles, futures whose done-callbacks are scheduled
//! with `call_soon`, `Task.__step` and `__wakeup`, a sleep's
//! `_set_result_unless_cancelled` and its handle cancelled on wake-up,
//! gather's `_done_callback`, and the sixteen trace events a task records.
//!
//! It models this workload only: one coroutine shape, no exceptions, no
//! cancellation, no `Value`s, no run budget, coroutines as a step index
//! rather than Rust futures, and a program check that only looks at the
//! numbers. What it keeps from the engine is what makes a big run fast:
//! the tables are sized ahead and kept from one run to the next, and the
//! memory a callback touches is fetched ahead along the ready queue and
//! the heap's paths. The gap between this figure and the engine's is the
//! cost of the engine's generality; it is a floor to aim at, not a result.
//!
//!     floor-reference [TASKS]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Instant;

#[path = "../../runs.rs"]
mod runs;

#[derive(Clone, Copy, PartialEq)]
enum Callback {
    Step(u32),
    Wakeup(u32),
    SetResultUnlessCancelled(u32),
    GatherChildDone,
}

/// A ready callback: the future it receives, or the timer it came from.
#[derive(Clone, Copy)]
#[allow(dead_code)] // `arg` is what a done-callback receives; this workload never reads it
struct Ready {
    callback: Callback,
    arg: u32,
    handle: u32,
}

const NONE: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Timer {
    when: f64,
    handle: u32,
}

struct Handle {
    callback: Callback,
    cancelled: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Pending,
    Returned(i64),
    Cancelled,
}

/// A future's done-callbacks: nearly always one, kept inline, as the
/// engine keeps it (a `Vec` for each would be an allocation a future).
struct Future {
    outcome: Outcome,
    callback: Option<Callback>,
    more: Vec<Callback>,
}

#[derive(Clone, Copy)]
enum Step {
    Sleep(f64),
    Return(i64),
}

struct Task {
    fut: u32,
    first_step: u32,
    next: u32,
    /// The sleep it waits in: its future and timer handle.
    sleeping: Option<(u32, u32)>,
    yielded: bool,
}

#[derive(Clone, Copy)]
#[allow(dead_code)] // recorded, never read: the cost of keeping them is the point
enum Event {
    Iteration(u32),
    Clock(f64),
    TaskCreated(u32),
    TaskRunning(u32),
    TimerArmed(u32),
    TimerDue(u32),
    FutureDone(u32),
    TaskSuspended(u32, u32),
    TaskYielded(u32),
    TaskFinished(u32),
}

#[derive(Default)]
struct Loop {
    now: f64,
    iteration: u32,
    ready: VecDeque<Ready>,
    timers: Vec<Timer>,
    handles: Vec<Handle>,
    futures: Vec<Future>,
    tasks: Vec<Task>,
    steps: Vec<Step>,
    trace: Vec<Event>,
    gather_children: Vec<u32>,
    gather_left: usize,
    gather_results: Vec<i64>,
}

#[inline(always)]
fn prefetch<T>(address: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults, whatever the address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(address.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

/// `heapq.heappush`.
fn heap_push(heap: &mut Vec<Timer>, item: Timer) {
    heap.push(item);
    let pos = heap.len() - 1;
    sift_towards_root(heap, pos);
}

/// `heapq._siftdown` from the root.
fn sift_towards_root(heap: &mut [Timer], mut pos: usize) {
    let item = heap[pos];
    while pos > 0 {
        let parent = (pos - 1) >> 1;
        if item.when < heap[parent].when {
            heap[pos] = heap[parent];
            pos = parent;
        } else {
            break;
        }
    }
    heap[pos] = item;
}

/// `heapq.heappop`: the last item sinks from the root to a leaf along the
/// smaller children (the right one on ties), then rises.
fn heap_pop(heap: &mut Vec<Timer>) -> Option<Timer> {
    let last = heap.pop()?;
    if heap.is_empty() {
        return Some(last);
    }
    let top = std::mem::replace(&mut heap[0], last);
    let end = heap.len();
    let (mut pos, mut child) = (0, 1);
    while child + 1 < end {
        let ahead = heap.as_ptr().wrapping_add(4 * child + 3);
        prefetch(ahead);
        prefetch(ahead.wrapping_add(4));
        prefetch(ahead.wrapping_add(7));
        child += usize::from(heap[child].when >= heap[child + 1].when);
        heap[pos] = heap[child];
        pos = child;
        child = 2 * pos + 1;
    }
    if child < end {
        heap[pos] = heap[child];
        pos = child;
    }
    heap[pos] = last;
    sift_towards_root(heap, pos);
    Some(top)
}

impl Loop {
    fn call_soon(&mut self, callback: Callback, arg: u32) {
        self.ready.push_back(Ready {
            callback,
            arg,
            handle: NONE,
        });
    }

    fn create_future(&mut self) -> u32 {
        self.futures.push(Future {
            outcome: Outcome::Pending,
            callback: None,
            more: Vec::new(),
        });
        (self.futures.len() - 1) as u32
    }

    fn complete(&mut self, fut: u32, outcome: Outcome) {
        let slot = &mut self.futures[fut as usize];
        if slot.outcome != Outcome::Pending {
            return;
        }
        slot.outcome = outcome;
        let (first, more) = (slot.callback.take(), std::mem::take(&mut slot.more));
        self.trace.push(Event::FutureDone(fut));
        for callback in first.into_iter().chain(more) {
            self.call_soon(callback, fut);
        }
    }

    fn add_done_callback(&mut self, fut: u32, callback: Callback) {
        let slot = &mut self.futures[fut as usize];
        if slot.outcome != Outcome::Pending {
            self.call_soon(callback, fut);
        } else if slot.callback.is_none() {
            slot.callback = Some(callback);
        } else {
            slot.more.push(callback);
        }
    }

    fn create_task(&mut self, first_step: u32) -> u32 {
        let task = self.tasks.len() as u32;
        let fut = self.create_future();
        self.tasks.push(Task {
            fut,
            first_step,
            next: 0,
            sleeping: None,
            yielded: false,
        });
        self.trace.push(Event::TaskCreated(task));
        self.call_soon(Callback::Step(task), NONE);
        task
    }

    /// `Task.__step`: resumes the coroutine and runs it to its next await.
    fn step(&mut self, task: u32) {
        self.trace.push(Event::TaskRunning(task));
        let slot = &mut self.tasks[task as usize];
        if let Some((fut, handle)) = slot.sleeping.take() {
            // `sleep`'s `finally: h.cancel()` once its future is done.
            slot.next += 1;
            debug_assert!(self.futures[fut as usize].outcome != Outcome::Pending);
            self.handles[handle as usize].cancelled = true;
        } else if std::mem::take(&mut slot.yielded) {
            slot.next += 1;
        }
        let slot = &self.tasks[task as usize];
        match self.steps[(slot.first_step + slot.next) as usize] {
            Step::Sleep(delay) if delay <= 0.0 => {
                self.tasks[task as usize].yielded = true;
                self.trace.push(Event::TaskYielded(task));
                self.call_soon(Callback::Step(task), NONE);
            }
            Step::Sleep(delay) => {
                let fut = self.create_future();
                let handle = self.handles.len() as u32;
                self.handles.push(Handle {
                    callback: Callback::SetResultUnlessCancelled(fut),
                    cancelled: false,
                });
                heap_push(
                    &mut self.timers,
                    Timer {
                        when: self.now + delay,
                        handle,
                    },
                );
                self.trace.push(Event::TimerArmed(handle));
                self.tasks[task as usize].sleeping = Some((fut, handle));
                self.trace.push(Event::TaskSuspended(task, fut));
                self.add_done_callback(fut, Callback::Wakeup(task));
            }
            Step::Return(value) => {
                self.trace.push(Event::TaskFinished(task));
                let fut = self.tasks[task as usize].fut;
                self.complete(fut, Outcome::Returned(value));
            }
        }
    }

    /// Fetches what the callback `distance` places ahead will touch.
    fn prefetch_ahead(&self) {
        if let Some(far) = self.ready.get(7) {
            match far.callback {
                Callback::Step(t) | Callback::Wakeup(t) => {
                    prefetch(self.tasks.as_ptr().wrapping_add(t as usize))
                }
                Callback::SetResultUnlessCancelled(f) => {
                    prefetch(self.futures.as_ptr().wrapping_add(f as usize))
                }
                Callback::GatherChildDone => {}
            }
            if far.handle != NONE {
                prefetch(self.handles.as_ptr().wrapping_add(far.handle as usize));
            }
        }
        if let Some(near) = self.ready.get(3) {
            if let Callback::Step(t) | Callback::Wakeup(t) = near.callback {
                if let Some(task) = self.tasks.get(t as usize) {
                    prefetch(self.futures.as_ptr().wrapping_add(task.fut as usize));
                    if let Some((_, handle)) = task.sleeping {
                        prefetch(self.handles.as_ptr().wrapping_add(handle as usize));
                    }
                    let step = task.first_step + task.next;
                    prefetch(self.steps.as_ptr().wrapping_add(step as usize));
                }
            }
        }
    }

    /// `asyncio.run(main())` after main created and gathered the tasks.
    fn run_until_idle(&mut self) {
        loop {
            while let Some(first) = self.timers.first() {
                if !self.handles[first.handle as usize].cancelled {
                    break;
                }
                heap_pop(&mut self.timers);
            }
            if self.ready.is_empty() {
                match self.timers.first() {
                    Some(first) if first.when > self.now => {
                        self.now = first.when;
                        self.trace.push(Event::Clock(self.now));
                    }
                    Some(_) => {}
                    None => return,
                }
            }
            self.iteration += 1;
            self.trace.push(Event::Iteration(self.iteration));
            let end_time = self.now + 1e-9;
            while let Some(first) = self.timers.first() {
                if first.when >= end_time {
                    break;
                }
                for next in self.timers.get(1..7).unwrap_or_default() {
                    prefetch(self.handles.as_ptr().wrapping_add(next.handle as usize));
                }
                let timer = heap_pop(&mut self.timers).expect("a due timer");
                self.trace.push(Event::TimerDue(timer.handle));
                self.ready.push_back(Ready {
                    callback: self.handles[timer.handle as usize].callback,
                    arg: NONE,
                    handle: timer.handle,
                });
            }
            for _ in 0..self.ready.len() {
                let ready = self.ready.pop_front().expect("a ready callback");
                self.prefetch_ahead();
                if ready.handle != NONE && self.handles[ready.handle as usize].cancelled {
                    continue;
                }
                match ready.callback {
                    Callback::Step(task) | Callback::Wakeup(task) => self.step(task),
                    Callback::SetResultUnlessCancelled(fut) => {
                        if self.futures[fut as usize].outcome != Outcome::Cancelled {
                            self.complete(fut, Outcome::Returned(0));
                        }
                    }
                    Callback::GatherChildDone => {
                        self.gather_left -= 1;
                        if self.gather_left == 0 {
                            for &child in &self.gather_children {
                                if let Outcome::Returned(v) = self.futures[child as usize].outcome {
                                    self.gather_results.push(v);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

thread_local! {
    /// The last run's loop, whose tables the next run reuses.
    static SPARE: RefCell<Loop> = RefCell::new(Loop::default());
}

fn delay(i: usize) -> f64 {
    ((i * 7919) % 1000) as f64 / 1000.0
}

/// Seconds one run of `tasks` tasks takes, after checking its results.
fn run(tasks: usize) -> f64 {
    let steps: Vec<Step> = (0..tasks)
        .flat_map(|i| {
            let d = delay(i);
            [
                Step::Sleep(d),
                Step::Sleep(d / 2.0),
                Step::Sleep(0.0),
                Step::Return(i as i64),
            ]
        })
        .collect();
    let start = Instant::now();
    let valid = steps.iter().all(|step| match step {
        Step::Sleep(seconds) => seconds.is_finite() && *seconds >= 0.0,
        Step::Return(_) => true,
    });
    assert!(valid, "the workload's numbers are sleeps a loop can run");
    let mut lp = SPARE.with(|spare| std::mem::take(&mut *spare.borrow_mut()));
    lp.now = 0.0;
    lp.iteration = 0;
    lp.ready.clear();
    lp.timers.clear();
    lp.handles.clear();
    lp.futures.clear();
    lp.tasks.clear();
    lp.trace.clear();
    lp.gather_children.clear();
    lp.gather_results.clear();
    lp.ready.reserve(tasks + 16);
    lp.timers.reserve(tasks);
    lp.handles.reserve(2 * tasks);
    lp.futures.reserve(3 * tasks + 1);
    lp.tasks.reserve(tasks);
    lp.trace.reserve(17 * tasks);
    lp.steps = steps;
    lp.gather_left = tasks;
    for i in 0..tasks {
        let task = lp.create_task(4 * i as u32);
        let fut = lp.tasks[task as usize].fut;
        lp.gather_children.push(fut);
        lp.add_done_callback(fut, Callback::GatherChildDone);
    }
    lp.run_until_idle();
    let seconds = start.elapsed().as_secs_f64();
    let sum: i64 = lp.gather_results.iter().sum();
    assert_eq!(
        sum,
        (tasks * (tasks - 1) / 2) as i64,
        "every task returned its number"
    );
    let expected: usize = (0..tasks)
        .map(|i| if delay(i) > 0.0 { 16 } else { 10 })
        .sum();
    assert!(lp.trace.len() > expected, "each task recorded its events");
    SPARE.with(|spare| *spare.borrow_mut() = lp);
    seconds
}

fn main() {
    let tasks: usize = match std::env::args().nth(1) {
        Some(n) => n.parse().expect("the number of tasks"),
        None => 100_000,
    };
    runs::report(tasks, run);
}
