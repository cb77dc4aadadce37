"""The client core: one aiohttp session and the pipeline every request goes through.

    Api.method(...)                        generated: build_request + parse_response, one hop
      -> BaseClient.call / call_raw        parse the body read by exchange
      -> exchange: a short loop            per attempt: a tier slot (limits.py), one aiohttp request,
                                           the failure's kind and delay (retry.py), its error (errors.py)

QlikClient and DataRobotClient (qlik.py, datarobot.py) add their generated APIs on top; paging,
jobs, files and bulk runs (pages.py, jobs.py, files.py, bulk.py) are built from ``send`` and
``exchange``.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import platform
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from ssl import SSLContext
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, Self, TypedDict, TypeVar, Unpack, overload

import aiohttp
from aiohttp import hdrs
from aiohttp.client_middlewares import ClientHandlerType
from yarl import URL

from . import __version__
from . import _constants as const
from ._wire import UNSET, JobStarter, Operation, RawResponse, Request, Response, parse_body
from .auth import Credential, TokenProvider, TokenSource
from .errors import (
    AioAutoMLError,
    ClientStateError,
    InvalidRequestError,
    RedirectError,
    make_connection_error,
    make_status_error,
)
from .limits import LOCAL_STORE, RateStore, Tier, TierKey, TierLimit, TierStats
from .retry import (
    FailureKind,
    RetryPolicy,
    classify_exception,
    classify_status,
    parse_retry_after,
    retry_delay,
    waits_too_long,
)

if TYPE_CHECKING:  # imported lazily at run time: `import aioautoml` stays light
    from .bulk import Bulk
    from .files import Download
    from .jobs import Job
    from .pages import ListBody, Paginator

__all__ = ["BaseClient", "ClientKeywords", "ClientOptions"]

log = logging.getLogger("aioautoml")

T = TypeVar("T")
P = ParamSpec("P")
ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")

USER_AGENT = f"aioautoml/{__version__} aiohttp/{aiohttp.__version__} python/{platform.python_version()}"


class ClientKeywords(TypedDict, total=False):
    """The clients' keywords besides the URL and the credential (``from_env`` passes them on)."""

    rate_key: str | None
    limits: Mapping[str, TierLimit] | None
    pacing: bool
    rate_store: RateStore | str | None
    retry: RetryPolicy | None
    timeout: float | aiohttp.ClientTimeout | None
    connection_limit: int
    proxy: str | URL | None
    trust_env: bool
    ssl: bool | SSLContext
    trace_configs: Sequence[aiohttp.TraceConfig] | None
    headers: Mapping[str, str] | None


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """What ``with_options`` can change for a view of the client."""

    timeout: aiohttp.ClientTimeout = const.DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(slots=True)
class _Failure:
    """An attempt that did not give a usable response: what kind, and the error to raise."""

    kind: FailureKind
    error: AioAutoMLError
    retry_after: float | None = None
    token: str | None = None  # the token a 401 refused


class _CrossOriginBody(Exception):  # an internal signal: never escapes _attempt
    def __init__(self, location: URL) -> None:
        self.location = location


class _RedirectGuard:
    """An aiohttp middleware for requests with a body only (a middleware costs on every hop).

    aiohttp re-sends a body on a 307/308, and on a 301/302 for methods other than POST, wherever
    the redirect points: a hop that leaves the client's origin with a body is stopped before it
    is sent. (A 303, or a POST's 301/302, becomes a GET without a body, which may go on.)
    """

    __slots__ = ("_origin",)

    def __init__(self, origin: URL) -> None:
        self._origin = origin

    async def __call__(self, request: aiohttp.ClientRequest, handler: ClientHandlerType) -> aiohttp.ClientResponse:
        if request.body and request.url.origin() != self._origin:
            raise _CrossOriginBody(request.url)
        return await handler(request)


class _State:
    """What every view of one client shares: its settings, session, credential, tiers and close()."""

    def __init__(
        self,
        base: str,
        credential: Credential,
        store: RateStore,
        *,
        limits: dict[str, TierLimit],
        pacing: bool,
        rate_key: str | None,
        connection_limit: int,
        proxy: str | URL | None,
        trust_env: bool,
        ssl: bool | SSLContext,
        trace_configs: list[aiohttp.TraceConfig],
        headers: dict[str, str],
    ) -> None:
        self.base = base
        self.origin = URL(base).origin()
        self.credential = credential
        self.store = store
        self.owns_store = False  # a store the caller passed in is the caller's to close
        self.limits = limits
        self.pacing = pacing
        self.rate_key = rate_key
        self.connection_limit = connection_limit
        self.proxy = proxy
        self.trust_env = trust_env
        self.ssl = ssl
        self.trace_configs = trace_configs
        self.headers = headers
        self.redirect_guard = (_RedirectGuard(self.origin),)
        self.session: aiohttp.ClientSession | None = None
        self.loop: asyncio.AbstractEventLoop | None = None  # the session's: set when it is made
        self.tiers: dict[str, Tier] = {}
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()
        self.closing = False


