//! The event loop's state and its rules: the clock, the ready queue, the
//! timer heap, futures with their done-callbacks, and tasks stepped as Rust
//! futures. Each rule mirrors CPython 3.11's `base_events.py`, `futures.py`
//! and `tasks.py`; the comments name the Python code they follow.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::Poll;

use super::heap;
use super::ids::{FutId, HandleId, TaskId};
use super::trace::{Event, Line, Seconds};
use super::value::{PyExc, Value};

/// What a Python expression evaluates to: a value, or an exception in flight.
pub type PyResult<T> = Result<T, PyExc>;

/// A task's coroutine: the interpreter's step machine, a Rust future
/// that finishes with the coroutine's return value or the exception that
/// escaped it. It lives inline in the task's slot, so stepping a task
/// reads one place in memory, not a slot and then a box elsewhere.
pub use super::interp::TaskBody as Coro;

/// `base_events._MIN_SCHEDULED_TIMER_HANDLES` and
/// `_MIN_CANCELLED_TIMER_HANDLES_FRACTION`: when to rebuild the timer heap.
const MIN_SCHEDULED_TIMER_HANDLES: usize = 100;
const MIN_CANCELLED_TIMER_HANDLES_FRACTION: f64 = 0.5;
/// `base_events.MAXIMUM_SELECT_TIMEOUT`: the longest the clock jumps at once.
const MAXIMUM_SELECT_TIMEOUT: f64 = 24.0 * 3600.0;

/// How a finished future finished.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Returned(Value),
    Raised(PyExc),
    Cancelled(Option<Rc<str>>),
}

/// What a future is for: the views label it, and `cancel()` dispatches on it
/// (a task's and a gather's `cancel` differ from a plain future's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FutKind {
    Plain,
    Task(TaskId),
    Sleep,
    Gather(u32),
    Shield,
    /// A scenario's hand-made future, by its index in the program.
    User(u32),
    /// The waiter `wait`, `wait_for` or `as_completed` awaits in.
    WaitWaiter,
    WaitForWaiter,
    AsCompletedWaiter,
    /// A waiter in line for the program's lock, semaphore, event or
    /// queue, by its index in the program.
    LockWaiter(u32),
    SemaphoreWaiter(u32),
    EventWaiter(u32),
    QueueWaiter(u32),
    /// The future `run_in_executor` returns, for job run `n`.
    Executor(u32),
    /// `wrap_future` of what `run_coroutine_threadsafe` returned, for side
    /// run `n` (see `side.rs`).
    SideLoop(u32),
}

/// A plain callback the loop can run: the Python functions asyncio
/// schedules, as data so the trace can name them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Callback {
    /// `Task.__step`: a task's first step, or its step after a bare yield.
    Step(TaskId),
    /// `Task.__wakeup(fut)`: the future a task waited on is done.
    Wakeup(TaskId),
    /// `futures._set_result_unless_cancelled(fut, None)`: a sleep's timer.
    SetResultUnlessCancelled(FutId),
    /// `tasks._release_waiter(waiter)`.
    ReleaseWaiter(FutId),
    /// `_wait`'s `_on_completion`.
    WaitCompletion(u32),
    /// `gather`'s `_done_callback`.
    GatherChildDone(u32),
    /// `as_completed`'s `_on_completion` and `_on_timeout`.
    AsCompletedCompletion(u32),
    AsCompletedTimeout(u32),
    /// `shield`'s `_inner_done_callback` and `_outer_done_callback`.
    ShieldInnerDone(u32),
    ShieldOuterDone(u32),
    /// `base_events._run_until_complete_cb`: stops the loop.
    StopLoop,
    /// `_chain_future`'s `_call_check_cancel` for job run `n`.
    ExecutorCheckCancel(u32),
    /// `_chain_future`'s `_set_state`: job run `n` hands its result over.
    ExecutorSetState(u32),
    /// Side run `n` (see `side.rs`), on the side loop: `run_coroutine_threadsafe`'s
    /// `callback`, which makes the task; `task.cancel`; and the task's
    /// done-callback that copies its outcome into the concurrent future.
    SideSubmit(u32),
    SideCancelTask(u32),
    SideSetConcurrent(u32),
    /// Side run `n`, on the main loop: `wrap_future`'s `_call_check_cancel`
    /// and `_set_state`.
    WrapCheckCancel(u32),
    WrapSetState(u32),
    /// `side_loop.stop`, handed over with `call_soon_threadsafe`.
    StopSideLoop,
    /// A scenario's own function, by its index in the program.
    User(u32),
}

/// A callback waiting in the ready queue, and where it came from.
#[derive(Clone, Copy, Debug)]
pub struct Ready {
    pub callback: Callback,
    pub from: ReadyFrom,
}

/// Why a callback is ready: a done-callback receives its future; a timer's
/// callback can still be cancelled through its handle. One or the other,
/// never both, so a ready entry is 16 bytes (the queue may hold 100,000).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReadyFrom {
    /// `call_soon` (or `call_soon_threadsafe`).
    CallSoon,
    /// A done future's callbacks.
    Done(FutId),
    /// A timer that came due.
    Timer(HandleId),
}

impl Ready {
    /// The future a done-callback receives.
    pub fn arg(&self) -> Option<FutId> {
        match self.from {
            ReadyFrom::Done(fut) => Some(fut),
            _ => None,
        }
    }

