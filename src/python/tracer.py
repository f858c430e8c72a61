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
import ast
import asyncio
import builtins
import collections
import concurrent.futures
import functools
import heapq
import inspect
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
import weakref
from asyncio import base_events, futures, runners, tasks

_now = [0.0]
# The real clock, for the benchmark's figures (the program sees only the
# virtual one).
_real_clock = time.perf_counter
# A program that runs longer than this (in real seconds) is stopped.
PROGRAM_TIME_LIMIT = 20
# The most iterations (of all its loops together), the latest virtual
# time and the most output a run may reach.
MAX_ITERATIONS = 100_000
MAX_TIME = 8_388_608.0  # 2^23 s, as the engine's budget (src/engine/budget.rs)
MAX_OUTPUT = 256 * 1024  # characters, stdout and stderr together
# The most tasks a run may make, and the most items its pictures may list
# (ready handles, timers and changed task views, all iterations together):
# a page has to hold the record.
MAX_TASKS = 100_000
MAX_LISTED = 2_000_000
MAX_EVENTS = 2_000_000
# How many characters of a value's repr a snapshot keeps (as the engine).
BRIEF = 80


class Stopped(BaseException):
    """The run reached the tracer's budget. A BaseException, so that the
    program's own `except Exception` does not swallow it."""


class Refused(BaseException):
    """The program asked for what the playground cannot give it (input,
    the network, threads where CPython has none), at `line`."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message, self.line = message, line


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
    # A program that never reaches its loop (`while True: time.sleep(1)`)
    # meets the budget here: as many sleeps as a loop has iterations.
    _tracer.sleeps += 1
    if _tracer.stopped is None and _tracer.sleeps > MAX_ITERATIONS:
        _tracer.stopped = f"the program called time.sleep more than {MAX_ITERATIONS:,} times: it looks endless"
    if _tracer.stopped is None and _now[0] > MAX_TIME:
        _tracer.stopped = f"the clock ran past t={MAX_TIME:,.0f} s of virtual time: the program looks endless"
    if _tracer.stopped is not None:
        raise Stopped(_tracer.stopped)


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
    # A future or a coroutine gets CPython's own TypeError, as it says it.
    if futures.isfuture(fs) or inspect.iscoroutine(fs):
        return _original_as_completed(fs, timeout=timeout)
    fs = list(fs)
    given = [_task_name(f) for f in fs if isinstance(f, asyncio.Task)]
    return _remembering(_original_as_completed(fs, timeout=timeout), given)


def _remembering(next_dones, given):
    for next_done in next_dones:
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
    # shield makes a task of a coroutine itself, as the first thing it
    # does; made here, it can be named.
    inner = asyncio.ensure_future(arg)
    outer = _original_shield(inner)
    if outer is not inner:
        _handed_over[outer] = "shield"
        if isinstance(inner, asyncio.Task):
            _awaits_through[outer] = [_task_name(inner)]
    return outer


# CPython built for the browser (Emscripten) cannot start a thread.
_HAS_THREADS = sys.platform not in ("emscripten", "wasi")


def _program_line():
    """The line of the program the running code was called from."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == _tracer.program.filename:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _refuse(message):
    """A refusal at the program's current line; the first one ends the run
    even if the program catches it or a task keeps it."""
    refusal = Refused(message, _program_line())
    if _tracer.refused is None:
        _tracer.refused = refusal
    return refusal


def _no_input(prompt=""):
    raise _refuse(
        "input() waits for the keyboard, and the playground has none: "
        "put the value in the program instead"
    )


def _no_network(*args, **kwargs):
    raise _refuse(
        "this program uses the network, which the playground does not reach: "
        "replace each request with `await asyncio.sleep(seconds)` for the "
        "time it would take"
    )


# Libraries whose only use is the network: importing one is refused with
# the same plain message, where CPython (in the browser) lacks it anyway.
_NETWORK_MODULES = ("aiohttp", "requests", "httpx", "websockets", "urllib3")

_original_start = threading.Thread.start
_original_join = threading.Thread.join


def _managed_start(self):
    if not _HAS_THREADS:
        raise _refuse(
            "this program starts a thread (run_in_executor, to_thread or "
            "threading), and CPython in the browser has none: graph mode "
            "models the default executor's threads"
        )
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


# ----- old tutorial code -----
#
# asyncio APIs that Python 3.4 to 3.10 had and 3.11 has not. For each use
# found in a program (by its syntax tree, or by the error 3.11 raised):
# what changed and since which version, in English and Chinese, at its
# line, with the program rewritten for 3.11. Each advice is {"line", "en",
# "zh", "rewrite"}; `rewrite` is the whole program with every use of that
# kind rewritten.


