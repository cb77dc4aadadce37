"""Injected faults: what goes wrong, on which requests, how many times."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from .responses import TRUNCATE, drop_connection, error, truncated
from .routing import Handler


@dataclass
class Fault:
    """Something to go wrong, ``times`` times, on requests matching ``operation`` (an operation's
    Python name, e.g. ``"get_batch_prediction"``, or None for any request) and ``method``.

    ``kind``: ``"status"`` answers ``status`` (with ``retry_after`` if given); ``"reset"`` drops
    the connection without answering; ``"slow"`` waits ``delay`` seconds first; ``"truncate"``
    sends the headers and half of the body, then drops the connection."""

    kind: Literal["status", "reset", "slow", "truncate"]
    operation: str | None = None
    method: str | None = None
    times: int = 1
    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0

    def matches(self, method: str, operation: str | None) -> bool:
        return (
            self.times > 0
            and (self.operation is None or self.operation == operation)
            and (self.method is None or self.method == method)
        )


def take(faults: Iterable[Fault], method: str, operation: str | None) -> Fault | None:
    """The first fault for this request, one of its ``times`` used up."""
    for fault in faults:
        if fault.matches(method, operation):
            fault.times -= 1
            return fault
    return None


async def respond_with(fault: Fault, request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer ``request`` as ``fault`` says, calling ``handler`` where the fault lets it answer."""
    if fault.kind == "status":
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
        return error(fault.status, f"FAULT-{fault.status}", "Injected fault", "injected", headers)
    if fault.kind == "reset":
        drop_connection(request)
        return web.Response(status=599)  # never sent: the connection is gone
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay)
        return await handler(request)
    request[TRUNCATE] = True  # streaming handlers cut their own body short
    response = await handler(request)
    return response if response.prepared else await truncated(request, response)
