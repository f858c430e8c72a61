//! The trace: everything the loop did, in order. Events are small (12
//! bytes: a run of 100,000 tasks records 1.6 million) and carry no time;
//! the time of an event is the last `Clock` before it (or 0.0), so a reader
//! replays the clock while it scans. What the loop's tables already hold
//! (a timer's deadline, a task's creator) is not repeated here.

use super::core::{FutKind, Loop, Outcome};
use super::ids::{FutId, HandleId, MaybeTask, TaskId};
use super::value::ExcKind;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// A `_run_once` iteration began (numbered from 1).
    Iteration(u32),
    /// The clock moved to this time: the loop was idle until the next timer,
    /// or a blocking call held it.
    Clock(Seconds),
    /// `time.sleep`: the task held the whole loop; a `Clock` follows.
    Blocked(TaskId),
    /// The task's `time.sleep` returned: its loop's thread goes on. What
    /// other threads did meanwhile (the side loop's iterations among it)
    /// is told between the two.
    Unblocked(TaskId),
    /// A timer was armed; its deadline is its handle's.
    TimerArmed(HandleId),
    /// A timer's deadline came: its callback joined the ready queue.
    TimerDue(HandleId),
    /// A timer still in the heap was cancelled.
    TimerCancelled(HandleId),
    /// A task was created, by its slot's `parent`.
    TaskCreated(TaskId),
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
        by: MaybeTask,
    },
    FutureDone(FutId),
    /// A line of output, by its index in `Loop::output`.
    Print(u32),
    /// The task began awaiting what combination `index` of
    /// `AioState::combinations` names (a task, a gather, a wait...).
    Awaits {
        task: TaskId,
        combination: u32,
    },
    /// An exception was thrown into the task where it waits: a
    /// cancellation landing, or an error an awaited task passed on.
    Thrown {
        task: TaskId,
        kind: ExcKind,
    },
    /// A timeout ran out in the task's `wait_for`, `wait` or `as_completed`.
    TimedOut(TaskId),
    /// `run_in_executor` handed job run `n` to the default executor.
    JobSubmitted(u32),
    /// A worker thread began job run `n`.
    JobStarted(u32),
    /// Job run `n`'s function returned or raised, on its thread.
    JobFinished(u32),
    /// The side loop's thread ran past `select`: its iteration `n` began.
    SideIteration(u32),
    /// `run_coroutine_threadsafe` handed side run `n`'s coroutine to the
    /// side loop.
    SideSubmitted(u32),
}

// Every event of a run is kept: their size is most of a run's memory.
const _: () = assert!(std::mem::size_of::<Event>() == 12);

/// A time in seconds, kept as two 4-byte halves so that an event is
/// aligned to 4 bytes, not 8, and stays 12 bytes long.
#[derive(Clone, Copy, PartialEq)]
pub struct Seconds([u32; 2]);

impl Seconds {
    pub fn new(seconds: f64) -> Seconds {
        let bits = seconds.to_bits();
        Seconds([bits as u32, (bits >> 32) as u32])
    }

    pub fn get(self) -> f64 {
        f64::from_bits(u64::from(self.0[0]) | u64::from(self.0[1]) << 32)
    }
}

