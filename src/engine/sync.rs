//! `asyncio.Lock`, `Semaphore`, `Event` and `Queue`, as `locks.py` and
//! `queues.py` write them: FIFO waiter futures woken by `set_result`.

use std::collections::VecDeque;

use super::aio::await_future;
use super::core::{with_loop, FutKind, Loop, PyResult};
use super::ids::FutId;
use super::value::{ExcKind, PyExc, Value};

#[derive(Default)]
pub struct LockState {
    locked: bool,
    waiters: VecDeque<FutId>,
}

pub struct SemaphoreState {
    value: i64,
    waiters: VecDeque<FutId>,
}

#[derive(Default)]
pub struct EventState {
    value: bool,
    waiters: VecDeque<FutId>,
}

/// `asyncio.Queue`, generic so `as_completed` can queue futures in it.
pub struct Queue<T> {
    maxsize: usize,
    items: VecDeque<T>,
    getters: VecDeque<FutId>,
    putters: VecDeque<FutId>,
    unfinished_tasks: usize,
    finished: EventState,
}

impl<T> Queue<T> {
    pub fn new(maxsize: usize) -> Queue<T> {
        Queue {
            maxsize,
            items: VecDeque::new(),
            getters: VecDeque::new(),
            putters: VecDeque::new(),
            unfinished_tasks: 0,
            // A new queue has nothing unfinished: `_finished` starts set.
            finished: EventState {
                value: true,
                waiters: VecDeque::new(),
            },
        }
    }

    fn full(&self) -> bool {
        self.maxsize > 0 && self.items.len() >= self.maxsize
    }
}

#[derive(Default)]
pub struct SyncState {
    pub locks: Vec<LockState>,
    pub semaphores: Vec<SemaphoreState>,
    pub events: Vec<EventState>,
    pub queues: Vec<Queue<Value>>,
}

impl SyncState {
    pub fn new(locks: usize, semaphores: &[u32], events: usize, queues: &[u32]) -> SyncState {
        SyncState {
            locks: (0..locks).map(|_| LockState::default()).collect(),
            semaphores: semaphores
                .iter()
                .map(|&value| SemaphoreState {
                    value: value as i64,
                    waiters: VecDeque::new(),
                })
                .collect(),
            events: (0..events).map(|_| EventState::default()).collect(),
            queues: queues.iter().map(|&m| Queue::new(m as usize)).collect(),
        }
    }
}

/// Awaits a fresh waiter future appended to a waiter list, removing it from
/// the list however the wait ends (the `try: await fut finally: remove`
/// every primitive uses).
async fn wait_in_line(
    waiters: impl Fn(&mut Loop) -> &mut VecDeque<FutId>,
    kind: FutKind,
) -> (FutId, PyResult<Value>) {
    let fut = with_loop(|l| {
        let fut = l.create_future(kind);
        waiters(l).push_back(fut);
        fut
    });
    let result = await_future(fut).await;
    with_loop(|l| waiters(l).retain(|w| *w != fut));
    (fut, result)
}

/// `Lock.acquire()`.
pub async fn lock_acquire(lock: usize) -> PyResult<()> {
    let free = with_loop(|l| {
        let state = &l.aio.sync.locks[lock];
        let free = !state.locked && state.waiters.iter().all(|w| l.is_cancelled(*w));
        if free {
            l.aio.sync.locks[lock].locked = true;
        }
        free
    });
    if free {
        return Ok(());
    }
    let (_, result) = wait_in_line(
        |l| &mut l.aio.sync.locks[lock].waiters,
        FutKind::LockWaiter(lock as u32),
    )
    .await;
    if let Err(exc) = result {
        if exc.is_cancelled() {
            with_loop(|l| {
                if !l.aio.sync.locks[lock].locked {
                    lock_wake_up_first(l, lock);
                }
            });
        }
        return Err(exc);
    }
    with_loop(|l| l.aio.sync.locks[lock].locked = true);
    Ok(())
}

