"""Every exception aioautoml raises, in one tree::

    AioAutoMLError
    ├── InvalidRequestError          bad arguments, caught before anything is sent
    ├── ClientStateError             the client is closed, or belongs to another event loop
    ├── ConfigurationError           from_env(): settings missing or contradictory (names, never values)
    ├── RateStoreError               the shared rate store (Redis) failed before the request was sent
    ├── OAuthError                   the token endpoint refused the client credentials, or answered badly
    ├── APIConnectionError           no usable response (outcome_unknown: it may have been acted on)
    │   └── APITimeoutError
    ├── RedirectError                a redirect not followed: it would re-send the body to another origin
    ├── APIStatusError               the server answered 4xx/5xx (status, method, url, request_id, body)
    │   ├── BadRequestError          400
    │   ├── UnauthorizedError        401
    │   ├── ForbiddenError           403
    │   ├── NotFoundError            404
    │   ├── ConflictError            409
    │   ├── UnprocessableEntityError 422
    │   ├── RateLimitError           429 after the last attempt (retry_after, tier)
    │   └── ServerError              5xx
    ├── UnexpectedStatusError        a success status the spec does not document
    ├── ResponseParseError           a documented body that could not be parsed at all
    ├── PagingError                  a next link to another origin, or a non-list operation
    └── JobError
        ├── JobFailedError           the work reached a failure state
        └── JobTimeoutError          the wait ran out of time (the job goes on)

Messages, reprs and tracebacks never contain the bearer token: requests are described by
method and URL only, and URLs never carry credentials here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

__all__ = [
    "AioAutoMLError",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "BadRequestError",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "ErrorDetail",
    "ForbiddenError",
    "InvalidRequestError",
    "JobError",
    "JobFailedError",
    "JobTimeoutError",
    "NotFoundError",
    "OAuthError",
    "PagingError",
    "RateLimitError",
    "RateStoreError",
    "RedirectError",
    "ResponseParseError",
    "ServerError",
    "UnauthorizedError",
    "UnexpectedStatusError",
    "UnprocessableEntityError",
    "make_connection_error",
    "make_status_error",
]

# Headers that identify a request in the vendor's logs, most specific first.
REQUEST_ID_HEADERS = ("X-Request-Id", "X-Trace-Id", "X-Qlik-Trace-Id", "X-B3-TraceId", "Traceparent")

_OUTCOME_UNKNOWN = (
    " The request may have reached the server and was not resent because {method} is not"
    " idempotent: its outcome is unknown."
)


class AioAutoMLError(Exception):
    """The base of every aioautoml error."""


class InvalidRequestError(AioAutoMLError, ValueError):
    """An argument that cannot be sent (an empty or '..' path parameter, ...)."""


class ClientStateError(AioAutoMLError, RuntimeError):
    """The client cannot send from here: it is closed, or its connections belong to another event
    loop than the running one (a client is used in one loop: make one per ``asyncio.run``)."""


class ConfigurationError(AioAutoMLError, ValueError):
    """The environment (or a drconfig.yaml) does not say how to build a client: a setting is
    missing, malformed or contradicts another. ``found`` names what was read (variable names and
    files, never their values); ``problems`` says what is wrong; the message also says what is needed.
    """

    def __init__(self, client: str, problems: list[str], *, found: list[str], needed: str) -> None:
        self.problems = list(problems)
        self.found = list(found)
        self.needed = needed
        lines = [f"cannot configure {client}:", *(f"  - {problem}" for problem in problems)]
        lines.append(f"  found: {', '.join(found) if found else 'nothing'}")
        lines.append(f"  needed: {needed}")
        super().__init__("\n".join(lines))


class RateStoreError(AioAutoMLError):
    """The shared rate store (``rate_store="redis://..."``) could not reserve a request's place:
    unreachable, timed out or failing. Raised before the request is sent, so nothing was sent.
    ``store`` names the store (its URL without a password)."""

    def __init__(self, store: str, cause: BaseException) -> None:
        self.store = store
        super().__init__(
            f"the rate store {store} failed ({type(cause).__name__}: {cause}); the request was not sent."
            " Start the store, or pass on_store_error='local' to pace per process at a share of the tier."
        )


class OAuthError(AioAutoMLError):
    """The token endpoint did not issue a token: an OAuth error answer (RFC 6749 section 5.2:
    ``error`` and ``error_description``), another error status, or a success answer without a
    usable ``access_token``. ``status`` is None when there was no error status (a malformed answer).

    The message names the token URL, the status and the OAuth error code; never the secret.
    """

    def __init__(
        self, url: str, *, status: int | None, error: str | None = None, description: str | None = None
    ) -> None:
        self.url = url
        self.status = status
        self.error = error
        self.description = description
        message = f"token request to {url} failed"
        if status is not None:
            message += f" with {status}"
        if error:
            message += f": {error}"
        if description:
            message += f" ({description})" if error else f": {description}"
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One entry of a vendor error body: Qlik's errors[] items, or DataRobot's message."""

    code: str | None = None
    title: str | None = None
    detail: str | None = None
    status: str | None = None

    def __str__(self) -> str:
        head = ": ".join(part for part in (self.code, self.title) if part)
        return f"{head} ({self.detail})" if head and self.detail else head or self.detail or ""


