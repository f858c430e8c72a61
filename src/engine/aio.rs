//! asyncio's awaitables and combinators, written the way `tasks.py` writes
//! them: futures, done-callbacks and `call_later`, so every iteration a
//! result takes to travel matches CPython's. The combinators' state lives in
//! side tables ([`AioState`]) that their callbacks reach by index.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::core::{with_loop, Callback, FutKind, Loop, PyResult};
use super::ids::{FutId, HandleId, TaskId};
use super::program::ReturnWhen;
use super::sync::{self, Queue};
use super::trace::Event;
use super::value::{ExcKind, PyExc, Value};

/// The distinct futures of `fs` in first-seen order: Python's `set(fs)`
/// (whose order never shows) or gather's `arg_to_fut`.
fn dedupe(fs: &[FutId]) -> Vec<FutId> {
    // Fresh tasks' futures come in creation order: a rising list has no
    // repeats, and is the common case (gather of new coroutines).
    if fs.windows(2).all(|pair| pair[0] < pair[1]) {
        return fs.to_vec();
    }
    let mut seen = super::fasthash::set_with_capacity(fs.len());
    fs.iter().copied().filter(|f| seen.insert(*f)).collect()
}

/// `yield future` inside `Future.__await__`: suspends the task until `fut`
/// is done, unless it already is (then it does not yield at all).
pub struct AwaitFuture {
    fut: FutId,
    suspended: bool,
}

pub fn await_future(fut: FutId) -> AwaitFuture {
    AwaitFuture {
        fut,
        suspended: false,
    }
}

impl AwaitFuture {
    /// One poll, on the loop `l`: the task stepping it polls it in the
    /// borrow it already holds (see `TaskBody::resume_in`).
    pub fn poll_in(&mut self, l: &mut Loop) -> Poll<PyResult<Value>> {
        let fut = self.fut;
        // A future already done is not waited for: no suspension at all.
        if !self.suspended && !l.is_done(fut) {
            l.suspend_on(fut);
            self.suspended = true;
            return Poll::Pending;
        }
        Poll::Ready(match l.take_thrown() {
            Some(exc) => Err(exc),
            None => l.result(fut),
        })
    }
}

impl Future for AwaitFuture {
    type Output = PyResult<Value>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        with_loop(|l| self.get_mut().poll_in(l))
    }
}

/// The bare `yield` of `asyncio.sleep(0)`: gives up exactly one iteration.
pub struct YieldOnce {
    yielded: bool,
}

impl YieldOnce {
    fn poll_in(&mut self, l: &mut Loop) -> Poll<PyResult<()>> {
        if !self.yielded {
            self.yielded = true;
            l.yield_bare();
            return Poll::Pending;
        }
        Poll::Ready(l.take_thrown().map_or(Ok(()), Err))
    }
}

/// `asyncio.sleep(delay)`: a future plus a `call_later` that sets it; the
/// timer is cancelled however the sleep ends.
pub fn sleep(delay: f64) -> SleepFuture {
    if delay <= 0.0 {
        SleepFuture::Zero(YieldOnce { yielded: false })
    } else {
        SleepFuture::Timer(Sleep { delay, armed: None })
    }
}

/// What `asyncio.sleep(delay)` is: a bare yield for `sleep(0)`, a timer
/// otherwise. A named type, so a task's coroutine can hold one inline.
pub enum SleepFuture {
    Zero(YieldOnce),
    Timer(Sleep),
}

impl SleepFuture {
    /// One poll, on the loop `l` (see [`AwaitFuture::poll_in`]). A sleep
    /// returns `None`, which nothing reads, so it returns nothing.
    #[inline]
    pub fn poll_in(&mut self, l: &mut Loop) -> Poll<PyResult<()>> {
        match self {
            SleepFuture::Zero(y) => y.poll_in(l),
            SleepFuture::Timer(s) => s.poll_in(l),
        }
    }
}

