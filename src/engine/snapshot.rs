//! What the loop looks like at one moment, for the views: the clock, the
//! iteration, the ready queue in order, the timers by deadline, and every
//! task's state with what it awaits. A `Recording` keeps one snapshot per
//! iteration, so a time cursor can show any earlier moment by replaying
//! the deterministic run instead of re-running it.

use super::aio::CombKind;
use super::core::{Callback, FutKind, Loop, Outcome};
use super::fasthash::FastHashMap;
use super::ids::TaskId;
use super::threads::JobState;
use super::value::ExcKind;
use crate::i18n::{t, tree_state, Lang};

/// A task's state as a learner reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskState {
    /// Created; its first step is scheduled but has not run.
    NotStarted,
    /// Being stepped right now.
    Running,
    /// Suspended at an await; `on` says on what.
    Waiting {
        on: String,
    },
    /// Suspended by `sleep(0)`: runs again next iteration.
    Ready,
    Returned(String),
    Raised(String),
    Cancelled,
}

impl TaskState {
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            TaskState::Returned(_) | TaskState::Raised(_) | TaskState::Cancelled
        )
    }

    /// A short key for styles and tests.
    pub fn key(&self) -> &'static str {
        match self {
            TaskState::NotStarted => "not-started",
            TaskState::Running => "running",
            TaskState::Waiting { .. } => "waiting",
            TaskState::Ready => "ready",
            TaskState::Returned(_) => "returned",
            TaskState::Raised(_) => "raised",
            TaskState::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TaskView {
    pub id: TaskId,
    pub name: String,
    pub state: TaskState,
    /// The tasks this one awaits right now, directly or through a
    /// combinator (the await tree).
    pub awaits: Vec<TaskId>,
    /// What it awaits them through, when that is a combinator.
    pub through: Option<CombKind>,
    /// A cancellation requested and not yet delivered.
    pub cancel_pending: bool,
    /// The step it is at: `(coroutine, pre-order index)`.
    pub at: Option<(u32, u32)>,
    pub coro: Option<u32>,
    /// It belongs to the side loop, the one in a thread of its own.
    pub on_side: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub iteration: u32,
    pub time: f64,
    /// What runs next, in order.
    pub ready: Vec<String>,
    /// Armed timers, earliest first: `(deadline, what it does)`.
    pub timers: Vec<(f64, String)>,
    pub tasks: Vec<TaskView>,
    /// How many lines were printed so far.
    pub printed: usize,
    /// How many trace events so far.
    pub events: usize,
    /// What each `gather`, `wait` and `as_completed` has given so far.
    pub results: Vec<ResultView>,
    /// Each `run_in_executor` call so far, in call order (at most
    /// `JOB_ROWS`, the newest).
    pub jobs: Vec<JobView>,
    /// The side loop, if the program has one.
    pub side: Option<SideView>,
}

/// The side loop (a second event loop in a thread of its own) at a moment.
#[derive(Clone, Debug, PartialEq)]
pub struct SideView {
    pub iteration: u32,
    pub thread: SideThread,
    pub ready: Vec<String>,
    pub timers: Vec<(f64, String)>,
}

/// Where the side loop's thread is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SideThread {
    /// Started; `run_forever` has not run yet.
    Starting,
    /// In `select` until this time (its next timer).
    WaitingUntil(f64),
    /// In `select` until a `call_soon_threadsafe` wakes it.
    Waiting,
    /// Woken in `select` by a `call_soon_threadsafe`: it runs next.
    Woken,
    /// A task of its holds the thread in `time.sleep` until this time:
    /// the whole side loop waits.
    Holding(f64),
    /// Stopped: `run_forever` returned and the thread ended.
    Stopped,
}

/// Job runs shown: the newest ones.
pub const JOB_ROWS: usize = 50;

/// One `run_in_executor` call: which job, and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct JobView {
    pub name: String,
    pub state: JobStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JobStatus {
    /// Waiting for one of the executor's workers.
    Queued,
    /// On a worker thread, running.
    Running,
    /// On a worker thread, in `time.sleep` until this time.
    Sleeping(f64),
    /// Its function returned or raised, told as a task's end is.
    Ended(TaskState),
    /// Cancelled while queued: it never ran.
    Cancelled,
}

/// A finished future's outcome as a learner reads it.
fn ended_state(outcome: &Outcome) -> TaskState {
    match outcome {
        Outcome::Returned(v) => TaskState::Returned(v.py_repr_brief()),
        Outcome::Raised(e) => TaskState::Raised(e.py_repr_brief()),
        Outcome::Cancelled(_) => TaskState::Cancelled,
    }
}

/// One `gather`, `wait` or `as_completed` call and what it gave.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultView {
    pub kind: CombKind,
    pub caller: String,
    /// The call has returned (or raised) to its caller.
    pub finished: bool,
    /// In argument order (at most `RESULT_ITEMS`).
    pub items: Vec<ResultItem>,
    /// For `as_completed`: the order items finished in, as indexes into
    /// `items` (while it runs, the order so far).
    pub completion_order: Vec<usize>,
    /// Items left out past `RESULT_ITEMS`.
    pub more: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResultItem {
    pub name: String,
    /// `repr` of its result or exception; `None` while pending.
    pub outcome: Option<String>,
    /// Done when the call returned (a `wait`'s done set), or by now while
    /// it runs.
    pub done: bool,
}