    /// The handle that can still cancel a timer's callback.
    pub fn handle(&self) -> Option<HandleId> {
        match self.from {
            ReadyFrom::Timer(handle) => Some(handle),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Timer {
    when: f64,
    handle: HandleId,
}

/// A cancellable handle: a `TimerHandle`. Every handle the loop keeps is
/// a timer's (a program never cancels a `call_soon` handle, so the loop
/// keeps none of those).
#[derive(Clone, Debug)]
pub struct HandleSlot {
    pub callback: Callback,
    pub when: f64,
    pub cancelled: bool,
    /// Still in the timer heap (`TimerHandle._scheduled`).
    pub scheduled: bool,
}

// A run of 100,000 tasks keeps 300,000 futures and 200,000 timers: their
// slots' sizes are much of its memory (see `approx_bytes`).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(std::mem::size_of::<FutSlot>() == 56);
    assert!(std::mem::size_of::<HandleSlot>() == 24);
    assert!(std::mem::size_of::<TaskSlot>() == 128);
    assert!(std::mem::size_of::<Ready>() == 16);
};

#[derive(Debug)]
pub struct FutSlot {
    pub kind: FutKind,
    pub outcome: Option<Outcome>,
    callbacks: Callbacks,
}

/// A future's done-callbacks in registration order. Most futures get
/// exactly one (the task waiting on them), so one is kept inline, and
/// more are boxed: 16 bytes in a future's slot, not 24.
#[derive(Debug, Default)]
enum Callbacks {
    #[default]
    None,
    One(Callback),
    #[allow(clippy::box_collection)]
    Many(Box<Vec<Callback>>),
}

impl Callbacks {
    fn push(&mut self, callback: Callback) {
        *self = match std::mem::take(self) {
            Callbacks::None => Callbacks::One(callback),
            Callbacks::One(first) => Callbacks::Many(Box::new(vec![first, callback])),
            Callbacks::Many(mut all) => {
                all.push(callback);
                Callbacks::Many(all)
            }
        };
    }

    fn remove_all(&mut self, callback: Callback) {
        match self {
            Callbacks::One(c) if *c == callback => *self = Callbacks::None,
            Callbacks::Many(all) => all.retain(|c| *c != callback),
            _ => {}
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Callbacks::Many(all) => {
                std::mem::size_of::<Vec<Callback>>()
                    + all.capacity() * std::mem::size_of::<Callback>()
            }
            _ => 0,
        }
    }
}

/// What the coroutine handed back to `__step` when it suspended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Yielded {
    Nothing,
    /// A bare `yield` (`sleep(0)`): step again next iteration.
    Bare,
    /// `yield future`: step again when it is done.
    Future(FutId),
    /// Not a suspension: the side loop's thread holds in `time.sleep`, and
    /// the task's step goes on when the thread is due (see `side.rs`).
    Held,
}

/// A task's name: the one given to `create_task`, or `Task-N` (formatted
/// only when shown, so creating a task allocates no string).
#[derive(Clone, Debug, PartialEq)]
pub enum TaskName {
    Numbered(u32),
    /// Thin (one pointer), which keeps a task's slot to one cache line.
    Given(Rc<String>),
}

impl std::fmt::Display for TaskName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TaskName::Numbered(n) => write!(f, "Task-{n}"),
            TaskName::Given(name) => f.write_str(name),
        }
    }
}

/// A task: a future plus the coroutine it drives. Natively two whole
/// cache lines, which a step reads together (wasm32's slot is smaller,
/// and is left unaligned).
///
/// Invariant: `coro` is `Some` while the task is pending and not being
/// stepped; `fut_waiter` is the future it is suspended on, if any.
#[cfg_attr(not(target_arch = "wasm32"), repr(align(64)))]
pub struct TaskSlot {
    pub fut: FutId,
    pub name: TaskName,
    /// Index of the coroutine function in the program (`None` for the
    /// loop's own internal tasks).
    pub coro_id: Option<u32>,
    pub parent: Option<TaskId>,
    pub fut_waiter: Option<FutId>,
    pub must_cancel: bool,
    pub started: bool,
    /// Made by the side loop (see `side.rs`), which steps it.
    pub on_side: bool,
    coro: Option<Coro>,
}

impl TaskSlot {
    /// Its coroutine's steps and the one it is in (see
    /// `TaskBody::upcoming_steps`), while it is suspended.
    pub fn upcoming_steps(&self) -> Option<(&[super::program::Step], usize)> {
        self.coro.as_ref().map(|c| c.upcoming_steps())
    }

    /// Takes the coroutine out, to drop it.
    pub fn take_coro(&mut self) -> Option<Coro> {
        self.coro.take()
    }
}

/// The loop: all state CPython's `BaseEventLoop` and its futures hold.
pub struct Loop {
    pub now: f64,
    pub clock_resolution: f64,
    pub iteration: u32,
    pub stopping: bool,
    /// The running loop's queues: while the side loop runs, these are
    /// its own, and the main loop's are parked in `side` (see `side.rs`).
    pub ready: super::ready::ReadyQueue,
    pub(super) timers: Vec<Timer>,
    pub(super) timer_cancelled_count: usize,
    pub handles: Vec<HandleSlot>,
    /// `take_due_timers`' list of the handles it pops, kept for its memory.
    due_handles: Vec<HandleId>,
    /// Callbacks to run before the loop next fetches ahead (see
    /// `fetch_ahead`).
    fetch_countdown: usize,
    pub futures: Vec<FutSlot>,
    pub tasks: Vec<TaskSlot>,
    pub current: Option<TaskId>,
    /// The exception `__step` throws into the running task's coroutine at
    /// its await point.
    pub(super) thrown: Option<PyExc>,
    /// What the running task's coroutine handed back when it suspended.
    pub(super) yielded: Yielded,
    /// The step each task is suspended at, `(coroutine, pre-order index)`
    /// (see `Scenario::places`), by task; kept only while positions are
    /// tracked.
    pub positions: Vec<Option<(u32, u32)>>,
    /// `events._task_name_counter`: numbers unnamed tasks `Task-N`.
    task_name_counter: u32,
    pub trace: Vec<Event>,
    pub output: Vec<Line>,
    /// Side tables of the combinators in flight (see `aio.rs`).
    pub aio: super::aio::AioState,
    /// The default executor's threads (see `threads.rs`).
    pub threads: super::threads::Threads,
    /// The second event loop, in a thread of its own, if the program
    /// has one (see `side.rs`).
    pub side: Option<Box<super::side::SideLoop>>,
    /// Whether the side loop's queues are the running ones.
    pub on_side: bool,
    /// `asyncio.run` closed the main loop: threads can no longer call
    /// into it.
    pub main_closed: bool,
    /// A thread called `call_soon_threadsafe` on the main loop, which
    /// ends a wait in its `select`.
    pub main_woken: bool,
    /// The number of callbacks run so far, for the run budget.
    pub callbacks_run: u64,
    /// No callback runs once `callbacks_run` reaches this: the budget's
    /// callbacks, or 0 once any limit is reached (see `budget.rs`), so
    /// the dispatch loop makes one check for both.
    pub callback_limit: u64,
    /// The run's budget and what it has used (see `budget.rs`).
    pub meter: super::budget::Meter,
    /// The tasks whose `cancel()` is in progress, outermost first: a
    /// task's cancel cancels what it waits on, which may lead back to one
    /// of them (see `cancel_task`).
    cancelling: Vec<TaskId>,
    /// A `cancel()` that CPython would never finish, once one was met.
    pub cancel_recursion: Option<CancelRecursion>,
    /// The tasks of the last such cycle, for the message.
    pub cancel_cycle: Vec<TaskId>,
    /// What the program's names refer to (see `interp.rs`).
    pub scenario: super::interp::Scenario,
}