class BaseClient:
    """One origin, one credential, one aiohttp session; see QlikClient and DataRobotClient.

    A client is three references: the state its views share, its own options, its own API objects.
    """

    __slots__ = ("_apis", "_options", "_state")

    _default_tier: ClassVar[str] = const.DATAROBOT_DEFAULT_BUCKET
    _tier_names: ClassVar[frozenset[str]] = frozenset({const.DATAROBOT_DEFAULT_BUCKET})

    # Exactly one credential: a token, or a provider / token source. The overloads let a type
    # checker refuse neither, both, token=None, and any misspelt keyword.
    @overload
    def __init__(self, base_url: str | URL, *, token: str, **options: Unpack[ClientKeywords]) -> None: ...
    @overload
    def __init__(
        self, base_url: str | URL, *, token_provider: TokenProvider | TokenSource, **options: Unpack[ClientKeywords]
    ) -> None: ...

    def __init__(
        self,
        base_url: str | URL,
        *,
        token: str | None = None,
        token_provider: TokenProvider | TokenSource | None = None,
        rate_key: str | None = None,
        limits: Mapping[str, TierLimit] | None = None,
        pacing: bool = True,
        rate_store: RateStore | str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | aiohttp.ClientTimeout | None = None,
        connection_limit: int = const.DEFAULT_CONNECTION_LIMIT,
        proxy: str | URL | None = None,
        trust_env: bool = False,
        ssl: bool | SSLContext = True,
        trace_configs: Sequence[aiohttp.TraceConfig] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        url = self._normalize_base_url(URL(str(base_url)))
        unknown = set(limits or ()) - self._tier_names
        if unknown:
            raise InvalidRequestError(
                f"unknown rate tier(s) {sorted(unknown)}; this client has {sorted(self._tier_names)}"
            )
        credential = Credential(token=token, provider=token_provider)
        session_headers = {hdrs.USER_AGENT: USER_AGENT, **(headers or {})}
        if credential.header is not None:  # a static token: sent by the session, set once
            session_headers[hdrs.AUTHORIZATION] = credential.header
        store = _rate_store(rate_store)
        self._state = _State(
            str(url).rstrip("/"),
            credential,
            store,
            limits=dict(limits or {}),
            pacing=pacing,
            rate_key=rate_key,
            connection_limit=connection_limit,
            proxy=proxy,
            trust_env=trust_env,
            ssl=ssl,
            trace_configs=list(trace_configs or []),
            headers=session_headers,
        )
        self._state.owns_store = isinstance(rate_store, str)  # made here from a URL: closed with the client
        self._options = ClientOptions(
            timeout=_as_timeout(timeout) if timeout is not None else const.DEFAULT_TIMEOUT,
            retry=retry or RetryPolicy(),
        )
        self._apis: dict[str, Any] = {}

    @classmethod
    def _normalize_base_url(cls, url: URL) -> URL:
        if not url.is_absolute() or url.scheme not in ("http", "https") or url.query_string or url.fragment:
            raise InvalidRequestError(f"base_url must be an http(s) URL without query or fragment, not {str(url)!r}")
        return url

    # -- lifetime ---------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._session()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Wait for the requests in flight, then close the session. Later requests raise."""
        state = self._state
        state.closing = True
        await state.idle.wait()
        if state.session is not None:
            await state.session.close()
        await state.credential.aclose()
        if state.owns_store:
            await state.store.aclose()

    @property
    def origin(self) -> URL:
        """Scheme, host and port: the only place this client sends its token."""
        return self._state.origin

    @property
    def closed(self) -> bool:
        return self._state.closing

    def with_options(
        self, *, timeout: float | aiohttp.ClientTimeout | None = None, retry: RetryPolicy | None = None
    ) -> Self:
        """A view of this client (same session, pacing and counters) with other per-call options."""
        view = copy.copy(self)  # the same _state (settings, session, credential, tiers, counters)
        view._options = ClientOptions(
            timeout=_as_timeout(timeout) if timeout is not None else self._options.timeout,
            retry=retry or self._options.retry,
        )
        view._apis = {}
        return view

    def _session(self) -> aiohttp.ClientSession:
        state = self._state
        if state.closing:
            raise ClientStateError("this client is closed")
        if state.session is not None:
            if state.loop is not asyncio.get_running_loop():
                raise ClientStateError(
                    "this client's connections belong to the event loop it was first used in, not this one:"
                    " make a client per event loop (per asyncio.run), in `async with`"
                )
            return state.session
        # Made on first use, in the loop that uses it: aiohttp's connections are bound to it.
        state.loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(
            limit=self._state.connection_limit, ttl_dns_cache=const.DNS_CACHE_SECONDS, ssl=self._state.ssl
        )
        state.session = aiohttp.ClientSession(
            connector=connector,
            headers=self._state.headers,
            timeout=self._options.timeout,
            trust_env=self._state.trust_env,
            trace_configs=self._state.trace_configs or None,
        )
        _one_retry_layer(state.session)
        return state.session

    # -- rate tiers ---------------------------------------------------------------------------

    def _tier(self, operation: Operation) -> Tier:
        name = operation.tier or self._default_tier
        tier = self._state.tiers.get(name)
        if tier is None:
            tier = self._state.tiers[name] = self._make_tier(name, operation)
        return tier

    def _make_tier(self, name: str, operation: Operation) -> Tier:
        limit = self._state.limits.get(name) or self._default_limit(operation)
        identity = (
            f"key:{self._state.rate_key}" if self._state.rate_key is not None else self._state.credential.identity
        )
        if not self._state.pacing:  # unpaced clients share only the 429 pause, never a bucket with paced ones
            identity, limit = f"{identity}:unpaced", TierLimit(None, max_in_flight=limit.max_in_flight)
        # The pacer is looked up (and a conflicting limit refused) before any slot is taken.
        pacer = self._state.store.pacer(TierKey(str(self._state.origin), identity, name), limit)
        return Tier(name, limit, pacer, capped=self._state.pacing)

    def _default_limit(self, operation: Operation) -> TierLimit:
        return TierLimit(per_minute=operation.rate_limit)

    @property
    def stats(self) -> dict[str, TierStats]:
        """Counters per rate tier (requests, 429s, retries, waits, probes) since the client was made."""
        return {name: tier.stats for name, tier in sorted(self._state.tiers.items())}

    # -- the pipeline ---------------------------------------------------------------------------

    async def call(self, request: Request, parse: Callable[[RawResponse], T]) -> T:
        """Send a request built by a generated endpoint; return its parsed body."""
        return parse_body(await self.exchange(request), parse)

    async def call_raw(self, request: Request, parse: Callable[[RawResponse], T]) -> Response[T]:
        """Send a request built by a generated endpoint; return status, headers and parsed body."""
        return Response.from_raw(await self.exchange(request), parse)

    async def send(self, request: Request) -> RawResponse:
        """Send a request; return the response with its body read."""
        return await self.exchange(request)

    @overload
    async def exchange(self, request: Request, consume: None = None) -> RawResponse: ...
    @overload
    async def exchange(self, request: Request, consume: Callable[[aiohttp.ClientResponse], Awaitable[T]]) -> T: ...

    async def exchange(
        self, request: Request, consume: Callable[[aiohttp.ClientResponse], Awaitable[T]] | None = None
    ) -> Any:
        """Send ``request`` with pacing and retries; return its body read (a RawResponse), or what
        ``consume`` makes of a 2xx/3xx response.

        ``consume`` runs inside the attempt: a body cut short is retried like a dropped
        connection (idempotent operations only), so it must start from scratch each time.
        """
        operation = request.operation
        session = self._session()  # raises once closed
        url = self.url_for(request.path)
        tier = self._tier(operation)
        policy = self._options.retry
        state = self._state
        state.in_flight += 1
        state.idle.clear()
        try:
            attempt = 0
            refreshed = False
            while True:
                attempt += 1
                async with tier.slot() as slot:
                    outcome = await self._attempt(session, request, url, consume)
                    if type(outcome) is not _Failure:
                        return outcome
                    kind = outcome.kind
                    if kind is FailureKind.UNAUTHORIZED and not refreshed and outcome.token is not None:
                        # One refresh of the credential and one resend: a 401 was refused before acting.
                        refreshed = True
                        retry_in: float | None = 0.0 if await state.credential.refresh(outcome.token) else None
                        attempt -= 1  # a refused token is not a failed attempt
                    else:
                        retry_in = retry_delay(
                            policy, kind, idempotent=operation.idempotent, attempt=attempt,
                            retry_after=outcome.retry_after,
                        )  # fmt: skip
                    slot.failed(kind, retry_in)
                if retry_in is None:
                    if waits_too_long(policy, outcome.retry_after) and (
                        retry_delay(policy, kind, idempotent=operation.idempotent, attempt=attempt) is not None
                    ):  # the server's wait alone kept it from a retry
                        outcome.error.add_note(  # shown in the traceback: why a retryable status was not retried
                            f"Not retried: its Retry-After ({outcome.retry_after:g} s) is longer than"
                            f" RetryPolicy.max_retry_after ({policy.max_retry_after:g} s)."
                        )
                    raise outcome.error
                log.debug(
                    "%s %s: %s (attempt %d of %d); retrying in %.2fs",
                    request.method, url.with_query(None), kind.value, attempt, policy.max_attempts, retry_in,
                )  # fmt: skip
                if kind is not FailureKind.RATE_LIMITED and retry_in > 0:
                    await asyncio.sleep(retry_in)  # a 429's wait is the tier's pause, taken in the next slot
        finally:
            state.in_flight -= 1
            if state.in_flight == 0:
                state.idle.set()

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        request: Request,
        url: URL,
        consume: Callable[[aiohttp.ClientResponse], Awaitable[T]] | None,
    ) -> Any:
        """One request on the wire: its body read (or consumed), or a _Failure."""
        operation = request.operation
        method = request.method
        credential = self._state.credential
        token = None
        if not credential.static:
            token = await credential.token()
            request.headers = {**(request.headers or {}), hdrs.AUTHORIZATION: f"Bearer {token}"}
        kwargs = self._request_kwargs(session, request, operation)
        try:
            async with session.request(method, url, **kwargs) as response:
                status = response.status
                if status >= 400:
                    content = await response.read()
                    return self._status_failure(operation, response, content, token)
                try:
                    if consume is None:
                        content = await response.read()
                        return RawResponse(status, response.headers, content, method, response.url)
                    return await consume(response)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    # The server answered but the body was cut short: it acted on the request.
                    return self._connection_failure(FailureKind.DROPPED, exc, operation, url)
        except _CrossOriginBody as refused:
            return _Failure(FailureKind.FINAL, RedirectError(method, str(url), str(refused.location)))
        except (aiohttp.ClientError, TimeoutError) as exc:
            return self._connection_failure(classify_exception(exc), exc, operation, url)

    def _request_kwargs(self, session: aiohttp.ClientSession, request: Request, operation: Operation) -> dict[str, Any]:
        """aiohttp's arguments for a request: only those that differ from the session's defaults
        (every keyword passes through two layers of **kwargs in aiohttp: fewer cost less)."""
        kwargs = _body_kwargs(request)
        if kwargs and operation.follows_redirects:
            kwargs["middlewares"] = self._state.redirect_guard
        if request.query:
            kwargs["params"] = request.query
        if request.headers:
            kwargs["headers"] = request.headers
        if not operation.follows_redirects:
            kwargs["allow_redirects"] = False
        if self._options.timeout is not session.timeout:
            kwargs["timeout"] = self._options.timeout
        if self._state.proxy is not None:
            kwargs["proxy"] = self._state.proxy
        return kwargs

    def _connection_failure(self, kind: FailureKind, exc: BaseException, operation: Operation, url: URL) -> _Failure:
        not_sent = kind is FailureKind.NOT_SENT
        unknown = not not_sent and kind is not FailureKind.FINAL and not operation.idempotent
        return _Failure(
            kind, make_connection_error(exc, operation.method, str(url), not_sent=not_sent, outcome_unknown=unknown)
        )

    def _status_failure(
        self, operation: Operation, response: aiohttp.ClientResponse, content: bytes, token: str | None
    ) -> _Failure:
        status = response.status
        retry_after = parse_retry_after(response.headers.get(hdrs.RETRY_AFTER))
        error = make_status_error(
            status,
            response.method.upper(),
            str(response.url),
            headers=response.headers,
            content=content,
            outcome_unknown=status >= 500 and not operation.idempotent,
            retry_after=retry_after,
            tier=operation.tier or self._default_tier,
        )
        return _Failure(classify_status(status), error, retry_after, token)

    def url_for(self, path: str) -> URL:
        """The absolute URL of an encoded path, or of a link; never one on another origin."""
        if path.startswith(("http://", "https://")):
            url = URL(path, encoded=True)
            if url.origin() != self._state.origin:
                raise InvalidRequestError(
                    f"refusing to send a request (and its token) to another origin: {url.origin()}"
                )
            return url
        if not path.startswith("/"):
            raise InvalidRequestError(f"a request path must start with '/': {path!r}")
        return URL(self._state.base + path, encoded=True)

    def _api(self, package: str) -> Any:
        """The generated package's API object, bound to this client view (imported on first use)."""
        api = self._apis.get(package)
        if api is None:
            import importlib

            module = importlib.import_module(f"aioautoml._generated.{package}.api")
            api = self._apis[package] = module.Api(self)
        return api

    # -- built on send: paging, jobs, files, bulk -------------------------------------------------

    def paginate(
        self, operation: Callable[P, Awaitable[ListBody[ItemT]]], /, *args: P.args, **kwargs: P.kwargs
    ) -> Paginator[ItemT]:
        """Iterate a list operation's items (``async for``) or pages (``.pages()``)."""
        from .pages import Paginator

        return Paginator(self, operation, args, kwargs)

    async def start(self, operation: JobStarter[P, Any, ResultT], /, *args: P.args, **kwargs: P.kwargs) -> Job[ResultT]:
        """Call an operation that starts long-running work; return a Job to wait on.

        ``operation`` is one the spec marks as starting work (``qlik.ml.predict_batch_prediction``,
        ``datarobot.models.create_model``, ...); ``await job`` gives what the work ends on, typed.
        """
        from .jobs import start_job

        return await start_job(self, operation, args, kwargs)

    async def download(
        self,
        destination: str | Path,
        operation: Callable[P, Awaitable[Any]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Download:
        """Stream a file-returning operation's body to ``destination`` in constant memory."""
        from .files import download

        if not isinstance(destination, (str, os.PathLike)):
            raise InvalidRequestError(f"download: destination must be a path, not {type(destination).__name__}")
        return await download(self, Path(destination), operation, args, kwargs)

    def stream(
        self, operation: Callable[P, Awaitable[Any]], /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncIterator[bytes]:
        """The body of a file-returning operation as an async iterator of chunks."""
        from .files import iter_chunks

        return iter_chunks(self, operation, args, kwargs)

    def bulk(
        self,
        operation: Callable[..., Awaitable[T]],
        inputs: Iterable[Any] | AsyncIterator[Any],
        *,
        concurrency: int = const.DEFAULT_BULK_CONCURRENCY,
        ordered: bool = True,
        progress: bool | str = False,
    ) -> Bulk[T]:
        """Run ``operation`` once per input with bounded concurrency; see aioautoml.bulk."""
        from .bulk import Bulk

        return Bulk(operation, inputs, concurrency=concurrency, ordered=ordered, progress=progress)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._state.base} {self._state.credential!r}>"


def _one_retry_layer(session: aiohttp.ClientSession) -> None:
    """Switch off aiohttp's own resend of an idempotent request on a dropped pooled connection.

    Unseen by retry.py, its counters and its logging, it would make two retry layers. The switch
    is private (``ClientSession._retry_connection``, aiohttp 3.10+) and setting an unknown attribute
    only warns in debug mode, so it is kept here alone and tested by behaviour: a dropped pooled
    connection on a GET reaches the server exactly as often as our retry layer tries.
    """
    session._retry_connection = False


def _rate_store(store: RateStore | str | None) -> RateStore:
    if store is None:
        return LOCAL_STORE
    if isinstance(store, str):  # a URL: the Redis store, imported only when asked for
        from .redis_store import RedisStore

        return RedisStore(store)
    return store


def _as_timeout(timeout: float | aiohttp.ClientTimeout) -> aiohttp.ClientTimeout:
    if isinstance(timeout, aiohttp.ClientTimeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise InvalidRequestError(f"timeout must be a positive number of seconds or a ClientTimeout, not {timeout!r}")
    return aiohttp.ClientTimeout(total=timeout, connect=const.DEFAULT_TIMEOUT.connect)


def _body_kwargs(request: Request) -> dict[str, Any]:
    if request.json is not UNSET:
        return {"json": request.json}
    if request.files is not None:
        form = aiohttp.FormData()
        for name, part in request.files:
            file_name, content, content_type = part[0], part[1], part[2]
            if file_name is None and isinstance(content, bytes) and content_type in ("text/plain", "application/json"):
                form.add_field(name, content.decode(), content_type=content_type)  # a plain field
            else:  # a file part needs a file name: the field's, when the caller gave none
                form.add_field(name, content, filename=file_name or name, content_type=content_type)
        return {"data": form}
    if request.data is not UNSET:
        return {"data": request.data}
    if request.content is not None:
        return {"data": request.content}
    return {}