/// Items shown per call: a gather of 10,000 tasks shows its first ones.
pub const RESULT_ITEMS: usize = 50;

/// Result calls shown: the newest ones.
pub const RESULT_CALLS: usize = 20;

impl Loop {
    fn describe_callback(&self, callback: Callback) -> String {
        let task = |t: TaskId| self.task(t).name.to_string();
        match callback {
            Callback::Step(t) => format!("step {}", task(t)),
            Callback::Wakeup(t) => format!("wake {}", task(t)),
            Callback::SetResultUnlessCancelled(_) => "end a sleep".into(),
            Callback::ReleaseWaiter(_) => "release a waiter".into(),
            Callback::WaitCompletion(_) => "wait(): a task finished".into(),
            Callback::GatherChildDone(_) => "gather(): a child finished".into(),
            Callback::AsCompletedCompletion(_) => "as_completed(): a task finished".into(),
            Callback::AsCompletedTimeout(_) => "as_completed(): timeout".into(),
            Callback::ShieldInnerDone(_) | Callback::ShieldOuterDone(_) => {
                "shield(): pass the outcome on".into()
            }
            Callback::StopLoop => "stop the loop (run_until_complete is done)".into(),
            Callback::ExecutorCheckCancel(run) => {
                format!(
                    "check whether run_in_executor({}) was cancelled",
                    self.job_name(run)
                )
            }
            Callback::ExecutorSetState(run) => {
                format!("hand job {}'s result to its future", self.job_name(run))
            }
            Callback::SideSubmit(run) => format!(
                "make {}()'s task (run_coroutine_threadsafe)",
                self.side_coro_name(run)
            ),
            Callback::SideCancelTask(run) => {
                format!("cancel {}()'s task", self.side_coro_name(run))
            }
            Callback::SideSetConcurrent(run) => format!(
                "hand {}()'s outcome to its concurrent future",
                self.side_coro_name(run)
            ),
            Callback::WrapCheckCancel(run) => format!(
                "check whether run_coroutine_threadsafe({}()) was cancelled",
                self.side_coro_name(run)
            ),
            Callback::WrapSetState(run) => format!(
                "hand {}()'s outcome to the future awaited here",
                self.side_coro_name(run)
            ),
            Callback::StopSideLoop => "stop the side loop".into(),
            Callback::User(i) => match self.scenario.program.callbacks.get(i as usize) {
                Some(cb) => format!("call {}()", cb.name),
                None => "a callback".into(),
            },
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let ready = self.describe_ready(&self.ready);
        let timers = self.describe_timers(self.live_timers());
        let mut awaiting = self.awaiting();
        let tasks = self
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let id = TaskId(i as u32);
                let state = match &self.fut(t.fut).outcome {
                    Some(outcome) => ended_state(outcome),
                    None if self.current == Some(id) || self.held_on_side() == Some(id) => {
                        TaskState::Running
                    }
                    None if !t.started => TaskState::NotStarted,
                    None => match t.fut_waiter {
                        Some(f) => TaskState::Waiting {
                            on: self.describe_future(f),
                        },
                        None => TaskState::Ready,
                    },
                };
                let (awaits, through) = awaiting.remove(&id).unwrap_or_default();
                TaskView {
                    id,
                    name: t.name.to_string(),
                    awaits,
                    through,
                    cancel_pending: t.must_cancel,
                    at: self.positions.get(id.index()).copied().flatten(),
                    coro: t.coro_id,
                    on_side: t.on_side,
                    state,
                }
            })
            .collect();
        Snapshot {
            iteration: self.iteration,
            time: self.now,
            ready,
            timers,
            tasks,
            printed: self.output.len(),
            events: self.trace.len(),
            results: self.results(),
            jobs: self.job_views(),
            side: self.side_view(),
        }
    }

    /// The side loop's task held in `time.sleep`, still in its step.
    fn held_on_side(&self) -> Option<TaskId> {
        self.side.as_deref()?.held
    }

    /// A ready queue as the views list it: what runs next, in order,
    /// without the cancelled handles.
    fn describe_ready(&self, ready: &super::ready::ReadyQueue) -> Vec<String> {
        ready
            .iter()
            .filter(|r| !self.is_cancelled_handle(r))
            .map(|r| self.describe_callback(r.callback))
            .collect()
    }

    fn describe_timers(&self, timers: Vec<(f64, Callback)>) -> Vec<(f64, String)> {
        timers
            .into_iter()
            .map(|(when, callback)| (when, self.describe_callback(callback)))
            .collect()
    }

    fn side_view(&self) -> Option<SideView> {
        use super::side::Thread;
        let queues = self.side_queues()?;
        let thread = match self.side.as_deref()?.thread {
            Thread::Starting => SideThread::Starting,
            Thread::Holding => SideThread::Holding(self.side.as_deref()?.hold_until),
            Thread::Ended => SideThread::Stopped,
            Thread::Selecting { woken: true } => SideThread::Woken,
            Thread::Selecting { woken: false } | Thread::Running => {
                match self.threads.side_loop_wake() {
                    Some(wake) if wake.is_finite() => SideThread::WaitingUntil(wake),
                    _ => SideThread::Waiting,
                }
            }
        };
        Some(SideView {
            iteration: queues.iteration,
            thread,
            ready: self.describe_ready(queues.ready),
            timers: self.describe_timers(queues.timers),
        })
    }

    fn job_views(&self) -> Vec<JobView> {
        let runs = &self.threads.runs;
        let first = runs.len().saturating_sub(JOB_ROWS);
        runs[first..]
            .iter()
            .zip(first as u32..)
            .map(|(run, index)| JobView {
                name: self.job_name(index),
                state: match &run.state {
                    JobState::Queued => JobStatus::Queued,
                    JobState::Running { until: None } => JobStatus::Running,
                    JobState::Running { until: Some(t) } => JobStatus::Sleeping(*t),
                    JobState::Finished(outcome) => JobStatus::Ended(ended_state(outcome)),
                    JobState::Cancelled => JobStatus::Cancelled,
                },
            })
            .collect()
    }

    /// For each task awaiting something now: the tasks behind it, and the
    /// combinator when there is one.
    /// The tasks each suspended task awaits right now, and through what:
    /// those behind what it is suspended on (a task; a gather's children;
    /// the tasks given to the wait, wait_for, as_completed or shield it
    /// is in), as CPython's task would show them.
    fn awaiting(&self) -> FastHashMap<TaskId, (Vec<TaskId>, Option<CombKind>)> {
        let mut ongoing: FastHashMap<TaskId, Vec<&super::aio::Combination>> = Default::default();
        for c in self.aio.combinations.iter().filter(|c| !c.ended) {
            ongoing.entry(c.caller).or_default().push(c);
        }
        let mut map: FastHashMap<TaskId, (Vec<TaskId>, Option<CombKind>)> = Default::default();
        for (i, t) in self.tasks.iter().enumerate() {
            let Some(waiter) = t.fut_waiter.filter(|_| !self.is_done(t.fut)) else {
                continue;
            };
            let task = TaskId(i as u32);
            let kind = match self.fut(waiter).kind {
                FutKind::Task(awaited) => {
                    map.insert(task, (vec![awaited], None));
                    continue;
                }
                FutKind::SideLoop(_) => {
                    let behind = self.task_behind(waiter).into_iter().collect();
                    map.insert(task, (behind, None));
                    continue;
                }
                FutKind::Gather(_) => CombKind::Gather,
                FutKind::WaitWaiter => CombKind::Wait,
                FutKind::WaitForWaiter => CombKind::WaitFor,
                FutKind::AsCompletedWaiter => CombKind::AsCompleted,
                FutKind::Shield => CombKind::Shield,
                _ => continue,
            };
            let combination = ongoing
                .get(&task)
                .and_then(|cs| cs.iter().rev().find(|c| c.kind == kind));
            if let Some(c) = combination {
                let awaited = c
                    .items
                    .iter()
                    .filter_map(|f| self.task_behind(*f))
                    .collect();
                map.insert(task, (awaited, Some(kind)));
            }
        }
        map
    }

    fn results(&self) -> Vec<ResultView> {
        let calls: Vec<_> = self
            .aio
            .combinations
            .iter()
            .filter(|c| {
                matches!(
                    c.kind,
                    CombKind::Gather | CombKind::Wait | CombKind::AsCompleted
                )
            })
            .collect();
        let calls = &calls[calls.len().saturating_sub(RESULT_CALLS)..];
        if calls.is_empty() {
            return Vec::new();
        }
        calls
            .iter()
            .map(|c| {
                let done = |i: usize| match c.kind {
                    CombKind::Wait if c.ended => c.done_at_end.get(i).copied().unwrap_or(false),
                    _ => self.is_done(c.items[i]),
                };
                let items = c
                    .items
                    .iter()
                    .take(RESULT_ITEMS)
                    .enumerate()
                    .map(|(i, f)| ResultItem {
                        name: match self.fut(*f).kind {
                            FutKind::Task(t) => self.task(t).name.to_string(),
                            _ => self.describe_future(*f),
                        },
                        outcome: match &self.fut(*f).outcome {
                            Some(Outcome::Returned(v)) => Some(v.py_repr_brief()),
                            Some(Outcome::Raised(e)) => Some(e.py_repr_brief()),
                            Some(Outcome::Cancelled(_)) => Some("CancelledError()".into()),
                            None => None,
                        },
                        done: done(i),
                    })
                    .collect();
                let shown: FastHashMap<_, usize> = c
                    .items
                    .iter()
                    .take(RESULT_ITEMS)
                    .enumerate()
                    .map(|(i, f)| (*f, i))
                    .collect();
                let completion_order = c
                    .finished_order
                    .iter()
                    .filter_map(|f| shown.get(f).copied())
                    .collect();
                ResultView {
                    kind: c.kind,
                    caller: self.task(c.caller).name.to_string(),
                    finished: c.ended,
                    items,
                    completion_order,
                    more: c.items.len().saturating_sub(RESULT_ITEMS),
                }
            })
            .collect()
    }
}

