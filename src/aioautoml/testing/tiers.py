"""Qlik's rate tiers as a tenant enforces them: a sliding window per token and tier, and a 429
with ``Retry-After`` that blocks the whole tier until the window has room again."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import web

from .._wire import Operation
from .responses import error

# A tier's limit: (requests, per seconds). The documented ones, per minute:
QLIK_TIERS: Mapping[str, tuple[int, float]] = {"1": (1000, 60.0), "2": (100, 60.0)}

# The bucket of operations without a Qlik tier (DataRobot's).
DEFAULT_TIER = "default"


@dataclass
class _Window:
    """One token's sliding window on one tier."""

    times: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0


class RateTiers:
    """The windows of every (token, tier); ``tiers`` and ``default`` can be changed at any time."""

    def __init__(
        self,
        tiers: Mapping[str, tuple[int, float]] | None,
        default: tuple[int, float] | None = None,
        *,
        fractional_retry_after: bool = False,
    ) -> None:
        self.tiers = dict(tiers) if tiers is not None else {}
        self.default = default  # DataRobot documents no tiers: None leaves it unlimited
        self.fractional_retry_after = fractional_retry_after  # else whole seconds, rounded up
        self.rate_limited = 0  # 429s sent
        self._windows: dict[tuple[str, str], _Window] = {}

    def admit(self, token: str, operation: Operation, now: float) -> web.Response | None:
        """None if the request may go on, else the 429 to answer."""
        tier = operation.tier if operation.tier is not None else DEFAULT_TIER
        limit = self.tiers.get(tier) if operation.tier is not None else self.default
        if limit is None:
            return None
        allowed, window = limit
        state = self._windows.setdefault((token, tier), _Window())
        while state.times and state.times[0] <= now - window:
            state.times.popleft()
        if state.blocked_until <= now and len(state.times) < allowed:
            state.times.append(now)
            return None
        # Over the limit: the whole tier is blocked until the window has room again.
        state.blocked_until = max(state.blocked_until, state.times[0] + window if state.times else now)
        wait = state.blocked_until - now
        self.rate_limited += 1
        retry_after = f"{wait:.3f}" if self.fractional_retry_after else str(max(1, math.ceil(wait)))
        return error(429, "RATE-LIMIT", "Too many requests", f"tier {tier} is limited", {"Retry-After": retry_after})
