import asyncio


async def save_to_db(data):
    print(f"saving {data} ...")
    await asyncio.sleep(0.3)
    print(f"saved {data}")
    return "ok"


async def caller(inner):
    return await asyncio.shield(inner)


async def main():
    task = asyncio.create_task(save_to_db("order#1"))
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=0.1)
    except asyncio.TimeoutError:
        print("wait_for timed out, but the save keeps running")
    print("task cancelled?", task.cancelled())
    print("result:", await task)
    inner = asyncio.create_task(save_to_db("order#2"))
    outer = asyncio.create_task(caller(inner))
    await asyncio.sleep(0.1)
    outer.cancel()   # 取消外层，被 shield 保护的内层继续运行
    await asyncio.sleep(0.05)
    print("outer cancelled?", outer.cancelled(), "inner done?", inner.done())
    print("inner result:", await inner)


asyncio.run(main())
