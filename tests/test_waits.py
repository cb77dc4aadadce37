"""Every wait is bounded: no server-given delay sleeps longer than the caller allows."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aioresponses import aioresponses

from aioautoml import DataRobotClient, QlikClient, RateLimitError, RetryPolicy, ServerError
from aioautoml.retry import FailureKind, parse_retry_after, retry_delay
from aioautoml.testing import Fault, LoopbackServer

from .conftest import FAST_LIMITS

POLICY = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002, max_retry_after=300)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("12", 12.0),
        ("0.5", 0.5),
        ("0", 0.0),
        ("inf", math.inf),
        ("Infinity", math.inf),
        ("1e400", math.inf),  # too large to be finite: as long as forever
        ("nan", None),  # not a number of seconds: as if absent
        ("-5", None),  # delta-seconds are never negative
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_retry_after_dates() -> None:
    now = datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(days=3), usegmt=True), now=now) == 0
    assert parse_retry_after(format_datetime(now + timedelta(days=3), usegmt=True), now=now) == 3 * 86400


@pytest.mark.parametrize("kind", [FailureKind.RATE_LIMITED, FailureKind.SERVER_ERROR])
@pytest.mark.parametrize("retry_after", [301.0, math.inf])
def test_a_wait_over_the_cap_on_any_status_gives_up_at_once(kind: FailureKind, retry_after: float) -> None:
    assert retry_delay(POLICY, kind, idempotent=True, attempt=1, retry_after=retry_after) is None


def test_a_wait_within_the_cap_is_honoured() -> None:
    assert retry_delay(POLICY, FailureKind.SERVER_ERROR, idempotent=True, attempt=1, retry_after=7) == 7
    assert retry_delay(POLICY, FailureKind.RATE_LIMITED, idempotent=False, attempt=1, retry_after=300) == 300


@pytest.mark.parametrize(
    "value", ["99999999", "inf", format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)]
)
async def test_a_503_asking_for_too_long_raises_at_once(server: LoopbackServer, value: str) -> None:
    server.inject(Fault("status", operation="get_deployment", status=503, retry_after=value, times=5))
    async with QlikClient(server.url, token=server.token, limits=FAST_LIMITS, retry=POLICY) as qlik:
        with pytest.raises(ServerError) as caught:
            await asyncio.wait_for(qlik.ml.get_deployment("dep-0001"), timeout=5)
    assert caught.value.status == 503
    assert len(server.requests) == 1  # not retried, and no sleep first


async def test_a_429_asking_for_forever_raises_at_once(server: LoopbackServer) -> None:
    server.inject(Fault("status", operation="get_deployment", status=429, retry_after="inf"))
    async with QlikClient(server.url, token=server.token, limits=FAST_LIMITS, retry=POLICY) as qlik:
        with pytest.raises(RateLimitError) as caught:
            await asyncio.wait_for(qlik.ml.get_deployment("dep-0001"), timeout=5)
        assert caught.value.retry_after == math.inf
        await qlik.ml.get_deployment("dep-0001")  # and it did not pause the tier forever either


@pytest.mark.parametrize("value", ["nan", "-1", "whenever"])
async def test_an_unusable_retry_after_falls_back_to_backoff(server: LoopbackServer, value: str) -> None:
    server.inject(Fault("status", operation="get_deployment", status=503, retry_after=value))
    async with QlikClient(server.url, token=server.token, limits=FAST_LIMITS, retry=POLICY) as qlik:
        deployment = await asyncio.wait_for(qlik.ml.get_deployment("dep-0001"), timeout=5)
    assert deployment.data.id == "dep-0001"
    assert len(server.requests) == 2


def test_a_policy_refuses_an_unbounded_cap() -> None:
    with pytest.raises(ValueError, match="max_retry_after"):
        RetryPolicy(max_retry_after=math.inf)


async def test_a_job_poll_clamps_the_servers_wait_to_max_interval() -> None:
    endpoint = "https://app.datarobot.example"
    job_url = f"{endpoint}/api/v2/projects/p/modelJobs/7/"
    model_url = f"{endpoint}/api/v2/projects/p/models/m/"
    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)

    async with DataRobotClient(endpoint, token="t") as datarobot:
        with aioresponses() as mocked:
            mocked.post(f"{endpoint}/api/v2/projects/p/models/", status=202, headers={"Location": job_url})
            for wait in ("99999", "inf", "3"):
                mocked.get(job_url, payload={"status": "inprogress"}, headers={"Retry-After": wait})
            mocked.get(job_url, status=303, headers={"Location": model_url})
            mocked.get(model_url, payload={"id": "m", "projectId": "p"})
            job = await datarobot.start(datarobot.models.create_model, "p")
            model = await job.wait(interval=1.0, max_interval=5.0, sleep=sleep)
    assert model.id == "m"
    assert delays == [5.0, 5.0, 3.0]  # the server's wait, never past max_interval
