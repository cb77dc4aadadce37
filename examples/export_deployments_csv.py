"""Export every ML deployment of a Qlik Cloud tenant to a CSV file.

    QLIK_TENANT_URL=https://your-tenant.us.qlikcloud.com QLIK_API_KEY=... python export_deployments_csv.py out.csv

Pages through the deployments (limit/offset, following the API's next links) in constant memory.
"""

from __future__ import annotations

import asyncio
import csv
import sys

from aioautoml import QlikClient

COLUMNS = ["id", "name", "model_id", "enable_predictions", "created_at", "updated_at"]


async def export(path: str) -> int:
    rows = 0
    async with QlikClient.from_env() as qlik:
        with open(path, "w", newline="") as file:  # noqa: ASYNC230 - one file, written as pages arrive
            writer = csv.writer(file)
            writer.writerow(COLUMNS)
            async for deployment in qlik.paginate(qlik.ml.get_deployments, limit=100):
                attributes = deployment.attributes
                writer.writerow([deployment.id, *(getattr(attributes, column, "") for column in COLUMNS[1:])])
                rows += 1
    return rows


if __name__ == "__main__":
    print(f"{asyncio.run(export(sys.argv[1] if len(sys.argv) > 1 else 'deployments.csv'))} deployments exported")
