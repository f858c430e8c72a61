"""The playground's tracer: runs an asyncio program under CPython on a
virtual clock, and records at every iteration of its event loop the
picture the playground draws.

    python3 tracer.py run PROGRAM.py      what the program prints (stdout);
                                          stderr and its traceback on stderr
    python3 tracer.py trace PROGRAM.py    the snapshots, one JSON object a line
    python3 tracer.py --batch             JSON lines {"id", "source"[, "trace"]}
                                          in; {"id", "stdout", "error"[, "trace"]}
                                          out, each program in a forked child

The clock. Every event loop the program makes never sleeps: with nothing
ready, its clock jumps to the next timer. time.time(), time.monotonic()
and time.perf_counter() read that clock, from 0.0; time.sleep(s) moves it
by s while blocking the loop. So a run is instant and deterministic.

The loop needs no sockets and no self-pipe (a BaseEventLoop whose select
moves the clock), so the same module runs in CPython built for the
browser, which has neither.

Threads, where CPython has them (the default executor's, the one
shutdown_default_executor starts, a second event loop run by a thread),
run on the same clock, one at a time, by the rule the playground models
(src/engine/threads.rs): a thread runs only while the loop thread waits
(in select, or in time.sleep), until it sleeps or ends; every thread due
by the end of the loop's wait runs first, earliest first, ties in the
order they began to wait; call_soon_threadsafe ends a waiting select at
that moment. The default executor has 5 workers and a first-in first-out
queue. A loop with nothing ready and no timer would wait forever: it
raises instead, and the program's error says "deadlock".

The picture. At the start of each iteration (`_run_once`) of each loop the
program runs, the tracer records the virtual time, the ready queue in
order and the timers in the order they will fire, each labelled as the
playground's views label them, and every task the loop made: its name,
its state, what it waits for, and the line of the program it is at. A
run that goes on past the budget (iterations, virtual time) is stopped
with a message.
"""
import asyncio
import collections
import concurrent.futures
import functools
import heapq
import inspect
import json
import os
import signal
import sys
import threading
import time
import traceback
import weakref
from asyncio import base_events, futures, runners, tasks

_now = [0.0]
# A program that runs longer than this (in real seconds) is stopped.
PROGRAM_TIME_LIMIT = 20
# The most iterations and the latest virtual time a traced run may reach.
MAX_ITERATIONS = 100_000
MAX_TIME = 8_388_608.0  # 2^23 s, as the engine's budget (src/engine/budget.rs)
# How many characters of a value's repr a snapshot keeps (as the engine).
BRIEF = 80


class Stopped(Exception):
    """The run reached the tracer's budget."""


def _virtual_time():
    return _now[0]


# ----- threads on the virtual clock -----


class _Thread:
    """A thread the scheduler runs: it waits for its turn on `go`."""

    def __init__(self, is_loop=False):
        self.go = threading.Event()
        self.is_loop = is_loop
        self.wake = None  # a virtual time it may run at, None if not due
        self.seq = 0
        self.waiting_for = None  # a condition that makes it due
        self.done = False
        self.in_select = False  # an event loop's thread, in its select
        self.select_woken = False


