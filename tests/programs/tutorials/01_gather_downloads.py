import asyncio
import time


# 模拟下载任务：每个任务耗时不同
async def download(name, seconds):
    print(f"开始下载 {name}")
    await asyncio.sleep(seconds)
    print(f"{name} 下载完成，耗时 {seconds} 秒")
    return f"{name}.zip"


async def main():
    start = time.perf_counter()
    # gather 并发运行所有协程，结果顺序与传入顺序一致
    results = await asyncio.gather(
        download("文件A", 0.3),
        download("文件B", 0.1),
        download("文件C", 0.2),
    )
    print("结果:", results)
    print(f"总耗时: {time.perf_counter() - start:.1f} 秒")


asyncio.run(main())
