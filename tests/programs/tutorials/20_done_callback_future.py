import asyncio


def show(fut):
    print(f"callback: {fut.result()}")


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(show)
    # 0.2 秒后由事件循环调用 fut.set_result(...)
    loop.call_later(0.2, fut.set_result, "future set by call_later")
    print(fut)
    value = await fut
    print("awaited value:", value)
    print(fut)

    task = asyncio.create_task(asyncio.sleep(0.1, result=42))
    task.add_done_callback(lambda t: print("task callback, result =", t.result()))
    await task
    print("after awaiting task")


asyncio.run(main())
