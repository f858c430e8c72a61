import asyncio


async def hello(i):
    print(f"hello {i}")
    await asyncio.sleep(0.1)
    return i


# 很多旧教程这样写：把协程列表直接交给 asyncio.wait
# (Python 3.11 起不再允许，必须先包装成 Task)
loop = asyncio.get_event_loop()
tasks = [hello(i) for i in range(3)]
done, pending = loop.run_until_complete(asyncio.wait(tasks))
print(sorted(t.result() for t in done))
loop.close()