/// Where each iteration of a run begins: small marks, one per iteration
/// (and one at the end), so a time cursor can find any moment. The full
/// snapshot of an earlier moment comes from replaying the deterministic
/// run to it ([`snapshot_at`]), never from storing one per iteration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recording {
    pub marks: Vec<Mark>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    /// Iterations completed when the mark was taken.
    pub iteration: u32,
    pub time: f64,
    /// Trace events and printed lines so far.
    pub events: usize,
    pub printed: usize,
}

impl Recording {
    pub fn mark(&mut self, l: &Loop) {
        let mark = Mark {
            iteration: l.iteration,
            time: l.now,
            events: l.trace.len(),
            printed: l.output.len(),
        };
        if self.marks.last() != Some(&mark) {
            self.marks.push(mark);
        }
    }

    pub fn end_time(&self) -> f64 {
        self.marks.last().map_or(0.0, |m| m.time)
    }
}

/// The loop as it was after `iterations` iterations of `program`, by
/// replaying the run (it is deterministic, so this is that moment exactly).
pub fn snapshot_at(program: &crate::engine::Program, iterations: u32) -> Option<Snapshot> {
    snapshot_at_with(program, iterations, &[])
}

/// The same, re-applying cancellations requested from outside the program
/// (`(after this many iterations, task)`), as the live run had them.
pub fn snapshot_at_with(
    program: &crate::engine::Program,
    iterations: u32,
    cancels: &[(u32, TaskId)],
) -> Option<Snapshot> {
    simulation_at(program, iterations, cancels).map(|sim| sim.snapshot())
}

