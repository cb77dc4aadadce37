"""arq workers sharing one rate budget: jobs queued in Redis, each worker process pacing through it.

    python shared_budget_arq.py redis://127.0.0.1:6379/0 [--workers 2] [--jobs 40] [--per-second 20]

Needs `pip install 'aioautoml[redis,examples]'` (arq 0.28 requires redis-py < 6, so that is the
redis-py this installs) and a Redis. The parent runs the loopback server with a scaled Tier 1,
queues one job per deployment read, and starts the workers (spawned processes, arq's burst mode:
each stops when the queue is empty). Every worker opens one client on startup with
``rate_store=`` the same Redis, so all of them draw from one budget.

arq runs a job at least once: a worker that dies mid-job leaves it to be run again. These jobs
are reads, so a second run costs a request and nothing else. A job that writes (a
``create_batch_prediction``) needs its own guard: enqueue it with ``_job_id=`` derived from the
input, so arq refuses a duplicate while the first is queued or its result kept, and have the job
look for what a previous run made (a batch prediction of that name) before creating another.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from aioautoml import QlikClient, TierLimit
from aioautoml.testing import LoopbackServer


async def startup(ctx: dict[str, Any]) -> None:
    limits = {"1": TierLimit(ctx["per_second"], window=1.0, headroom=0.05)}
    ctx["qlik"] = QlikClient(ctx["url"], token=ctx["token"], limits=limits, rate_store=ctx["redis_url"])


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["qlik"].close()


async def read_deployment(ctx: dict[str, Any], deployment_id: str) -> str:
    qlik: QlikClient = ctx["qlik"]
    deployment = await qlik.ml.get_deployment(deployment_id)
    return f"{deployment_id}: {deployment.data.attributes.name}"


def work(redis_url: str, url: str, token: str, per_second: int) -> None:
    """One worker process: run jobs until the queue is empty."""
    asyncio.run(run_worker(redis_url, url, token, per_second))


async def run_worker(redis_url: str, url: str, token: str, per_second: int) -> None:
    worker = Worker(  # made inside the running loop: arq binds to the loop current when it is built
        functions=[read_deployment],
        redis_settings=RedisSettings.from_dsn(redis_url),
        burst=True,
        on_startup=startup,
        on_shutdown=shutdown,
        handle_signals=False,
        max_jobs=16,
        poll_delay=0.05,
        ctx={"url": url, "token": token, "redis_url": redis_url, "per_second": per_second},
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def main(redis_url: str, workers: int, jobs: int, per_second: int) -> int:
    async with LoopbackServer(tiers={"1": (per_second, 1.0)}, deployments=jobs) as server:
        queue = await create_pool(RedisSettings.from_dsn(redis_url))
        try:
            queued = [
                await queue.enqueue_job("read_deployment", f"dep-{n + 1:04d}", _job_id=f"read-dep-{n + 1:04d}")
                for n in range(jobs)
            ]
            with multiprocessing.get_context("spawn").Pool(workers) as pool:
                runs = [(redis_url, server.url, server.token, per_second)] * workers
                # The pool blocks: run it in a thread so this loop goes on serving the workers.
                await asyncio.get_running_loop().run_in_executor(None, pool.starmap, work, runs)
            results = [await job.result(timeout=10) for job in queued if job is not None]
        finally:
            await queue.aclose()
        served = sorted(r.at for r in server.requests if r.status == 200)
        rate = (len(served) - 1) / (served[-1] - served[0]) if len(served) > 1 else 0.0
        print(f"{workers} workers, {len(results)} jobs done, the last: {results[-1] if results else None}")
        print(f"served {len(served)} at {rate:.1f} per second of {per_second} allowed")
        print(f"server 429s: {server.rate_limited}")
    return 0 if len(results) == jobs and server.rate_limited == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("redis_url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--per-second", type=int, default=20)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.redis_url, args.workers, args.jobs, args.per_second)))
