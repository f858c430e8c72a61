//! A second event loop, in a thread of its own: what tutorials call "a
//! loop in another thread". The program starts it before `asyncio.run`:
//!
//! ```python
//! side_loop = asyncio.new_event_loop()
//! side_thread = threading.Thread(target=side_loop.run_forever, daemon=True)
//! side_thread.start()
//! ```
//!
//! Coroutines of the main loop hand it work with
//! `asyncio.run_coroutine_threadsafe(coro(), side_loop)`, awaited through
//! `asyncio.wrap_future`, and with `side_loop.call_soon_threadsafe(cb)`;
//! after `asyncio.run` returns the program stops it and joins its thread.
//!
//! The side loop is the same kind of loop as the main one, so it shares
//! the main loop's code: tasks, futures, timers and the trace live in one
//! `Loop`, and while the side loop runs, its queues (ready queue, timer
//! heap, iteration count, stop flag) are swapped in for the main loop's.
//! Its thread is scheduled like the executor's threads (`threads.rs`):
//! each turn is the rest of one `_run_once` after `select` returned, then
//! the next `select`, where the thread waits until its next timer or until
//! a `call_soon_threadsafe` wakes it.
//!
//! The chain between the loops follows `futures._chain_future` twice: the
//! side task into the concurrent future (`run_coroutine_threadsafe`), and
//! the concurrent future into the main loop's future (`wrap_future`), with
//! cancellation travelling back the same way.

use super::ready::ReadyQueue;

use super::core::{
    live_timers, Callback, FutKind, Loop, Outcome, Ready, ReadyFrom, Runtime, Timer, Yielded,
};
use super::ids::{FutId, TaskId};
use super::program::CoroId;
use super::trace::Event;
use super::value::PyExc;

/// A loop's own queues: the ones swapped between the two loops.
#[derive(Default)]
struct Queues {
    ready: ReadyQueue,
    timers: Vec<Timer>,
    timer_cancelled_count: usize,
    iteration: u32,
    stopping: bool,
}

/// The side loop's queues as the views read them.
pub struct SideQueues<'a> {
    pub ready: &'a ReadyQueue,
    /// Armed timers, earliest first.
    pub timers: Vec<(f64, Callback)>,
    pub iteration: u32,
}

/// A `concurrent.futures.Future`'s state, as far as the chain needs it
/// (it is never set running before it is set done).
#[derive(Clone, Debug, PartialEq)]
pub enum Concurrent {
    Pending,
    Cancelled,
    Done(Outcome),
}

/// One `run_coroutine_threadsafe(coro(), side_loop)`, wrapped for the
/// main loop.
#[derive(Clone, Debug)]
pub struct SideRun {
    pub coro: CoroId,
    /// The side loop's task, once its `callback` ran.
    pub task: Option<TaskId>,
    pub concurrent: Concurrent,
    /// `wrap_future`'s future, which the main loop's task awaits.
    pub wrapper: FutId,
    /// The task's chain registered its `_call_check_cancel` on the
    /// concurrent future.
    watched: bool,
}

/// Where the side loop's thread is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thread {
    /// Started, not yet in `run_forever`'s first `select`.
    Starting,
    /// In `select`; `woken` once a `call_soon_threadsafe` ended the wait.
    Selecting { woken: bool },
    /// Running an iteration.
    Running,
    /// In `time.sleep` inside a task's step, until `SideLoop::hold_until`.
    Holding,
    /// `run_forever` returned: the loop was stopped.
    Ended,
}

pub struct SideLoop {
    /// The queues of the loop that is not running.
    parked: Queues,
    pub thread: Thread,
    pub runs: Vec<SideRun>,
    /// The task whose step is held in `time.sleep`, until when, and the
    /// callbacks of the iteration still to run after it.
    pub held: Option<TaskId>,
    pub hold_until: f64,
    remaining: usize,
}

impl SideLoop {
    /// Queues a callback on the loop that is not running (the other
    /// thread's `call_soon_threadsafe`).
    fn park_ready(&mut self, callback: Callback) {
        self.parked.ready.push_back(Ready {
            callback,
            from: ReadyFrom::CallSoon,
        });
    }
}

