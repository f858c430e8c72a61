"""The playground's benchmark workload (`asyncio-playground bench`) on
CPython's own asyncio, on the tracer's virtual clock (src/python/tracer.py,
not recording): the
baseline issue 3 names. N tasks; task i sleeps d = ((i*7919) % 1000) ms,
then d/2, then 0, and returns i; all gathered by main. A warm-up, then
five runs; the last line is the median run's, in the engine benchmark's
form.

    python3 bench/cpython_reference.py [TASKS]
"""
import asyncio
import os
import statistics
import sys
import time

# Real time, taken before the harness points time's clocks at its own.
wall_clock = time.perf_counter
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src", "python"))
import tracer  # noqa: E402

RUNS = 5


async def work(i):
    d = (i * 7919) % 1000 / 1000
    await asyncio.sleep(d)
    await asyncio.sleep(d / 2)
    await asyncio.sleep(0)
    return i


async def main(tasks):
    return await asyncio.gather(*(work(i) for i in range(tasks)))


def run(tasks):
    tracer.install()
    start = wall_clock()
    results = asyncio.run(main(tasks))
    seconds = wall_clock() - start
    assert results == list(range(tasks)), "every task returned its number"
    return seconds


def cli():
    tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    run(min(tasks, 1_000))
    seconds = [run(tasks) for _ in range(RUNS)]
    for i, s in enumerate(seconds, 1):
        print(f"run {i}: seconds={s:.3f} tasks_per_s={int(tasks / s)}")
    print(f"tasks_per_s={int(tasks / statistics.median(seconds))}")


if __name__ == "__main__":
    cli()
