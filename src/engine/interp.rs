//! The coroutine interpreter: turns a program's steps into the Rust future
//! a task drives. Every await goes through the awaitables in `aio.rs` and
//! `sync.rs`, so there is one execution path for every scenario.

use std::cmp::Ordering;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::aio::{self, CombKind};
use super::core::{with_loop, Callback, Loop, PyResult};
use super::ids::{FutId, TaskId};
use super::program::{Awaitable, CoroId, Expr, Program, Step};
use super::sync;
use super::value::{ExcKind, PyExc, Value};

/// Inline `await coro()` calls deeper than this raise RecursionError-like
/// errors instead of overflowing the stack (validation rejects call cycles;
/// this is the engine's own guard).
const MAX_CALL_DEPTH: u32 = 200;

/// What the running program's names refer to.
#[derive(Default)]
pub struct Scenario {
    pub program: Rc<Program>,
    /// The task made from each coroutine, once `CreateTask` ran.
    pub task_of: Vec<Option<TaskId>>,
    /// The hand-made futures, by their index in the program.
    pub futures: Vec<FutId>,
    /// Each step's place, by the step's address in the (immutable, shared)
    /// program: `(coroutine, index in pre-order)`, the order the exporter
    /// writes steps in, so views can show the line a task is at.
    pub places: super::fasthash::FastHashMap<usize, (u32, u32)>,
}

impl Scenario {
    /// The place of the step at `address` (see `places`), looked up by a
    /// walk when positions are not tracked: only a stopped run asks.
    pub fn place_of(&self, address: usize) -> Option<(u32, u32)> {
        if let Some(place) = self.places.get(&address) {
            return Some(*place);
        }
        for (c, coro) in self.program.coroutines.iter().enumerate() {
            let mut n = 0u32;
            let mut found = None;
            super::validate::visit_steps(&coro.body, &mut |step| {
                if step as *const Step as usize == address {
                    found = Some(n);
                }
                n += 1;
            });
            if let Some(n) = found {
                return Some((c as u32, n));
            }
        }
        None
    }

    pub fn index_places(&mut self) {
        let program = self.program.clone();
        for (c, coro) in program.coroutines.iter().enumerate() {
            let mut n = 0u32;
            super::validate::visit_steps(&coro.body, &mut |step| {
                self.places
                    .insert(step as *const Step as usize, (c as u32, n));
                n += 1;
            });
        }
    }
}

/// How a block of steps ended, when it did not raise.
enum Flow {
    Next,
    Return(Value),
}

/// A coroutine call's local state.
#[derive(Default)]
struct Frame {
    vars: Vec<(String, Local)>,
    /// The exceptions being handled, innermost last, for a bare `raise`.
    caught: Vec<PyExc>,
    depth: u32,
}

/// A local variable: a value, or the set of tasks `wait` returned.
#[derive(Clone)]
enum Local {
    Value(Value),
    Futures(Rc<[FutId]>),
}

impl Frame {
    fn set(&mut self, name: &Option<String>, local: Local) {
        let Some(name) = name else { return };
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = local,
            None => self.vars.push((name.clone(), local)),
        }
    }

    fn get(&self, name: &str) -> PyResult<&Local> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                PyExc::with_arg(
                    ExcKind::RuntimeError,
                    &format!("name '{name}' is not defined"),
                )
            })
    }
}

/// The coroutine a new task runs for `coro`.
pub fn coroutine(program: Rc<Program>, coro: CoroId) -> TaskBody {
    TaskBody {
        body: Body::new(program, coro),
        frame: None,
        waiting: Waiting::Nothing,
    }
}

/// A coroutine with nothing to do: it returns `None` when first stepped.
pub fn empty_coroutine(program: Rc<Program>) -> TaskBody {
    TaskBody {
        body: Body::empty(program),
        frame: None,
        waiting: Waiting::Nothing,
    }
}

/// A coroutine of the loop's own (`asyncio.run`'s shutdown steps): it
/// runs `work`, and returns what `work` returns.
pub fn loop_coroutine(program: Rc<Program>, work: Boxed<'static, PyResult<Value>>) -> TaskBody {
    TaskBody {
        body: Body::empty(program),
        frame: None,
        waiting: Waiting::Loop(work),
    }
}

/// A task's coroutine, run step by step in place. A benchmark task is
/// mostly this struct, and it lives inline in the task's slot, so it is
/// kept small: the common steps (sleeps, awaits, anything that does not
/// suspend) wait inline, the others in a boxed future of their own, and
/// the local variables are boxed only once the coroutine has some.
pub struct TaskBody {
    body: Body,
    frame: Option<Box<Frame>>,
    waiting: Waiting,
}