def parse_error_body(content: bytes) -> tuple[Any, list[ErrorDetail], str | None]:
    """(decoded body, error entries, trace id) from a Qlik or DataRobot error body."""
    try:
        body: Any = json.loads(content) if content else None
    except ValueError:
        body = content.decode("utf-8", errors="replace")
    details: list[ErrorDetail] = []
    trace_id = None
    if isinstance(body, Mapping):
        for item in body.get("errors") or []:  # Qlik: {"errors": [{code, title, detail, status}]}
            if isinstance(item, Mapping):
                details.append(ErrorDetail(*(_text(item.get(key)) for key in ("code", "title", "detail", "status"))))
        if not details and isinstance(body.get("message"), str):  # DataRobot: {"message": "..."}
            details.append(ErrorDetail(detail=body["message"]))
        trace_id = _text(body.get("traceId"))
    return body, details, trace_id


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class APIConnectionError(AioAutoMLError):
    """No response was received. ``outcome_unknown``: the request may have reached the server."""

    def __init__(self, method: str, url: str, reason: str, *, outcome_unknown: bool = False) -> None:
        self.method = method
        self.url = url
        self.outcome_unknown = outcome_unknown
        message = f"{method} {url}: {reason}"
        if outcome_unknown:
            message += _OUTCOME_UNKNOWN.format(method=method)
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """The request timed out."""


def make_connection_error(
    exc: BaseException, method: str, url: str, *, not_sent: bool, outcome_unknown: bool
) -> APIConnectionError:
    """The one mapping from an aiohttp (or timeout) failure to an APIConnectionError.

    aiohttp's own exception types never reach the caller: its parser reports an unreadable answer
    (a bad status line, a header over 8190 bytes) as ``ClientResponseError(400)`` although no
    server said 400, so the message names what happened instead of a status.
    """
    if isinstance(exc, TimeoutError) and not not_sent:
        return APITimeoutError(method, url, "timed out", outcome_unknown=outcome_unknown)
    if not_sent:
        reason = f"could not connect: {_cause(exc)}"
    elif isinstance(exc, aiohttp.TooManyRedirects):
        reason = f"too many redirects ({len(exc.history)})"
    elif isinstance(exc, aiohttp.ClientResponseError):
        reason = f"the response could not be read: {_plain(exc.message)}"
    elif isinstance(exc, aiohttp.ClientPayloadError):
        reason = f"the response body could not be read (cut short or badly encoded): {_plain(str(exc))}"
    else:
        reason = f"connection lost: {_cause(exc)}"
    return APIConnectionError(method, url, reason, outcome_unknown=outcome_unknown)