impl std::fmt::Debug for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// How a future (or a job) ended, or that it has not: "returned 3".
fn outcome_words(outcome: Option<&Outcome>) -> String {
    match outcome {
        Some(Outcome::Returned(v)) => format!("returned {}", v.py_repr_brief()),
        Some(Outcome::Raised(e)) => format!("raised {}", e.py_repr_brief()),
        Some(Outcome::Cancelled(_)) => "cancelled".into(),
        None => "pending".into(),
    }
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
        let program = &self.scenario.program;
        match self.fut(fut).kind {
            FutKind::Task(t) => format!("task {}", self.task(t).name),
            FutKind::Sleep => "sleep".into(),
            FutKind::Gather(_) => "gather".into(),
            FutKind::Shield => "shield".into(),
            FutKind::User(i) => match self.scenario.program.futures.get(i as usize) {
                Some(name) => format!("future {name}"),
                None => format!("future #{i}"),
            },
            FutKind::Executor(run) => format!("run_in_executor({})", self.job_name(run)),
            FutKind::SideLoop(run) => {
                format!("run_coroutine_threadsafe({}())", self.side_coro_name(run))
            }
            FutKind::WaitWaiter => "wait()".into(),
            FutKind::WaitForWaiter => "wait_for()".into(),
            FutKind::AsCompletedWaiter => "as_completed()".into(),
            FutKind::LockWaiter(i) => self.object_name("lock", &program.locks, i),
            FutKind::SemaphoreWaiter(i) => {
                let names: Vec<String> = program.semaphores.iter().map(|s| s.0.clone()).collect();
                self.object_name("semaphore", &names, i)
            }
            FutKind::EventWaiter(i) => self.object_name("event", &program.events, i),
            FutKind::QueueWaiter(i) => {
                let names: Vec<String> = program.queues.iter().map(|q| q.0.clone()).collect();
                self.object_name("queue", &names, i)
            }
            FutKind::Plain => "a future".into(),
        }
    }

    /// "lock guard": a program's object, by kind and name.
    fn object_name(&self, kind: &str, names: &[String], index: u32) -> String {
        match names.get(index as usize) {
            Some(name) => format!("{kind} {name}"),
            None => format!("{kind} #{index}"),
        }
    }

    /// The function a job run runs, by name.
    pub fn job_name(&self, run: u32) -> String {
        self.threads
            .runs
            .get(run as usize)
            .and_then(|r| self.scenario.program.jobs.get(r.job as usize))
            .map_or_else(|| format!("#{run}"), |j| j.name.clone())
    }

    /// The coroutine a side run runs, by name.
    pub fn side_coro_name(&self, run: u32) -> String {
        self.side
            .as_deref()
            .and_then(|s| s.runs.get(run as usize))
            .and_then(|r| self.scenario.program.coroutines.get(r.coro as usize))
            .map_or_else(|| format!("#{run}"), |c| c.name.clone())
    }

    fn describe_job_outcome(&self, run: u32) -> String {
        use super::threads::JobState;
        match self.threads.runs.get(run as usize).map(|r| &r.state) {
            Some(JobState::Finished(outcome)) => outcome_words(Some(outcome)),
            _ => "ended".into(),
        }
    }

    fn describe_outcome(&self, fut: FutId) -> String {
        outcome_words(self.fut(fut).outcome.as_ref())
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
                    now = t.get();
                    format!("clock -> {}", super::value::py_float_repr(now))
                }
                Event::Blocked(t) => format!("{} blocks the loop", name(t)),
                Event::Unblocked(t) => format!("{}'s time.sleep ends", name(t)),
                Event::TimerArmed(handle) => format!(
                    "timer {} armed for {}",
                    handle.0,
                    super::value::py_float_repr(self.deadline(handle))
                ),
                Event::TimerDue(h) => format!("timer {} due", h.0),
                Event::TimerCancelled(h) => format!("timer {} cancelled", h.0),
                Event::TaskCreated(task) => match self.task(task).parent {
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
                Event::CancelRequested { task, by } => match by.get() {
                    Some(by) => format!("{} cancels {}", name(by), name(task)),
                    None => format!("{} cancel requested", name(task)),
                },
                Event::FutureDone(f) => match self.fut(f).kind {
                    FutKind::Task(_) => continue,
                    _ => format!("{} {}", self.describe_future(f), self.describe_outcome(f)),
                },
                Event::Print(i) => format!("print {:?}", self.output[i as usize].text),
                // Told by the `awaits` line that follows.
                Event::Awaits { .. } => continue,
                Event::Thrown { task, kind } => {
                    format!("{} lands in {}", kind.name(), name(task))
                }
                Event::TimedOut(t) => format!("{} times out", name(t)),
                Event::JobSubmitted(run) => format!("job {} submitted", self.job_name(run)),
                Event::JobStarted(run) => format!("job {} starts on a thread", self.job_name(run)),
                Event::JobFinished(run) => format!(
                    "job {} {}",
                    self.job_name(run),
                    self.describe_job_outcome(run)
                ),
                Event::SideIteration(n) => format!("side loop iteration {n}"),
                Event::SideSubmitted(run) => {
                    format!("{}() handed to the side loop", self.side_coro_name(run))
                }
            };
            let _ = writeln!(out, "{:>8} {line}", super::value::py_float_repr(now));
        }
        out
    }
}

