import asyncio
import time


async def fetch(url, delay):
    await asyncio.sleep(delay)
    return url, delay


async def main():
    start = time.perf_counter()
    coros = [fetch("a.example", 0.3), fetch("b.example", 0.1), fetch("c.example", 0.2)]
    # 谁先完成就先处理谁
    for i, next_done in enumerate(asyncio.as_completed(coros), 1):
        url, delay = await next_done
        print(f"#{i}: {url} ({delay}s) at {time.perf_counter() - start:.1f}s")
    for f in asyncio.as_completed([fetch("d.example", 0.1), fetch("e.example", 0.4)], timeout=0.2):
        try:
            print("got", await f)
        except asyncio.TimeoutError:
            print(f"timed out at {time.perf_counter() - start:.1f}s")


asyncio.run(main())