/// What the main loop's task was doing when a side turn began inside its
/// step (its `time.sleep`).
struct Interrupted {
    current: Option<TaskId>,
    thrown: Option<PyExc>,
    yielded: Yielded,
    step: usize,
}

impl Loop {
    /// `side_loop = asyncio.new_event_loop()` and its thread's `start()`,
    /// before `asyncio.run`.
    pub fn start_side_loop(&mut self) {
        self.side = Some(Box::new(SideLoop {
            parked: Queues::default(),
            thread: Thread::Starting,
            runs: Vec::new(),
            held: None,
            hold_until: 0.0,
            remaining: 0,
        }));
        self.threads.park_side_loop(self.now);
    }

    fn side_mut(&mut self) -> &mut SideLoop {
        self.side
            .as_deref_mut()
            .expect("validation gives a program that uses a side loop one")
    }

    /// Exchanges the running loop's queues with the parked ones.
    fn swap_queues(&mut self) {
        let Some(side) = self.side.as_deref_mut() else {
            return;
        };
        let q = &mut side.parked;
        std::mem::swap(&mut self.ready, &mut q.ready);
        std::mem::swap(&mut self.timers, &mut q.timers);
        std::mem::swap(
            &mut self.timer_cancelled_count,
            &mut q.timer_cancelled_count,
        );
        std::mem::swap(&mut self.iteration, &mut q.iteration);
        std::mem::swap(&mut self.stopping, &mut q.stopping);
        self.on_side = !self.on_side;
    }

    /// `side_loop.call_soon_threadsafe(callback)`: queued on the side
    /// loop, whose `_write_to_self` ends its `select`.
    pub fn call_soon_threadsafe_side(&mut self, callback: Callback) {
        if self.on_side {
            self.call_soon(callback, None);
            return;
        }
        let now = self.now;
        let side = self.side_mut();
        side.park_ready(callback);
        if side.thread == (Thread::Selecting { woken: false }) {
            side.thread = Thread::Selecting { woken: true };
            self.threads.wake_side_loop(now);
        }
    }

    /// The main loop's `call_soon_threadsafe(callback)`, from the side
    /// loop's thread or the main thread.
    fn call_soon_threadsafe_main(&mut self, callback: Callback) {
        if !self.on_side {
            self.call_soon(callback, None);
            return;
        }
        self.side_mut().park_ready(callback);
        self.main_woken = true;
    }

    /// `asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro(), side_loop))`:
    /// the future a main-loop task awaits.
    pub fn run_coroutine_threadsafe(&mut self, coro: CoroId) -> FutId {
        let run = self.side_mut().runs.len() as u32;
        self.trace.push(Event::SideSubmitted(run));
        self.call_soon_threadsafe_side(Callback::SideSubmit(run));
        let wrapper = self.create_future(FutKind::SideLoop(run));
        self.side_mut().runs.push(SideRun {
            coro,
            task: None,
            concurrent: Concurrent::Pending,
            wrapper,
            watched: false,
        });
        // `_chain_future(concurrent, wrapper)`: the wrapper's
        // `_call_check_cancel`; the concurrent future's `_call_set_state`
        // is the first of its callbacks (`concurrent_done`).
        self.add_done_callback(wrapper, Callback::WrapCheckCancel(run));
        wrapper
    }

    fn side_run(&mut self, run: u32) -> &mut SideRun {
        &mut self.side_mut().runs[run as usize]
    }

    /// The concurrent future of `run` is done: its callbacks run at once,
    /// in this thread, in the order they were added.
    fn concurrent_done(&mut self, run: u32) {
        // `wrap_future`'s `_call_set_state`, added first.
        if !self.main_closed {
            self.call_soon_threadsafe_main(Callback::WrapSetState(run));
        }
        // The task's `_call_check_cancel`, once the side loop made it.
        let r = self.side_run(run);
        if r.watched && r.concurrent == Concurrent::Cancelled {
            self.call_soon_threadsafe_side(Callback::SideCancelTask(run));
        }
    }

