"""The main job, end to end: ``make demo`` (``python -m aioautoml.demo``).

Page through every ML deployment, start the batch predictions of each concurrently under the
tier limits, wait for them, stream their result files (the AutoML predictions CSVs) to a folder,
then print a summary. By default it runs against the bundled loopback server (with its tiers
scaled down, and a few faults injected so the retries show). Against a real tenant:

    QLIK_BASE_URL=https://your-tenant.us.qlikcloud.com QLIK_TOKEN=... python -m aioautoml.demo --yes

There the AutoML predictions endpoints are past their sunset (2026-02), so the files are skipped
with a warning. Without ``--yes`` a real tenant is only read: nothing is started.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import QlikClient, TierLimit
from .bulk import Call
from .testing import Fault, LoopbackServer

# The loopback run: Qlik's tiers scaled from a minute to 5 seconds, so the pacing shows quickly.
DEMO_WINDOW = 5.0
DEMO_TIERS = {"1": (250, DEMO_WINDOW), "2": (50, DEMO_WINDOW)}


async def run_job(qlik: QlikClient, output: Path, *, start: bool, files: bool) -> dict[str, Any]:
    began = time.monotonic()
    deployments = [d async for d in qlik.paginate(qlik.ml.get_deployments, limit=32)]
    print(f"{len(deployments)} deployments")

    listings = await qlik.bulk(qlik.ml.get_batch_predictions, [d.id for d in deployments], progress="listing")
    targets = [
        (deployment.id, batch.id)
        for deployment, listing in zip(deployments, listings, strict=True)
        if listing.ok
        for batch in (listing.value.data if listing.value else [])
    ]
    print(f"{len(targets)} batch predictions")
    if not start:
        print("a real tenant is only read without --yes: no prediction was started")
        return _summary(qlik, began, files=0, failed=0)

    async def predict_and_wait(deployment_id: str, batch_id: str) -> Any:
        job = await qlik.start(qlik.ml.predict_batch_prediction, deployment_id, batch_id)
        return await job.wait(interval=0.2, max_interval=2.0)

    finished = await qlik.bulk(predict_and_wait, [Call(*t) for t in targets], concurrency=64, progress="predicting")
    done = [t for t, outcome in zip(targets, finished, strict=True) if outcome.ok]
    failed = [(t, o.error) for t, o in zip(targets, finished, strict=True) if not o.ok]
    for (deployment_id, batch_id), error in failed:
        print(f"  {deployment_id}/{batch_id}: {error}")

    written = 0
    if files:
        output.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before any request
        downloads = await qlik.bulk(
            lambda batch_id: qlik.download(
                output / f"{batch_id}.csv", qlik.automl_predictions.get_prediction_results, batch_id
            ),
            [batch_id for _, batch_id in done],
            progress="downloading",
        )
        written = sum(1 for d in downloads if d.ok)
        for d in downloads:
            if not d.ok:
                print(f"  download of {d.call.args[0]} failed: {d.error}")
    return _summary(qlik, began, files=written, failed=len(failed), predicted=len(done), output=output)


def _summary(qlik: QlikClient, began: float, **extra: Any) -> dict[str, Any]:
    stats = qlik.stats.values()
    return {
        "calls": sum(s.requests for s in stats),
        "429s received": sum(s.rate_limited for s in stats),
        "retries": sum(s.retries for s in stats),
        "paced waits": sum(s.waits for s in stats),
        "elapsed": f"{time.monotonic() - began:.1f} s",
        **extra,
    }


def files_past_sunset(qlik: QlikClient) -> str | None:
    operation = qlik.automl_predictions.get_prediction_results.__aioautoml_endpoint__.OPERATION  # type: ignore[attr-defined]
    sunset = operation.sunset
    if sunset and sunset < datetime.date.today().isoformat()[: len(sunset)]:
        return f"{operation.id} is past its sunset ({sunset})"
    return None


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aioautoml.demo", description=__doc__.split("\n\n")[1])
    parser.add_argument("--output", type=Path, default=Path("demo-output"), help="where the result files go")
    parser.add_argument("--deployments", type=int, default=40, help="loopback only: how many deployments")
    parser.add_argument("--yes", action="store_true", help="a real tenant: really start the batch predictions")
    args = parser.parse_args(argv)

    base_url, token = os.environ.get("QLIK_BASE_URL"), os.environ.get("QLIK_TOKEN")
    if base_url:
        if not token:
            parser.error("QLIK_BASE_URL is set but QLIK_TOKEN is not")
        async with QlikClient(base_url, token=token) as qlik:
            skip = files_past_sunset(qlik)
            if skip:
                warnings.warn(f"{skip}: skipping the result files", stacklevel=1)
            summary = await run_job(qlik, args.output, start=args.yes, files=skip is None)
    else:
        server = LoopbackServer(tiers=DEMO_TIERS, deployments=args.deployments, batch_predictions=3, job_polls=3)
        # A few of the faults a bulk job meets: they are retried, or reported, never lost.
        server.inject(
            Fault("status", operation="get_batch_prediction", status=503, times=3),
            Fault("reset", operation="get_batch_predictions", times=2),
            Fault("truncate", operation="get_prediction_results", times=2),
            Fault("status", operation="get_deployments", status=429, retry_after="1"),
        )
        limits = {tier: TierLimit(allowed, window=window) for tier, (allowed, window) in DEMO_TIERS.items()}
        async with server, QlikClient(server.url, token=server.token, limits=limits) as qlik:
            print(f"loopback server on {server.url} (Qlik tiers scaled to {DEMO_WINDOW:g} s windows)")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # the sunset is the loopback's business
                summary = await run_job(qlik, args.output, start=True, files=True)
            summary["429s for the tier limits"] = server.rate_limited  # the rest were injected faults
    print("\nsummary")
    for key, value in summary.items():
        print(f"  {key:>24}: {value}")
    return 0 if not summary.get("failed") else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
