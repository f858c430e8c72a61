# A timer cancels a task: loop.call_later(delay, task.cancel), as tutorials
# show timeouts before wait_for. What the program asks of task.cancel is
# CPython's own (its name, and the handle's repr in the views).
import asyncio


async def download(name, seconds):
    print(f"{name}: start")
    try:
        await asyncio.sleep(seconds)
        print(f"{name}: done")
        return name
    except asyncio.CancelledError:
        print(f"{name}: cancelled by the timer")
        raise


async def main():
    loop = asyncio.get_running_loop()
    slow = asyncio.create_task(download("slow", 5))
    fast = asyncio.create_task(download("fast", 1))
    handle = loop.call_later(2, slow.cancel)
    print("the timer calls", slow.cancel.__qualname__, "| cancelled?", handle.cancelled())
    results = await asyncio.gather(slow, fast, return_exceptions=True)
    print("results:", [type(r).__name__ if isinstance(r, BaseException) else r for r in results])


asyncio.run(main())
