import asyncio
import contextlib

class Connection:
    def __init__(self, host):
        self.host = host

    async def __aenter__(self):
        print(f"connecting to {self.host} ...")
        await asyncio.sleep(0.1)
        print("connected")
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await asyncio.sleep(0.1)
        print(f"closed {self.host} (exc_type={exc_type.__name__ if exc_type else None})")
        return False   # 不吞掉异常

    async def query(self, sql):
        await asyncio.sleep(0.1)
        return f"rows for {sql!r}"

@contextlib.asynccontextmanager
async def timer(label):
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        yield
    finally:
        print(f"{label} took {loop.time() - start:.1f}s")

async def main():
    async with timer("session"):
        async with Connection("db.local") as conn:
            print(await conn.query("SELECT 1"))
    try:
        async with Connection("cache.local"):
            raise KeyError("missing")
    except KeyError as e:
        print("caught", repr(e))


asyncio.run(main())