/// The run itself at that moment, to go on from there.
pub fn simulation_at(
    program: &crate::engine::Program,
    iterations: u32,
    cancels: &[(u32, TaskId)],
) -> Option<crate::engine::Simulation> {
    let mut sim = crate::engine::Simulation::new(program.clone()).ok()?;
    sim.track_positions();
    loop {
        let done = sim.with_loop(|l| l.iteration);
        for (_, task) in cancels.iter().filter(|(at, _)| *at == done) {
            // What it raised, if anything, was raised live too.
            let _ = sim.cancel_now(*task);
        }
        if !sim.is_running() || done >= iterations {
            break;
        }
        sim.run_once();
    }
    Some(sim)
}

/// A lane of the timeline: one task's states over virtual time.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub task: TaskId,
    pub name: String,
    /// What the task runs (`task_call`); empty when unknown.
    pub call: String,
    /// `(from, to, state key)`; the last segment ends at the run's end.
    pub segments: Vec<(f64, f64, &'static str)>,
    /// Moments a cancellation was requested.
    pub cancels: Vec<f64>,
    /// Await edges: when this task began awaiting another.
    pub awaits: Vec<(f64, TaskId)>,
    /// Exceptions thrown into the task where it waited (a cancellation
    /// landing, an error an awaited task passed on).
    pub thrown: Vec<(f64, ExcKind)>,
    /// Moments a timeout of this task's ran out.
    pub timeouts: Vec<f64>,
}

/// What a task runs, as the views name it: `func1()`; or, for a task of
/// no coroutine of the program (those `asyncio.run` makes once main has
/// returned), the shutdown step it is, after `shutdowns_before` of them.
pub fn task_call(
    program: &crate::engine::Program,
    coro: Option<u32>,
    shutdowns_before: usize,
) -> String {
    match coro {
        Some(c) => program
            .coroutines
            .get(c as usize)
            .map_or_else(|| "?".into(), |co| format!("{}()", co.name)),
        None if shutdowns_before == 0 => "BaseEventLoop.shutdown_asyncgens()".into(),
        None => "BaseEventLoop.shutdown_default_executor()".into(),
    }
}

impl Lane {
    /// A task's lane with nothing on it yet.
    pub fn new(task: TaskId, name: String) -> Lane {
        Lane {
            task,
            name,
            call: String::new(),
            segments: Vec::new(),
            cancels: Vec::new(),
            awaits: Vec::new(),
            thrown: Vec::new(),
            timeouts: Vec::new(),
        }
    }

    /// The task is in state `key` from `at`: the segment it is in goes on,
    /// or ends there and a new one runs to `until` (to be moved on by the
    /// next change).
    pub fn enter(&mut self, at: f64, until: f64, key: &'static str) {
        match self.segments.last_mut() {
            Some(last) if last.2 == key => {}
            Some(last) => {
                last.1 = at;
                self.segments.push((at, until, key));
            }
            None => self.segments.push((at, until, key)),
        }
    }
}

/// Await edges kept per await: a gather of 10,000 tasks draws its first.
const MAX_EDGES: usize = 200;