impl TaskBody {
    /// Runs the coroutine to its next suspension. Nothing wakes a
    /// coroutine but the loop, so the waker is a no-op.
    #[inline(always)]
    pub(super) fn resume(&mut self) -> Poll<PyResult<Value>> {
        Pin::new(self).poll(&mut Context::from_waker(std::task::Waker::noop()))
    }

    /// The task's steps, and the index of the one it reads first when it
    /// next runs: the one it waits in (an await binds its result there);
    /// then it reads the one after.
    pub(super) fn upcoming_steps(&self) -> (&[Step], usize) {
        (self.body.all(), self.body.next as usize)
    }
}

/// A coroutine's body by address, and the step being run. Stepping a task
/// reads its step straight from here; through the program it would be two
/// more dependent loads (the table of coroutines, then the coroutine's
/// definition), each a cache miss in a run of many tasks.
#[derive(Clone)]
struct Body {
    program: Rc<Program>,
    steps: NonNull<Step>,
    len: u32,
    next: u32,
}

impl Body {
    fn new(program: Rc<Program>, coro: CoroId) -> Body {
        let steps: &[Step] = program
            .coroutines
            .get(coro as usize)
            .map_or(&[], |c| &c.body);
        let (len, steps) = (steps.len() as u32, NonNull::from(steps).cast());
        Body {
            program,
            steps,
            len,
            next: 0,
        }
    }

    /// No steps: a coroutine that is not one of the program's.
    fn empty(program: Rc<Program>) -> Body {
        Body {
            program,
            steps: NonNull::dangling(),
            len: 0,
            next: 0,
        }
    }

    fn all(&self) -> &[Step] {
        // SAFETY: `steps` and `len` describe a coroutine's body inside
        // `program` (or no steps, at an aligned dangling address), which
        // this `Body` keeps alive. A program is never
        // changed once shared (the engine only reads it, and `Rc::get_mut`
        // fails while this clone lives), so the body stays where it is.
        unsafe { std::slice::from_raw_parts(self.steps.as_ptr(), self.len as usize) }
    }

    fn step(&self, index: u32) -> Option<&Step> {
        self.all().get(index as usize)
    }
}

// The waits a task holds inline own no memory, so ending one frees
// nothing: `TaskBody::step_ended` relies on it.
const _: () = assert!(
    !std::mem::needs_drop::<aio::SleepFuture>()
        && !std::mem::needs_drop::<Recorded<aio::AwaitFuture>>()
        && !std::mem::needs_drop::<HoldThread>()
);

