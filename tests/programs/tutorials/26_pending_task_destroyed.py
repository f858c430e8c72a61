import asyncio


async def heartbeat():
    while True:
        await asyncio.sleep(0.1)
        print("heartbeat")


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
task = loop.create_task(heartbeat())
# 只运行 0.25 秒，heartbeat 任务还没结束就关闭了循环
loop.run_until_complete(asyncio.sleep(0.25))
print("task done?", task.done())
loop.close()
print("bye")
