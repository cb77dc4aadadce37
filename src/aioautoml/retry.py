"""What kind of failure an attempt met, whether to try again, and after how long.

The loop that asks lives in ``client.py``. A request is repeated only when that cannot do harm:

- a 429, and a connection that failed before anything was sent: any method;
- a 502/503/504, a timeout, a connection dropped after sending, a body cut short, an answer that
  could not be read (a bad status line, an oversize header): only idempotent operations (GET,
  HEAD, PUT, DELETE, OPTIONS, or marked ``x-idempotent`` in the spec). A POST or PATCH that may
  have reached the server is never resent: the error says its outcome is unknown.

Every wait is bounded: a server asking (``Retry-After``, on any status) for longer than
``max_retry_after`` gets its error raised at once rather than a sleep.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiohttp

from . import _constants as const
from .errors import InvalidRequestError

__all__ = ["FailureKind", "RetryPolicy", "classify_exception", "classify_status", "parse_retry_after", "retry_delay"]


class FailureKind(enum.Enum):
    RATE_LIMITED = "429"
    UNAUTHORIZED = "401"  # the credential may refresh once; never retried otherwise
    NOT_SENT = "connection failed before sending"
    SERVER_ERROR = "server error"  # 502/503/504
    TIMEOUT = "timeout"
    DROPPED = "connection dropped after sending"  # also a body cut short, an unreadable answer
    FINAL = "not retryable"


def classify_status(status: int) -> FailureKind:
    """The kind of an error status (4xx/5xx)."""
    if status == 429:
        return FailureKind.RATE_LIMITED
    if status == 401:
        return FailureKind.UNAUTHORIZED
    if status in const.RETRYABLE_STATUSES:
        return FailureKind.SERVER_ERROR
    return FailureKind.FINAL


def classify_exception(exc: BaseException) -> FailureKind:
    """The kind of an aiohttp or timeout failure (no usable response)."""
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientConnectorSSLError)):
        return FailureKind.FINAL  # the same certificate fails the same way again
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)):
        return FailureKind.NOT_SENT
    if isinstance(exc, TimeoutError):  # also aiohttp's ServerTimeoutError (sock_read)
        return FailureKind.TIMEOUT
    # Reset or disconnected after sending, a body cut short, and an answer aiohttp's parser
    # refused (a bad status line, a header over 8190 bytes, which it reports as a
    # ClientResponseError(400) although no server said 400), too many redirects, an invalid
    # redirect: the request may have been acted on.
    return FailureKind.DROPPED


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many attempts a request gets, and how long to wait between them."""

    max_attempts: int = const.DEFAULT_MAX_ATTEMPTS  # the first attempt included; 1 turns retries off
    backoff_base: float = const.DEFAULT_BACKOFF_BASE
    backoff_max: float = const.DEFAULT_BACKOFF_MAX
    max_retry_after: float = const.DEFAULT_MAX_RETRY_AFTER  # a longer server-given wait raises at once

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidRequestError(f"RetryPolicy.max_attempts must be at least 1, not {self.max_attempts!r}")
        for name in ("backoff_base", "backoff_max", "max_retry_after"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InvalidRequestError(f"RetryPolicy.{name} must be a finite number of seconds >= 0, not {value!r}")

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff after the ``attempt``-th try (1-based)."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))


def waits_too_long(policy: RetryPolicy, retry_after: float | None) -> bool:
    """The server's Retry-After is longer than the policy waits (what makes retry_delay give up on a
    failure it would otherwise retry, once the kind and the attempts left allow one)."""
    return retry_after is not None and retry_after > policy.max_retry_after


def retry_delay(
    policy: RetryPolicy, kind: FailureKind, *, idempotent: bool, attempt: int, retry_after: float | None = None
) -> float | None:
    """Seconds to wait before attempt ``attempt + 1``, or None to give up and raise."""
    if kind in (FailureKind.FINAL, FailureKind.UNAUTHORIZED) or attempt >= policy.max_attempts:
        return None
    if waits_too_long(policy, retry_after):
        return None  # the server asks for longer than we wait: say so now rather than sleep
    if kind is FailureKind.RATE_LIMITED:
        return retry_after if retry_after is not None else policy.backoff(attempt)
    if kind is FailureKind.NOT_SENT:
        return policy.backoff(attempt)
    if not idempotent:
        return None  # SERVER_ERROR, TIMEOUT, DROPPED: the request may have been acted on
    return max(policy.backoff(attempt), retry_after or 0.0)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110, section 10.2.3).

    None when absent or unusable: text that is neither, ``nan``, or a negative number (delta-seconds
    are non-negative). ``inf`` (or a number too large to be finite) is kept as infinity, so the
    caller's cap makes it raise at once. A date in the past is 0.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if math.isnan(seconds) or seconds < 0:
            return None
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
