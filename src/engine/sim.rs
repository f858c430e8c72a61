//! A scenario running under `asyncio.run(main())`, and the virtual driver's
//! controls: one iteration, the next visible event, or run to the end.
//!
//! `asyncio.run` is more than running `main`: when `main` finishes it
//! cancels the tasks still pending and waits for them, then runs two more
//! short `run_until_complete` calls (async generators and the default
//! executor). Cleanup code in leftover tasks runs then, so it is modelled.

use std::rc::Rc;

use super::budget::{Budget, Limit, Stop};
use super::core::{with_loop, Callback, FutKind, Loop, Outcome, Runtime};
use super::ids::{FutId, TaskId};
use super::interp::{self, Scenario};
use super::program::Program;
use super::sync::SyncState;
use super::trace::Event;
use super::validate::{check, Problem, Severity};
use super::value::PyExc;

/// Where `asyncio.run` is: which `run_until_complete` is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Main,
    CancelLeftovers,
    ShutdownAsyncgens,
    ShutdownExecutor,
    Closed,
}

/// Where outside `main` a program raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outside {
    /// `asyncio.run` itself, cancelling the tasks `main` left.
    AsyncioRun,
    /// A line after `asyncio.run` returned.
    AfterRun,
}

/// How a run ended, or that it has not.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Running,
    /// `asyncio.run` returned, or raised `main`'s exception.
    Finished,
    /// Nothing is ready and no timer is armed, yet tasks are pending: a real
    /// loop would wait forever.
    Deadlock(Deadlock),
    /// A budget ran out: which, and where.
    Stopped(Stop),
}

pub struct Simulation {
    rt: Runtime,
    phase: Phase,
    /// The future the current `run_until_complete` waits for.
    until: FutId,
    main: TaskId,
    /// Callbacks left to run in the iteration in progress.
    pending_in_iteration: usize,
    status: Status,
    /// What the program raised outside `main`, which ends it as it ends
    /// CPython's: `asyncio.run` itself (a RecursionError from cancelling
    /// the tasks left), or a line after it returned.
    raised_outside_main: Option<(PyExc, Outside)>,
}

impl Simulation {
    /// Prepares `asyncio.run(main())`, or returns the program's errors.
    pub fn new(program: Program) -> Result<Simulation, Vec<Problem>> {
        Simulation::with_budget(program, Budget::default())
    }

