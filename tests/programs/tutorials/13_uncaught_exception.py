import asyncio


async def fetch_user(user_id):
    await asyncio.sleep(0.1)
    if user_id < 0:
        raise ValueError(f"invalid user id: {user_id}")
    return {"id": user_id, "name": f"user{user_id}"}


async def main():
    user = await fetch_user(1)
    print("got", user)
    user = await fetch_user(-1)   # 这里会抛出异常，没人捕获
    print("never printed", user)


asyncio.run(main())
print("never reached either")
