"""OAuth2 client credentials against a loopback token endpoint (and one API path that checks tokens)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote_plus

import aiohttp
import pytest
from aiohttp import web

from aioautoml import (
    APIConnectionError,
    APITimeoutError,
    ClientCredentials,
    InvalidRequestError,
    OAuthError,
    QlikClient,
    RetryPolicy,
)
from aioautoml.auth import TokenSource

CLIENT_ID = "client-7f3a"
SECRET = "s3cr3t:with+odd&chars=="  # ':' and '+' show the form encoding inside HTTP Basic
DEPLOYMENT = "c35f4b70-3ce4-4a30-b62b-2aef16943bc4"
FAST = RetryPolicy(max_attempts=3, backoff_base=0, backoff_max=0, max_retry_after=1)

# An answer queued on the token endpoint: (status, JSON body or raw bytes, headers), or what to do instead.
Answer = tuple[int, Any, dict[str, str]] | Literal["drop", "hang"]


@dataclass
class Exchange:
    """One request the token endpoint received, as it received it."""

    content_type: str
    body: dict[str, Any]
    authorization: str | None


@dataclass
class TokenServer:
    """A Qlik tenant on 127.0.0.1: ``POST /oauth/token`` issues ``access-1``, ``access-2``, ... to
    ``CLIENT_ID``/``SECRET`` (in the body or by HTTP Basic), and the getDeployment path accepts
    only tokens in ``valid`` (401 otherwise)."""

    expires_in: float | None = 3600
    answers: list[Answer] = field(default_factory=list)  # consumed first, one per exchange
    exchanges: list[Exchange] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    valid: set[str] = field(default_factory=set)
    api_statuses: list[int] = field(default_factory=list)
    hold: asyncio.Event | None = None  # when set, exchanges wait for it
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/oauth/token", self._token)
        app.router.add_get("/api/v1/ml/deployments/{deploymentId}", self._deployment)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    def revoke(self) -> None:
        self.valid.clear()

    async def _token(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        if request.content_type == "application/json":
            body = json.loads(raw)
        else:
            body = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        authorization = request.headers.get("Authorization")
        self.exchanges.append(Exchange(request.content_type, body, authorization))
        self.arrived.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.answers:
            answer = self.answers.pop(0)
            if answer == "drop":
                assert request.transport is not None
                request.transport.abort()
                return web.Response(status=599)  # never sent
            if answer == "hang":
                await asyncio.Event().wait()  # until the client gives up and the handler is cancelled
            assert not isinstance(answer, str)
            status, payload, headers = answer
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            return web.Response(status=status, body=data, headers=headers, content_type="application/json")
        client_id, secret = body.get("client_id"), body.get("client_secret")
        if authorization is not None and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = (unquote_plus(part) for part in decoded.partition(":"))
        if body.get("grant_type") != "client_credentials" or (client_id, secret) != (CLIENT_ID, SECRET):
            return web.json_response({"error": "invalid_client", "error_description": "unknown client"}, status=401)
        token = f"access-{len(self.issued) + 1}"
        self.issued.append(token)
        self.valid.add(token)
        answer_body: dict[str, Any] = {"access_token": token, "token_type": "bearer", "ignored": "extra"}
        if self.expires_in is not None:
            answer_body["expires_in"] = self.expires_in
        return web.json_response(answer_body)

    async def _deployment(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid:
            self.api_statuses.append(401)
            return web.json_response({"errors": [{"code": "AUTH-1", "title": "Unauthorized"}]}, status=401)
        self.api_statuses.append(200)
        deployment_id = request.match_info["deploymentId"]
        attributes = {"id": deployment_id, "name": "Deployment", "modelId": DEPLOYMENT, "enablePredictions": True}
        return web.json_response({"data": {"id": deployment_id, "type": "deployment", "attributes": attributes}})


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def server() -> AsyncIterator[TokenServer]:
    running = TokenServer()
    await running.start()
    yield running
    await running.close()


Make = Callable[..., ClientCredentials]


@pytest.fixture
async def make(server: TokenServer) -> AsyncIterator[Make]:
    made: list[ClientCredentials] = []

    def factory(**kwargs: Any) -> ClientCredentials:
        kwargs.setdefault("retry", FAST)
        credentials = ClientCredentials(kwargs.pop("tenant_url", server.url), CLIENT_ID, SECRET, **kwargs)
        made.append(credentials)
        return credentials

    yield factory
    for credentials in made:
        await credentials.aclose()


# -- encodings -------------------------------------------------------------------------------------


async def test_the_default_is_a_json_body_as_qlik_documents_it(server: TokenServer, make: Make) -> None:
    credentials = make()
    assert isinstance(credentials, TokenSource)
    assert await credentials.token() == "access-1"
    (exchange,) = server.exchanges
    assert exchange.content_type == "application/json"
    assert exchange.body == {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}
    assert exchange.authorization is None
    assert credentials.token_url == f"{server.url}/oauth/token"


async def test_a_form_body_carries_the_client_in_the_body(server: TokenServer, make: Make) -> None:
    assert await make(encoding="form").token() == "access-1"
    (exchange,) = server.exchanges
    assert exchange.content_type == "application/x-www-form-urlencoded"
    assert exchange.body == {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}
    assert exchange.authorization is None


async def test_a_form_body_with_http_basic_keeps_the_secret_out_of_the_body(server: TokenServer, make: Make) -> None:
    assert await make(encoding="form", client_auth="basic").token() == "access-1"
    (exchange,) = server.exchanges
    assert exchange.content_type == "application/x-www-form-urlencoded"
    assert exchange.body == {"grant_type": "client_credentials"}
    assert exchange.authorization is not None
    decoded = base64.b64decode(exchange.authorization.removeprefix("Basic ")).decode()
    # RFC 6749 section 2.3.1: each part form-encoded before joining ("+" -> %2B, ":" -> %3A).
    assert decoded == "client-7f3a:s3cr3t%3Awith%2Bodd%26chars%3D%3D"


def test_basic_client_auth_goes_with_the_form_encoding_only() -> None:
    with pytest.raises(InvalidRequestError, match="encoding='form'"):
        ClientCredentials("https://tenant.example.com", CLIENT_ID, SECRET, client_auth="basic")


@pytest.mark.parametrize("encoding", ["json", "form"])
async def test_the_scope_is_sent_space_separated(server: TokenServer, make: Make, encoding: str) -> None:
    await make(encoding=encoding, scope=["user_default", "admin_classic"]).token()
    assert server.exchanges[0].body["scope"] == "user_default admin_classic"


async def test_no_scope_sends_no_scope_field(server: TokenServer, make: Make) -> None:
    await make(scope=None).token()
    assert "scope" not in server.exchanges[0].body


# -- caching, expiry, single flight ----------------------------------------------------------------


async def test_the_token_is_cached(server: TokenServer, make: Make) -> None:
    credentials = make()
    assert [await credentials.token() for _ in range(5)] == ["access-1"] * 5
    assert len(server.exchanges) == 1


@pytest.mark.parametrize(
    ("expires_in", "renews_after"),
    [(3600, 3240), (300, 240), (100, 50), (10, 5)],  # 10% or 60 s early, whichever is earlier; at most half
)
async def test_the_token_is_renewed_shortly_before_it_expires(
    server: TokenServer, make: Make, expires_in: float, renews_after: float
) -> None:
    server.expires_in = expires_in
    clock = Clock()
    credentials = make(clock=clock)
    start = clock.now
    assert await credentials.token() == "access-1"
    clock.now = start + renews_after - 0.01
    assert await credentials.token() == "access-1"
    assert len(server.exchanges) == 1
    clock.now = start + renews_after
    assert await credentials.token() == "access-2"
    assert len(server.exchanges) == 2


async def test_a_token_without_expires_in_is_kept_until_a_401(server: TokenServer, make: Make) -> None:
    server.expires_in = None
    clock = Clock()
    credentials = make(clock=clock)
    assert await credentials.token() == "access-1"
    clock.now += 10**9
    assert await credentials.token() == "access-1"
    assert await credentials.refresh("access-1") == "access-2"
    assert len(server.exchanges) == 2


async def test_fifty_concurrent_waiters_share_one_exchange(server: TokenServer, make: Make) -> None:
    server.hold = asyncio.Event()
    credentials = make()
    waiters = [asyncio.create_task(credentials.token()) for _ in range(50)]
    await server.arrived.wait()  # the first exchange is at the server; every waiter has asked by now
    server.hold.set()
    assert await asyncio.gather(*waiters) == ["access-1"] * 50
    assert len(server.exchanges) == 1


async def test_refresh_exchanges_only_for_the_token_still_cached(server: TokenServer, make: Make) -> None:
    credentials = make()
    assert await credentials.token() == "access-1"
    assert await credentials.refresh("access-1") == "access-2"
    assert await credentials.refresh("access-1") == "access-2"  # already replaced: reused
    assert len(server.exchanges) == 2


async def test_a_failed_early_renewal_keeps_the_valid_token(
    server: TokenServer, make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    server.expires_in = 100
    clock = Clock()
    credentials = make(clock=clock)
    start = clock.now
    assert await credentials.token() == "access-1"
    clock.now = start + 60  # past the renewal point (50), before expiry (100)
    server.answers = [(503, {"error": "temporarily_unavailable"}, {})] * 3
    with caplog.at_level(logging.WARNING, logger="aioautoml"):
        assert await credentials.token() == "access-1"
    assert "renewing the access token failed" in caplog.text
    assert len(server.exchanges) == 4  # the first, then three attempts
    assert await credentials.token() == "access-1"  # the next try waits a few seconds
    assert len(server.exchanges) == 4
    clock.now = start + 100  # expired: a failure now raises
    server.answers = [(503, {"error": "temporarily_unavailable"}, {})] * 3
    with pytest.raises(OAuthError) as raised:
        await credentials.token()
    assert raised.value.status == 503
    assert await credentials.token() == "access-2"


async def test_an_early_renewal_refused_by_the_endpoint_raises(server: TokenServer, make: Make) -> None:
    server.expires_in = 100
    clock = Clock()
    credentials = make(clock=clock)
    await credentials.token()
    clock.now += 60
    server.answers = [(400, {"error": "invalid_client"}, {})]
    with pytest.raises(OAuthError, match="invalid_client"):
        await credentials.token()


# -- with a QlikClient -----------------------------------------------------------------------------


async def test_the_client_sends_the_current_token_and_renews_it_before_use(server: TokenServer, make: Make) -> None:
    server.expires_in = 100
    clock = Clock()
    credentials = make(clock=clock)
    async with QlikClient(server.url, token_provider=credentials) as qlik:
        deployment = await qlik.ml.get_deployment(DEPLOYMENT)
        assert deployment.data.id == DEPLOYMENT
        clock.now += 50
        server.revoke()  # access-1 would now be refused: the client must not send it
        await qlik.ml.get_deployment(DEPLOYMENT)
    assert server.api_statuses == [200, 200]
    assert server.issued == ["access-1", "access-2"]


async def test_a_401_makes_exactly_one_exchange_and_one_resend(server: TokenServer, make: Make) -> None:
    credentials = make()
    async with QlikClient(server.url, token_provider=credentials) as qlik:
        await qlik.ml.get_deployment(DEPLOYMENT)
        server.revoke()
        deployment = await qlik.ml.get_deployment(DEPLOYMENT)
    assert deployment.data.id == DEPLOYMENT
    assert server.api_statuses == [200, 401, 200]
    assert len(server.exchanges) == 2


async def test_concurrent_401s_share_one_exchange(server: TokenServer, make: Make) -> None:
    credentials = make()
    async with QlikClient(server.url, token_provider=credentials) as qlik:
        await qlik.ml.get_deployment(DEPLOYMENT)
        server.revoke()
        await asyncio.gather(*(qlik.ml.get_deployment(DEPLOYMENT) for _ in range(10)))
    assert len(server.exchanges) == 2
    assert server.api_statuses.count(200) == 11


async def test_closing_the_client_closes_the_token_session(server: TokenServer, make: Make) -> None:
    credentials = make()
    async with QlikClient(server.url, token_provider=credentials) as qlik:
        await qlik.ml.get_deployment(DEPLOYMENT)
        session = credentials._session
        assert session is not None and not session.closed
    assert session.closed


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "description"),
    [(400, "invalid_scope", "scope admin is not allowed"), (401, "invalid_client", "client authentication failed")],
)
async def test_an_oauth_error_answer_is_an_oauth_error(
    server: TokenServer, make: Make, status: int, code: str, description: str
) -> None:
    server.answers = [(status, {"error": code, "error_description": description}, {})]
    credentials = make()
    with pytest.raises(OAuthError) as raised:
        await credentials.token()
    error = raised.value
    assert (error.status, error.error, error.description, error.url) == (
        status,
        code,
        description,
        credentials.token_url,
    )
    assert credentials.token_url in str(error) and code in str(error) and description in str(error)
    assert len(server.exchanges) == 1  # a definite refusal is not retried


async def test_wrong_credentials_are_refused_by_the_endpoint(server: TokenServer) -> None:
    credentials = ClientCredentials(server.url, CLIENT_ID, "not-the-secret", retry=FAST)
    with pytest.raises(OAuthError, match="invalid_client") as raised:
        await credentials.token()
    await credentials.aclose()
    assert raised.value.status == 401
    assert "not-the-secret" not in str(raised.value)


async def test_a_qlik_style_error_body_gives_the_description(server: TokenServer, make: Make) -> None:
    server.answers = [(403, {"errors": [{"code": "OAUTH-3", "title": "Client disabled"}]}, {})]
    with pytest.raises(OAuthError) as raised:
        await make().token()
    assert (raised.value.status, raised.value.error) == (403, None)
    assert raised.value.description == "OAUTH-3: Client disabled"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<html>a login page</html>", "not a JSON object"),
        (b"[]", "not a JSON object"),
        ({"token": "leaked-value", "expires_in": 10}, "no access_token (its keys: expires_in, token)"),
        ({"access_token": "", "expires_in": 10}, "the answer's access_token is empty, not a non-empty string"),
        ({"access_token": 12345, "expires_in": 10}, "the answer's access_token is of type int, not a non-empty string"),
        ({"access_token": "mac-token", "token_type": "mac"}, "not a bearer token"),
    ],
)
async def test_a_malformed_success_answer_is_an_oauth_error(
    server: TokenServer, make: Make, body: Any, says: str
) -> None:
    server.answers = [(200, body, {})]
    with pytest.raises(OAuthError, match="200 answered") as raised:
        await make().token()
    assert says in str(raised.value)
    assert raised.value.status is None
    assert "leaked-value" not in str(raised.value) and "mac-token" not in str(raised.value)
    assert len(server.exchanges) == 1


@pytest.mark.parametrize(
    ("location", "says"),
    [
        ("https://elsewhere.example.com/oauth/token", "redirected to https://elsewhere.example.com;"),
        ("/login", "redirected;"),
    ],
)
async def test_a_redirect_is_not_followed(server: TokenServer, make: Make, location: str, says: str) -> None:
    server.answers = [(307, b"", {"Location": location})]
    with pytest.raises(OAuthError, match="not followed") as raised:
        await make().token()
    assert raised.value.status == 307
    assert says in str(raised.value)
    assert len(server.exchanges) == 1


# -- retries ---------------------------------------------------------------------------------------


async def test_5xx_and_429_are_retried(server: TokenServer, make: Make) -> None:
    server.answers = [(503, b"busy", {}), (429, {"error": "slow_down"}, {"Retry-After": "0"})]
    assert await make().token() == "access-1"
    assert len(server.exchanges) == 3


async def test_5xx_raises_after_the_last_attempt(server: TokenServer, make: Make) -> None:
    server.answers = [(500, b"oops", {})] * 3
    with pytest.raises(OAuthError) as raised:
        await make().token()
    assert raised.value.status == 500
    assert len(server.exchanges) == 3


async def test_a_dropped_connection_is_retried(server: TokenServer, make: Make) -> None:
    server.answers = ["drop"]
    assert await make().token() == "access-1"
    assert len(server.exchanges) == 2


async def test_a_timeout_is_retried_then_raised_as_a_timeout(server: TokenServer, make: Make) -> None:
    server.answers = ["hang"]
    assert await make(timeout=0.2).token() == "access-1"
    assert len(server.exchanges) == 2
    server.answers = ["hang", "hang"]
    credentials = make(timeout=0.2, retry=RetryPolicy(max_attempts=2, backoff_base=0))
    with pytest.raises(APITimeoutError):
        await credentials.token()


async def test_a_refused_connection_is_an_api_connection_error_after_bounded_retries() -> None:
    idle = TokenServer()
    await idle.start()
    url = idle.url
    await idle.close()  # nothing listens on that port any more
    attempts = 0

    async def on_request_start(*_: object) -> None:
        nonlocal attempts
        attempts += 1

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        credentials = ClientCredentials(url, CLIENT_ID, SECRET, session=session, retry=FAST)
        with pytest.raises(APIConnectionError) as raised:
            await credentials.token()
    assert not isinstance(raised.value, aiohttp.ClientError)
    assert "could not connect" in str(raised.value)
    assert SECRET not in str(raised.value)
    assert attempts == FAST.max_attempts


# -- secrets ---------------------------------------------------------------------------------------


async def test_the_secret_and_tokens_appear_in_no_repr_message_or_log(
    server: TokenServer, make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aioautoml")
    credentials = make(encoding="form", client_auth="basic")
    messages: list[str] = []
    server.answers = [(503, b"", {})]  # a retry, logged
    async with QlikClient(server.url, token_provider=credentials) as qlik:
        await qlik.ml.get_deployment(DEPLOYMENT)
        server.revoke()
        await qlik.ml.get_deployment(DEPLOYMENT)  # a 401 and a refresh, logged
        messages += [repr(qlik), repr(credentials)]
    server.answers = [(400, {"error": "invalid_request", "error_description": f"bad secret {SECRET}"}, {})]
    with pytest.raises(OAuthError) as raised:
        await credentials.refresh("access-2")
    messages.append(str(raised.value))
    assert "***" in str(raised.value)  # the echoed secret was scrubbed
    assert caplog.text and server.issued == ["access-1", "access-2"]
    basic = server.exchanges[0].authorization or ""
    for text in [*messages, caplog.text]:
        for secret in (SECRET, basic, *server.issued):
            assert secret not in text, text


# -- identity, lifetime, URLs ----------------------------------------------------------------------


async def test_identity_is_stable_across_refreshes_and_names_tenant_and_client(server: TokenServer, make: Make) -> None:
    credentials = make()
    before = credentials.identity
    await credentials.token()
    await credentials.refresh("access-1")
    assert credentials.identity == before
    expected = hashlib.sha256(f"{server.url}\n{CLIENT_ID}".encode()).hexdigest()[:16]
    assert before == expected
    assert make(tenant_url=server.url + "/").identity == before
    assert ClientCredentials(server.url, "another-client", SECRET).identity != before
    assert ClientCredentials("https://other.example.com", CLIENT_ID, SECRET).identity != before
    assert ClientCredentials(server.url, CLIENT_ID, "another-secret").identity == before  # the secret is not in it


async def test_aclose_closes_its_own_session_and_a_later_exchange_opens_another(
    server: TokenServer, make: Make
) -> None:
    credentials = make()
    await credentials.token()
    first = credentials._session
    assert first is not None and not first.closed
    await credentials.aclose()
    assert first.closed
    assert await credentials.refresh("access-1") == "access-2"
    assert credentials._session is not None and credentials._session is not first


async def test_aclose_leaves_a_session_passed_in_open(server: TokenServer) -> None:
    async with aiohttp.ClientSession() as session:
        credentials = ClientCredentials(server.url, CLIENT_ID, SECRET, session=session)
        assert await credentials.token() == "access-1"
        await credentials.aclose()
        assert not session.closed


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://tenant.example.com/api/v1", "origin only"),
        ("https://tenant.example.com/?x=1", "origin only"),
        ("tenant.example.com", "http(s) URL"),
        ("https://", "http(s) URL"),
        ("ftp://tenant.example.com", "http(s) URL"),
        ("http://tenant.example.com", "plain http"),
        ("https://user:pw@tenant.example.com", "user info"),
    ],
)
def test_a_tenant_url_that_is_not_an_origin_is_refused(url: str, says: str) -> None:
    with pytest.raises(InvalidRequestError, match=re.escape(says)) as raised:
        ClientCredentials(url, CLIENT_ID, SECRET)
    assert "pw" not in str(raised.value)


def test_a_trailing_slash_is_accepted() -> None:
    credentials = ClientCredentials("https://Tenant.example.com/", CLIENT_ID, SECRET)
    assert credentials.token_url == "https://tenant.example.com/oauth/token"
