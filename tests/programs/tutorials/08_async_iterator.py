import asyncio


class Ticker:
    """异步迭代器：每隔 delay 秒产生一个数字"""

    def __init__(self, delay, to):
        self.delay = delay
        self.i = 0
        self.to = to

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.i >= self.to:
            raise StopAsyncIteration
        await asyncio.sleep(self.delay)
        self.i += 1
        return self.i


async def main():
    async for n in Ticker(0.1, 3):
        print("tick", n)
    squares = [n * n async for n in Ticker(0.05, 4)]
    print("squares:", squares)


asyncio.run(main())
