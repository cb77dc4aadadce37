"""Several processes, one rate budget: every process paces its Tier-1 reads through one Redis.

    python shared_budget_processes.py redis://127.0.0.1:6379/0 [--processes 4] [--requests 30] [--per-second 40]

Needs `pip install 'aioautoml[redis]'` and a Redis (`redis-server --port 6379`). The parent runs
the bundled loopback server with a scaled Tier 1 (``--per-second`` requests per 1 s window,
enforced per token with 429s) and starts the workers as plain processes (multiprocessing,
spawn). Each worker makes its own client with ``rate_store=`` the Redis URL: the same token,
so one budget, however many processes share it. Against a real tenant, give every process the
same tenant URL, credential (or ``rate_key=``) and limits.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time

from aioautoml import QlikClient, TierLimit
from aioautoml.testing import LoopbackServer


def limits(per_second: int) -> dict[str, TierLimit]:
    # The scaled tier: per_second requests per 1-second window (Qlik's are per 60 s).
    return {"1": TierLimit(per_second, window=1.0, headroom=0.05)}


def worker(url: str, token: str, redis_url: str, requests: int, per_second: int) -> tuple[int, int, int]:
    """One process's job (run in a spawned process): (read, failed, 429s it met)."""
    return asyncio.run(read_deployments(url, token, redis_url, requests, per_second))


async def read_deployments(
    url: str, token: str, redis_url: str, requests: int, per_second: int
) -> tuple[int, int, int]:
    async with QlikClient(url, token=token, limits=limits(per_second), rate_store=redis_url) as qlik:
        ids = [f"dep-{n % 3 + 1:04d}" for n in range(requests)]
        outcomes = await qlik.bulk(qlik.ml.get_deployment, ids, concurrency=16)
        failed = sum(1 for outcome in outcomes if not outcome.ok)
        return len(outcomes) - failed, failed, qlik.stats["1"].rate_limited


async def main(redis_url: str, processes: int, requests: int, per_second: int) -> int:
    async with LoopbackServer(tiers={"1": (per_second, 1.0)}, deployments=3) as server:
        jobs = [(server.url, server.token, redis_url, requests, per_second)] * processes
        start = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            # The pool blocks: run it in a thread so this loop goes on serving the workers.
            results = await asyncio.get_running_loop().run_in_executor(None, pool.starmap, worker, jobs)
        elapsed = time.perf_counter() - start
        served = [r.at for r in server.requests if r.status == 200]
        span = max(served) - min(served) if len(served) > 1 else 0.0
        rate = (len(served) - 1) / span if span else 0.0
        read = sum(r[0] for r in results)
        failed = sum(r[1] for r in results)
        print(f"{processes} processes, {read} read, {failed} failed in {elapsed:.1f} s")
        print(f"served {len(served)} at {rate:.1f} per second of {per_second} allowed ({rate / per_second:.0%})")
        print(f"server 429s: {server.rate_limited}")
    return 0 if failed == 0 and server.rate_limited == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("redis_url")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--requests", type=int, default=30, help="per process")
    parser.add_argument("--per-second", type=int, default=40)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.redis_url, args.processes, args.requests, args.per_second)))
