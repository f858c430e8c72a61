//! How big a program may be and how far its run may go, so that nothing a
//! link or an edit holds can freeze or exhaust the page that runs it.
//!
//! A run is checked as it goes, inside a callback too: each callback, each
//! step a coroutine starts (inline awaits and loop bodies included), each
//! task made, each line printed (as it is written), each task a `cancel()`
//! goes through and each move of the clock counts. When a limit is reached
//! the loop stops dispatching and every coroutine stops at the next step
//! it would start; what one step does beyond that is bounded by the
//! program's size (a gather's items, a print's arguments). The run says
//! which limit it reached, and where.

use super::core::{Callback, Loop};
use super::ids::TaskId;
use super::program::Step;

/// The limits of one run. The default is the page's: what it can draw,
/// and run to the end within a few milliseconds in the browser (a page
/// runs each edit to its end, and replays earlier moments from the
/// start). [`Budget::large`] is the command line's, for benchmarks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Checked before the run: coroutines, and steps in all (nested ones,
    /// `except` handlers and jobs' steps included).
    pub max_coroutines: usize,
    pub max_program_steps: usize,
    /// The most the program's text (its JSON) may take, so that its link
    /// opens (see `link::MAX_INFLATED`); `None`: no limit.
    pub max_text_bytes: Option<usize>,
    /// Checked as it runs.
    pub max_callbacks: u64,
    pub max_steps: u64,
    pub max_tasks: usize,
    pub max_trace_events: usize,
    pub max_output_bytes: usize,
    /// The latest the virtual clock may read, in seconds. Past 2^24 s
    /// (194 days) `time() + clock_resolution` rounds back to `time()`,
    /// and a loop on a virtual clock never sees a timer at `time()` come
    /// due: CPython's own would spin there forever.
    pub max_clock: f64,
}

/// The clock's limit: 2^23 s (97 days), below which `time() + 1e-9`
/// (the loop's clock resolution) is still later than `time()`.
pub const MAX_CLOCK: f64 = 8_388_608.0;

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            max_coroutines: 1_000,
            max_program_steps: 5_000,
            // A link's 512 KB, less room for what else it carries.
            max_text_bytes: Some(510 * 1024),
            max_callbacks: 25_000,
            max_steps: 25_000,
            max_tasks: 2_000,
            max_trace_events: 50_000,
            max_output_bytes: 256 << 10,
            max_clock: MAX_CLOCK,
        }
    }
}

impl Budget {
    /// The command line's limits: room for the benchmark's 100,000 tasks
    /// and runs of a few seconds.
    pub fn large() -> Budget {
        Budget {
            max_coroutines: 1_000_000,
            max_program_steps: 10_000_000,
            max_text_bytes: None,
            max_callbacks: 20_000_000,
            max_steps: 20_000_000,
            max_tasks: 1_000_000,
            max_trace_events: 50_000_000,
            max_output_bytes: 256 << 20,
            max_clock: MAX_CLOCK,
        }
    }
}

/// Which limit a run reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limit {
    Callbacks(u64),
    Steps(u64),
    Tasks(usize),
    TraceEvents(usize),
    OutputBytes(usize),
    Clock(f64),
    /// A `cancel()` went through more tasks waiting on each other than
    /// the playground models (see `core::MAX_CANCEL_DEPTH`).
    CancelDepth(usize),
}

/// Why and where a run was stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    pub limit: Limit,
    /// The task that was running, as the views name it.
    pub task: Option<String>,
    /// The step it was at: its coroutine, and the step's index in the
    /// order the exporter writes steps (see `Scenario::places`).
    pub at: Option<(u32, u32)>,
    /// The coroutine's name, for the message.
    pub coroutine: Option<String>,
}

impl Limit {
    /// What happened, in plain English (the page words it in the
    /// learner's language from the data).
    pub fn describe(&self) -> String {
        match *self {
            Limit::Callbacks(n) => format!(
                "the loop ran {} callbacks, as many as the playground runs, and the program \
                 had not ended",
                thousands(n as usize)
            ),
            Limit::Steps(n) => format!(
                "the tasks took {} steps, as many as the playground runs, and the program had \
                 not ended",
                thousands(n as usize)
            ),
            Limit::Tasks(n) => format!("the program made more than {} tasks", thousands(n)),
            Limit::TraceEvents(n) => format!(
                "the run recorded {} events, more than the page can show",
                thousands(n)
            ),
            Limit::OutputBytes(n) => {
                format!("the program printed more than {} bytes", thousands(n))
            }
            Limit::CancelDepth(n) => format!(
                "a cancel() went down a chain of more than {n} tasks, each waiting for the next; \
                 CPython raises RecursionError at a depth of 400 to 1,000, depending on what \
                 awaits what, and the playground stops rather than guess"
            ),
            Limit::Clock(t) => format!(
                "the virtual clock passed {} s ({:.0} days), beyond which a loop cannot tell \
                 times a nanosecond apart",
                thousands(t as usize),
                t / 86_400.0
            ),
        }
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.limit.describe())?;
        match (&self.task, &self.coroutine, self.at) {
            (Some(task), Some(coro), Some((_, step))) => {
                write!(f, " ({task} was in {coro}(), at its step {})", step + 1)
            }
            (Some(task), _, _) => write!(f, " ({task} was running)"),
            _ => Ok(()),
        }
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The run's limits as the loop checks them, and what it has used.
pub struct Meter {
    pub budget: Budget,
    pub steps: u64,
    pub output_bytes: usize,
    /// Once a limit is reached: which, and where.
    pub stop: Option<Stop>,
}

impl Default for Meter {
    /// A loop made without a `Simulation` (the engine's own tests) runs
    /// under the command line's limits; `Simulation` sets the run's own.
    fn default() -> Meter {
        Meter {
            budget: Budget::large(),
            steps: 0,
            output_bytes: 0,
            stop: None,
        }
    }
}

impl Loop {
    /// Whether a coroutine may start another step: counts it, and checks
    /// what a step can use up. Every step start and every loop iteration
    /// of a `for` comes here, so no callback runs on unchecked.
    #[inline]
    pub fn may_take_step(&mut self) -> bool {
        self.meter.steps += 1;
        if self.meter.steps <= self.meter.budget.max_steps
            && self.trace.len() <= self.meter.budget.max_trace_events
            && self.meter.stop.is_none()
        {
            return true;
        }
        self.step_refused();
        false
    }

