"""Read many deployments with bounded concurrency, a progress bar and the client's counters.

    QLIK_TENANT_URL=... QLIK_API_KEY=... python bulk_with_progress.py ids.txt

Needs `pip install 'aioautoml[progress]'` for the bar. The tier's pacing keeps the job under
Qlik's rate limit however high the concurrency.
"""

from __future__ import annotations

import asyncio
import sys

from aioautoml import QlikClient


async def main(ids_file: str) -> int:
    with open(ids_file) as file:  # noqa: ASYNC230 - read once, before any request
        ids = [line.strip() for line in file if line.strip()]
    async with QlikClient.from_env() as qlik:
        outcomes = await qlik.bulk(qlik.ml.get_deployment, ids, concurrency=64, progress="deployments")
        failed = [outcome for outcome in outcomes if not outcome.ok]
        for outcome in failed:
            print(f"{outcome.input}: {outcome.error}")
        for tier, stats in qlik.stats.items():
            print(
                f"tier {tier}: {stats.requests} requests, {stats.retries} retries, {stats.rate_limited} 429s,"
                f" {stats.waits} paced waits ({stats.waited_seconds:.1f} s)"
            )
    print(f"{len(outcomes) - len(failed)} read, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