impl Future for SleepFuture {
    type Output = PyResult<()>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        with_loop(|l| self.get_mut().poll_in(l))
    }
}

/// The body of `sleep(delay > 0)` as one state, polled twice: the first
/// poll arms the timer and suspends, the second reads the outcome and
/// cancels the timer (`finally: h.cancel()`).
pub struct Sleep {
    delay: f64,
    armed: Option<(FutId, HandleId)>,
}

impl Sleep {
    fn poll_in(&mut self, l: &mut Loop) -> Poll<PyResult<()>> {
        match self.armed {
            None => {
                let fut = l.create_future(FutKind::Sleep);
                let timer = l.call_later(self.delay, Callback::SetResultUnlessCancelled(fut));
                l.suspend_on(fut);
                self.armed = Some((fut, timer));
                Poll::Pending
            }
            Some((fut, timer)) => {
                let result = match l.take_thrown() {
                    Some(exc) => Err(exc),
                    None => l.result_raises(fut).map_or(Ok(()), Err),
                };
                l.cancel_handle(timer);
                Poll::Ready(result)
            }
        }
    }
}

/// State of one `gather()` call.
pub struct Gather {
    outer: FutId,
    children: Vec<FutId>,
    unique: usize,
    finished: usize,
    return_exceptions: bool,
    cancel_requested: bool,
}

impl Gather {
    /// The memory this gather holds, for `Loop::approx_bytes`.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<Gather>() + self.children.capacity() * std::mem::size_of::<FutId>()
    }
}

/// State of one `_wait()` call.
pub struct Wait {
    counter: usize,
    return_when: ReturnWhen,
    waiter: FutId,
    timeout: Option<HandleId>,
}

/// State of one `as_completed()` call: its `todo` set and `done` queue.
pub struct AsCompleted {
    /// The combination recording it, for the views.
    combination: Option<u32>,
    todo: std::collections::BTreeSet<FutId>,
    done: Queue<Option<FutId>>,
    timeout: Option<HandleId>,
}

/// State of one `shield()` call.
pub struct Shield {
    inner: FutId,
    outer: FutId,
}

impl AioState {
    /// The children of gather number `index`, in argument order.
    pub fn gather_children(&self, index: u32) -> &[FutId] {
        self.gathers
            .get(index as usize)
            .map_or(&[], |g| &g.children)
    }
}

/// What a task awaits through one step: a task or future, or a
/// combinator over several. The views read these (who awaits whom, the
/// results of gather, wait and as_completed); the semantics never do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CombKind {
    Await,
    Gather,
    Wait,
    AsCompleted,
    WaitFor,
    Shield,
}