impl Default for Loop {
    fn default() -> Loop {
        Loop {
            now: 0.0,
            clock_resolution: 1e-9,
            iteration: 0,
            stopping: false,
            ready: Default::default(),
            timers: Vec::new(),
            timer_cancelled_count: 0,
            handles: Vec::new(),
            due_handles: Vec::new(),
            fetch_countdown: 0,
            futures: Vec::new(),
            tasks: Vec::new(),
            current: None,
            thrown: None,
            yielded: Yielded::Nothing,
            positions: Vec::new(),
            task_name_counter: 0,
            trace: Vec::new(),
            output: Vec::new(),
            aio: Default::default(),
            threads: Default::default(),
            side: None,
            on_side: false,
            main_closed: false,
            main_woken: false,
            callbacks_run: 0,
            callback_limit: u64::MAX,
            meter: Default::default(),
            cancelling: Vec::new(),
            cancel_recursion: None,
            cancel_cycle: Vec::new(),
            scenario: Default::default(),
        }
    }
}

fn timer_lt(a: &Timer, b: &Timer) -> bool {
    a.when < b.when
}

/// The armed, not cancelled timers of a heap, in the order `_run_once`
/// pops them (equal deadlines come off CPython's heapq in an order of
/// its own, not the order they were armed).
pub(super) fn live_timers(timers: &[Timer], handles: &[HandleSlot]) -> Vec<(f64, Callback)> {
    let mut heap = timers.to_vec();
    std::iter::from_fn(|| heap::pop(&mut heap, timer_lt))
        .filter(|t| !handles[t.handle.index()].cancelled)
        .map(|t| (t.when, handles[t.handle.index()].callback))
        .collect()
}

impl Loop {
    // ----- scheduling (base_events.py) -----

    /// `loop.call_soon(callback)`.
    pub fn call_soon(&mut self, callback: Callback, arg: Option<FutId>) {
        self.ready.push_back(Ready {
            callback,
            from: arg.map_or(ReadyFrom::CallSoon, ReadyFrom::Done),
        });
    }

    /// `loop.call_later(delay, callback)` = `call_at(time() + delay)`.
    pub fn call_later(&mut self, delay: f64, callback: Callback) -> HandleId {
        self.call_at(self.now + delay, callback)
    }

    /// `loop.call_at(when, callback)`: pushes a `TimerHandle` on the heap.
    pub fn call_at(&mut self, when: f64, callback: Callback) -> HandleId {
        let handle = HandleId(self.handles.len() as u32);
        self.handles.push(HandleSlot {
            callback,
            when,
            cancelled: false,
            scheduled: true,
        });
        heap::push(&mut self.timers, Timer { when, handle }, timer_lt);
        self.trace.push(Event::TimerArmed(handle));
        handle
    }

    /// The virtual clock jumps forward to `when`, if that is later (the
    /// trace tells): the end of a wait in `select`, or a thread's turn.
    pub(super) fn clock_forward_to(&mut self, when: f64) {
        if when > self.now {
            self.now = when;
            self.trace.push(Event::Clock(Seconds::new(when)));
            self.check_clock();
        }
    }

    /// A timer's deadline (`TimerHandle.when()`).
    pub fn deadline(&self, handle: HandleId) -> f64 {
        self.handles[handle.index()].when
    }

    /// `TimerHandle.cancel()`: marks it; it leaves the heap lazily.
    pub fn cancel_handle(&mut self, handle: HandleId) {
        let slot = &mut self.handles[handle.index()];
        if slot.cancelled {
            return;
        }
        slot.cancelled = true;
        if slot.scheduled {
            self.timer_cancelled_count += 1;
            self.trace.push(Event::TimerCancelled(handle));
        }
    }

    /// The deadline of the earliest live timer, for drivers that wait.
    pub fn next_deadline(&self) -> Option<f64> {
        self.timers
            .iter()
            .filter(|t| !self.handles[t.handle.index()].cancelled)
            .map(|t| t.when)
            .min_by(f64::total_cmp)
    }

    /// The start of `_run_once`: drops cancelled timers and returns how
    /// long `select` waits: 0 with callbacks ready, else until the first
    /// timer, else (`None`) until woken.
    pub fn select_timeout(&mut self) -> Option<f64> {
        let sched_count = self.timers.len();
        if sched_count > MIN_SCHEDULED_TIMER_HANDLES
            && self.timer_cancelled_count as f64 / sched_count as f64
                > MIN_CANCELLED_TIMER_HANDLES_FRACTION
        {
            let handles = &mut self.handles;
            self.timers.retain(|t| {
                let slot = &mut handles[t.handle.index()];
                if slot.cancelled {
                    slot.scheduled = false;
                }
                !slot.cancelled
            });
            heap::heapify(&mut self.timers, timer_lt);
            self.timer_cancelled_count = 0;
        } else {
            while let Some(first) = self.timers.first() {
                if !self.handles[first.handle.index()].cancelled {
                    break;
                }
                self.timer_cancelled_count -= 1;
                let t = heap::pop(&mut self.timers, timer_lt).expect("non-empty heap");
                self.handles[t.handle.index()].scheduled = false;
            }
        }
        if !self.ready.is_empty() || self.stopping {
            Some(0.0)
        } else {
            self.timers
                .first()
                .map(|first| (first.when - self.now).clamp(0.0, MAXIMUM_SELECT_TIMEOUT))
        }
    }

