//! Editing a program: each edit is a pure operation on the program, kept
//! with an undo and a redo history. The web editor dispatches these; they
//! are tested natively.
//!
//! A step is addressed by a coroutine and a path that alternates step
//! indexes and sub-block indexes: `[2]` is the third step, `[2, 1, 0]` the
//! first step of the second block of that step (for `try`: the body is
//! block 0, each `except` follows, `finally` is last; for `if`: `then` is
//! 0 and `else` 1; other blocks have only block 0).

use crate::engine::program::{
    Awaitable, CallbackFn, CoroId, Coroutine, Expr, Handler, Job, Program, ReturnWhen, Step,
};
use crate::engine::value::ExcKind;

/// How many edits undo remembers.
const UNDO_DEPTH: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepAt {
    pub coro: CoroId,
    pub path: Vec<u32>,
}

/// Where steps can be inserted: a coroutine's body (`path` empty) or a
/// sub-block (`path` ends with a block index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockAt {
    pub coro: CoroId,
    pub path: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    AddCoroutine,
    RenameCoroutine {
        coro: CoroId,
        name: String,
    },
    SetTaskName {
        coro: CoroId,
        task_name: Option<String>,
    },
    DuplicateCoroutine {
        coro: CoroId,
    },
    RemoveCoroutine {
        coro: CoroId,
    },
    /// Moves a coroutine up (-1) or down (+1); `main` stays first.
    MoveCoroutine {
        coro: CoroId,
        delta: i32,
    },
    InsertStep {
        block: BlockAt,
        index: u32,
        step: Step,
    },
    ReplaceStep {
        at: StepAt,
        step: Step,
    },
    RemoveStep {
        at: StepAt,
    },
    DuplicateStep {
        at: StepAt,
    },
    MoveStep {
        at: StepAt,
        delta: i32,
    },
    AddCallback,
    SetCallback {
        index: u32,
        callback: CallbackFn,
    },
    /// Adds a job: a plain function for `run_in_executor`.
    AddJob,
    /// Replaces job `index` (its name and its steps) as a whole.
    SetJob {
        index: u32,
        job: Job,
    },
    /// Removes a job; awaits of it go, later jobs are renumbered.
    RemoveJob {
        index: u32,
    },
    /// Adds a lock, semaphore, event, queue or future by kind.
    AddObject {
        kind: ObjectKind,
    },
    /// Renames an object and sets its number (a semaphore's value, a
    /// queue's maxsize; ignored for the others).
    SetObject {
        kind: ObjectKind,
        index: u32,
        name: String,
        number: u32,
    },
    SetEpilogue {
        lines: Vec<Vec<Expr>>,
    },
    /// Replaces the whole program (loading an example or a file).
    Load(Program),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Future,
    Lock,
    Semaphore,
    Event,
    Queue,
}

/// Why an edit could not be applied; the program is left as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    NoSuchCoroutine,
    NoSuchStep,
    MainIsFixed,
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EditError::NoSuchCoroutine => "that task no longer exists",
            EditError::NoSuchStep => "that step no longer exists",
            EditError::MainIsFixed => {
                "main is the program's entry point: it stays first and cannot be removed"
            }
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Editor {
    pub program: Program,
    undo: Vec<Program>,
    redo: Vec<Program>,
}

impl Editor {
    pub fn new(program: Program) -> Editor {
        Editor {
            program,
            undo: Vec::new(),
            redo: Vec::new(),
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Applies an edit; on success it can be undone.
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        let mut next = self.program.clone();
        apply(&mut next, edit)?;
        if next != self.program {
            let previous = std::mem::replace(&mut self.program, next);
            self.undo.push(previous);
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
            self.redo.clear();
        }
        Ok(())
    }

    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(previous) => {
                self.redo
                    .push(std::mem::replace(&mut self.program, previous));
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(next) => {
                self.undo.push(std::mem::replace(&mut self.program, next));
                true
            }
            None => false,
        }
    }
}

