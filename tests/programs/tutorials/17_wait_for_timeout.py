import asyncio


async def slow_operation(seconds):
    try:
        await asyncio.sleep(seconds)
        return f"finished in {seconds}s"
    except asyncio.CancelledError:
        print("slow_operation was cancelled by wait_for")
        raise


async def main():
    try:
        result = await asyncio.wait_for(slow_operation(0.4), timeout=0.2)
        print(result)
    except asyncio.TimeoutError as e:
        print("timeout! gave up after 0.2s:", type(e).__name__)
    # 在超时之前完成的情况
    result = await asyncio.wait_for(slow_operation(0.1), timeout=0.2)
    print(result)


asyncio.run(main())