/// One thing the story tells: the trace event it comes from (so a view
/// can stop at the moment it shows), its virtual time, and what happened,
/// as data. A run may tell 50,000 things and a view shows a few hundred,
/// so only those are put in words (`Loop::tell`).
#[derive(Clone, Debug, PartialEq)]
pub struct Told {
    pub event: usize,
    pub time: f64,
    pub what: Telling,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Telling {
    ClockMoves(f64),
    SideSubmitted(u32),
    Thrown {
        task: TaskId,
        kind: ExcKind,
    },
    TimedOut(TaskId),
    JobSubmitted(u32),
    JobStarted(u32),
    JobFinished(u32),
    Blocked(TaskId),
    Unblocked(TaskId),
    SideLoopMakes(TaskId),
    Creates {
        by: TaskId,
        task: TaskId,
    },
    Created(TaskId),
    Starts(TaskId),
    /// A task runs again from the await it was suspended at.
    Resumes(TaskId),
    /// A line printed, by its index in `Loop::output`.
    Prints(u32),
    Yields(TaskId),
    Sleeps {
        task: TaskId,
        until: Option<f64>,
    },
    Waits {
        task: TaskId,
        on: FutId,
    },
    Finished(TaskId),
    CancelAsked {
        task: TaskId,
        by: Option<TaskId>,
    },
    SideOutcome(FutId),
    /// A gather ended with an exception; the children still running then.
    GatherPasses {
        gather: FutId,
        awaiter: Option<TaskId>,
        running: Vec<FutId>,
    },
}

impl Loop {
    /// What the loop did, for learners: one thing per event worth telling.
    pub fn narrative(&self) -> Vec<Told> {
        let mut told = Vec::new();
        let mut now = 0.0;
        let mut last_armed = None;
        let mut started = vec![false; self.tasks.len()];
        // As of the event being told: which task waits on each future, and
        // which futures are done.
        let mut waiting_on: super::fasthash::FastHashMap<FutId, TaskId> = Default::default();
        let mut done = vec![false; self.futures.len()];
        for (i, event) in self.trace.iter().enumerate() {
            match *event {
                Event::TaskSuspended { task, on } => {
                    waiting_on.insert(on, task);
                }
                Event::FutureDone(f) => done[f.index()] = true,
                _ => {}
            }
            let what = match *event {
                Event::Clock(t) if t.get() > now => {
                    now = t.get();
                    Some(Telling::ClockMoves(now))
                }
                Event::SideSubmitted(run) => Some(Telling::SideSubmitted(run)),
                Event::Clock(_)
                | Event::Iteration(_)
                | Event::SideIteration(_)
                | Event::TimerDue(_)
                | Event::TimerCancelled(_)
                | Event::Awaits { .. } => None,
                Event::Print(line) => Some(Telling::Prints(line)),
                Event::Thrown { task, kind } => Some(Telling::Thrown { task, kind }),
                Event::TimedOut(t) => Some(Telling::TimedOut(t)),
                Event::JobSubmitted(run) => Some(Telling::JobSubmitted(run)),
                Event::JobStarted(run) => Some(Telling::JobStarted(run)),
                Event::JobFinished(run) => Some(Telling::JobFinished(run)),
                Event::TimerArmed(handle) => {
                    last_armed = Some(self.deadline(handle));
                    None
                }
                Event::Blocked(t) => Some(Telling::Blocked(t)),
                Event::Unblocked(t) => Some(Telling::Unblocked(t)),
                Event::TaskCreated(task)
                    if self.task(task).on_side && self.task(task).parent.is_none() =>
                {
                    Some(Telling::SideLoopMakes(task))
                }
                Event::TaskCreated(task) => Some(match self.task(task).parent {
                    Some(by) => Telling::Creates { by, task },
                    None => Telling::Created(task),
                }),
                Event::TaskRunning(t) => {
                    let first = !std::mem::replace(&mut started[t.index()], true);
                    Some(if first {
                        Telling::Starts(t)
                    } else {
                        Telling::Resumes(t)
                    })
                }
                Event::TaskYielded(t) => Some(Telling::Yields(t)),
                Event::TaskSuspended { task, on } => Some(match self.fut(on).kind {
                    FutKind::Sleep => Telling::Sleeps {
                        task,
                        until: last_armed,
                    },
                    _ => Telling::Waits { task, on },
                }),
                Event::TaskFinished(t) => Some(Telling::Finished(t)),
                Event::CancelRequested { task, by } => {
                    Some(Telling::CancelAsked { task, by: by.get() })
                }
                Event::FutureDone(f) => match self.fut(f).kind {
                    FutKind::SideLoop(_) => Some(Telling::SideOutcome(f)),
                    FutKind::Gather(index)
                        if matches!(self.fut(f).outcome, Some(Outcome::Raised(_))) =>
                    {
                        Some(Telling::GatherPasses {
                            gather: f,
                            awaiter: waiting_on.get(&f).copied(),
                            running: self
                                .aio
                                .gather_children(index)
                                .iter()
                                .filter(|c| !done[c.index()])
                                .copied()
                                .collect(),
                        })
                    }
                    _ => None,
                },
            };
            if let Some(what) = what {
                told.push(Told {
                    event: i,
                    time: now,
                    what,
                });
            }
        }
        told
    }

