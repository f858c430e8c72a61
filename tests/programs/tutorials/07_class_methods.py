import asyncio


class Robot:
    def __init__(self, name, speed):
        self.name = name
        self.speed = speed
        self.position = 0

    async def move(self, steps):
        for _ in range(steps):
            await asyncio.sleep(self.speed)
            self.position += 1
        print(f"{self.name} reached position {self.position}")
        return self.position

    async def report(self):
        await asyncio.sleep(0.05)
        return f"{self.name}@{self.position}"

    def __repr__(self):
        return f"Robot({self.name!r})"


async def main():
    r1, r2 = Robot("R1", 0.1), Robot("R2", 0.15)
    positions = await asyncio.gather(r1.move(2), r2.move(2))
    print("positions:", positions)
    print(await r1.report(), await r2.report())
    print([r1, r2])


asyncio.run(main())
