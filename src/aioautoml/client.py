"""The client core: one aiohttp session and the pipeline every request goes through.

    Request (built by a generated endpoint)
      -> the tier's slot: in-flight cap, shared pacing, 429 pause   (limits.py)
      -> aiohttp session: bearer token for our origin only          (auth.py middleware)
      -> status or exception -> retry or raise                      (retry.py decides, errors.py names)

QlikClient and DataRobotClient (qlik.py, datarobot.py) add their generated APIs on top; paging,
jobs, files and bulk runs (pages.py, jobs.py, files.py, bulk.py) are built from ``send``.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import platform
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, Self, TypeVar

import aiohttp
from yarl import URL

from . import __version__
from . import _constants as const
from ._wire import UNSET, Operation, RawResponse, Request
from .auth import BearerAuth, TokenProvider
from .errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidRequestError,
    make_status_error,
)
from .limits import Tier, TierLimit, TierStats
from .retry import FailureKind, RetryPolicy, parse_retry_after, retry_delay

if TYPE_CHECKING:  # imported lazily at run time: `import aioautoml` stays light
    from .bulk import Bulk
    from .files import Download
    from .jobs import Job
    from .pages import ListBody, Paginator

__all__ = ["BaseClient", "ClientOptions"]

log = logging.getLogger("aioautoml")

T = TypeVar("T")
P = ParamSpec("P")
ItemT = TypeVar("ItemT")

USER_AGENT = f"aioautoml/{__version__} aiohttp/{aiohttp.__version__} python/{platform.python_version()}"


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """What ``with_options`` can change for a view of the client."""

    timeout: aiohttp.ClientTimeout = const.DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(slots=True)
class _Failure:
    kind: FailureKind
    error: Exception
    retry_after: float | None = None


class _State:
    """What every view of one client shares: the session, the credential, the tiers, close()."""

    def __init__(self, auth: BearerAuth) -> None:
        self.auth = auth
        self.session: aiohttp.ClientSession | None = None
        self.tiers: dict[str, Tier] = {}
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()
        self.closing = False


class BaseClient:
    """One origin, one credential, one aiohttp session; see QlikClient and DataRobotClient."""

    _default_tier: ClassVar[str] = const.DATAROBOT_DEFAULT_BUCKET
    _tier_names: ClassVar[frozenset[str]] = frozenset({const.DATAROBOT_DEFAULT_BUCKET})

    def __init__(
        self,
        base_url: str | URL,
        *,
        token: str | None = None,
        token_provider: TokenProvider | None = None,
        rate_key: str | None = None,
        limits: Mapping[str, TierLimit] | None = None,
        pacing: bool = True,
        retry: RetryPolicy | None = None,
        timeout: float | aiohttp.ClientTimeout | None = None,
        connection_limit: int = const.DEFAULT_CONNECTION_LIMIT,
        proxy: str | URL | None = None,
        trust_env: bool = False,
        trace_configs: Sequence[aiohttp.TraceConfig] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        url = URL(str(base_url))
        if not url.is_absolute() or url.scheme not in ("http", "https") or url.query_string or url.fragment:
            raise InvalidRequestError(f"base_url must be an http(s) URL without query or fragment, not {base_url!r}")
        self._base = str(url).rstrip("/")
        self._origin = url.origin()
        unknown = set(limits or ()) - self._tier_names
        if unknown:
            raise ValueError(f"unknown rate tier(s) {sorted(unknown)}; this client has {sorted(self._tier_names)}")
        self._limits = dict(limits or {})
        self._pacing = pacing
        self._rate_key = rate_key
        self._options = ClientOptions(
            timeout=_as_timeout(timeout) if timeout is not None else const.DEFAULT_TIMEOUT,
            retry=retry or RetryPolicy(),
        )
        self._connection_limit = connection_limit
        self._proxy = proxy
        self._trust_env = trust_env
        self._trace_configs = list(trace_configs or [])
        self._headers = {"User-Agent": USER_AGENT, **(headers or {})}
        self._state = _State(BearerAuth(self._origin, token=token, provider=token_provider))
        self._apis: dict[str, Any] = {}

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

    @property
    def origin(self) -> URL:
        """Scheme, host and port: the only place this client sends its token."""
        return self._origin

    @property
    def closed(self) -> bool:
        return self._state.closing

    def with_options(
        self, *, timeout: float | aiohttp.ClientTimeout | None = None, retry: RetryPolicy | None = None
    ) -> Self:
        """A view of this client (same session, pacing and counters) with other per-call options."""
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view._apis = {}
        view._options = replace(
            self._options,
            timeout=_as_timeout(timeout) if timeout is not None else self._options.timeout,
            retry=retry or self._options.retry,
        )
        return view

    def _session(self) -> aiohttp.ClientSession:
        state = self._state
        if state.closing:
            raise RuntimeError("this client is closed")
        if state.session is None:
            connector = aiohttp.TCPConnector(limit=self._connection_limit, ttl_dns_cache=const.DNS_CACHE_SECONDS)
            state.session = aiohttp.ClientSession(
                connector=connector,
                headers=self._headers,
                middlewares=(state.auth.middleware,),
                timeout=self._options.timeout,
                trust_env=self._trust_env,
                trace_configs=self._trace_configs or None,
            )
            # One retry layer only: aiohttp would otherwise resend an idempotent request once on
            # a dropped connection, unseen by retry.py, its counters and its logging.
            state.session._retry_connection = False
        return state.session

    # -- rate tiers ---------------------------------------------------------------------------

    def _tier(self, operation: Operation) -> Tier:
        name = operation.tier or self._default_tier
        tier = self._state.tiers.get(name)
        if tier is None:
            limit = self._limits.get(name) or self._default_limit(operation)
            identity: Hashable = self._rate_key if self._rate_key is not None else self._state.auth.identity
            key = (str(self._origin), identity, name)
            tier = self._state.tiers[name] = Tier(name, limit, key, paced=self._pacing)
        return tier

    def _default_limit(self, operation: Operation) -> TierLimit:
        return TierLimit(per_minute=operation.rate_limit)

    @property
    def stats(self) -> dict[str, TierStats]:
        """Counters per rate tier (requests, 429s, retries, waits) since the client was made."""
        return {name: tier.stats for name, tier in sorted(self._state.tiers.items())}

    # -- the pipeline ---------------------------------------------------------------------------

    async def send(self, request: Request) -> RawResponse:
        """Send a request built by a generated endpoint; return the response with its body read."""
        return await self.exchange(request, _read_body)

    async def exchange(self, request: Request, consume: Callable[[aiohttp.ClientResponse], Awaitable[T]]) -> T:
        """Send ``request`` with pacing and retries; ``consume`` reads a 2xx/3xx response.

        ``consume`` runs inside the attempt: a body cut short is retried like a dropped
        connection (idempotent operations only), so it must start from scratch each time.
        """
        operation = request.operation
        _warn_if_deprecated(operation)
        url = self.url_for(request.path)
        tier = self._tier(operation)
        policy = self._options.retry
        state = self._state
        self._session()  # raises once closed
        state.in_flight += 1
        state.idle.clear()
        try:
            attempt = 0
            while True:
                attempt += 1
                await tier.acquire()
                try:
                    outcome = await self._attempt(request, url, consume, tier)
                finally:
                    tier.release()
                if not isinstance(outcome, _Failure):
                    return outcome
                if outcome.kind is FailureKind.RATE_LIMITED:
                    tier.stats.rate_limited += 1
                delay = retry_delay(
                    policy,
                    outcome.kind,
                    idempotent=operation.idempotent,
                    attempt=attempt,
                    retry_after=outcome.retry_after,
                )
                if delay is None:
                    raise outcome.error
                tier.stats.retries += 1
                log.debug(
                    "%s %s: %s (attempt %d of %d); retrying in %.2fs",
                    request.method, url.with_query(None), outcome.kind.value, attempt, policy.max_attempts, delay,
                )  # fmt: skip
                if outcome.kind is FailureKind.RATE_LIMITED:
                    tier.pause(delay)  # Qlik blocks the whole tier: every request of it waits
                else:
                    await asyncio.sleep(delay)
        finally:
            state.in_flight -= 1
            if state.in_flight == 0:
                state.idle.set()

    async def _attempt(
        self,
        request: Request,
        url: URL,
        consume: Callable[[aiohttp.ClientResponse], Awaitable[T]],
        tier: Tier,
    ) -> T | _Failure:
        operation = request.operation
        method = request.method
        try:
            async with self._session().request(
                method,
                url,
                params=request.query or None,
                headers=request.headers or None,
                timeout=self._options.timeout,
                allow_redirects=operation.follows_redirects,
                proxy=self._proxy,
                **_body_kwargs(request),
            ) as response:
                if response.status >= 400:
                    content = await response.read()
                    return self._status_failure(operation, response, content, tier)
                try:
                    return await consume(response)
                except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, TimeoutError) as exc:
                    # The server answered but the body was cut short: it acted on the request.
                    error = APIConnectionError(
                        method, str(url), f"response body cut short: {exc!r}", outcome_unknown=not operation.idempotent
                    )
                    return _Failure(FailureKind.DROPPED, error)
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientConnectorSSLError) as exc:
            return _Failure(FailureKind.FINAL, APIConnectionError(method, str(url), repr(exc)))
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            return _Failure(FailureKind.NOT_SENT, APIConnectionError(method, str(url), f"could not connect: {exc!r}"))
        except TimeoutError:  # also aiohttp's ServerTimeoutError (sock_read)
            unknown = not operation.idempotent
            return _Failure(
                FailureKind.TIMEOUT, APITimeoutError(method, str(url), "timed out", outcome_unknown=unknown)
            )
        except aiohttp.ClientConnectionError as exc:  # reset, disconnected after sending
            unknown = not operation.idempotent
            error = APIConnectionError(method, str(url), f"connection lost: {exc!r}", outcome_unknown=unknown)
            return _Failure(FailureKind.DROPPED, error)

    def _status_failure(
        self, operation: Operation, response: aiohttp.ClientResponse, content: bytes, tier: Tier
    ) -> _Failure:
        status = response.status
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429:
            kind = FailureKind.RATE_LIMITED
        elif status in const.RETRYABLE_STATUSES:
            kind = FailureKind.SERVER_ERROR
        else:
            kind = FailureKind.FINAL
        error = make_status_error(
            status,
            response.method.upper(),
            str(response.url),
            headers=response.headers,
            content=content,
            outcome_unknown=status >= 500 and not operation.idempotent,
            retry_after=retry_after,
            tier=tier.name,
        )
        return _Failure(kind, error, retry_after)

    def url_for(self, path: str) -> URL:
        """The absolute URL of an encoded path, or of a link; never one on another origin."""
        if path.startswith(("http://", "https://")):
            url = URL(path, encoded=True)
            if url.origin() != self._origin:
                raise InvalidRequestError(
                    f"refusing to send a request (and its token) to another origin: {url.origin()}"
                )
            return url
        if not path.startswith("/"):
            raise InvalidRequestError(f"a request path must start with '/': {path!r}")
        return URL(self._base + path, encoded=True)

    def _api(self, package: str) -> Any:
        """The generated package's API object, bound to this client view (imported on first use)."""
        api = self._apis.get(package)
        if api is None:
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

    async def start(self, operation: Callable[P, Awaitable[Any]], /, *args: P.args, **kwargs: P.kwargs) -> Job:
        """Call an operation that starts long-running work; return a Job to wait on."""
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
        return f"<{type(self).__name__} {self._base} {self._state.auth!r}>"


def _as_timeout(timeout: float | aiohttp.ClientTimeout) -> aiohttp.ClientTimeout:
    if isinstance(timeout, aiohttp.ClientTimeout):
        return timeout
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
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


async def _read_body(response: aiohttp.ClientResponse) -> RawResponse:
    content = await response.read()
    return RawResponse(response.status, response.headers, content, response.method.upper(), response.url)


def _warn_if_deprecated(operation: Operation) -> None:
    if operation.deprecated:
        sunset = f"; its sunset date is {operation.sunset}" if operation.sunset else ""
        note = f" ({operation.deprecation_note})" if operation.deprecation_note else ""
        warnings.warn(f"{operation.id} is deprecated{sunset}{note}", DeprecationWarning, stacklevel=3)