/// What the step being run waits for.
enum Waiting {
    Nothing,
    Sleep(aio::SleepFuture),
    Await(Recorded<aio::AwaitFuture>),
    /// A compound step, holding the frame until it ends.
    Compound(Boxed<'static, (Box<Frame>, PyResult<Flow>)>),
    /// `time.sleep` on the side loop's thread.
    Hold(HoldThread),
    /// The whole of a coroutine of the loop's own (see [`loop_coroutine`]).
    Loop(Boxed<'static, PyResult<Value>>),
}

impl TaskBody {
    /// Runs the coroutine on `l` as far as it goes without giving the loop
    /// up: the steps that run to their end, sleeps and awaits of a future.
    /// That is all of most tasks' steps, and the task being stepped
    /// already holds the loop, so they run without looking it up again.
    /// `None` when what comes next must be polled with the loop released
    /// (a compound step, which borrows the loop at each of its awaits;
    /// `time.sleep`, which runs other threads; a coroutine of the loop's
    /// own): [`resume`](Self::resume) polls it.
    pub(super) fn resume_in(&mut self, l: &mut Loop) -> Option<Poll<PyResult<Value>>> {
        loop {
            let flow = match &mut self.waiting {
                Waiting::Nothing => {
                    let Some(step) = self.body.step(self.body.next) else {
                        return Some(Poll::Ready(Ok(Value::None)));
                    };
                    super::core::set_current_step(step as *const Step as usize);
                    if !l.may_take_step() {
                        // Out of budget: the task stops here, for good.
                        return Some(Poll::Pending);
                    }
                    let started = start_without_locals(l, step).unwrap_or_else(|| {
                        with_frame(&mut self.frame, |frame| start_with_locals(l, frame, step))
                    });
                    match started {
                        Started::Done(result) => result,
                        Started::Sleep(sleep) => {
                            self.wait_in(Waiting::Sleep(sleep));
                            continue;
                        }
                        Started::Await(awaiting) => {
                            self.wait_in(Waiting::Await(awaiting));
                            continue;
                        }
                        Started::Block(seconds) => {
                            self.wait_in(Waiting::Hold(HoldThread::new(seconds)));
                            return None;
                        }
                        Started::Compound => {
                            let body = self.body.clone();
                            let mut frame = self.frame.take().unwrap_or_default();
                            self.wait_in(Waiting::Compound(Box::pin(async move {
                                let result = match body.step(body.next) {
                                    Some(step) => {
                                        exec_compound(&body.program, &mut frame, step).await
                                    }
                                    None => Ok(Flow::Next),
                                };
                                (frame, result)
                            })));
                            return None;
                        }
                    }
                }
                Waiting::Sleep(sleep) => match sleep.poll_in(l) {
                    Poll::Pending => return Some(Poll::Pending),
                    Poll::Ready(result) => result.map(|_| Flow::Next),
                },
                Waiting::Await(awaiting) => match awaiting.poll_in(l) {
                    Poll::Pending => return Some(Poll::Pending),
                    Poll::Ready(result) => {
                        result.map(|value| match self.body.step(self.body.next) {
                            Some(step) => with_frame(&mut self.frame, |f| settle(f, step, value)),
                            None => Flow::Next,
                        })
                    }
                },
                Waiting::Hold(_) | Waiting::Compound(_) | Waiting::Loop(_) => return None,
            };
            if let Some(end) = self.step_ended(flow) {
                return Some(Poll::Ready(end));
            }
        }
    }

    /// Starts waiting in `next`, from no wait: there is nothing to drop.
    fn wait_in(&mut self, next: Waiting) {
        debug_assert!(matches!(self.waiting, Waiting::Nothing));
        std::mem::forget(std::mem::replace(&mut self.waiting, next));
    }

    /// The step being run ended with `flow`: on to the next one, or the
    /// coroutine's end.
    fn step_ended(&mut self, flow: PyResult<Flow>) -> Option<PyResult<Value>> {
        match std::mem::replace(&mut self.waiting, Waiting::Nothing) {
            owns_memory @ (Waiting::Compound(_) | Waiting::Loop(_)) => drop(owns_memory),
            // Nothing to free (asserted where `Waiting` is defined): its
            // drop glue, a call at every step of every task, is skipped.
            inline => std::mem::forget(inline),
        }
        match flow {
            Ok(Flow::Next) => {
                self.body.next += 1;
                None
            }
            Ok(Flow::Return(value)) => Some(Ok(value)),
            Err(exc) => Some(Err(exc)),
        }
    }
}

impl Future for TaskBody {
    type Output = PyResult<Value>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            let flow = match &mut this.waiting {
                Waiting::Hold(hold) => match Pin::new(hold).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(()) => Ok(Flow::Next),
                },
                Waiting::Loop(work) => return work.as_mut().poll(cx),
                Waiting::Compound(compound) => match compound.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready((frame, result)) => {
                        this.frame = Some(frame);
                        result
                    }
                },
                Waiting::Nothing | Waiting::Sleep(_) | Waiting::Await(_) => {
                    match with_loop(|l| this.resume_in(l)) {
                        Some(poll) => return poll,
                        None => continue,
                    }
                }
            };
            if let Some(end) = this.step_ended(flow) {
                return Poll::Ready(end);
            }
        }
    }
}

/// Runs `f` on the coroutine's frame; a coroutine without local variables
/// gets an empty one that is kept only if `f` leaves something in it.
fn with_frame<R>(frame: &mut Option<Box<Frame>>, f: impl FnOnce(&mut Frame) -> R) -> R {
    match frame {
        Some(frame) => f(frame),
        None => {
            let mut scratch = Frame::default();
            let result = f(&mut scratch);
            if scratch.vars.capacity() == 0 && scratch.caught.capacity() == 0 {
                // Nothing was ever put in it, so it owns no memory: its
                // drop glue (a call on every step of every task) is skipped.
                std::mem::forget(scratch);
            } else {
                *frame = Some(Box::new(scratch));
            }
            result
        }
    }
}

/// Creates the task for `coro` (`asyncio.create_task(coro(), name=...)`).
pub fn spawn(l: &mut Loop, coro: CoroId) -> TaskId {
    let program = l.scenario.program.clone();
    let name = program.coroutines[coro as usize].task_name.clone();
    let task = l.create_task(coroutine(program, coro), name.as_deref(), Some(coro));
    l.scenario.task_of[coro as usize] = Some(task);
    task
}

fn task_of(l: &Loop, coro: CoroId) -> PyResult<TaskId> {
    l.scenario.task_of[coro as usize].ok_or_else(|| {
        let name = &l.scenario.program.coroutines[coro as usize].name;
        PyExc::with_arg(
            ExcKind::RuntimeError,
            &format!("the task for {name}() was not created yet"),
        )
    })
}

