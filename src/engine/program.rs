//! The program representation: what each coroutine of a scenario does, as
//! data. The graph editor produces it, the engine interprets it, and the
//! Python exporter prints it; it is a small, structured subset of Python.

use super::value::{ExcKind, Value};

/// Index of a coroutine function in [`Program::coroutines`].
pub type CoroId = u32;
/// Index of a plain callback function in [`Program::callbacks`].
pub type CallbackId = u32;
/// Index of a blocking function in [`Program::jobs`].
pub type JobId = u32;
/// Index into the program's list of futures, locks, semaphores, events or queues.
pub type ObjId = u32;

/// A whole scenario: `asyncio.run(main())` where `main` is `coroutines[0]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    pub coroutines: Vec<Coroutine>,
    pub callbacks: Vec<CallbackFn>,
    /// Blocking functions the loop hands to its default executor's threads
    /// (`loop.run_in_executor(None, job)`).
    pub jobs: Vec<Job>,
    /// Hand-made futures (`loop.create_future()`), created before `main` runs.
    pub futures: Vec<String>,
    pub locks: Vec<String>,
    pub semaphores: Vec<(String, u32)>,
    pub events: Vec<String>,
    /// Queues with their `maxsize` (0 means unbounded).
    pub queues: Vec<(String, u32)>,
    /// Prints after `asyncio.run()` returns, such as the elapsed time.
    pub epilogue: Vec<Vec<Expr>>,
}

/// `async def name(): body`. When made into a task, the task is called
/// `task_name` if given (`create_task(..., name=...)`), else `Task-N`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coroutine {
    pub name: String,
    pub task_name: Option<String>,
    pub body: Vec<Step>,
}

/// `def name(fut): print(*args)`: a plain function for `call_soon`,
/// `call_later` and `add_done_callback`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallbackFn {
    pub name: String,
    pub print: Vec<Expr>,
}

/// `def name(): body`: a plain function run on an executor thread. Its
/// steps are the ones a thread can take: `time.sleep` (which blocks only
/// this thread), print, return, raise, and `loop.call_soon_threadsafe`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Job {
    pub name: String,
    pub body: Vec<Step>,
}

/// What can be awaited or passed to a combinator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaitable {
    /// The task made from this coroutine by an earlier `CreateTask`.
    Task(CoroId),
    /// A fresh coroutine object: awaited directly it runs inline in the
    /// current task; passed to a combinator it is wrapped in a new task.
    Coro(CoroId),
    /// A hand-made future.
    Future(ObjId),
    /// A fresh `loop.run_in_executor(None, job)`: the job is handed to the
    /// default executor and this is the future that follows it.
    Job(JobId),
    /// A fresh coroutine handed to the side loop, a second event loop
    /// running in a thread of its own:
    /// `asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro(), side_loop))`.
    SideLoop(CoroId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnWhen {
    FirstCompleted,
    FirstException,
    AllCompleted,
}

impl ReturnWhen {
    pub fn python_name(self) -> &'static str {
        match self {
            ReturnWhen::FirstCompleted => "asyncio.FIRST_COMPLETED",
            ReturnWhen::FirstException => "asyncio.FIRST_EXCEPTION",
            ReturnWhen::AllCompleted => "asyncio.ALL_COMPLETED",
        }
    }
}