class _Scheduler:
    """One thread at a time, on the virtual clock (see the module doc)."""

    def __init__(self):
        self.threads = []
        self.seq = 0
        self.loop_thread = _Thread(is_loop=True)
        self.current = self.loop_thread
        self.woken = False
        self.in_select = False
        self.deadlocked = False

    def _due(self, thread, at):
        self.seq += 1
        thread.wake, thread.seq, thread.waiting_for = at, self.seq, None

    def start(self, thread):
        self.threads.append(thread)
        self._due(thread, _now[0])

    def _pick(self):
        loop = self.loop_thread
        for t in self.threads + [loop]:
            if t.waiting_for is not None and t.waiting_for():
                self._due(t, _now[0])
        candidates = [t for t in self.threads if not t.done and t.wake is not None]
        best = min(candidates, key=lambda t: (t.wake, t.seq), default=None)
        if loop.wake is not None and (best is None or loop.wake < best.wake):
            best = loop
        return best

    def switch(self):
        """The current thread stops here; the next due thread runs."""
        me = self.current
        nxt = self._pick()
        if nxt is None or nxt.wake == float("inf"):
            if me is self.loop_thread:
                raise RuntimeError("deadlock: the event loop would wait forever")
            # Found on another thread: the main thread raises it, and this
            # thread never runs again.
            self.deadlocked = True
            self.current = self.loop_thread
            self.loop_thread.go.set()
            if not me.done:
                me.go.wait()
            return
        if nxt.wake > _now[0]:
            _now[0] = nxt.wake
        nxt.wake = None
        self.current = nxt
        if nxt is not me:
            nxt.go.set()
            if not me.done:
                me.go.wait()
                me.go.clear()
        if self.deadlocked and me is self.loop_thread:
            raise RuntimeError("deadlock: the event loop would wait forever")

    def sleep(self, seconds):
        me = self.current
        target = _now[0] + seconds
        if me.is_loop:
            me.wake, me.seq = target, 0
            self.switch()
            _now[0] = target
        else:
            self._due(me, target)
            self.switch()

    def select(self, timeout):
        loop = self.loop_thread
        self.woken = False
        target = None if timeout is None else _now[0] + timeout
        if not self.threads:
            if target is None:
                raise RuntimeError("deadlock: the event loop would wait forever")
            if timeout > 0:
                _now[0] = target
            return
        loop.wake, loop.seq = (float("inf") if target is None else target), 0
        self.in_select = True
        try:
            self.switch()
        finally:
            self.in_select = False

    def thread_select(self, timeout):
        """The select of an event loop run by another thread: its thread
        waits until the timeout, or until woken."""
        me = self.current
        me.in_select, me.select_woken = True, False
        if timeout is None:
            me.wake = None
        else:
            self._due(me, _now[0] + timeout)
        try:
            self.switch()
        finally:
            me.in_select = False

    def wake_thread(self, thread):
        if thread.in_select and not thread.select_woken:
            thread.select_woken = True
            self._due(thread, _now[0])

    def wake_loop(self):
        loop = self.loop_thread
        if self.in_select and self.current is not loop and not self.woken:
            self.woken = True
            loop.wake = _now[0]

    def wait_until(self, condition):
        if condition():
            return
        me = self.current
        me.wake, me.waiting_for = None, condition
        if me.is_loop:
            me.wake = float("inf")
        self.switch()

    def finish(self, thread):
        thread.done = True
        self.threads.remove(thread)
        self.switch()


_scheduler = [None]


def _virtual_sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    if _scheduler[0] is None:
        _now[0] += seconds
    else:
        _scheduler[0].sleep(seconds)


# What a future stands for, in the views' words, where nothing left on
# it tells: a concurrent future's `run_in_executor(job)` or
# `run_coroutine_threadsafe(coro())`, and shield's outer future (whose
# callbacks are gone once it is done).
_handed_over = weakref.WeakKeyDictionary()
_original_run_coroutine_threadsafe = asyncio.run_coroutine_threadsafe
_original_shield = asyncio.shield


# What a future or a coroutine awaits in tasks, where nothing left on it
# tells: shield's inner task, as_completed's tasks, the coroutine handed to
# another loop.
_awaits_through = weakref.WeakKeyDictionary()
_original_as_completed = asyncio.as_completed


def _run_coroutine_threadsafe(coro, loop):
    future = _original_run_coroutine_threadsafe(coro, loop)
    _handed_over[future] = f"run_coroutine_threadsafe({coro.__name__}())"
    _awaits_through[future] = coro
    return future