    /// The end of `_run_once` once `select` returned: counts the iteration
    /// and moves due timers to the ready queue. Returns the callbacks to
    /// run this iteration.
    pub fn take_due_timers(&mut self) -> usize {
        self.iteration += 1;
        self.trace.push(if self.on_side {
            Event::SideIteration(self.iteration)
        } else {
            Event::Iteration(self.iteration)
        });
        let end_time = self.now + self.clock_resolution;
        let mut due = std::mem::take(&mut self.due_handles);
        while let Some(first) = self.timers.first() {
            if first.when >= end_time {
                break;
            }
            let t = heap::pop(&mut self.timers, timer_lt).expect("non-empty heap");
            self.trace.push(Event::TimerDue(t.handle));
            due.push(t.handle);
        }
        // The due timers' handles are scattered over a big table: read in
        // a loop this short, many of their cache misses are in flight at
        // once, where between heap pops each would be waited for alone.
        for &handle in &due {
            let slot = &mut self.handles[handle.index()];
            slot.scheduled = false;
            self.ready.push_back(Ready {
                callback: slot.callback,
                from: ReadyFrom::Timer(handle),
            });
        }
        due.clear();
        self.due_handles = due;
        self.ready.len()
    }

    /// Armed timers, not cancelled, of the running loop, earliest first.
    pub fn live_timers(&self) -> Vec<(f64, Callback)> {
        live_timers(&self.timers, &self.handles)
    }

    pub fn is_cancelled_handle(&self, ready: &Ready) -> bool {
        ready
            .handle()
            .is_some_and(|h| self.handles[h.index()].cancelled)
    }

    // ----- futures (futures.py) -----

    pub fn create_future(&mut self, kind: FutKind) -> FutId {
        let id = FutId(self.futures.len() as u32);
        self.futures.push(FutSlot {
            kind,
            outcome: None,
            callbacks: Callbacks::None,
        });
        id
    }

    pub fn fut(&self, fut: FutId) -> &FutSlot {
        &self.futures[fut.index()]
    }

    pub fn is_done(&self, fut: FutId) -> bool {
        self.futures[fut.index()].outcome.is_some()
    }

    pub fn is_cancelled(&self, fut: FutId) -> bool {
        matches!(
            self.futures[fut.index()].outcome,
            Some(Outcome::Cancelled(_))
        )
    }

    /// `future.result()`.
    pub fn result(&self, fut: FutId) -> PyResult<Value> {
        match &self.futures[fut.index()].outcome {
            Some(Outcome::Returned(v)) => Ok(v.clone()),
            other => Err(result_error(other.as_ref())),
        }
    }

    /// What `future.result()` raises, if it raises, without copying the
    /// value it would return (`Task.__wakeup` needs only that).
    pub fn result_raises(&self, fut: FutId) -> Option<PyExc> {
        match &self.futures[fut.index()].outcome {
            Some(Outcome::Returned(_)) => None,
            other => Some(result_error(other.as_ref())),
        }
    }

    /// `future.exception()` for a done, not cancelled future.
    pub fn exception(&self, fut: FutId) -> Option<PyExc> {
        match &self.futures[fut.index()].outcome {
            Some(Outcome::Raised(e)) => Some(e.clone()),
            _ => None,
        }
    }

    /// Completes a pending future and schedules its callbacks
    /// (`Future.__schedule_callbacks`). Returns false if it was done.
    pub fn complete(&mut self, fut: FutId, outcome: Outcome) -> bool {
        let slot = &mut self.futures[fut.index()];
        if slot.outcome.is_some() {
            return false;
        }
        slot.outcome = Some(outcome);
        let callbacks = std::mem::take(&mut slot.callbacks);
        self.trace.push(Event::FutureDone(fut));
        match callbacks {
            Callbacks::None => {}
            Callbacks::One(callback) => self.call_soon(callback, Some(fut)),
            Callbacks::Many(all) => {
                for callback in *all {
                    self.call_soon(callback, Some(fut));
                }
            }
        }
        true
    }

    pub fn set_result(&mut self, fut: FutId, value: Value) -> bool {
        self.complete(fut, Outcome::Returned(value))
    }

    pub fn set_exception(&mut self, fut: FutId, exc: PyExc) -> bool {
        self.complete(fut, Outcome::Raised(exc))
    }

    /// `future.add_done_callback(cb)`: on a done future it is scheduled at once.
    pub fn add_done_callback(&mut self, fut: FutId, callback: Callback) {
        if self.is_done(fut) {
            self.call_soon(callback, Some(fut));
        } else {
            self.futures[fut.index()].callbacks.push(callback);
        }
    }

    /// `future.remove_done_callback(cb)`: removes every equal callback.
    pub fn remove_done_callback(&mut self, fut: FutId, callback: Callback) {
        self.futures[fut.index()].callbacks.remove_all(callback);
    }

    /// `fut.cancel()`, dispatched on what the future is.
    pub fn cancel(&mut self, fut: FutId, msg: Option<Rc<str>>) -> bool {
        if self.cancel_recursion.is_some() {
            // A cancel further out raises: nothing more happens.
            return false;
        }
        match self.futures[fut.index()].kind {
            FutKind::Task(task) => self.cancel_task(task, msg),
            FutKind::Gather(gather) => super::aio::cancel_gather(self, gather, msg),
            _ => self.complete(fut, Outcome::Cancelled(msg)),
        }
    }

    // ----- tasks (tasks.py) -----

    /// `loop.create_task(coro, name=...)`: registers the task and schedules
    /// its first step with `call_soon`.
    pub fn create_task(&mut self, coro: Coro, name: Option<&str>, coro_id: Option<u32>) -> TaskId {
        let id = TaskId(self.tasks.len() as u32);
        let fut = self.create_future(FutKind::Task(id));
        // CPython 3.11 counts every task, named or not: after a task named
        // `x`, the next unnamed one of two is Task-3.
        self.task_name_counter += 1;
        let name = match name {
            Some(n) => TaskName::Given(Rc::new(n.to_owned())),
            None => TaskName::Numbered(self.task_name_counter),
        };
        self.tasks.push(TaskSlot {
            fut,
            name,
            coro_id,
            parent: self.current,
            fut_waiter: None,
            must_cancel: false,
            started: false,
            on_side: self.on_side,
            coro: Some(coro),
        });
        self.trace.push(Event::TaskCreated(id));
        self.call_soon(Callback::Step(id), None);
        self.count_task();
        id
    }

