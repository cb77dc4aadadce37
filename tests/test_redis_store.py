"""The Redis rate store against a real redis-server (tests/conftest.py starts one per test).

Several clients, each with its own RedisStore, stand in for processes: they share nothing but
Redis (their pacers, connections and in-process pause state are their own). Real OS processes:
test_a_429_pauses_a_real_other_process here, and examples/shared_budget_processes.py (four
processes, one budget, 0 429s), run by tests/test_examples.py.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from aioautoml import (
    DataRobotClient,
    InvalidRequestError,
    QlikClient,
    RateStoreError,
    RedisStore,
    RetryPolicy,
    TierLimit,
    redis_store,
)
from aioautoml.bulk import Outcome
from aioautoml.testing import Fault, LoopbackServer

from .conftest import RedisServer, eventually

RETRY = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.05)
PER_SECOND = 20
LIMITS = {"1": TierLimit(PER_SECOND, window=1.0, headroom=0.05)}


def ids(n: int) -> list[str]:
    return [f"dep-{k + 1:04d}" for k in range(n)]


def most_in_one_second(times: Sequence[float]) -> int:
    ordered = sorted(times)
    best, first = 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


async def redis_keys(url: str, pattern: str = "*") -> list[bytes]:
    client = Redis.from_url(url)
    try:
        return list(await client.keys(pattern))
    finally:
        await client.aclose()


async def test_clients_with_their_own_stores_share_one_budget(redis_server: RedisServer) -> None:
    async with LoopbackServer(tiers={"1": (PER_SECOND, 1.0)}, deployments=3) as server:
        clients = [
            QlikClient(server.url, token=server.token, limits=LIMITS, rate_store=redis_server.url) for _ in range(3)
        ]
        results = await asyncio.gather(
            *(run_bulk(client, [f"dep-{k % 3 + 1:04d}" for k in range(15)]) for client in clients)
        )
    assert all(outcome.ok for outcomes in results for outcome in outcomes)
    assert server.rate_limited == 0 and len(server.requests) == 45
    # One budget: 45 requests at 20 per second, not three times that.
    assert most_in_one_second([r.at for r in server.requests]) <= PER_SECOND
    keys = await redis_keys(redis_server.url)
    assert keys and all(server.token.encode() not in key for key in keys)  # a hash, never the token


async def run_bulk(client: QlikClient, inputs: list[str]) -> list[Outcome[Any]]:
    async with client:
        return await read_all(client, inputs)


async def read_all(client: QlikClient, inputs: list[str]) -> list[Outcome[Any]]:
    return list(await client.bulk(client.ml.get_deployment, inputs))


async def test_a_429_met_by_one_process_pauses_the_others(redis_server: RedisServer) -> None:
    async with LoopbackServer(tiers=None, deployments=3) as server:
        server.inject(
            Fault("status", operation="get_deployment", status=429, retry_after="0.5"),
            Fault("slow", operation="get_deployment", delay=0.3),  # the probe, answered 0.3 s after it came
        )
        first = QlikClient(server.url, token=server.token, limits=LIMITS, retry=RETRY, rate_store=redis_server.url)
        second = QlikClient(server.url, token=server.token, limits=LIMITS, retry=RETRY, rate_store=redis_server.url)
        async with first, second:
            paused = asyncio.create_task(first.ml.get_deployment("dep-0001"))
            async with asyncio.timeout(5):
                while not await redis_keys(redis_server.url, "aioautoml:*:pause"):  # noqa: ASYNC110
                    await asyncio.sleep(0.005)  # until the 429's pause is in Redis
            await second.ml.get_deployment("dep-0002")  # another process: it must honour the pause
            await paused
            probes = first.stats["1"].probes + second.stats["1"].probes
    rate_limited = next(r for r in server.requests if r.status == 429)
    after = [r for r in server.requests if r.status == 200]
    assert len(after) == 2 and probes == 1  # one request probed the tier after the pause
    assert all(r.at >= rate_limited.at + 0.45 for r in after)
    probe, other = sorted(after, key=lambda r: r.at)
    assert other.at >= probe.at + 0.29  # the other process waited for the probe's answer


async def test_redis_stopped_mid_run_raises_before_sending(redis_server: RedisServer) -> None:
    # At most 4 in flight: 4 reservations ahead (a reserved slot is sent, whatever becomes of Redis).
    limits = {"1": TierLimit(PER_SECOND, window=1.0, headroom=0.05, max_in_flight=4)}
    async with (
        LoopbackServer(tiers={"1": (PER_SECOND, 1.0)}, deployments=40) as server,
        QlikClient(server.url, token=server.token, limits=limits, rate_store=redis_server.url) as qlik,
    ):
        job = asyncio.create_task(read_all(qlik, ids(40)))
        await eventually(lambda: len(server.requests) >= 8)
        redis_server.stop()
        outcomes = await job
    sent = [r.path.rsplit("/", 1)[1] for r in server.requests]
    assert len(sent) == len(set(sent))  # nothing sent twice
    failed = [o for o in outcomes if not o.ok]
    assert failed and all(isinstance(o.error, RateStoreError) for o in failed)
    assert redis_server.url in str(failed[0].error)
    assert sorted(o.input for o in outcomes if o.ok) == sorted(sent)  # what failed was never sent
    assert server.rate_limited == 0


async def test_a_redis_restart_mid_run_loses_nothing_and_bounds_the_burst(redis_server: RedisServer) -> None:
    limit = TierLimit(PER_SECOND, window=1.0, headroom=0.05, max_in_flight=4)
    async with (
        LoopbackServer(tiers={"1": (PER_SECOND, 1.0)}, deployments=40) as server,
        QlikClient(server.url, token=server.token, limits={"1": limit}, rate_store=redis_server.url) as qlik,
    ):
        job = asyncio.create_task(read_all(qlik, ids(40)))
        await eventually(lambda: len(server.requests) >= 8)
        redis_server.stop()  # the budget, its script cache and every connection are gone
        redis_server.start()
        restarted_at = asyncio.get_running_loop().time()
        outcomes = await job
    sent = [r.path.rsplit("/", 1)[1] for r in server.requests]
    assert len(sent) == len(set(sent)) and server.rate_limited == 0  # nothing sent twice
    assert all(isinstance(o.error, RateStoreError) for o in outcomes if not o.ok)
    assert sorted(o.input for o in outcomes if o.ok) == sorted(sent)  # a failed reservation sent nothing
    assert sum(1 for r in server.requests if r.at > restarted_at + 0.3) >= 10  # the new Redis paces the rest
    # An empty budget lets one burst through at most, on top of the rate.
    assert most_in_one_second([r.at for r in server.requests]) <= PER_SECOND + limit.effective_burst


async def test_redis_stopped_with_the_local_policy_goes_on_at_its_share(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(redis_server.url, on_store_error="local", fallback_share=0.5)
    async with LoopbackServer(tiers={"1": (40, 1.0)}, deployments=40) as server:
        limits = {"1": TierLimit(40, window=1.0, headroom=0.05, max_in_flight=4)}
        async with QlikClient(server.url, token=server.token, limits=limits, rate_store=store) as qlik:
            job = asyncio.create_task(read_all(qlik, ids(40)))
            await eventually(lambda: len(server.requests) >= 6)
            with caplog.at_level(logging.WARNING, logger="aioautoml"):
                redis_server.stop()
                stopped_at = asyncio.get_running_loop().time()
                outcomes = await job
        await store.aclose()
    assert all(o.ok for o in outcomes) and server.rate_limited == 0
    later = sorted(r.at for r in server.requests if r.at > stopped_at + 0.2)  # past what was reserved before
    assert len(later) >= 10
    rate = (len(later) - 1) / (later[-1] - later[0])
    assert 40 * 0.5 * 0.8 <= rate <= 40 * 0.5 * 1.1  # half the tier (the share), not the whole of it
    warnings = [r for r in caplog.records if "until it answers again" in r.getMessage()]
    assert len(warnings) == 1 and redis_server.url in warnings[0].getMessage()


async def test_two_identities_do_not_share_a_budget(redis_server: RedisServer) -> None:
    async with LoopbackServer(tiers={"1": (PER_SECOND, 1.0)}, deployments=3) as server:
        server.tokens = {"token-a", "token-b"}
        clients = [
            QlikClient(server.url, token=token, limits=LIMITS, rate_store=redis_server.url)
            for token in ("token-a", "token-b")
        ]
        inputs = [f"dep-{k % 3 + 1:04d}" for k in range(20)]
        await asyncio.gather(*(run_bulk(client, inputs) for client in clients))
    assert server.rate_limited == 0
    for token in ("token-a", "token-b"):
        assert most_in_one_second([r.at for r in server.requests if token in r.headers["Authorization"]]) <= PER_SECOND
    # Each has its own budget: together they went faster than one budget allows.
    assert most_in_one_second([r.at for r in server.requests]) > PER_SECOND


class RotatingSource:
    """A token source whose token changes on every call, with one stable identity."""

    identity = "service-account-7"

    def __init__(self) -> None:
        self.calls = 0

    async def token(self) -> str:
        self.calls += 1
        return ("token-a", "token-b")[self.calls % 2]

    async def refresh(self, stale: str) -> str:
        return await self.token()

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("how", ["rate_key", "source identity"])
async def test_rotating_tokens_keep_one_budget_with_a_stable_identity(redis_server: RedisServer, how: str) -> None:
    async with LoopbackServer(tiers={"1": (PER_SECOND, 1.0)}, deployments=3) as server:
        server.tokens = {"token-a", "token-b"}
        if how == "rate_key":
            clients = [
                QlikClient(server.url, token=token, rate_key="job", limits=LIMITS, rate_store=redis_server.url)
                for token in ("token-a", "token-b")
            ]
        else:
            clients = [
                QlikClient(server.url, token_provider=RotatingSource(), limits=LIMITS, rate_store=redis_server.url)
                for _ in range(2)
            ]
        inputs = [f"dep-{k % 3 + 1:04d}" for k in range(20)]
        results = await asyncio.gather(*(run_bulk(client, inputs) for client in clients))
    assert all(o.ok for outcomes in results for o in outcomes)
    assert {r.headers["Authorization"] for r in server.requests} == {"Bearer token-a", "Bearer token-b"}
    assert most_in_one_second([r.at for r in server.requests]) <= PER_SECOND  # both tokens, one budget


async def test_a_provider_without_a_stable_identity_is_refused(redis_server: RedisServer) -> None:
    async def provider() -> str:
        return "loopback-token"

    async with LoopbackServer(tiers=None, deployments=3) as server:
        async with QlikClient(server.url, token_provider=provider, rate_store=redis_server.url) as qlik:
            with pytest.raises(InvalidRequestError, match="rate_key"):
                await qlik.ml.get_deployment("dep-0001")
        assert server.requests == []
        async with QlikClient(server.url, token_provider=provider, rate_key="job", rate_store=redis_server.url) as qlik:
            await qlik.ml.get_deployment("dep-0001")
        assert len(server.requests) == 1


def test_one_store_serves_one_event_loop_after_another(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url)

    async def read(server_url: str, token: str) -> None:
        async with QlikClient(server_url, token=token, rate_store=store) as qlik:
            await qlik.ml.get_deployment("dep-0001")
        await store.aclose()

    async def once() -> int:
        async with LoopbackServer(tiers=None, deployments=3) as server:
            await read(server.url, server.token)
            return len(server.requests)

    assert asyncio.run(once()) == 1
    assert asyncio.run(once()) == 1  # a new loop: a new connection pool, not the closed loop's


async def test_an_unreachable_store_raises_before_sending() -> None:
    store = RedisStore("redis://:secret@127.0.0.1:1/0", timeout=0.5)  # nothing listens on port 1
    async with LoopbackServer(tiers=None, deployments=3) as server:
        async with QlikClient(server.url, token=server.token, rate_store=store) as qlik:
            with pytest.raises(RateStoreError) as raised:
                await qlik.ml.get_deployment("dep-0001")
        await store.aclose()
    assert server.requests == []
    assert "redis://127.0.0.1:1/0" in str(raised.value) and "secret" not in str(raised.value)
    assert raised.value.store == "redis://127.0.0.1:1/0"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "http://127.0.0.1:6379"}, "redis://"),
        ({"on_store_error": "ignore"}, "on_store_error"),
        ({"fallback_share": 0.0}, "fallback_share"),
        ({"timeout": 0.0}, "timeout"),
    ],
)
def test_store_settings_are_checked(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        RedisStore(**kwargs)  # type: ignore[arg-type]


def test_the_store_needs_the_extra_and_the_package_does_not_import_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    code = "import sys, aioautoml; aioautoml.QlikClient; aioautoml.RedisStore; assert 'redis' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    with pytest.raises(ImportError, match=r"pip install 'aioautoml\[redis\]'"):
        RedisStore()


@pytest.mark.parametrize(("required", "outcome"), [("", "1 skipped"), ("1", "1 error")])
def test_without_redis_server_the_tests_skip_unless_required(required: str, outcome: str) -> None:
    # PATH without redis-server: the fixture skips, saying how to install it, or fails when CI requires it.
    env = {"PATH": "/nonexistent", "AIOAUTOML_REQUIRE_REDIS": required}
    test = "tests/test_redis_store.py::test_a_provider_without_a_stable_identity_is_refused"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", test],
        env=env, capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    assert outcome in done.stdout, done.stdout + done.stderr
    assert "apt-get install redis-server" in done.stdout


async def test_datarobot_clients_share_one_budget(redis_server: RedisServer) -> None:
    limits = {"default": TierLimit(PER_SECOND, window=1.0, headroom=0.05)}
    async with LoopbackServer(tiers=None, datarobot_limit=(PER_SECOND, 1.0)) as server:
        clients = [
            DataRobotClient(f"{server.url}/api/v2", token=server.token, limits=limits, rate_store=redis_server.url)
            for _ in range(2)
        ]

        async def read(client: DataRobotClient) -> None:
            async with client:
                await asyncio.gather(*(client.models.list_model_packages() for _ in range(15)))

        await asyncio.gather(*(read(client) for client in clients))
    assert server.rate_limited == 0 and len(server.requests) == 30
    assert most_in_one_second([r.at for r in server.requests]) <= PER_SECOND


async def test_a_redis_that_stops_answering_times_out_before_sending(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url, timeout=0.3)
    async with LoopbackServer(tiers=None, deployments=3) as server:
        async with QlikClient(server.url, token=server.token, rate_store=store) as qlik:
            await qlik.ml.get_deployment("dep-0001")  # connected, the script loaded
            assert redis_server.process is not None
            redis_server.process.send_signal(signal.SIGSTOP)  # it holds the connection and answers nothing
            try:
                started = asyncio.get_running_loop().time()
                with pytest.raises(RateStoreError, match="Timeout"):
                    await qlik.ml.get_deployment("dep-0002")
                assert asyncio.get_running_loop().time() - started < 2  # redis-py's default would wait for ever
            finally:
                redis_server.process.send_signal(signal.SIGCONT)
            await qlik.ml.get_deployment("dep-0003")  # answering again: the next reservation goes through
        await store.aclose()
    assert [r.path.rsplit("/", 1)[1] for r in server.requests] == ["dep-0001", "dep-0003"]


async def test_the_local_policy_returns_to_redis_once_it_answers(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_store, "STORE_RETRY", 0.2)  # seconds of local pacing before Redis is tried again
    store = RedisStore(redis_server.url, on_store_error="local", fallback_share=0.5)
    async with LoopbackServer(tiers=None, deployments=3) as server:
        async with QlikClient(server.url, token=server.token, limits=LIMITS, rate_store=store) as qlik:
            await qlik.ml.get_deployment("dep-0001")
            redis_server.stop()
            await qlik.ml.get_deployment("dep-0002")  # paced locally
            redis_server.start()  # empty: no budget key until a reservation writes one
            assert await redis_keys(redis_server.url, "aioautoml:*:tat") == []
            loop = asyncio.get_running_loop()
            back_at = loop.time() + 0.25
            while loop.time() < back_at:  # requests go on, locally, until the retry time has passed
                await qlik.ml.get_deployment("dep-0003")
            await qlik.ml.get_deployment("dep-0001")
        await store.aclose()
    assert await redis_keys(redis_server.url, "aioautoml:*:tat")  # the budget is in Redis again


# The other process: one read through the same Redis budget, once it is told to go.
OTHER_PROCESS = """
import asyncio, sys
from aioautoml import QlikClient, TierLimit

