"""Train a DataRobot model and wait for it: a 202 job followed to its 303, then the model.

DATAROBOT_ENDPOINT=https://app.datarobot.com/api/v2 DATAROBOT_API_TOKEN=... python datarobot_model_job.py PROJECT_ID BLUEPRINT_ID
"""

from __future__ import annotations

import asyncio
import sys

from aioautoml import DataRobotClient, JobTimeoutError


async def main(project_id: str, blueprint_id: str) -> None:
    async with DataRobotClient.from_env() as datarobot:
        # The body as a plain mapping: validated against the TrainModel model before it is sent.
        job = await datarobot.start(datarobot.models.create_model, project_id, body={"blueprintId": blueprint_id})
        print(f"training: {job.started.headers.get('Location')}")
        try:
            model = await job.wait(timeout=6 * 3600, interval=0.1, max_interval=30)
        except JobTimeoutError:
            print("still training after 6 hours; the job goes on")
            return
        print(f"trained: {model}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "blueprint"))