fn apply(p: &mut Program, edit: Edit) -> Result<(), EditError> {
    match edit {
        Edit::AddCoroutine => {
            let name = fresh_name(p, "task");
            p.coroutines.push(Coroutine::new(
                &name,
                vec![
                    Step::print([Expr::str(&format!("{name} starts"))]),
                    Step::sleep(1.0),
                    Step::ret(Expr::str(&format!("{name} result"))),
                ],
            ));
        }
        Edit::RenameCoroutine { coro, name } => coroutine_mut(p, coro)?.name = name,
        Edit::SetTaskName { coro, task_name } => coroutine_mut(p, coro)?.task_name = task_name,
        Edit::DuplicateCoroutine { coro } => {
            if coro == 0 {
                return Err(EditError::MainIsFixed);
            }
            let mut copy = coroutine_mut(p, coro)?.clone();
            copy.name = fresh_name(p, &format!("{}_copy", copy.name));
            copy.task_name = None;
            let at = coro as usize + 1;
            p.coroutines.insert(at, copy);
            remap_coroutines(p, |c| Some(if c as usize >= at { c + 1 } else { c }));
        }
        Edit::RemoveCoroutine { coro } => {
            if coro == 0 {
                return Err(EditError::MainIsFixed);
            }
            coroutine_mut(p, coro)?;
            p.coroutines.remove(coro as usize);
            remap_coroutines(p, |c| match c.cmp(&coro) {
                std::cmp::Ordering::Less => Some(c),
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => Some(c - 1),
            });
        }
        Edit::MoveCoroutine { coro, delta } => {
            coroutine_mut(p, coro)?;
            let to = coro as i64 + delta as i64;
            if coro == 0 || to < 1 || to as usize >= p.coroutines.len() {
                return Err(EditError::MainIsFixed);
            }
            let to = to as u32;
            p.coroutines.swap(coro as usize, to as usize);
            remap_coroutines(p, |c| {
                Some(if c == coro {
                    to
                } else if c == to {
                    coro
                } else {
                    c
                })
            });
        }
        Edit::InsertStep { block, index, step } => {
            let steps = block_mut(p, block.coro, &block.path)?;
            let index = (index as usize).min(steps.len());
            steps.insert(index, step);
        }
        Edit::ReplaceStep { at, step } => *step_mut(p, &at)? = step,
        Edit::RemoveStep { at } => {
            let (steps, i) = parent_mut(p, &at)?;
            steps.remove(i);
        }
        Edit::DuplicateStep { at } => {
            let (steps, i) = parent_mut(p, &at)?;
            let copy = steps[i].clone();
            steps.insert(i + 1, copy);
        }
        Edit::MoveStep { at, delta } => {
            let (steps, i) = parent_mut(p, &at)?;
            let to = i as i64 + delta as i64;
            if to < 0 || to as usize >= steps.len() {
                return Err(EditError::NoSuchStep);
            }
            steps.swap(i, to as usize);
        }
        Edit::AddCallback => {
            let name = fresh_name(p, "callback");
            p.callbacks.push(CallbackFn {
                print: vec![Expr::str(&format!("{name} ran at")), Expr::Time],
                name,
            });
        }
        Edit::SetCallback { index, callback } => {
            *p.callbacks
                .get_mut(index as usize)
                .ok_or(EditError::NoSuchStep)? = callback;
        }
        Edit::AddJob => {
            let name = fresh_name(p, "blocking_job");
            p.jobs.push(Job {
                body: vec![
                    Step::print([Expr::str(&format!("{name} starts at")), Expr::Time]),
                    Step::Block { seconds: 1.0 },
                    Step::ret(Expr::str(&format!("{name} result"))),
                ],
                name,
            });
        }
        Edit::SetJob { index, job } => {
            *p.jobs
                .get_mut(index as usize)
                .ok_or(EditError::NoSuchStep)? = job;
        }
        Edit::RemoveJob { index } => {
            if index as usize >= p.jobs.len() {
                return Err(EditError::NoSuchStep);
            }
            p.jobs.remove(index as usize);
            let remap = |aw: &mut Awaitable| match aw {
                Awaitable::Job(j) if *j == index => false,
                Awaitable::Job(j) if *j > index => {
                    *j -= 1;
                    true
                }
                _ => true,
            };
            for coro in &mut p.coroutines {
                retain_steps(&mut coro.body, &mut |step| retain_awaitables(step, remap));
            }
        }
        Edit::AddObject { kind } => match kind {
            ObjectKind::Future => {
                let name = fresh_name(p, "fut");
                p.futures.push(name);
            }
            ObjectKind::Lock => {
                let name = fresh_name(p, "lock");
                p.locks.push(name);
            }
            ObjectKind::Semaphore => {
                let name = fresh_name(p, "sem");
                p.semaphores.push((name, 2));
            }
            ObjectKind::Event => {
                let name = fresh_name(p, "event");
                p.events.push(name);
            }
            ObjectKind::Queue => {
                let name = fresh_name(p, "queue");
                p.queues.push((name, 0));
            }
        },
        Edit::SetObject {
            kind,
            index,
            name,
            number,
        } => {
            let i = index as usize;
            let missing = EditError::NoSuchStep;
            match kind {
                ObjectKind::Future => *p.futures.get_mut(i).ok_or(missing)? = name,
                ObjectKind::Lock => *p.locks.get_mut(i).ok_or(missing)? = name,
                ObjectKind::Event => *p.events.get_mut(i).ok_or(missing)? = name,
                ObjectKind::Semaphore => *p.semaphores.get_mut(i).ok_or(missing)? = (name, number),
                ObjectKind::Queue => *p.queues.get_mut(i).ok_or(missing)? = (name, number),
            }
        }
        Edit::SetEpilogue { lines } => p.epilogue = lines,
        Edit::Load(program) => *p = program,
    }
    Ok(())
}

