"""An event loop on virtual time, so pacing tests run in milliseconds and can assert exact timings.

    with asyncio.Runner(loop_factory=FakeClockLoop) as runner:
        runner.run(job())

With pytest-asyncio, return it from the ``pytest_asyncio_loop_factories`` hook (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar, TypeVarTuple

__all__ = ["FakeClockLoop"]

_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")


class FakeClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose ``time()`` is virtual, from 0: what ``asyncio.sleep``, timeouts,
    ``call_later`` and aiolimiter read. It is not a patched ``time`` module: ``time.monotonic()``
    and the wall clock go on as they are. The loop's time moves

    - to the next timer at once, when the loop would wait with no I/O ready and no thread busy:
      nothing can happen before that timer. (Loopback TCP is delivered within ``send()``, so a
      client and a server on one loop have each other's bytes before time jumps.)
    - by the real time waited, when the loop waits on a thread (``run_in_executor``,
      ``asyncio.to_thread``) or has no timer at all;
    - by ``tick`` on every pass of the loop, so it never stands still: code that re-arms a timer
      at "now" (aiolimiter does, on float rounding) would spin for ever on a frozen clock.
    """

    def __init__(self, *, tick: float = 1e-6) -> None:
        self._threads: set[asyncio.Future[Any]] = set()
        self._selector_clock = _VirtualSelector(tick, lambda: bool(self._threads))
        super().__init__(self._selector_clock)

    def time(self) -> float:
        return self._selector_clock.now

    def run_in_executor(self, executor: Executor | None, func: Callable[[*_Ts], _T], *args: *_Ts) -> asyncio.Future[_T]:
        future = super().run_in_executor(executor, func, *args)
        self._threads.add(future)  # while a thread works, time follows the real clock
        future.add_done_callback(self._threads.discard)
        return future


class _VirtualSelector(selectors.DefaultSelector):
    """The loop's selector, which keeps its virtual time: the loop calls ``select(timeout)``
    with the time left to its next timer (None: no timer) exactly when it would wait."""

    def __init__(self, tick: float, threads_busy: Callable[[], bool]) -> None:
        super().__init__()
        self.now = 0.0
        self._tick = tick
        self._threads_busy = threads_busy

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        self.now += self._tick
        if ready or (timeout is not None and timeout <= 0):
            return ready
        if timeout is None or self._threads_busy():
            began = time.perf_counter()
            ready = super().select(timeout)
            self.now += time.perf_counter() - began
            return ready
        self.now += timeout  # nothing but the next timer can happen: go there
        return []
