import asyncio


async def waiter(event, name):
    print(f"{name} waiting for the event")
    await event.wait()
    print(f"{name} got the event")


async def setter(event):
    await asyncio.sleep(0.2)
    print("setting the event")
    event.set()


async def main():
    event = asyncio.Event()
    waiters = [asyncio.create_task(waiter(event, f"w{i}")) for i in range(3)]
    await asyncio.gather(setter(event), *waiters)
    print("is_set:", event.is_set())
    event.clear()
    try:
        await asyncio.wait_for(event.wait(), timeout=0.1)
    except asyncio.TimeoutError:
        print("nobody set it again within 0.1s")


asyncio.run(main())
