"""Run asyncio programs under CPython on a virtual clock.

    python3 vclock.py PROGRAM.py     run one program; its output on stdout
    python3 vclock.py --batch        read JSON lines {"id", "source"} on stdin,
                                     write JSON lines {"id", "stdout", "error"}

Every event loop the program makes never sleeps: with nothing ready, its
clock jumps to the next timer. time.time(), time.monotonic() and
time.perf_counter() read that clock, from 0.0; time.sleep(s) moves it by s
while blocking the loop. So output is deterministic and instant: it is the
reference the playground's engine is compared with.

Threads (the default executor's, and the one shutdown_default_executor
starts) run on the same clock, one at a time, by the rule the playground
models (src/engine/threads.rs): a thread runs only while the loop thread
waits (in select, or in time.sleep), until it sleeps or ends; every thread
due by the end of the loop's wait runs first, earliest first, ties in the
order they began to wait; call_soon_threadsafe ends a waiting select at
that moment. The default executor has 5 workers, as CPython gives a
one-CPU machine, and a first-in first-out queue.

A second event loop run by a thread of its own (`loop.run_forever()` as
a thread's target) is such a thread: its select is a wait until its next
timer (or until woken), and call_soon_threadsafe into that loop makes
its thread due at once, after the threads already due then.

In batch mode Python starts once; each program runs in a forked child, so
it sees a fresh asyncio (task names count from Task-1 again) and cannot
disturb the next one. A loop with nothing ready and no timer would wait
forever: it raises instead, and the program's error says "deadlock".
"""
import asyncio
import collections
import concurrent.futures
import json
import os
import selectors
import signal
import sys
import threading
import time
import traceback

_now = [0.0]
# A program that runs longer than this (in real seconds) is stopped.
PROGRAM_TIME_LIMIT = 20


def _virtual_time():
    return _now[0]


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


class _JumpingSelector(selectors.DefaultSelector):
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


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        self._virtual_selector = _JumpingSelector()
        super().__init__(self._virtual_selector)
        self._clock_resolution = 1e-9

    def time(self):
        return _now[0]

    def _write_to_self(self):
        # The self-pipe's byte: it ends a waiting select.
        scheduler, owner = _scheduler[0], self._virtual_selector.owner
        if scheduler is None or owner is None:
            return
        if owner is scheduler.loop_thread:
            scheduler.wake_loop()
        else:
            scheduler.wake_thread(owner)


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


class _Policy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return VirtualLoop()


def install():
    _now[0] = 0.0
    _scheduler[0] = None
    time.time = time.monotonic = time.perf_counter = _virtual_time
    time.sleep = _virtual_sleep
    threading.Thread.start = _managed_start
    threading.Thread.join = _managed_join
    concurrent.futures.ThreadPoolExecutor = VirtualThreadPool
    asyncio.set_event_loop_policy(_Policy())


def run_source(source, filename="scenario.py"):
    """Runs a program in this process; returns the error line, or None."""
    install()
    try:
        exec(compile(source, filename, "exec"), {"__name__": "__main__"})
    except SystemExit:
        return None
    except BaseException as exc:
        return "".join(traceback.format_exception_only(type(exc), exc)).strip()
    finally:
        sys.stdout.flush()
    return None


def run_forked(source):
    """Runs a program in a forked child; returns (stdout, error)."""
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
        signal.alarm(PROGRAM_TIME_LIMIT)
        error = run_source(source)
        sys.stdout.flush()
        os.write(err_write, (error or "").encode("utf-8"))
        os._exit(0)
    os.close(out_write)
    os.close(err_write)
    with os.fdopen(out_read, "rb") as f:
        stdout = f.read().decode("utf-8", "replace")
    with os.fdopen(err_read, "rb") as f:
        error = f.read().decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        error = f"stopped by signal {os.WTERMSIG(status)} (over {PROGRAM_TIME_LIMIT}s?)"
    return stdout, error or None


def batch():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        stdout, error = run_forked(request["source"])
        sys.stdout.write(json.dumps({"id": request.get("id"), "stdout": stdout, "error": error}) + "\n")
        sys.stdout.flush()


def main():
    if sys.argv[1:] == ["--batch"]:
        batch()
    elif len(sys.argv) == 2:
        with open(sys.argv[1], encoding="utf-8") as f:
            source = f.read()
        error = run_source(source, sys.argv[1])
        if error:
            print(error, file=sys.stderr)
            sys.exit(1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