def _is_asyncio(node, *names):
    """`asyncio.NAME` for one of `names`."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "asyncio"
        and node.attr in names
    )


class _Edits:
    """Text edits at (line, column) positions of the source, applied from
    the end so earlier positions stay true."""

    def __init__(self, source):
        self.lines = source.splitlines(keepends=True)
        self.edits = []

    def offset(self, line, col):
        # ast's columns are UTF-8 byte offsets.
        text = self.lines[line - 1].encode("utf-8")[:col].decode("utf-8", "replace")
        return sum(len(l) for l in self.lines[: line - 1]) + len(text)

    def replace(self, start, end, text):
        self.edits.append((self.offset(*start), self.offset(*end), text))

    def apply(self):
        source = "".join(self.lines)
        for start, end, text in sorted(self.edits, reverse=True):
            source = source[:start] + text + source[end:]
        return source


def _generator_coroutines(tree, source):
    """`@asyncio.coroutine` with `yield from`: removed in 3.11 (deprecated
    in 3.8); `async def` and `await` since 3.5."""
    found = []
    edits = _Edits(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        decorators = [d for d in node.decorator_list if _is_asyncio(d, "coroutine")]
        if not decorators:
            continue
        found.append(decorators[0].lineno)
        for d in decorators:
            # The decorator's whole line goes.
            edits.replace((d.lineno, 0), (d.lineno + 1, 0), "")
        edits.replace((node.lineno, node.col_offset), (node.lineno, node.col_offset), "async ")
        for inner in ast.walk(node):
            if isinstance(inner, ast.YieldFrom):
                edits.replace(
                    (inner.lineno, inner.col_offset),
                    (inner.value.lineno, inner.value.col_offset),
                    "await ",
                )
    if not found:
        return []
    rewrite = edits.apply()
    return [
        {
            "line": line,
            "en": "@asyncio.coroutine and `yield from` were removed in Python 3.11 "
            "(deprecated since 3.8): write `async def` and `await` (Python 3.5 on).",
            "zh": "@asyncio.coroutine 和 `yield from` 写法已在 Python 3.11 中移除"
            "（自 3.8 起弃用）：请改用 `async def` 和 `await`（Python 3.5 起）。",
            "rewrite": rewrite,
        }
        for line in found
    ]


# asyncio calls that took `loop=` until Python 3.10 removed it (deprecated
# since 3.8).
_LOOP_ARGUMENT = (
    "sleep", "gather", "wait", "wait_for", "as_completed", "shield",
    "Queue", "LifoQueue", "PriorityQueue", "Lock", "Event", "Semaphore",
    "BoundedSemaphore", "Condition", "open_connection", "start_server",
    "create_subprocess_exec", "create_subprocess_shell",
)


def _loop_arguments(tree, source):
    found = []
    edits = _Edits(source)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _is_asyncio(node.func, *_LOOP_ARGUMENT)):
            continue
        for i, keyword in enumerate(node.keywords):
            if keyword.arg != "loop":
                continue
            found.append(keyword.lineno)
            # From the end of what comes before it, comma included.
            before = node.keywords[i - 1] if i > 0 else (node.args[-1] if node.args else None)
            if before is not None:
                start = (before.end_lineno, before.end_col_offset)
                end = (keyword.end_lineno, keyword.end_col_offset)
            else:
                # The only argument: up to what follows it.
                start = (keyword.lineno, keyword.col_offset)
                after = node.keywords[i + 1] if i + 1 < len(node.keywords) else None
                end = (
                    (after.lineno, after.col_offset) if after is not None
                    else (keyword.end_lineno, keyword.end_col_offset)
                )
            edits.replace(start, end, "")
    if not found:
        return []
    rewrite = edits.apply()
    return [
        {
            "line": line,
            "en": "The `loop=` argument was removed in Python 3.10 (deprecated since 3.8): "
            "asyncio uses the running loop; leave it out.",
            "zh": "`loop=` 参数已在 Python 3.10 中移除（自 3.8 起弃用）：asyncio 会使用正在运行的事件循环，删掉它即可。",
            "rewrite": rewrite,
        }
        for line in found
    ]


def _task_class_methods(tree, source):
    """`asyncio.Task.all_tasks()` and `asyncio.Task.current_task()`: removed
    in 3.9; `asyncio.all_tasks()` and `asyncio.current_task()` since 3.7."""
    found = []
    edits = _Edits(source)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("all_tasks", "current_task")
            and _is_asyncio(node.value, "Task")
        ):
            found.append((node.lineno, node.attr))
            edits.replace(
                (node.value.lineno, node.value.col_offset),
                (node.end_lineno, node.end_col_offset),
                f"asyncio.{node.attr}",
            )
    if not found:
        return []
    rewrite = edits.apply()
    return [
        {
            "line": line,
            "en": f"asyncio.Task.{name}() was removed in Python 3.9: "
            f"call asyncio.{name}() (Python 3.7 on).",
            "zh": f"asyncio.Task.{name}() 已在 Python 3.9 中移除：请调用 asyncio.{name}()（Python 3.7 起）。",
            "rewrite": rewrite,
        }
        for line, name in found
    ]


def _coroutines_to_wait(tree, source, error, error_line):
    """Coroutines given to asyncio.wait: 3.11 refuses them (deprecated
    since 3.8); wait wants tasks."""
    if not error or "Passing coroutines is forbidden" not in error:
        return []
    edits = _Edits(source)
    line = None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and _is_asyncio(node.func, "wait")
            and node.args
        ):
            given = node.args[0]
            text = ast.get_source_segment(source, given)
            edits.replace(
                (given.lineno, given.col_offset),
                (given.end_lineno, given.end_col_offset),
                f"[asyncio.ensure_future(c) for c in {text}]",
            )
            if line is None or node.lineno == error_line:
                line = node.lineno
    if line is None:
        return []
    return [{
        "line": line,
        "en": "Since Python 3.11, asyncio.wait() takes tasks, not coroutines "
        "(deprecated since 3.8): make each a task with asyncio.ensure_future() first.",
        "zh": "自 Python 3.11 起，asyncio.wait() 只接受任务，不再接受协程（自 3.8 起弃用）："
        "先用 asyncio.ensure_future() 把每个协程变成任务。",
        "rewrite": edits.apply(),
    }]


def _async_function(source, error, error_line):
    """`asyncio.async(...)`: a SyntaxError since 3.7, where `async` became a
    keyword; asyncio.ensure_future() since 3.4.4."""
    if not error or not error.startswith("SyntaxError") or "asyncio.async(" not in source:
        return []
    line = next(
        (n for n, text in enumerate(source.splitlines(), 1) if "asyncio.async(" in text),
        error_line,
    )
    return [{
        "line": line,
        "en": "asyncio.async() is a SyntaxError since Python 3.7, where `async` became a keyword: "
        "call asyncio.ensure_future() (Python 3.4.4 on).",
        "zh": "自 Python 3.7 起 `async` 成为关键字，asyncio.async() 会导致 SyntaxError："
        "请改用 asyncio.ensure_future()（Python 3.4.4 起）。",
        "rewrite": source.replace("asyncio.async(", "asyncio.ensure_future("),
    }]


def old_asyncio_advice(source, error=None, error_line=None):
    """What in the program is old asyncio, each at its line."""
    advice = _async_function(source, error, error_line)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return advice
    for find in (_generator_coroutines, _loop_arguments, _task_class_methods):
        advice += find(tree, source)
    advice += _coroutines_to_wait(tree, source, error, error_line)
    # One advice per kind and line, in the order of the lines.
    seen = set()
    unique = []
    for a in sorted(advice, key=lambda a: a["line"]):
        key = (a["line"], a["en"])
        if key not in seen:
            seen.add(key)
            unique.append(a)
    return unique


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
        self.made = []  # a _Made for every task made on it, in order
        self.holding = []  # those still held strongly
        self.index_of = weakref.WeakKeyDictionary()  # task -> its place in made
        self.dirty = set()  # places of tasks whose view may have changed
        self.across = set()  # places of tasks that await across loops
        self.finished = []  # tasks seen to finish since the last release
        self.shown = []  # each task's view in the last picture
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

    def task_made(self, task):
        made = _Made(task)
        try:
            _task_of_coroutine[task.get_coro()] = _task_name(task)
        except TypeError:
            pass  # a coroutine-like object that takes no weak reference
        self.index_of[task] = len(self.made)
        self.dirty.add(len(self.made))
        self.made.append(made)
        self.holding.append(made)
        _tracer.task_made(self, task)

    def tasks(self):
        """The tasks it made that are still alive, in order."""
        for made in self.made:
            task = made.get()
            if task is not None:
                yield task

    def release_finished(self, everything=False):
        """Lets go of the tasks that are done (or of all): from now on only
        the program keeps them alive, as in CPython, where the loop holds
        no task once it has run it."""
        if not everything and _tracer.recording:
            # Recording, the tracer sees each task finish: only those.
            for task in self.finished:
                index = self.index_of.get(task)
                if index is not None and self.made[index].task is task:
                    self.made[index].release(self)
            self.finished = []
            return
        kept = []
        for made in self.holding:
            if everything or made.task.done():
                made.release(self)
            else:
                kept.append(made)
        self.holding = kept
        self.finished = []

    def close(self):
        super().close()
        self.release_finished()

    def _run_once(self):
        self.iterations += 1
        _tracer.iteration(self)
        super()._run_once()

    # No network: a program that asks gets a plain message at its line.
    async def getaddrinfo(self, *args, **kwargs):
        _no_network()

    async def getnameinfo(self, *args, **kwargs):
        _no_network()

    async def sock_connect(self, *args, **kwargs):
        _no_network()

    async def create_server(self, *args, **kwargs):
        _no_network()

    async def create_datagram_endpoint(self, *args, **kwargs):
        _no_network()

    async def create_unix_connection(self, *args, **kwargs):
        _no_network()

    async def create_unix_server(self, *args, **kwargs):
        _no_network()


class _Made:
    """A task a loop made: held while it runs; once done, its last view is
    kept and the task itself only weakly, so that CPython frees it (and
    says "Task exception was never retrieved") when the program lets it
    go, as it would without the tracer."""

    __slots__ = ("task", "ref", "final")

    def __init__(self, task):
        self.task, self.ref, self.final = task, weakref.ref(task), None

    def get(self):
        return self.task if self.task is not None else self.ref()

    def release(self, loop):
        if self.task is None:
            return
        if _tracer.stopped is not None or _tracer.refused is not None:
            # Freed now, a task would speak of the stop as the program's.
            _quiet(self.task)
        if _tracer.recording and self.task.done():
            self.final = task_view(self.task, _tracer.program, None, _tracer.loops)
        self.task = None


# Every task registers itself here as it is made, however it is made
# (create_task, ensure_future, gather, a plain `asyncio.Task(coro)`); the
# C implementation calls the set's `add` by name, so an instance attribute
# hears it.
_original_register = tasks._all_tasks.add


def _task_registered(task):
    _original_register(task)
    _tracer.tasks_made += 1
    if _tracer.stopped is None and _tracer.tasks_made > MAX_TASKS:
        _tracer.stopped = f"the program made more than {MAX_TASKS:,} tasks: the page shows no more"
    if _tracer.stopped is not None:
        _quiet(task)
        raise Stopped(_tracer.stopped)
    loop = task.get_loop()
    if isinstance(loop, TracedLoop):
        loop.task_made(task)


def _cancel_all_tasks(loop):
    """`asyncio.runners._cancel_all_tasks`, taking the tasks in the order
    they were made. CPython walks a set of them, whose order follows their
    addresses in memory, so it differs from one machine to the next; the
    engine takes them in creation order, and so does the tracer."""
    made = loop.tasks() if isinstance(loop, TracedLoop) else ()
    to_cancel = [t for t in made if not t.done()]
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


# A timer's label, worked out once: a thousand timers are listed again at
# every iteration.
_timer_labels = weakref.WeakKeyDictionary()


def timer_label(handle):
    text = _timer_labels.get(handle)
    if text is None:
        text = _timer_labels[handle] = label(handle)
    return text


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


# How many timers a picture lists (src/python/picture.rs, LISTED_TIMERS).
LISTED_TIMERS = 200


def _timers_in_firing_order(loop):
    """The first LISTED_TIMERS armed timers, in the order `_run_once` pops
    them off its heap (cancelled ones, still in it, are skipped as they
    come off), and how many are armed."""
    heap = list(loop._scheduled)
    # (The loop's own count of cancelled timers is no help: a cancelled
    # timer popped as due is not taken off it.)
    armed = sum(1 for h in heap if not h._cancelled)
    listed = []
    while heap and len(listed) < LISTED_TIMERS:
        handle = heapq.heappop(heap)
        if not handle._cancelled:
            listed.append(handle)
    return listed, armed


class _Program:
    """What the tracer knows of the program it runs."""

    def __init__(self, filename):
        self.filename = filename
        self.globals = {}
        self.names = None  # id -> global name, for this iteration

    def name_of(self, obj):
        """The program's global name for a future or a primitive, if it
        has one (names are looked up once per iteration: a program may
        have a thousand globals)."""
        if self.names is None:
            self.names = {}
            for key, value in self.globals.items():
                if isinstance(value, _NAMED) and not key.startswith("__"):
                    self.names.setdefault(id(value), key)
        return self.names.get(id(obj))


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


def _called_from_program(task, program):
    """The asyncio coroutine the program's own code awaits in a task (the
    first frame past the program's own), as (coroutine, frame)."""
    in_program = False
    for coro in _coroutine_chain(task):
        frame = _frame(coro)
        if frame is None:
            continue
        if frame.f_code.co_filename == program.filename:
            in_program = True
        elif in_program:
            return coro, frame
    return None