    pub fn with_budget(program: Program, budget: Budget) -> Result<Simulation, Vec<Problem>> {
        let checked = check(&program, &budget);
        let errors: Vec<Problem> = checked
            .problems
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let rt = Runtime::default();
        let program = Rc::new(program);
        rt.with(|l| {
            l.reserve_for(program.coroutines.len());
            l.callback_limit = budget.max_callbacks;
            l.meter.budget = budget;
            if checked.uses_side_loop {
                l.start_side_loop();
            }
        });
        let (main, until) = rt.enter(|| {
            rt.with(|l| {
                l.aio.sync = SyncState::new(
                    program.locks.len(),
                    &program.semaphores.iter().map(|s| s.1).collect::<Vec<_>>(),
                    program.events.len(),
                    &program.queues.iter().map(|q| q.1).collect::<Vec<_>>(),
                );
                let futures = (0..program.futures.len() as u32)
                    .map(|i| l.create_future(FutKind::User(i)))
                    .collect();
                l.scenario = Scenario {
                    task_of: vec![None; program.coroutines.len()],
                    futures,
                    program: program.clone(),
                    places: Default::default(),
                };
                let main = if program.coroutines.is_empty() {
                    // Nothing to run: a main that returns at once.
                    l.create_task(interp::empty_coroutine(program.clone()), None, None)
                } else {
                    interp::spawn(l, 0)
                };
                let until = l.task(main).fut;
                l.add_done_callback(until, Callback::StopLoop);
                (main, until)
            })
        });
        Ok(Simulation {
            rt,
            phase: Phase::Main,
            until,
            main,
            pending_in_iteration: 0,
            status: Status::Running,
            raised_outside_main: None,
        })
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn is_running(&self) -> bool {
        self.status == Status::Running
    }

    /// Read access to the loop's state for views and tests.
    pub fn with_loop<R>(&self, f: impl FnOnce(&Loop) -> R) -> R {
        self.rt.with(|l| f(l))
    }

    pub fn now(&self) -> f64 {
        self.rt.with(|l| l.now)
    }

    /// Whether the next iteration would have to wait for a timer (so a
    /// live driver sleeps until `next_deadline` before stepping).
    pub fn is_idle(&self) -> bool {
        self.pending_in_iteration == 0 && self.rt.with(|l| l.ready.is_empty() && !l.stopping)
    }

    /// When the loop next has something to do: its first timer, or a
    /// thread (an executor's, the side loop's) due before it.
    pub fn next_deadline(&self) -> Option<f64> {
        self.rt.with(|l| {
            [l.next_deadline(), l.threads.next_wake()]
                .into_iter()
                .flatten()
                .min_by(f64::total_cmp)
        })
    }

    /// How `main` ended, once it has.
    pub fn main_outcome(&self) -> Option<Outcome> {
        self.rt
            .with(|l| l.fut(l.task(self.main).fut).outcome.clone())
    }

    /// Runs at most `max_callbacks` callbacks, beginning a new iteration if
    /// none is in progress. Returns how many ran. The browser driver calls
    /// it in slices so it never holds the main thread for long.
    pub fn advance(&mut self, max_callbacks: usize) -> usize {
        if !self.is_running() {
            return 0;
        }
        if self.pending_in_iteration == 0 {
            match self.rt.enter(|| self.rt.begin_iteration()) {
                Some(n) => self.pending_in_iteration = n,
                None => {
                    self.status = match self.over_budget() {
                        Some(reason) => Status::Stopped(reason),
                        None => Status::Deadlock(self.rt.with(|l| deadlock_report(l))),
                    };
                    return 0;
                }
            }
        }
        // The iteration's callbacks were all queued when it began, so the
        // queue cannot run out before they have run.
        let ran = max_callbacks.min(self.pending_in_iteration);
        self.pending_in_iteration -= ran;
        self.rt.enter(|| self.rt.run_ready_batch(ran));
        if let Some(reason) = self.over_budget() {
            self.status = Status::Stopped(reason);
            return ran;
        }
        if self.pending_in_iteration == 0 && self.rt.with(|l| l.stopping) {
            self.next_phase();
        }
        ran
    }

    /// Runs one whole loop iteration (`_run_once`).
    pub fn run_once(&mut self) -> bool {
        loop {
            self.advance(usize::MAX);
            if self.pending_in_iteration == 0 || !self.is_running() {
                return self.is_running();
            }
        }
    }

    /// Runs iterations until one does something a learner sees: a task
    /// runs or finishes, or a line is printed.
    pub fn run_until_next_event(&mut self) -> bool {
        while self.is_running() {
            let start = self.rt.with(|l| l.trace.len());
            self.run_once();
            let visible = self.rt.with(|l| {
                l.trace[start..].iter().any(|e| {
                    matches!(
                        e,
                        Event::TaskRunning(_) | Event::TaskFinished(_) | Event::Print(_)
                    )
                })
            });
            if visible {
                break;
            }
        }
        self.is_running()
    }

    /// Records, from now on, which step each task suspends at (the views
    /// show it as a line of the Python). Off unless asked for: it costs a
    /// lookup per suspension and an index of every step.
    pub fn track_positions(&mut self) {
        self.rt.with(|l| l.scenario.index_places());
    }

    /// What the loop looks like now.
    pub fn snapshot(&self) -> super::snapshot::Snapshot {
        self.rt.with(|l| l.snapshot())
    }

    /// Requests cancellation of a task from outside the program (the
    /// "cancel this task now" button, or Ctrl-C in a terminal). Returns
    /// `cancel()`'s answer, or what it raised: RecursionError when the
    /// task waits on a task that waits on it.
    pub fn cancel_now(&mut self, task: TaskId) -> Result<bool, PyExc> {
        // What a cycle it raised for went round: `Loop::cancel_cycle`.
        let rt = self.rt.clone();
        let answer = rt.enter(|| {
            rt.with(|l| {
                if task.index() >= l.tasks.len() {
                    return Ok(false);
                }
                let cancelled = l.cancel_task(task, None);
                l.take_cancel_recursion().map_or(Ok(cancelled), Err)
            })
        });
        if let Some(stop) = self.over_budget() {
            self.status = Status::Stopped(stop);
        }
        answer
    }

    /// What the program raised outside `main`, and where (see the field).
    pub fn raised_outside_main(&self) -> Option<&(PyExc, Outside)> {
        self.raised_outside_main.as_ref()
    }

    /// Runs to the end, marking where every iteration begins.
    pub fn record(&mut self) -> super::snapshot::Recording {
        let mut recording = super::snapshot::Recording::default();
        while self.is_running() {
            self.rt.with(|l| recording.mark(l));
            self.run_once();
        }
        self.rt.with(|l| recording.mark(l));
        recording
    }

    /// The exception that ended the program, if one did: `main`'s, or one
    /// raised outside it.
    pub fn uncaught(&self) -> Option<PyExc> {
        // `asyncio.run`'s own exception comes last: raised while `main`'s
        // was being handled, it ends the traceback.
        match (&self.raised_outside_main, self.main_outcome()) {
            (Some((e, Outside::AsyncioRun)), _) => Some(e.clone()),
            (_, Some(Outcome::Raised(e))) => Some(e),
            (outside, _) => outside.as_ref().map(|(e, _)| e.clone()),
        }
    }

    /// Adds the current moment to a recording.
    pub fn mark(&self, recording: &mut super::snapshot::Recording) {
        self.rt.with(|l| recording.mark(l));
    }

    /// Runs until `asyncio.run` returns, a deadlock, or a budget stops it.
    pub fn run_to_end(&mut self) -> &Status {
        while self.is_running() {
            self.advance(usize::MAX);
        }
        &self.status
    }

    /// Why the run must stop, once a limit is reached. The loop checks
    /// its limits as it goes; the loop's own work between callbacks (its
    /// iterations, the threads' turns) is checked here too.
    fn over_budget(&self) -> Option<Stop> {
        self.rt.with(|l| {
            if l.meter.stop.is_none() && l.trace.len() > l.meter.budget.max_trace_events {
                l.exhaust(Limit::TraceEvents(l.meter.budget.max_trace_events));
            }
            l.meter.stop.clone()
        })
    }

    /// `run_until_complete` returned: move to what `asyncio.run` does next.
    fn next_phase(&mut self) {
        let rt = &self.rt;
        rt.enter(|| {
            rt.with(|l| {
                l.stopping = false;
                l.remove_done_callback(self.until, Callback::StopLoop);
                self.phase = match self.phase {
                    Phase::Main => Phase::CancelLeftovers,
                    Phase::CancelLeftovers => Phase::ShutdownAsyncgens,
                    Phase::ShutdownAsyncgens => Phase::ShutdownExecutor,
                    Phase::ShutdownExecutor | Phase::Closed => Phase::Closed,
                };
                let until = match self.phase {
                    Phase::CancelLeftovers => match cancel_leftovers(l) {
                        Ok(until) => until,
                        Err(exc) => {
                            // `asyncio.run` raises it; the loop is closed.
                            self.raised_outside_main = Some((exc, Outside::AsyncioRun));
                            self.phase = Phase::Closed;
                            None
                        }
                    },
                    Phase::ShutdownExecutor if l.threads.executor_made => {
                        // `shutdown_default_executor()`: a thread waits for
                        // the executor's jobs, then sets a future the task
                        // awaits.
                        let shutdown = async {
                            let future = with_loop(|l| {
                                let future = l.create_future(FutKind::Plain);
                                l.start_shutdown_thread(future);
                                future
                            });
                            super::aio::await_future(future).await
                        };
                        let program = l.scenario.program.clone();
                        let coro = interp::loop_coroutine(program, Box::pin(shutdown));
                        let task = l.create_task(coro, None, None);
                        Some(l.task(task).fut)
                    }
                    Phase::ShutdownAsyncgens | Phase::ShutdownExecutor => {
                        // `loop.shutdown_asyncgens()`, and
                        // `shutdown_default_executor()` with no executor
                        // made: coroutines with nothing to do, run as tasks.
                        let program = l.scenario.program.clone();
                        let task = l.create_task(interp::empty_coroutine(program), None, None);
                        Some(l.task(task).fut)
                    }
                    Phase::Main | Phase::Closed => None,
                };
                match until {
                    Some(fut) => {
                        self.until = fut;
                        l.add_done_callback(fut, Callback::StopLoop);
                    }
                    None if self.phase == Phase::CancelLeftovers && l.meter.stop.is_none() => {
                        // Nothing was left: go straight to the next phase.
                        l.stopping = true;
                    }
                    None => {}
                }
            })
        });
        if self.phase == Phase::CancelLeftovers && self.rt.with(|l| l.stopping) {
            self.next_phase();
            return;
        }
        if self.phase == Phase::Closed {
            self.finish();
        }
    }

    /// `asyncio.run` returned (or raised): stop the side loop and print
    /// the epilogue if `main` returned, as the code after
    /// `asyncio.run(main())` would.
    fn finish(&mut self) {
        self.status = Status::Finished;
        let returned = matches!(self.main_outcome(), Some(Outcome::Returned(_)))
            && self.raised_outside_main.is_none();
        // `side_loop.call_soon_threadsafe(side_loop.stop)`, then
        // `side_thread.join()`, once `asyncio.run` returned.
        self.rt.with(|l| {
            l.main_closed = true;
            if returned {
                l.stop_side_loop();
            }
        });
        if !returned {
            return;
        }
        let rt = self.rt.clone();
        rt.enter(|| rt.join_side_loop());
        if let Some(reason) = self.over_budget() {
            self.status = Status::Stopped(reason);
            return;
        }
        let raised = self.rt.with(|l| {
            let program = l.scenario.program.clone();
            l.current = None;
            for args in &program.epilogue {
                // A line that raises ends the program, as at top level.
                interp::print_outside(l, args)?;
                if l.meter.stop.is_some() {
                    break;
                }
            }
            Ok(())
        });
        self.raised_outside_main = raised.err().map(|e| (e, Outside::AfterRun));
        if let Some(stop) = self.over_budget() {
            self.status = Status::Stopped(stop);
        }
    }

    /// The program's printed lines.
    pub fn output_text(&self) -> String {
        self.rt.with(|l| {
            let mut out = String::new();
            for line in &l.output {
                out.push_str(&line.text);
                out.push('\n');
            }
            out
        })
    }

    pub fn trace_text(&self) -> String {
        self.rt.with(|l| l.trace_text())
    }
}

impl Drop for Simulation {
    fn drop(&mut self) {
        // Coroutines of unfinished tasks may hold awaitables that touch the
        // running loop when dropped; drop them while it is still running.
        let rt = self.rt.clone();
        rt.enter(|| {
            let coros: Vec<_> =
                rt.with(|l| l.tasks.iter_mut().filter_map(|t| t.take_coro()).collect());
            drop(coros);
        });
    }
}

/// `runners._cancel_all_tasks`: cancels every pending task and returns the
/// `gather(*to_cancel, return_exceptions=True)` to wait for, or what a
/// `cancel()` raised, which `asyncio.run` raises. CPython walks a set here;
/// tasks are taken in creation order.
fn cancel_leftovers(l: &mut Loop) -> Result<Option<FutId>, PyExc> {
    let to_cancel: Vec<TaskId> = (0..l.tasks.len() as u32)
        .map(TaskId)
        .filter(|t| !l.task(*t).on_side && !l.is_done(l.task(*t).fut))
        .collect();
    if to_cancel.is_empty() {
        return Ok(None);
    }
    for &t in &to_cancel {
        l.cancel_task(t, None);
        if let Some(exc) = l.take_cancel_recursion() {
            return Err(exc);
        }
        if l.meter.stop.is_some() {
            return Ok(None);
        }
    }
    let children = to_cancel.iter().map(|t| l.task(*t).fut).collect();
    Ok(Some(super::aio::gather_start(l, children, true)))
}

/// A deadlock, as data: each pending task and what it waits for (none:
/// it waits for nothing the loop knows of). The page words it in the
/// learner's language (`i18n::deadlock_words`); `Display` is English.
#[derive(Clone, Debug, PartialEq)]
pub struct Deadlock {
    pub waiting: Vec<(String, Option<String>)>,
}

impl std::fmt::Display for Deadlock {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&crate::i18n::deadlock_words(crate::i18n::Lang::En, self))
    }
}

