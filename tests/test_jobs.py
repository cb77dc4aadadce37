"""Long-running work: Qlik's resource polling and DataRobot's 202/303, waits and cancellation."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

import pytest
from aiohttp import web
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


@pytest.mark.fake_clock
async def test_qlik_predict_then_wait_for_the_batch_prediction(server: LoopbackServer, qlik: QlikClient) -> None:
    server.qlik.job_polls = 3
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    assert job.started.status_code == 202
    batch = await job.wait(interval=1.0, backoff=2.0, max_interval=3.0)
    assert batch.data.attributes.status == "ready"
    assert [r.operation for r in server.requests] == ["predict_batch_prediction"] + ["get_batch_prediction"] * 3
    polls = [r.at for r in server.requests_for("get_batch_prediction")]  # pending, pending, ready
    assert [b - a for a, b in pairwise(polls)] == pytest.approx([1.0, 2.0], abs=0.001)  # backed off


async def test_a_failure_state_raises(server: LoopbackServer, qlik: QlikClient) -> None:
    server.qlik.fail_predictions.add("bp-0001-01")
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    with pytest.raises(JobFailedError) as caught:
        await job.wait(sleep=RecordingSleep())
    assert caught.value.status == "error"
    assert caught.value.resource.data.id == "bp-0001-01"


@pytest.mark.fake_clock
async def test_a_wait_that_runs_out_of_time(server: LoopbackServer, qlik: QlikClient) -> None:
    server.qlik.job_polls = 1000
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(JobTimeoutError, match="still running"):
        await job.wait(timeout=1.8, interval=0.5, max_interval=0.5)
    # It polls while the next poll fits in the 1.8 s, then gives up rather than sleep past it.
    polls = [r.at - began for r in server.requests_for("get_batch_prediction")]
    assert polls == pytest.approx([0.0, 0.5, 1.0, 1.5], abs=0.01)
    assert 1.5 <= loop.time() - began <= 1.8
    assert server.qlik.cancelled == []  # a timeout leaves the work running


async def test_cancelling_the_wait_cancels_the_qlik_job(server: LoopbackServer, qlik: QlikClient) -> None:
    server.qlik.job_polls = 1000
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    waiting = asyncio.create_task(job.wait(interval=0.01, max_interval=0.01))
    await eventually(lambda: len(server.requests_for("get_batch_prediction")) >= 2)  # it is polling
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert server.qlik.cancelled == ["batch-prediction/bp-0001-01"]
    assert server.requests[-1].path == "/api/v1/ml/jobs/batch-prediction/bp-0001-01/actions/cancel"


async def test_a_wait_cancelled_with_cancel_on_cancel_false_leaves_the_job_running(
    server: LoopbackServer, qlik: QlikClient
) -> None:
    server.qlik.job_polls = 1000
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    waiting = asyncio.create_task(job.wait(interval=0.01, max_interval=0.01, cancel_on_cancel=False))
    await eventually(lambda: len(server.requests_for("get_batch_prediction")) >= 2)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert server.qlik.cancelled == []
    assert server.requests_for("cancel_job") == []


@pytest.mark.fake_clock
async def test_retry_after_sets_the_next_poll(server: LoopbackServer, qlik: QlikClient) -> None:
    path = "/api/v1/ml/deployments/{deploymentId}/batch-predictions/{batchPredictionId}"
    original = server.handler("GET", path)

    async def with_retry_after(request: web.Request) -> web.StreamResponse:
        response = await original(request)
        response.headers["Retry-After"] = "7"
        return response

    server.route("GET", path, with_retry_after)
    job = await qlik.start(qlik.ml.predict_batch_prediction, "dep-0001", "bp-0001-01")
    await job.wait(interval=1.0)
    first, second = server.requests_for("get_batch_prediction")  # pending, then ready
    assert second.at - first.at == pytest.approx(7.0, abs=0.001)  # the server's 7 s, not the 1 s interval


async def test_datarobot_202_location_until_303(server: LoopbackServer, datarobot: DataRobotClient) -> None:
    server.datarobot.job_polls = 1  # the first poll answers 303: awaiting with the defaults does not sleep
    job = await datarobot.start(datarobot.models.create_model, "proj-1")
    model = await job
    assert model.id == "model-1" and model.project_id == "proj-1"
    paths = [r.path for r in server.requests]
    assert paths == [
        "/api/v2/projects/proj-1/models/",
        "/api/v2/projects/proj-1/modelJobs/1/",
        "/api/v2/projects/proj-1/models/model-1/",
    ]


async def test_a_202_without_a_location_is_a_job_error(server: LoopbackServer, datarobot: DataRobotClient) -> None:
    async def accepted(request: web.Request) -> web.Response:
        return web.Response(status=202)  # the documented answer, but no Location to follow

    server.route("POST", "/api/v2/projects/{projectId}/models/", accepted)
    with pytest.raises(JobError, match="the response \\(202\\) has no Location header"):
        await datarobot.start(datarobot.models.create_model, "proj-1")
    assert len(server.requests) == 1  # sent: only the answer could tell


async def test_cancelling_the_wait_deletes_the_datarobot_job(
    server: LoopbackServer, datarobot: DataRobotClient
) -> None:
    server.datarobot.job_polls = 1000
    job = await datarobot.start(datarobot.models.create_model, "proj-1")
    waiting = asyncio.create_task(job.wait(interval=0.01, max_interval=0.01))
    await eventually(lambda: len(server.requests_for("retrieve_model_job")) >= 2)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert server.datarobot.cancelled == ["1"]
    assert (server.requests[-1].method, server.requests[-1].path) == ("DELETE", "/api/v2/projects/proj-1/modelJobs/1/")


async def test_an_operation_that_starts_no_job_is_refused_before_sending(
    server: LoopbackServer, qlik: QlikClient
) -> None:
    for method, args in ((qlik.ml.get_deployment, ("dep-0001",)), (qlik.ml.delete_deployment, ("dep-0001",))):
        with pytest.raises(JobError, match=r"starts no long-running work its spec describes.*nothing was sent"):
            await qlik.start(method, *args)  # type: ignore[arg-type]  # refused by mypy too
    assert server.requests == []  # a mistaken start() of a write does not run the write


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


def _status(body: dict[str, Any], status: str) -> dict[str, Any]:
    return {"data": {**body["data"], "attributes": {"status": status}}}
