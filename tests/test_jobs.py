"""Long-running work: Qlik's resource polling and DataRobot's 202/303, waits and cancellation."""

from __future__ import annotations

import asyncio

import pytest
from aioresponses import aioresponses
from yarl import URL

from aioautoml import DataRobotClient, JobError, JobFailedError, JobTimeoutError, QlikClient
from aioautoml.testing import LoopbackServer

from .conftest import eventually


class RecordingSleep:
    """Stands in for asyncio.sleep: records the waits, yields to the loop, does not wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


async def test_qlik_predict_then_wait_for_the_batch_prediction(server: LoopbackServer, qlik: QlikClient) -> None:
    server.job_polls = 3
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    assert job.started.status_code == 202
    sleep = RecordingSleep()
    batch = await job.wait(interval=1.0, backoff=2.0, max_interval=3.0, sleep=sleep)
    assert batch.data.attributes.status == "ready"
    assert sleep.delays == [1.0, 2.0]  # polled three times: pending, pending, ready
    assert [r.operation for r in server.requests] == ["predictBatchPrediction"] + ["getBatchPrediction"] * 3


async def test_a_failure_state_raises(server: LoopbackServer, qlik: QlikClient) -> None:
    server.fail_predictions.add("bp-0001-01")
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    with pytest.raises(JobFailedError) as caught:
        await job.wait(sleep=RecordingSleep())
    assert caught.value.status == "error"
    assert caught.value.resource.data.id == "bp-0001-01"


async def test_a_wait_that_runs_out_of_time(server: LoopbackServer, qlik: QlikClient) -> None:
    server.job_polls = 1000
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    with pytest.raises(JobTimeoutError, match="still running"):
        await job.wait(timeout=0.2, interval=0.05, max_interval=0.05)
    assert server.cancelled == []  # a timeout leaves the work running


async def test_cancelling_the_wait_cancels_the_qlik_job(server: LoopbackServer, qlik: QlikClient) -> None:
    server.job_polls = 1000
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    waiting = asyncio.create_task(job.wait(interval=0.01, max_interval=0.01))
    await eventually(lambda: len(server.requests_for("getBatchPrediction")) >= 2)  # it is polling
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert server.cancelled == ["batch-prediction/bp-0001-01"]
    assert server.requests[-1].path == "/api/v1/ml/jobs/batch-prediction/bp-0001-01/actions/cancel"


async def test_retry_after_sets_the_next_poll(server: LoopbackServer, qlik: QlikClient) -> None:
    route = next(r for r in server.app.router.routes() if r.name == "getBatchPrediction")
    original = route._handler  # type: ignore[attr-defined]

    async def with_retry_after(request):  # type: ignore[no-untyped-def]
        response = await original(request)
        response.headers["Retry-After"] = "7"
        return response

    route._handler = with_retry_after  # type: ignore[attr-defined]
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    sleep = RecordingSleep()
    await job.wait(interval=1.0, sleep=sleep)
    assert sleep.delays == [7.0]


async def test_datarobot_202_location_until_303(server: LoopbackServer, datarobot: DataRobotClient) -> None:
    server.job_polls = 1  # the first poll answers 303: awaiting with the defaults does not sleep
    job = await datarobot.start(datarobot.models.create_model, "proj-1")
    model = await job
    assert model.id == "model-1" and model.project_id == "proj-1"
    paths = [r.path for r in server.requests]
    assert paths == [
        "/api/v2/projects/proj-1/models/",
        "/api/v2/projects/proj-1/modelJobs/1/",
        "/api/v2/projects/proj-1/models/model-1/",
    ]


async def test_cancelling_the_wait_deletes_the_datarobot_job(
    server: LoopbackServer, datarobot: DataRobotClient
) -> None:
    server.job_polls = 1000
    job = await datarobot.start(datarobot.models.create_model, "proj-1")
    waiting = asyncio.create_task(job.wait(interval=0.01, max_interval=0.01))
    await eventually(lambda: len(server.requests_for("retrieveModelJob")) >= 2)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert server.cancelled == ["1"]
    assert (server.requests[-1].method, server.requests[-1].path) == ("DELETE", "/api/v2/projects/proj-1/modelJobs/1/")


async def test_an_operation_that_starts_no_job_is_refused(server: LoopbackServer, qlik: QlikClient) -> None:
    with pytest.raises(JobError, match="does not start a job"):
        await qlik.start(qlik.ml.get_deployment, "dep-0001")


QLIK = "https://t.us.qlikcloud.com"


async def test_profile_insights_poll_the_data_set_named_in_the_request_body() -> None:
    from aioautoml._generated.qlik_ml.models import ProfileInsightsInput

    body = ProfileInsightsInput.from_dict(
        {"data": {"type": "profile-insights", "attributes": {"dataSetId": "ds-9", "target": "churn"}}}
    )
    insights = {"data": {"id": "p", "type": "profile-insights", "attributes": {"status": "{}"}}}
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            mocked.post(f"{QLIK}/api/v1/ml/profile-insights", status=202, payload=_status(insights, "pending"))
            mocked.get(f"{QLIK}/api/v1/ml/profile-insights/ds-9", payload=_status(insights, "pending"))
            mocked.get(f"{QLIK}/api/v1/ml/profile-insights/ds-9", payload=_status(insights, "ready"))
            job = await qlik.start(qlik.ml.create_profile_insights, body=body)
            result = await job.wait(sleep=RecordingSleep())
    assert result.data.attributes.status == "ready"


async def test_an_automation_run_polls_the_run_id_of_the_response_and_stops_it_on_cancel() -> None:
    from aioautoml._generated.qlik_automations.models import AutomationRunCreateRequest

    runs = f"{QLIK}/api/workflows/automations/a-1/runs"
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            mocked.post(runs, status=201, payload={"id": "r-7", "status": "queued"})
            mocked.get(f"{runs}/r-7", payload={"id": "r-7", "status": "running"}, repeat=True)
            mocked.post(f"{runs}/r-7/actions/stop", status=204)
            job = await qlik.start(
                qlik.automations.create_automation_run, "a-1", body=AutomationRunCreateRequest("api")
            )
            waiting = asyncio.create_task(job.wait(interval=0.01, max_interval=0.01))
            await eventually(lambda: len(mocked.requests.get(("GET", URL(f"{runs}/r-7")), [])) >= 2)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
    assert ("POST", URL(f"{runs}/r-7/actions/stop")) in mocked.requests


def _status(body: dict, status: str) -> dict:  # type: ignore[type-arg]
    return {"data": {**body["data"], "attributes": {"status": status}}}