/// Who waits for what, when nothing can ever wake them.
fn deadlock_report(l: &Loop) -> Deadlock {
    Deadlock {
        waiting: l
            .tasks
            .iter()
            .filter(|task| !l.is_done(task.fut))
            .map(|task| {
                (
                    task.name.to_string(),
                    task.fut_waiter.map(|f| l.describe_future(f)),
                )
            })
            .collect(),
    }
}

// Natively only: the tests use threads, and only native loops keep their
// tables (see `spare.rs`).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Each tutorial example's trace and output, run to the end.
    fn traces_of_the_examples() -> Vec<String> {
        crate::examples::tutorial_examples()
            .into_iter()
            .map(|(name, program)| {
                let mut sim = Simulation::new(program).expect("a valid example");
                sim.run_to_end();
                let text = sim.with_loop(|l| (l.trace_text(), l.output.len()));
                format!("{name}\n{}\n{} lines printed", text.0, text.1)
            })
            .collect()
    }

    #[test]
    fn a_run_on_tables_kept_from_an_earlier_run_traces_as_one_on_fresh_tables() {
        // Each thread starts with no spare tables.
        let fresh = std::thread::spawn(traces_of_the_examples).join().unwrap();
        let reused = std::thread::spawn(|| {
            let mut big = Simulation::with_budget(
                crate::bench::workload(2_000),
                crate::bench::budget_for(2_000),
            )
            .unwrap();
            big.run_to_end();
            drop(big);
            traces_of_the_examples()
        })
        .join()
        .unwrap();
        assert_eq!(fresh, reused);
    }

    #[test]
    fn a_dropped_loop_leaves_its_tables_to_the_next_loop_on_the_thread() {
        std::thread::spawn(|| {
            let mut big = Simulation::with_budget(
                crate::bench::workload(2_000),
                crate::bench::budget_for(2_000),
            )
            .unwrap();
            big.run_to_end();
            let held = big.with_loop(|l| (l.trace.capacity(), l.futures.capacity()));
            drop(big);
            let small = Simulation::new(crate::bench::workload(2)).unwrap();
            let lent = small.with_loop(|l| (l.trace.capacity(), l.futures.capacity()));
            assert_eq!(lent, held);
            // Of two loops alive at once, only the first gets the spare
            // tables; the second's smaller ones, dropped last, do not
            // replace them.
            let second = Simulation::new(crate::bench::workload(1)).unwrap();
            assert!(second.with_loop(|l| l.trace.capacity()) < held.0);
            drop(small);
            drop(second);
            let next = Simulation::new(crate::bench::workload(1)).unwrap();
            assert_eq!(next.with_loop(|l| l.trace.capacity()), held.0);
        })
        .join()
        .unwrap();
    }
}
