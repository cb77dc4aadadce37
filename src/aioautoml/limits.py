"""Per-tier pacing: how fast requests start, how many are in flight, and the pause a 429 imposes.

Qlik limits each user per tenant per tier (Tier 1: 1000 requests/min, Tier 2: 100/min), and a
429 blocks the whole tier. So the rate budget (a :class:`Pacer`) is shared by every client of
one identity in the process, keyed by (event loop, origin, identity, tier); the in-flight cap
and the counters belong to each client (:class:`Tier`).

Pacing is aiolimiter's leaky bucket. Its capacity is the burst: a fresh bucket admits ``burst``
requests at once, then drains at ``(per_minute * (1 - headroom) - burst) / 60`` per second, so
that no 60-second window ever holds more than ``per_minute`` requests, the initial burst
included, with ``headroom`` (1%) to spare for requests that arrive closer together than they left.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Hashable
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from . import _constants as const

__all__ = ["Pacer", "Tier", "TierLimit", "TierStats"]


@dataclass(frozen=True, slots=True)
class TierLimit:
    """How one tier is paced. ``per_minute=None`` paces nothing (only ``max_in_flight`` applies)."""

    per_minute: float | None
    burst: int | None = None  # default: 1% of per_minute, at least 1
    max_in_flight: int = const.DEFAULT_MAX_IN_FLIGHT
    window: float = 60.0  # seconds over which per_minute is counted (a test server may scale it)
    headroom: float = const.DEFAULT_RATE_HEADROOM  # share of the allowance left unused, for jitter

    def __post_init__(self) -> None:
        if self.per_minute is not None and self.per_minute <= 0:
            raise ValueError(f"TierLimit.per_minute must be positive or None, not {self.per_minute!r}")
        if self.burst is not None and self.burst < 1:
            raise ValueError(f"TierLimit.burst must be at least 1, not {self.burst!r}")
        if self.per_minute is not None and self.effective_burst >= self.per_minute:
            raise ValueError(f"TierLimit.burst ({self.effective_burst}) must be below per_minute ({self.per_minute:g})")
        if not 0 <= self.headroom < 0.5:
            raise ValueError(f"TierLimit.headroom must be in [0, 0.5), not {self.headroom!r}")
        if self.max_in_flight < 1:
            raise ValueError(f"TierLimit.max_in_flight must be at least 1, not {self.max_in_flight!r}")

    @property
    def effective_burst(self) -> int:
        if self.burst is not None:
            return self.burst
        return max(1, int((self.per_minute or 0) * const.DEFAULT_BURST_FRACTION))

    @property
    def pace(self) -> tuple[float | None, int, float, float]:
        """What the shared pacer depends on (max_in_flight is each client's own)."""
        return self.per_minute, self.effective_burst, self.window, self.headroom

    def limiter(self) -> AsyncLimiter | None:
        if self.per_minute is None:
            return None
        burst = self.effective_burst
        drain_per_second = (self.per_minute * (1 - self.headroom) - burst) / self.window
        return AsyncLimiter(max_rate=burst, time_period=burst / drain_per_second)


@dataclass(slots=True)
class TierStats:
    """Counters of one client for one tier."""

    requests: int = 0  # attempts sent
    rate_limited: int = 0  # 429s received
    retries: int = 0  # attempts repeated (after a 429, a failure, a 5xx)
    waits: int = 0  # requests that had to wait for the pacer or a 429 pause
    waited_seconds: float = 0.0


class Pacer:
    """The rate budget of one (origin, identity, tier): a leaky bucket and a 429 pause."""

    __slots__ = ("_limiter", "_resume_at", "limit")

    def __init__(self, limit: TierLimit) -> None:
        self.limit = limit
        self._limiter = limit.limiter()
        self._resume_at = 0.0  # loop time before which no request of the tier starts

    def pause(self, seconds: float) -> None:
        """Hold every request of this tier for ``seconds`` (a 429's Retry-After)."""
        loop = asyncio.get_running_loop()
        self._resume_at = max(self._resume_at, loop.time() + seconds)

    @property
    def is_open(self) -> bool:
        if self._limiter is not None:
            return False
        return self._resume_at == 0.0 or self._resume_at <= asyncio.get_running_loop().time()

    @property
    def paused_for(self) -> float:
        return max(0.0, self._resume_at - asyncio.get_running_loop().time())

    async def wait_turn(self) -> float | None:
        """Wait until a request may start; return the seconds waited, None if it did not wait."""
        limiter = self._limiter
        if self.paused_for <= 0 and (limiter is None or limiter.has_capacity()):
            if limiter is not None:
                await limiter.acquire()  # capacity is there: returns at once
            return None
        loop = asyncio.get_running_loop()
        start = loop.time()
        await self._wait_pause()
        if limiter is not None:
            await limiter.acquire()
            await self._wait_pause()  # a 429 may have paused the tier while we queued
        return loop.time() - start

    async def _wait_pause(self) -> None:
        # Sleeps to a deadline rather than polling; a later 429 may move the deadline on.
        while (delay := self.paused_for) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)

    def __repr__(self) -> str:
        return f"<Pacer {self.limit} paused_for={self.paused_for if _loop_running() else 0:.3f}s {self._limiter!r}>"


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


_PACERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, Pacer]] = weakref.WeakKeyDictionary()


def shared_pacer(key: Hashable, limit: TierLimit) -> Pacer:
    """The process-wide pacer for ``key`` in the running loop, created on first use."""
    pacers = _PACERS.setdefault(asyncio.get_running_loop(), {})
    pacer = pacers.get(key)
    if pacer is None:
        pacer = pacers[key] = Pacer(limit)
    elif pacer.limit.pace != limit.pace:
        raise ValueError(
            f"another client of the same identity already paces this tier at {pacer.limit}; this one asks for"
            f" {limit}. Use the same limits, or give this client its own rate_key."
        )
    return pacer


class Tier:
    """One client's view of a tier: the shared pacer, its own in-flight cap and counters."""

    __slots__ = ("_pacer", "_semaphore", "key", "limit", "name", "paced", "stats")

    def __init__(self, name: str, limit: TierLimit, key: Hashable, *, paced: bool = True) -> None:
        self.name = name
        self.limit = limit
        # Unpaced clients share only the 429 pause, never a bucket with paced ones.
        self.key = key if paced else (key, "unpaced")
        self.paced = paced
        self.stats = TierStats()
        self._semaphore = asyncio.Semaphore(limit.max_in_flight) if paced else None
        self._pacer: Pacer | None = None

    def pacer(self) -> Pacer:
        # Bound on first use: a client's session, and so its tiers, live in one event loop.
        if self._pacer is None:
            self._pacer = shared_pacer(self.key, self.limit if self.paced else TierLimit(None))
        return self._pacer

    async def acquire(self) -> None:
        """Take one in-flight place of this tier, once the pacer lets the request start."""
        if self._semaphore is not None:
            await self._semaphore.acquire()
        pacer = self.pacer()
        if pacer.is_open:  # unpaced and not paused: nothing to wait for
            self.stats.requests += 1
            return
        try:
            waited = await pacer.wait_turn()
        except BaseException:
            self.release()
            raise
        if waited is not None:
            self.stats.waits += 1
            self.stats.waited_seconds += waited
        self.stats.requests += 1

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()

    def pause(self, seconds: float) -> None:
        self.pacer().pause(seconds)

    def __repr__(self) -> str:
        return f"<Tier {self.name} {self.limit} {self.stats}>"