/// `base`, or `base_2`, `base_3`... whichever no coroutine, callback or
/// object is called yet.
pub fn fresh_name(p: &Program, base: &str) -> String {
    let taken = |name: &str| {
        p.coroutines.iter().any(|c| c.name == name)
            || p.callbacks.iter().any(|c| c.name == name)
            || p.jobs.iter().any(|j| j.name == name)
            || p.futures
                .iter()
                .chain(&p.locks)
                .chain(&p.events)
                .any(|n| n == name)
            || p.semaphores.iter().any(|s| s.0 == name)
            || p.queues.iter().any(|q| q.0 == name)
    };
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}_{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_string())
}

fn coroutine_mut(p: &mut Program, coro: CoroId) -> Result<&mut Coroutine, EditError> {
    p.coroutines
        .get_mut(coro as usize)
        .ok_or(EditError::NoSuchCoroutine)
}

/// The block a path of (step, block) pairs leads to.
fn block_mut<'a>(
    p: &'a mut Program,
    coro: CoroId,
    path: &[u32],
) -> Result<&'a mut Vec<Step>, EditError> {
    let mut steps = &mut coroutine_mut(p, coro)?.body;
    for pair in path.chunks(2) {
        let [step, block] = pair else {
            return Err(EditError::NoSuchStep);
        };
        let step = steps.get_mut(*step as usize).ok_or(EditError::NoSuchStep)?;
        steps = step
            .blocks_mut()
            .into_iter()
            .nth(*block as usize)
            .ok_or(EditError::NoSuchStep)?;
    }
    Ok(steps)
}

/// The block holding a step, and the step's index in it.
fn parent_mut<'a>(
    p: &'a mut Program,
    at: &StepAt,
) -> Result<(&'a mut Vec<Step>, usize), EditError> {
    let (last, parent) = at.path.split_last().ok_or(EditError::NoSuchStep)?;
    let steps = block_mut(p, at.coro, parent)?;
    let i = *last as usize;
    if i >= steps.len() {
        return Err(EditError::NoSuchStep);
    }
    Ok((steps, i))
}

fn step_mut<'a>(p: &'a mut Program, at: &StepAt) -> Result<&'a mut Step, EditError> {
    let (steps, i) = parent_mut(p, at)?;
    Ok(&mut steps[i])
}

/// Renumbers every reference to a coroutine; a reference mapped to `None`
/// is dropped (a list loses the item, a step that needs it is removed).
fn remap_coroutines(p: &mut Program, map: impl Fn(CoroId) -> Option<CoroId> + Copy) {
    for coro in &mut p.coroutines {
        remap_block(&mut coro.body, map);
    }
    for callback in &mut p.callbacks {
        callback.print.retain_mut(|e| remap_expr(e, map));
    }
    for line in &mut p.epilogue {
        line.retain_mut(|e| remap_expr(e, map));
    }
}

fn remap_block(steps: &mut Vec<Step>, map: impl Fn(CoroId) -> Option<CoroId> + Copy) {
    retain_steps(steps, &mut |step| remap_step(step, map));
}

/// Keeps the steps of a block, and of every block nested in it, for which
/// `keep` (which may change them) says true.
fn retain_steps(steps: &mut Vec<Step>, keep: &mut impl FnMut(&mut Step) -> bool) {
    steps.retain_mut(|step| keep(step));
    for step in steps.iter_mut() {
        for block in step.blocks_mut() {
            retain_steps(block, keep);
        }
    }
}