    pub fn task(&self, task: TaskId) -> &TaskSlot {
        &self.tasks[task.index()]
    }

    /// `Task.cancel(msg)`: a request, delivered at the task's next step.
    ///
    /// It cancels what the task waits on first, so tasks that wait on
    /// each other (through `await`, `gather`) make CPython's cancel call
    /// itself forever, until RecursionError; a long enough chain does
    /// too. The first is modelled: the cancel returns false at once,
    /// leaving what it changed so far, and `cancel_recursion` says why;
    /// whoever called `cancel()` raises it (see `take_cancel_recursion`).
    pub fn cancel_task(&mut self, task: TaskId, msg: Option<Rc<str>>) -> bool {
        let fut = self.tasks[task.index()].fut;
        if self.is_done(fut) || self.cancel_recursion.is_some() {
            return false;
        }
        // Tasks gathering the tasks of the next layer, layer after layer,
        // make one cancel go through each path: exponential work inside
        // one callback (in CPython too). Each visit is an event.
        if self.trace.len() > self.meter.budget.max_trace_events {
            self.cancel_recursion = Some(CancelRecursion::OutOfBudget);
            return false;
        }
        self.trace.push(Event::CancelRequested {
            task,
            by: self.current.into(),
        });
        if let Some(waiter) = self.tasks[task.index()].fut_waiter {
            if let Some(at) = self.cancelling.iter().position(|t| *t == task) {
                self.cancel_recursion =
                    Some(CancelRecursion::Cycle(self.cancelling[at..].to_vec()));
                return false;
            }
            if self.cancelling.len() >= MAX_CANCEL_DEPTH {
                self.cancel_recursion = Some(CancelRecursion::TooDeep);
                return false;
            }
            self.cancelling.push(task);
            let cancelled = self.cancel(waiter, msg.clone());
            self.cancelling.pop();
            if self.cancel_recursion.is_some() {
                return false;
            }
            if cancelled {
                // The waiter may be a task that swallows the cancellation,
                // so fut_waiter stays: it may need cancelling again.
                return true;
            }
        }
        // Its __step must already be scheduled.
        self.tasks[task.index()].must_cancel = true;
        true
    }

    /// Called by awaitables: the running coroutine suspends on `fut`.
    pub fn suspend_on(&mut self, fut: FutId) {
        if self.current.is_some() {
            self.yielded = Yielded::Future(fut);
        }
    }

    /// Called by `sleep(0)`: the running coroutine yields bare.
    pub fn yield_bare(&mut self) {
        if self.current.is_some() {
            self.yielded = Yielded::Bare;
        }
    }

    /// Called by awaitables when resumed: the exception `__step` threw in.
    pub fn take_thrown(&mut self) -> Option<PyExc> {
        self.current?;
        self.thrown.take()
    }

    pub fn print(&mut self, text: String) {
        self.count_output(text.len() + 1);
        let index = self.output.len() as u32;
        self.output.push(Line {
            time: self.now,
            task: self.current,
            text,
        });
        self.trace.push(Event::Print(index));
    }
}

/// How many tasks' cancels may be in progress at once, one inside the
/// other: CPython's recursion limit is reached at 400 to 1,000, depending
/// on what awaits what, so a chain longer than this one is refused rather
/// than guessed at.
pub const MAX_CANCEL_DEPTH: usize = 200;

/// A `cancel()` CPython would not finish.
#[derive(Clone, Debug, PartialEq)]
pub enum CancelRecursion {
    /// These tasks wait on each other, each on the next and the last on
    /// the first: cancelling one cancels the next, forever, until CPython
    /// raises RecursionError.
    Cycle(Vec<TaskId>),
    /// The tasks waiting on each other form a chain longer than
    /// `MAX_CANCEL_DEPTH`.
    TooDeep,
    /// The cancel went through more tasks than the run has events left.
    OutOfBudget,
}

impl Loop {
    /// The last cycle of tasks a `cancel()` went round, named, the first
    /// again at the end: `Task-2 → Task-3 → Task-2`.
    pub fn describe_cancel_cycle(&self) -> String {
        let mut names: Vec<String> = self
            .cancel_cycle
            .iter()
            .map(|t| self.task(*t).name.to_string())
            .collect();
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        names.join(" → ")
    }

    /// Takes what the last `cancel()` met, for its caller to act on: a
    /// cycle raises RecursionError where `cancel()` was called; a chain
    /// too long to model stops the run.
    pub fn take_cancel_recursion(&mut self) -> Option<PyExc> {
        match self.cancel_recursion.take()? {
            CancelRecursion::Cycle(tasks) => {
                // Through tasks alone the recursion is C calls only, and
                // CPython says so; through a gather's cancel, a Python
                // method, which of the two kinds of call reaches the limit
                // first depends on how deep the stack already was, so on
                // how the program was started: the plain message is as
                // right as the other.
                let through_gather = tasks.iter().any(|t| {
                    self.task(*t)
                        .fut_waiter
                        .is_some_and(|f| matches!(self.fut(f).kind, FutKind::Gather(_)))
                });
                self.cancel_cycle = tasks;
                Some(PyExc::recursion_error(!through_gather))
            }
            CancelRecursion::TooDeep => {
                self.exhaust(super::budget::Limit::CancelDepth(MAX_CANCEL_DEPTH));
                None
            }
            CancelRecursion::OutOfBudget => {
                let events = self.meter.budget.max_trace_events;
                self.exhaust(super::budget::Limit::TraceEvents(events));
                None
            }
        }
    }

    /// `fut.cancel()` from a callback: an exception there is the loop's
    /// exception handler's to log (stderr), so a cycle changes nothing
    /// more.
    pub fn cancel_in_callback(&mut self, fut: FutId) {
        self.cancel(fut, None);
        self.take_cancel_recursion();
    }
}