    #[cold]
    fn step_refused(&mut self) {
        if self.meter.stop.is_some() {
            return;
        }
        let limit = if self.meter.steps > self.meter.budget.max_steps {
            Limit::Steps(self.meter.budget.max_steps)
        } else {
            Limit::TraceEvents(self.meter.budget.max_trace_events)
        };
        self.exhaust(limit);
    }

    /// The run reached `limit`: no callback runs after this one, and no
    /// coroutine starts another step.
    #[cold]
    pub fn exhaust(&mut self, limit: Limit) {
        if self.meter.stop.is_some() {
            return;
        }
        // When the clock passes its limit between callbacks, on its way
        // to a timer, the task that timer wakes is the one to name.
        let (task, at) = match (self.current, limit) {
            (Some(task), _) => (
                Some(task),
                self.scenario.place_of(super::core::current_step()),
            ),
            (None, Limit::Clock(_)) => match self.next_sleeper() {
                Some(task) => (Some(task), self.suspended_place(task)),
                None => (None, None),
            },
            (None, _) => (None, None),
        };
        let coroutine = at.and_then(|(c, _)| {
            self.scenario
                .program
                .coroutines
                .get(c as usize)
                .map(|c| c.name.clone())
        });
        self.meter.stop = Some(Stop {
            limit,
            task: task.map(|t| self.task_label(t)),
            at,
            coroutine,
        });
        // The dispatch loop's one check (see `Loop::run_one`) now fails.
        self.callback_limit = 0;
    }

    /// The task whose sleep ends first.
    fn next_sleeper(&self) -> Option<TaskId> {
        let sleepers: super::fasthash::FastHashMap<_, _> = self
            .tasks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| Some((t.fut_waiter?, TaskId(i as u32))))
            .collect();
        self.handles
            .iter()
            .filter(|h| h.scheduled && !h.cancelled)
            .filter_map(|h| match h.callback {
                Callback::SetResultUnlessCancelled(fut) => Some((h.when, *sleepers.get(&fut)?)),
                _ => None,
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, task)| task)
    }

    /// The step of its body a suspended task is in (for a step nested in
    /// blocks, the outermost: the `for` around a sleep).
    fn suspended_place(&self, task: TaskId) -> Option<(u32, u32)> {
        let (steps, next) = self.tasks.get(task.index())?.upcoming_steps()?;
        let step = steps.get(next)?;
        self.scenario.place_of(step as *const Step as usize)
    }

    fn task_label(&self, task: TaskId) -> String {
        self.tasks
            .get(task.index())
            .map_or_else(String::new, |t| t.name.to_string())
    }

    /// Counts a line printed.
    #[inline]
    pub fn count_output(&mut self, bytes: usize) {
        self.meter.output_bytes += bytes;
        if self.meter.output_bytes > self.meter.budget.max_output_bytes {
            self.exhaust(Limit::OutputBytes(self.meter.budget.max_output_bytes));
        }
    }

    /// Counts a task made.
    #[inline]
    pub fn count_task(&mut self) {
        if self.tasks.len() > self.meter.budget.max_tasks {
            self.exhaust(Limit::Tasks(self.meter.budget.max_tasks));
        }
    }

    /// Checks the clock after it moved.
    #[inline]
    pub fn check_clock(&mut self) {
        if self.now > self.meter.budget.max_clock {
            self.exhaust(Limit::Clock(self.meter.budget.max_clock));
        }
    }

    /// The callback budget ran out (`Loop::run_one`'s check failed).
    #[cold]
    pub(super) fn callbacks_spent(&mut self) {
        self.exhaust(Limit::Callbacks(self.meter.budget.max_callbacks));
    }

    /// Whether the run has stopped, or will at its next callback: checked
    /// before each thread's turn, which a side loop may take without a
    /// callback (its iterations still count, as events).
    pub fn budget_spent(&mut self) -> bool {
        if self.meter.stop.is_none() && self.trace.len() > self.meter.budget.max_trace_events {
            self.exhaust(Limit::TraceEvents(self.meter.budget.max_trace_events));
        }
        self.meter.stop.is_some() || self.callbacks_run >= self.callback_limit
    }
}
