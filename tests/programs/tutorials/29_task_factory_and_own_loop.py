# A task factory (a Task subclass with its own cancel), as_completed given
# one task by mistake, and a loop the program makes itself.
import asyncio

class Loud(asyncio.Task):
    def cancel(self, msg=None):
        print("cancel asked of", self.get_name())
        return super().cancel(msg)

async def one():
    await asyncio.sleep(0.1)
    return 1

async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(lambda loop, coro: Loud(coro, loop=loop))
    t = asyncio.create_task(one())
    try:
        for f in asyncio.as_completed(t):
            pass
    except TypeError as e:
        print("TypeError", e)
    print(await t)
    u = asyncio.create_task(asyncio.sleep(0.5))
    await asyncio.sleep(0)
    u.cancel()

asyncio.run(main())
other = asyncio.SelectorEventLoop()
print(other.run_until_complete(one()))
other.close()