/// The futures of the tasks made from `coros` (the lists `wait` and
/// `as_completed` take).
fn task_futures(l: &Loop, coros: &[CoroId]) -> PyResult<Vec<FutId>> {
    coros
        .iter()
        .map(|c| Ok(l.task(task_of(l, *c)?).fut))
        .collect()
}

/// `ensure_future(aw)`: the future behind an awaitable, wrapping a fresh
/// coroutine in a new task.
fn ensure_future(l: &mut Loop, aw: Awaitable) -> PyResult<FutId> {
    match aw {
        Awaitable::Task(c) => Ok(l.task(task_of(l, c)?).fut),
        Awaitable::Coro(c) => {
            let task = spawn(l, c);
            Ok(l.task(task).fut)
        }
        Awaitable::Future(i) => Ok(l.scenario.futures[i as usize]),
        Awaitable::Job(j) => Ok(l.run_in_executor(j)),
        Awaitable::SideLoop(c) => Ok(l.run_coroutine_threadsafe(c)),
    }
}

/// `time.sleep(seconds)` in a task: its loop's thread holds. The main
/// loop's holds at once, while other threads run. The side loop's thread
/// takes its turns inside the main loop's waits, so it cannot hold there:
/// its task hands the turn back (pending, though not suspended in
/// asyncio's sense) and goes on when the thread is due again.
struct HoldThread {
    seconds: f64,
    held: bool,
}

impl HoldThread {
    fn new(seconds: f64) -> HoldThread {
        HoldThread {
            seconds,
            held: false,
        }
    }
}

impl Future for HoldThread {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.held, true) {
            return Poll::Ready(());
        }
        let seconds = self.seconds;
        if with_loop(|l| l.on_side && l.hold_side_thread(seconds)) {
            return Poll::Pending;
        }
        if let Some(rt) = super::core::Runtime::running() {
            rt.hold_loop_thread(seconds);
        }
        Poll::Ready(())
    }
}

pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Runs a nested block of steps; boxed because blocks nest.
fn exec<'a>(
    program: &'a Program,
    frame: &'a mut Frame,
    steps: &'a [Step],
) -> Boxed<'a, PyResult<Flow>> {
    Box::pin(exec_block(program, frame, steps))
}

async fn exec_block(program: &Program, frame: &mut Frame, steps: &[Step]) -> PyResult<Flow> {
    for step in steps {
        super::core::set_current_step(step as *const Step as usize);
        if let Flow::Return(v) = exec_step(program, frame, step).await? {
            return Ok(Flow::Return(v));
        }
    }
    Ok(Flow::Next)
}

/// Runs one step inside a nested block (see [`TaskBody`] for a body's own).
async fn exec_step(program: &Program, frame: &mut Frame, step: &Step) -> PyResult<Flow> {
    if !with_loop(Loop::may_take_step) {
        return out_of_budget().await;
    }
    match with_loop(|l| start_step(l, frame, step)) {
        Started::Done(result) => result,
        Started::Block(seconds) => {
            HoldThread::new(seconds).await;
            Ok(Flow::Next)
        }
        Started::Sleep(sleep) => sleep.await.map(|_| Flow::Next),
        Started::Await(awaiting) => awaiting.await.map(|value| settle(frame, step, value)),
        Started::Compound => Box::pin(exec_compound(program, frame, step)).await,
    }
}

/// A coroutine that ran out of budget stops where it is, for good: the
/// loop dispatches nothing more, so nothing would resume it anyway.
async fn out_of_budget() -> PyResult<Flow> {
    std::future::pending().await
}

/// How a step began: it ran to its end, or it waits on one of the common
/// awaitables, or it holds the loop's thread (`time.sleep`, which runs
/// other threads, so outside the loop's borrow), or it is a compound step
/// with a future of its own.
enum Started {
    Done(PyResult<Flow>),
    Block(f64),
    Sleep(aio::SleepFuture),
    Await(Recorded<aio::AwaitFuture>),
    Compound,
}

fn start_step(l: &mut Loop, frame: &mut Frame, step: &Step) -> Started {
    start_without_locals(l, step).unwrap_or_else(|| start_with_locals(l, frame, step))
}

/// How a step that reads and sets no local variable begins (a sleep,
/// `time.sleep`, an await of a future); `None` for the others. Most steps
/// are these, so a coroutine without locals starts them without making
/// itself a frame.
#[inline]
fn start_without_locals(l: &mut Loop, step: &Step) -> Option<Started> {
    Some(match step {
        Step::Sleep { seconds } => Started::Sleep(aio::sleep(*seconds)),
        Step::Block { seconds } => Started::Block(*seconds),
        Step::Await {
            target:
                target @ (Awaitable::Task(_)
                | Awaitable::Future(_)
                | Awaitable::Job(_)
                | Awaitable::SideLoop(_)),
            ..
        } => match ensure_future(l, *target) {
            Ok(fut) => Started::Await(Recorded::begin(
                l,
                CombKind::Await,
                vec![fut],
                aio::await_future(fut),
            )),
            Err(exc) => Started::Done(Err(exc)),
        },
        _ => return None,
    })
}