# The primitives a task can wait in line for, as the views name them.
_PRIMITIVES = (
    (asyncio.Lock, "lock"),
    (asyncio.Semaphore, "semaphore"),
    (asyncio.Event, "event"),
    (asyncio.Condition, "condition"),
    (asyncio.Queue, "queue"),
)


# What the views may call by the program's name for it.
_NAMED = (asyncio.Future,) + tuple(kind for kind, _ in _PRIMITIVES)


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
    # The asyncio function the program's own code called.
    called = _called_from_program(task, program)
    if called is not None:
        _, frame = called
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
    return "a future"


# Set when a task's edges go to a coroutine handed to another loop: the
# task that loop makes of it comes later, so such a view is looked at
# again at every iteration.
_looked_across = [False]


# The name of the task made of each coroutine: a task another loop made
# may be gone by the time the task awaiting it is looked at.
_task_of_coroutine = weakref.WeakKeyDictionary()


def _awaits(task, program, loops):
    """The names of the tasks a suspended task awaits right now: what it is
    suspended on, or the tasks given to the gather, wait, wait_for,
    as_completed or shield it is in."""
    waiter = task._fut_waiter
    if waiter is None or task.done():
        return []

    def behind(future):
        """The task a future stands for: itself, or, for a coroutine handed
        to another loop, the task that loop made of it."""
        if isinstance(future, asyncio.Task):
            return [_task_name(future)]
        handed = _awaits_through.get(future)
        if inspect.iscoroutine(handed):
            _looked_across[0] = True
            name = _task_of_coroutine.get(handed)
            return [name] if name is not None else []
        return []

    if isinstance(waiter, tasks._GatheringFuture):
        return [t for child in waiter._children for t in behind(child)]
    through = _awaits_through.get(waiter)
    if isinstance(through, list):
        return through
    if isinstance(waiter, asyncio.Task) or inspect.iscoroutine(through):
        return behind(waiter)
    called = _called_from_program(task, program)
    if called is not None:
        coro, frame = called
        code = frame.f_code.co_name
        if code == "wait":
            return [t for f in frame.f_locals.get("fs", ()) for t in behind(f)]
        if code == "wait_for":
            return behind(frame.f_locals.get("fut"))
        if code == "_wait_for_one":
            return _awaits_through.get(coro, [])
    return []


