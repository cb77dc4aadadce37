"""Bearer auth against the loopback server: aioresponses bypasses the middleware that adds it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from aioautoml import QlikClient, UnauthorizedError
from aioautoml.testing import LoopbackServer

from .conftest import FAST_LIMITS, QUICK_RETRY


async def test_the_bearer_token_and_user_agent_are_sent(server: LoopbackServer, qlik: QlikClient) -> None:
    await qlik.ml.get_deployment("dep-0001")
    (request,) = server.requests
    assert request.headers["Authorization"] == f"Bearer {server.token}"
    assert request.headers["User-Agent"].startswith("aioautoml/")


async def test_a_token_provider_is_asked_again_after_a_401_once(server: LoopbackServer) -> None:
    issued = iter(["expired-token", server.token])
    calls = 0

    async def provider() -> str:
        nonlocal calls
        calls += 1
        return next(issued)

    async with QlikClient(server.url, token_provider=provider, limits=FAST_LIMITS) as qlik:
        deployment = await qlik.ml.get_deployment("dep-0001")
        await qlik.ml.get_deployment("dep-0002")  # the fresh token is kept
    assert deployment.data.id == "dep-0001"
    assert calls == 2
    assert [r.status for r in server.requests] == [401, 200, 200]


async def test_many_concurrent_401s_refresh_the_token_once(server: LoopbackServer) -> None:
    tokens = ["expired-token", server.token, "never-used"]
    calls = 0

    async def provider() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        return tokens[calls - 1]

    async with QlikClient(server.url, token_provider=provider, limits=FAST_LIMITS) as qlik:
        await asyncio.gather(*(qlik.ml.get_deployment("dep-0001") for _ in range(10)))
    assert calls == 2


async def test_a_refused_static_token_raises_unauthorized_without_showing_it(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aioautoml")
    secret = "s3cr3t-static-token"
    async with QlikClient(server.url, token=secret, limits=FAST_LIMITS, retry=QUICK_RETRY) as qlik:
        with pytest.raises(UnauthorizedError) as caught:
            await qlik.ml.get_deployment("dep-0001")
        assert secret not in repr(qlik)
    error = caught.value
    assert error.status == 401 and error.errors[0].code == "AUTH-1"
    assert secret not in str(error) and secret not in repr(error)
    assert secret not in caplog.text
    assert len(server.requests) == 1  # a static token is not retried


@pytest.fixture
async def other_origin() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A second server (another port, so another origin) that records the headers it gets."""
    seen: list[dict[str, str]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"data": {"id": "elsewhere", "type": "deployment", "attributes": {}}})

    app = web.Application()
    app.router.add_get("/{tail:.*}", record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


async def test_the_token_is_not_sent_when_a_redirect_leaves_the_origin(
    server: LoopbackServer, qlik: QlikClient, other_origin: tuple[str, list[dict[str, str]]]
) -> None:
    elsewhere, seen = other_origin

    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": f"{elsewhere}/api/v1/ml/deployments/elsewhere"})

    # The server is running: the operation's handler is replaced by one that redirects away.
    server.route("GET", "/api/v1/ml/deployments/{deploymentId}", redirect)

    deployment = await qlik.ml.get_deployment("dep-0001")
    assert deployment.data.id == "elsewhere"
    assert server.requests[0].headers["Authorization"] == f"Bearer {server.token}"
    assert "Authorization" not in seen[0]


def test_token_or_provider_is_required() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        QlikClient("https://t.us.qlikcloud.com")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="non-empty"):
        QlikClient("https://t.us.qlikcloud.com", token=" ")
