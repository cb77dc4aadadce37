"""Result files streamed in constant memory: to a path, or as an async iterator of chunks.

``download`` writes to ``<name>.part`` next to the destination and renames it when the body is
complete, so a failure never leaves a partial file behind; a body cut short is fetched again from
the start (idempotent operations only, by the usual retry rules). ``iter_chunks`` hands chunks
over as they arrive through a small bounded queue; once a chunk has been handed over, a failure
is raised rather than retried, since the chunks already taken cannot be taken back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from . import _constants as const
from ._wire import Request, endpoint_of
from .errors import APIConnectionError, InvalidRequestError

if TYPE_CHECKING:
    from .client import BaseClient

__all__ = ["Download", "download", "iter_chunks"]


@dataclass(frozen=True, slots=True)
class Download:
    """A file written by ``client.download``."""

    path: Path
    size: int  # bytes written
    content_type: str | None
    status: int


def _file_request(method: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Request:
    endpoint = endpoint_of(method)
    return endpoint.build_request(*args, **kwargs)  # type: ignore[no-any-return]


def _check_destination(operation_id: str, destination: Path) -> None:
    """Before the request is sent: otherwise the body is fetched only to fail on open() (two stats)."""
    if destination.is_dir():
        raise InvalidRequestError(f"{operation_id}: destination {str(destination)!r} is a folder: name a file")
    if not destination.parent.is_dir():
        raise InvalidRequestError(
            f"{operation_id}: destination {str(destination)!r}: the folder {str(destination.parent)!r} does not exist"
        )


async def download(
    client: BaseClient,
    destination: Path,
    method: Callable[..., Awaitable[Any]],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    *,
    chunk_size: int = const.DOWNLOAD_CHUNK_SIZE,
) -> Download:
    """Stream the operation's body to ``destination``; nothing is left behind on failure."""
    request = _file_request(method, args, kwargs)
    _check_destination(request.operation.id, destination)
    partial = destination.with_name(destination.name + ".part")

    async def write(response: aiohttp.ClientResponse) -> Download:
        size = 0
        # Each attempt starts the file afresh; writes go to a thread so the loop keeps serving.
        with partial.open("wb") as file:
            async for chunk in response.content.iter_chunked(chunk_size):
                await asyncio.to_thread(file.write, chunk)
                size += len(chunk)
        return Download(destination, size, response.headers.get("Content-Type"), response.status)

    try:
        result = await client.exchange(request, write)
        os.replace(partial, destination)
        return result
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise


async def iter_chunks(
    client: BaseClient,
    method: Callable[..., Awaitable[Any]],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    *,
    chunk_size: int = const.DOWNLOAD_CHUNK_SIZE,
    buffered_chunks: int = 4,
) -> AsyncIterator[bytes]:
    """The operation's body as chunks, at most ``buffered_chunks`` held in memory at once."""
    request = _file_request(method, args, kwargs)
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=buffered_chunks)

    async def pump(response: aiohttp.ClientResponse) -> None:
        put = 0  # this attempt's chunks: those not in the queue any more were taken by the caller
        try:
            async for chunk in response.content.iter_chunked(chunk_size):
                await queue.put(chunk)
                put += 1
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, TimeoutError) as exc:
            if put > queue.qsize():  # chunks already taken: the body cannot be restarted under the caller
                raise APIConnectionError(
                    request.method, str(response.url), f"response body cut short after chunks were handed over: {exc!r}"
                ) from exc
            while not queue.empty():  # nothing taken: drop this attempt's chunks, the retry sends them all again
                queue.get_nowait()
            raise  # the retry loop may fetch the body again
        await queue.put(None)

    producer = asyncio.create_task(client.exchange(request, pump))
    try:
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, producer}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                producer.result()  # raises the producer's error
                continue
            chunk = getter.result()
            if chunk is None:
                break
            yield chunk
        await producer
    finally:
        if not producer.done():
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await producer