/// One statement of a coroutine.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `await asyncio.sleep(seconds)`.
    Sleep {
        seconds: f64,
    },
    /// `time.sleep(seconds)`: blocks the whole loop.
    Block {
        seconds: f64,
    },
    Print {
        args: Vec<Expr>,
    },
    Return {
        value: Expr,
    },
    /// `raise Kind(message)`.
    Raise {
        kind: ExcKind,
        message: Option<String>,
    },
    /// `t = asyncio.create_task(coro(), name=...)`.
    CreateTask {
        coro: CoroId,
    },
    /// `bind = await target`.
    Await {
        target: Awaitable,
        bind: Option<String>,
    },
    /// `bind = await asyncio.gather(*items, return_exceptions=...)`.
    Gather {
        items: Vec<Awaitable>,
        return_exceptions: bool,
        bind: Option<String>,
    },
    /// `done, pending = await asyncio.wait(tasks, timeout=..., return_when=...)`.
    Wait {
        items: Vec<CoroId>,
        timeout: Option<f64>,
        return_when: ReturnWhen,
        done: Option<String>,
        pending: Option<String>,
    },
    /// `for aw in asyncio.as_completed(tasks, timeout=...): bind = await aw; body`.
    AsCompleted {
        items: Vec<CoroId>,
        timeout: Option<f64>,
        bind: Option<String>,
        body: Vec<Step>,
    },
    /// `bind = await asyncio.wait_for(target, timeout)`.
    WaitFor {
        target: Awaitable,
        timeout: Option<f64>,
        bind: Option<String>,
    },
    /// `bind = await asyncio.shield(target)`.
    Shield {
        target: Awaitable,
        bind: Option<String>,
    },
    /// `bind = task.cancel()`.
    Cancel {
        task: CoroId,
        bind: Option<String>,
    },
    /// `try: body / except Kind: handler / finally: finally`.
    Try {
        body: Vec<Step>,
        handlers: Vec<Handler>,
        finally: Vec<Step>,
    },
    /// A bare `raise` inside an `except` block: re-raises what it caught.
    Reraise,
    /// `if cond: then else: otherwise`.
    If {
        cond: Expr,
        then: Vec<Step>,
        otherwise: Vec<Step>,
    },
    /// `for var in list: body`.
    ForEach {
        var: String,
        list: Expr,
        body: Vec<Step>,
    },
    /// `async with lock: body`.
    WithLock {
        lock: ObjId,
        body: Vec<Step>,
    },
    /// `async with semaphore: body`.
    WithSemaphore {
        semaphore: ObjId,
        body: Vec<Step>,
    },
    EventSet {
        event: ObjId,
    },
    EventClear {
        event: ObjId,
    },
    EventWait {
        event: ObjId,
    },
    /// `await queue.put(value)`.
    QueuePut {
        queue: ObjId,
        value: Expr,
    },
    /// `bind = await queue.get()`.
    QueueGet {
        queue: ObjId,
        bind: Option<String>,
    },
    QueueTaskDone {
        queue: ObjId,
    },
    /// `await queue.join()`.
    QueueJoin {
        queue: ObjId,
    },
    /// `future.set_result(value)`.
    SetResult {
        future: ObjId,
        value: Expr,
    },
    /// `future.set_exception(Kind(message))`.
    SetException {
        future: ObjId,
        kind: ExcKind,
        message: Option<String>,
    },
    /// `task.add_done_callback(callback)`.
    AddDoneCallback {
        task: CoroId,
        callback: CallbackId,
    },
    /// `loop.call_soon(callback)`.
    CallSoon {
        callback: CallbackId,
    },
    /// `loop.call_later(delay, callback)`.
    CallLater {
        delay: f64,
        callback: CallbackId,
    },
    /// `loop.call_soon_threadsafe(callback)` from a job's thread (the main
    /// loop); `side_loop.call_soon_threadsafe(callback)` from a coroutine
    /// of the main loop.
    CallSoonThreadsafe {
        callback: CallbackId,
    },
}

/// `except kind: body`.
#[derive(Clone, Debug, PartialEq)]
pub struct Handler {
    pub kind: ExcKind,
    pub body: Vec<Step>,
}

/// An expression: an argument to `print`, a value to return or put.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Lit(Value),
    Var(String),
    /// `time.time()` (the virtual clock; 0.0 when the program starts).
    Time,
    /// `f"{loop.time():.1f}"`.
    LoopTime1,
    /// `task.result()` of the task made from this coroutine.
    Result(CoroId),
    /// `task.done()`.
    Done(CoroId),
    /// `task.cancelled()`.
    Cancelled(CoroId),
    /// `task.get_name()`.
    Name(CoroId),
    /// `len(var)`.
    Len(String),
    /// `sorted(t.result() for t in var)` for a set of tasks from `wait`.
    SortedResults(String),
    /// `fut.result()` of the future a done-callback receives.
    ArgResult,
}

/// Constructors that keep hand-written programs (presets, tests) short.
impl Expr {
    pub fn int(i: i64) -> Expr {
        Expr::Lit(Value::Int(i))
    }

    pub fn str(s: &str) -> Expr {
        Expr::Lit(Value::str(s))
    }

    pub fn var(name: &str) -> Expr {
        Expr::Var(name.into())
    }
}