def _not_started(task):
    """Whether a task's coroutine has not begun. The loop's own tasks may
    run an async generator's `athrow`, which has no state to ask."""
    try:
        return inspect.getcoroutinestate(task.get_coro()) == inspect.CORO_CREATED
    except (AttributeError, TypeError):
        return False


def task_view(task, program, running, loops=()):
    """A task as the views show it."""
    view = {"name": _task_name(task)}
    if task.done():
        # Read without retrieving: task.exception() would keep CPython
        # from saying "Task exception was never retrieved".
        if task.cancelled():
            view["state"] = "cancelled"
        elif task._exception is not None:
            view["state"] = "raised"
            view["value"] = _brief(repr(task._exception))
        else:
            view["state"] = "returned"
            view["value"] = _brief(repr(task._result))
        return view
    if task is running:
        view["state"] = "running"
    elif _not_started(task):
        view["state"] = "not started"
    elif task._fut_waiter is not None:
        view["state"] = "waiting"
        view["on"] = _waits_for(task, program)
        awaited = sorted(set(_awaits(task, program, loops)))
        if awaited:
            view["awaits"] = awaited
    else:
        view["state"] = "ready"
    # A task not started is at no line yet (its frame sits on the `def`).
    line = _line(task, program) if view["state"] != "not started" else None
    if line is not None:
        view["line"] = line
    return view


