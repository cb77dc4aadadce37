"""Redirects: a body is never re-sent to another origin, the token never leaves the origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from aioautoml import QlikClient, RedirectError, RetryPolicy, UnexpectedStatusError
from aioautoml._generated.qlik_data_stores.models.data_store_input import DataStoreInput
from aioautoml._generated.qlik_data_stores.models.json_patch import JsonPatch

STORE = {"id": "ds-1", "name": "Store", "type": "qix-datafiles", "technicalName": "t"}


@dataclass
class Host:
    """A loopback origin that records what reaches it and answers as ``answer`` says."""

    url: str = ""
    seen: list[tuple[str, str, bytes, str | None]] = field(default_factory=list)
    answer: web.Response | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append((request.method, request.path, body, request.headers.get("Authorization")))
        if self.answer is not None:
            answer, self.answer = self.answer, None
            return answer
        status = 201 if request.method == "POST" else 200
        return web.json_response(STORE, status=status)


async def _start(host: Host) -> web.AppRunner:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", host.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host.url = "http://{}:{}".format(*runner.addresses[0][:2])
    return runner


@pytest.fixture
async def hosts() -> AsyncIterator[tuple[Host, Host]]:
    home, elsewhere = Host(), Host()
    runners = [await _start(home), await _start(elsewhere)]
    yield home, elsewhere
    for runner in runners:
        await runner.cleanup()


def redirect(status: int, location: str) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


def new_store() -> DataStoreInput:
    return DataStoreInput(type_="qix-datafiles", technical_name="t")


async def write(qlik: QlikClient, method: str) -> object:
    if method == "POST":
        return await qlik.data_stores.create_data_store(body=new_store())
    if method == "PUT":
        return await qlik.data_stores.update_data_store("ds-1", body=new_store())
    return await qlik.data_stores.patch_data_store("ds-1", body=[JsonPatch(op="replace", path="/name")])


@pytest.mark.parametrize(
    ("method", "status"),
    [("POST", 307), ("POST", 308), ("PUT", 307), ("PUT", 301), ("PATCH", 302), ("PATCH", 308)],
)
async def test_a_redirect_that_would_resend_the_body_elsewhere_is_refused(
    hosts: tuple[Host, Host], method: str, status: int
) -> None:
    home, elsewhere = hosts
    home.answer = redirect(status, f"{elsewhere.url}/steal")
    async with QlikClient(home.url, token="secret-token", retry=RetryPolicy(max_attempts=3)) as qlik:
        with pytest.raises(RedirectError) as caught:
            await write(qlik, method)
    assert elsewhere.seen == []  # nothing at all reached the other host
    assert len(home.seen) == 1  # and the refused redirect was not retried
    assert caught.value.location == f"{elsewhere.url}/steal"
    assert "was not re-sent" in str(caught.value) and "secret-token" not in str(caught.value)


async def test_a_same_origin_307_resends_the_body_with_the_token(hosts: tuple[Host, Host]) -> None:
    home, _ = hosts
    home.answer = redirect(307, f"{home.url}/api/v1/data-stores-moved")
    async with QlikClient(home.url, token="secret-token") as qlik:
        created = await qlik.data_stores.create_data_store(body=new_store())
    assert created.id == "ds-1"
    first, second = home.seen
    assert (first[0], second[0]) == ("POST", "POST") and second[1] == "/api/v1/data-stores-moved"
    assert second[2] == first[2] and b"qix-datafiles" in second[2]
    assert second[3] == "Bearer secret-token"


async def test_a_posts_302_elsewhere_becomes_a_get_without_body_or_token(hosts: tuple[Host, Host]) -> None:
    # aiohttp turns a POST's 301/302 (and any 303) into a GET without a body: nothing to protect.
    home, elsewhere = hosts
    home.answer = redirect(302, f"{elsewhere.url}/result")
    async with QlikClient(home.url, token="secret-token") as qlik:
        with pytest.raises(UnexpectedStatusError):  # the GET's 200 is not a documented answer to a create
            await qlik.data_stores.create_data_store(body=new_store())
    assert elsewhere.seen == [("GET", "/result", b"", None)]


async def test_a_get_follows_a_redirect_elsewhere_without_the_token(hosts: tuple[Host, Host]) -> None:
    home, elsewhere = hosts  # result files may be served from a storage host
    home.answer = redirect(307, f"{elsewhere.url}/files/ds-1")
    async with QlikClient(home.url, token="secret-token") as qlik:
        found = await qlik.data_stores.get_data_store("ds-1")
    assert found.id == "ds-1"
    assert home.seen[0][3] == "Bearer secret-token"
    assert elsewhere.seen == [("GET", "/files/ds-1", b"", None)]


async def test_a_token_provider_token_stays_home_too(hosts: tuple[Host, Host]) -> None:
    home, elsewhere = hosts
    home.answer = redirect(302, f"{elsewhere.url}/files/ds-1")

    async def provider() -> str:
        return "rotating-token"

    async with QlikClient(home.url, token_provider=provider) as qlik:
        await qlik.data_stores.get_data_store("ds-1")
    assert home.seen[0][3] == "Bearer rotating-token"
    assert elsewhere.seen[0][3] is None
