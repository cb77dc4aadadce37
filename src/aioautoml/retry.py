"""Whether to try a failed request again, and after how long. The loop lives in client.py.

A request is repeated only when that cannot do harm:

- a 429, and a connection that failed before anything was sent: any method;
- a 502/503/504, a timeout, a connection dropped after sending, a body cut short: only
  idempotent operations (GET, HEAD, PUT, DELETE, OPTIONS, or marked ``x-idempotent`` in the
  spec). A POST or PATCH that may have reached the server is never resent: the error says so.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from . import _constants as const

__all__ = ["FailureKind", "RetryPolicy", "parse_retry_after", "retry_delay"]


class FailureKind(enum.Enum):
    RATE_LIMITED = "429"
    NOT_SENT = "connection failed before sending"
    SERVER_ERROR = "server error"  # 502/503/504
    TIMEOUT = "timeout"
    DROPPED = "connection dropped after sending"
    FINAL = "not retryable"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many attempts a request gets, and how long to wait between them."""

    max_attempts: int = const.DEFAULT_MAX_ATTEMPTS  # the first attempt included; 1 turns retries off
    backoff_base: float = const.DEFAULT_BACKOFF_BASE
    backoff_max: float = const.DEFAULT_BACKOFF_MAX
    max_retry_after: float = const.DEFAULT_MAX_RETRY_AFTER

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be at least 1, not {self.max_attempts!r}")

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff after the ``attempt``-th try (1-based)."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))


def retry_delay(
    policy: RetryPolicy, kind: FailureKind, *, idempotent: bool, attempt: int, retry_after: float | None = None
) -> float | None:
    """Seconds to wait before attempt ``attempt + 1``, or None to give up and raise."""
    if kind is FailureKind.FINAL or attempt >= policy.max_attempts:
        return None
    if kind is FailureKind.RATE_LIMITED:
        if retry_after is not None and retry_after > policy.max_retry_after:
            return None
        return retry_after if retry_after is not None else policy.backoff(attempt)
    if kind is FailureKind.NOT_SENT:
        return policy.backoff(attempt)
    if not idempotent:
        return None  # SERVER_ERROR, TIMEOUT, DROPPED: the request may have been acted on
    return max(policy.backoff(attempt), retry_after or 0.0)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110, section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