impl Step {
    /// The sub-blocks of a step, in the order the editor's paths number
    /// them and the exporter writes them (`try`: body, each `except`,
    /// `finally`; `if`: then, else; the others: their one body).
    pub fn blocks(&self) -> Vec<&Vec<Step>> {
        match self {
            Step::Try {
                body,
                handlers,
                finally,
            } => std::iter::once(body)
                .chain(handlers.iter().map(|h| &h.body))
                .chain(std::iter::once(finally))
                .collect(),
            Step::If {
                then, otherwise, ..
            } => vec![then, otherwise],
            Step::ForEach { body, .. }
            | Step::AsCompleted { body, .. }
            | Step::WithLock { body, .. }
            | Step::WithSemaphore { body, .. } => vec![body],
            _ => vec![],
        }
    }

    /// What the step awaits (itself, or through `gather`, `wait_for` or
    /// `shield`), in order.
    pub fn awaitables(&self) -> &[Awaitable] {
        match self {
            Step::Await { target, .. }
            | Step::WaitFor { target, .. }
            | Step::Shield { target, .. } => std::slice::from_ref(target),
            Step::Gather { items, .. } => items,
            _ => &[],
        }
    }

    /// Whether the step, in a coroutine, hands work to the side loop.
    pub fn uses_side_loop(&self) -> bool {
        matches!(self, Step::CallSoonThreadsafe { .. })
            || self
                .awaitables()
                .iter()
                .any(|a| matches!(a, Awaitable::SideLoop(_)))
    }

    /// Whether the step has blocks of its own: a cheap test before
    /// [`Step::blocks`] collects them, for walks over every step.
    pub fn has_blocks(&self) -> bool {
        matches!(
            self,
            Step::Try { .. }
                | Step::If { .. }
                | Step::ForEach { .. }
                | Step::AsCompleted { .. }
                | Step::WithLock { .. }
                | Step::WithSemaphore { .. }
        )
    }

    /// [`Step::blocks`], to change them.
    pub fn blocks_mut(&mut self) -> Vec<&mut Vec<Step>> {
        match self {
            Step::Try {
                body,
                handlers,
                finally,
            } => std::iter::once(body)
                .chain(handlers.iter_mut().map(|h| &mut h.body))
                .chain(std::iter::once(finally))
                .collect(),
            Step::If {
                then, otherwise, ..
            } => vec![then, otherwise],
            Step::ForEach { body, .. }
            | Step::AsCompleted { body, .. }
            | Step::WithLock { body, .. }
            | Step::WithSemaphore { body, .. } => vec![body],
            _ => vec![],
        }
    }

    pub fn print(args: impl IntoIterator<Item = Expr>) -> Step {
        Step::Print {
            args: args.into_iter().collect(),
        }
    }

    pub fn sleep(seconds: f64) -> Step {
        Step::Sleep { seconds }
    }

    pub fn ret(value: Expr) -> Step {
        Step::Return { value }
    }

    /// `try: body / except kind: handler`.
    pub fn try_except(body: Vec<Step>, kind: ExcKind, handler: Vec<Step>) -> Step {
        Step::Try {
            body,
            handlers: vec![Handler {
                kind,
                body: handler,
            }],
            finally: vec![],
        }
    }

    pub fn bind(name: &str) -> Option<String> {
        Some(name.into())
    }
}

impl Program {
    /// A program of these coroutines and nothing else, `main` first.
    pub fn of(coroutines: Vec<Coroutine>) -> Program {
        Program {
            coroutines,
            ..Program::default()
        }
    }

    /// Whether the program starts a side loop: some coroutine hands work
    /// to it.
    pub fn uses_side_loop(&self) -> bool {
        self.coroutines.iter().any(|c| {
            let mut uses = false;
            super::validate::visit_steps(&c.body, &mut |step| {
                uses |= step.uses_side_loop();
            });
            uses
        })
    }
}

impl Job {
    pub fn new(name: &str, body: Vec<Step>) -> Job {
        Job {
            name: name.into(),
            body,
        }
    }
}

impl Coroutine {
    pub fn new(name: &str, body: Vec<Step>) -> Coroutine {
        Coroutine {
            name: name.into(),
            task_name: None,
            body,
        }
    }

    /// A coroutine whose task gets an explicit name.
    pub fn named_task(name: &str, task_name: &str, body: Vec<Step>) -> Coroutine {
        Coroutine {
            name: name.into(),
            task_name: Some(task_name.into()),
            body,
        }
    }
}
