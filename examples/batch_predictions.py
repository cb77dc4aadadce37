"""Run every batch prediction of one deployment, wait for them, and download their results.

    QLIK_TENANT_URL=... QLIK_API_KEY=... python batch_predictions.py DEPLOYMENT_ID results/

Each prediction is long-running work: `qlik.start` returns a Job that polls the batch prediction
until its status is terminal. The result files are streamed to disk.
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from pathlib import Path

from aioautoml import JobFailedError, QlikClient
from aioautoml.types import qlik_ml


async def predict_one(qlik: QlikClient, deployment_id: str, batch: qlik_ml.BatchPrediction, folder: Path) -> str:
    job = await qlik.start(qlik.ml.predict_batch_prediction, deployment_id, batch.id)
    try:
        finished = await job.wait(timeout=3600, interval=0.1, max_interval=5)
    except JobFailedError as failed:
        return f"{batch.id}: failed ({failed.status})"
    status = finished.data.attributes.status
    with warnings.catch_warnings():  # the AutoML prediction endpoints are deprecated by Qlik
        warnings.simplefilter("ignore", DeprecationWarning)
        download = await qlik.download(
            folder / f"{batch.id}.csv", qlik.automl_predictions.get_prediction_results, batch.id
        )
    return f"{batch.id}: {status}, {download.size} bytes in {download.path}"


async def main(deployment_id: str, folder: Path) -> None:
    async with QlikClient.from_env() as qlik:
        batches = await qlik.paginate(qlik.ml.get_batch_predictions, deployment_id).to_list()
        for line in await asyncio.gather(*(predict_one(qlik, deployment_id, b, folder) for b in batches)):
            print(line)


if __name__ == "__main__":
    results = Path(sys.argv[2] if len(sys.argv) > 2 else "results")
    results.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(sys.argv[1], results))
