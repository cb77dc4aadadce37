"""One rate budget across processes and hosts: the tier's pacing and its 429 pause, kept in Redis.

``QlikClient(url, token=..., rate_store="redis://127.0.0.1:6379/0")`` (or ``rate_store=RedisStore(...)``)
makes every request of a tier, in every process using that Redis and identity, draw from one
budget keyed by (origin, identity, tier). Redis holds a hash of that key, never a token.

**Why GCRA and not a counter or the ``limits`` library.** A request must leave at a *time*, not
be told "no, try again": a poll loop wastes round trips and lets whoever polls luckiest through.
GCRA (the generic cell rate algorithm) keeps one number per budget, the theoretical arrival time
(TAT); reserving moves it on by one emission interval and answers when this request's slot is, so
the caller sleeps once, to its slot. ``limits``' strategies only answer "allowed now or not": they
cannot reserve a slot in the future. The clock is Redis ``TIME``, inside the script, so hosts
with skewed clocks share one schedule; the answer is a delay, which each process turns into its
own loop time. The burst (GCRA's tolerance) is the tier's burst, the interval the same drained
rate as the in-process bucket (:attr:`TierLimit.interval`), so a Redis restart, which empties
the budget, can release at most one burst.

**429s.** A 429's Retry-After is written to Redis as a deadline in Redis time; the reserve script
answers "paused for so long" until it passes, then hands one request the probe (a key with a
short TTL, so a probe whose process died frees the tier). Waiters in the process holding the probe
wait on an event; waiters in other processes re-check at most every 50 ms (they cannot be told
when another host's request is answered without a subscription; a bounded re-check is cheap and
never lets two probes out while the key lives).

**Failures.** Every call has a connect and a socket timeout, and redis-py's own retries are off
(a retried reserve could reserve twice). A failed reservation raises :class:`RateStoreError`
before anything is sent (``on_store_error="raise"``, the default), or, with
``on_store_error="local"``, the process paces itself at ``fallback_share`` of the tier (a warning
is logged once) and tries the store again every few seconds.

**Event loops.** A redis-py connection pool belongs to one event loop and must not cross a fork:
each loop gets its own client, made on first use; :meth:`RedisStore.aclose` closes the running
loop's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import uuid
import weakref
from collections.abc import Awaitable, Coroutine
from typing import TYPE_CHECKING, Any, Literal, cast

from yarl import URL

from .errors import InvalidRequestError, RateStoreError
from .limits import LocalPacer, Pacers, TierKey, TierLimit

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisStore", "RedisPacer"]

log = logging.getLogger("aioautoml")

URL_SCHEMES = frozenset({"redis", "rediss", "unix"})  # what redis-py's from_url connects to
PROBE_TTL_MS = 10_000  # a probe not answered within this frees the tier (its process may have died)
PROBE_RECHECK = 0.05  # seconds between looks at another process's probe
STORE_RETRY = 5.0  # seconds of local pacing before the store is tried again (on_store_error="local")
NEEDS_PROBE_MS = 60_000  # how long after a pause the first request still goes alone
CONNECTIONS = 8  # per event loop: reservations take well under a millisecond each

# KEYS: tat, pause, probe, shape. ARGV: interval us, tolerance us, probe holder, probe ttl ms, floor us
# (the caller's own latest slot: after a restart emptied the budget, the new schedule continues
# from the slots reserved on the old one, instead of running beside them).
# The shape key holds the interval and tolerance the schedule runs at, so that a process pacing the
# tier differently is refused instead of silently blending two rates into one schedule.
# Answers {0, delay us, is probe} (a slot reserved), {1, us} (paused), {2, us} (a probe is out),
# {3, 0, the schedule's "interval:tolerance"} (this caller's limits differ).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local deadline = tonumber(redis.call('GET', KEYS[2]) or '0')
if deadline > now then return {1, deadline - now} end
local held = redis.call('PTTL', KEYS[3])
if held > 0 then return {2, held * 1000} end
local at = now
local interval = tonumber(ARGV[1])
if interval > 0 then
  local shape = ARGV[1] .. ':' .. ARGV[2]
  local known = redis.call('GET', KEYS[4])
  if known and known ~= shape then return {3, 0, known} end
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tat < now then tat = now end
  local floor = now + tonumber(ARGV[5])
  if tat < floor then tat = floor end
  at = tat - tonumber(ARGV[2])
  if at < now then at = now end
  local nxt = tat + interval
  local ttl = math.ceil((nxt - now) / 1000) + 1000
  redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', ttl)
  redis.call('SET', KEYS[4], shape, 'PX', ttl)
end
local probe = 0
if deadline > 0 then
  redis.call('DEL', KEYS[2])
  redis.call('SET', KEYS[3], ARGV[3], 'PX', tonumber(ARGV[4]) + math.ceil((at - now) / 1000))
  probe = 1
end
return {0, at - now, probe}
"""