def _coroutine_call(task):
    """What a task runs, as a call: `work(1, 'a')`."""
    coro = task.get_coro()
    code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    frame = _frame(coro)
    if code is None:
        return _brief(repr(coro))
    name = getattr(coro, "__qualname__", code.co_name)
    if frame is None:
        return f"{name}()"
    count = code.co_argcount + code.co_kwonlyargcount
    names = code.co_varnames[:count]
    args = [frame.f_locals.get(n) for n in names]
    if names and names[0] == "self":
        args = args[1:]
    return _brief(f"{name}({', '.join(_brief(repr(a)) for a in args)})")


def _outcome(future):
    """A done future's outcome as the views show it, read without
    retrieving it."""
    if future.cancelled():
        return "CancelledError()"
    if future._exception is not None:
        return _brief(repr(future._exception))
    return _brief(repr(future._result))


def _future_name(future):
    return _task_name(future) if isinstance(future, asyncio.Task) else "a future"


# Who cancels, when the learner does (Tracer.cancel_as_asked).
_LEARNER = object()

# The asyncio functions whose results _combinator_gave tells, by their code:
# a frame's name alone would take Event.wait for asyncio.wait.
_WAIT_CODE = tasks.wait.__code__
_AS_COMPLETED_ONE = "as_completed.<locals>._wait_for_one"


def _combinator_gave(task, woken_by, program):
    """What a gather, wait or as_completed hands the task it wakes, as
    (what, value), or None: read as the task resumes, before its step takes
    it, and without retrieving anything."""
    if woken_by is None or not woken_by.done():
        return None
    if isinstance(woken_by, tasks._GatheringFuture):
        return "gather", _outcome(woken_by)
    called = _called_from_program(task, program)
    if called is None:
        return None
    _, frame = called
    code = frame.f_code
    if code is _WAIT_CODE:
        # What _wait returns once its waiter is done: the done and the
        # pending among the futures given.
        fs = frame.f_locals.get("fs", ())
        done = sorted(_future_name(f) for f in fs if f.done())
        pending = sorted(_future_name(f) for f in fs if not f.done())
        return "wait", f"done={{{', '.join(done)}}} pending={{{', '.join(pending)}}}"
    if code.co_qualname == _AS_COMPLETED_ONE and code.co_filename == tasks.__file__:
        # The next future as_completed's queue gives (None: its timeout).
        queue = frame.f_locals.get("done")
        waiting = getattr(queue, "_queue", None)
        if not waiting:
            return None
        finished = waiting[0]
        if finished is None:
            return "as_completed", "TimeoutError()"
        return "as_completed", f"{_future_name(finished)} → {_outcome(finished)}"
    return None


def _handle_task(handle):
    """The task whose step or wake-up a handle is, and the future it wakes
    from (None for a step)."""
    callback, args = _unwrap(handle._callback)
    owner = getattr(callback, "__self__", None)
    if not isinstance(owner, asyncio.Task):
        return None, None
    name = getattr(callback, "__name__", type(callback).__name__)
    if name in ("task_wakeup", "__wakeup", "_Task__wakeup"):
        given = args + tuple(handle._args or ())
        return owner, given[0] if given else None
    if type(callback).__name__ == "TaskStepMethWrapper" or name in ("__step", "_Task__step"):
        return owner, None
    return None, None


