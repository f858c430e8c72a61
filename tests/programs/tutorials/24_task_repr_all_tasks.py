import asyncio


async def worker(n):
    await asyncio.sleep(0.1 * n)
    return n * 10


async def main():
    me = asyncio.current_task()
    print("main task:", me.get_name())
    print(me)
    t1 = asyncio.create_task(worker(1))
    t2 = asyncio.create_task(worker(2), name="second-worker")
    print(t1)   # 还没开始运行
    await asyncio.sleep(0)
    print(t1)   # 正在等待 sleep
    print("all tasks:", sorted(t.get_name() for t in asyncio.all_tasks()))
    await t1
    print(t1)
    print("tasks left:", len(asyncio.all_tasks()))
    t2.cancel()
    await asyncio.sleep(0)
    print(t2)


asyncio.run(main())
