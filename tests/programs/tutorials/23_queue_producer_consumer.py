import asyncio
import time


async def producer(queue, n):
    for i in range(n):
        item = f"item-{i}"
        await queue.put(item)       # 队列满时会等待
        print(f"produced {item} (size {queue.qsize()})")


async def consumer(queue, name, delay):
    while True:
        item = await queue.get()
        await asyncio.sleep(delay)
        print(f"{name} consumed {item}")
        queue.task_done()


async def main():
    start = time.perf_counter()
    queue = asyncio.Queue(maxsize=2)
    consumers = [asyncio.create_task(consumer(queue, "c0", 0.1)),
                 asyncio.create_task(consumer(queue, "c1", 0.25))]
    await producer(queue, 5)
    await queue.join()              # 等所有 item 都被 task_done
    print(f"all items processed in {time.perf_counter() - start:.1f}s")
    for c in consumers:
        c.cancel()
    results = await asyncio.gather(*consumers, return_exceptions=True)
    print([type(r).__name__ for r in results])


asyncio.run(main())