# KEYS: pause, probe. ARGV: pause us, the probe holder ('' if not the probe), needs-probe ms.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local deadline = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current > deadline then deadline = current end
redis.call('SET', KEYS[1], string.format('%.0f', deadline), 'PX', math.ceil((deadline - now) / 1000) + tonumber(ARGV[3]))
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return deadline - now
"""

# KEYS: probe, pause. ARGV: the holder, '1' if it learnt nothing (the next request probes), needs-probe ms.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if ARGV[2] == '1' and redis.call('EXISTS', KEYS[2]) == 0 then
    local t = redis.call('TIME')
    redis.call('SET', KEYS[2], t[1] .. string.format('%06d', tonumber(t[2])), 'PX', ARGV[3])
  end
end
return 0
"""

_SHA = {script: hashlib.sha1(script.encode()).hexdigest() for script in (_RESERVE, _PAUSE, _RELEASE)}


_BACKGROUND: set[asyncio.Task[Any]] = set()


def _done(task: asyncio.Task[Any]) -> None:
    _BACKGROUND.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a store that failed meanwhile leaves the probe key to its TTL


def _no_setinfo() -> dict[str, None]:
    # redis-py 8 replaced lib_name/lib_version (now deprecated) by driver_info; None turns either off.
    import inspect

    from redis.asyncio.connection import AbstractConnection

    if "driver_info" in inspect.signature(AbstractConnection.__init__).parameters:
        return {"driver_info": None}
    return {"lib_name": None, "lib_version": None}


def _require_redis() -> None:
    try:
        import redis.asyncio  # noqa: F401
    except ImportError as exc:
        raise ImportError("a Redis rate store needs redis-py: pip install 'aioautoml[redis]'") from exc


