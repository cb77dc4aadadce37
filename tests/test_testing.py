"""aioautoml.testing itself: routing by method and path, handlers replaced or added, names
checked, the data-stores paging base, and the fake clock."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shlex
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from aioautoml import QlikClient
from aioautoml._wire import operation_table
from aioautoml.testing import FakeClockLoop, Fault, LoopbackServer, path_params
from aioautoml.testing.server import operation_routes

ML = {op.python_name: op for op in operation_table("qlik_ml").values()}

DEPLOYMENT = "/api/v1/ml/deployments/{deploymentId}"


@pytest.fixture
async def http(server: LoopbackServer) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bearer {server.token}"}
    async with aiohttp.ClientSession(server.url, headers=headers) as session:
        yield session


async def _status(server: LoopbackServer, method: str, path: str, **params: str) -> int:
    headers = {"Authorization": f"Bearer {server.token}"}
    async with (
        aiohttp.ClientSession(server.url, headers=headers) as session,
        session.request(method, path, params=params) as response,
    ):
        return response.status


# -- routing ------------------------------------------------------------------------------------


async def test_an_operations_handler_is_replaced_after_start(server: LoopbackServer, qlik: QlikClient) -> None:
    async def teapot(request: web.Request) -> web.Response:
        return web.json_response({"data": {"id": path_params(request)["deploymentId"].upper(), "type": "x"}})

    built_in = server.handler("GET", DEPLOYMENT)
    server.route("GET", DEPLOYMENT, teapot)
    assert server.handler("GET", DEPLOYMENT) is teapot
    deployment = await qlik.ml.get_deployment("dep-0001")
    assert deployment.data.id == "DEP-0001"
    (request,) = server.requests_for("get_deployment")  # still that operation: tier, faults, record
    assert request.status == 200
    server.route("GET", DEPLOYMENT, built_in)
    assert (await qlik.ml.get_deployment("dep-0001")).data.id == "dep-0001"


async def test_a_new_path_is_served_before_and_after_start(http: aiohttp.ClientSession, server: LoopbackServer) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response(dict(path_params(request)))

    server.route("GET", "/custom/{name}/x", echo)
    async with http.get("/custom/a%2Fb/x") as response:
        assert response.status == 200 and await response.json() == {"name": "a/b"}  # one segment, decoded
    async with LoopbackServer() as fresh:
        fresh.route("post", "/before-start", echo)  # registered before start(), method in any case
        assert await _status(fresh, "POST", "/before-start") == 200
    (recorded,) = server.requests
    assert (recorded.path, recorded.operation, recorded.status) == ("/custom/a%2Fb/x", None, 200)


async def test_unknown_paths_and_methods(http: aiohttp.ClientSession, server: LoopbackServer) -> None:
    async with http.get("/api/v1/nowhere") as response:
        assert response.status == 404
    async with http.put("/api/v1/ml/deployments/dep-0001/batch-predictions") as response:
        assert response.status == 405  # the path is served, for GET and POST
    with pytest.raises(KeyError, match="no route for GET /nowhere"):
        server.handler("GET", "/nowhere")
    with pytest.raises(ValueError, match="starts with '/'"):
        server.route("GET", "nowhere", server.handler("GET", DEPLOYMENT))


async def test_the_most_specific_template_wins(http: aiohttp.ClientSession, server: LoopbackServer) -> None:
    async def fixed(request: web.Request) -> web.Response:
        return web.Response(text="fixed")

    server.route("GET", "/api/v1/ml/deployments/latest", fixed)  # beside .../{deploymentId}
    async with http.get("/api/v1/ml/deployments/latest") as response:
        assert await response.text() == "fixed"
    async with http.get("/api/v1/ml/deployments/dep-0002") as response:
        assert (await response.json())["data"]["id"] == "dep-0002"


async def test_operations_are_named_by_python_name_and_a_wrong_name_is_refused(server: LoopbackServer) -> None:
    with pytest.raises(ValueError, match="did you mean 'get_batch_prediction'"):
        server.requests_for("getBatchPrediction")  # an operationId, which routing no longer uses
    with pytest.raises(ValueError, match="did you mean 'get_deployments'"):
        server.inject(Fault("status", operation="get_deployment_s"))
    assert server.faults == []


def test_python_names_and_paths_must_each_name_one_operation() -> None:
    get = ML["get_deployment"]
    twin = dataclasses.replace(get, api="qlik_other", path="/api/v1/other/{deploymentId}")
    with pytest.raises(ValueError, match="'get_deployment' is both qlik_ml GET /api/v1/ml/deployments"):
        operation_routes([get, twin], {})
    renamed = dataclasses.replace(get, python_name="get_deployment_again")
    with pytest.raises(ValueError, match="in two operation tables"):
        operation_routes([get, renamed], {})
    with pytest.raises(ValueError, match="paths no operation has"):  # a handler a re-spec left behind
        operation_routes([get], {("GET", "/api/v1/ml/moved/{deploymentId}"): _empty})


async def _empty(request: web.Request) -> web.Response:
    return web.Response()


async def test_a_reset_is_recorded_as_no_answer(server: LoopbackServer, http: aiohttp.ClientSession) -> None:
    server.inject(Fault("reset", operation="predict_batch_prediction"))
    with pytest.raises(aiohttp.ServerDisconnectedError):  # a POST: aiohttp does not send it again
        async with http.post("/api/v1/ml/deployments/dep-0001/batch-predictions/bp-0001-01/actions/predict"):
            pass
    assert [(r.operation, r.status) for r in server.requests] == [("predict_batch_prediction", 0)]


# -- data stores: pages from 0 or 1 ----------------------------------------------------------


@pytest.mark.parametrize("first", [0, 1])
async def test_data_stores_count_pages_from_the_first_page_set(first: int) -> None:
    async with (
        LoopbackServer(data_stores=25, data_stores_first_page=first) as server,
        QlikClient(server.url, token=server.token) as qlik,
    ):
        pages = [page async for page in qlik.paginate(qlik.data_stores.get_data_stores, limit=10).pages()]
        assert [d.id for page in pages for d in page.items] == server.qlik.data_stores  # nothing lost or twice
        assert [page.body.page for page in pages] == [first, first + 1, first + 2]  # no page asked: the first
        assert [dict(r.query).get("page") for r in server.requests] == [None, str(first + 1), str(first + 2)]
        assert await _status(server, "GET", "/api/v1/data-stores", page=str(first - 1)) == 400  # before the first


def test_the_data_stores_first_page_is_0_or_1() -> None:
    with pytest.raises(ValueError, match="0 or 1"):
        LoopbackServer(data_stores_first_page=2)


# -- the fake clock ----------------------------------------------------------------------------


def test_an_hour_of_sleep_takes_no_real_time() -> None:
    async def hour() -> float:
        loop = asyncio.get_running_loop()
        began = loop.time()
        await asyncio.sleep(3600)
        return loop.time() - began

    real = time.perf_counter()
    with asyncio.Runner(loop_factory=FakeClockLoop) as runner:
        slept = runner.run(hour())
    assert 3600 <= slept < 3600.001
    assert time.perf_counter() - real < 1.0


def test_the_clock_never_stands_still() -> None:
    # aiolimiter re-arms a timer at "now" when float rounding leaves it a hair short of capacity:
    # on a clock that only jumps to timers, that would spin for ever.
    seen: list[float] = []

    async def rearm() -> None:
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def tick() -> None:
            seen.append(loop.time())
            if len(seen) < 5:
                loop.call_at(loop.time(), tick)
            else:
                done.set_result(None)

        loop.call_at(loop.time(), tick)
        await done

    with asyncio.Runner(loop_factory=FakeClockLoop) as runner:
        runner.run(rearm())
    assert seen == sorted(set(seen))  # strictly increasing


def test_time_does_not_jump_while_a_thread_works() -> None:
    async def work() -> None:
        # Jumping to the timeout's timer while the thread runs would time it out at once.
        await asyncio.wait_for(asyncio.to_thread(time.sleep, 0.05), timeout=10)

    with asyncio.Runner(loop_factory=FakeClockLoop) as runner:
        runner.run(work())


@pytest.mark.fake_clock
async def test_the_fake_clock_mark_runs_client_and_server_on_virtual_time(
    server: LoopbackServer, qlik: QlikClient
) -> None:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, FakeClockLoop)
    await asyncio.sleep(60)  # a whole Qlik rate window
    await qlik.ml.get_deployment("dep-0001")
    (request,) = server.requests
    assert 60 <= request.at <= loop.time() < 60.01  # the server read the loop's clock


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_the_server_on_its_own_serves_the_command_line(tmp_path: Path, stop: signal.Signals) -> None:
    """``python -m aioautoml.testing`` prints the environment for from_env() and serves until Ctrl-C
    (or SIGTERM: a shell's background job ignores SIGINT)."""
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aioautoml.testing", "--deployments", "4",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QLIK_", "DATAROBOT_"))}
        env["HOME"] = str(tmp_path)
        env["QLIK_TOKEN"] = "a shell's own, which would contradict the server's"  # the unset line drops it
        while not (line := (await asyncio.wait_for(server.stdout.readline(), 15)).decode()).startswith("# serving"):
            if line.startswith("unset "):
                for name in line.split()[1:]:
                    env.pop(name, None)
                continue
            name, _, value = line.removeprefix("export ").rstrip("\n").partition("=")
            env[name] = shlex.split(value)[0]
        assert sorted(env.keys() & {"QLIK_TENANT_URL", "QLIK_API_KEY", "DATAROBOT_ENDPOINT", "DATAROBOT_API_TOKEN"}) == [
            "DATAROBOT_API_TOKEN", "DATAROBOT_ENDPOINT", "QLIK_API_KEY", "QLIK_TENANT_URL",
        ]  # fmt: skip
        command = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aioautoml.cli", "qlik", "ml", "get-deployments", "--all", "--jsonl",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(command.communicate(), 20)
        assert command.returncode == 0, err
        assert [json.loads(line)["id"] for line in out.splitlines()] == [f"dep-{k:04d}" for k in range(1, 5)]

        server.send_signal(stop)
        _, err = await asyncio.wait_for(server.communicate(), 15)
        assert server.returncode == 0 and b"Traceback" not in err, err
    finally:
        if server.returncode is None:
            server.kill()
            await server.communicate()