async def main() -> None:
    url, token, store = sys.argv[1:4]
    limits = {"1": TierLimit(20, window=1.0, headroom=0.05)}  # the same as the test process
    async with QlikClient(url, token=token, limits=limits, rate_store=store) as qlik:
        print("ready", flush=True)
        sys.stdin.readline()
        print((await qlik.ml.get_deployment("dep-0002")).data.id, flush=True)

asyncio.run(main())
"""


async def test_a_429_pauses_a_real_other_process(redis_server: RedisServer) -> None:
    """The pause crosses an OS process boundary: the other process knows of the 429 only through
    Redis, and its request waits for the pause and the probe's answer."""
    pause = 1.5
    async with LoopbackServer(tiers=None, deployments=3) as server:
        server.inject(
            Fault("status", operation="get_deployment", status=429, retry_after=str(pause)),
            Fault("slow", operation="get_deployment", delay=0.3),  # the probe, answered 0.3 s after it came
        )
        other = await asyncio.create_subprocess_exec(
            sys.executable, "-c", OTHER_PROCESS, server.url, server.token, redis_server.url,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        assert other.stdin is not None and other.stdout is not None
        try:
            assert await asyncio.wait_for(other.stdout.readline(), 15) == b"ready\n"  # imported, connected
            async with QlikClient(
                server.url, token=server.token, limits=LIMITS, retry=RETRY, rate_store=redis_server.url
            ) as first:
                paused = asyncio.create_task(first.ml.get_deployment("dep-0001"))
                async with asyncio.timeout(5):
                    while not any(r.status == 429 for r in server.requests):  # noqa: ASYNC110
                        await asyncio.sleep(0.005)  # until the server has answered the 429
                    while not await redis_keys(redis_server.url, "aioautoml:*:pause"):  # noqa: ASYNC110
                        await asyncio.sleep(0.005)  # and its pause is in Redis
                told = asyncio.get_running_loop().time()
                other.stdin.write(b"go\n")
                await other.stdin.drain()
                assert await asyncio.wait_for(other.stdout.readline(), 15) == b"dep-0002\n"
                await paused
        finally:
            if other.returncode is None:
                other.kill()
            await other.wait()
    rate_limited = next(r for r in server.requests if r.status == 429)
    assert told < rate_limited.at + pause - 0.2, "the other process was told to go too late to show anything"
    answered = sorted((r for r in server.requests if r.status == 200), key=lambda r: r.at)
    assert len(answered) == 2  # and which of the two probes is the race to the first slot after the pause
    probe, second = answered
    assert probe.at >= rate_limited.at + pause - 0.05
    assert second.at >= probe.at + 0.29  # the other waited for the probe's answer, not only for the pause


async def test_a_process_pacing_the_tier_differently_is_refused_before_sending(redis_server: RedisServer) -> None:
    async with LoopbackServer(tiers=None, deployments=2) as server:
        first = QlikClient(server.url, token=server.token, limits=LIMITS, rate_store=redis_server.url)
        other = {"1": TierLimit(PER_SECOND * 3, window=1.0, headroom=0.05)}  # three times the rate
        second = QlikClient(server.url, token=server.token, limits=other, rate_store=redis_server.url)
        async with first, second:
            await first.ml.get_deployment("dep-0001")
            with pytest.raises(InvalidRequestError, match="another process paces this tier") as caught:
                await second.ml.get_deployment("dep-0002")
            assert "same limits" in str(caught.value) and "burst of" in str(caught.value)
            await first.ml.get_deployment("dep-0002")  # the budget's own processes go on
    assert [r.path.rsplit("/", 1)[-1] for r in server.requests] == ["dep-0001", "dep-0002"]