/// Remaps one step's references; false if the step must go.
fn remap_step(step: &mut Step, map: impl Fn(CoroId) -> Option<CoroId> + Copy) -> bool {
    let remap_aw = |aw: &mut Awaitable| match aw {
        Awaitable::Task(c) | Awaitable::Coro(c) | Awaitable::SideLoop(c) => match map(*c) {
            Some(n) => {
                *c = n;
                true
            }
            None => false,
        },
        Awaitable::Future(_) | Awaitable::Job(_) => true,
    };
    let remap_id = |c: &mut CoroId| match map(*c) {
        Some(n) => {
            *c = n;
            true
        }
        None => false,
    };
    match step {
        Step::CreateTask { coro } => remap_id(coro),
        Step::Cancel { task, .. } | Step::AddDoneCallback { task, .. } => remap_id(task),
        Step::Await { .. } | Step::WaitFor { .. } | Step::Shield { .. } | Step::Gather { .. } => {
            retain_awaitables(step, remap_aw)
        }
        Step::Wait { items, .. } | Step::AsCompleted { items, .. } => {
            items.retain_mut(remap_id);
            true
        }
        Step::Print { args } => {
            args.retain_mut(|e| remap_expr(e, map));
            true
        }
        Step::Return { value } | Step::QueuePut { value, .. } | Step::SetResult { value, .. } => {
            if !remap_expr(value, map) {
                *value = Expr::Lit(crate::engine::Value::None);
            }
            true
        }
        Step::If { cond, .. } => {
            if !remap_expr(cond, map) {
                *cond = Expr::Lit(crate::engine::Value::Bool(false));
            }
            true
        }
        _ => true,
    }
}

/// Applies `keep` (which may change it) to each awaitable a step awaits:
/// a step whose one target is not kept must go (false); a gather's list
/// loses the item.
fn retain_awaitables(step: &mut Step, mut keep: impl FnMut(&mut Awaitable) -> bool) -> bool {
    match step {
        Step::Await { target, .. } | Step::WaitFor { target, .. } | Step::Shield { target, .. } => {
            keep(target)
        }
        Step::Gather { items, .. } => {
            items.retain_mut(keep);
            true
        }
        _ => true,
    }
}

fn remap_expr(e: &mut Expr, map: impl Fn(CoroId) -> Option<CoroId>) -> bool {
    match e {
        Expr::Result(c) | Expr::Done(c) | Expr::Cancelled(c) | Expr::Name(c) => match map(*c) {
            Some(n) => {
                *c = n;
                true
            }
            None => false,
        },
        _ => true,
    }
}

/// The kinds of step the editor offers, in menu order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    Sleep,
    Block,
    Print,
    Return,
    Raise,
    CreateTask,
    Await,
    Gather,
    Wait,
    AsCompleted,
    WaitFor,
    Shield,
    Cancel,
    TryExcept,
    Reraise,
    If,
    ForEach,
    WithLock,
    WithSemaphore,
    EventSet,
    EventClear,
    EventWait,
    QueuePut,
    QueueGet,
    QueueTaskDone,
    QueueJoin,
    SetResult,
    SetException,
    AddDoneCallback,
    CallSoon,
    CallLater,
    /// In a job's body, a call back into the main loop; in a coroutine of
    /// the main loop, a call into the side loop.
    CallSoonThreadsafe,
}

impl StepKind {
    pub const ALL: [StepKind; 32] = [
        StepKind::Sleep,
        StepKind::Block,
        StepKind::Print,
        StepKind::Return,
        StepKind::Raise,
        StepKind::CreateTask,
        StepKind::Await,
        StepKind::Gather,
        StepKind::Wait,
        StepKind::AsCompleted,
        StepKind::WaitFor,
        StepKind::Shield,
        StepKind::Cancel,
        StepKind::TryExcept,
        StepKind::Reraise,
        StepKind::If,
        StepKind::ForEach,
        StepKind::WithLock,
        StepKind::WithSemaphore,
        StepKind::EventSet,
        StepKind::EventClear,
        StepKind::EventWait,
        StepKind::QueuePut,
        StepKind::QueueGet,
        StepKind::QueueTaskDone,
        StepKind::QueueJoin,
        StepKind::SetResult,
        StepKind::SetException,
        StepKind::AddDoneCallback,
        StepKind::CallSoon,
        StepKind::CallLater,
        StepKind::CallSoonThreadsafe,
    ];