/// How any other step begins: it runs to its end, or it is compound.
fn start_with_locals(l: &mut Loop, frame: &mut Frame, step: &Step) -> Started {
    exec_sync(l, frame, step).map_or(Started::Compound, Started::Done)
}

/// The end of a step that waited on a common awaitable: `bind = value`.
fn settle(frame: &mut Frame, step: &Step, value: Value) -> Flow {
    if let Step::Await { bind, .. } = step {
        frame.set(bind, Local::Value(value));
    }
    Flow::Next
}

/// Runs a step that never suspends; `None` for the steps that may.
fn exec_sync(l: &mut Loop, frame: &mut Frame, step: &Step) -> Option<PyResult<Flow>> {
    let done = |r: PyResult<()>| Some(r.map(|_| Flow::Next));
    match step {
        Step::Print { args } => done(print_line(l, Some(frame), args, None)),
        Step::Return { value } => Some(eval(l, Some(frame), value, None).map(Flow::Return)),
        Step::Raise { kind, message } => Some(Err(PyExc {
            kind: *kind,
            arg: message.as_deref().map(Rc::from),
        })),
        Step::Reraise => Some(Err(frame.caught.last().cloned().unwrap_or_else(|| {
            PyExc::with_arg(ExcKind::RuntimeError, "No active exception to reraise")
        }))),
        Step::CreateTask { coro } => {
            spawn(l, *coro);
            done(Ok(()))
        }
        Step::Cancel { task, bind } => done(task_of(l, *task).and_then(|t| {
            let cancelled = l.cancel_task(t, None);
            if let Some(exc) = l.take_cancel_recursion() {
                return Err(exc);
            }
            frame.set(bind, Local::Value(Value::Bool(cancelled)));
            Ok(())
        })),
        Step::EventSet { event } => {
            sync::event_set(l, *event as usize);
            done(Ok(()))
        }
        Step::EventClear { event } => {
            sync::event_clear(l, *event as usize);
            done(Ok(()))
        }
        Step::QueueTaskDone { queue } => done(sync::queue_task_done(l, *queue as usize)),
        Step::SetResult { future, value } => {
            done(eval(l, Some(frame), value, None).and_then(|v| set_user_future(l, *future, Ok(v))))
        }
        Step::SetException {
            future,
            kind,
            message,
        } => {
            let exc = PyExc {
                kind: *kind,
                arg: message.as_deref().map(Rc::from),
            };
            done(set_user_future(l, *future, Err(exc)))
        }
        Step::AddDoneCallback { task, callback } => done(task_of(l, *task).map(|t| {
            let fut = l.task(t).fut;
            l.add_done_callback(fut, Callback::User(*callback));
        })),
        Step::CallSoon { callback } => {
            l.call_soon(Callback::User(*callback), None);
            done(Ok(()))
        }
        // In a coroutine of the main loop (validation sees to it), it
        // hands the callback to the side loop.
        Step::CallSoonThreadsafe { callback } => {
            l.call_soon_threadsafe_side(Callback::User(*callback));
            done(Ok(()))
        }
        Step::CallLater { delay, callback } => {
            l.call_later(*delay, Callback::User(*callback));
            done(Ok(()))
        }
        _ => None,
    }
}