    /// `concurrent.cancel()`: a pending one is cancelled.
    fn cancel_concurrent(&mut self, run: u32) {
        let r = self.side_run(run);
        if r.concurrent == Concurrent::Pending {
            r.concurrent = Concurrent::Cancelled;
            self.concurrent_done(run);
        }
    }

    /// The callbacks of `Callback::Side*` and `Callback::Wrap*`.
    pub fn run_side_callback(&mut self, callback: Callback) {
        match callback {
            Callback::SideSubmit(run) => {
                // `ensure_future(coro, loop=side_loop)`, then
                // `_chain_future(task, concurrent)`.
                // An unnamed task, which no name of the program refers to.
                let coro = self.side_run(run).coro;
                let program = self.scenario.program.clone();
                let body = super::interp::coroutine(program, coro);
                let task = self.create_task(body, None, Some(coro));
                let r = self.side_run(run);
                r.task = Some(task);
                // Its `_call_check_cancel` runs at once on a cancelled one.
                r.watched = r.concurrent != Concurrent::Cancelled;
                if !r.watched {
                    self.call_soon_threadsafe_side(Callback::SideCancelTask(run));
                }
                let fut = self.task(task).fut;
                self.add_done_callback(fut, Callback::SideSetConcurrent(run));
            }
            Callback::SideCancelTask(run) => {
                if let Some(task) = self.side_run(run).task {
                    let fut = self.task(task).fut;
                    self.cancel_in_callback(fut);
                }
            }
            Callback::SideSetConcurrent(run) => {
                // `_set_concurrent_future_state(concurrent, task)`.
                let Some(task) = self.side_run(run).task else {
                    return;
                };
                let outcome = self.fut(self.task(task).fut).outcome.clone();
                if let Some(Outcome::Cancelled(_)) = outcome {
                    self.cancel_concurrent(run);
                }
                // `set_running_or_notify_cancel()` is false once cancelled.
                let r = self.side_run(run);
                if r.concurrent != Concurrent::Pending {
                    return;
                }
                if let Some(outcome) = outcome {
                    r.concurrent = Concurrent::Done(outcome);
                    self.concurrent_done(run);
                }
            }
            Callback::WrapCheckCancel(run) => {
                let wrapper = self.side_run(run).wrapper;
                if self.is_cancelled(wrapper) {
                    self.cancel_concurrent(run);
                }
            }
            Callback::WrapSetState(run) => {
                // `_copy_future_state(concurrent, wrapper)`.
                let r = self.side_run(run);
                let wrapper = r.wrapper;
                let outcome = match r.concurrent.clone() {
                    Concurrent::Pending => return,
                    Concurrent::Cancelled => Outcome::Cancelled(None),
                    Concurrent::Done(outcome) => outcome,
                };
                if !self.is_cancelled(wrapper) {
                    self.complete(wrapper, outcome);
                }
            }
            Callback::StopSideLoop => self.stopping = true,
            _ => {}
        }
    }

    /// `time.sleep(seconds)` in the side loop's running task: the thread
    /// will hold until then. Returns false outside a task.
    pub fn hold_side_thread(&mut self, seconds: f64) -> bool {
        let Some(task) = self.current else {
            return false;
        };
        self.trace.push(Event::Blocked(task));
        let until = self.now + seconds;
        self.side_mut().hold_until = until;
        self.yielded = Yielded::Held;
        true
    }

    /// The held task's step ended, pending: it goes on when the thread
    /// is due (`Runtime::side_loop_turn`).
    pub(super) fn hold_task(&mut self, task: TaskId) {
        self.side_mut().held = Some(task);
    }

    /// Begins a side loop turn: its queues in, the interrupted task's
    /// state saved.
    fn enter_side_loop(&mut self) -> Interrupted {
        self.swap_queues();
        self.side_mut().thread = Thread::Running;
        Interrupted {
            current: self.current.take(),
            thrown: self.thrown.take(),
            yielded: std::mem::replace(&mut self.yielded, Yielded::Nothing),
            step: super::core::current_step(),
        }
    }

