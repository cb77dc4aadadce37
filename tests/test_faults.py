"""Answers aiohttp cannot read, against a raw socket server: every one becomes an APIConnectionError.

aiohttp's parser reports a bad status line or a header over 8190 bytes as ClientResponseError(400)
although no server said 400; these tests pin that none of aiohttp's types escape, that nothing
looks like an HTTP 400, that idempotent calls are retried and writes are not, and that a poisoned
connection is closed rather than reused.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from aioautoml import AioAutoMLError, APIConnectionError, APIStatusError, QlikClient, RetryPolicy
from aioautoml._generated.qlik_data_stores.models.data_store_input import DataStoreInput

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
OK_STORE = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
BIG_HEADER = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 9000 + b"\r\nContent-Length: 2\r\n\r\n{}"
BAD_STATUS_LINE = b"HTCPCP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
BAD_GZIP = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot-gzip!"
)
RETRY = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002)


@dataclass
class Seen:
    connection: int
    method: str
    path: str


@dataclass
class RawServer:
    """A TCP server answering each request with the next scripted bytes.

    ``short_body`` answers with a Content-Length shorter than the body: the rest of the body is
    written when the next request arrives on that connection, so it is what that request reads.
    ``close`` reads the request and drops the connection without answering.
    """

    script: list[bytes | str] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number, tail = self.connections, b""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, path = head.split(b" ")[:2]
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                await reader.readexactly(length)
                self.seen.append(Seen(number, method.decode(), path.decode()))
                if tail:  # the rest of the previous body, where this request's answer should be
                    writer.write(tail)
                    tail = b""
                    await writer.drain()
                    continue
                answer = self.script.pop(0) if self.script else OK
                if answer == "close":  # read the request, answer nothing, drop the connection
                    return
                if answer == "short_body":
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                    tail = b'"the rest": "of a body longer than its Content-Length"}\r\n'
                else:
                    assert isinstance(answer, bytes)
                    writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def count(self, method: str) -> int:
        return sum(1 for s in self.seen if s.method == method)


@pytest.fixture
async def raw() -> AsyncIterator[RawServer]:
    state = RawServer()
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield state
        server.close()


def client(raw: RawServer, *, retry: RetryPolicy = RETRY, connection_limit: int = 100) -> QlikClient:
    url = f"http://127.0.0.1:{raw.port}"
    return QlikClient(url, token="t", retry=retry, pacing=False, connection_limit=connection_limit)


def store() -> DataStoreInput:
    return DataStoreInput(type_="qix-datafiles", technical_name="t")


def assert_typed(error: BaseException) -> None:
    assert isinstance(error, APIConnectionError) and isinstance(error, AioAutoMLError)
    assert not isinstance(error, (aiohttp.ClientError, APIStatusError))
    assert not re.search(r"(?<!\d)400(?!\d)", str(error))  # no server said 400 (a port may hold the digits)


@pytest.mark.parametrize(
    "answer", [BIG_HEADER, BAD_STATUS_LINE, BAD_GZIP], ids=["oversize-header", "bad-status-line", "bad-gzip"]
)
async def test_an_unreadable_answer_to_a_get_is_retried(raw: RawServer, answer: bytes) -> None:
    raw.script = [answer, OK]
    async with client(raw) as qlik:
        await qlik.data_stores.get_data_store("ds-1")
        assert qlik.stats["1"].retries == 1
    assert raw.count("GET") == 2


@pytest.mark.parametrize(
    "answer", [BIG_HEADER, BAD_STATUS_LINE, BAD_GZIP], ids=["oversize-header", "bad-status-line", "bad-gzip"]
)
async def test_an_unreadable_answer_to_a_post_is_raised_as_outcome_unknown(raw: RawServer, answer: bytes) -> None:
    raw.script = [answer]
    async with client(raw) as qlik:
        with pytest.raises(APIConnectionError) as caught:
            await qlik.data_stores.create_data_store(body=store())
    assert_typed(caught.value)
    assert caught.value.outcome_unknown and "outcome is unknown" in str(caught.value)
    assert raw.count("POST") == 1  # not resent


async def test_a_get_retries_until_the_last_attempt_then_raises_typed(raw: RawServer) -> None:
    raw.script = [BAD_STATUS_LINE] * 3
    async with client(raw) as qlik:
        with pytest.raises(APIConnectionError) as caught:
            await qlik.data_stores.get_data_store("ds-1")
    assert_typed(caught.value)
    assert not caught.value.outcome_unknown  # a GET changes nothing
    assert raw.count("GET") == RETRY.max_attempts


async def test_a_short_content_length_poisons_the_next_request_which_is_not_resent(raw: RawServer) -> None:
    # One pooled connection: the innocent POST after the GET reads the GET's leftover bytes.
    raw.script = ["short_body", OK_STORE]
    async with client(raw, connection_limit=1) as qlik:
        await qlik.data_stores.get_data_store("ds-1")
        with pytest.raises(APIConnectionError) as caught:
            await qlik.data_stores.create_data_store(body=store())
        assert_typed(caught.value)
        assert caught.value.outcome_unknown
        await qlik.data_stores.create_data_store(body=store())  # the poisoned connection is not reused
    assert raw.count("POST") == 2
    assert [s.connection for s in raw.seen] == [1, 1, 2]


async def test_a_short_content_length_before_a_get_is_retried_on_a_fresh_connection(raw: RawServer) -> None:
    raw.script = ["short_body", OK]
    async with client(raw, connection_limit=1) as qlik:
        await qlik.data_stores.get_data_store("ds-1")
        await qlik.data_stores.get_data_store("ds-2")
    assert [(s.connection, s.path) for s in raw.seen] == [
        (1, "/api/v1/data-stores/ds-1"),
        (1, "/api/v1/data-stores/ds-2"),
        (2, "/api/v1/data-stores/ds-2"),
    ]


async def test_too_many_redirects_is_typed(raw: RawServer) -> None:
    loop = b"HTTP/1.1 302 Found\r\nLocation: /api/v1/data-stores/ds-1\r\nContent-Length: 0\r\n\r\n"
    raw.script = [loop] * 100
    async with client(raw, retry=RetryPolicy(max_attempts=1)) as qlik:
        with pytest.raises(APIConnectionError, match="too many redirects") as caught:
            await qlik.data_stores.get_data_store("ds-1")
    assert_typed(caught.value)


async def test_a_redirect_to_an_invalid_url_is_typed(raw: RawServer) -> None:
    raw.script = [b"HTTP/1.1 302 Found\r\nLocation: http://[not-a-host\r\nContent-Length: 0\r\n\r\n"]
    async with client(raw, retry=RetryPolicy(max_attempts=1)) as qlik:
        with pytest.raises(APIConnectionError) as caught:
            await qlik.data_stores.get_data_store("ds-1")
    assert_typed(caught.value)


async def test_a_dropped_pooled_connection_is_retried_by_our_layer_only(raw: RawServer) -> None:
    # aiohttp resends an idempotent request once on a dropped pooled connection, unless told not
    # to: with one attempt allowed, the server must see the second GET exactly once.
    raw.script = [OK]
    async with client(raw, connection_limit=1, retry=RetryPolicy(max_attempts=1)) as qlik:
        await qlik.data_stores.get_data_store("ds-1")
        raw.script = ["close", OK]  # the pooled connection is dropped under the second GET
        with pytest.raises(APIConnectionError) as caught:
            await qlik.data_stores.get_data_store("ds-2")
        assert_typed(caught.value)
    assert raw.count("GET") == 2  # aiohttp's hidden resend would make it 3