/// Runs a step that may suspend: combinators, locks, queues, and the steps
/// that hold blocks of their own.
async fn exec_compound(program: &Program, frame: &mut Frame, step: &Step) -> PyResult<Flow> {
    match step {
        Step::Await { target, bind } => {
            let value = Box::pin(await_target(program, frame, *target)).await?;
            frame.set(bind, Local::Value(value));
        }
        Step::Gather {
            items,
            return_exceptions,
            bind,
        } => {
            let children = with_loop(|l| {
                items
                    .iter()
                    .map(|aw| ensure_future(l, *aw))
                    .collect::<PyResult<Vec<_>>>()
            })?;
            let gather = aio::gather(children.clone(), *return_exceptions);
            let value = recorded(CombKind::Gather, children, Box::pin(gather)).await?;
            frame.set(bind, Local::Value(value));
        }
        Step::Wait {
            items,
            timeout,
            return_when,
            done,
            pending,
        } => {
            let fs = with_loop(|l| task_futures(l, items))?;
            let wait = aio::wait(fs.clone(), *timeout, *return_when);
            let (d, p) = recorded(CombKind::Wait, fs, Box::pin(wait)).await?;
            frame.set(done, Local::Futures(d.into()));
            frame.set(pending, Local::Futures(p.into()));
        }
        Step::AsCompleted {
            items,
            timeout,
            bind,
            body,
        } => {
            let fs = with_loop(|l| task_futures(l, items))?;
            let c = with_loop(|l| l.begin_combination(CombKind::AsCompleted, fs.clone()));
            let (index, count) = aio::as_completed_start(fs, *timeout, c);
            let result = as_completed_loop(program, frame, step, index, count, bind, body).await;
            with_loop(|l| l.end_combination(c));
            if let Flow::Return(v) = result? {
                return Ok(Flow::Return(v));
            }
        }
        Step::WaitFor {
            target,
            timeout,
            bind,
        } => {
            let value = match timeout {
                None => await_target(program, frame, *target).await?,
                Some(t) => {
                    let mut failed = None;
                    let mut c = None;
                    let value = Box::pin(aio::wait_for(
                        |l| {
                            let fut = ensure_future(l, *target).unwrap_or_else(|e| {
                                failed = Some(e);
                                l.create_future(super::core::FutKind::Plain)
                            });
                            c = l.begin_combination(CombKind::WaitFor, vec![fut]);
                            fut
                        },
                        *t,
                    ))
                    .await;
                    with_loop(|l| l.end_combination(c));
                    if let Some(e) = failed {
                        return Err(e);
                    }
                    value?
                }
            };
            frame.set(bind, Local::Value(value));
        }
        Step::Shield { target, bind } => {
            // Recorded by hand: awaiting a `Recorded` here instead costs the
            // page 0.7 KB of download (gzipped), more than its budget has.
            let (outer, c) = with_loop(|l| {
                ensure_future(l, *target).map(|inner| {
                    let c = l.begin_combination(CombKind::Shield, vec![inner]);
                    (aio::shield(l, inner), c)
                })
            })?;
            let value = aio::await_future(outer).await;
            with_loop(|l| l.end_combination(c));
            frame.set(bind, Local::Value(value?));
        }
        Step::Try {
            body,
            handlers,
            finally,
        } => {
            let mut result = exec(program, frame, body).await;
            if let Err(exc) = &result {
                if let Some(handler) = handlers.iter().find(|h| h.kind.catches(exc.kind)) {
                    frame.caught.push(exc.clone());
                    result = exec(program, frame, &handler.body).await;
                    frame.caught.pop();
                }
            }
            if !finally.is_empty() {
                match exec(program, frame, finally).await {
                    Ok(Flow::Next) => {}
                    overriding => return overriding,
                }
            }
            return result;
        }
        Step::If {
            cond,
            then,
            otherwise,
        } => {
            let value = with_loop(|l| eval(l, Some(frame), cond, None))?;
            let branch = if truthy(&value) { then } else { otherwise };
            return exec(program, frame, branch).await;
        }
        Step::ForEach { var, list, body } => {
            let items = match with_loop(|l| eval(l, Some(frame), list, None))? {
                Value::List(items) => items,
                other => {
                    return Err(PyExc::with_arg(
                        ExcKind::TypeError,
                        &format!("'{}' object is not iterable", type_name(&other)),
                    ))
                }
            };
            for item in items.iter() {
                // An empty body starts no step: the loop counts as one.
                super::core::set_current_step(step as *const Step as usize);
                if !with_loop(Loop::may_take_step) {
                    return out_of_budget().await;
                }
                frame.set(&Some(var.clone()), Local::Value(item.clone()));
                if let Flow::Return(v) = exec(program, frame, body).await? {
                    return Ok(Flow::Return(v));
                }
            }
        }
        Step::WithLock { lock, body } => {
            Box::pin(sync::lock_acquire(*lock as usize)).await?;
            let result = exec(program, frame, body).await;
            with_loop(|l| sync::lock_release(l, *lock as usize))?;
            return result;
        }
        Step::WithSemaphore { semaphore, body } => {
            Box::pin(sync::semaphore_acquire(*semaphore as usize)).await?;
            let result = exec(program, frame, body).await;
            with_loop(|l| sync::semaphore_release(l, *semaphore as usize));
            return result;
        }
        Step::EventWait { event } => {
            Box::pin(sync::event_wait(*event as usize)).await?;
        }
        Step::QueuePut { queue, value } => {
            let value = with_loop(|l| eval(l, Some(frame), value, None))?;
            Box::pin(sync::queue_put(*queue as usize, value)).await?;
        }
        Step::QueueGet { queue, bind } => {
            let getter = super::core::FutKind::QueueWaiter(*queue);
            let value =
                Box::pin(sync::queue_get(sync::user_queue(*queue as usize), getter)).await?;
            frame.set(bind, Local::Value(value));
        }
        Step::QueueJoin { queue } => Box::pin(sync::queue_join(*queue as usize)).await?,
        other => return with_loop(|l| exec_sync(l, frame, other)).unwrap_or(Ok(Flow::Next)),
    }
    Ok(Flow::Next)
}