class Tracer:
    """Records, as the program runs: the picture at every iteration of its
    loops, what it writes (each line with its virtual time), and the
    events the timeline draws."""

    def __init__(self):
        self.program = _Program("<program>")
        self.recording = False
        self.loops = []
        self.iterations = 0  # of all loops together
        self.sleeps = 0  # time.sleep calls
        self.tasks_made = 0
        self.stdout_lines = 0
        self.listed = 0  # items the pictures list, all together
        self.snapshots = []
        # A line each: {"time", "stream", "text", "loop", "iteration",
        # "events_before"}, the last the number of events recorded before it.
        self.output = []
        self.partial = {}  # stream -> the line being written
        self.written = 0  # characters, both streams
        self.events = []
        self.handle = None  # the label of the callback running now
        self.stopped = None
        self.refused = None
        self.traceback_printed = False
        self.cancels = []  # (loop, iteration, task name): see cancel_as_asked
        self.error_line = None  # the program's line the error is at
        self.source = ""

    def loop_made(self, loop):
        self.loops.append(loop)

    def where(self):
        """(loop, iteration) of the loop running now, if one is."""
        loop = asyncio.events._get_running_loop()
        if isinstance(loop, TracedLoop) and loop in self.loops:
            return self.loops.index(loop), loop.iterations
        return None, None

    def event(self, kind, **fields):
        if len(self.events) >= MAX_EVENTS:
            if self.stopped is None:
                self.stopped = f"the run made more than {MAX_EVENTS:,} events: the page holds no more"
            raise Stopped(self.stopped)
        loop, iteration = self.where()
        self.events.append({
            "loop": loop, "iteration": iteration, "time": _now[0], "event": kind, **fields,
        })

    def task_made(self, loop, task):
        if not self.recording:
            return
        running = tasks.current_task(loop) if loop.is_running() else None
        task.cancel = _CancelHeard(task)
        self.event(
            "created",
            task=_task_name(task),
            coro=_coroutine_call(task),
            by=_task_name(running) if running is not None else None,
            line=_program_line(),
        )

    def iteration(self, loop):
        self.iterations += 1
        if self.stopped is None and self.iterations > MAX_ITERATIONS:
            self.stopped = f"the loop ran past {MAX_ITERATIONS:,} iterations: the program looks endless"
        if self.stopped is None and _now[0] > MAX_TIME:
            self.stopped = f"the loop ran past t={MAX_TIME:,.0f} s of virtual time: the program looks endless"
        if self.stopped is not None:
            raise Stopped(self.stopped)
        if self.refused is not None:
            raise self.refused
        loop.release_finished()
        self.cancel_as_asked(loop)
        if not self.recording:
            return
        self.program.names = None
        running = tasks.current_task(loop) if loop.is_running() else None
        # A task's view changes only when it runs (its state, its line and
        # what it waits on are its own): only those that ran or are new are
        # looked at, and the picture carries only the views that changed.
        changed = []
        dirty = sorted(loop.dirty | loop.across)
        loop.dirty = set()
        for index in dirty:
            made = loop.made[index]
            task = made.get()
            if made.task is None and made.final is not None:
                view = made.final
            elif task is not None:
                _looked_across[0] = False
                view = task_view(task, self.program, running, self.loops)
                if _looked_across[0]:
                    loop.across.add(index)
                else:
                    loop.across.discard(index)
            else:
                loop.across.discard(index)
                continue
            if index >= len(loop.shown):
                loop.shown.extend([None] * (index + 1 - len(loop.shown)))
            if loop.shown[index] != view:
                loop.shown[index] = view
                changed.append([index, view])
        timers, timer_count = _timers_in_firing_order(loop)
        ready = [label(h) for h in loop._ready if not h._cancelled]
        self.listed += len(ready) + len(timers) + len(changed)
        if self.listed > MAX_LISTED:
            self.stopped = (
                f"the run's pictures grew past {MAX_LISTED:,} items "
                "(ready callbacks, timers and task changes): the page holds no more"
            )
            raise Stopped(self.stopped)
        self.snapshots.append({
            "loop": self.loops.index(loop),
            # The loop asyncio.run runs is the main thread's.
            "main": threading.current_thread() is threading.main_thread(),
            "iteration": loop.iterations,
            "time": _now[0],
            "ready": ready,
            # JSON has no infinity (`sleep(float("inf"))`): such a deadline is null.
            "timers": [[h._when if h._when - h._when == 0 else None, timer_label(h)] for h in timers],
            "timer_count": timer_count,
            "tasks": len(loop.shown),
            "changed": changed,
            "printed": self.stdout_lines,
            "events_before": len(self.events),
        })

    def cancel_as_asked(self, loop):
        """The cancels the learner asked for (the page's Cancel button, as
        `(loop, iteration, task name)`), made as this iteration begins: so
        a run with them is as deterministic as one without."""
        where = (self.loops.index(loop), loop.iterations)
        # Asked twice, made once: a second cancel() would count twice.
        asked_now = dict.fromkeys(tuple(c) for c in self.cancels if (c[0], c[1]) == where)
        for asked in asked_now:
            for task in loop.tasks():
                if _task_name(task) == asked[2] and not task.done():
                    self.handle = _LEARNER
                    try:
                        task.cancel()
                    finally:
                        self.handle = None

    def cancel_requested(self, task):
        loop = task.get_loop()
        running = tasks.current_task(loop) if loop.is_running() else None
        if running is None and self.handle is _LEARNER:
            # The learner, live: no task or callback, whatever its name.
            self.event("cancel requested", task=_task_name(task), by=None, learner=True)
            return
        by = _task_name(running) if running is not None else self.handle
        self.event("cancel requested", task=_task_name(task), by=by)

    def run_handle(self, handle, run):
        """Runs one ready handle, saying what it did."""
        task, woken_by = _handle_task(handle)
        if task is None:
            what = label(handle)
            self.event("callback", what=what)
            self.handle = what
            try:
                run(handle)
            finally:
                self.handle = None
            return
        loop = handle._loop
        # A loop the program made itself (not through the policy) is run,
        # not traced.
        index_of = getattr(loop, "index_of", None)
        if index_of is not None and task in index_of:
            loop.dirty.add(index_of[task])
        name = _task_name(task)
        started = not _not_started(task)
        self.event("runs", task=name, line=_line(task, self.program) if started else None)
        if task._must_cancel or (woken_by is not None and woken_by.cancelled()):
            self.event("CancelledError delivered", task=name)
        else:
            gave = _combinator_gave(task, woken_by, self.program)
            if gave is not None:
                self.event("gave", task=name, what=gave[0], value=gave[1])
        run(handle)
        if task.done():
            if index_of is not None:
                loop.finished.append(task)
            view = task_view(task, self.program, None, self.loops)
            self.event("finished", task=name, state=view["state"], value=view.get("value"))
        elif task._fut_waiter is not None:
            self.event(
                "awaits", task=name, on=_waits_for(task, self.program), line=_line(task, self.program),
            )
        elif not _not_started(task):
            self.event("yields", task=name, line=_line(task, self.program))

    def written_line(self, stream, text):
        """Records what a stream was given, cut into lines."""
        self.written += len(text)
        if self.written > MAX_OUTPUT:
            # Every time: a bare `except:` in the program must not get more
            # written than the budget.
            if self.stopped is None:
                self.stopped = f"the program wrote more than {MAX_OUTPUT // 1024} KB: the page shows no more"
            raise Stopped(self.stopped)
        line = self.partial.get(stream)
        for piece in text.splitlines(keepends=True):
            if line is None:
                loop, iteration = self.where()
                line = {
                    "time": _now[0], "stream": stream, "text": "", "loop": loop,
                    "iteration": iteration, "events_before": len(self.events),
                }
                self.output.append(line)
                if stream == "stdout":
                    self.stdout_lines += 1
            line["text"] += piece.rstrip("\n")
            line = None if piece.endswith("\n") else line
        self.partial[stream] = line

    def document(self, error):
        """Everything recorded, as `trace` prints it and the page reads it."""
        return {
            "snapshots": self.snapshots,
            "output": self.output,
            "events": self.events,
            "error": error,
            "error_line": self.error_line,
            "advice": old_asyncio_advice(self.source, error, self.error_line),
        }


