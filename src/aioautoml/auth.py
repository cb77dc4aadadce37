"""Bearer credentials: where a token comes from, and which requests carry it.

The client sets ``Authorization: Bearer <token>`` itself (no aiohttp middleware: a header costs
less than a middleware chain on every request). What the credential must guarantee, and where
each guarantee is kept:

- **the token goes only to the client's own origin**: every request starts there
  (``BaseClient.url_for`` refuses a link or path to any other origin), and aiohttp drops the
  ``Authorization`` header on a redirect hop to another origin (scheme, host or port) and never
  puts it back on later hops;
- **one refresh on a 401**: the request pipeline asks :meth:`Credential.refresh` once, and resends
  once; concurrent 401s share one refresh (a lock, and the stale token compared);
- **no body re-sent to another origin**: see ``client.py``'s redirect guard (a 307/308 would
  re-send a POST body wherever it points).

A token source is either a static token, an async callable (:data:`TokenProvider`), or an object
following :class:`TokenSource` (``aioautoml.oauth.ClientCredentials``), which keeps its own token
current (expiry, refresh) and names a stable identity for pacing.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from .errors import AioAutoMLError, InvalidRequestError

__all__ = ["Credential", "TokenProvider", "TokenSource"]

TokenProvider = Callable[[], Awaitable[str]]
"""An async callable returning a current access token; called for the first token and again after a 401."""


@runtime_checkable
class TokenSource(Protocol):
    """A credential that keeps its token current itself (e.g. OAuth2 client credentials).

    ``token()`` is called before every request, so it must be cheap when the token is cached;
    ``refresh(stale)`` after a 401: a token other than ``stale`` is sent once more, the same one ends
    the request with the 401.
    ``identity`` names the credential for rate limiting, stable across token refreshes; it
    must not contain the secret (a hash of what identifies the client is right).
    """

    @property
    def identity(self) -> str: ...

    async def token(self) -> str: ...

    async def refresh(self, stale: str) -> str: ...

    async def aclose(self) -> None: ...


class Credential:
    """The client's bearer token: static, from a provider, or from a :class:`TokenSource`.

    Its repr never shows the token.
    """

    __slots__ = ("_lock", "_provider", "_source", "_token", "header")

    def __init__(self, *, token: str | None = None, provider: TokenProvider | TokenSource | None = None) -> None:
        if (token is None) == (provider is None):
            raise InvalidRequestError(
                "give exactly one of token=... (a string) or token_provider=... (an async callable)"
            )
        if token is not None and (not isinstance(token, str) or not token.strip()):
            raise InvalidRequestError("token must be a non-empty string")
        self._source = provider if isinstance(provider, TokenSource) else None
        if provider is not None and self._source is None:
            call = getattr(provider, "__call__", None)  # noqa: B004 - a class instance may be callable too
            if not (inspect.iscoroutinefunction(provider) or inspect.iscoroutinefunction(call)):
                raise InvalidRequestError(
                    "token_provider must be an async callable (async def ... -> str) or a TokenSource,"
                    f" not {provider!r}"
                )
        self._provider = provider if self._source is None else None
        self._token = token
        # A static token's header never changes: the session sends it, nothing is done per request.
        self.header: str | None = f"Bearer {token}" if token is not None else None
        self._lock = asyncio.Lock()

    @property
    def static(self) -> bool:
        return self._provider is None and self._source is None

    @property
    def can_refresh(self) -> bool:
        return not self.static

    @property
    def identity(self) -> str:
        """What names this credential for rate limiting: never the token itself.

        A static token: a hash of it. A TokenSource: its own identity (stable across refreshes).
        A plain provider: the provider object (a rotating token keeps its bucket in this process).
        """
        if self._source is not None:
            return f"source:{self._source.identity}"
        if self._provider is not None:
            return f"provider:{id(self._provider):x}"
        assert self._token is not None
        return "token:" + hashlib.sha256(self._token.encode()).hexdigest()[:16]

    async def token(self) -> str:
        """The token to send now."""
        if self._source is not None:
            return _checked(await self._source.token())
        if self._token is None:
            async with self._lock:
                if self._token is None:
                    self._token = await self._fetch()
        return self._token

    async def refresh(self, stale: str) -> str | None:
        """A fresh token after ``stale`` was refused with a 401; None for a static token."""
        if self._source is not None:
            fresh = _checked(await self._source.refresh(stale))
            return None if fresh == stale else fresh  # the same token again: resending would only repeat the 401
        if self._provider is None:
            return None
        async with self._lock:
            if self._token == stale:  # the first of many concurrent 401s refreshes, the rest reuse it
                self._token = await self._fetch()
            return self._token

    async def _fetch(self) -> str:
        provider = self._provider
        assert provider is not None and not isinstance(provider, TokenSource)
        return _checked(await provider())

    async def aclose(self) -> None:
        if self._source is not None:
            await self._source.aclose()

    def __repr__(self) -> str:
        kind = "static token" if self.static else "token source" if self._source is not None else "token provider"
        return f"<Credential {kind}>"


def _checked(token: object) -> str:
    if not isinstance(token, str) or not token.strip():
        raise AioAutoMLError("the token provider returned an empty or non-string token")
    return token
