"""After a 429 pause, one request goes first; the tier follows once it is answered, and never stays shut."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from aioautoml import APITimeoutError, QlikClient, RetryPolicy, TierLimit
from aioautoml.limits import LocalPacer

from .conftest import eventually

PAUSE = 0.02
pytestmark = pytest.mark.fake_clock  # pauses and timeouts on virtual time: exact, and quick


async def _probe_then_waiters(
    pacer: LocalPacer, waiters: int
) -> tuple[asyncio.Task[tuple[float, bool]], list[asyncio.Task[tuple[float, bool]]]]:
    """After a pause: the first request to enter is the probe, the others wait behind it."""
    pacer.pause(PAUSE)
    probe = asyncio.create_task(pacer.enter())
    assert (await probe)[1] is True
    rest = [asyncio.create_task(pacer.enter()) for _ in range(waiters)]
    await asyncio.sleep(PAUSE * 3)  # long past the pause: only the probe holds them now
    assert not any(task.done() for task in rest)
    return probe, rest


async def test_the_tier_follows_when_the_probe_is_answered() -> None:
    pacer = LocalPacer(TierLimit(None))
    _, rest = await _probe_then_waiters(pacer, 5)
    await pacer.leave(probe=True, pause=None, answered=True)
    results = await asyncio.gather(*rest)
    assert [probe for _, probe in results] == [False] * 5


async def test_a_429_to_the_probe_renews_the_pause_and_one_request_probes_again() -> None:
    pacer = LocalPacer(TierLimit(None))
    _, rest = await _probe_then_waiters(pacer, 5)
    await pacer.leave(probe=True, pause=PAUSE, answered=True)
    done, pending = await asyncio.wait(rest, return_when=asyncio.FIRST_COMPLETED)
    assert [task.result()[1] for task in done] == [True]  # one new probe, after the renewed pause
    await asyncio.sleep(PAUSE * 3)
    assert not any(task.done() for task in pending)
    await pacer.leave(probe=True, pause=None, answered=True)
    assert [probe for _, probe in await asyncio.gather(*pending)] == [False] * 4


async def test_a_cancelled_probe_hands_the_probe_to_the_next_request() -> None:
    pacer = LocalPacer(TierLimit(None))
    _, rest = await _probe_then_waiters(pacer, 3)
    await pacer.leave(probe=True, pause=None, answered=False)  # its task was cancelled unanswered
    done, pending = await asyncio.wait(rest, return_when=asyncio.FIRST_COMPLETED)
    assert [task.result()[1] for task in done] == [True]
    await pacer.leave(probe=True, pause=None, answered=True)
    assert [probe for _, probe in await asyncio.gather(*pending)] == [False, False]


async def test_a_request_cancelled_while_it_waits_behind_the_probe_leaves_nothing_behind() -> None:
    pacer = LocalPacer(TierLimit(None))
    _, rest = await _probe_then_waiters(pacer, 2)
    rest[0].cancel()
    await pacer.leave(probe=True, pause=None, answered=True)
    assert (await rest[1])[1] is False
    assert pacer.admit_now()  # open


async def test_a_paced_tier_probes_too() -> None:
    pacer = LocalPacer(TierLimit(6000, window=60.0))
    pacer.pause(PAUSE)
    first, second = asyncio.create_task(pacer.enter()), asyncio.create_task(pacer.enter())
    await asyncio.wait([first, second], return_when=asyncio.FIRST_COMPLETED)
    assert [t.result()[1] for t in (first, second) if t.done()] == [True]
    await pacer.leave(probe=True, pause=None, answered=True)
    assert sorted(probe for _, probe in await asyncio.gather(first, second)) == [False, True]


# ---------------------------------------------------------------------------------------------
# End to end, against a server that answers 429 to everything while a storm lasts


class Storm:
    def __init__(self) -> None:
        self.until = 0.0
        self.arrivals: list[tuple[float, int]] = []  # (loop time, status answered)
        self.slow: asyncio.Event | None = None

    async def handle(self, request: web.Request) -> web.Response:
        now = asyncio.get_running_loop().time()
        if now < self.until:
            self.arrivals.append((now, 429))
            return web.json_response({"errors": []}, status=429, headers={"Retry-After": str(PAUSE)})
        if self.slow is not None:
            await self.slow.wait()
        self.arrivals.append((now, 200))
        return web.json_response({"data": {"id": request.match_info["id"], "type": "deployment", "attributes": {}}})


@pytest.fixture
async def storm() -> AsyncIterator[tuple[Storm, str]]:
    state = Storm()
    app = web.Application()
    app.router.add_get("/api/v1/ml/deployments/{id}", state.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield state, "http://{}:{}".format(*runner.addresses[0][:2])
    await runner.cleanup()


async def test_a_429_storm_reaches_the_server_once_per_pause(storm: tuple[Storm, str]) -> None:
    state, url = storm
    length = 0.3
    retry = RetryPolicy(max_attempts=100, backoff_base=0.001)
    limits = {"1": TierLimit(10_000, window=1.0, max_in_flight=32)}
    async with QlikClient(url, token="t", limits=limits, retry=retry) as qlik:
        await qlik.ml.get_deployment("warm-up")  # imports and a connection: the storm starts after
        state.arrivals.clear()
        state.until = asyncio.get_running_loop().time() + length
        await asyncio.gather(*(qlik.ml.get_deployment(f"dep-{i}") for i in range(64)))
        stats = qlik.stats["1"]
    during = [at for at, status in state.arrivals if status == 429]
    first_wave = sum(1 for at in during if at < during[0] + PAUSE)  # sent before the first 429 came back
    pauses = length / PAUSE
    # One probe per pause after the first wave (a few more for timer slack), where releasing the
    # whole tier at each pause's end would send up to 32 per pause.
    print(f"storm: {len(during)} requests reached the server, {first_wave} in the first wave, {pauses:g} pauses")
    assert len(during) - first_wave <= pauses * 1.5
    assert stats.probes >= pauses * 0.5
    assert sum(1 for _, status in state.arrivals if status == 200) == 64  # everything got through


async def test_the_tier_waits_for_the_probes_answer_end_to_end(storm: tuple[Storm, str]) -> None:
    state, url = storm
    retry = RetryPolicy(max_attempts=10, backoff_base=0.001)
    async with QlikClient(url, token="t", retry=retry) as qlik:
        await qlik.ml.get_deployment("warm-up")
        state.arrivals.clear()
        state.slow = asyncio.Event()  # the first request after the storm is held by the server
        state.until = asyncio.get_running_loop().time() + PAUSE / 2
        calls = [asyncio.create_task(qlik.ml.get_deployment(f"dep-{i}")) for i in range(10)]
        await eventually(lambda: qlik.stats.get("1") is not None and qlik.stats["1"].probes == 1)
        await asyncio.sleep(PAUSE * 3)
        held = len(state.arrivals)
        assert not any(call.done() for call in calls)  # all wait behind the one probe
        state.slow.set()
        await asyncio.gather(*calls)
    assert len(state.arrivals) > held and all(status == 200 for _, status in state.arrivals[held:])


async def test_a_probe_that_times_out_opens_the_tier(storm: tuple[Storm, str]) -> None:
    state, url = storm
    retry = RetryPolicy(max_attempts=2, backoff_base=0.001)
    async with QlikClient(url, token="t", retry=retry, timeout=0.2) as qlik:
        await qlik.ml.get_deployment("warm-up")
        state.slow = asyncio.Event()
        state.until = asyncio.get_running_loop().time() + PAUSE / 2
        probe = asyncio.create_task(qlik.ml.get_deployment("dep-probe"))  # a 429, then it probes
        await eventually(lambda: "1" in qlik.stats and qlik.stats["1"].probes == 1)
        follower = asyncio.create_task(qlik.ml.get_deployment("dep-next"))
        with pytest.raises(APITimeoutError):
            await probe
        state.slow.set()
        assert (await follower).data.id == "dep-next"
        assert qlik.stats["1"].probes == 1  # the follower went as the tier, not as another probe


# ---------------------------------------------------------------------------------------------
# The in-flight cap: a place is given back on every exit, and handed to the oldest waiter


async def test_in_flight_places_go_to_waiters_in_order_and_none_leak() -> None:
    from aioautoml.limits import InFlight

    cap = InFlight(2)
    assert cap.take_now() and cap.take_now() and not cap.take_now()
    order: list[int] = []

    async def wait(n: int) -> None:
        await cap.take()
        order.append(n)

    waiters = [asyncio.create_task(wait(n)) for n in range(3)]
    await asyncio.sleep(0)
    waiters[1].cancel()  # one gives up while waiting: it must not take or lose a place
    cap.give_back()
    cap.give_back()
    await asyncio.gather(*waiters, return_exceptions=True)
    assert order == [0, 2] and cap.taken == 2
    cap.give_back()
    cap.give_back()
    assert cap.taken == 0 and cap.take_now()


async def test_a_place_handed_to_a_waiter_cancelled_at_that_moment_is_passed_on() -> None:
    from aioautoml.limits import InFlight

    cap = InFlight(1)
    assert cap.take_now()
    first = asyncio.create_task(cap.take())
    second = asyncio.create_task(cap.take())
    await asyncio.sleep(0)
    cap.give_back()  # hands the place to `first`...
    first.cancel()  # ...which is cancelled before it runs again
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.wait_for(second, timeout=1)  # so the place went on to `second`
    assert cap.taken == 1
