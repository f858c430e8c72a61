import asyncio


async def risky(n):
    await asyncio.sleep(0.1 * n)
    raise RuntimeError(f"task {n} failed")


async def main():
    asyncio.create_task(risky(1))      # fire and forget: nobody looks at its exception
    t = asyncio.create_task(risky(2))
    await asyncio.sleep(0.3)
    print("main finished; task 2 done?", t.done())


asyncio.run(main())
print("after asyncio.run")
