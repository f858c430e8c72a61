import asyncio

loops = []


async def step(name, delay):
    loops.append(asyncio.get_running_loop())
    await asyncio.sleep(delay)
    print(f"{name} ran in {asyncio.current_task().get_name()}")
    return name.upper()


# 每次 asyncio.run 都会新建一个事件循环，结束时关闭它
print(asyncio.run(step("first", 0.1)))
print(asyncio.run(step("second", 0.05)))
print(asyncio.run(asyncio.wait_for(step("third", 0.1), timeout=0.3)))
print("same loop?", loops[0] is loops[1])
print("first loop closed?", loops[0].is_closed())
try:
    asyncio.get_running_loop()
except RuntimeError as e:
    print("outside:", e)
