import asyncio
import time


async def count(name, n, interval):
    for i in range(1, n + 1):
        print(f"{name}: {i}")
        await asyncio.sleep(interval)
    return f"{name} counted to {n}"


start = time.time()
# 旧教程的写法：在模块顶层获取事件循环（3.10+ 会有 DeprecationWarning）
loop = asyncio.get_event_loop()
tasks = [count("A", 2, 0.1), count("B", 2, 0.15)]
results = loop.run_until_complete(asyncio.gather(*tasks))
for r in results:
    print(r)
print(f"耗时 {time.time() - start:.1f}s")
loop.close()