/// `await target`: a task or future suspends; a coroutine runs inline.
async fn await_target(program: &Program, frame: &mut Frame, target: Awaitable) -> PyResult<Value> {
    match target {
        Awaitable::Coro(c) => {
            if frame.depth >= MAX_CALL_DEPTH {
                return Err(PyExc::with_arg(
                    ExcKind::RuntimeError,
                    "maximum recursion depth exceeded",
                ));
            }
            let mut callee = Frame {
                depth: frame.depth + 1,
                ..Frame::default()
            };
            match exec(program, &mut callee, &program.coroutines[c as usize].body).await? {
                Flow::Return(v) => Ok(v),
                Flow::Next => Ok(Value::None),
            }
        }
        other => {
            let fut = with_loop(|l| ensure_future(l, other))?;
            recorded(CombKind::Await, vec![fut], aio::await_future(fut)).await
        }
    }
}

/// Awaits `inner`, recording for the views that the task awaits some
/// futures through a combinator until it is done.
struct Recorded<F> {
    combination: Option<u32>,
    inner: F,
}

impl<F: Future + Unpin> Recorded<F> {
    fn begin(l: &mut Loop, kind: CombKind, items: Vec<FutId>, inner: F) -> Recorded<F> {
        Recorded {
            combination: l.begin_combination(kind, items),
            inner,
        }
    }
}

impl Recorded<aio::AwaitFuture> {
    /// One poll, on the loop `l` (see `AwaitFuture::poll_in`).
    fn poll_in(&mut self, l: &mut Loop) -> Poll<PyResult<Value>> {
        let output = std::task::ready!(self.inner.poll_in(l));
        l.end_combination(self.combination);
        Poll::Ready(output)
    }
}

impl<F: Future + Unpin> Future for Recorded<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let output = std::task::ready!(Pin::new(&mut self.inner).poll(cx));
        with_loop(|l| l.end_combination(self.combination));
        Poll::Ready(output)
    }
}

/// [`Recorded`] for the running task.
fn recorded<F: Future + Unpin>(kind: CombKind, items: Vec<FutId>, inner: F) -> Recorded<F> {
    with_loop(|l| Recorded::begin(l, kind, items, inner))
}

/// `for aw in as_completed(...): bind = await aw; body`, after the start.
async fn as_completed_loop(
    program: &Program,
    frame: &mut Frame,
    step: &Step,
    index: u32,
    count: usize,
    bind: &Option<String>,
    body: &[Step],
) -> PyResult<Flow> {
    for _ in 0..count {
        // Back at `await next_done` after the body's steps.
        super::core::set_current_step(step as *const Step as usize);
        let value = Box::pin(aio::as_completed_next(index)).await?;
        frame.set(bind, Local::Value(value));
        if let Flow::Return(v) = exec(program, frame, body).await? {
            return Ok(Flow::Return(v));
        }
    }
    Ok(Flow::Next)
}

/// `fut.set_result(v)` / `fut.set_exception(e)` on a hand-made future.
fn set_user_future(l: &mut Loop, index: u32, outcome: PyResult<Value>) -> PyResult<()> {
    let fut = l.scenario.futures[index as usize];
    let done = match outcome {
        Ok(v) => l.set_result(fut, v),
        Err(e) => l.set_exception(fut, e),
    };
    if done {
        Ok(())
    } else {
        Err(PyExc::with_arg(ExcKind::InvalidStateError, "invalid state"))
    }
}

/// Runs a scenario's plain callback. An exception in it is logged by the
/// loop's exception handler (stderr) in CPython, so it prints nothing here.
pub fn run_user_callback(l: &mut Loop, index: u32, arg: Option<FutId>) {
    let program = l.scenario.program.clone();
    let Some(callback) = program.callbacks.get(index as usize) else {
        return;
    };
    let _ = print_line(l, None, &callback.print, arg);
}

