import asyncio

async def worker(name):
    try:
        for i in range(10):
            print(f"{name} working... step {i}")
            await asyncio.sleep(0.1)
    except asyncio.CancelledError:
        print(f"{name} got CancelledError, cleaning up")
        await asyncio.sleep(0.05)
        raise   # 重新抛出，任务才会被标记为 cancelled
    finally:
        print(f"{name} finally")

async def stubborn():
    try:
        await asyncio.sleep(0.3)
    except asyncio.CancelledError:
        print("stubborn swallows the cancellation")
    return "still here"

async def main():
    task = asyncio.create_task(worker("w1"))
    await asyncio.sleep(0.25)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("main: task was cancelled")
    print("task.cancelled():", task.cancelled())
    print(task)
    t2 = asyncio.create_task(stubborn())
    await asyncio.sleep(0.1)
    t2.cancel()
    print(await t2, "| t2.cancelled():", t2.cancelled())


asyncio.run(main())
