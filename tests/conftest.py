"""Shared fixtures: the aioresponses shim, a loopback server, clients bound to it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aioresponses.core
from aiohttp import ClientResponse


class _MockResponse(ClientResponse):
    """aioresponses 0.7.9 builds responses without aiohttp 3.14's new ``stream_writer`` argument
    (upstream issue #289). A response that was never sent needs only its ``output_size``."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


aioresponses.core.ClientResponse = _MockResponse  # type: ignore[attr-defined]  # the shim replaces a private import


# ---------------------------------------------------------------------------------------------
# A loopback server with its tiers scaled down to 1-second windows, and clients bound to it.

import asyncio  # noqa: E402
import functools  # noqa: E402
from collections.abc import AsyncIterator, Callable, Mapping  # noqa: E402

import pytest  # noqa: E402

from aioautoml import DataRobotClient, QlikClient, RetryPolicy, TierLimit  # noqa: E402
from aioautoml.testing import FakeClockLoop, LoopbackServer  # noqa: E402

_test_loop: list[asyncio.AbstractEventLoop] = []  # the loop of the test running now


def _remembered(factory: Callable[[], asyncio.AbstractEventLoop]) -> Callable[[], asyncio.AbstractEventLoop]:
    def make() -> asyncio.AbstractEventLoop:
        loop = factory()
        loop.set_exception_handler(_stop_on_timeout)
        _test_loop[:] = [loop]
        return loop

    return make


def _stop_on_timeout(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # pytest-timeout raises its failure wherever the test is; in a plain callback (a timer, not
    # a task) asyncio only logs it and the loop would spin on: stop the loop, failing the test.
    if isinstance(context.get("exception"), pytest.fail.Exception):
        loop.stop()
    loop.default_exception_handler(context)


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Tests marked ``fake_clock`` (pacing, Retry-After, job polling) run on virtual time: the
    loop's clock jumps to the next timer, so they take milliseconds and their timings are exact.
    The loopback server reads the same clock (the running loop's)."""
    if item.get_closest_marker("fake_clock") is not None:
        return {"fake_clock": _remembered(FakeClockLoop)}
    return {"wall_clock": _remembered(asyncio.new_event_loop)}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    """A test that failed (a timeout above all: pytest-timeout interrupts the loop, it cancels
    nothing) may leave tasks waiting for ever; the fixtures' teardown (a client's close, which
    waits for its requests) would then hang. So its tasks are cancelled first: registered now,
    this finalizer runs before those of the fixtures."""
    try:
        return (yield)
    except BaseException:
        if _test_loop and not _test_loop[0].is_closed():
            item.addfinalizer(functools.partial(_cancel_tasks, _test_loop[0]))
        raise


def _cancel_tasks(loop: asyncio.AbstractEventLoop) -> None:
    for task in asyncio.all_tasks(loop):
        task.cancel()


# Scaled tiers: Tier 1 allows 200 requests per second, Tier 2 allows 20. Client and server share
# one event loop here, so requests reach the server up to several ms apart from when they left:
# 5% headroom instead of 1% (bench/ measures the default against a server in its own process).
FAST_TIERS = {"1": (200, 1.0), "2": (20, 1.0)}
FAST_LIMITS = {"1": TierLimit(200, window=1.0, headroom=0.05), "2": TierLimit(20, window=1.0, headroom=0.05)}
QUICK_RETRY = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.05)


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    async with LoopbackServer(tiers=FAST_TIERS, fractional_retry_after=True, job_polls=2) as running:
        yield running


@pytest.fixture
async def qlik(server: LoopbackServer) -> AsyncIterator[QlikClient]:
    async with QlikClient(server.url, token=server.token, limits=FAST_LIMITS, retry=QUICK_RETRY) as client:
        yield client


@pytest.fixture
async def datarobot(server: LoopbackServer) -> AsyncIterator[DataRobotClient]:
    async with DataRobotClient(server.url + "/api/v2", token=server.token, retry=QUICK_RETRY) as client:
        yield client


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until ``condition()`` holds (a state the test needs before acting), or fail."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the condition is the server's or client's state
            await asyncio.sleep(0.002)


# ---------------------------------------------------------------------------------------------
# A real Redis for the shared rate store: a redis-server of its own per test, on a free port.

import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402


class RedisServer:
    """``redis-server`` on 127.0.0.1, without persistence: ``stop()`` and ``start()`` it mid-test."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.answers_ping():  # until it answers, not for a guessed while
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not answer PING")
            time.sleep(0.01)

    def answers_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server): the Redis store's tests need it"
        if os.environ.get("AIOAUTOML_REQUIRE_REDIS") == "1":
            pytest.fail(message + "; AIOAUTOML_REQUIRE_REDIS=1 makes that a failure")
        pytest.skip(message)
    server = RedisServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def loopback_environment(server: LoopbackServer, home: Path) -> dict[str, str]:
    """The environment a subprocess (an example, the command line) configures itself from: this
    machine's, without its own QLIK_*/DATAROBOT_* settings, pointed at ``server``."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("QLIK_", "DATAROBOT_"))}
    return {
        **inherited,
        "HOME": str(home),  # no drconfig.yaml of the machine's user
        **server.environment(),
    }