class RedisStore:
    """A :class:`~aioautoml.limits.RateStore` in Redis, shared by every process that uses it.

    ``on_store_error``: ``"raise"`` (a :class:`RateStoreError` before sending) or ``"local"``
    (pace this process at ``fallback_share`` of each tier until the store answers again).
    ``timeout``: seconds for a connect and for each command. Every process must give a tier the
    same limits: one asking for others is refused (InvalidRequestError) before it sends.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        on_store_error: Literal["raise", "local"] = "raise",
        fallback_share: float = 0.25,
        timeout: float = 1.0,
        prefix: str = "aioautoml",
    ) -> None:
        _require_redis()
        if on_store_error not in ("raise", "local"):
            raise InvalidRequestError(f"on_store_error must be 'raise' or 'local', not {on_store_error!r}")
        if not 0 < fallback_share <= 1:
            raise InvalidRequestError(f"fallback_share must be in (0, 1], not {fallback_share!r}")
        if timeout <= 0:
            raise InvalidRequestError(f"timeout must be positive, not {timeout!r}")
        parsed = URL(url)
        if parsed.scheme not in URL_SCHEMES:
            raise InvalidRequestError(f"a Redis rate store takes a redis://, rediss:// or unix:// URL, not {url!r}")
        self.url = url
        self.name = str(parsed.with_user(None)) if parsed.user or parsed.password else url  # never a password
        self.on_store_error = on_store_error
        self.fallback_share = fallback_share
        self.timeout = timeout
        self.prefix = prefix
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Redis] = weakref.WeakKeyDictionary()
        self._pacers: Pacers[RedisPacer] = Pacers()
        self._warned = False

    def pacer(self, key: TierKey, limit: TierLimit) -> RedisPacer:
        if key.identity.startswith("provider:"):  # auth.Credential: the provider object's id, this process's only
            raise InvalidRequestError(
                "a shared rate store needs an identity that is the same in every process: a token_provider"
                " callable has none. Pass rate_key='...' (one name per user and tenant), or a TokenSource"
                " with an identity (aioautoml.ClientCredentials)."
            )
        return self._pacers.get(key, limit, lambda: RedisPacer(self, self._keys(key), limit))

    def _keys(self, key: TierKey) -> tuple[str, str, str, str]:
        digest = hashlib.sha256("\n".join(key).encode()).hexdigest()[:32]
        base = f"{self.prefix}:{{{digest}}}"  # a hash tag: the four keys share a cluster slot
        return f"{base}:tat", f"{base}:pause", f"{base}:probe", f"{base}:shape"

    def _client(self) -> Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            from redis.asyncio import BlockingConnectionPool, Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            # A few connections, waited for (a script takes well under a millisecond), rather than
            # one per waiting request: a job's start would otherwise open hundreds at once.
            pool = BlockingConnectionPool.from_url(
                self.url,
                max_connections=CONNECTIONS,
                timeout=self.timeout,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                retry=Retry(NoBackoff(), 0),  # a reserve run twice would reserve twice
                retry_on_timeout=False,
                **_no_setinfo(),  # no CLIENT SETINFO round trips on each new connection
            )
            client = self._clients[loop] = Redis.from_pool(pool)
        return client

    async def run(self, script: str, keys: tuple[str, ...], args: tuple[str | int, ...]) -> Any:
        """Run one of the scripts (EVALSHA, EVAL once after a restart emptied the script cache)."""
        from redis.exceptions import NoScriptError, RedisError

        client = self._client()
        values = [str(arg) for arg in args]
        try:
            try:  # redis-py types its commands for the sync and the async client at once
                return await cast("Awaitable[Any]", client.evalsha(_SHA[script], len(keys), *keys, *values))
            except NoScriptError:  # the script did not run: sending it whole runs it once
                return await cast("Awaitable[Any]", client.eval(script, len(keys), *keys, *values))
        except (RedisError, OSError, TimeoutError) as exc:
            raise RateStoreError(self.name, exc) from exc

    def store_failed(self, error: RateStoreError) -> None:
        if self.on_store_error == "raise":
            raise error
        if not self._warned:
            self._warned = True
            log.warning(
                "%s; pacing each process at %.0f%% of its tiers until it answers again",
                str(error).split("; ")[0],
                self.fallback_share * 100,
            )

    async def aclose(self) -> None:
        """Close the running loop's connections (clients made from a URL string do this on close)."""
        loop = asyncio.get_running_loop()
        self._pacers.forget_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()

    def __repr__(self) -> str:
        return f"<RedisStore {self.name} on_store_error={self.on_store_error!r}>"