def _as_completed(fs, *, timeout=None):
    fs = list(fs)
    given = [f for f in fs if isinstance(f, asyncio.Task)]
    for next_done in _original_as_completed(fs, timeout=timeout):
        _awaits_through[next_done] = given
        yield next_done


_original_wrap_future = futures.wrap_future


def _wrap_future(future, *, loop=None):
    """`wrap_future`, remembering what the asyncio future stands for: once
    done, it keeps nothing that tells."""
    wrapper = _original_wrap_future(future, loop=loop)
    if future in _handed_over:
        _handed_over[wrapper] = _handed_over[future]
    if future in _awaits_through:
        _awaits_through[wrapper] = _awaits_through[future]
    return wrapper


def _shield(arg):
    outer = _original_shield(arg)
    if outer is not arg:
        _handed_over[outer] = "shield"
        inner = asyncio.ensure_future(arg)
        if isinstance(inner, asyncio.Task):
            _awaits_through[outer] = [inner]
    return outer


_original_start = threading.Thread.start
_original_join = threading.Thread.join


def _managed_start(self):
    if _scheduler[0] is None:
        _scheduler[0] = _Scheduler()
    scheduler = _scheduler[0]
    managed = _Thread()
    self._virtual = managed
    run = self.run

    def turn():
        managed.go.wait()
        managed.go.clear()
        try:
            run()
        finally:
            scheduler.finish(managed)

    self.run = turn
    scheduler.start(managed)
    _original_start(self)


def _managed_join(self, timeout=None):
    managed = getattr(self, "_virtual", None)
    if managed is not None and _scheduler[0] is not None:
        _scheduler[0].wait_until(lambda: managed.done)
    _original_join(self, timeout)


class VirtualThreadPool(concurrent.futures.ThreadPoolExecutor):
    """The default executor on the virtual clock: 5 workers, a FIFO queue."""

    def __init__(self, max_workers=None, thread_name_prefix="", *args, **kwargs):
        self._max = max_workers or 5
        self._jobs = collections.deque()
        self._running = 0

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        _handed_over[future] = f"run_in_executor({getattr(fn, '__name__', 'a function')})"
        self._jobs.append((future, fn, args, kwargs))
        if self._running < self._max:
            self._running += 1
            threading.Thread(target=self._work).start()
        return future

    def _work(self):
        while self._jobs:
            future, fn, args, kwargs = self._jobs.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)
        self._running -= 1

    def shutdown(self, wait=True, *, cancel_futures=False):
        if wait:
            _scheduler[0].wait_until(lambda: self._running == 0)


# ----- the loop -----


class _Selector:
    """Moves the clock by the loop's timeout instead of waiting for it;
    threads due meanwhile run first. A loop run by another thread waits
    as that thread."""

    owner = None  # the _Thread whose loop selects here

    def select(self, timeout=None):
        scheduler = _scheduler[0]
        if scheduler is None:
            if timeout is None:
                raise RuntimeError("deadlock: the event loop would wait forever")
            if timeout > 0:
                _now[0] += timeout
            return []
        self.owner = scheduler.current
        if self.owner is scheduler.loop_thread:
            scheduler.select(timeout)
        else:
            scheduler.thread_select(timeout)
        return []

    def close(self):
        pass


class TracedLoop(base_events.BaseEventLoop):
    """CPython's own event loop (base_events), on the virtual clock, with
    no sockets; the tracer looks at it at the start of every iteration."""

    def __init__(self):
        super().__init__()
        self._selector = _Selector()
        self._clock_resolution = 1e-9
        self.iterations = 0
        self.made = []  # every task made on it, in order
        _tracer.loop_made(self)

    def time(self):
        return _now[0]

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        # The self-pipe's byte: it ends a waiting select.
        scheduler, owner = _scheduler[0], self._selector.owner
        if scheduler is None or owner is None:
            return
        if owner is scheduler.loop_thread:
            scheduler.wake_loop()
        else:
            scheduler.wake_thread(owner)

    def create_task(self, coro, *, name=None, context=None):
        task = super().create_task(coro, name=name, context=context)
        self.made.append(task)
        return task

    def _run_once(self):
        self.iterations += 1
        _tracer.iteration(self)
        super()._run_once()