/// `print(*args)`: each argument's `str()`, joined by spaces. The text is
/// written only as far as the output budget has room: a gather's result
/// list may hold the same 10,000-character string a thousand times, and
/// lists of such lists more, so a line is counted as it is made, not
/// after. A line that does not fit stops the run instead.
fn print_line(
    l: &mut Loop,
    frame: Option<&Frame>,
    args: &[Expr],
    arg: Option<FutId>,
) -> PyResult<()> {
    let room = l
        .meter
        .budget
        .max_output_bytes
        .saturating_sub(l.meter.output_bytes);
    let mut text = String::new();
    for (i, expr) in args.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        if !eval(l, frame, expr, arg)?.write_str(&mut text, room) {
            l.exhaust(super::budget::Limit::OutputBytes(
                l.meter.budget.max_output_bytes,
            ));
            return Ok(());
        }
    }
    l.print(text);
    Ok(())
}

/// `print(*args)` outside any coroutine: on a job's thread, or after
/// `asyncio.run` returned.
pub fn print_outside(l: &mut Loop, args: &[Expr]) -> PyResult<()> {
    print_line(l, None, args, None)
}

/// Evaluates an expression outside any coroutine (what a job returns).
pub fn eval_outside(l: &Loop, expr: &Expr) -> PyResult<Value> {
    eval(l, None, expr, None)
}

fn eval(l: &Loop, frame: Option<&Frame>, expr: &Expr, arg: Option<FutId>) -> PyResult<Value> {
    let local = |name: &str| -> PyResult<Local> {
        match frame {
            Some(f) => f.get(name).cloned(),
            None => Err(PyExc::with_arg(
                ExcKind::RuntimeError,
                &format!("name '{name}' is not defined"),
            )),
        }
    };
    Ok(match expr {
        Expr::Lit(v) => v.clone(),
        Expr::Var(name) => match local(name)? {
            Local::Value(v) => v,
            Local::Futures(_) => {
                return Err(PyExc::with_arg(
                    ExcKind::TypeError,
                    "a set of tasks prints in no fixed order",
                ))
            }
        },
        Expr::Time => Value::Float(l.now),
        Expr::LoopTime1 => Value::str(&format!("{:.1}", l.now)),
        Expr::Result(c) => l.result(l.task(task_of(l, *c)?).fut)?,
        Expr::Done(c) => Value::Bool(l.is_done(l.task(task_of(l, *c)?).fut)),
        Expr::Cancelled(c) => Value::Bool(l.is_cancelled(l.task(task_of(l, *c)?).fut)),
        Expr::Name(c) => Value::Str(l.task(task_of(l, *c)?).name.to_string().into()),
        Expr::Len(name) => match local(name)? {
            Local::Futures(fs) => Value::Int(fs.len() as i64),
            Local::Value(Value::List(items)) => Value::Int(items.len() as i64),
            Local::Value(Value::Str(s)) => Value::Int(s.chars().count() as i64),
            Local::Value(other) => {
                return Err(PyExc::with_arg(
                    ExcKind::TypeError,
                    &format!("object of type '{}' has no len()", type_name(&other)),
                ))
            }
        },
        Expr::SortedResults(name) => {
            let Local::Futures(fs) = local(name)? else {
                return Err(PyExc::with_arg(
                    ExcKind::TypeError,
                    "expected a set of tasks",
                ));
            };
            let mut values = fs
                .iter()
                .map(|f| l.result(*f))
                .collect::<PyResult<Vec<_>>>()?;
            sort_values(&mut values)?;
            Value::List(values.into())
        }
        Expr::ArgResult => match arg {
            Some(f) => l.result(f)?,
            None => Value::None,
        },
    })
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(items) => !items.is_empty(),
        Value::Exc(_) => true,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "str",
        Value::List(_) => "list",
        Value::Exc(e) => e.kind.name(),
    }
}

/// `sorted()`: numbers with numbers, strings with strings, else TypeError.
fn sort_values(values: &mut [Value]) -> PyResult<()> {
    fn key(v: &Value) -> Option<(u8, f64, &str)> {
        match v {
            Value::Bool(b) => Some((0, *b as i64 as f64, "")),
            Value::Int(i) => Some((0, *i as f64, "")),
            Value::Float(f) => Some((0, *f, "")),
            Value::Str(s) => Some((1, 0.0, s)),
            _ => None,
        }
    }
    let kinds: Vec<_> = values.iter().map(|v| key(v).map(|k| k.0)).collect();
    if kinds.iter().any(Option::is_none) || kinds.windows(2).any(|w| w[0] != w[1]) {
        return Err(PyExc::with_arg(
            ExcKind::TypeError,
            "'<' not supported between these values",
        ));
    }
    values.sort_by(|a, b| {
        let (a, b) = (key(a).unwrap_or_default(), key(b).unwrap_or_default());
        a.1.partial_cmp(&b.1)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.2.cmp(b.2))
    });
    Ok(())
}