/// `Lock.release()`.
pub fn lock_release(l: &mut Loop, lock: usize) -> PyResult<()> {
    if !l.aio.sync.locks[lock].locked {
        return Err(PyExc::with_arg(
            ExcKind::RuntimeError,
            "Lock is not acquired.",
        ));
    }
    l.aio.sync.locks[lock].locked = false;
    lock_wake_up_first(l, lock);
    Ok(())
}

fn lock_wake_up_first(l: &mut Loop, lock: usize) {
    if let Some(&first) = l.aio.sync.locks[lock].waiters.front() {
        if !l.is_done(first) {
            l.set_result(first, Value::Bool(true));
        }
    }
}

fn semaphore_locked(l: &Loop, sem: usize) -> bool {
    let state = &l.aio.sync.semaphores[sem];
    state.value == 0 || state.waiters.iter().any(|w| !l.is_cancelled(*w))
}

/// `Semaphore.acquire()`.
pub async fn semaphore_acquire(sem: usize) -> PyResult<()> {
    let acquired = with_loop(|l| {
        if semaphore_locked(l, sem) {
            return false;
        }
        l.aio.sync.semaphores[sem].value -= 1;
        true
    });
    if acquired {
        return Ok(());
    }
    let (fut, result) = wait_in_line(
        |l| &mut l.aio.sync.semaphores[sem].waiters,
        FutKind::SemaphoreWaiter(sem as u32),
    )
    .await;
    if let Err(exc) = result {
        if exc.is_cancelled() {
            with_loop(|l| {
                if !l.is_cancelled(fut) {
                    l.aio.sync.semaphores[sem].value += 1;
                    semaphore_wake_up_next(l, sem);
                }
            });
        }
        return Err(exc);
    }
    with_loop(|l| {
        if l.aio.sync.semaphores[sem].value > 0 {
            semaphore_wake_up_next(l, sem);
        }
    });
    Ok(())
}

/// `Semaphore.release()`.
pub fn semaphore_release(l: &mut Loop, sem: usize) {
    l.aio.sync.semaphores[sem].value += 1;
    semaphore_wake_up_next(l, sem);
}

fn semaphore_wake_up_next(l: &mut Loop, sem: usize) {
    let waiters: Vec<FutId> = l.aio.sync.semaphores[sem].waiters.iter().copied().collect();
    for fut in waiters {
        if !l.is_done(fut) {
            l.aio.sync.semaphores[sem].value -= 1;
            l.set_result(fut, Value::Bool(true));
            return;
        }
    }
}

fn event_set_state(l: &mut Loop, event: impl Fn(&mut Loop) -> &mut EventState) {
    let state = event(l);
    if state.value {
        return;
    }
    state.value = true;
    let waiters: Vec<FutId> = state.waiters.iter().copied().collect();
    for fut in waiters {
        if !l.is_done(fut) {
            l.set_result(fut, Value::Bool(true));
        }
    }
}

/// `Event.set()`: wakes every waiter.
pub fn event_set(l: &mut Loop, event: usize) {
    event_set_state(l, |l| &mut l.aio.sync.events[event]);
}

pub fn event_clear(l: &mut Loop, event: usize) {
    l.aio.sync.events[event].value = false;
}

async fn event_wait_state(
    event: impl Fn(&mut Loop) -> &mut EventState + Copy,
    kind: FutKind,
) -> PyResult<Value> {
    if with_loop(|l| event(l).value) {
        return Ok(Value::Bool(true));
    }
    let (_, result) = wait_in_line(move |l| &mut event(l).waiters, kind).await;
    result.map(|_| Value::Bool(true))
}

/// `Event.wait()`.
pub async fn event_wait(event: usize) -> PyResult<Value> {
    event_wait_state(
        move |l: &mut Loop| &mut l.aio.sync.events[event],
        FutKind::EventWaiter(event as u32),
    )
    .await
}

