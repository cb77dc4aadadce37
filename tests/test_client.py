"""The client's session, options and hooks, end to end against the loopback server."""

from __future__ import annotations

import asyncio
import gc
import re
import warnings
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from aioautoml import (
    APITimeoutError,
    ClientStateError,
    DataRobotClient,
    InvalidRequestError,
    QlikClient,
    RetryPolicy,
)
from aioautoml.testing import Fault, LoopbackServer

from .conftest import FAST_LIMITS, eventually


async def test_path_parameters_arrive_as_single_segments(server: LoopbackServer, qlik: QlikClient) -> None:
    await qlik.data_stores.get_data_store("ds-0001", projections=["id", "name"])
    from aioautoml import NotFoundError

    with pytest.raises(NotFoundError):
        await qlik.data_stores.get_data_store("../ml/deployments")
    first, second = server.requests
    assert first.path == "/api/v1/data-stores/ds-0001"
    assert first.query == [("projections", "id,name")]
    assert second.path == "/api/v1/data-stores/..%2Fml%2Fdeployments"  # stays inside its segment


@pytest.mark.parametrize("bad", ["", ".", ".."])
async def test_dot_segments_are_refused_before_sending(server: LoopbackServer, qlik: QlikClient, bad: str) -> None:
    with pytest.raises(InvalidRequestError):
        await qlik.data_stores.get_data_store(bad)
    assert server.requests == []


async def test_close_waits_for_requests_in_flight(server: LoopbackServer) -> None:
    server.inject(Fault("slow", operation="get_deployment", delay=0.3))
    qlik = QlikClient(server.url, token=server.token, limits=FAST_LIMITS)
    request = asyncio.create_task(qlik.ml.get_deployment("dep-0001"))
    await eventually(lambda: server.in_flight == 1)  # the request is on the wire
    await qlik.close()
    assert request.done() and request.result().data.id == "dep-0001"
    with pytest.raises(ClientStateError, match="this client is closed"):
        await qlik.ml.get_deployment("dep-0001")


async def test_closing_leaves_no_unclosed_session_warning(server: LoopbackServer) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with QlikClient(server.url, token=server.token) as qlik:
            await qlik.ml.get_deployment("dep-0001")
        del qlik
        gc.collect()
    assert not [w for w in caught if "Unclosed" in str(w.message)]


async def test_per_call_and_client_timeouts(server: LoopbackServer) -> None:
    server.inject(Fault("slow", operation="get_deployment", delay=1.0, times=2))
    once = RetryPolicy(max_attempts=1)
    async with QlikClient(server.url, token=server.token, retry=once) as qlik:
        with pytest.raises(APITimeoutError):
            await qlik.with_options(timeout=0.1).ml.get_deployment("dep-0001")
    async with QlikClient(server.url, token=server.token, retry=once, timeout=0.1) as qlik:
        with pytest.raises(APITimeoutError):
            await qlik.ml.get_deployment("dep-0001")


async def test_with_options_shares_the_session_and_counters(server: LoopbackServer, qlik: QlikClient) -> None:
    view = qlik.with_options(retry=RetryPolicy(max_attempts=2))
    await view.ml.get_deployment("dep-0001")
    await qlik.ml.get_deployment("dep-0001")
    assert qlik.stats["1"].requests == 2 and view.stats is not None
    assert view._session() is qlik._session()


async def test_trace_configs_are_passed_to_the_session(server: LoopbackServer) -> None:
    started: list[str] = []

    async def on_start(session: Any, context: Any, params: aiohttp.TraceRequestStartParams) -> None:
        started.append(params.url.path)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    async with QlikClient(server.url, token=server.token, trace_configs=[trace]) as qlik:
        await qlik.ml.get_deployment("dep-0001")
    assert started == ["/api/v1/ml/deployments/dep-0001"]


async def test_a_proxy_is_passed_through(server: LoopbackServer) -> None:
    # The loopback server answers absolute-form requests, as an HTTP proxy receives them.
    async with QlikClient("http://tenant.invalid", token=server.token, proxy=server.url, trust_env=True) as qlik:
        deployment = await qlik.ml.get_deployment("dep-0001")
        assert qlik._session().trust_env
    assert deployment.data.id == "dep-0001"
    assert server.requests[0].headers["Host"] == "tenant.invalid"