    /// One thing the story tells, as data: a template of the interface's
    /// words (`story.*` in `i18n`) and what fills it. The page words it in
    /// the learner's language, the command-line tool in English.
    pub fn said(&self, told: &Told) -> Said {
        let name = |t: TaskId| Word::Text(self.task(t).name.to_string());
        let introduced = |t: TaskId| {
            let task = self.task(t);
            Word::Text(match task.coro_id {
                Some(coro) => {
                    let call = super::snapshot::task_call(&self.scenario.program, Some(coro), 0);
                    format!("{} · {call}", task.name)
                }
                None => task.name.to_string(),
            })
        };
        let time = |t: f64| Word::Text(super::value::py_float_repr(t));
        let said = |key: &'static str, values: Vec<(&'static str, Word)>| Said { key, values };
        match &told.what {
            Telling::ClockMoves(t) => said("story.clock_moves", vec![("t", time(*t))]),
            Telling::SideSubmitted(run) => said(
                "story.side_submitted",
                vec![("coro", Word::Text(self.side_coro_name(*run)))],
            ),
            Telling::Thrown { task, kind } if *kind == ExcKind::CancelledError => {
                said("story.cancel_lands", vec![("task", name(*task))])
            }
            Telling::Thrown { task, kind } => said(
                "story.exception_reaches",
                vec![
                    ("exc", Word::Text(kind.name().into())),
                    ("task", name(*task)),
                ],
            ),
            Telling::TimedOut(t) => said("story.timed_out", vec![("task", name(*t))]),
            Telling::JobSubmitted(run) => said(
                "story.job_submitted",
                vec![("job", Word::Text(self.job_name(*run)))],
            ),
            Telling::JobStarted(run) => said(
                "story.job_started",
                vec![("job", Word::Text(self.job_name(*run)))],
            ),
            Telling::JobFinished(run) => {
                use super::threads::JobState;
                let outcome = match self.threads.runs.get(*run as usize).map(|r| &r.state) {
                    Some(JobState::Finished(outcome)) => outcome_said(Some(outcome)),
                    _ => said("outcome.ended", vec![]),
                };
                said(
                    "story.job_finished",
                    vec![
                        ("job", Word::Text(self.job_name(*run))),
                        ("outcome", Word::Said(Box::new(outcome))),
                    ],
                )
            }
            Telling::Blocked(t) => said("story.blocked", vec![("task", name(*t))]),
            Telling::Unblocked(t) => said("story.unblocked", vec![("task", name(*t))]),
            Telling::SideLoopMakes(task) => said(
                "story.side_makes",
                vec![
                    ("task", name(*task)),
                    (
                        "coro",
                        self.task(*task)
                            .coro_id
                            .and_then(|c| self.scenario.program.coroutines.get(c as usize))
                            .map_or(Word::Key("story.a_coroutine"), |c| {
                                Word::Text(format!("{}()", c.name))
                            }),
                    ),
                ],
            ),
            // A task is introduced with what it runs, as code mode's
            // story does: "Task-1 creates Task-2 · func1()".
            Telling::Creates { by, task } => said(
                "story.creates",
                vec![("by", name(*by)), ("task", introduced(*task))],
            ),
            Telling::Created(task) => said("story.created", vec![("task", introduced(*task))]),
            Telling::Starts(t) => said("story.starts", vec![("task", name(*t))]),
            Telling::Resumes(t) => said("story.resumes", vec![("task", name(*t))]),
            Telling::Prints(line) => {
                let line = self.output.get(*line as usize);
                let text = line.map_or(String::new(), |l| brief(&l.text));
                match line.and_then(|l| l.task) {
                    Some(t) => said(
                        "story.prints",
                        vec![("task", name(t)), ("text", Word::Text(text))],
                    ),
                    None => said("story.program_prints", vec![("text", Word::Text(text))]),
                }
            }
            Telling::Yields(t) => said("story.yields", vec![("task", name(*t))]),
            Telling::Sleeps { task, until } => match until {
                Some(when) => said(
                    "story.sleeps_until",
                    vec![("task", name(*task)), ("t", time(*when))],
                ),
                None => said("story.sleeps", vec![("task", name(*task))]),
            },
            Telling::Waits { task, on } => said(
                "story.waits",
                vec![
                    ("task", name(*task)),
                    ("on", Word::Future(self.describe_future(*on))),
                ],
            ),
            Telling::Finished(t) => match &self.fut(self.task(*t).fut).outcome {
                Some(Outcome::Returned(v)) => said(
                    "story.returns",
                    vec![("task", name(*t)), ("value", Word::Text(v.py_repr_brief()))],
                ),
                Some(Outcome::Raised(e)) => said(
                    "story.raises",
                    vec![("task", name(*t)), ("value", Word::Text(e.py_repr_brief()))],
                ),
                _ => said("story.is_cancelled", vec![("task", name(*t))]),
            },
            Telling::CancelAsked { task, by } => match by {
                Some(by) => said(
                    "story.asks_to_cancel",
                    vec![("by", name(*by)), ("task", name(*task))],
                ),
                None => said("story.asked_to_cancel", vec![("task", name(*task))]),
            },
            Telling::SideOutcome(f) => said(
                "story.side_outcome",
                vec![
                    ("fut", Word::Future(self.describe_future(*f))),
                    (
                        "outcome",
                        Word::Said(Box::new(outcome_said(self.fut(*f).outcome.as_ref()))),
                    ),
                ],
            ),
            Telling::GatherPasses {
                gather,
                awaiter,
                running,
            } => {
                let exc = match &self.fut(*gather).outcome {
                    Some(Outcome::Raised(e)) => e.py_repr_brief(),
                    _ => String::new(),
                };
                let running: Vec<String> = running
                    .iter()
                    .map(|c| {
                        self.describe_future(*c)
                            .trim_start_matches("task ")
                            .to_string()
                    })
                    .collect();
                let key = match running.len() {
                    0 => "story.gather_passes",
                    1 => "story.gather_passes_one_runs",
                    _ => "story.gather_passes_others_run",
                };
                said(
                    key,
                    vec![
                        ("exc", Word::Text(exc)),
                        (
                            "awaiter",
                            awaiter.map_or(Word::Key("story.its_awaiter"), name),
                        ),
                        ("running", Word::And(running)),
                    ],
                )
            }
        }
    }
}