/// `Queue._wakeup_next(waiters)`: wakes the first waiter not yet done.
fn wakeup_next(l: &mut Loop, waiters: impl Fn(&mut Loop) -> &mut VecDeque<FutId>) {
    while let Some(fut) = waiters(l).pop_front() {
        if !l.is_done(fut) {
            l.set_result(fut, Value::None);
            break;
        }
    }
}

/// `Queue.put_nowait(item)` for a queue known not to be full.
pub fn queue_put_nowait<T: 'static>(
    l: &mut Loop,
    queue: impl Fn(&mut Loop) -> &mut Queue<T> + Copy,
    item: T,
) {
    let q = queue(l);
    q.items.push_back(item);
    q.unfinished_tasks += 1;
    q.finished.value = false;
    wakeup_next(l, move |l| &mut queue(l).getters);
}

/// `await Queue.get()`.
pub async fn queue_get<T: 'static>(
    queue: impl Fn(&mut Loop) -> &mut Queue<T> + Copy,
    kind: FutKind,
) -> PyResult<T> {
    while with_loop(|l| queue(l).items.is_empty()) {
        let getter = with_loop(|l| {
            let getter = l.create_future(kind);
            queue(l).getters.push_back(getter);
            getter
        });
        if let Err(exc) = await_future(getter).await {
            with_loop(|l| {
                l.cancel(getter, None);
                queue(l).getters.retain(|g| *g != getter);
                if !queue(l).items.is_empty() && !l.is_cancelled(getter) {
                    wakeup_next(l, move |l| &mut queue(l).getters);
                }
            });
            return Err(exc);
        }
    }
    Ok(with_loop(|l| {
        let item = queue(l).items.pop_front().expect("a non-empty queue");
        wakeup_next(l, move |l| &mut queue(l).putters);
        item
    }))
}

/// The scenario's queue number `queue`, as an accessor the queue code takes.
pub fn user_queue(queue: usize) -> impl Fn(&mut Loop) -> &mut Queue<Value> + Copy {
    move |l| &mut l.aio.sync.queues[queue]
}

/// `await Queue.put(item)`.
pub async fn queue_put(queue: usize, item: Value) -> PyResult<()> {
    let q = user_queue(queue);
    while with_loop(|l| q(l).full()) {
        let putter = with_loop(|l| {
            let putter = l.create_future(FutKind::QueueWaiter(queue as u32));
            q(l).putters.push_back(putter);
            putter
        });
        if let Err(exc) = await_future(putter).await {
            with_loop(|l| {
                l.cancel(putter, None);
                q(l).putters.retain(|p| *p != putter);
                if !q(l).full() && !l.is_cancelled(putter) {
                    wakeup_next(l, move |l| &mut q(l).putters);
                }
            });
            return Err(exc);
        }
    }
    with_loop(|l| queue_put_nowait(l, q, item));
    Ok(())
}

/// `Queue.task_done()`.
pub fn queue_task_done(l: &mut Loop, queue: usize) -> PyResult<()> {
    let q = &mut l.aio.sync.queues[queue];
    if q.unfinished_tasks == 0 {
        return Err(PyExc::with_arg(
            ExcKind::ValueError,
            "task_done() called too many times",
        ));
    }
    q.unfinished_tasks -= 1;
    if q.unfinished_tasks == 0 {
        event_set_state(l, move |l| &mut l.aio.sync.queues[queue].finished);
    }
    Ok(())
}

/// `await Queue.join()`.
pub async fn queue_join(queue: usize) -> PyResult<()> {
    if with_loop(|l| l.aio.sync.queues[queue].unfinished_tasks > 0) {
        event_wait_state(
            move |l: &mut Loop| &mut l.aio.sync.queues[queue].finished,
            FutKind::QueueWaiter(queue as u32),
        )
        .await?;
    }
    Ok(())
}