    /// Ends a side loop turn: `run_forever` ends the thread if the loop
    /// was stopped, else the next `_run_once` goes into `select`. Returns
    /// whether the turn woke the main loop.
    fn leave_side_loop(&mut self, interrupted: Interrupted, remaining: usize) -> bool {
        if self.side_mut().held.is_some() {
            // Held in `time.sleep`: the iteration goes on when it ends.
            let side = self.side_mut();
            side.thread = Thread::Holding;
            side.remaining = remaining;
            let until = side.hold_until;
            self.threads.park_side_loop(until);
        } else if self.stopping {
            self.stopping = false;
            self.side_mut().thread = Thread::Ended;
        } else {
            let wake = self
                .select_timeout()
                .map_or(f64::INFINITY, |timeout| self.now + timeout);
            self.side_mut().thread = Thread::Selecting { woken: false };
            self.threads.park_side_loop(wake);
        }
        self.swap_queues();
        self.current = interrupted.current;
        self.thrown = interrupted.thrown;
        self.yielded = interrupted.yielded;
        super::core::set_current_step(interrupted.step);
        std::mem::take(&mut self.main_woken)
    }

    /// The task a future stands for, for the await tree and the
    /// timeline: a task's own, or the side loop's task that a
    /// `run_coroutine_threadsafe` future follows (once the side loop has
    /// made it).
    pub fn task_behind(&self, fut: FutId) -> Option<TaskId> {
        match self.fut(fut).kind {
            FutKind::Task(task) => Some(task),
            FutKind::SideLoop(run) => self.side.as_deref()?.runs.get(run as usize)?.task,
            _ => None,
        }
    }

    /// After `asyncio.run`: `side_loop.call_soon_threadsafe(side_loop.stop)`.
    pub fn stop_side_loop(&mut self) {
        if self.side.is_some() {
            self.call_soon_threadsafe_side(Callback::StopSideLoop);
        }
    }

    /// What the side loop holds, for the views.
    pub fn side_queues(&self) -> Option<SideQueues<'_>> {
        let side = self.side.as_deref()?;
        // The views look while the main loop runs, so the side loop's
        // queues are the parked ones.
        let q = &side.parked;
        Some(SideQueues {
            ready: &q.ready,
            timers: live_timers(&q.timers, &self.handles),
            iteration: q.iteration,
        })
    }
}

impl Runtime {
    /// One turn of the side loop's thread: the rest of `_run_once` after
    /// `select` returned (the first turn, `run_forever`'s start, has none),
    /// then the next `select`. Returns whether it woke the main loop.
    pub fn side_loop_turn(&self) -> bool {
        let (interrupted, was) = self.with(|l| {
            let was = l.side.as_deref().map(|s| s.thread);
            (l.enter_side_loop(), was)
        });
        let mut left = match was {
            Some(Thread::Starting) => 0,
            Some(Thread::Holding) => self.resume_held(),
            _ => self.with(|l| l.take_due_timers()),
        };
        while left > 0 && self.with(|l| l.side.as_deref().is_some_and(|s| s.held.is_none())) {
            left -= 1;
            self.run_ready_batch(1);
        }
        self.with(|l| l.leave_side_loop(interrupted, left))
    }

    /// The held task's step goes on after its `time.sleep`. Returns the
    /// callbacks of the iteration still to run.
    fn resume_held(&self) -> usize {
        let held = self.with(|l| {
            let side = l.side.as_deref_mut()?;
            let task = side.held.take()?;
            let remaining = side.remaining;
            l.current = Some(task);
            l.trace.push(Event::Unblocked(task));
            let coro = l.tasks[task.index()].take_coro()?;
            Some((task, coro, remaining))
        });
        let Some((task, coro, remaining)) = held else {
            return 0;
        };
        // The same step goes on with the loop released, as a compound
        // step does after `Loop::step` hands it back.
        self.finish_step_released(task, coro);
        remaining
    }

    /// `side_thread.join()` after the stop: the threads run until the
    /// side loop's has ended (no other is left by then).
    pub fn join_side_loop(&self) {
        self.run_threads(None, false);
    }
}
