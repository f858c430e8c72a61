import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return f"{name} finished after {delay}s"


async def main():
    specs = [("fast", 0.1), ("medium", 0.2), ("slow", 0.4)]
    tasks = [asyncio.create_task(job(n, d), name=n) for n, d in specs]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print("done:", [t.result() for t in done])
    print("pending:", sorted(t.get_name() for t in pending))
    done, pending = await asyncio.wait(pending, timeout=0.15)
    print("after timeout, done:", [t.get_name() for t in done])
    print("still pending:", [t.get_name() for t in pending])
    for t in pending:
        t.cancel()
    await asyncio.sleep(0)
    print("slow cancelled?", tasks[2].cancelled())


asyncio.run(main())