_tracer = Tracer()


# A task's `cancel`, heard: set on the task itself (CPython's tasks have a
# __dict__, and asyncio calls `cancel` by name, gather and wait_for
# included). It holds the task weakly: a cycle would keep a finished task,
# and what CPython says when it frees one, from coming. (A comment, not a
# docstring: `task.cancel.__doc__` is the method's.)
class _CancelHeard:
    __slots__ = ("task",)

    def __init__(self, task):
        self.task = weakref.ref(task)

    def __call__(self, msg=None):
        task = self.task()
        if task is None:
            return False
        if not task.done():
            _tracer.cancel_requested(task)
        # A Task subclass's own cancel (a task factory's) still runs.
        return type(task).cancel(task, msg)

    # Otherwise it is the bound method it stands for: a handle's repr
    # (`<TimerHandle when=1.0 Task.cancel()>`), the views' labels and
    # anything the program asks of `task.cancel` see CPython's own.
    def _method(self):
        task = self.task()
        if task is None:
            raise AttributeError("the task is gone")
        return type(task).cancel.__get__(task)

    def __getattr__(self, name):
        if name == "task":
            # Not set yet (copy.copy makes one without __init__).
            raise AttributeError(name)
        return getattr(self._method(), name)

    __doc__ = property(lambda self: self._method().__doc__)
    __module__ = property(lambda self: self._method().__module__)

    def __repr__(self):
        try:
            return repr(self._method())
        except AttributeError:
            return object.__repr__(self)


class _Stream:
    """sys.stdout or sys.stderr: what is written is recorded, stamped with
    the virtual time, and goes on to the real stream."""

    def __init__(self, name, real):
        self.name, self.real = name, real

    def write(self, text):
        _tracer.written_line(self.name, text)
        return self.real.write(text)

    def flush(self):
        self.real.flush()

    def __getattr__(self, name):
        return getattr(self.real, name)


_original_handle_run = asyncio.events.Handle._run


def _traced_handle_run(handle):
    _tracer.run_handle(handle, _original_handle_run)


# Frames of this module are left out of the tracebacks the program prints
# or logs: CPython alone would not show them.
_original_walk_tb = traceback._walk_tb_with_full_positions


def _walk_tb_without_tracer(tb):
    for frame, positions in _original_walk_tb(tb):
        if frame.f_code.co_filename != __file__:
            yield frame, positions


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
    # A loop the program makes itself runs on the virtual clock too (a
    # selector loop would wait for real time that never passes).
    asyncio.SelectorEventLoop = TracedLoop
    asyncio.run_coroutine_threadsafe = _run_coroutine_threadsafe
    asyncio.shield = _shield
    asyncio.as_completed = _as_completed
    asyncio.wrap_future = futures.wrap_future = _wrap_future
    runners._cancel_all_tasks = _cancel_all_tasks
    tasks._all_tasks.add = _task_registered
    builtins.input = _no_input
    socket.getaddrinfo = socket.create_connection = _no_network
    socket.socket.connect = socket.socket.connect_ex = _no_network
    traceback._walk_tb_with_full_positions = _walk_tb_without_tracer
    # Only a traced run pays for the events (and its one more frame).
    asyncio.events.Handle._run = _traced_handle_run if record else _original_handle_run
    _handed_over.clear()
    # A browser's CPython runs its own loop at start-up; the program's
    # loops must be the ones that run.
    asyncio.events._set_running_loop(None)
    return _tracer


def _refusal_text(refusal):
    return refusal.message