def _cancel_all_tasks(loop):
    """`asyncio.runners._cancel_all_tasks`, taking the tasks in the order
    they were made. CPython walks a set of them, whose order follows their
    addresses in memory, so it differs from one machine to the next; the
    engine takes them in creation order, and so does the tracer."""
    to_cancel = [t for t in getattr(loop, "made", ()) if not t.done()]
    if not to_cancel:
        return
    for task in to_cancel:
        task.cancel()
    loop.run_until_complete(tasks.gather(*to_cancel, return_exceptions=True))
    for task in to_cancel:
        if task.cancelled():
            continue
        if task.exception() is not None:
            loop.call_exception_handler({
                "message": "unhandled exception during asyncio.run() shutdown",
                "exception": task.exception(),
                "task": task,
            })


class _Policy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return TracedLoop()


# ----- what the views see -----


def _brief(text):
    return text if len(text) <= BRIEF else text[:BRIEF] + "…"


def _task_name(task):
    return task.get_name()


def _unwrap(callback):
    """The function a handle calls, and its bound arguments."""
    args = ()
    while isinstance(callback, functools.partial):
        args = callback.args + args
        callback = callback.func
    return callback, args


def _closure_owner(function):
    """`gather` for `gather.<locals>._done_callback`."""
    qualname = getattr(function, "__qualname__", "")
    return qualname.split(".<locals>.")[0] if ".<locals>." in qualname else None


def label(handle):
    """What a ready or timed callback does, in the views' words."""
    callback, args = _unwrap(handle._callback)
    kind = type(callback).__name__
    owner = getattr(callback, "__self__", None)
    name = getattr(callback, "__name__", kind)
    if kind == "TaskStepMethWrapper" or (isinstance(owner, asyncio.Task) and name in ("__step", "_Task__step")):
        return f"step {_task_name(owner)}"
    if isinstance(owner, asyncio.Task) and name in ("task_wakeup", "__wakeup", "_Task__wakeup"):
        return f"wake {_task_name(owner)}"
    if callback is futures._set_result_unless_cancelled:
        return "end a sleep"
    if callback is tasks._release_waiter:
        return "release a waiter"
    if callback is base_events._run_until_complete_cb:
        return "stop the loop (run_until_complete is done)"
    closure = _closure_owner(callback)
    if closure == "_chain_future":
        what = _chained_from(callback, args + tuple(handle._args or ()))
        if name == "_call_check_cancel":
            return f"check whether {what} was cancelled"
        if what.startswith("run_in_executor("):
            return f"hand job {what[len('run_in_executor('):-1]}'s result to its future"
        return f"hand {what[len('run_coroutine_threadsafe('):-1]}'s outcome to the future awaited here"
    if closure == "_wait" and name == "_on_completion":
        return "wait(): a task finished"
    if closure == "gather" and name == "_done_callback":
        return "gather(): a child finished"
    if closure == "as_completed":
        return "as_completed(): timeout" if name == "_on_timeout" else "as_completed(): a task finished"
    if closure == "shield":
        return "shield(): pass the outcome on"
    if name == "stop" and isinstance(owner, asyncio.AbstractEventLoop):
        return "stop the loop"
    return f"call {name}()"


def _chained_from(callback, args=()):
    """What the concurrent future behind a `_chain_future` callback stands
    for: one its closure holds, or one it is called with."""
    held = []
    for cell in getattr(callback, "__closure__", None) or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:
            continue
    for value in held + list(args):
        try:
            if value in _handed_over:
                return _handed_over[value]
        except TypeError:
            continue
    return "a future"