def _cause(exc: BaseException) -> str:
    # aiohttp's str() reads ("Cannot connect to host h:443 ssl:default [Connection refused]"); its
    # repr() spells out the connection key's every field.
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _plain(message: str) -> str:
    # aiohttp prefixes parser errors with the 400 it files them under: drop it, no server said so.
    return re.sub(r"^\d{3}, message[:=]\s*", "", " ".join(message.split())).strip("'\"")


class RedirectError(AioAutoMLError):
    """A redirect was not followed: it would have re-sent the request body to another origin.

    Nothing was sent to ``location``. aiohttp re-sends the body on a 307/308 for any method, and on
    a 301/302 for every method but POST; the token is never sent there either way.
    """

    def __init__(self, method: str, url: str, location: str) -> None:
        self.method = method
        self.url = url
        self.location = location
        super().__init__(
            f"{method} {url} was redirected to another origin ({location}); the redirect was not followed,"
            " so the request body was not re-sent there and nothing was sent to that host"
        )


class APIStatusError(AioAutoMLError):
    """The server answered with an error status."""

    def __init__(
        self,
        status: int,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes = b"",
        outcome_unknown: bool = False,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.headers: Mapping[str, str] = headers or {}
        self.content = content
        self.body, self.errors, trace_id = parse_error_body(content)
        self.request_id = next((self.headers[h] for h in REQUEST_ID_HEADERS if h in self.headers), None) or trace_id
        self.outcome_unknown = outcome_unknown
        super().__init__(self._message())

    def _message(self) -> str:
        message = f"{self.status} on {self.method} {self.url}"
        if self.errors:
            message += ": " + "; ".join(str(e) for e in self.errors)
        if self.request_id:
            message += f" [request id {self.request_id}]"
        if self.outcome_unknown:
            message += "." + _OUTCOME_UNKNOWN.format(method=self.method)
        return message


class BadRequestError(APIStatusError):
    """400."""


class UnauthorizedError(APIStatusError):
    """401: the token is missing, invalid or expired (a token provider was asked once more)."""


class ForbiddenError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429 on the last attempt. ``retry_after``: the server's requested wait, in seconds."""

    def __init__(self, *args: Any, retry_after: float | None = None, tier: str | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        self.tier = tier
        super().__init__(*args, **kwargs)

    def _message(self) -> str:
        message = super()._message()
        if self.retry_after is not None:
            message += f" (the server asked to wait {self.retry_after:g} s)"
        return message


class ServerError(APIStatusError):
    """5xx."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def make_status_error(
    status: int,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes = b"",
    outcome_unknown: bool = False,
    retry_after: float | None = None,
    tier: str | None = None,
) -> APIStatusError:
    """The one mapping from an error status to its exception class."""
    if status == 429:
        return RateLimitError(status, method, url, headers=headers, content=content, retry_after=retry_after, tier=tier)
    cls = _STATUS_ERRORS.get(status) or (ServerError if status >= 500 else APIStatusError)
    return cls(status, method, url, headers=headers, content=content, outcome_unknown=outcome_unknown)


class UnexpectedStatusError(AioAutoMLError):
    """A success status the spec does not document for the operation."""

    def __init__(self, status: int, content: bytes, method: str, url: str) -> None:
        self.status = status
        self.content = content
        super().__init__(f"{method} {url} answered {status}, which its spec does not document")


class ResponseParseError(AioAutoMLError):
    """The body of a documented response could not be parsed (it is kept in ``content``)."""

    def __init__(self, method: str, url: str, status: int, content: bytes, cause: Exception) -> None:
        self.status = status
        self.content = content
        super().__init__(f"{method} {url} answered {status} with a body that does not parse: {cause!r}")


class PagingError(AioAutoMLError):
    """Paging cannot go on safely (a next link to another origin, a non-list operation)."""


class JobError(AioAutoMLError):
    """A long-running job did not end well."""


class JobFailedError(JobError):
    """The job reached a failure state; ``status`` and ``resource`` say which and where."""

    def __init__(self, message: str, *, status: str | None = None, resource: Any = None) -> None:
        self.status = status
        self.resource = resource
        super().__init__(message)


class JobTimeoutError(JobError, TimeoutError):
    """The wait ran out of time; the job itself may still be running."""