/// The timeline's lanes, read from the trace in one pass.
pub fn lanes(l: &Loop) -> Vec<Lane> {
    use super::trace::Event;
    let mut lanes: Vec<Lane> = Vec::with_capacity(l.tasks.len());
    let mut now = 0.0;
    let mut shutdowns = 0;
    let set = |lanes: &mut Vec<Lane>, task: TaskId, now: f64, key: &'static str| {
        if let Some(lane) = lanes.get_mut(task.index()) {
            lane.enter(now, now, key);
        }
    };
    for event in &l.trace {
        match *event {
            Event::Clock(t) => now = t.get(),
            Event::TaskCreated(task) => {
                let mut lane = Lane::new(task, l.task(task).name.to_string());
                let coro = l.task(task).coro_id;
                lane.call = task_call(&l.scenario.program, coro, shutdowns);
                shutdowns += usize::from(coro.is_none());
                lane.enter(now, now, "not-started");
                lanes.push(lane);
            }
            Event::TaskRunning(t) => set(&mut lanes, t, now, "running"),
            Event::TaskSuspended { task, .. } => set(&mut lanes, task, now, "waiting"),
            Event::TaskYielded(t) => set(&mut lanes, t, now, "ready"),
            Event::TaskFinished(t) => {
                let key = match &l.fut(l.task(t).fut).outcome {
                    Some(Outcome::Returned(_)) => "returned",
                    Some(Outcome::Raised(_)) => "raised",
                    _ => "cancelled",
                };
                set(&mut lanes, t, now, key);
            }
            Event::CancelRequested { task, .. } => {
                if let Some(lane) = lanes.get_mut(task.index()) {
                    lane.cancels.push(now);
                }
            }
            Event::Awaits { task, combination } => {
                let Some(c) = l.aio.combinations.get(combination as usize) else {
                    continue;
                };
                if let Some(lane) = lanes.get_mut(task.index()) {
                    for f in c.items.iter().take(MAX_EDGES) {
                        if let Some(other) = l.task_behind(*f) {
                            lane.awaits.push((now, other));
                        }
                    }
                }
            }
            Event::Thrown { task, kind } => {
                if let Some(lane) = lanes.get_mut(task.index()) {
                    lane.thrown.push((now, kind));
                }
            }
            Event::TimedOut(task) => {
                if let Some(lane) = lanes.get_mut(task.index()) {
                    lane.timeouts.push(now);
                }
            }
            _ => {}
        }
    }
    for lane in &mut lanes {
        if let Some(last) = lane.segments.last_mut() {
            last.1 = last.1.max(now);
        }
        // A step, and an end, that took no virtual time still show as thin
        // marks; other zero-length states were passed through at once.
        lane.segments.retain(|s| {
            s.1 > s.0 || matches!(s.2, "running" | "returned" | "raised" | "cancelled")
        });
    }
    lanes
}

/// The await tree at a snapshot, in the style of CPython 3.14's
/// `python -m asyncio pstree`: each pending task that nothing awaits is a
/// root, and under a task come the tasks it awaits (through the combinator
/// it awaits them with). A task awaited by two tasks shows under both; a
/// cycle of tasks awaiting each other (a deadlock) is marked where it closes.
pub fn await_tree(snapshot: &Snapshot) -> Vec<String> {
    draw_await_tree(&await_nodes(snapshot))
}

/// The pending tasks of a snapshot, in the order they were made, as the
/// await tree's nodes.
pub fn await_nodes(snapshot: &Snapshot) -> Vec<AwaitNode<'_>> {
    let pending: Vec<&TaskView> = snapshot
        .tasks
        .iter()
        .filter(|t| !t.state.is_done())
        .collect();
    let mut position = vec![None; snapshot.tasks.len()];
    for (i, t) in pending.iter().enumerate() {
        if let Some(p) = position.get_mut(t.id.index()) {
            *p = Some(i);
        }
    }
    let nodes: Vec<AwaitNode> = pending
        .into_iter()
        .map(|t| AwaitNode {
            name: &t.name,
            state: match &t.state {
                TaskState::Waiting { on } => tree_state(Lang::En, "waiting", Some(on)),
                state => tree_state(Lang::En, state.key(), None),
            },
            through: t.through.map(|kind| kind.python_name().to_string()),
            awaits: {
                // In the order the tasks were made, as a picture lists them.
                let mut awaits: Vec<usize> = t
                    .awaits
                    .iter()
                    .filter_map(|id| position.get(id.index()).copied().flatten())
                    .collect();
                awaits.sort_unstable();
                awaits.dedup();
                awaits
            },
        })
        .collect();
    nodes
}

/// A pending task as the await tree draws it.
pub struct AwaitNode<'a> {
    pub name: &'a str,
    /// What follows the name: ` (awaits sleep)`.
    pub state: String,
    /// How it awaits its children (`asyncio.gather`, `await`), if it does.
    pub through: Option<String>,
    /// The places in the list of the tasks it awaits.
    pub awaits: Vec<usize>,
}

/// One place a task takes in the await tree: a task awaited by two
/// tasks takes a place under each.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    /// The task's place in the list of nodes.
    pub node: usize,
    /// The tasks it awaits, in the order they were made.
    pub children: Vec<Placed>,
    /// It is already above this place: the tasks await each other in a
    /// cycle, which closes here.
    pub closes_cycle: bool,
}

