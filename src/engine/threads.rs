//! Threads on the virtual clock: the default executor that
//! `loop.run_in_executor(None, job)` hands blocking jobs to, and the way
//! those threads reach back into the loop (`call_soon_threadsafe`).
//!
//! Real threads race; these follow one rule, which the CPython harness
//! (`src/python/tracer.py`) enforces too, so the playground and CPython
//! agree line for line:
//!
//! - Threads run only while the loop thread waits: in `select` (between
//!   iterations) or in a blocking `time.sleep` inside a task.
//! - A thread runs until it sleeps or ends; `time.sleep(s)` in a thread
//!   blocks that thread alone until `now + s`.
//! - Whenever the loop thread waits until time `t`, every thread due at or
//!   before `t` runs first, earliest first, and at equal times in the order
//!   they began to wait. A thread that calls `call_soon_threadsafe` (which a
//!   finished job does, to hand its result back) wakes a waiting `select`:
//!   the loop goes on at that moment, once the threads due then have run.
//! - The default executor has 5 workers (what CPython 3.11 picks on a
//!   one-CPU machine: `min(32, os.cpu_count() + 4)`); more jobs wait in a
//!   queue, first in, first out.
//!
//! The asyncio side follows `futures.wrap_future` and `_chain_future`:
//! the future a task awaits is a plain future; cancelling it cancels a job
//! still queued (a running one runs to its end, and its result is dropped).

use std::collections::VecDeque;

use super::core::{Callback, FutKind, Loop, Outcome, Runtime};
use super::ids::FutId;
use super::program::{JobId, Step};
use super::trace::{Event, Seconds};
use super::value::{PyExc, Value};

/// `ThreadPoolExecutor`'s `max_workers` with one CPU.
pub const MAX_WORKERS: usize = 5;

/// Where a job is, as the views show it.
#[derive(Clone, Debug, PartialEq)]
pub enum JobState {
    /// Waiting for a free worker.
    Queued,
    /// On a worker thread; `until` is when it wakes, if it is sleeping.
    Running { until: Option<f64> },
    /// Its function returned or raised.
    Finished(Outcome),
    /// Cancelled while still queued: it never ran.
    Cancelled,
}

/// One `run_in_executor` call.
#[derive(Clone, Debug)]
pub struct JobRun {
    pub job: JobId,
    /// The asyncio future the loop's side awaits.
    pub future: FutId,
    pub state: JobState,
}

/// What a thread is doing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Work {
    /// A new worker that has not taken a job yet.
    Idle,
    /// Running job run `run`, at step `next` of its body.
    Job { run: u32, next: u32 },
    /// The thread `shutdown_default_executor` starts: it waits until the
    /// workers are gone, then sets `future`'s result.
    Shutdown { future: FutId },
    /// The side loop's thread (`side_loop.run_forever()`, see `side.rs`),
    /// in `select` until it is due or woken.
    SideLoop,
}

#[derive(Clone, Copy, Debug)]
struct Thread {
    work: Work,
    /// When it may run next, and the order it began to wait in.
    wake: f64,
    seq: u64,
}

/// The default executor and the threads around it.
#[derive(Default)]
pub struct Threads {
    /// Every `run_in_executor` call, in order.
    pub runs: Vec<JobRun>,
    /// Whether the loop made its default executor (the first
    /// `run_in_executor` does); `asyncio.run` then shuts it down at the end.
    pub executor_made: bool,
    queue: VecDeque<u32>,
    threads: Vec<Thread>,
    /// Workers alive (started and not yet out of work).
    workers: usize,
    /// The shutdown thread, while it waits for the workers to finish.
    shutdown_waiting: Option<FutId>,
    seq: u64,
}

impl Threads {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A thread begins to wait until `wake` (infinity: until woken); it
    /// is due then, after the threads that began to wait before it.
    fn wait_until(&mut self, work: Work, wake: f64) {
        let seq = self.next_seq();
        self.threads.push(Thread { work, wake, seq });
    }

    /// Whether there is any thread besides the loop's.
    pub fn any(&self) -> bool {
        !self.threads.is_empty()
    }

    /// Whether any thread could still run (the loop is not deadlocked
    /// while one can). A side loop waiting for work cannot.
    pub fn any_alive(&self) -> bool {
        self.next_wake().is_some()
    }

    /// The earliest time a thread is due, for drivers that wait.
    pub fn next_wake(&self) -> Option<f64> {
        self.threads
            .iter()
            .map(|t| t.wake)
            .filter(|w| w.is_finite())
            .min_by(f64::total_cmp)
    }

    /// The side loop's thread goes into `select` until `wake` (infinity:
    /// until woken).
    pub fn park_side_loop(&mut self, wake: f64) {
        self.wait_until(Work::SideLoop, wake);
    }

