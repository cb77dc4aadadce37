"""Bearer authentication as an aiohttp client middleware, scoped to the client's own origin.

The token goes only to requests for the origin the client was made for: a redirect or a paging
link to another host never carries it (the middleware runs again for every redirect hop). With a
token provider, a 401 makes the middleware ask the provider once for a fresh token and resend
once; a 401 means the server refused the request before acting on it, so resending is safe.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Hashable

from aiohttp import ClientRequest, ClientResponse, hdrs
from aiohttp.client_middlewares import ClientHandlerType
from yarl import URL

__all__ = ["BearerAuth", "TokenProvider"]

TokenProvider = Callable[[], Awaitable[str]]
"""An async callable returning a current access token; called again after a 401."""


class BearerAuth:
    """Adds ``Authorization: Bearer <token>`` for one origin. Its repr never shows the token."""

    __slots__ = ("_lock", "_origin", "_provider", "_token")

    def __init__(self, origin: URL, *, token: str | None = None, provider: TokenProvider | None = None) -> None:
        if (token is None) == (provider is None):
            raise ValueError("give exactly one of token=... (a string) or token_provider=... (an async callable)")
        if token is not None and (not isinstance(token, str) or not token.strip()):
            raise ValueError("token must be a non-empty string")
        self._origin = origin
        self._token = token
        self._provider = provider
        self._lock = asyncio.Lock()

    @property
    def identity(self) -> Hashable:
        """What names this credential for rate limiting: a hash of a static token, or the provider."""
        if self._provider is not None:
            return ("provider", self._provider)  # a rotating token keeps its bucket
        assert self._token is not None
        return ("token", hashlib.sha256(self._token.encode()).hexdigest()[:16])

    def applies_to(self, url: URL) -> bool:
        return url.origin() == self._origin

    async def token(self) -> str:
        if self._token is None:
            async with self._lock:
                if self._token is None:
                    self._token = await self._fetch()
        return self._token

    async def refresh(self, stale: str) -> str | None:
        """A fresh token after ``stale`` was refused; None without a provider."""
        if self._provider is None:
            return None
        async with self._lock:
            if self._token == stale:  # the first of many concurrent 401s refreshes, the rest reuse it
                self._token = await self._fetch()
            return self._token

    async def _fetch(self) -> str:
        assert self._provider is not None
        token = await self._provider()
        if not isinstance(token, str) or not token.strip():
            raise ValueError("the token provider returned an empty or non-string token")
        return token

    async def middleware(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        if not self.applies_to(request.url):
            request.headers.pop(hdrs.AUTHORIZATION, None)
            return await handler(request)
        token = await self.token()
        request.headers[hdrs.AUTHORIZATION] = f"Bearer {token}"
        response = await handler(request)
        if response.status == 401 and self._provider is not None:
            fresh = await self.refresh(token)
            if fresh is not None:
                response.release()
                request.headers[hdrs.AUTHORIZATION] = f"Bearer {fresh}"
                response = await handler(request)
        return response

    def __repr__(self) -> str:
        kind = "token provider" if self._provider is not None else "static token"
        return f"<BearerAuth {kind} for {self._origin}>"