async def test_deprecated_operations_warn_with_their_sunset_date(server: LoopbackServer, qlik: QlikClient) -> None:
    with pytest.warns(DeprecationWarning, match=r"getPredictionResults is deprecated; its sunset date is 2026-02"):
        await qlik.automl_predictions.get_prediction_results("bp-0001-01")


async def test_status_and_headers_are_reachable(server: LoopbackServer, qlik: QlikClient) -> None:
    response = await qlik.ml.with_raw_response.get_deployment("dep-0001")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.parsed.data.id == "dep-0001"


@pytest.mark.parametrize("endpoint", ["https://app.datarobot.com", "https://app.datarobot.com/api/v2/"])
def test_datarobot_endpoint_with_or_without_api_v2(endpoint: str) -> None:
    client = DataRobotClient(endpoint, token="t")
    assert str(client.url_for("/api/v2/modelPackages/")) == "https://app.datarobot.com/api/v2/modelPackages/"


@pytest.mark.parametrize("bad", ["tenant.us.qlikcloud.com", "ftp://x", "https://x/?a=1"])
def test_a_bad_base_url_is_refused(bad: str) -> None:
    with pytest.raises(InvalidRequestError, match="base_url"):
        QlikClient(bad, token="t")


@pytest.mark.parametrize("with_path", ["https://t.us.qlikcloud.com/api/v1", "https://t.us.qlikcloud.com/api/v1/ml/"])
def test_a_qlik_url_with_a_path_says_what_to_pass(with_path: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"without a path, e\.g\. 'https://t\.us\.qlikcloud\.com'"):
        QlikClient(with_path, token="t")
    assert QlikClient("https://t.us.qlikcloud.com/", token="t").origin.host == "t.us.qlikcloud.com"


def test_a_token_provider_that_is_not_async_is_refused() -> None:
    with pytest.raises(ValueError, match="token_provider must be an async callable"):
        QlikClient("https://t.us.qlikcloud.com", token_provider=lambda: "token")  # type: ignore[arg-type, return-value]


async def test_none_as_a_path_parameter_names_it_and_the_operation(qlik: QlikClient) -> None:
    with pytest.raises(InvalidRequestError, match=r"getDeployment: path parameter 'deploymentId' is required"):
        await qlik.ml.get_deployment(None)  # type: ignore[arg-type]


def test_limits_name_known_tiers_only() -> None:
    with pytest.raises(ValueError, match=r"unknown rate tier\(s\) \['3'\]"):
        QlikClient("https://t.us.qlikcloud.com", token="t", limits={"3": FAST_LIMITS["1"]})


async def test_requests_to_another_origin_are_refused(qlik: QlikClient) -> None:
    with pytest.raises(InvalidRequestError, match="another origin"):
        qlik.url_for("https://elsewhere.example/api/v1/ml/deployments")


def test_the_package_ships_py_typed() -> None:
    import aioautoml

    assert Path(aioautoml.__file__).with_name("py.typed").exists()


def test_a_client_used_in_a_second_event_loop_says_so() -> None:
    """aiohttp's connections belong to one loop: a second asyncio.run with the same client failed
    deep in the connector ("Event loop is closed") and leaked a connection; it is refused up front."""
    qlik = QlikClient("https://tenant.us.qlikcloud.com", token="t")

    async def call() -> str:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), payload={"data": {"id": "dep-1", "type": "deployment", "attributes": {}}})
            return (await qlik.ml.get_deployment("dep-1")).data.id

    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        assert first.run_until_complete(call()) == "dep-1"
        with pytest.raises(ClientStateError, match="belong to the event loop it was first used in"):
            second.run_until_complete(call())
    finally:
        second.close()
        first.run_until_complete(qlik.close())  # closed where it was opened: nothing left unclosed
        first.close()


@pytest.mark.parametrize("timeout", ["5", 0, -1.0, True])
def test_a_timeout_that_is_no_positive_number_is_refused(timeout: Any) -> None:
    qlik = QlikClient("https://tenant.us.qlikcloud.com", token="t")
    with pytest.raises(InvalidRequestError, match="timeout must be a positive number of seconds"):
        qlik.with_options(timeout=timeout)