/// Pending tasks as a forest: each that nothing awaits is a root, the
/// tasks it awaits under it; `cycles` holds tasks never reached that way,
/// which await each other in a cycle (a deadlock).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AwaitForest {
    pub roots: Vec<Placed>,
    pub cycles: Vec<Placed>,
    /// Stopped at `MAX_TREE_LINES` places (and combinator lines).
    pub cut: bool,
}

/// Who awaits whom, as a forest both drawings read: the text tree and the
/// page's graph. Graph mode draws the engine's tasks with it, code mode
/// CPython's.
pub fn await_forest(nodes: &[AwaitNode]) -> AwaitForest {
    let mut awaited = vec![false; nodes.len()];
    for &child in nodes.iter().flat_map(|n| &n.awaits) {
        if let Some(a) = awaited.get_mut(child) {
            *a = true;
        }
    }
    let mut walk = Walk {
        nodes,
        seen: vec![false; nodes.len()],
        places: 0,
        cut: false,
    };
    let mut path = Vec::new();
    let mut forest = AwaitForest::default();
    for root in (0..nodes.len()).filter(|i| !awaited[*i]) {
        if let Some(placed) = walk.place(root, &mut path) {
            forest.roots.push(placed);
        }
    }
    let mut from = 0;
    while let Some(i) = (from..nodes.len()).find(|i| !walk.seen[*i] && !walk.cut) {
        if let Some(placed) = walk.place(i, &mut path) {
            forest.cycles.push(placed);
        }
        from = i + 1;
    }
    forest.cut = walk.cut;
    forest
}

/// Places kept in the await tree: past a few hundred lines it is not read.
const MAX_TREE_LINES: usize = 400;

struct Walk<'a> {
    nodes: &'a [AwaitNode<'a>],
    seen: Vec<bool>,
    /// Lines the text tree would take so far.
    places: usize,
    cut: bool,
}

impl Walk<'_> {
    fn place(&mut self, i: usize, path: &mut Vec<usize>) -> Option<Placed> {
        if self.places >= MAX_TREE_LINES {
            self.cut = true;
            return None;
        }
        self.places += 1;
        if path.contains(&i) {
            return Some(Placed {
                node: i,
                children: Vec::new(),
                closes_cycle: true,
            });
        }
        self.seen[i] = true;
        let node = &self.nodes[i];
        // A child past the list is no task: left out, never indexed.
        let children: Vec<usize> = node
            .awaits
            .iter()
            .copied()
            .filter(|&c| c < self.nodes.len())
            .collect();
        let mut placed = Placed {
            node: i,
            children: Vec::new(),
            closes_cycle: false,
        };
        if children.is_empty() {
            return Some(placed);
        }
        if node.through.is_some() {
            self.places += 1;
        }
        path.push(i);
        for child in children {
            if self.cut {
                break;
            }
            placed.children.extend(self.place(child, path));
        }
        path.pop();
        Some(placed)
    }
}

/// Draws pending tasks as a tree of text lines (`python -m asyncio
/// pstree`'s style), from [`await_forest`].
pub fn draw_await_tree(nodes: &[AwaitNode]) -> Vec<String> {
    draw_forest(nodes, &await_forest(nodes), Lang::En)
}

/// The text lines of a forest already made of `nodes`, in `lang`.
pub fn draw_forest(nodes: &[AwaitNode], forest: &AwaitForest, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    for root in &forest.roots {
        draw_placed(nodes, root, "", "", &mut lines);
    }
    for cycle in &forest.cycles {
        lines.push(t(lang, "picture.cycle_head").to_string());
        draw_placed(nodes, cycle, "", "", &mut lines);
    }
    if forest.cut {
        lines.push("…".into());
    }
    lines
}