def _timers_in_firing_order(loop):
    """The armed timers, in the order `_run_once` pops them off its heap
    (cancelled ones, still in it, are skipped as they come off)."""
    heap = list(loop._scheduled)
    popped = (heapq.heappop(heap) for _ in range(len(heap)))
    return [h for h in popped if not h._cancelled]


class _Program:
    """What the tracer knows of the program it runs."""

    def __init__(self, filename):
        self.filename = filename
        self.globals = {}

    def name_of(self, obj):
        """The program's global name for an object, if it has one."""
        for key, value in self.globals.items():
            if value is obj and not key.startswith("__"):
                return key
        return None


def _coroutine_chain(task):
    """The coroutines a task is suspended in, outermost first."""
    chain = []
    coro = task.get_coro()
    while coro is not None and len(chain) < 1000:
        if inspect.iscoroutine(coro) or inspect.isgenerator(coro):
            chain.append(coro)
            coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
        else:
            break
    return chain


def _frame(coro):
    return getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)


def _line(task, program):
    """The line of the program the task is at: its innermost frame there."""
    line = None
    for coro in _coroutine_chain(task):
        frame = _frame(coro)
        if frame is not None and frame.f_code.co_filename == program.filename:
            line = frame.f_lineno
    return line


# The primitives a task can wait in line for, as the views name them.
_PRIMITIVES = (
    (asyncio.Lock, "lock"),
    (asyncio.Semaphore, "semaphore"),
    (asyncio.Event, "event"),
    (asyncio.Condition, "condition"),
    (asyncio.Queue, "queue"),
)


def _waits_for(task, program):
    """What a suspended task waits for, in the views' words."""
    waiter = task._fut_waiter
    if waiter is None:
        return None
    if isinstance(waiter, asyncio.Task):
        return f"task {_task_name(waiter)}"
    if isinstance(waiter, tasks._GatheringFuture):
        return "gather"
    name = program.name_of(waiter)
    if name is not None:
        return f"future {name}"
    if waiter in _handed_over:
        return _handed_over[waiter]
    callbacks = [cb for cb, _ in (waiter._callbacks or [])]
    for cb in callbacks:
        if _closure_owner(cb) == "_chain_future":
            return _chained_from(cb)
    # The asyncio function the program's own code called: the first frame
    # past the program's own.
    in_program = False
    for coro in _coroutine_chain(task):
        frame = _frame(coro)
        if frame is None:
            continue
        if frame.f_code.co_filename == program.filename:
            in_program = True
            continue
        if not in_program:
            continue
        owner = frame.f_locals.get("self")
        for kind, word in _PRIMITIVES:
            if isinstance(owner, kind):
                return f"{word} {program.name_of(owner) or '?'}"
        code = frame.f_code.co_name
        if code == "sleep":
            return "sleep"
        if code == "wait":
            return "wait()"
        if code == "wait_for":
            return "wait_for()"
        if code == "_wait_for_one":
            return "as_completed()"
        break
    return "a future"


def _awaits(task, program, loops):
    """The tasks a suspended task awaits right now: what it is suspended
    on, or the tasks given to the gather, wait, wait_for, as_completed or
    shield it is in."""
    waiter = task._fut_waiter
    if waiter is None or task.done():
        return []

    def behind(future):
        """The task a future stands for: itself, or, for a coroutine handed
        to another loop, the task that loop made of it."""
        if isinstance(future, asyncio.Task):
            return [future]
        handed = _awaits_through.get(future)
        if inspect.iscoroutine(handed):
            return [t for loop in loops for t in loop.made if t.get_coro() is handed]
        return []

    if isinstance(waiter, tasks._GatheringFuture):
        return [t for child in waiter._children for t in behind(child)]
    through = _awaits_through.get(waiter)
    if isinstance(through, list):
        return through
    if isinstance(waiter, asyncio.Task) or inspect.iscoroutine(through):
        return behind(waiter)
    in_program = False
    for coro in _coroutine_chain(task):
        frame = _frame(coro)
        if frame is None:
            continue
        if frame.f_code.co_filename == program.filename:
            in_program = True
            continue
        if not in_program:
            continue
        code = frame.f_code.co_name
        if code == "wait":
            return [t for f in frame.f_locals.get("fs", ()) for t in behind(f)]
        if code == "wait_for":
            return behind(frame.f_locals.get("fut"))
        if code == "_wait_for_one":
            return _awaits_through.get(coro, [])
        break
    return []