    /// The side loop's `_write_to_self`: its thread, waiting in `select`,
    /// is due now, after the threads already due now.
    pub fn wake_side_loop(&mut self, now: f64) {
        let seq = self.next_seq();
        if let Some(t) = self.threads.iter_mut().find(|t| t.work == Work::SideLoop) {
            t.wake = now;
            t.seq = seq;
        }
    }

    /// When the side loop's thread is due, if it is waiting.
    pub fn side_loop_wake(&self) -> Option<f64> {
        self.threads
            .iter()
            .find(|t| t.work == Work::SideLoop)
            .map(|t| t.wake)
    }
}

impl Loop {
    /// `loop.run_in_executor(None, job)`: submits the job and returns the
    /// asyncio future that follows it.
    pub fn run_in_executor(&mut self, job: JobId) -> FutId {
        let run = self.threads.runs.len() as u32;
        let future = self.create_future(FutKind::Executor(run));
        // `_chain_future` registers `_call_check_cancel` first.
        self.add_done_callback(future, Callback::ExecutorCheckCancel(run));
        self.threads.executor_made = true;
        self.threads.runs.push(JobRun {
            job,
            future,
            state: JobState::Queued,
        });
        self.threads.queue.push_back(run);
        self.trace.push(Event::JobSubmitted(run));
        // `_adjust_thread_count`: a new worker while there are fewer than
        // the maximum; it takes the queue's first job when it runs.
        if self.threads.workers < MAX_WORKERS {
            self.threads.workers += 1;
            self.threads.wait_until(Work::Idle, self.now);
        }
        future
    }

    /// `_call_check_cancel`: the awaited future was cancelled, so the job
    /// is cancelled too if it has not started (`concurrent.futures`'s
    /// `cancel()`), which hands the cancellation back with
    /// `call_soon_threadsafe(_set_state)`.
    pub fn executor_check_cancel(&mut self, run: u32) {
        let r = &self.threads.runs[run as usize];
        if !self.is_cancelled(r.future) || r.state != JobState::Queued {
            return;
        }
        self.threads.runs[run as usize].state = JobState::Cancelled;
        self.threads.queue.retain(|q| *q != run);
        self.call_soon(Callback::ExecutorSetState(run), None);
    }

    /// `_set_state` -> `_copy_future_state(job, future)`, in the loop: the
    /// future ends as the job did, unless it was cancelled meanwhile.
    pub fn executor_set_state(&mut self, run: u32) {
        let r = &self.threads.runs[run as usize];
        let future = r.future;
        if self.is_cancelled(future) {
            return;
        }
        let outcome = match &r.state {
            JobState::Finished(outcome) => outcome.clone(),
            JobState::Cancelled => Outcome::Cancelled(None),
            JobState::Queued | JobState::Running { .. } => return,
        };
        self.complete(future, outcome);
    }

    /// `shutdown_default_executor()`'s thread: started now, it sets
    /// `future`'s result once no worker is left.
    pub fn start_shutdown_thread(&mut self, future: FutId) {
        self.threads.wait_until(Work::Shutdown { future }, self.now);
    }

    /// Takes the next thread due by `limit` (`None`: any) off the list
    /// and moves the clock to its time.
    fn next_thread(&mut self, limit: Option<f64>) -> Option<Work> {
        let next = self
            .threads
            .threads
            .iter()
            .enumerate()
            .filter(|(_, t)| t.wake.is_finite() && limit.is_none_or(|l| t.wake <= l))
            .min_by(|(_, a), (_, b)| a.wake.total_cmp(&b.wake).then(a.seq.cmp(&b.seq)))
            .map(|(i, _)| i)?;
        let thread = self.threads.threads.remove(next);
        self.clock_forward_to(thread.wake);
        Some(thread.work)
    }

