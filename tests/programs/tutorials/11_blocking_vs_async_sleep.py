import asyncio
import time


async def blocking_task(n):
    print(f"blocking {n} start")
    time.sleep(0.1)   # 阻塞整个事件循环！其他任务都得等
    print(f"blocking {n} end")


async def friendly_task(n):
    print(f"friendly {n} start")
    await asyncio.sleep(0.1 + 0.05 * n)   # 让出控制权
    print(f"friendly {n} end")


async def main():
    start = time.perf_counter()
    await asyncio.gather(*(blocking_task(i) for i in range(3)))
    print(f"time.sleep: {time.perf_counter() - start:.1f}s")
    start = time.perf_counter()
    await asyncio.gather(*(friendly_task(i) for i in range(3)))
    print(f"asyncio.sleep: {time.perf_counter() - start:.1f}s")


asyncio.run(main())
