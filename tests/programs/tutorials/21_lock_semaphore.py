import asyncio
import time

counter = 0


async def increment(name, lock):
    global counter
    async with lock:              # 同一时刻只有一个协程能进入
        value = counter
        await asyncio.sleep(0.05)  # 模拟读-改-写之间的切换
        counter = value + 1
        print(f"{name}: counter -> {counter}")


async def limited(i, duration, sem):
    async with sem:               # 最多两个任务同时运行
        print(f"job {i} start, locked={sem.locked()}")
        await asyncio.sleep(duration)
        print(f"job {i} done")


async def main():
    lock = asyncio.Lock()
    await asyncio.gather(*(increment(f"worker-{i}", lock) for i in range(3)))
    print("final counter:", counter)
    start = time.perf_counter()
    sem = asyncio.Semaphore(2)
    durations = [0.1, 0.25, 0.1, 0.1]
    await asyncio.gather(*(limited(i, d, sem) for i, d in enumerate(durations)))
    print(f"semaphore jobs took {time.perf_counter() - start:.1f}s")


asyncio.run(main())