/// The exception `future.result()` raises for a future that did not
/// return: its exception, a `CancelledError`, or not done yet.
fn result_error(outcome: Option<&Outcome>) -> PyExc {
    match outcome {
        Some(Outcome::Raised(e)) => e.clone(),
        Some(Outcome::Cancelled(msg)) => cancelled_error(msg.as_deref()),
        Some(Outcome::Returned(_)) | None => PyExc::with_arg(
            super::value::ExcKind::InvalidStateError,
            "Result is not set.",
        ),
    }
}

/// `Future._make_cancelled_error()`.
pub fn cancelled_error(msg: Option<&str>) -> PyExc {
    match msg {
        Some(m) => PyExc::with_arg(super::value::ExcKind::CancelledError, m),
        None => PyExc::cancelled(),
    }
}

/// The loop as the running coroutines see it: `asyncio.get_running_loop()`.
/// Coroutines reach it through [`with_loop`] while [`Runtime`] runs them, so
/// they hold no reference to it and no reference cycle forms.
#[derive(Clone, Default)]
pub struct Runtime(pub Rc<RefCell<Loop>>);

thread_local! {
    static RUNNING: RefCell<Option<Rc<RefCell<Loop>>>> = const { RefCell::new(None) };
    /// The address of the step the running coroutine is at; `__step`
    /// records its place when the coroutine suspends. A plain cell, because
    /// it is set at every step and a loop borrow each time would cost more.
    static CURRENT_STEP: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Records which step the running coroutine is executing.
pub fn set_current_step(step: usize) {
    CURRENT_STEP.with(|c| c.set(step));
}

/// The step the running coroutine is executing.
pub fn current_step() -> usize {
    CURRENT_STEP.with(|c| c.get())
}

/// Runs `f` on the running loop. Only awaitables call it, and only while a
/// task is being stepped, when a loop is always running.
pub fn with_loop<R>(f: impl FnOnce(&mut Loop) -> R) -> R {
    RUNNING.with(|running| {
        let running = running.borrow();
        let lp = running.as_ref().expect("awaited outside a running loop");
        let mut lp = lp.borrow_mut();
        f(&mut lp)
    })
}

/// Makes `lp` the running loop until the guard drops.
struct RunningGuard(Option<Rc<RefCell<Loop>>>);

impl RunningGuard {
    fn enter(lp: &Rc<RefCell<Loop>>) -> RunningGuard {
        RunningGuard(RUNNING.with(|r| r.replace(Some(lp.clone()))))
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        RUNNING.with(|r| *r.borrow_mut() = previous);
    }
}

impl Runtime {
    pub fn with<R>(&self, f: impl FnOnce(&mut Loop) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }

    /// Runs `f` with this loop as the running loop.
    pub fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = RunningGuard::enter(&self.0);
        f()
    }

    /// The first half of `_run_once`: drop cancelled timers, wait in
    /// `select` (the virtual selector jumps the clock; executor threads and
    /// the side loop due meanwhile run first and may end the wait early,
    /// see `threads.rs`), and move due timers to the ready queue. Returns
    /// the callbacks to run this iteration, or `None` when nothing is
    /// ready, no timer is armed and no thread can wake the loop (a
    /// deadlock, where CPython's selector would wait forever).
    pub fn begin_iteration(&self) -> Option<usize> {
        // the tracer's selector: `_now += timeout`, with CPython's float
        // arithmetic, so times print exactly as CPython prints them.
        let waited = |l: &mut Loop, until: Option<f64>, woken: bool| {
            match until {
                _ if woken => {}
                Some(until) => l.clock_forward_to(until),
                None => return None,
            }
            Some(l.take_due_timers())
        };
        let until = self.with(|l| {
            let timeout = l.select_timeout();
            let until = timeout.map(|t| l.now + t);
            if !l.threads.any() {
                // No thread to run first: the common case, in one borrow.
                return Err(waited(l, until, false));
            }
            Ok(until)
        });
        let until = match until {
            Ok(until) => until,
            Err(ran) => return ran,
        };
        let woken = self.run_threads(until, true);
        self.with(|l| waited(l, until, woken))
    }

    /// The loop being run right now (by `Runtime::enter`).
    pub fn running() -> Option<Runtime> {
        RUNNING.with(|r| r.borrow().clone().map(Runtime))
    }

    /// Runs up to `max` ready callbacks (fewer if the queue runs out), as
    /// many as it can on one borrow of the loop: this is the hottest loop
    /// there is.
    pub fn run_ready_batch(&self, max: usize) {
        let mut ran = 0;
        while ran < max {
            let released = self.with(|l| {
                while ran < max {
                    match l.run_one() {
                        Dispatched::Empty => return None,
                        Dispatched::Ran => ran += 1,
                        Dispatched::Released(task, coro) => {
                            ran += 1;
                            return Some((task, coro));
                        }
                    }
                }
                None
            });
            match released {
                Some((task, coro)) => self.finish_step_released(task, coro),
                None => break,
            }
        }
    }

    /// The rest of a task's step, which needs the loop released (see
    /// `TaskBody::resume_in`): a compound step, or the side loop's task
    /// going on after its `time.sleep`.
    pub(super) fn finish_step_released(&self, task: TaskId, mut coro: Coro) {
        let poll = coro.resume();
        self.with(|l| l.finish_step(task, coro, poll));
    }
}

/// What running one ready callback came to.
enum Dispatched {
    /// The queue was empty.
    Empty,
    Ran,
    /// A task's step that must go on with the loop released (see
    /// `TaskBody::resume_in`).
    Released(TaskId, Coro),
}

