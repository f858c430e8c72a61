import asyncio
import time


async def say(what, delay):
    await asyncio.sleep(delay)
    print(what)


async def main():
    start = time.perf_counter()
    say("never printed", 0.1)        # 忘了 await：协程根本不会运行
    asyncio.sleep(0.2)               # 同样的错误：这里并不会等待
    print(f"after the mistakes: {time.perf_counter() - start:.1f}s")
    await say("printed", 0.1)
    print(f"total: {time.perf_counter() - start:.1f}s")


main()                               # 忘了 asyncio.run：main 也没运行
print("main() returned a coroutine object")
asyncio.run(main())
