"""Shared fixtures: the aioresponses shim, a loopback server, clients bound to it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aioresponses.core
from aiohttp import ClientResponse


class _MockResponse(ClientResponse):
    """aioresponses 0.7.9 builds responses without aiohttp 3.14's new ``stream_writer`` argument
    (upstream issue #289). A response that was never sent needs only its ``output_size``."""

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


aioresponses.core.ClientResponse = _MockResponse  # type: ignore[misc]