class RedisPacer:
    """The budget of one TierKey in Redis, with this process's view of it: a pause it knows of,
    its own probe in flight (an event for its other requests), and the fallback bucket."""

    __slots__ = (
        "_fallback",
        "_fallback_until",
        "_gate",
        "_holder",
        "_horizon",
        "_id",
        "_keys",
        "_local_probe",
        "_n",
        "_reserve_args",
        "_resume_at",
        "_store",
        "limit",
    )

    def __init__(self, store: RedisStore, keys: tuple[str, str, str, str], limit: TierLimit) -> None:
        self.limit = limit
        self._store = store
        self._keys = keys
        if limit.per_minute is None:
            interval_us = tolerance_us = 0  # unpaced: only the pause and the probe are shared
        else:
            interval_us = round(limit.interval * 1e6)
            tolerance_us = (limit.effective_burst - 1) * interval_us  # `burst` requests at once, then one per interval
        self._reserve_args = (interval_us, tolerance_us)
        self._resume_at = 0.0  # loop time before which this process knows the tier is paused
        self._gate: asyncio.Event | None = None  # set while this process's probe is out
        self._holder = ""  # the probe key's value while this process holds it
        self._horizon = 0.0  # loop time of the latest slot this process reserved
        self._id = uuid.uuid4().hex
        self._n = 0
        self._fallback: LocalPacer | None = None
        self._fallback_until = 0.0
        self._local_probe = False  # the fallback bucket's probe is out

    def admit_now(self) -> bool:
        return False  # every request reserves its slot in Redis

    async def enter(self) -> tuple[float, bool]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            delay = self._resume_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            if self._gate is not None:
                await self._gate.wait()
                continue
            if self._fallback_until > loop.time():
                return await self._enter_fallback(start)
            self._n += 1
            holder = f"{self._id}:{self._n}"
            ahead = self._horizon - loop.time()
            # Not later than its latest slot: that is below the intact budget's TAT by a tolerance and
            # an interval, more than any lag of this loop, so it moves nothing until a restart.
            floor = round(ahead * 1e6) if ahead > 0 else 0
            try:
                answer = await self._store.run(
                    _RESERVE, self._keys, (*self._reserve_args, holder, PROBE_TTL_MS, floor)
                )  # fmt: skip
            except RateStoreError as error:
                self._store.store_failed(error)  # raises, unless the policy is to pace locally
                self._fallback_until = loop.time() + STORE_RETRY
                continue
            except asyncio.CancelledError:
                # The script may have run and made this request the probe: hand it on (a no-op if not).
                self._spawn(self._store.run(_RELEASE, self._keys[2:0:-1], (holder, "1", NEEDS_PROBE_MS)))
                raise
            state, wait = int(answer[0]), int(answer[1]) / 1e6
            if state == 1:  # paused: one sleep to the deadline, then the probe is handed out
                self._resume_at = max(self._resume_at, loop.time() + wait)
            elif state == 3:
                raise self._other_shape(answer[2])
            elif state == 2:  # another request's probe is out
                if self._gate is None:
                    await asyncio.sleep(min(wait, PROBE_RECHECK))
            else:
                probe = bool(int(answer[2]))
                self._horizon = max(self._horizon, loop.time() + wait)
                if probe:
                    self._gate, self._holder = asyncio.Event(), holder
                try:
                    if wait > 0:
                        await asyncio.sleep(wait)  # the slot is reserved: one sleep until it
                except BaseException:
                    if probe:
                        self._release_soon()
                    raise
                return loop.time() - start, probe

    def _other_shape(self, known: bytes | str) -> InvalidRequestError:
        text = known.decode() if isinstance(known, bytes) else known
        interval_us, tolerance_us = (int(part) for part in text.split(":"))
        theirs = f"one request per {interval_us / 1000:g} ms with a burst of {tolerance_us // interval_us + 1}"
        return InvalidRequestError(
            f"another process paces this tier through {self._store.name} at {theirs}; this one asks for"
            f" {self.limit}. Give every process of one identity the same limits, or give this one its"
            " own rate_key. Nothing was sent."
        )

    async def _enter_fallback(self, start: float) -> tuple[float, bool]:
        if self._fallback is None:
            share = self._store.fallback_share
            limit = self.limit
            per_minute = None if limit.per_minute is None else limit.per_minute * share
            burst = max(1, int(limit.effective_burst * share))
            self._fallback = LocalPacer(dataclasses.replace(limit, per_minute=per_minute, burst=burst))
        _, probe = await self._fallback.enter()
        self._local_probe = probe
        return asyncio.get_running_loop().time() - start, probe

    def _release_soon(self) -> None:
        # A probe cancelled before it was sent: the next request probes (now, not after the TTL).
        self._spawn(self.leave(probe=True, pause=None, answered=False))

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        _BACKGROUND.add(task)  # held until done: the loop keeps only a weak reference
        task.add_done_callback(_done)

    async def leave(self, *, probe: bool, pause: float | None, answered: bool) -> None:
        loop = asyncio.get_running_loop()
        if pause is not None:
            self._resume_at = max(self._resume_at, loop.time() + pause)  # this process waits without asking
            if self._fallback is not None:
                self._fallback.pause(pause)
        if probe and self._local_probe:
            self._local_probe = False
            assert self._fallback is not None
            await self._fallback.leave(probe=True, pause=None, answered=answered)
            probe = False
        holder = self._holder if probe else ""
        try:
            if pause is not None:
                await self._store.run(_PAUSE, self._keys[1:3], (round(pause * 1e6), holder, NEEDS_PROBE_MS))
            elif probe:
                await self._store.run(_RELEASE, self._keys[2:0:-1], (holder, "0" if answered else "1", NEEDS_PROBE_MS))
        except RateStoreError as error:
            # The request is over (sent and answered): its outcome stands. The pause holds in this
            # process; the next reservation meets the store's failure policy.
            log.warning("%s (recording the end of a request)", str(error).split("; ")[0])
        finally:
            if probe:
                gate, self._gate, self._holder = self._gate, None, ""
                if gate is not None:
                    gate.set()

    def paused_for(self) -> float:
        if self._resume_at == 0.0:
            return 0.0
        return max(0.0, self._resume_at - asyncio.get_running_loop().time())

    def __repr__(self) -> str:
        return f"<RedisPacer {self.limit} {self._store.name} {'probing' if self._gate is not None else 'open'}>"