def task_view(task, program, running, loops=()):
    """A task as the views show it."""
    view = {"name": _task_name(task)}
    if task.done():
        if task.cancelled():
            view["state"] = "cancelled"
        elif task.exception() is not None:
            exc = task.exception()
            view["state"] = "raised"
            view["value"] = _brief(repr(exc))
        else:
            view["state"] = "returned"
            view["value"] = _brief(repr(task.result()))
        return view
    if task is running:
        view["state"] = "running"
    elif inspect.getcoroutinestate(task.get_coro()) == inspect.CORO_CREATED:
        view["state"] = "not started"
    elif task._fut_waiter is not None:
        view["state"] = "waiting"
        view["on"] = _waits_for(task, program)
        awaited = sorted({_task_name(t) for t in _awaits(task, program, loops)})
        if awaited:
            view["awaits"] = awaited
    else:
        view["state"] = "ready"
    # A task not started is at no line yet (its frame sits on the `def`).
    line = _line(task, program) if view["state"] != "not started" else None
    if line is not None:
        view["line"] = line
    return view


class Tracer:
    """Records the picture at every iteration of the program's loops."""

    def __init__(self):
        self.program = _Program("<program>")
        self.recording = False
        self.loops = []
        self.snapshots = []
        self.stdout = []  # (time, text): what was printed, as written
        self.stderr = []

    def loop_made(self, loop):
        self.loops.append(loop)

    def iteration(self, loop):
        if loop.iterations > MAX_ITERATIONS or _now[0] > MAX_TIME:
            what = (
                f"{MAX_ITERATIONS:,} iterations" if loop.iterations > MAX_ITERATIONS
                else f"t={MAX_TIME:,.0f} s of virtual time"
            )
            raise Stopped(f"the loop ran past {what}: the program looks endless")
        if not self.recording:
            return
        running = tasks.current_task(loop) if loop.is_running() else None
        self.snapshots.append({
            "loop": self.loops.index(loop),
            # The loop asyncio.run runs is the main thread's.
            "main": threading.current_thread() is threading.main_thread(),
            "iteration": loop.iterations,
            "time": _now[0],
            "ready": [label(h) for h in loop._ready if not h._cancelled],
            "timers": [[h._when, label(h)] for h in _timers_in_firing_order(loop)],
            "tasks": [task_view(t, self.program, running, self.loops) for t in loop.made],
            "printed": sum(text.count("\n") for _, text in self.stdout),
        })


_tracer = Tracer()


class _Stream:
    """sys.stdout or sys.stderr: what is written goes to `into`, stamped
    with the virtual time, and on to the real stream."""

    def __init__(self, into, real):
        self.into, self.real = into, real

    def write(self, text):
        self.into.append((_now[0], text))
        return self.real.write(text)

    def flush(self):
        self.real.flush()

    def __getattr__(self, name):
        return getattr(self.real, name)


def install(record=False):
    global _tracer
    _tracer = Tracer()
    _tracer.recording = record
    _now[0] = 0.0
    _scheduler[0] = None
    time.time = time.monotonic = time.perf_counter = _virtual_time
    time.sleep = _virtual_sleep
    threading.Thread.start = _managed_start
    threading.Thread.join = _managed_join
    concurrent.futures.ThreadPoolExecutor = VirtualThreadPool
    asyncio.set_event_loop_policy(_Policy())
    asyncio.run_coroutine_threadsafe = _run_coroutine_threadsafe
    asyncio.shield = _shield
    asyncio.as_completed = _as_completed
    asyncio.wrap_future = futures.wrap_future = _wrap_future
    runners._cancel_all_tasks = _cancel_all_tasks
    _handed_over.clear()
    # A browser's CPython runs its own loop at start-up; the program's
    # loops must be the ones that run.
    asyncio.events._set_running_loop(None)
    return _tracer


