import asyncio


def callback(msg, loop, start):
    print(f"[{loop.time() - start:.1f}s] {msg}")


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    loop.call_later(0.3, callback, "call_later(0.3)", loop, start)
    loop.call_at(start + 0.2, callback, "call_at(start + 0.2)", loop, start)
    handle = loop.call_later(0.1, callback, "never printed", loop, start)
    loop.call_soon(callback, "call_soon", loop, start)
    handle.cancel()   # 取消还没执行的定时回调
    print("handle cancelled?", handle.cancelled())
    print("main goes to sleep")
    await asyncio.sleep(0.4)
    print("main done")


asyncio.run(main())
