"""Pacing per rate tier: the allowance used without 429s, bounded bursts, sharing, in-flight caps.

On virtual time (the fake_clock mark): the server's windows and the client's pacer read the one
event loop clock, so the arrival times the server records are exact, and 2 s of pacing takes ms.
"""

from __future__ import annotations

import asyncio

import pytest

from aioautoml import QlikClient, TierLimit
from aioautoml._wire import endpoint_of
from aioautoml.testing import Fault, LoopbackServer

from .conftest import FAST_LIMITS, eventually

pytestmark = pytest.mark.fake_clock

# FAST_LIMITS' Tier 1: 200 per second less 5% headroom, a burst of 2 (1%), so the bucket drains
# at 200 * 0.95 - 2 = 188 per second.
BUDGET, BURST, DRAIN = 190, 2, 188.0


async def _many(qlik: QlikClient, count: int) -> None:
    await asyncio.gather(*(qlik.ml.get_deployment("dep-0001") for _ in range(count)))


def _arrivals(server: LoopbackServer) -> list[float]:
    return sorted(r.at for r in server.requests)


def _busiest_window(times: list[float], window: float) -> int:
    """The most requests any ``window`` seconds held, counted as the server's windows count."""
    start = best = 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_a_bulk_over_several_windows_uses_the_allowance_without_a_429(
    server: LoopbackServer, qlik: QlikClient
) -> None:
    await _many(qlik, 450)  # Tier 1 here: 200 per second, so 2.25 windows' worth
    arrivals = _arrivals(server)
    assert server.rate_limited == 0
    assert _busiest_window(arrivals, 1.0) <= BUDGET
    # ... and no slower: the burst at once, then the other 448 at the drain rate.
    assert arrivals[-1] - arrivals[0] == pytest.approx((450 - BURST) / DRAIN, abs=0.01)
    assert qlik.stats["1"].requests == 450 and qlik.stats["1"].rate_limited == 0
    assert qlik.stats["1"].waits > 0  # the pacer, not the server, held them back


async def test_without_pacing_the_same_bulk_is_rate_limited(server: LoopbackServer) -> None:
    async with QlikClient(server.url, token=server.token, pacing=False) as qlik:
        await _many(qlik, 450)
    assert server.rate_limited > 0  # the server's 429s; the client retried through them


async def test_a_fresh_bucket_does_not_spend_the_window_at_once(server: LoopbackServer, qlik: QlikClient) -> None:
    await _many(qlik, 60)
    arrivals = _arrivals(server)
    start = arrivals[0]
    assert arrivals[BURST - 1] - start < 0.001  # the burst went at once ...
    assert arrivals[BURST] - start == pytest.approx(1 / DRAIN, abs=0.001)  # ... the next one drained in
    # So 2 + 9 in the first 50 ms, where an unbounded bucket sends all 60.
    assert sum(1 for at in arrivals if at < start + 0.05) == BURST + int(0.05 * DRAIN)


async def test_clients_of_one_identity_share_the_tier(server: LoopbackServer) -> None:
    async with (
        QlikClient(server.url, token=server.token, limits=FAST_LIMITS) as one,
        QlikClient(server.url, token=server.token, limits=FAST_LIMITS) as two,
    ):
        await asyncio.gather(_many(one, 150), _many(two, 150))
    assert server.rate_limited == 0


async def test_separate_rate_keys_do_not_share(server: LoopbackServer) -> None:
    async with (
        QlikClient(server.url, token=server.token, limits=FAST_LIMITS, rate_key="a") as one,
        QlikClient(server.url, token=server.token, limits=FAST_LIMITS, rate_key="b") as two,
    ):
        await asyncio.gather(_many(one, 150), _many(two, 150))
    assert server.rate_limited > 0  # the server counts one user: two buckets overrun it


async def test_a_rotating_token_keeps_its_bucket(server: LoopbackServer) -> None:
    tokens = iter(["first", "second"])

    async def provider() -> str:
        return next(tokens)

    async with QlikClient(server.url, token_provider=provider) as qlik:
        operation = endpoint_of(qlik.ml.get_deployment).OPERATION
        before = qlik._tier(operation).pacer
        credential = qlik._state.credential
        assert await credential.refresh(await credential.token()) == "second"
        qlik._state.tiers.clear()  # look the pacer up again, as a fresh client of the credential would
        assert qlik._tier(operation).pacer is before


async def test_conflicting_limits_for_one_identity_are_refused(server: LoopbackServer) -> None:
    async with (
        QlikClient(server.url, token=server.token, limits=FAST_LIMITS) as one,
        QlikClient(server.url, token=server.token, limits={"1": TierLimit(50, window=1.0)}) as two,
    ):
        await one.ml.get_deployment("dep-0001")
        with pytest.raises(ValueError, match="same identity already paces tier 1"):
            await two.ml.get_deployment("dep-0001")


async def test_a_refused_conflicting_limit_takes_no_slot(server: LoopbackServer) -> None:
    # The conflict is found before an in-flight place is taken: with max_in_flight=2, ten refused
    # calls in a row must each raise (a leaked place would make the third one hang).
    conflicting = {"1": TierLimit(50, window=1.0, max_in_flight=2)}
    async with (
        QlikClient(server.url, token=server.token, limits=FAST_LIMITS) as one,
        QlikClient(server.url, token=server.token, limits=conflicting) as two,
    ):
        await one.ml.get_deployment("dep-0001")
        for _ in range(10):
            with pytest.raises(ValueError, match="same identity already paces tier 1"):
                await asyncio.wait_for(two.ml.get_deployment("dep-0001"), timeout=5)


async def test_in_flight_requests_are_capped_per_tier(server: LoopbackServer) -> None:
    server.inject(Fault("slow", delay=0.05, times=30))
    limits = {"1": TierLimit(200, window=1.0, max_in_flight=3)}
    async with QlikClient(server.url, token=server.token, limits=limits) as qlik:
        await _many(qlik, 30)
    assert server.max_in_flight == 3


async def test_a_429_pauses_the_whole_tier_and_only_that_tier(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("status", operation="get_deployment", status=429, retry_after="0.3"))
    first = asyncio.create_task(qlik.ml.get_deployment("dep-0001"))
    await eventually(lambda: "1" in qlik.stats and qlik.stats["1"].rate_limited == 1)  # the 429 is in
    paused_at = server.requests[0].at
    same_tier = asyncio.create_task(qlik.ml.get_deployments())
    other_tier = asyncio.create_task(qlik.ml.predict_batch_prediction("dep-0001", "bp-0001-01"))
    await asyncio.gather(first, same_tier, other_tier)
    (listing,) = server.requests_for("get_deployments")
    (predict,) = server.requests_for("predict_batch_prediction")
    assert paused_at + 0.3 <= listing.at < paused_at + 0.31  # waited out the pause, and no longer
    assert predict.at < paused_at + 0.01  # Tier 2 went on at once
