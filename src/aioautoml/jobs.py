"""Long-running work: start it, wait for it, cancel it when the waiting task is cancelled.

Two ways the APIs report progress, one awaitable :class:`Job` for both:

- Qlik: the starting call (batch-prediction predict, experiment version, profile insights) names
  in its spec (``x-job``) the GET that reads the resource the work belongs to; that GET names the
  status values that end the work (``x-terminal-states``). There is no job endpoint to read.
- DataRobot: the starting call answers 202 with a ``Location`` that can be polled; it is read with
  redirects off until it answers 303, whose ``Location`` is the result.

Waiting polls at ``interval`` seconds, growing by ``backoff`` up to ``max_interval``, sooner or
later as a ``Retry-After`` says, until ``timeout`` (JobTimeoutError; the work goes on). If the
task waiting is cancelled, the work is cancelled too: Qlik's jobs cancel endpoint (``x-job``'s
``cancel``), or DataRobot's DELETE on the polled job URL when the spec has one; unless
``wait(cancel_on_cancel=False)``, which only stops waiting.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from yarl import URL

from . import _constants as const
from ._wire import (
    UNSET,
    Operation,
    OperationKey,
    Request,
    Response,
    TerminalStates,
    endpoint_module,
    endpoint_of,
    operation_table,
    parse_body,
)
from .errors import InvalidRequestError, JobError, JobFailedError, JobTimeoutError
from .retry import parse_retry_after

if TYPE_CHECKING:
    from .client import BaseClient

__all__ = ["Job", "start_job"]

log = logging.getLogger("aioautoml.jobs")

T = TypeVar("T")


# DataRobot's Location URLs (e.g. /api/v2/status/{id}/) are not all in the spec: they are read
# through these two rows, which go to the vendor's default bucket like every DataRobot call.
def _location_get(operation_id: str, success: tuple[tuple[int, str | None], ...]) -> Operation:
    return Operation(
        id=operation_id,
        python_name=operation_id,
        api="",
        module="",
        method="GET",
        path="",
        parameters=(),
        tier=None,
        rate_limit=None,
        idempotent=True,
        success=success,
    )


_POLL = _location_get("pollJobLocation", ((200, "application/json"), (303, None)))  # redirects off: see the 303
_FETCH = _location_get("fetchJobResult", ((200, "application/json"),))


class _Progress(Protocol):
    """One way of following a job: poll once, and cancel."""

    async def poll(self, client: BaseClient) -> tuple[bool, Any, float | None]:
        """(finished, result, the server's Retry-After)."""

    async def cancel(self, client: BaseClient) -> None: ...


class Job(Generic[T]):
    """Work in progress. ``await job`` (or ``await job.wait(...)``) returns the finished result, a
    ``T``: the resource read in its success state (Qlik), or the body the 303 pointed at
    (DataRobot). ``T`` comes from the operation that started it (codegen marks each such method
    with what its work ends on), so a type checker knows it."""

    def __init__(self, client: BaseClient, operation: Operation, started: Response[Any], progress: _Progress) -> None:
        self._client = client
        self.operation = operation
        self.started = started  # the starting call's response (status, headers, parsed body)
        self._progress = progress

    def __await__(self) -> Generator[Any, None, T]:
        return self.wait().__await__()

    async def wait(
        self,
        *,
        timeout: float | None = const.DEFAULT_JOB_TIMEOUT,  # noqa: ASYNC109 - the wait's deadline, not a call's
        interval: float = const.DEFAULT_POLL_INTERVAL,
        max_interval: float = const.DEFAULT_POLL_MAX_INTERVAL,
        backoff: float = const.DEFAULT_POLL_BACKOFF,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        cancel_on_cancel: bool = True,
    ) -> T:
        """Poll until the job ends; raise JobFailedError or JobTimeoutError otherwise.

        If the waiting task is cancelled, the work is cancelled too, unless ``cancel_on_cancel``
        is False: then only the waiting stops and the work goes on (the command line's Ctrl-C).
        """
        if interval <= 0 or max_interval < interval or backoff < 1:
            raise InvalidRequestError("need 0 < interval <= max_interval and backoff >= 1")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            while True:
                finished, result, retry_after = await self._progress.poll(self._client)
                if finished:
                    return result  # type: ignore[no-any-return]  # what the starting method's mark says
                # A server-given wait is honoured up to max_interval: it never stretches a poll beyond it.
                delay = min(retry_after, max_interval) if retry_after is not None else interval
                if deadline is not None and loop.time() + delay > deadline:
                    raise JobTimeoutError(
                        f"{self.operation.id}: the job did not finish within {timeout:g} s (it is still running)"
                    )
                await sleep(delay)
                interval = min(max_interval, interval * backoff)
        except asyncio.CancelledError:
            if cancel_on_cancel:
                await self._cancel_quietly()
            raise

    async def cancel(self) -> None:
        """Ask the server to cancel the work."""
        await self._progress.cancel(self._client)

    async def _cancel_quietly(self) -> None:
        try:
            async with asyncio.timeout(const.JOB_CANCEL_TIMEOUT):
                await asyncio.shield(self._progress.cancel(self._client))
        except Exception as exc:  # the waiting task is being cancelled: report, do not mask that
            log.warning("%s: cancelling the job after the wait was cancelled failed: %r", self.operation.id, exc)

    def __repr__(self) -> str:
        return f"<Job {self.operation.id} {self._progress!r}>"


async def start_job(
    client: BaseClient, method: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> Job[Any]:
    endpoint = endpoint_of(method)
    operation: Operation = endpoint.OPERATION
    if not hasattr(method, "__aioautoml_job_result__"):  # codegen's mark: x-job, x-job-result or a 202
        raise JobError(
            f"{operation.id} starts no long-running work its spec describes (no x-job, no 202 answer):"
            " call it directly; nothing was sent"
        )
    request: Request = endpoint.build_request(*args, **kwargs)
    raw = await client.send(request)
    started = Response.from_raw(raw, endpoint.parse_response)
    if operation.job is not None:
        arguments = inspect.signature(endpoint.build_request).bind(*args, **kwargs).arguments
        sources = _Sources(operation, arguments, request.json, raw.json() if raw.content else None)
        return Job(client, operation, started, _ResourcePoll.for_job(operation, sources))
    location = raw.headers.get("Location")
    if location:
        return Job(client, operation, started, _LocationPoll(operation, location))
    raise JobError(
        f"{operation.id} does not start a job this client can follow: its spec has no x-job and the"
        f" response ({raw.status_code}) has no Location header"
    )


# ---------------------------------------------------------------------------------------------
# Qlik: poll the resource the work belongs to


@dataclass(frozen=True, slots=True)
class _Sources:
    """Where x-job's parameter sources ("path:x", "request:/p", "response:/p", "const:v") look."""

    operation: Operation
    arguments: Mapping[str, Any]  # the starting call's arguments, by Python name
    request_body: Any
    response_body: Any

    def value(self, source: str) -> Any:
        kind, _, ref = source.partition(":")
        if kind == "const":
            return ref
        if kind == "path":
            return self.arguments[self.operation.python_name_of(ref)]
        if kind in ("request", "response"):
            document = self.request_body if kind == "request" else self.response_body
            document = document.to_dict() if hasattr(document, "to_dict") else document
            return json_pointer(document, ref)
        raise JobError(f"{self.operation.id}: unknown x-job parameter source {source!r}")

    def values(self, spec: Mapping[str, str], target: Operation) -> dict[str, Any]:
        try:
            return {target.python_name_of(name): self.value(source) for name, source in spec.items()}
        except (KeyError, IndexError, TypeError) as exc:
            raise JobError(f"{self.operation.id}: cannot fill {target.id}'s parameters from {spec}: {exc!r}") from exc


class _ResourcePoll:
    def __init__(
        self, poll: ModuleType, params: dict[str, Any], cancel: ModuleType | None, cancel_params: dict[str, Any]
    ) -> None:
        self._poll = poll
        self._params = params
        self._cancel = cancel
        self._cancel_params = cancel_params
        terminal = poll.OPERATION.terminal_states
        if terminal is None:
            raise JobError(f"{poll.OPERATION.id} has no x-terminal-states in its spec: nothing says when work ends")
        self._terminal: TerminalStates = terminal

    @classmethod
    def for_job(cls, operation: Operation, sources: _Sources) -> _ResourcePoll:
        job = operation.job
        assert job is not None
        poll = endpoint_by_key(operation.api, job.poll)
        cancel = endpoint_by_key(operation.api, job.cancel) if job.cancel else None
        return cls(
            poll,
            sources.values(job.params, poll.OPERATION),
            cancel,
            sources.values(job.cancel_params, cancel.OPERATION) if cancel else {},
        )

    async def poll(self, client: BaseClient) -> tuple[bool, Any, float | None]:
        raw = await client.send(self._poll.build_request(**self._params))
        resource = parse_body(raw, self._poll.parse_response)
        try:
            status = json_pointer(raw.json(), self._terminal.pointer)
        except (KeyError, IndexError, TypeError):
            status = None
        if status in self._terminal.success:
            return True, resource, None
        if status in self._terminal.failure:
            raise JobFailedError(
                f"{self._poll.OPERATION.id} {self._params}: the work ended in {status!r}",
                status=status,
                resource=resource,
            )
        return False, None, parse_retry_after(raw.headers.get("Retry-After"))

    async def cancel(self, client: BaseClient) -> None:
        if self._cancel is not None:
            await client.send(self._cancel.build_request(**self._cancel_params))

    def __repr__(self) -> str:
        return f"polling {self._poll.OPERATION.id} {self._params}"


# ---------------------------------------------------------------------------------------------
# DataRobot: poll the Location until it answers 303


class _LocationPoll:
    def __init__(self, operation: Operation, location: str) -> None:
        self._operation = operation
        self._location = location
        self._known = operation_for_url(operation.api, "GET", location)

    async def poll(self, client: BaseClient) -> tuple[bool, Any, float | None]:
        raw = await client.send(Request(operation=_POLL, path=self._location))
        if raw.status_code == 303:
            target = raw.headers.get("Location")
            if not target:
                raise JobError(f"{self._location} answered 303 without a Location")
            return True, await self._fetch(client, str(URL(self._location).join(URL(target)))), None
        terminal = self._known[0].OPERATION.terminal_states if self._known else None
        if terminal is not None:
            try:
                status = json_pointer(raw.json(), terminal.pointer)
            except (KeyError, IndexError, TypeError, ValueError):
                status = None
            if status in terminal.failure:
                raise JobFailedError(
                    f"{self._location}: the job ended in {status!r}", status=status, resource=raw.json()
                )
        return False, None, parse_retry_after(raw.headers.get("Retry-After"))

    async def _fetch(self, client: BaseClient, url: str) -> Any:
        # The operation whose path the 303's target has (the spec's x-job-result, typically) parses it.
        known = operation_for_url(self._operation.api, "GET", url)
        if known is None:
            return (await client.send(Request(operation=_FETCH, path=url))).json()
        endpoint, _ = known
        raw = await client.send(Request(operation=endpoint.OPERATION, path=url))
        return parse_body(raw, endpoint.parse_response)

    async def cancel(self, client: BaseClient) -> None:
        known = operation_for_url(self._operation.api, "DELETE", self._location)
        if known is not None:
            await client.send(Request(operation=known[0].OPERATION, path=self._location))

    def __repr__(self) -> str:
        return f"polling {self._location}"


# ---------------------------------------------------------------------------------------------
# Looking operations up


def endpoint_by_key(api: str, key: OperationKey) -> ModuleType:
    """The endpoint module of the operation at (method, path) in a generated package."""
    operation = operation_table(api).get(key)
    if operation is None:
        raise JobError(f"no operation {key[0]} {key[1]} in {api}")
    return endpoint_module(operation)


@cache
def _path_patterns(api: str) -> list[tuple[re.Pattern[str], Operation]]:
    if not api:
        return []
    patterns = []
    for op in operation_table(api).values():
        regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(op.path))
        patterns.append((re.compile(f"^{regex}$"), op))
    return patterns


def operation_for_url(api: str, method: str, url: str) -> tuple[ModuleType, str] | None:
    """The endpoint whose path template matches ``url``'s path, for ``method``."""
    path = URL(url).raw_path
    for pattern, operation in _path_patterns(api):
        if operation.method == method and pattern.match(path):
            return endpoint_module(operation), path
    return None


def json_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: ``/data/attributes/status`` into a decoded JSON document."""
    if document is UNSET:
        raise KeyError(pointer)
    if pointer in ("", "/"):
        return document
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document
