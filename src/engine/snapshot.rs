//! What the loop looks like at one moment, for the views: the clock, the
//! iteration, the ready queue in order, the timers by deadline, and every
//! task's state with what it awaits. A `Recording` keeps one snapshot per
//! iteration, so a time cursor can show any earlier moment by replaying
//! the deterministic run instead of re-running it.

use super::core::{Callback, FutKind, Loop, Outcome};
use super::ids::TaskId;

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
    /// The task this one awaits, when it awaits a task (the await tree).
    pub awaits_task: Option<TaskId>,
    /// A cancellation requested and not yet delivered.
    pub cancel_pending: bool,
    /// The step it is at: `(coroutine, pre-order index)`.
    pub at: Option<(u32, u32)>,
    pub coro: Option<u32>,
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
}

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
            Callback::User(i) => match self.scenario.program.callbacks.get(i as usize) {
                Some(cb) => format!("call {}()", cb.name),
                None => "a callback".into(),
            },
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let ready = self
            .ready
            .iter()
            .filter(|r| !self.is_cancelled_handle(r))
            .map(|r| self.describe_callback(r.callback))
            .collect();
        let mut timers: Vec<(f64, String)> = self
            .handles
            .iter()
            .filter(|h| h.scheduled && !h.cancelled)
            .filter_map(|h| h.when.map(|w| (w, self.describe_callback(h.callback))))
            .collect();
        timers.sort_by(|a, b| a.0.total_cmp(&b.0));
        let tasks = self
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let id = TaskId(i as u32);
                let state = match &self.fut(t.fut).outcome {
                    Some(Outcome::Returned(v)) => TaskState::Returned(v.py_repr()),
                    Some(Outcome::Raised(e)) => TaskState::Raised(e.py_repr()),
                    Some(Outcome::Cancelled(_)) => TaskState::Cancelled,
                    None if self.current == Some(id) => TaskState::Running,
                    None if !t.started => TaskState::NotStarted,
                    None => match t.fut_waiter {
                        Some(f) => TaskState::Waiting {
                            on: self.describe_future(f),
                        },
                        None => TaskState::Ready,
                    },
                };
                let awaits_task = t.fut_waiter.and_then(|f| match self.fut(f).kind {
                    FutKind::Task(other) => Some(other),
                    _ => None,
                });
                TaskView {
                    id,
                    name: t.name.to_string(),
                    awaits_task,
                    cancel_pending: t.must_cancel,
                    at: t.at,
                    coro: t.coro_id,
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
        }
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
    let mut sim = crate::engine::Simulation::new(program.clone()).ok()?;
    sim.track_positions();
    loop {
        let done = sim.with_loop(|l| l.iteration);
        for (_, task) in cancels.iter().filter(|(at, _)| *at == done) {
            sim.cancel_now(*task);
        }
        if !sim.is_running() || done >= iterations {
            break;
        }
        sim.run_once();
    }
    Some(sim.snapshot())
}

/// A lane of the timeline: one task's states over virtual time.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub task: TaskId,
    pub name: String,
    /// `(from, to, state key)`; the last segment ends at the run's end.
    pub segments: Vec<(f64, f64, &'static str)>,
    /// Moments a cancellation was requested.
    pub cancels: Vec<f64>,
}

/// The timeline's lanes, read from the trace in one pass.
pub fn lanes(l: &Loop) -> Vec<Lane> {
    use super::trace::Event;
    let mut lanes: Vec<Lane> = Vec::with_capacity(l.tasks.len());
    let mut now = 0.0;
    let set = |lanes: &mut Vec<Lane>, task: TaskId, now: f64, key: &'static str| {
        let Some(lane) = lanes.get_mut(task.index()) else {
            return;
        };
        match lane.segments.last_mut() {
            Some(last) if last.2 == key => {}
            Some(last) => {
                last.1 = now;
                lane.segments.push((now, now, key));
            }
            None => lane.segments.push((now, now, key)),
        }
    };
    for event in &l.trace {
        match *event {
            Event::Clock(t) => now = t,
            Event::TaskCreated { task, .. } => {
                lanes.push(Lane {
                    task,
                    name: l.task(task).name.to_string(),
                    segments: vec![(now, now, "not-started")],
                    cancels: Vec::new(),
                });
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

/// The await tree at a snapshot, one line per pending task, in the style
/// of `python -m asyncio pstree`: a task's line is followed, indented, by
/// the tasks awaiting it; roots are tasks that await no pending task.
pub fn await_tree(snapshot: &Snapshot) -> Vec<String> {
    let pending: Vec<&TaskView> = snapshot
        .tasks
        .iter()
        .filter(|t| !t.state.is_done())
        .collect();
    let position = |id: TaskId| pending.iter().position(|t| t.id == id);
    let mut awaited_by: Vec<Vec<usize>> = vec![Vec::new(); pending.len()];
    let mut roots = Vec::new();
    for (i, task) in pending.iter().enumerate() {
        match task.awaits_task.and_then(position) {
            Some(parent) => awaited_by[parent].push(i),
            None => roots.push(i),
        }
    }
    let mut lines = Vec::new();
    let mut seen = vec![false; pending.len()];
    for root in roots {
        walk(root, 0, &pending, &awaited_by, &mut seen, &mut lines);
    }
    // Tasks left unseen await each other in a cycle: a deadlock.
    for i in 0..pending.len() {
        if !seen[i] {
            lines.push(format!("cycle: {}", pending[i].name));
            walk(i, 1, &pending, &awaited_by, &mut seen, &mut lines);
        }
    }
    lines
}

fn walk(
    i: usize,
    depth: usize,
    pending: &[&TaskView],
    awaited_by: &[Vec<usize>],
    seen: &mut [bool],
    lines: &mut Vec<String>,
) {
    let task = pending[i];
    let what = match &task.state {
        TaskState::Waiting { on } => format!(" (awaits {on})"),
        TaskState::Ready => " (ready)".into(),
        TaskState::NotStarted => " (not started)".into(),
        TaskState::Running => " (running)".into(),
        _ => String::new(),
    };
    let prefix = if depth == 0 {
        String::new()
    } else {
        format!("{}└── ", "    ".repeat(depth - 1))
    };
    lines.push(format!("{prefix}{}{what}", task.name));
    if seen[i] {
        return;
    }
    seen[i] = true;
    for &child in &awaited_by[i] {
        walk(child, depth + 1, pending, awaited_by, seen, lines);
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
    fn the_await_tree_puts_a_task_under_the_task_it_awaits() {
        // 14_task_states: main (Task-1) awaits Task-2 from t=1 to t=3.
        let all = snapshots("14_task_states");
        let s = all
            .iter()
            .find(|s| s.time == 1.0 && s.tasks[0].awaits_task.is_some())
            .unwrap();
        assert_eq!(
            await_tree(s),
            ["Task-2 (awaits sleep)", "└── Task-1 (awaits task Task-2)"]
        );
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
        assert!(sim.cancel_now(TaskId(1)));
        sim.run_to_end();
        let end = sim.snapshot();
        assert_eq!(end.tasks[1].state, TaskState::Cancelled);
        // gather propagates the CancelledError to main, which did not catch it.
        assert_eq!(end.tasks[0].state, TaskState::Cancelled);
    }
}
