"""Run asyncio programs under CPython on a virtual clock.

    python3 vclock.py PROGRAM.py     run one program; its output on stdout
    python3 vclock.py --batch        read JSON lines {"id", "source"} on stdin,
                                     write JSON lines {"id", "stdout", "error"}

Every event loop the program makes never sleeps: with nothing ready, its
clock jumps to the next timer. time.time(), time.monotonic() and
time.perf_counter() read that clock, from 0.0; time.sleep(s) moves it by s
while blocking the loop. So output is deterministic and instant: it is the
reference the playground's engine is compared with.

In batch mode Python starts once; each program runs in a forked child, so
it sees a fresh asyncio (task names count from Task-1 again) and cannot
disturb the next one. A loop with nothing ready and no timer would wait
forever: it raises instead, and the program's error says "deadlock".
"""
import asyncio
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


def _virtual_sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _now[0] += seconds


class _JumpingSelector(selectors.DefaultSelector):
    """Moves the clock by the loop's timeout instead of waiting for it."""

    def select(self, timeout=None):
        if timeout is None:
            raise RuntimeError("deadlock: the event loop would wait forever")
        if timeout > 0:
            _now[0] += timeout
        return []


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        super().__init__(_JumpingSelector())
        self._clock_resolution = 1e-9

    def time(self):
        return _now[0]


class _Policy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return VirtualLoop()


def _no_threads(*args, **kwargs):
    raise RuntimeError("threads are not supported on the virtual clock")


def install():
    _now[0] = 0.0
    time.time = time.monotonic = time.perf_counter = _virtual_time
    time.sleep = _virtual_sleep
    threading.Thread.start = _no_threads
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
