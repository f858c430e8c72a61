import asyncio


def tick(loop, n):
    print(f"tick {n}")
    if n < 3:
        loop.call_later(0.1, tick, loop, n + 1)
    else:
        print("stopping the loop from a callback")
        loop.stop()


loop = asyncio.new_event_loop()
loop.call_soon(tick, loop, 1)
loop.run_forever()          # 直到 loop.stop() 被调用才返回
print("first run_forever returned")


async def worker():
    await asyncio.sleep(0.2)
    print("worker finished, stopping the loop from a task")
    loop.stop()


task = loop.create_task(worker())
loop.run_forever()
print("task done?", task.done())
loop.close()