/// `lead` starts this task's line; `indent` starts the lines under it.
fn draw_placed(
    nodes: &[AwaitNode],
    placed: &Placed,
    lead: &str,
    indent: &str,
    lines: &mut Vec<String>,
) {
    let node = &nodes[placed.node];
    if placed.closes_cycle {
        lines.push(format!("{lead}{} ↺ awaits itself in a cycle", node.name));
        return;
    }
    lines.push(format!("{lead}{}{}", node.name, node.state));
    if placed.children.is_empty() {
        return;
    }
    let mut indent = indent.to_string();
    if let Some(kind) = &node.through {
        lines.push(format!("{indent}└── {kind}"));
        indent.push_str("    ");
    }
    for (n, child) in placed.children.iter().enumerate() {
        let last = n + 1 == placed.children.len();
        let lead = format!("{indent}{}", if last { "└── " } else { "├── " });
        let under = format!("{indent}{}", if last { "    " } else { "│   " });
        draw_placed(nodes, child, &lead, &under, lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Simulation;
    use crate::examples::tutorial_examples;

    fn program(name: &str) -> crate::engine::Program {
        tutorial_examples()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
    }

    /// A snapshot before every iteration and one at the end.
    fn snapshots(name: &str) -> Vec<Snapshot> {
        let mut sim = Simulation::new(program(name)).unwrap();
        sim.track_positions();
        let mut all = vec![sim.snapshot()];
        while sim.is_running() {
            sim.run_once();
            all.push(sim.snapshot());
        }
        all
    }

    #[test]
    fn before_the_first_iteration_only_mains_first_step_is_ready() {
        let first = &snapshots("01_gather")[0];
        assert_eq!((first.iteration, first.time), (0, 0.0));
        assert_eq!(first.ready, ["step Task-1"]);
        assert_eq!(first.tasks[0].state, TaskState::NotStarted);
    }

    #[test]
    fn while_gather_waits_the_timers_hold_each_sleep_in_deadline_order() {
        let all = snapshots("01_gather");
        let s = all.iter().rev().find(|s| s.time <= 1.0).unwrap();
        let deadlines: Vec<f64> = s.timers.iter().map(|t| t.0).collect();
        assert_eq!(deadlines, [3.0, 4.0, 5.0]);
        assert_eq!(
            s.tasks[0].state,
            TaskState::Waiting {
                on: "gather".into()
            }
        );
        assert!(s.tasks[1..4]
            .iter()
            .all(|t| t.state == TaskState::Waiting { on: "sleep".into() }));
        let end = all.last().unwrap();
        assert_eq!(end.time, 5.0);
        assert_eq!(
            end.tasks[1].state,
            TaskState::Returned("'recv num 5'".into())
        );
    }

    #[test]
    fn the_await_tree_puts_the_awaited_task_under_its_awaiter() {
        // 14_task_states: main (Task-1) awaits Task-2 from t=1 to t=3.
        let all = snapshots("14_task_states");
        let s = all
            .iter()
            .find(|s| s.time == 1.0 && !s.tasks[0].awaits.is_empty())
            .unwrap();
        assert_eq!(
            await_tree(s),
            ["Task-1 (awaits task Task-2)", "└── Task-2 (awaits sleep)"]
        );
    }

    /// The forest both drawings read: a task awaited by two tasks takes a
    /// place under each; tasks awaiting each other in a cycle come apart,
    /// the cycle closing where a task meets itself.
    #[test]
    fn the_await_forest_places_shared_tasks_twice_and_cycles_apart() {
        let node = |name, awaits: Vec<usize>| AwaitNode {
            name,
            state: String::new(),
            through: None,
            awaits,
        };
        // main awaits a and b, which both await c; d and e await each other.
        let nodes = [
            node("main", vec![1, 2]),
            node("a", vec![3]),
            node("b", vec![3]),
            node("c", vec![]),
            node("d", vec![5]),
            node("e", vec![4]),
        ];
        let forest = await_forest(&nodes);
        let leaf = |n| Placed {
            node: n,
            children: vec![],
            closes_cycle: false,
        };
        let under = |n, children| Placed {
            node: n,
            children,
            closes_cycle: false,
        };
        assert_eq!(
            forest.roots,
            [under(
                0,
                vec![under(1, vec![leaf(3)]), under(2, vec![leaf(3)])]
            )]
        );
        assert_eq!(
            forest.cycles,
            [under(
                4,
                vec![under(
                    5,
                    vec![Placed {
                        node: 4,
                        children: vec![],
                        closes_cycle: true
                    }]
                )]
            )]
        );
        assert!(!forest.cut);
        assert_eq!(
            draw_forest(&nodes, &forest, Lang::En),
            [
                "main",
                "├── a",
                "│   └── c",
                "└── b",
                "    └── c",
                "cycle (deadlock):",
                "d",
                "└── e",
                "    └── d ↺ awaits itself in a cycle",
            ]
        );
    }

    #[test]
    fn the_await_tree_shows_gathers_children_under_the_gather() {
        let all = snapshots("01_gather");
        let s = all.iter().rev().find(|s| s.time == 3.0).unwrap();
        assert_eq!(
            await_tree(s),
            [
                "Task-1 (awaits gather)",
                "└── asyncio.gather",
                "    ├── Task-2 (awaits sleep)",
                "    └── Task-4 (awaits sleep)",
            ]
        );
    }

    #[test]
    fn the_await_tree_marks_a_cycle_of_tasks_awaiting_each_other() {
        use crate::engine::{Awaitable, Coroutine, Program, Step};
        // a awaits b and b awaits a: nothing can ever finish.
        let program = Program {
            coroutines: vec![
                Coroutine::new(
                    "main",
                    vec![
                        Step::CreateTask { coro: 1 },
                        Step::CreateTask { coro: 2 },
                        Step::sleep(1.0),
                    ],
                ),
                Coroutine::new(
                    "a",
                    vec![Step::Await {
                        target: Awaitable::Task(2),
                        bind: None,
                    }],
                ),
                Coroutine::new(
                    "b",
                    vec![Step::Await {
                        target: Awaitable::Task(1),
                        bind: None,
                    }],
                ),
            ],
            ..Default::default()
        };
        let mut sim = Simulation::new(program).unwrap();
        while sim.now() < 0.5 {
            sim.run_once();
        }
        let tree = await_tree(&sim.snapshot());
        assert_eq!(
            tree[1..],
            [
                "cycle (deadlock):",
                "Task-2 (awaits task Task-3)",
                "└── Task-3 (awaits task Task-2)",
                "    └── Task-2 ↺ awaits itself in a cycle",
            ]
        );
    }

    fn items(view: &ResultView) -> Vec<(String, Option<String>, bool)> {
        view.items
            .iter()
            .map(|i| (i.name.clone(), i.outcome.clone(), i.done))
            .collect()
    }

    #[test]
    fn gathers_results_fill_in_argument_order() {
        let all = snapshots("01_gather");
        let mid = all.iter().rev().find(|s| s.time == 3.0).unwrap();
        let gather = &mid.results[0];
        assert_eq!(
            (gather.kind, gather.caller.as_str(), gather.finished),
            (CombKind::Gather, "Task-1", false)
        );
        assert_eq!(
            items(gather),
            [
                ("Task-2".into(), None, false),
                ("Task-3".into(), Some("'recv num 3'".into()), true),
                ("Task-4".into(), None, false),
            ]
        );
        let end = &all.last().unwrap().results[0];
        assert!(end.finished);
        assert!(end.items.iter().all(|i| i.done));
    }

    #[test]
    fn waits_sets_are_those_at_its_return_and_as_completed_keeps_finishing_order() {
        let end = snapshots("03_as_completed").pop().unwrap();
        let ac = &end.results[0];
        assert_eq!(ac.kind, CombKind::AsCompleted);
        // func1(5), func1(3), func1(4) finish 3, 4, 5.
        assert_eq!(ac.completion_order, [1, 2, 0]);

        let end = snapshots("11_wait_timeout").pop().unwrap();
        let wait = &end.results[0];
        assert_eq!(wait.kind, CombKind::Wait);
        // At t=3 the timeout returned n1 and n2 done and n3 pending; n3
        // finished at t=5, after, and stays in the pending set.
        assert_eq!(
            items(wait),
            [
                ("Task-2".into(), Some("'n1'".into()), true),
                ("Task-3".into(), Some("'n2'".into()), true),
                ("Task-4".into(), Some("'n3'".into()), false),
            ]
        );
        assert!(wait.finished);
    }

    #[test]
    fn lanes_mark_await_edges_landed_exceptions_and_timeouts() {
        let mut sim = Simulation::new(program("08_cancel_all")).unwrap();
        sim.run_to_end();
        let all = sim.with_loop(lanes);
        let func5 = all.iter().find(|l| l.name == "func1-5").unwrap();
        assert_eq!(func5.thrown, [(3.5, ExcKind::CancelledError)]);
        let main = &all[0];
        assert!(main.awaits.len() >= 3, "{:?}", main.awaits);

        let mut sim = Simulation::new(program("11_wait_timeout")).unwrap();
        sim.run_to_end();
        let all = sim.with_loop(lanes);
        assert_eq!(all[0].timeouts.len(), 1, "{:?}", all[0]);
    }

    #[test]
    fn lanes_follow_each_task_from_creation_to_its_end() {
        let mut sim = Simulation::new(program("08_cancel_all")).unwrap();
        sim.run_to_end();
        let lanes = sim.with_loop(lanes);
        let func5 = lanes.iter().find(|l| l.name == "func1-5").unwrap();
        assert_eq!(func5.segments.last().unwrap().2, "cancelled");
        assert!(func5
            .segments
            .iter()
            .any(|s| s.2 == "waiting" && s.0 == 0.0 && s.1 == 3.5));
        assert_eq!(func5.cancels, [3.5]);
        let func3 = lanes.iter().find(|l| l.name == "func1-3").unwrap();
        assert_eq!(func3.segments.last().unwrap().2, "returned");
        assert!(func3.cancels.is_empty(), "func1-3 was done when cancelled");
    }

    #[test]
    fn replaying_to_an_iteration_gives_that_moments_snapshot() {
        let all = snapshots("08_cancel_all");
        for (i, expected) in all.iter().enumerate().step_by(3) {
            assert_eq!(
                snapshot_at(&program("08_cancel_all"), i as u32).as_ref(),
                Some(expected),
                "iteration {i}"
            );
        }
        let mut sim = Simulation::new(program("08_cancel_all")).unwrap();
        let recording = sim.record();
        assert_eq!(recording.marks.len(), all.len());
        assert_eq!(recording.end_time(), 3.5);
    }

    #[test]
    fn cancelling_from_outside_reaches_the_task_at_its_await() {
        let mut sim = Simulation::new(program("01_gather")).unwrap();
        while sim.now() < 3.0 {
            sim.run_once();
        }
        // func1_5 (Task-2) sleeps until 5.0: cancel it now, from outside.
        assert_eq!(sim.cancel_now(TaskId(1)), Ok(true));
        sim.run_to_end();
        let end = sim.snapshot();
        assert_eq!(end.tasks[1].state, TaskState::Cancelled);
        // gather propagates the CancelledError to main, which did not catch it.
        assert_eq!(end.tasks[0].state, TaskState::Cancelled);
    }
}