impl Loop {
    /// Runs the callback at the front of the ready queue.
    #[inline(always)]
    fn run_one(&mut self) -> Dispatched {
        if self.fetch_countdown == 0 {
            self.fetch_ahead();
            self.fetch_countdown = FETCH.batch;
        }
        self.fetch_countdown -= 1;
        if self.callbacks_run >= self.callback_limit {
            if self.meter.stop.is_none() {
                self.callbacks_spent();
            }
            return Dispatched::Empty;
        }
        let Some(ready) = self.ready.pop_front() else {
            return Dispatched::Empty;
        };
        if self.is_cancelled_handle(&ready) {
            return Dispatched::Ran;
        }
        self.callbacks_run += 1;
        let released = match ready.callback {
            Callback::Step(task) => self.step(task, None),
            Callback::Wakeup(task) => {
                // `Task.__wakeup(fut)`: step with the future's exception, if any.
                let exc = ready.arg().and_then(|f| self.result_raises(f));
                self.step(task, exc)
            }
            other => {
                super::aio::run_callback(self, other, ready.arg());
                None
            }
        };
        match released {
            Some((task, coro)) => Dispatched::Released(task, coro),
            None => Dispatched::Ran,
        }
    }

    /// `Task.__step(exc)`, as far as it runs on this borrow of the loop:
    /// most steps run to their end here. Returns the task's coroutine when
    /// the rest of the step needs the loop released.
    #[inline(always)]
    fn step(&mut self, task: TaskId, exc: Option<PyExc>) -> Option<(TaskId, Coro)> {
        let slot = &mut self.tasks[task.index()];
        // A task's future is completed only by `finish_step`, after its
        // coroutine is dropped: no coroutine means done (or running),
        // without touching the future (a cache miss per step).
        slot.coro.as_ref()?;
        let mut exc = exc;
        if slot.must_cancel {
            if !exc.as_ref().is_some_and(PyExc::is_cancelled) {
                exc = Some(PyExc::cancelled());
            }
            slot.must_cancel = false;
        }
        slot.fut_waiter = None;
        let first = !slot.started;
        slot.started = true;
        self.thrown = exc.clone();
        self.current = Some(task);
        // Which step the task is at, once it starts one; a step that goes
        // on (a wait_for waking inside) leaves its place as it was.
        set_current_step(0);
        self.trace.push(Event::TaskRunning(task));
        if let Some(e) = &exc {
            self.trace.push(Event::Thrown { task, kind: e.kind });
        }
        let mut coro = slot.coro.take()?;
        // `coro.throw(exc)` on a coroutine that never started raises at
        // once: none of its body runs.
        let poll = match exc.filter(|_| first) {
            Some(exc) => Poll::Ready(Err(exc)),
            None => match coro.resume_in(self) {
                Some(poll) => poll,
                None => return Some((task, coro)),
            },
        };
        self.finish_step(task, coro, poll);
        None
    }
}

/// How the loop fetches ahead (see `fetch_ahead`): every `batch`
/// callbacks, it fetches the task slots of the `batch` callbacks
/// `slots_ahead` places on in the queue, and what the slots of those
/// `pointees_ahead` places on point to (their slots were fetched a round
/// or more before, so their addresses are at hand).
///
/// A prefetch instruction retires at once, so x86-64 asks for one
/// callback's memory at a time, just far enough ahead for it to arrive in
/// time (the browser's plan costs it a sixth). WebAssembly has no such
/// instruction, and the load that stands in for one holds the CPU up once
/// its reorder buffer is full, a few hundred instructions further: fetched
/// a callback at a time, each miss would be waited for alone. So the
/// browser fetches many callbacks' memory in one short loop, where their
/// misses are in flight together; in Node and headless Chromium that runs
/// the benchmark half as fast again as one callback a round.
struct FetchPlan {
    batch: usize,
    slots_ahead: usize,
    pointees_ahead: usize,
}

#[cfg(target_arch = "x86_64")]
const FETCH: FetchPlan = FetchPlan {
    batch: 1,
    slots_ahead: 7,
    pointees_ahead: 3,
};
#[cfg(not(target_arch = "x86_64"))]
const FETCH: FetchPlan = FetchPlan {
    batch: 8,
    slots_ahead: 16,
    pointees_ahead: 8,
};

impl Loop {
    /// Most of a callback's time in a big run would go to cache misses:
    /// its task's slot, the future it completes, the program steps it runs
    /// next, each in a table too big for any cache and taken in an order
    /// no cache predicts. The ready queue knows the order, so the loop
    /// fetches ahead, as [`FETCH`] plans.
    fn fetch_ahead(&self) {
        let queued = self.ready.as_slice();
        let from = |ahead: usize| {
            let start = ahead.min(queued.len());
            &queued[start..(ahead + FETCH.batch).min(queued.len())]
        };
        for ready in from(FETCH.slots_ahead) {
            match ready.callback {
                Callback::Step(task) | Callback::Wakeup(task) => {
                    prefetch_in(&self.tasks, task.index())
                }
                Callback::SetResultUnlessCancelled(fut) => prefetch_in(&self.futures, fut.index()),
                _ => {}
            }
        }
        for ready in from(FETCH.pointees_ahead) {
            if let Callback::Step(task) | Callback::Wakeup(task) = ready.callback {
                if let Some(slot) = self.tasks.get(task.index()) {
                    // The task's own future, which a step that finishes
                    // completes, and the steps it runs.
                    prefetch_in(&self.futures, slot.fut.index());
                    if let Some(coro) = slot.coro.as_ref() {
                        let (steps, next) = coro.upcoming_steps();
                        prefetch_in(steps, next);
                        prefetch_in(steps, next + 1);
                    }
                }
            }
        }
    }
}

