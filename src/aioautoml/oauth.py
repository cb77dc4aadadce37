"""OAuth2 client credentials for Qlik Cloud: a token source that keeps its access token current.

    credentials = ClientCredentials("https://your-tenant.us.qlikcloud.com", client_id, client_secret)
    async with QlikClient("https://your-tenant.us.qlikcloud.com", token_provider=credentials) as qlik:
        ...

The exchange is ``POST {tenant}/oauth/token`` with ``grant_type=client_credentials``; the answer's
``access_token`` is cached and exchanged again shortly before ``expires_in`` runs out, and once
after a 401. It goes out on its own small aiohttp session, never through the client's request
pipeline: a request there waits for the credential, whose refresh would then wait for itself.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from ssl import SSLContext
from typing import Any, Literal
from urllib.parse import quote_plus

import aiohttp
from aiohttp import hdrs
from yarl import URL

from .errors import (
    AioAutoMLError,
    APIConnectionError,
    InvalidRequestError,
    OAuthError,
    make_connection_error,
    parse_error_body,
)
from .retry import FailureKind, RetryPolicy, classify_exception, parse_retry_after, retry_delay

__all__ = ["ClientCredentials", "tenant_origin"]

log = logging.getLogger("aioautoml")

TOKEN_PATH = "/oauth/token"
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10, sock_connect=10, sock_read=20)
# A token exchange is idempotent in effect (a repeat only mints another token), so every transient
# failure is retried, a few times and briefly: requests are waiting on it.
DEFAULT_RETRY = RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_max=5.0, max_retry_after=30.0)
REFRESH_MARGIN = 60.0  # seconds before expiry, or 10% of the lifetime if that is more ...
REFRESH_FRACTION = 0.1
REFRESH_MAX_FRACTION = 0.5  # ... but a short-lived token is used for at least half its lifetime
RENEW_PAUSE = 5.0  # a failed early renewal is tried again this much later, while the token lasts
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def tenant_origin(tenant_url: str | URL) -> URL:
    """The tenant's origin (scheme, host, port) from its URL, with or without a trailing slash.

    Refuses a URL with a path, query, fragment or user info (the token URL is built from the
    origin alone), and plain http to anything but a loopback host (the secret would travel in
    clear text).
    """
    url = URL(str(tenant_url))
    if not url.is_absolute() or url.scheme not in ("http", "https") or not url.host:
        raise InvalidRequestError(
            f"the tenant URL must be an http(s) URL like https://tenant.us.qlikcloud.com, not {_shown(url)!r}"
        )
    if url.path not in ("", "/") or url.query_string or url.fragment:
        raise InvalidRequestError(
            f"the tenant URL must be the tenant's origin only (like https://tenant.us.qlikcloud.com), without a"
            f" path, query or fragment: {_shown(url)!r}"
        )
    if url.user is not None or url.password is not None:
        raise InvalidRequestError(f"the tenant URL must not carry user info: {_shown(url)!r}")
    if (
        url.scheme == "http"
        and (url.host or "").lower() not in _LOOPBACK_HOSTS
        and not (url.host or "").startswith("127.")
    ):
        raise InvalidRequestError(f"refusing to send client credentials over plain http to {url.origin()}: use https")
    return url.origin()


def _shown(url: URL) -> str:
    return str(url.with_user(None)) if url.is_absolute() else str(url)  # never a password


@dataclass(slots=True)
class _Token:
    value: str
    refresh_at: float  # the clock's time to exchange again, before it runs out
    expires_at: float  # math.inf when the answer gave no expires_in


class _Retryable(Exception):  # an internal signal: never escapes _exchange
    def __init__(self, kind: FailureKind, error: AioAutoMLError, retry_after: float | None = None) -> None:
        self.kind = kind
        self.error = error
        self.retry_after = retry_after


class ClientCredentials:
    """An OAuth2 client-credentials token source for a Qlik Cloud tenant (a
    :class:`aioautoml.auth.TokenSource`): pass it as ``QlikClient(url, token_provider=...)``.

    ``encoding="json"`` (the default) sends ``{"client_id", "client_secret", "grant_type"}`` as a
    JSON body, as Qlik's own documentation of its token endpoint shows. ``encoding="form"`` sends
    the ``application/x-www-form-urlencoded`` body of RFC 6749 section 4.4, with the client
    authenticated in the body (``client_auth="body"``) or by HTTP Basic (``client_auth="basic"``,
    RFC 6749 section 2.3.1), for a tenant or proxy that wants the standard form. ``scope``: one
    scope or several (sent space-separated).

    The token is cached and exchanged again before it runs out: 60 seconds or a tenth of its
    lifetime before ``expires_in`` ends, whichever is earlier (at most half its lifetime early).
    However many requests wait, one exchange runs at a time (a lock, and the cached token checked
    again inside it). ``refresh(stale)``, after a 401, exchanges again unless another request
    already replaced ``stale``. If an early renewal meets a transient failure while the cached
    token is still valid, that token is used and the renewal tried again a few seconds later.

    The exchange goes on its own aiohttp session, made on first use and closed by :meth:`aclose`
    (which the client's ``close()`` calls), or on ``session=`` if given (then left open). It has
    its own timeouts (``timeout=``, seconds or an ``aiohttp.ClientTimeout``), follows no redirect
    (that would re-send the secret elsewhere), and is retried (``retry=``, 3 attempts by default)
    on any transient failure: a connection that failed or dropped, a timeout, a 5xx or a 429
    (honouring ``Retry-After`` up to 30 s). That is safe although it is a POST: an exchange
    changes nothing on the tenant, a repeat only issues another token. An OAuth error answer (a
    4xx) is raised at once as :class:`~aioautoml.errors.OAuthError`; a connection failure after
    the last attempt as :class:`~aioautoml.errors.APIConnectionError`.

    ``clock`` (seconds, monotonic) defaults to the running event loop's ``time()``. The secret and
    the token appear in no repr, message or log line; :attr:`identity` is a hash of the tenant's
    origin and the client id, so pacing keeps one budget across token refreshes.
    """

    __slots__ = (
        "_basic",
        "_body",
        "_cached",
        "_client_id",
        "_clock",
        "_encoding",
        "_identity",
        "_lock",
        "_owns_session",
        "_proxy",
        "_retry",
        "_secret",
        "_session",
        "_ssl",
        "_timeout",
        "_trust_env",
        "token_url",
    )

    def __init__(
        self,
        tenant_url: str | URL,
        client_id: str,
        client_secret: str,
        *,
        scope: str | Iterable[str] | None = None,
        encoding: Literal["json", "form"] = "json",
        client_auth: Literal["body", "basic"] = "body",
        session: aiohttp.ClientSession | None = None,
        timeout: float | aiohttp.ClientTimeout | None = None,
        retry: RetryPolicy | None = None,
        proxy: str | URL | None = None,
        trust_env: bool = False,
        ssl: bool | SSLContext = True,
        clock: Callable[[], float] | None = None,
    ) -> None:
        origin = tenant_origin(tenant_url)
        for name, value in (("client_id", client_id), ("client_secret", client_secret)):
            if not isinstance(value, str) or not value.strip():
                raise InvalidRequestError(f"{name} must be a non-empty string")
        if encoding not in ("json", "form"):
            raise InvalidRequestError(f"encoding must be 'json' or 'form', not {encoding!r}")
        if client_auth not in ("body", "basic"):
            raise InvalidRequestError(f"client_auth must be 'body' or 'basic', not {client_auth!r}")
        if client_auth == "basic" and encoding == "json":
            raise InvalidRequestError(
                "client_auth='basic' goes with encoding='form' (RFC 6749); Qlik's JSON body carries the secret"
            )
        self.token_url = str(origin.with_path(TOKEN_PATH))
        self._client_id = client_id
        self._secret = client_secret
        self._encoding = encoding
        body: dict[str, str] = {"grant_type": "client_credentials"}
        if client_auth == "body":
            body |= {"client_id": client_id, "client_secret": client_secret}
        scopes = _scope(scope)
        if scopes:
            body["scope"] = scopes
        self._body = body
        # RFC 6749 section 2.3.1: each part form-encoded, then joined with ':' and base64-encoded.
        self._basic = (
            "Basic " + base64.b64encode(f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()).decode()
            if client_auth == "basic"
            else None
        )
        self._identity = hashlib.sha256(f"{origin}\n{client_id}".encode()).hexdigest()[:16]
        self._session = session
        self._ssl = ssl
        self._owns_session = session is None
        if isinstance(timeout, (int, float)):
            if not timeout > 0:
                raise InvalidRequestError(f"timeout must be positive, not {timeout!r}")
            timeout = aiohttp.ClientTimeout(total=timeout)
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._retry = retry or DEFAULT_RETRY
        self._proxy = proxy
        self._trust_env = trust_env
        self._clock = clock
        self._cached: _Token | None = None
        self._lock = asyncio.Lock()

    # -- the TokenSource protocol ------------------------------------------------------------------

    @property
    def identity(self) -> str:
        """A stable name for pacing: a hash of the tenant's origin and the client id."""
        return self._identity

    async def token(self) -> str:
        """The cached access token, exchanged again first if it is about to run out."""
        cached = self._cached
        if cached is not None and self._now() < cached.refresh_at:
            return cached.value  # the common case: no lock, no await
        async with self._lock:
            cached = self._cached
            if cached is not None and self._now() < cached.refresh_at:
                return cached.value  # another request renewed it while this one waited
            try:
                return await self._renew()
            except (APIConnectionError, OAuthError) as exc:
                if cached is None or self._now() >= cached.expires_at or not _transient(exc):
                    raise
                # Renewed early and failed for now: the current token still works, so keep it.
                cached.refresh_at = min(cached.expires_at, self._now() + RENEW_PAUSE)
                log.warning(
                    "%s: renewing the access token failed (%s); using the current one until it runs out", self, exc
                )
                return cached.value

    async def refresh(self, stale: str) -> str:
        """A new access token after ``stale`` was refused (a 401), unless it was already replaced."""
        async with self._lock:
            cached = self._cached
            if cached is not None and cached.value != stale and self._now() < cached.refresh_at:
                return cached.value  # the first of many concurrent 401s exchanged; the rest reuse it
            return await self._renew()

    async def aclose(self) -> None:
        """Close the session this source made (a session passed in is the caller's to close).
        A later exchange makes a new one."""
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    # -- the exchange ------------------------------------------------------------------------------

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def _renew(self) -> str:
        self._cached = await self._exchange()
        return self._cached.value

    async def _exchange(self) -> _Token:
        policy = self._retry
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt()
            except _Retryable as failure:
                delay = retry_delay(
                    policy, failure.kind, idempotent=True, attempt=attempt, retry_after=failure.retry_after
                )
                if delay is None:
                    raise failure.error from None
                log.debug(
                    "POST %s: %s (attempt %d of %d); retrying in %.2fs",
                    self.token_url, failure.kind.value, attempt, policy.max_attempts, delay,
                )  # fmt: skip
                await asyncio.sleep(delay)

    async def _attempt(self) -> _Token:
        session = self._session_for_exchange()
        headers = {hdrs.ACCEPT: "application/json"}
        if self._basic is not None:
            headers[hdrs.AUTHORIZATION] = self._basic
        body: dict[str, Any] = {"json": self._body} if self._encoding == "json" else {"data": self._body}
        started = self._now()  # the lifetime counts from before the request: never past the real expiry
        try:
            async with session.post(
                self.token_url, headers=headers, timeout=self._timeout, allow_redirects=False, **body
            ) as response:
                status = response.status
                content = await response.read()
                retry_after = parse_retry_after(response.headers.get(hdrs.RETRY_AFTER))
                location = response.headers.get(hdrs.LOCATION)
        except (aiohttp.ClientError, TimeoutError) as exc:
            kind = classify_exception(exc)
            failed = make_connection_error(
                exc, "POST", self.token_url, not_sent=kind is FailureKind.NOT_SENT, outcome_unknown=False
            )
            raise _Retryable(kind, failed) from None
        if 200 <= status < 300:
            token = self._parse_token(status, content, started)
            log.debug("POST %s: %d, an access token for %s", self.token_url, status, _lifetime(token, started))
            return token
        error = self._status_error(status, content, location)
        if status == 429:
            raise _Retryable(FailureKind.RATE_LIMITED, error, retry_after)
        if status >= 500:
            raise _Retryable(FailureKind.SERVER_ERROR, error, retry_after)
        raise _Retryable(FailureKind.FINAL, error)

    def _session_for_exchange(self) -> aiohttp.ClientSession:
        if self._session is None or (self._owns_session and self._session.closed):
            # Made here, on first use, so it belongs to the running event loop.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._ssl),
                timeout=self._timeout,
                trust_env=self._trust_env,
                proxy=self._proxy,
            )
        return self._session

    def _parse_token(self, status: int, content: bytes, started: float) -> _Token:
        try:
            answer: Any = json.loads(content)
        except ValueError:
            answer = None
        if not isinstance(answer, Mapping):
            raise self._malformed(status, f"the answer is not a JSON object ({len(content)} bytes)")
        value = answer.get("access_token")
        if "access_token" in answer and not (isinstance(value, str) and value.strip()):
            # its type only: the value may be the token itself, and is never shown
            shown = "empty" if isinstance(value, str) else f"of type {type(value).__name__}"
            raise self._malformed(status, f"the answer's access_token is {shown}, not a non-empty string")
        if not isinstance(value, str):
            keys = ", ".join(sorted(str(key) for key in answer)) or "none"
            raise self._malformed(status, f"the answer has no access_token (its keys: {keys})")
        token_type = answer.get("token_type")
        if token_type is not None and str(token_type).lower() != "bearer":
            raise self._malformed(status, f"token_type {str(token_type)[:40]!r} is not a bearer token")
        lifetime = _seconds(answer.get("expires_in"))
        if lifetime is None:  # no lifetime given: the token is kept until a 401 says otherwise
            return _Token(value, math.inf, math.inf)
        margin = min(max(REFRESH_MARGIN, REFRESH_FRACTION * lifetime), REFRESH_MAX_FRACTION * lifetime)
        return _Token(value, started + lifetime - margin, started + lifetime)

    def _malformed(self, status: int, reason: str) -> _Retryable:
        return _Retryable(
            FailureKind.FINAL, OAuthError(self.token_url, status=None, description=f"{status} answered, but {reason}")
        )

    def _status_error(self, status: int, content: bytes, location: str | None) -> OAuthError:
        body, details, _ = parse_error_body(content)
        error = description = None
        if isinstance(body, Mapping) and isinstance(body.get("error"), str):  # RFC 6749 section 5.2
            error = body["error"]
            if isinstance(body.get("error_description"), str):
                description = body["error_description"]
        elif details:  # Qlik's own error format: {"errors": [{code, title, detail}]}
            description = "; ".join(str(detail) for detail in details)
        elif 300 <= status < 400:
            target = URL(location) if location else None
            where = f" to {target.origin()}" if target is not None and target.is_absolute() and target.host else ""
            description = f"redirected{where}; not followed, so the secret was not re-sent"
        return OAuthError(self.token_url, status=status, error=self._scrub(error), description=self._scrub(description))

    def _scrub(self, text: str | None) -> str | None:
        # A server that echoes what it was sent must not put the secret into a message.
        return text.replace(self._secret, "***") if text else text

    def __repr__(self) -> str:
        return f"<ClientCredentials {self.token_url} client_id={self._client_id!r} encoding={self._encoding}>"


def _scope(scope: str | Iterable[str] | None) -> str:
    if scope is None:
        return ""
    parts = scope.split() if isinstance(scope, str) else [part.strip() for part in scope]
    return " ".join(part for part in parts if part)


def _seconds(value: object) -> float | None:
    """expires_in as seconds: a non-negative number (or numeric text); None when absent or unusable."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _transient(exc: AioAutoMLError) -> bool:
    """A failure that another attempt later may not meet: no answer, a 5xx or a 429."""
    if isinstance(exc, OAuthError):
        return exc.status is not None and (exc.status >= 500 or exc.status == 429)
    return True


def _lifetime(token: _Token, started: float) -> str:
    return "an unstated time" if math.isinf(token.expires_at) else f"{token.expires_at - started:g} s"
