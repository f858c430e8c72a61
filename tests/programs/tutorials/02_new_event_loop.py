import asyncio


async def greet(name, delay):
    await asyncio.sleep(delay)
    print(f"Hello, {name}!")
    return len(name)


async def main():
    t1 = asyncio.ensure_future(greet("Alice", 0.2))
    t2 = asyncio.ensure_future(greet("Bob", 0.1))
    return await t1 + await t2


# The "manual" way, as in older tutorials: create, install, run, close.
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
try:
    total = loop.run_until_complete(main())
    print("total letters:", total)
    print("loop running?", loop.is_running())
finally:
    loop.close()
print("loop closed?", loop.is_closed())