/// Asks the CPU to bring `table[index]` (up to its first eight cache lines)
/// into the cache. On x86-64 it does not check that the element exists: a
/// prefetch of any address is harmless, and the check was most of its cost
/// in the hot loops. Elsewhere reads stand in for a prefetch, one for each
/// line of the element, and they need a real element, so it checks.
#[inline(always)]
pub(super) fn prefetch_in<T>(table: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and changes no memory, whatever the
    // address; `wrapping_add` computes one without asserting it is inside
    // `table`.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = table.as_ptr().wrapping_add(index).cast::<i8>();
        // Every line of the element (a task's slot is two); the sizes are
        // constants, so this loop is unrolled away.
        let mut line = 0;
        while line < std::mem::size_of::<T>().min(512) {
            _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(line));
            line += 64;
        }
    }
    // WebAssembly has no prefetch: a load that nothing waits on does much
    // the same on the out-of-order CPU the browser runs on (until the CPU
    // must retire it, see `FETCH`), and the browser's compiler keeps it (a
    // wasm load may trap, so it cannot drop one).
    #[cfg(not(target_arch = "x86_64"))]
    if let Some(item) = table.get(index) {
        let start = (item as *const T).cast::<std::mem::MaybeUninit<u8>>();
        let size = std::mem::size_of::<T>().min(512);
        // Every line the element touches: one read a line from its start,
        // and one at its end, for the line an unaligned element spills into.
        let mut offset = 0;
        while offset < size {
            // SAFETY: `offset` is inside `*item`, a live reference; a
            // `MaybeUninit` may hold a padding byte.
            let _ = unsafe { std::ptr::read_volatile(start.add(offset)) };
            offset += 64;
        }
        if size > 1 {
            // SAFETY: as above, `size - 1` is inside `*item`.
            let _ = unsafe { std::ptr::read_volatile(start.add(size - 1)) };
        }
    }
}

impl Loop {
    /// The second half of `Task.__step`: what the coroutine's poll means.
    /// Natively it is inlined into `Loop::step`, the hot path. The page
    /// keeps one copy for its two callers (the other is a step that needed
    /// the loop released, the side loop's held task among them): inlined
    /// into both, it was 0.7 KB more to download (gzipped), for a call's
    /// worth of time per step.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(super) fn finish_step(&mut self, task: TaskId, coro: Coro, poll: Poll<PyResult<Value>>) {
        self.current = None;
        let fut = self.tasks[task.index()].fut;
        match poll {
            Poll::Ready(result) => {
                drop(coro);
                self.thrown = None;
                let slot = &mut self.tasks[task.index()];
                let outcome = match result {
                    Ok(_) if slot.must_cancel => {
                        slot.must_cancel = false;
                        Outcome::Cancelled(None)
                    }
                    Ok(value) => Outcome::Returned(value),
                    Err(exc) if exc.is_cancelled() => Outcome::Cancelled(exc.arg.clone()),
                    Err(exc) => Outcome::Raised(exc),
                };
                self.trace.push(Event::TaskFinished(task));
                self.complete(fut, outcome);
            }
            Poll::Pending if self.meter.stop.is_some() => {
                // Stopped mid-step by the budget: it stays as it was, the
                // running task, for the views to show where it stopped.
                self.thrown = None;
                self.yielded = Yielded::Nothing;
                self.tasks[task.index()].coro = Some(coro);
                self.current = Some(task);
            }
            Poll::Pending => {
                let step = CURRENT_STEP.with(|c| c.get());
                if step != 0 && !self.scenario.places.is_empty() {
                    let at = self.scenario.places.get(&step).copied();
                    if self.positions.len() <= task.index() {
                        self.positions.resize(task.index() + 1, None);
                    }
                    self.positions[task.index()] = at;
                }
                self.thrown = None;
                let yielded = std::mem::replace(&mut self.yielded, Yielded::Nothing);
                let slot = &mut self.tasks[task.index()];
                slot.coro = Some(coro);
                match yielded {
                    Yielded::Bare | Yielded::Nothing => {
                        self.trace.push(Event::TaskYielded(task));
                        self.call_soon(Callback::Step(task), None);
                    }
                    Yielded::Held => self.hold_task(task),
                    Yielded::Future(waiter) => {
                        slot.fut_waiter = Some(waiter);
                        let must_cancel = slot.must_cancel;
                        self.trace.push(Event::TaskSuspended { task, on: waiter });
                        self.add_done_callback(waiter, Callback::Wakeup(task));
                        // An exception from this cancel escapes `__step`, to
                        // the loop's handler: `_must_cancel` stays set.
                        if must_cancel {
                            if self.cancel(waiter, None) {
                                self.tasks[task.index()].must_cancel = false;
                            }
                            self.take_cancel_recursion();
                        }
                    }
                }
            }
        }
    }
}

impl Loop {
    /// Sizes the tables for a program of `coroutines` coroutines, so a big
    /// run does not spend its time regrowing them. The factors are typical
    /// per-task counts (a task's future and two sleeps' futures and timers,
    /// about sixteen trace events), with room for the loop's own (its
    /// iterations and clock moves): a table that overflows near the end
    /// doubles, copying all of it. The ready queue holds every new task's
    /// first step when a gather creates them all at once.
    pub fn reserve_for(&mut self, coroutines: usize) {
        #[cfg(not(target_arch = "wasm32"))]
        super::spare::lend_spare_tables(self);
        self.ready.reserve(coroutines + 16);
        self.tasks.reserve(coroutines + 16);
        self.futures.reserve(3 * coroutines + 16);
        self.handles.reserve(2 * coroutines + 16);
        self.timers.reserve(coroutines);
        self.trace.reserve(17 * coroutines);
    }

    /// The memory the loop's state holds, counted from the sizes and
    /// capacities of its tables (a coroutine's local variables are not
    /// counted), for the benchmark's bytes-per-task figure.
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        let futures = self.futures.capacity() * size_of::<FutSlot>()
            + self
                .futures
                .iter()
                .map(|f| f.callbacks.heap_bytes())
                .sum::<usize>();
        let tasks = self.tasks.capacity() * size_of::<TaskSlot>();
        let handles = self.handles.capacity() * size_of::<HandleSlot>();
        let trace = self.trace.capacity() * size_of::<Event>();
        let output = self
            .output
            .iter()
            .map(|l| l.text.capacity() + size_of::<Line>())
            .sum::<usize>();
        let awaits = self
            .aio
            .combinations
            .iter()
            .map(|c| size_of::<super::aio::Combination>() + c.items.capacity() * size_of::<FutId>())
            .sum::<usize>();
        let queues = self.ready.capacity() * size_of::<Ready>()
            + self.timers.capacity() * size_of::<Timer>()
            + self.scenario.task_of.capacity() * size_of::<Option<TaskId>>()
            + self
                .aio
                .gathers
                .iter()
                .map(|g| g.heap_bytes())
                .sum::<usize>();
        futures + tasks + handles + trace + output + awaits + queues
    }
}