/// What the story says of one thing, as data (see `Loop::said`).
#[derive(Clone, Debug, PartialEq)]
pub struct Said {
    /// The template, by its key among the interface's words.
    pub key: &'static str,
    pub values: Vec<(&'static str, Word)>,
}

impl Said {
    pub fn new(key: &'static str) -> Said {
        Said {
            key,
            values: Vec::new(),
        }
    }

    /// With `{name}` filled by `value` as it is.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Said {
        self.values.push((name, Word::Text(value.to_string())));
        self
    }

    /// With `{name}` filled by the interface's word `key`.
    pub fn with_word(mut self, name: &'static str, key: &'static str) -> Said {
        self.values.push((name, Word::Key(key)));
        self
    }
}

/// A value a template is filled with.
#[derive(Clone, Debug, PartialEq)]
pub enum Word {
    /// As it is: a name, a time, a repr, Python.
    Text(String),
    /// One of the interface's words, by its key.
    Key(&'static str),
    /// Names joined by the language's "and".
    And(Vec<String>),
    /// A phrase of its own (how a job or a future ended).
    Said(Box<Said>),
    /// What a task awaits, as `Loop::describe_future` names it ("task
    /// Task-2", "lock guard", "sleep"): its noun is worded, the name kept.
    Future(String),
}

/// How a future or a job ended, or that it has not, as data.
fn outcome_said(outcome: Option<&Outcome>) -> Said {
    let (key, value) = match outcome {
        Some(Outcome::Returned(v)) => ("outcome.returned", Some(v.py_repr_brief())),
        Some(Outcome::Raised(e)) => ("outcome.raised", Some(e.py_repr_brief())),
        Some(Outcome::Cancelled(_)) => ("outcome.cancelled", None),
        None => ("outcome.pending", None),
    };
    Said {
        key,
        values: value
            .map(|v| vec![("value", Word::Text(v))])
            .unwrap_or_default(),
    }
}

/// A printed line as the story quotes it: its first 60 characters.
fn brief(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::Simulation;
    use crate::examples::tutorial_examples;

    fn story(name: &str) -> Vec<String> {
        let program = tutorial_examples()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1;
        story_of(program)
    }

    /// The narrative of a whole run, each line stamped `t=...`.
    fn story_of(program: crate::engine::Program) -> Vec<String> {
        let mut sim = Simulation::new(program).unwrap();
        sim.run_to_end();
        sim.with_loop(|l| {
            l.narrative()
                .iter()
                .map(|told| {
                    format!(
                        "t={} {}",
                        told.time,
                        crate::i18n::say(crate::i18n::Lang::En, &l.said(told))
                    )
                })
                .collect()
        })
    }

    #[test]
    fn the_story_of_gather_tells_who_sleeps_until_when() {
        let s = story("01_gather");
        for expected in [
            "t=0 Task-1 creates Task-2 · func1_5(); it starts when Task-1 yields",
            "t=0 Task-1 waits for gather",
            "t=0 Task-2 sleeps until t=5.0",
            "t=3 Task-3 returns 'recv num 3'",
        ] {
            assert!(s.iter().any(|l| l == expected), "no {expected:?} in {s:#?}");
        }
    }

    #[test]
    fn the_story_of_a_failing_gather_says_the_others_keep_running() {
        use crate::engine::{Awaitable, Coroutine, ExcKind, Program, Step};
        let program = Program {
            coroutines: vec![
                Coroutine::new(
                    "main",
                    vec![Step::try_except(
                        vec![Step::Gather {
                            items: vec![Awaitable::Coro(1), Awaitable::Coro(2), Awaitable::Coro(3)],
                            return_exceptions: false,
                            bind: None,
                        }],
                        ExcKind::ValueError,
                        vec![Step::sleep(3.0)],
                    )],
                ),
                Coroutine::new("a", vec![Step::sleep(1.0)]),
                Coroutine::new(
                    "b",
                    vec![
                        Step::sleep(0.5),
                        Step::Raise {
                            kind: ExcKind::ValueError,
                            message: Some("bad".into()),
                        },
                    ],
                ),
                Coroutine::new("c", vec![Step::sleep(2.0)]),
            ],
            ..Program::default()
        };
        let s = story_of(program);
        assert!(
            s.iter().any(|l| l == "t=0.5 gather passes ValueError('bad') on to Task-1; Task-2 and Task-4 keep running"),
            "{s:#?}"
        );
    }

    #[test]
    fn the_story_of_a_loop_in_another_thread_says_which_loop_does_what() {
        let program = crate::gallery::presets()
            .into_iter()
            .find(|p| p.id == "loop_in_thread")
            .unwrap()
            .program;
        let s = story_of(program);
        for expected in [
            "t=0 run_coroutine_threadsafe hands fetch_page() to the side loop's thread",
            "t=0 the side loop makes Task-3 for fetch_page()",
            "t=1 run_coroutine_threadsafe(fetch_page()) returned 'fetch_page data': the outcome is back on the main loop",
        ] {
            assert!(s.iter().any(|l| l == expected), "no {expected:?} in {s:#?}");
        }
    }

    #[test]
    fn the_story_of_a_cancellation_says_where_it_lands() {
        let s = story("08_cancel_all");
        assert!(s.iter().any(|l| l == "t=3.5 Task-1 asks func1-5 to cancel: CancelledError will land at its current await"));
        assert!(s.iter().any(|l| l == "t=3.5 func1-5 is cancelled"));
    }
}
