"""Retries: what is repeated, what is not, and how long it waits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from aioautoml import APIConnectionError, NotFoundError, QlikClient, RateLimitError, RetryPolicy, ServerError
from aioautoml.retry import FailureKind, parse_retry_after, retry_delay
from aioautoml.testing import Fault, LoopbackServer

from .conftest import FAST_LIMITS, QUICK_RETRY

BATCH_PREDICTION = {
    "data": {
        "type": "batch-prediction",
        "attributes": {
            "name": "n",
            "dataSetId": "ds-1",
            "writeback": {"format": "csv", "dstName": "d", "spaceId": "s"},
        },
    }
}

POLICY = RetryPolicy(max_attempts=3, backoff_base=1.0, backoff_max=8.0)


@pytest.mark.parametrize(
    ("kind", "idempotent", "retried"),
    [
        (FailureKind.RATE_LIMITED, False, True),
        (FailureKind.NOT_SENT, False, True),
        (FailureKind.SERVER_ERROR, True, True),
        (FailureKind.SERVER_ERROR, False, False),
        (FailureKind.TIMEOUT, True, True),
        (FailureKind.TIMEOUT, False, False),
        (FailureKind.DROPPED, True, True),
        (FailureKind.DROPPED, False, False),
        (FailureKind.FINAL, True, False),
    ],
)
def test_what_is_retried(kind: FailureKind, idempotent: bool, retried: bool) -> None:
    delay = retry_delay(POLICY, kind, idempotent=idempotent, attempt=1)
    assert (delay is not None) is retried


def test_attempts_are_bounded_and_backoff_is_jittered_exponential() -> None:
    assert retry_delay(POLICY, FailureKind.SERVER_ERROR, idempotent=True, attempt=3) is None
    delays = [retry_delay(POLICY, FailureKind.SERVER_ERROR, idempotent=True, attempt=2) for _ in range(200)]
    assert all(d is not None and 0 <= d <= 2.0 for d in delays) and len(set(delays)) > 100


def test_a_429_waits_as_told_unless_that_is_too_long() -> None:
    assert retry_delay(POLICY, FailureKind.RATE_LIMITED, idempotent=False, attempt=1, retry_after=7) == 7
    assert retry_delay(POLICY, FailureKind.RATE_LIMITED, idempotent=False, attempt=1, retry_after=10_000) is None


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("12") == 12
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


async def test_a_get_is_retried_after_503_and_a_reset(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("status", operation="get_deployment", status=503), Fault("reset", operation="get_deployment"))
    deployment = await qlik.ml.get_deployment("dep-0001")
    assert deployment.data.id == "dep-0001"
    assert len(server.requests_for("get_deployment")) == 3
    assert qlik.stats["1"].retries == 2


async def test_a_post_is_not_resent_after_a_503(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("status", operation="predict_batch_prediction", status=503))
    with pytest.raises(ServerError) as caught:
        await qlik.ml.predict_batch_prediction("dep-0001", "bp-0001-01")
    assert caught.value.outcome_unknown and "outcome is unknown" in str(caught.value)
    assert len(server.requests_for("predict_batch_prediction")) == 1


async def test_a_post_is_not_resent_after_the_connection_drops(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("reset", operation="predict_batch_prediction"))
    with pytest.raises(APIConnectionError) as caught:
        await qlik.ml.predict_batch_prediction("dep-0001", "bp-0001-01")
    assert caught.value.outcome_unknown
    assert len(server.requests_for("predict_batch_prediction")) == 1


async def test_a_post_is_resent_when_it_never_left(server: LoopbackServer) -> None:
    # Nothing listens on the port: the connection fails before anything is sent.
    port = server.port
    await server.close()
    async with QlikClient(f"http://127.0.0.1:{port}", token="t", retry=QUICK_RETRY) as qlik:
        with pytest.raises(APIConnectionError) as caught:
            await qlik.ml.predict_batch_prediction("dep-0001", "bp-0001-01")
        assert not caught.value.outcome_unknown
        assert qlik.stats["2"].retries == QUICK_RETRY.max_attempts - 1


async def test_a_body_cut_short_is_fetched_again_for_a_get(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("truncate", operation="get_deployment"))
    deployment = await qlik.ml.get_deployment("dep-0001")
    assert deployment.data.id == "dep-0001"
    assert [r.operation for r in server.requests] == ["get_deployment", "get_deployment"]


@pytest.mark.fake_clock
async def test_a_429_is_retried_after_retry_after_and_counted(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("status", operation="get_deployment", status=429, retry_after="0.2"))
    deployment = await qlik.ml.get_deployment("dep-0001")
    first, second = server.requests
    assert deployment.data.id == "dep-0001"
    assert 0.2 <= second.at - first.at < 0.21  # as long as told, not the backoff, nor longer
    assert (qlik.stats["1"].rate_limited, qlik.stats["1"].retries) == (1, 1)


@pytest.mark.fake_clock
async def test_after_the_last_attempt_a_429_raises_with_the_servers_wait(server: LoopbackServer) -> None:
    server.inject(Fault("status", operation="get_deployment", status=429, retry_after="5", times=5))
    retry = RetryPolicy(max_attempts=2, backoff_base=0.01)
    async with QlikClient(server.url, token=server.token, limits=FAST_LIMITS, retry=retry) as qlik:
        with pytest.raises(RateLimitError) as caught:
            await qlik.ml.get_deployment("dep-0001")
    assert caught.value.retry_after == 5 and caught.value.tier == "1"
    first, second = server.requests
    assert 5 <= second.at - first.at < 5.01  # the one retry waited the server's 5 s (virtual)


async def test_a_wait_longer_than_the_policy_allows_raises_at_once_and_says_why(server: LoopbackServer) -> None:
    server.inject(Fault("status", operation="get_deployment", status=503, retry_after="1000"))
    retry = RetryPolicy(max_attempts=3, max_retry_after=60)
    async with QlikClient(server.url, token=server.token, limits=FAST_LIMITS, retry=retry) as qlik:
        with pytest.raises(ServerError) as caught:
            await qlik.ml.get_deployment("dep-0001")
    assert len(server.requests) == 1  # no 1000 s sleep, and no retry
    assert caught.value.__notes__ == [
        "Not retried: its Retry-After (1000 s) is longer than RetryPolicy.max_retry_after (60 s)."
    ]


async def test_a_long_wait_is_noted_only_where_it_alone_kept_the_retry(server: LoopbackServer) -> None:
    server.inject(
        Fault("status", operation="get_deployment", status=404, retry_after="1000"),  # never retried anyway
        Fault("status", operation="create_batch_prediction", status=503, retry_after="1000"),  # a POST: not resent
    )
    retry = RetryPolicy(max_attempts=3, max_retry_after=60)
    async with QlikClient(server.url, token=server.token, limits=FAST_LIMITS, retry=retry) as qlik:
        with pytest.raises(NotFoundError) as not_found:
            await qlik.ml.get_deployment("dep-0001")
        with pytest.raises(ServerError) as unavailable:
            await qlik.ml.create_batch_prediction("dep-0001", body=BATCH_PREDICTION)
    assert not hasattr(not_found.value, "__notes__") and not hasattr(unavailable.value, "__notes__")


async def test_every_retry_is_logged_at_debug(
    server: LoopbackServer, qlik: QlikClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aioautoml")
    server.inject(Fault("status", operation="get_deployment", status=502))
    await qlik.ml.get_deployment("dep-0001")
    (record,) = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert record.levelno == logging.DEBUG
    assert "GET" in record.getMessage() and "server error" in record.getMessage()
    assert server.token not in caplog.text
