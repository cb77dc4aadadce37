"""Answers shared by the handlers: error bodies, streamed bodies, bodies cut short."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aiohttp import web

# Set by a "truncate" fault: a handler that streams its body cuts it short itself.
TRUNCATE = web.RequestKey("aioautoml_truncate", bool)


def error(status: int, code: str, title: str, detail: str, headers: Mapping[str, str] | None = None) -> web.Response:
    """A Qlik error body (``errors`` + ``traceId``); injected faults answer it for either vendor."""
    body = {"errors": [{"code": code, "title": title, "detail": detail, "status": str(status)}], "traceId": "loopback"}
    return web.json_response(body, status=status, headers=headers)


def repeat(pattern: bytes, size: int) -> Iterable[bytes]:
    """``size`` bytes of ``pattern`` over and over, one pattern-sized chunk at a time."""
    while size > 0:
        yield pattern[:size]
        size -= len(pattern)


def drop_connection(request: web.Request) -> None:
    assert request.transport is not None
    request.transport.abort()


async def stream(request: web.Request, chunks: Iterable[bytes], size: int, content_type: str) -> web.StreamResponse:
    """Stream ``chunks`` (``size`` bytes in all) under a Content-Length; cut in half when truncated."""
    response = web.StreamResponse(headers={"Content-Type": content_type})
    response.content_length = size
    await response.prepare(request)
    cut = size // 2 if request.get(TRUNCATE) else None
    sent = 0
    for chunk in chunks:
        if cut is not None and sent + len(chunk) >= cut:
            await response.write(chunk[: cut - sent])
            drop_connection(request)  # a body cut short under its full Content-Length
            return response
        await response.write(chunk)
        sent += len(chunk)
    await response.write_eof()
    return response


async def truncated(request: web.Request, full: web.StreamResponse) -> web.StreamResponse:
    """Half of ``full``'s body under its full Content-Length, then a dropped connection."""
    body = full.body if isinstance(full, web.Response) and isinstance(full.body, bytes) else b"x" * 1024
    response = web.StreamResponse(status=full.status, headers={"Content-Type": full.content_type})
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[: len(body) // 2])
    drop_connection(request)
    return response