def run_source(source, filename="program.py", record=False, cancels=()):
    """Runs a program in this process; returns the error line (the last
    line of its traceback, or why it was stopped), or None. `cancels`:
    tasks to cancel as given iterations begin, `(loop, iteration, name)`."""
    tracer = install(record)
    tracer.source = source
    tracer.cancels = [tuple(c) for c in cancels]
    # Tracebacks quote the program's lines, whether or not it is a file.
    import linecache

    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    tracer.program.filename = filename
    module = {"__name__": "__main__", "__file__": filename}
    tracer.program.globals = module
    sys.stdout = _Stream("stdout", sys.stdout)
    sys.stderr = _Stream("stderr", sys.stderr)
    error = None
    try:
        exec(compile(source, filename, "exec"), module)
    except SystemExit:
        pass
    except Stopped as stop:
        error = f"stopped: {stop}"
    except Refused as refusal:
        error = _refusal_text(refusal)
        tracer.refused = tracer.refused or refusal
    except ModuleNotFoundError as exc:
        if exc.name in _NETWORK_MODULES:
            tracer.refused = Refused(
                f"`{exc.name}` talks to the network, which the playground does not reach: "
                "replace each request with `await asyncio.sleep(seconds)` for the time it would take",
                _innermost_program_line(exc.__traceback__),
            )
            error = _refusal_text(tracer.refused)
        else:
            error = _print_traceback(exc)
    except BaseException as exc:
        error = _print_traceback(exc)
    finally:
        # A run the tracer stopped did not exit by itself: what CPython
        # would say of the tasks it left is not the program's to say.
        if tracer.stopped is None and tracer.refused is None:
            try:
                _say_what_cpython_says_at_exit(tracer, module)
            except BaseException:
                pass
        else:
            _keep_quiet_about_tasks(tracer)
        sys.stdout.flush()
        sys.stdout, sys.stderr = sys.stdout.real, sys.stderr.real
    if error is None and tracer.refused is not None:
        error = _refusal_text(tracer.refused)
    if tracer.refused is not None:
        tracer.error_line = tracer.refused.line
    if error is None and tracer.stopped is not None:
        error = f"stopped: {tracer.stopped}"
    return error


def _keep_quiet_about_tasks(tracer):
    """The tasks a stopped run leaves are the stop's doing, not the
    program's: CPython is not to say, when it frees them, that they were
    pending or that their exception (the stop) was never retrieved."""
    for loop in tracer.loops:
        for task in loop.tasks():
            _quiet(task)


def _quiet(task):
    """Keeps CPython from saying, as it frees a task a stop left, that it
    was pending, that its exception went unretrieved, or that its
    coroutine was never awaited."""
    task._log_destroy_pending = False
    if task.done():
        if not task.cancelled():
            task._log_traceback = False
        return
    coro = task.get_coro()
    if inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
        coro.close()


def _say_what_cpython_says_at_exit(tracer, module):
    """What CPython says of what the program left as it exits ("Task
    exception was never retrieved", "Task was destroyed but it is
    pending!", "coroutine ... was never awaited") is said now, while the
    streams are recorded."""
    import gc
    import warnings

    # A collection first, as the running program's own would have been:
    # it decides which of a task and its coroutine is finalized first.
    gc.collect()
    shown = set()

    def at_exit(message, category, filename, lineno, file=None, line=None):
        # At exit no frame runs: CPython's warnings say `sys:1`, once each.
        text = f"sys:1: {category.__name__}: {message}\n"
        if text not in shown:
            shown.add(text)
            sys.stderr.write(text)

    original = warnings.showwarning
    warnings.showwarning = at_exit
    try:
        for loop in tracer.loops:
            loop.release_finished(everything=True)
        module.clear()
        gc.collect()
    finally:
        warnings.showwarning = original


def _innermost_program_line(tb):
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == _tracer.program.filename:
            line = lineno
    return line


def _print_traceback(exc):
    """Prints the traceback as CPython would (from the program's own frames
    down); returns its last line."""
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    traceback.print_exception(type(exc), exc, tb)
    _tracer.traceback_printed = True
    if isinstance(exc, SyntaxError) and exc.filename == _tracer.program.filename:
        _tracer.error_line = exc.lineno
    else:
        _tracer.error_line = _innermost_program_line(tb)
    # Its last line (a SyntaxError's are the file, the line and a caret).
    return "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]


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
        began = _real_clock()
        error = run_source(source, record=record)
        sys.stdout.flush()
        result = {"error": error, "seconds": _real_clock() - began}
        if record:
            result["trace"] = _tracer.document(error)
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
        return stdout, f"stopped by signal {os.WTERMSIG(status)} (over {PROGRAM_TIME_LIMIT}s?)", None, None
    result = json.loads(raw) if raw else {"error": None}
    return stdout, result.get("error"), result.get("trace"), result.get("seconds")


def batch():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        record = bool(request.get("trace"))
        stdout, error, trace, seconds = run_forked(request["source"], record)
        answer = {"id": request.get("id"), "stdout": stdout, "error": error, "seconds": seconds}
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
        real_stdout, real_stderr = sys.stdout, sys.stderr
        if record:
            # What the program writes is in the trace.
            sys.stdout = sys.stderr = open(os.devnull, "w")
        signal.alarm(PROGRAM_TIME_LIMIT)
        # CPython names the main script by its absolute path (3.9 on).
        error = run_source(source, os.path.abspath(args[1]), record)
        signal.alarm(0)
        if record:
            sys.stdout, sys.stderr = real_stdout, real_stderr
            print(json.dumps(_tracer.document(error), ensure_ascii=False))
        elif error and not _tracer.traceback_printed:
            # A stop or a refusal: CPython printed nothing, the tracer says it.
            where = f"line {_tracer.error_line}: " if _tracer.error_line else ""
            print(f"{where}{error}", file=sys.stderr)
        if error:
            sys.exit(1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
