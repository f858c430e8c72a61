import asyncio
import functools


def on_done(tag, fut):
    print(f"{tag}: result = {fut.result()}")


async def compute(x, y, delay):
    await asyncio.sleep(delay)
    return x * y


async def main():
    loop = asyncio.get_running_loop()
    # partial 预先绑定部分参数，之后再补上 delay
    jobs = [functools.partial(compute, 2, 3), functools.partial(compute, 4, 5)]
    tasks = [asyncio.create_task(job(delay=0.1 * (i + 1))) for i, job in enumerate(jobs)]
    for i, t in enumerate(tasks):
        t.add_done_callback(functools.partial(on_done, f"job{i}"))
    loop.call_soon(lambda: print("lambda via call_soon"))
    loop.call_soon(functools.partial(print, "partial(print)", "with sep", sep=" | "))
    loop.call_later(0.15, lambda name="timer": print(f"lambda {name} fired"))
    print("gathered:", await asyncio.gather(*tasks))


asyncio.run(main())
