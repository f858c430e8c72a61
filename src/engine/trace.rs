//! The trace: everything the loop did, in order. Events are small (16
//! bytes) and carry no time; the time of an event is the last `Clock` before
//! it (or 0.0), so a reader replays the clock while it scans.

use super::core::{FutKind, Loop, Outcome};
use super::ids::{FutId, HandleId, TaskId};
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// A `_run_once` iteration began (numbered from 1).
    Iteration(u32),
    /// The clock moved to this time: the loop was idle until the next timer,
    /// or a blocking call held it.
    Clock(f64),
    /// `time.sleep`: the task held the whole loop; a `Clock` follows.
    Blocked(TaskId),
    TimerArmed {
        handle: HandleId,
        when: f64,
    },
    /// A timer's deadline came: its callback joined the ready queue.
    TimerDue(HandleId),
    /// A timer still in the heap was cancelled.
    TimerCancelled(HandleId),
    TaskCreated {
        task: TaskId,
        by: Option<TaskId>,
    },
    /// `__step` began: the task runs until its next await.
    TaskRunning(TaskId),
    /// The task yielded bare (`sleep(0)`) and steps again next iteration.
    TaskYielded(TaskId),
    /// The task is suspended until `on` is done.
    TaskSuspended {
        task: TaskId,
        on: FutId,
    },
    TaskFinished(TaskId),
    CancelRequested {
        task: TaskId,
        by: Option<TaskId>,
    },
    FutureDone(FutId),
    /// A line of output, by its index in `Loop::output`.
    Print(u32),
}

/// A line the program printed, with the virtual time and the task that printed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub time: f64,
    pub task: Option<TaskId>,
    pub text: String,
}

impl Loop {
    /// Describes a future for people: "sleep", "task worker", "gather"...
    pub fn describe_future(&self, fut: FutId) -> String {
        match self.fut(fut).kind {
            FutKind::Task(t) => format!("task {}", self.task(t).name),
            FutKind::Sleep => "sleep".into(),
            FutKind::Gather(_) => "gather".into(),
            FutKind::Shield => "shield".into(),
            FutKind::User(i) => match self.scenario.program.futures.get(i as usize) {
                Some(name) => format!("future {name}"),
                None => format!("future #{i}"),
            },
            FutKind::Waiter | FutKind::Plain => format!("future {}", fut.0),
        }
    }

    fn describe_outcome(&self, fut: FutId) -> String {
        match &self.fut(fut).outcome {
            Some(Outcome::Returned(v)) => format!("returned {}", v.py_repr()),
            Some(Outcome::Raised(e)) => format!("raised {}", e.py_repr()),
            Some(Outcome::Cancelled(_)) => "cancelled".into(),
            None => "pending".into(),
        }
    }

    /// The trace as text, one event per line, stamped with virtual time:
    /// what tests compare and what the plain-words log is built from.
    pub fn trace_text(&self) -> String {
        let mut out = String::new();
        let mut now = 0.0;
        let name = |t: TaskId| self.task(t).name.clone();
        for event in &self.trace {
            let line = match *event {
                Event::Iteration(n) => format!("iteration {n}"),
                Event::Clock(t) => {
                    now = t;
                    format!("clock -> {}", super::value::py_float_repr(t))
                }
                Event::Blocked(t) => format!("{} blocks the loop", name(t)),
                Event::TimerArmed { handle, when } => format!(
                    "timer {} armed for {}",
                    handle.0,
                    super::value::py_float_repr(when)
                ),
                Event::TimerDue(h) => format!("timer {} due", h.0),
                Event::TimerCancelled(h) => format!("timer {} cancelled", h.0),
                Event::TaskCreated { task, by } => match by {
                    Some(by) => format!("{} created by {}", name(task), name(by)),
                    None => format!("{} created", name(task)),
                },
                Event::TaskRunning(t) => format!("{} runs", name(t)),
                Event::TaskYielded(t) => format!("{} yields", name(t)),
                Event::TaskSuspended { task, on } => {
                    format!("{} awaits {}", name(task), self.describe_future(on))
                }
                Event::TaskFinished(t) => {
                    format!("{} {}", name(t), self.describe_outcome(self.task(t).fut))
                }
                Event::CancelRequested { task, by } => match by {
                    Some(by) => format!("{} cancels {}", name(by), name(task)),
                    None => format!("{} cancel requested", name(task)),
                },
                Event::FutureDone(f) => match self.fut(f).kind {
                    FutKind::Task(_) => continue,
                    _ => format!("{} {}", self.describe_future(f), self.describe_outcome(f)),
                },
                Event::Print(i) => format!("print {:?}", self.output[i as usize].text),
            };
            let _ = writeln!(out, "{:>8} {line}", super::value::py_float_repr(now));
        }
        out
    }
}
