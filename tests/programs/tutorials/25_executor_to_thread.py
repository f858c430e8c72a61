import asyncio
import functools
import time


def blocking_io(name, seconds, verbose=False):
    time.sleep(seconds)       # 在线程里阻塞，不会卡住事件循环
    if verbose:
        print(f"[thread] {name} finished")
    return f"{name} done"


async def ticker():
    for i in range(3):
        print("tick", i)
        await asyncio.sleep(0.1)


async def main():
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    r1, r2, _ = await asyncio.gather(
        loop.run_in_executor(None, blocking_io, "read-file", 0.25),
        asyncio.to_thread(blocking_io, "query-db", 0.15, verbose=True),
        ticker(),
    )
    print(r1, "|", r2)
    job = functools.partial(blocking_io, "partial-job", 0.1, verbose=True)
    print(await loop.run_in_executor(None, job))
    print(f"elapsed: {time.perf_counter() - start:.1f}s")


asyncio.run(main())