impl CombKind {
    pub fn python_name(self) -> &'static str {
        match self {
            CombKind::Await => "await",
            CombKind::Gather => "asyncio.gather",
            CombKind::Wait => "asyncio.wait",
            CombKind::AsCompleted => "asyncio.as_completed",
            CombKind::WaitFor => "asyncio.wait_for",
            CombKind::Shield => "asyncio.shield",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Combination {
    pub kind: CombKind,
    pub caller: TaskId,
    /// In argument order.
    pub items: Vec<FutId>,
    /// The step stopped awaiting (returned or raised).
    pub ended: bool,
    /// For `wait`: which items were done when it returned (its done set).
    pub done_at_end: Vec<bool>,
    /// For `as_completed`: the items in the order they finished.
    pub finished_order: Vec<FutId>,
}

impl Loop {
    /// Records that the running task begins awaiting `items` through a
    /// `kind` step; `None` outside a task.
    pub fn begin_combination(&mut self, kind: CombKind, items: Vec<FutId>) -> Option<u32> {
        let caller = self.current?;
        let index = self.aio.combinations.len() as u32;
        self.aio.combinations.push(Combination {
            kind,
            caller,
            items,
            ended: false,
            done_at_end: Vec::new(),
            finished_order: Vec::new(),
        });
        self.trace.push(Event::Awaits {
            task: caller,
            combination: index,
        });
        Some(index)
    }

    pub fn end_combination(&mut self, index: Option<u32>) {
        let Some(c) = index.and_then(|i| self.aio.combinations.get(i as usize)) else {
            return;
        };
        let done_at_end = match c.kind {
            CombKind::Wait => c.items.iter().map(|f| self.is_done(*f)).collect(),
            _ => Vec::new(),
        };
        if let Some(c) = index.and_then(|i| self.aio.combinations.get_mut(i as usize)) {
            c.ended = true;
            c.done_at_end = done_at_end;
        }
    }

    fn timed_out(&mut self) {
        if let Some(task) = self.current {
            self.trace.push(Event::TimedOut(task));
        }
    }
}

#[derive(Default)]
pub struct AioState {
    pub combinations: Vec<Combination>,
    pub gathers: Vec<Gather>,
    pub waits: Vec<Wait>,
    pub as_completed: Vec<AsCompleted>,
    pub shields: Vec<Shield>,
    pub sync: sync::SyncState,
}

/// `asyncio.gather(*children, return_exceptions=...)`: returns the outer
/// future. The children are futures already (coroutines were wrapped in
/// tasks by the caller, in argument order); a repeated child counts once.
pub fn gather_start(l: &mut Loop, children: Vec<FutId>, return_exceptions: bool) -> FutId {
    let index = l.aio.gathers.len() as u32;
    let outer = l.create_future(FutKind::Gather(index));
    if children.is_empty() {
        l.set_result(outer, Value::List(Rc::from([])));
        return outer;
    }
    let unique = dedupe(&children);
    for &child in &unique {
        l.add_done_callback(child, Callback::GatherChildDone(index));
    }
    l.aio.gathers.push(Gather {
        outer,
        unique: unique.len(),
        children,
        finished: 0,
        return_exceptions,
        cancel_requested: false,
    });
    outer
}

/// `await asyncio.gather(...)`.
pub async fn gather(children: Vec<FutId>, return_exceptions: bool) -> PyResult<Value> {
    let outer = with_loop(|l| gather_start(l, children, return_exceptions));
    await_future(outer).await
}

/// gather's `_done_callback(fut)`.
fn gather_child_done(l: &mut Loop, index: u32, fut: FutId) {
    let g = &mut l.aio.gathers[index as usize];
    g.finished += 1;
    let outer = g.outer;
    if l.is_done(outer) {
        return;
    }
    let g = &l.aio.gathers[index as usize];
    if !g.return_exceptions {
        if l.is_cancelled(fut) {
            let exc = l.result(fut).err().unwrap_or_else(PyExc::cancelled);
            l.set_exception(outer, exc);
            return;
        }
        if let Some(exc) = l.exception(fut) {
            l.set_exception(outer, exc);
            return;
        }
    }
    if g.finished == g.unique {
        let results: Vec<Value> = g
            .children
            .iter()
            .map(|&child| match l.result(child) {
                Ok(v) => v,
                // gather builds CancelledError('') (or with the message)
                // itself rather than calling _make_cancelled_error().
                Err(e) if l.is_cancelled(child) => Value::Exc(PyExc::with_arg(
                    ExcKind::CancelledError,
                    e.arg.as_deref().unwrap_or(""),
                )),
                Err(e) => Value::Exc(e),
            })
            .collect();
        if g.cancel_requested {
            let exc = l.result(fut).err().unwrap_or_else(PyExc::cancelled);
            let exc = if exc.is_cancelled() {
                exc
            } else {
                PyExc::cancelled()
            };
            l.set_exception(outer, exc);
        } else {
            l.set_result(outer, Value::List(results.into()));
        }
    }
}

/// `_GatheringFuture.cancel()`: cancels every child; the gather itself is
/// cancelled only through them.
pub fn cancel_gather(l: &mut Loop, index: u32, msg: Option<Rc<str>>) -> bool {
    let g = &l.aio.gathers[index as usize];
    if l.is_done(g.outer) {
        return false;
    }
    let children = g.children.clone();
    let mut cancelled = false;
    for child in children {
        if l.cancel(child, msg.clone()) {
            cancelled = true;
        }
    }
    // A child's cancel that raised (see `Loop::cancel_task`) ends this one
    // there too, before it marks the gather.
    if cancelled && l.cancel_recursion.is_none() {
        l.aio.gathers[index as usize].cancel_requested = true;
    }
    cancelled
}

/// `asyncio.wait(fs, timeout=..., return_when=...)`, awaited: returns the
/// `(done, pending)` sets as lists in first-seen order.
pub async fn wait(
    fs: Vec<FutId>,
    timeout: Option<f64>,
    return_when: ReturnWhen,
) -> PyResult<(Vec<FutId>, Vec<FutId>)> {
    let unique = dedupe(&fs);
    if unique.is_empty() {
        return Err(PyExc::with_arg(
            ExcKind::ValueError,
            "Set of Tasks/Futures is empty.",
        ));
    }
    let (index, waiter) = with_loop(|l| {
        let waiter = l.create_future(FutKind::WaitWaiter);
        let timeout = timeout.map(|t| l.call_later(t, Callback::ReleaseWaiter(waiter)));
        let index = l.aio.waits.len() as u32;
        l.aio.waits.push(Wait {
            counter: unique.len(),
            return_when,
            waiter,
            timeout,
        });
        for &f in &unique {
            l.add_done_callback(f, Callback::WaitCompletion(index));
        }
        (index, waiter)
    });
    let result = await_future(waiter).await;
    with_loop(|l| {
        if let Some(h) = l.aio.waits[index as usize].timeout {
            l.cancel_handle(h);
        }
        for &f in &unique {
            l.remove_done_callback(f, Callback::WaitCompletion(index));
        }
    });
    result?;
    Ok(with_loop(|l| {
        let (done, pending): (Vec<FutId>, Vec<FutId>) = unique.iter().partition(|f| l.is_done(**f));
        let rule_met = match return_when {
            ReturnWhen::AllCompleted => pending.is_empty(),
            ReturnWhen::FirstCompleted => !done.is_empty(),
            ReturnWhen::FirstException => {
                pending.is_empty()
                    || done
                        .iter()
                        .any(|f| !l.is_cancelled(*f) && l.exception(*f).is_some())
            }
        };
        if !rule_met {
            l.timed_out();
        }
        (done, pending)
    }))
}

/// `_wait`'s `_on_completion(f)`.
fn wait_completion(l: &mut Loop, index: u32, f: FutId) {
    let w = &mut l.aio.waits[index as usize];
    w.counter = w.counter.saturating_sub(1);
    let release = w.counter == 0
        || w.return_when == ReturnWhen::FirstCompleted
        || (w.return_when == ReturnWhen::FirstException
            && !l.is_cancelled(f)
            && l.exception(f).is_some());
    if release {
        let w = &l.aio.waits[index as usize];
        let (waiter, timeout) = (w.waiter, w.timeout);
        if let Some(h) = timeout {
            l.cancel_handle(h);
        }
        if !l.is_done(waiter) {
            l.set_result(waiter, Value::None);
        }
    }
}

/// The first half of `as_completed(fs, timeout)`: registers the callbacks
/// and the timeout. Returns the state's index and how many results to await.
pub fn as_completed_start(
    fs: Vec<FutId>,
    timeout: Option<f64>,
    combination: Option<u32>,
) -> (u32, usize) {
    with_loop(|l| {
        let todo: std::collections::BTreeSet<FutId> = fs.into_iter().collect();
        let index = l.aio.as_completed.len() as u32;
        for &f in &todo {
            l.add_done_callback(f, Callback::AsCompletedCompletion(index));
        }
        let timeout = match timeout {
            Some(t) if !todo.is_empty() => {
                Some(l.call_later(t, Callback::AsCompletedTimeout(index)))
            }
            _ => None,
        };
        let count = todo.len();
        l.aio.as_completed.push(AsCompleted {
            combination,
            todo,
            done: Queue::new(0),
            timeout,
        });
        (index, count)
    })
}

/// `as_completed`'s `_wait_for_one()`.
pub async fn as_completed_next(index: u32) -> PyResult<Value> {
    let f = sync::queue_get(
        move |l: &mut Loop| &mut l.aio.as_completed[index as usize].done,
        FutKind::AsCompletedWaiter,
    )
    .await?;
    match f {
        None => {
            with_loop(Loop::timed_out);
            Err(PyExc::new(ExcKind::TimeoutError))
        }
        Some(f) => with_loop(|l| l.result(f)),
    }
}

fn as_completed_completion(l: &mut Loop, index: u32, f: FutId) {
    let state = &mut l.aio.as_completed[index as usize];
    if state.todo.is_empty() {
        return;
    }
    state.todo.remove(&f);
    let now_empty = state.todo.is_empty();
    let timeout = state.timeout;
    if let Some(c) = state.combination {
        l.aio.combinations[c as usize].finished_order.push(f);
    }
    sync::queue_put_nowait(l, |l| &mut l.aio.as_completed[index as usize].done, Some(f));
    if now_empty {
        if let Some(h) = timeout {
            l.cancel_handle(h);
        }
    }
}

fn as_completed_timeout(l: &mut Loop, index: u32) {
    let todo = std::mem::take(&mut l.aio.as_completed[index as usize].todo);
    for f in todo {
        l.remove_done_callback(f, Callback::AsCompletedCompletion(index));
        sync::queue_put_nowait(l, |l| &mut l.aio.as_completed[index as usize].done, None);
    }
}

/// `asyncio.wait_for(aw, timeout)`; `ensure_future` turns the awaitable
/// into a future at the point `tasks.py` calls it.
pub async fn wait_for(
    ensure_future: impl FnOnce(&mut Loop) -> FutId,
    timeout: f64,
) -> PyResult<Value> {
    if timeout <= 0.0 {
        let fut = with_loop(ensure_future);
        if with_loop(|l| l.is_done(fut)) {
            return with_loop(|l| l.result(fut));
        }
        with_loop(Loop::timed_out);
        cancel_and_wait(fut).await?;
        return with_loop(|l| l.result(fut)).map_err(timeout_if_cancelled);
    }
    let (fut, waiter, timer) = with_loop(|l| {
        let waiter = l.create_future(FutKind::WaitForWaiter);
        let timer = l.call_later(timeout, Callback::ReleaseWaiter(waiter));
        let fut = ensure_future(l);
        l.add_done_callback(fut, Callback::ReleaseWaiter(waiter));
        (fut, waiter, timer)
    });
    let result = wait_for_body(fut, waiter).await;
    with_loop(|l| l.cancel_handle(timer));
    result
}

async fn wait_for_body(fut: FutId, waiter: FutId) -> PyResult<Value> {
    if let Err(exc) = await_future(waiter).await {
        if with_loop(|l| l.is_done(fut)) {
            return with_loop(|l| l.result(fut));
        }
        with_loop(|l| l.remove_done_callback(fut, Callback::ReleaseWaiter(waiter)));
        cancel_and_wait(fut).await?;
        return Err(exc);
    }
    if with_loop(|l| l.is_done(fut)) {
        return with_loop(|l| l.result(fut));
    }
    // Released by the timer: the timeout ran out.
    with_loop(|l| {
        l.timed_out();
        l.remove_done_callback(fut, Callback::ReleaseWaiter(waiter))
    });
    cancel_and_wait(fut).await?;
    with_loop(|l| l.result(fut)).map_err(timeout_if_cancelled)
}

/// `raise TimeoutError() from exc` where the inner future was cancelled.
fn timeout_if_cancelled(exc: PyExc) -> PyExc {
    if exc.is_cancelled() {
        PyExc::new(ExcKind::TimeoutError)
    } else {
        exc
    }
}

/// `tasks._cancel_and_wait(fut)`.
async fn cancel_and_wait(fut: FutId) -> PyResult<Value> {
    let waiter = with_loop(|l| {
        let waiter = l.create_future(FutKind::WaitForWaiter);
        l.add_done_callback(fut, Callback::ReleaseWaiter(waiter));
        l.cancel(fut, None);
        match l.take_cancel_recursion() {
            // `finally: fut.remove_done_callback(cb)`, then it propagates.
            Some(exc) => {
                l.remove_done_callback(fut, Callback::ReleaseWaiter(waiter));
                Err(exc)
            }
            None => Ok(waiter),
        }
    })?;
    let result = await_future(waiter).await;
    with_loop(|l| l.remove_done_callback(fut, Callback::ReleaseWaiter(waiter)));
    result
}

/// `asyncio.shield(inner)`: returns the future to await (the inner one
/// itself when it is already done).
pub fn shield(l: &mut Loop, inner: FutId) -> FutId {
    if l.is_done(inner) {
        return inner;
    }
    let outer = l.create_future(FutKind::Shield);
    let index = l.aio.shields.len() as u32;
    l.aio.shields.push(Shield { inner, outer });
    l.add_done_callback(inner, Callback::ShieldInnerDone(index));
    l.add_done_callback(outer, Callback::ShieldOuterDone(index));
    outer
}

fn shield_inner_done(l: &mut Loop, index: u32) {
    let Shield { inner, outer } = l.aio.shields[index as usize];
    if l.is_cancelled(outer) {
        return;
    }
    if l.is_cancelled(inner) {
        l.cancel(outer, None);
    } else if let Some(exc) = l.exception(inner) {
        l.set_exception(outer, exc);
    } else if let Ok(v) = l.result(inner) {
        l.set_result(outer, v);
    }
}

fn shield_outer_done(l: &mut Loop, index: u32) {
    let Shield { inner, .. } = l.aio.shields[index as usize];
    if !l.is_done(inner) {
        l.remove_done_callback(inner, Callback::ShieldInnerDone(index));
    }
}

/// Runs a plain callback (anything but a task's step or wakeup).
pub fn run_callback(l: &mut Loop, callback: Callback, arg: Option<FutId>) {
    let arg_or_none = arg.unwrap_or(FutId(u32::MAX));
    match callback {
        Callback::SetResultUnlessCancelled(fut) => {
            if !l.is_cancelled(fut) {
                l.set_result(fut, Value::None);
            }
        }
        Callback::ReleaseWaiter(waiter) => {
            if !l.is_done(waiter) {
                l.set_result(waiter, Value::None);
            }
        }
        Callback::WaitCompletion(i) => wait_completion(l, i, arg_or_none),
        Callback::GatherChildDone(i) => gather_child_done(l, i, arg_or_none),
        Callback::AsCompletedCompletion(i) => as_completed_completion(l, i, arg_or_none),
        Callback::AsCompletedTimeout(i) => as_completed_timeout(l, i),
        Callback::ShieldInnerDone(i) => shield_inner_done(l, i),
        Callback::ShieldOuterDone(i) => shield_outer_done(l, i),
        Callback::StopLoop => l.stopping = true,
        Callback::ExecutorCheckCancel(run) => l.executor_check_cancel(run),
        Callback::ExecutorSetState(run) => l.executor_set_state(run),
        Callback::User(i) => super::interp::run_user_callback(l, i, arg),
        Callback::SideSubmit(_)
        | Callback::SideCancelTask(_)
        | Callback::SideSetConcurrent(_)
        | Callback::WrapCheckCancel(_)
        | Callback::WrapSetState(_)
        | Callback::StopSideLoop => l.run_side_callback(callback),
        Callback::Step(_) | Callback::Wakeup(_) => {}
    }
}
