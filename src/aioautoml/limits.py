"""Per-tier pacing: how fast requests start, how many are in flight, and the pause a 429 imposes.

Qlik limits each user per tenant per tier (Tier 1: 1000 requests/min, Tier 2: 100/min), and a
429 blocks the whole tier. So the rate budget (a :class:`Pacer`) belongs to one
(origin, identity, tier) — a :class:`TierKey` — and is shared by every client of that identity:
in the process by default (:class:`LocalStore`), or across processes through a shared store
(``aioautoml.redis_store``). The in-flight cap and the counters belong to each client
(:class:`Tier`); a request holds a :class:`Slot` of its tier while it is on the wire.

Pacing is aiolimiter's leaky bucket. Its capacity is the burst: a fresh bucket admits ``burst``
requests at once, then drains at ``(per_minute * (1 - headroom) - burst) / 60`` per second, so
that no 60-second window ever holds more than ``per_minute`` requests, the initial burst
included, with ``headroom`` (1%) to spare for requests that arrive closer together than they left.

After a 429's pause ends, **one request goes first** (the probe); the rest of the tier follows
once it is answered with anything but a 429 (or fails without an answer: a timeout, a dropped
connection). A 429 to the probe renews the pause, and the next probe follows it. If the probe's
task is cancelled before it is answered, the next waiting request probes instead. So the tier is
never left shut: it opens on the probe's first non-429 outcome.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, NamedTuple, Protocol, TypeVar

from aiolimiter import AsyncLimiter

from . import _constants as const
from .errors import InvalidRequestError
from .retry import FailureKind

__all__ = [
    "InFlight",
    "LocalPacer",
    "LocalStore",
    "Pacer",
    "Pacers",
    "RateStore",
    "Slot",
    "Tier",
    "TierKey",
    "TierLimit",
    "TierStats",
]


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
            raise InvalidRequestError(f"TierLimit.per_minute must be positive or None, not {self.per_minute!r}")
        if self.burst is not None and self.burst < 1:
            raise InvalidRequestError(f"TierLimit.burst must be at least 1, not {self.burst!r}")
        if self.per_minute is not None and self.effective_burst >= self.per_minute:
            raise InvalidRequestError(
                f"TierLimit.burst ({self.effective_burst}) must be below per_minute ({self.per_minute:g})"
            )
        if not 0 <= self.headroom < 0.5:
            raise InvalidRequestError(f"TierLimit.headroom must be in [0, 0.5), not {self.headroom!r}")
        if self.max_in_flight < 1:
            raise InvalidRequestError(f"TierLimit.max_in_flight must be at least 1, not {self.max_in_flight!r}")
        if self.window <= 0:
            raise InvalidRequestError(f"TierLimit.window must be positive, not {self.window!r}")

    @property
    def effective_burst(self) -> int:
        if self.burst is not None:
            return self.burst
        return max(1, int((self.per_minute or 0) * const.DEFAULT_BURST_FRACTION))

    @property
    def pace(self) -> tuple[float | None, int, float, float]:
        """What the shared pacer depends on (max_in_flight is each client's own)."""
        return self.per_minute, self.effective_burst, self.window, self.headroom

    @property
    def interval(self) -> float:
        """Seconds between two requests at the drained rate (after the burst)."""
        assert self.per_minute is not None
        return self.window / (self.per_minute * (1 - self.headroom) - self.effective_burst)

    def limiter(self) -> AsyncLimiter | None:
        if self.per_minute is None:
            return None
        burst = self.effective_burst
        return AsyncLimiter(max_rate=burst, time_period=burst * self.interval)


@dataclass(slots=True)
class TierStats:
    """Counters of one client for one tier."""

    requests: int = 0  # attempts sent
    rate_limited: int = 0  # 429s received
    retries: int = 0  # attempts repeated (after a 429, a failure, a 5xx, a refreshed token)
    waits: int = 0  # requests that had to wait for the pacer or a 429 pause
    waited_seconds: float = 0.0
    probes: int = 0  # requests sent alone after a 429 pause, before the rest of the tier


class TierKey(NamedTuple):
    """What one rate budget belongs to. ``identity`` is a hash or a name, never a token."""

    origin: str
    identity: str
    tier: str


# ---------------------------------------------------------------------------------------------
# Where a budget lives


class Pacer(Protocol):
    """The rate budget of one :class:`TierKey`: its pacing, its 429 pause and its probe."""

    limit: TierLimit

    def admit_now(self) -> bool:
        """Start a request at once if nothing holds it (no pause, no probe out, capacity); else False."""

    async def enter(self) -> tuple[float, bool]:
        """Wait until a request may start: (seconds waited, whether it is the post-pause probe)."""

    async def leave(self, *, probe: bool, pause: float | None, answered: bool) -> None:
        """A request of the tier is over. ``pause``: a 429 asked to hold the tier that long.
        ``answered``: False when it ended without an outcome (its task was cancelled)."""

    def paused_for(self) -> float:
        """Seconds left of the tier's pause (0 when it is not paused), as far as this process knows."""


class RateStore(Protocol):
    """Hands out the pacer of each :class:`TierKey` (in-process, or shared across processes)."""

    def pacer(self, key: TierKey, limit: TierLimit) -> Pacer: ...

    async def aclose(self) -> None: ...


class LocalPacer:
    """An in-process pacer: an aiolimiter bucket, a pause deadline and a probe gate."""

    __slots__ = ("_gate", "_limiter", "_needs_probe", "_resume_at", "limit")

    def __init__(self, limit: TierLimit) -> None:
        self.limit = limit
        self._limiter = limit.limiter()
        self._resume_at = 0.0  # loop time before which no request of the tier starts
        self._needs_probe = False  # a pause was set: the first request after it goes alone
        self._gate: asyncio.Event | None = None  # set while a probe is out; the others wait on it

    def admit_now(self) -> bool:
        if self._needs_probe or self._gate is not None:
            return False
        return self._limiter is None  # a bucket is only taken from through its own acquire()

    async def enter(self) -> tuple[float, bool]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        probe = False
        if self._needs_probe or self._gate is not None or self._resume_at > start:
            probe = await self._pass_gate(loop)
        try:
            if self._limiter is not None:
                await self._limiter.acquire()
                while not probe and (self._needs_probe or self._gate is not None or self._resume_at > loop.time()):
                    probe = await self._pass_gate(loop)  # a 429 paused the tier while we queued
        except BaseException:
            if probe:
                self._end_probe(answered=False)
            raise
        return loop.time() - start, probe

    async def _pass_gate(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Wait out the pause and any probe in flight; True if this request becomes the probe."""
        while True:
            delay = self._resume_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)  # a later 429 may move the deadline on: check again
            elif self._gate is not None:
                await self._gate.wait()
            elif self._needs_probe:
                self._needs_probe = False
                self._gate = asyncio.Event()
                return True
            else:
                return False

    async def leave(self, *, probe: bool, pause: float | None, answered: bool) -> None:
        if pause is not None:
            self.pause(pause)
        if probe:
            self._end_probe(answered=answered)

    def pause(self, seconds: float) -> None:
        """Hold every request of this tier for ``seconds`` (a 429's Retry-After), then probe."""
        loop = asyncio.get_running_loop()
        self._resume_at = max(self._resume_at, loop.time() + seconds)
        self._needs_probe = True

    def _end_probe(self, *, answered: bool) -> None:
        gate, self._gate = self._gate, None
        if not answered:
            self._needs_probe = True  # nothing was learnt: the next waiting request probes
        if gate is not None:
            gate.set()

    def paused_for(self) -> float:
        if self._resume_at == 0.0:
            return 0.0
        return max(0.0, self._resume_at - asyncio.get_running_loop().time())

    def __repr__(self) -> str:
        state = "probing" if self._gate is not None else "needs a probe" if self._needs_probe else "open"
        return f"<LocalPacer {self.limit} {state} {self._limiter!r}>"


P = TypeVar("P", bound=Pacer)


class Pacers(Generic[P]):
    """A store's pacers: one per (running event loop, TierKey), shared by every client asking for
    the key, which must ask for the same pacing (two rates cannot share one budget)."""

    def __init__(self) -> None:
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[TierKey, P]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, key: TierKey, limit: TierLimit, make: Callable[[], P]) -> P:
        pacers = self._by_loop.setdefault(asyncio.get_running_loop(), {})
        pacer = pacers.get(key)
        if pacer is None:
            pacer = pacers[key] = make()
        elif pacer.limit.pace != limit.pace:
            raise InvalidRequestError(
                f"another client of the same identity already paces tier {key.tier} at {pacer.limit}; this one"
                f" asks for {limit}. Use the same limits, or give this client its own rate_key."
            )
        return pacer

    def forget_loop(self) -> None:
        """Drop the running loop's pacers (its store is closing)."""
        self._by_loop.pop(asyncio.get_running_loop(), None)


class LocalStore:
    """The in-process store: one pacer per (event loop, TierKey), shared by every client."""

    def __init__(self) -> None:
        self._pacers: Pacers[LocalPacer] = Pacers()

    def pacer(self, key: TierKey, limit: TierLimit) -> LocalPacer:
        return self._pacers.get(key, limit, lambda: LocalPacer(limit))

    async def aclose(self) -> None:
        pass  # nothing to close: the pacers go with their event loop


LOCAL_STORE = LocalStore()


# ---------------------------------------------------------------------------------------------
# One client's view of a tier


class InFlight:
    """A cap on requests in flight, FIFO: asyncio.Semaphore's job, with a synchronous fast path.

    Every request takes a place, so the common case (a place free) must not cost a coroutine and
    a generator (asyncio.Semaphore.acquire and its locked() in Python 3.11); a request that waits
    gets a future, and a place given back is handed to the oldest waiter still waiting.
    """

    __slots__ = ("_waiters", "cap", "taken")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.taken = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    def take_now(self) -> bool:
        if self.taken < self.cap and not self._waiters:
            self.taken += 1
            return True
        return False

    async def take(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # resolved by give_back, which hands its place over
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give_back()  # the place was handed over just as we were cancelled: pass it on
            else:
                self._waiters.remove(waiter)
            raise

    def give_back(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the place goes to this waiter: taken stays as it is
                return
        self.taken -= 1

    def __repr__(self) -> str:
        return f"<InFlight {self.taken}/{self.cap}, {len(self._waiters)} waiting>"


class Tier:
    """One client's view of a tier: the shared pacer, its own in-flight cap and counters."""

    __slots__ = ("in_flight", "limit", "name", "pacer", "stats")

    def __init__(self, name: str, limit: TierLimit, pacer: Pacer, *, capped: bool = True) -> None:
        self.name = name
        self.limit = limit
        self.pacer = pacer
        self.stats = TierStats()
        self.in_flight = InFlight(limit.max_in_flight) if capped else None

    def slot(self) -> Slot:
        """``async with tier.slot() as slot:`` — one request's place in the tier."""
        return Slot(self)

    def __repr__(self) -> str:
        return f"<Tier {self.name} {self.limit} {self.stats}>"


class Slot:
    """One request's place in its tier, from the pacer's go to its outcome.

    Entering takes an in-flight place, then waits for the pacer (the rate, a 429 pause, a probe in
    flight). Leaving gives back everything it took, on every exit path, and tells the pacer how
    the request ended. It alone writes the tier's counters.
    """

    __slots__ = ("_pause", "_probe", "_tier")

    def __init__(self, tier: Tier) -> None:
        self._tier = tier
        self._probe = False
        self._pause: float | None = None

    async def __aenter__(self) -> Slot:
        tier = self._tier
        in_flight = tier.in_flight
        if in_flight is not None and not in_flight.take_now():
            await in_flight.take()
        stats = tier.stats
        if not tier.pacer.admit_now():
            try:
                waited, self._probe = await tier.pacer.enter()
            except BaseException:
                if in_flight is not None:
                    in_flight.give_back()
                raise
            if waited > 0:
                stats.waits += 1
                stats.waited_seconds += waited
            if self._probe:
                stats.probes += 1
        stats.requests += 1
        return self

    def failed(self, kind: FailureKind, retry_in: float | None) -> None:
        """The attempt failed; ``retry_in``: the delay before it is tried again (None: it is not)."""
        stats = self._tier.stats
        if kind is FailureKind.RATE_LIMITED:
            stats.rate_limited += 1
            if retry_in is not None:
                self._pause = retry_in  # Qlik blocks the whole tier: every request of it waits
        if retry_in is not None:
            stats.retries += 1

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        tier = self._tier
        try:
            if self._probe or self._pause is not None:
                await tier.pacer.leave(probe=self._probe, pause=self._pause, answered=exc_type is None)
        finally:
            if tier.in_flight is not None:
                tier.in_flight.give_back()