    /// A stable identifier (for ids, tests and translations).
    pub fn key(self) -> &'static str {
        match self {
            StepKind::Sleep => "sleep",
            StepKind::Block => "block",
            StepKind::Print => "print",
            StepKind::Return => "return",
            StepKind::Raise => "raise",
            StepKind::CreateTask => "create_task",
            StepKind::Await => "await",
            StepKind::Gather => "gather",
            StepKind::Wait => "wait",
            StepKind::AsCompleted => "as_completed",
            StepKind::WaitFor => "wait_for",
            StepKind::Shield => "shield",
            StepKind::Cancel => "cancel",
            StepKind::TryExcept => "try",
            StepKind::Reraise => "reraise",
            StepKind::If => "if",
            StepKind::ForEach => "for",
            StepKind::WithLock => "with_lock",
            StepKind::WithSemaphore => "with_semaphore",
            StepKind::EventSet => "event_set",
            StepKind::EventClear => "event_clear",
            StepKind::EventWait => "event_wait",
            StepKind::QueuePut => "queue_put",
            StepKind::QueueGet => "queue_get",
            StepKind::QueueTaskDone => "queue_task_done",
            StepKind::QueueJoin => "queue_join",
            StepKind::SetResult => "set_result",
            StepKind::SetException => "set_exception",
            StepKind::AddDoneCallback => "add_done_callback",
            StepKind::CallSoon => "call_soon",
            StepKind::CallLater => "call_later",
            StepKind::CallSoonThreadsafe => "call_soon_threadsafe",
        }
    }

    pub fn from_key(key: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The kinds of step a job (a function on a worker thread) may have,
    /// in menu order.
    pub const JOB: [StepKind; 5] = [
        StepKind::Block,
        StepKind::Print,
        StepKind::Return,
        StepKind::Raise,
        StepKind::CallSoonThreadsafe,
    ];

    /// The kind of a job's step, if a job may have it.
    pub fn of_job_step(step: &Step) -> Option<StepKind> {
        Some(StepKind::of(step)).filter(|k| StepKind::JOB.contains(k))
    }

    pub fn of(step: &Step) -> StepKind {
        match step {
            Step::Sleep { .. } => StepKind::Sleep,
            Step::Block { .. } => StepKind::Block,
            Step::Print { .. } => StepKind::Print,
            Step::Return { .. } => StepKind::Return,
            Step::Raise { .. } => StepKind::Raise,
            Step::CreateTask { .. } => StepKind::CreateTask,
            Step::Await { .. } => StepKind::Await,
            Step::Gather { .. } => StepKind::Gather,
            Step::Wait { .. } => StepKind::Wait,
            Step::AsCompleted { .. } => StepKind::AsCompleted,
            Step::WaitFor { .. } => StepKind::WaitFor,
            Step::Shield { .. } => StepKind::Shield,
            Step::Cancel { .. } => StepKind::Cancel,
            Step::Try { .. } => StepKind::TryExcept,
            Step::Reraise => StepKind::Reraise,
            Step::If { .. } => StepKind::If,
            Step::ForEach { .. } => StepKind::ForEach,
            Step::WithLock { .. } => StepKind::WithLock,
            Step::WithSemaphore { .. } => StepKind::WithSemaphore,
            Step::EventSet { .. } => StepKind::EventSet,
            Step::EventWait { .. } => StepKind::EventWait,
            Step::QueuePut { .. } => StepKind::QueuePut,
            Step::QueueGet { .. } => StepKind::QueueGet,
            Step::QueueTaskDone { .. } => StepKind::QueueTaskDone,
            Step::QueueJoin { .. } => StepKind::QueueJoin,
            Step::SetResult { .. } => StepKind::SetResult,
            Step::AddDoneCallback { .. } => StepKind::AddDoneCallback,
            Step::CallSoon { .. } => StepKind::CallSoon,
            Step::CallSoonThreadsafe { .. } => StepKind::CallSoonThreadsafe,
            Step::CallLater { .. } => StepKind::CallLater,
            Step::EventClear { .. } => StepKind::EventClear,
            Step::SetException { .. } => StepKind::SetException,
        }
    }

    /// A new step of this kind with sensible defaults for coroutine `coro`
    /// of `p` (the first other coroutine as a target, and so on). Steps
    /// that need an object (a lock, a queue...) refer to the first one; the
    /// editor adds it when there is none.
    pub fn template(self, p: &Program, coro: CoroId) -> Step {
        let other = (0..p.coroutines.len() as u32)
            .find(|c| *c != coro && *c != 0)
            .unwrap_or(1);
        let others: Vec<CoroId> = (1..p.coroutines.len() as u32)
            .filter(|c| *c != coro)
            .collect();
        // What an await-like step targets: another task, else a job, else
        // a future, else a task still to be made (validation says so).
        let target = match (others.first(), p.jobs.is_empty(), p.futures.is_empty()) {
            (Some(c), _, _) => Awaitable::Task(*c),
            (None, false, _) => Awaitable::Job(0),
            (None, true, false) => Awaitable::Future(0),
            (None, true, true) => Awaitable::Task(other),
        };
        match self {
            StepKind::Sleep => Step::sleep(1.0),
            StepKind::Block => Step::Block { seconds: 1.0 },
            StepKind::Print => Step::print([Expr::str("hello"), Expr::Time]),
            StepKind::Return => Step::ret(Expr::str("done")),
            StepKind::Raise => Step::Raise {
                kind: ExcKind::ValueError,
                message: Some("something went wrong".into()),
            },
            StepKind::CreateTask => Step::CreateTask { coro: other },
            StepKind::Await => Step::Await { target, bind: None },
            StepKind::Gather => Step::Gather {
                items: others.iter().map(|c| Awaitable::Task(*c)).collect(),
                return_exceptions: false,
                bind: Some("results".into()),
            },
            StepKind::Wait => Step::Wait {
                items: others.clone(),
                timeout: None,
                return_when: ReturnWhen::AllCompleted,
                done: Some("done".into()),
                pending: Some("pending".into()),
            },
            StepKind::AsCompleted => Step::AsCompleted {
                items: others.clone(),
                timeout: None,
                bind: Some("result".into()),
                body: vec![Step::print([Expr::str("got"), Expr::var("result")])],
            },
            StepKind::WaitFor => Step::WaitFor {
                target,
                timeout: Some(1.0),
                bind: None,
            },
            StepKind::Shield => Step::Shield { target, bind: None },
            StepKind::Cancel => Step::Cancel {
                task: other,
                bind: None,
            },
            StepKind::TryExcept => Step::Try {
                body: vec![Step::sleep(1.0)],
                handlers: vec![Handler {
                    kind: ExcKind::CancelledError,
                    body: vec![
                        Step::print([Expr::str("cancelled at"), Expr::Time]),
                        Step::Reraise,
                    ],
                }],
                finally: vec![],
            },
            StepKind::Reraise => Step::Reraise,
            StepKind::If => Step::If {
                cond: Expr::Done(other),
                then: vec![Step::print([Expr::str("done")])],
                otherwise: vec![Step::print([Expr::str("not done")])],
            },
            StepKind::ForEach => Step::ForEach {
                var: "item".into(),
                list: Expr::Lit(crate::engine::Value::List(
                    vec![crate::engine::Value::Int(1), crate::engine::Value::Int(2)].into(),
                )),
                body: vec![Step::print([Expr::var("item")])],
            },
            StepKind::WithLock => Step::WithLock {
                lock: 0,
                body: vec![Step::sleep(1.0)],
            },
            StepKind::WithSemaphore => Step::WithSemaphore {
                semaphore: 0,
                body: vec![Step::sleep(1.0)],
            },
            StepKind::EventSet => Step::EventSet { event: 0 },
            StepKind::EventClear => Step::EventClear { event: 0 },
            StepKind::EventWait => Step::EventWait { event: 0 },
            StepKind::QueuePut => Step::QueuePut {
                queue: 0,
                value: Expr::int(1),
            },
            StepKind::QueueGet => Step::QueueGet {
                queue: 0,
                bind: Some("item".into()),
            },
            StepKind::QueueTaskDone => Step::QueueTaskDone { queue: 0 },
            StepKind::QueueJoin => Step::QueueJoin { queue: 0 },
            StepKind::SetResult => Step::SetResult {
                future: 0,
                value: Expr::str("ready"),
            },
            StepKind::SetException => Step::SetException {
                future: 0,
                kind: ExcKind::ValueError,
                message: Some("failed".into()),
            },
            StepKind::AddDoneCallback => Step::AddDoneCallback {
                task: other,
                callback: 0,
            },
            StepKind::CallSoon => Step::CallSoon { callback: 0 },
            StepKind::CallSoonThreadsafe => Step::CallSoonThreadsafe { callback: 0 },
            StepKind::CallLater => Step::CallLater {
                delay: 1.0,
                callback: 0,
            },
        }
    }

    /// The object a new step of this kind needs, if the program lacks it.
    pub fn needs(self, p: &Program) -> Option<Edit> {
        let missing = |present: bool, kind| (!present).then_some(Edit::AddObject { kind });
        match self {
            StepKind::WithLock => missing(!p.locks.is_empty(), ObjectKind::Lock),
            StepKind::WithSemaphore => missing(!p.semaphores.is_empty(), ObjectKind::Semaphore),
            StepKind::EventSet | StepKind::EventClear | StepKind::EventWait => {
                missing(!p.events.is_empty(), ObjectKind::Event)
            }
            StepKind::QueuePut
            | StepKind::QueueGet
            | StepKind::QueueTaskDone
            | StepKind::QueueJoin => missing(!p.queues.is_empty(), ObjectKind::Queue),
            StepKind::SetResult | StepKind::SetException => {
                missing(!p.futures.is_empty(), ObjectKind::Future)
            }
            StepKind::AddDoneCallback
            | StepKind::CallSoon
            | StepKind::CallLater
            | StepKind::CallSoonThreadsafe => p.callbacks.is_empty().then_some(Edit::AddCallback),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(coro: u32, path: &[u32]) -> StepAt {
        StepAt {
            coro,
            path: path.to_vec(),
        }
    }

    fn three_tasks() -> Program {
        let mut e = Editor::new(Program {
            coroutines: vec![Coroutine::new("main", vec![])],
            ..Program::default()
        });
        for _ in 0..3 {
            e.apply(Edit::AddCoroutine).unwrap();
        }
        for c in 1..=3 {
            e.apply(Edit::InsertStep {
                block: BlockAt {
                    coro: 0,
                    path: vec![],
                },
                index: 99,
                step: Step::CreateTask { coro: c },
            })
            .unwrap();
        }
        e.program
    }

    #[test]
    fn removing_a_task_drops_its_references_and_renumbers_the_rest() {
        let mut e = Editor::new(three_tasks());
        e.apply(Edit::InsertStep {
            block: BlockAt {
                coro: 0,
                path: vec![],
            },
            index: 99,
            step: Step::Gather {
                items: vec![Awaitable::Task(1), Awaitable::Task(2), Awaitable::Task(3)],
                return_exceptions: false,
                bind: None,
            },
        })
        .unwrap();
        e.apply(Edit::RemoveCoroutine { coro: 2 }).unwrap();
        let main = &e.program.coroutines[0].body;
        assert_eq!(
            main[..2],
            [Step::CreateTask { coro: 1 }, Step::CreateTask { coro: 2 }]
        );
        assert_eq!(
            main[2],
            Step::Gather {
                items: vec![Awaitable::Task(1), Awaitable::Task(2)],
                return_exceptions: false,
                bind: None
            }
        );
        assert_eq!(e.program.coroutines[2].name, "task_3");
    }

    #[test]
    fn removing_a_job_drops_the_awaits_of_it_and_renumbers_later_jobs() {
        let mut e = Editor::new(three_tasks());
        e.apply(Edit::AddJob).unwrap();
        e.apply(Edit::AddJob).unwrap();
        assert_eq!(
            e.program
                .jobs
                .iter()
                .map(|j| j.name.as_str())
                .collect::<Vec<_>>(),
            ["blocking_job", "blocking_job_2"]
        );
        for step in [
            Step::Await {
                target: Awaitable::Job(0),
                bind: None,
            },
            Step::Gather {
                items: vec![Awaitable::Job(0), Awaitable::Job(1), Awaitable::Task(1)],
                return_exceptions: false,
                bind: None,
            },
            Step::WaitFor {
                target: Awaitable::Job(1),
                timeout: Some(1.0),
                bind: None,
            },
        ] {
            e.apply(Edit::InsertStep {
                block: BlockAt {
                    coro: 0,
                    path: vec![],
                },
                index: 99,
                step,
            })
            .unwrap();
        }
        e.apply(Edit::RemoveJob { index: 0 }).unwrap();
        assert_eq!(e.program.jobs.len(), 1);
        assert_eq!(e.program.jobs[0].name, "blocking_job_2");
        assert_eq!(
            e.program.coroutines[0].body[3..],
            [
                Step::Gather {
                    items: vec![Awaitable::Job(0), Awaitable::Task(1)],
                    return_exceptions: false,
                    bind: None,
                },
                Step::WaitFor {
                    target: Awaitable::Job(0),
                    timeout: Some(1.0),
                    bind: None,
                },
            ]
        );
        assert!(
            crate::engine::validate(&e.program, &crate::engine::Budget::default())
                .iter()
                .all(|p| p.severity != crate::engine::Severity::Error)
        );
        assert_eq!(
            e.apply(Edit::RemoveJob { index: 5 }),
            Err(EditError::NoSuchStep)
        );
    }

    #[test]
    fn call_soon_threadsafe_adds_a_callback_if_needed_and_jobs_are_offered_only_their_kinds() {
        let e = Editor::new(three_tasks());
        let kind = StepKind::from_key("call_soon_threadsafe").unwrap();
        assert_eq!(kind.needs(&e.program), Some(Edit::AddCallback));
        assert_eq!(
            kind.template(&e.program, 0),
            Step::CallSoonThreadsafe { callback: 0 }
        );
        // A job calls into the main loop, a coroutine into the side loop.
        assert!(StepKind::ALL.contains(&kind) && StepKind::JOB.contains(&kind));
        assert_eq!(
            StepKind::of(&Step::CallSoonThreadsafe { callback: 0 }),
            kind
        );
        for step in [Step::sleep(1.0), Step::Reraise] {
            assert_eq!(StepKind::of_job_step(&step), None);
        }
        assert_eq!(
            StepKind::of_job_step(&Step::Block { seconds: 1.0 }),
            Some(StepKind::Block)
        );
    }

    #[test]
    fn undo_and_redo_walk_the_history() {
        let mut e = Editor::new(three_tasks());
        let before = e.program.clone();
        e.apply(Edit::ReplaceStep {
            at: at(1, &[1]),
            step: Step::sleep(2.5),
        })
        .unwrap();
        let after = e.program.clone();
        assert!(e.undo());
        assert_eq!(e.program, before);
        assert!(e.redo());
        assert_eq!(e.program, after);
        assert!(!e.redo());
    }

    #[test]
    fn nested_steps_are_addressed_by_path() {
        let mut e = Editor::new(three_tasks());
        e.apply(Edit::ReplaceStep {
            at: at(1, &[1]),
            step: StepKind::TryExcept.template(&e.program, 1),
        })
        .unwrap();
        // Step 0 of block 1 (the except handler) of step 1.
        e.apply(Edit::ReplaceStep {
            at: at(1, &[1, 1, 0]),
            step: Step::print([Expr::str("caught")]),
        })
        .unwrap();
        let Step::Try { handlers, .. } = &e.program.coroutines[1].body[1] else {
            panic!("not a try");
        };
        assert_eq!(handlers[0].body[0], Step::print([Expr::str("caught")]));
        assert_eq!(
            e.apply(Edit::RemoveStep {
                at: at(1, &[1, 7, 0])
            }),
            Err(EditError::NoSuchStep)
        );
    }

    #[test]
    fn main_cannot_be_removed_or_moved() {
        let mut e = Editor::new(three_tasks());
        assert_eq!(
            e.apply(Edit::RemoveCoroutine { coro: 0 }),
            Err(EditError::MainIsFixed)
        );
        assert_eq!(
            e.apply(Edit::MoveCoroutine { coro: 1, delta: -1 }),
            Err(EditError::MainIsFixed)
        );
        e.apply(Edit::MoveCoroutine { coro: 1, delta: 1 }).unwrap();
        assert_eq!(e.program.coroutines[1].name, "task_2");
        assert_eq!(
            e.program.coroutines[0].body[0],
            Step::CreateTask { coro: 2 }
        );
    }

    #[test]
    fn every_step_kind_has_a_template_of_its_own_kind() {
        let p = three_tasks();
        for kind in StepKind::ALL {
            assert_eq!(StepKind::of(&kind.template(&p, 0)), kind, "{kind:?}");
            assert_eq!(StepKind::from_key(kind.key()), Some(kind));
        }
    }
}
