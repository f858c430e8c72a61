import asyncio
import time


async def countdown(name, n, delay):
    try:
        while n > 0:
            await asyncio.sleep(delay)
            yield f"{name}: {n}"
            n -= 1
    finally:
        print(f"countdown {name} closed")


async def consume(gen):
    async for item in gen:
        print(item)


async def main():
    start = time.perf_counter()
    await asyncio.gather(consume(countdown("A", 3, 0.1)), consume(countdown("B", 2, 0.25)))
    print(f"elapsed {time.perf_counter() - start:.1f}s")
    async for item in countdown("C", 5, 0.05):
        print(item)
        if item.endswith("4"):
            break   # 提前退出，生成器稍后由事件循环关闭
    print("broke out of the loop")
    await asyncio.sleep(0.1)
    print("main done")


asyncio.run(main())