    /// Runs a thread until it sleeps or ends. Returns whether it called
    /// `call_soon_threadsafe`.
    fn run_thread(&mut self, mut work: Work) -> bool {
        let mut woke_loop = false;
        loop {
            match work {
                Work::Idle => {
                    // `_worker`: the next job, skipping cancelled ones.
                    match self.threads.queue.pop_front() {
                        Some(run) => {
                            self.threads.runs[run as usize].state =
                                JobState::Running { until: None };
                            self.trace.push(Event::JobStarted(run));
                            work = Work::Job { run, next: 0 };
                        }
                        None => {
                            self.threads.workers -= 1;
                            if self.threads.workers == 0 {
                                if let Some(future) = self.threads.shutdown_waiting.take() {
                                    self.start_shutdown_thread(future);
                                }
                            }
                            return woke_loop;
                        }
                    }
                }
                Work::Job { run, next } => {
                    let job = self.threads.runs[run as usize].job;
                    let program = self.scenario.program.clone();
                    let body = &program.jobs[job as usize].body;
                    let ended = match body.get(next as usize) {
                        None => Some(Ok(Value::None)),
                        Some(step) => {
                            work = Work::Job {
                                run,
                                next: next + 1,
                            };
                            match self.thread_step(step) {
                                ThreadStep::Next => None,
                                ThreadStep::WokeLoop => {
                                    woke_loop = true;
                                    None
                                }
                                ThreadStep::Sleep(seconds) => {
                                    let wake = self.now + seconds;
                                    self.threads.runs[run as usize].state =
                                        JobState::Running { until: Some(wake) };
                                    self.threads.wait_until(work, wake);
                                    return woke_loop;
                                }
                                ThreadStep::End(result) => Some(result),
                            }
                        }
                    };
                    if let Some(result) = ended {
                        // The job's future is done; its done-callback
                        // (`_call_set_state`) hands the result to the loop.
                        self.threads.runs[run as usize].state = JobState::Finished(match result {
                            Ok(v) => Outcome::Returned(v),
                            Err(e) => Outcome::Raised(e),
                        });
                        self.trace.push(Event::JobFinished(run));
                        self.call_soon(Callback::ExecutorSetState(run), None);
                        woke_loop = true;
                        work = Work::Idle;
                    }
                }
                Work::Shutdown { future } => {
                    if self.threads.workers > 0 {
                        self.threads.shutdown_waiting = Some(future);
                        return woke_loop;
                    }
                    self.call_soon(Callback::ReleaseWaiter(future), None);
                    return true;
                }
                // `Runtime::run_threads` runs the side loop's turns itself.
                Work::SideLoop => return woke_loop,
            }
        }
    }

    /// One step of a job's body, on its thread.
    fn thread_step(&mut self, step: &Step) -> ThreadStep {
        let current = self.current.take();
        let outcome = match step {
            Step::Block { seconds } => ThreadStep::Sleep(*seconds),
            Step::Print { args } => match super::interp::print_outside(self, args) {
                Ok(()) => ThreadStep::Next,
                Err(e) => ThreadStep::End(Err(e)),
            },
            Step::Return { value } => ThreadStep::End(super::interp::eval_outside(self, value)),
            Step::Raise { kind, message } => ThreadStep::End(Err(PyExc {
                kind: *kind,
                arg: message.as_deref().map(std::rc::Rc::from),
            })),
            Step::CallSoonThreadsafe { callback } => {
                self.call_soon(Callback::User(*callback), None);
                ThreadStep::WokeLoop
            }
            // Validation keeps every other step out of a job.
            _ => ThreadStep::Next,
        };
        self.current = current;
        outcome
    }
}

impl Runtime {
    /// The loop thread waits until `until` (`None`: until woken): threads
    /// due by then run first, in order. A waiting `select` is `wakeable`:
    /// a `call_soon_threadsafe` ends the wait at that moment. Returns
    /// whether it was woken. The clock is left at the last thread's time;
    /// the caller moves it on to the end of its wait.
    ///
    /// The side loop's turns step its tasks, so this runs outside the
    /// loop's borrow; it may run inside a main task's step (its
    /// `time.sleep`), which the side loop's turn saves and restores.
    pub fn run_threads(&self, until: Option<f64>, wakeable: bool) -> bool {
        let mut woken = false;
        loop {
            let next = self.with(|l| {
                if l.budget_spent() {
                    return None;
                }
                let limit = if woken { Some(l.now) } else { until };
                l.next_thread(limit)
            });
            let Some(work) = next else { break };
            let woke = match work {
                Work::SideLoop => self.side_loop_turn(),
                work => self.with(|l| l.run_thread(work)),
            };
            woken |= woke && wakeable;
        }
        woken
    }

    /// `time.sleep(seconds)` in the running task: the loop thread holds
    /// until then, while other threads go on.
    pub fn hold_loop_thread(&self, seconds: f64) {
        let until = self.with(|l| {
            if let Some(t) = l.current {
                l.trace.push(Event::Blocked(t));
            }
            l.now + seconds
        });
        self.run_threads(Some(until), false);
        self.with(|l| {
            l.now = until;
            l.trace.push(Event::Clock(Seconds::new(l.now)));
            l.check_clock();
            if let Some(t) = l.current {
                l.trace.push(Event::Unblocked(t));
            }
        });
    }
}

enum ThreadStep {
    Next,
    WokeLoop,
    Sleep(f64),
    End(Result<Value, PyExc>),
}