def run_source(source, filename="program.py", record=False):
    """Runs a program in this process; returns the error line, or None."""
    tracer = install(record)
    tracer.program.filename = filename
    module = {"__name__": "__main__", "__file__": filename}
    tracer.program.globals = module
    sys.stdout = _Stream(tracer.stdout, sys.stdout)
    sys.stderr = _Stream(tracer.stderr, sys.stderr)
    try:
        exec(compile(source, filename, "exec"), module)
    except SystemExit:
        return None
    except Stopped as stop:
        return f"stopped: {stop}"
    except BaseException as exc:
        # As CPython prints it: from the program's own frames down.
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
        return "".join(traceback.format_exception_only(type(exc), exc)).strip()
    finally:
        sys.stdout.flush()
        sys.stdout, sys.stderr = sys.stdout.real, sys.stderr.real
    return None


def run_forked(source, record=False):
    """Runs a program in a forked child; returns (stdout, error, trace)."""
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(out_read)
        os.close(err_read)
        os.dup2(out_write, 1)
        # stderr (tracebacks CPython logs for exceptions in callbacks) is
        # not part of the output the playground predicts.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        sys.stdout = os.fdopen(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = os.fdopen(2, "w", encoding="utf-8", closefd=False)
        signal.alarm(PROGRAM_TIME_LIMIT)
        error = run_source(source, record=record)
        sys.stdout.flush()
        result = {"error": error}
        if record:
            result["trace"] = _tracer.snapshots
        os.write(err_write, json.dumps(result).encode("utf-8"))
        os._exit(0)
    os.close(out_write)
    os.close(err_write)
    # Read both pipes as they fill: a long trace would block the child.
    chunks = {out_read: [], err_read: []}
    import selectors as _selectors

    with _selectors.DefaultSelector() as sel:
        for fd in chunks:
            sel.register(fd, _selectors.EVENT_READ)
        open_fds = set(chunks)
        while open_fds:
            for key, _ in sel.select():
                data = os.read(key.fd, 1 << 16)
                if data:
                    chunks[key.fd].append(data)
                else:
                    sel.unregister(key.fd)
                    open_fds.discard(key.fd)
    os.close(out_read)
    os.close(err_read)
    stdout = b"".join(chunks[out_read]).decode("utf-8", "replace")
    raw = b"".join(chunks[err_read]).decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return stdout, f"stopped by signal {os.WTERMSIG(status)} (over {PROGRAM_TIME_LIMIT}s?)", None
    result = json.loads(raw) if raw else {"error": None}
    return stdout, result.get("error"), result.get("trace")


def batch():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        record = bool(request.get("trace"))
        stdout, error, trace = run_forked(request["source"], record)
        answer = {"id": request.get("id"), "stdout": stdout, "error": error}
        if record:
            answer["trace"] = trace
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def main():
    args = sys.argv[1:]
    if args == ["--batch"]:
        batch()
    elif len(args) == 2 and args[0] in ("run", "trace"):
        with open(args[1], encoding="utf-8") as f:
            source = f.read()
        record = args[0] == "trace"
        real_stdout = sys.stdout
        if record:
            # The program's own output is in the snapshots' record.
            sys.stdout = open(os.devnull, "w")
        error = run_source(source, args[1], record)
        if record:
            sys.stdout = real_stdout
            for snapshot in _tracer.snapshots:
                print(json.dumps(snapshot, ensure_ascii=False))
        if error:
            if error.startswith("stopped"):
                print(error, file=sys.stderr)
            sys.exit(1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
