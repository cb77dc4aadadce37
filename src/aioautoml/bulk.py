"""Run one operation over many inputs: what to reach for instead of ``gather`` over 10,000 coroutines.

    results = await qlik.bulk(qlik.ml.get_deployment, deployment_ids, concurrency=50)
    async for outcome in qlik.bulk(qlik.ml.delete_deployment, ids, ordered=False): ...

A fixed set of workers pulls inputs as it goes (an iterator of a million inputs is never held in
memory as coroutines); an input's failure is recorded in its :class:`Outcome` and the rest go on.
Each input is the argument list of one call: a :class:`Call`, a mapping (keyword arguments), a
tuple (positional arguments) or any other value (the only positional argument).
Pacing is the client's: concurrency here only bounds how many calls wait at once.

What a bulk run adds to each call is kept small, because it runs once per input: workers take
from a plain iterator without a lock (nothing awaits between taking an input and starting its
call), ``await bulk`` collects outcomes into a list (the queue is only for ``async for``), and
an input becomes a :class:`Call` only when asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .errors import InvalidRequestError

__all__ = ["Bulk", "Call", "Outcome"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """The arguments of one call: ``Call(deployment_id, limit=10)``."""

    args: tuple[Any, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "kwargs", kwargs)

    @classmethod
    def of(cls, item: Any) -> Call:
        if isinstance(item, Call):
            return item
        if isinstance(item, Mapping):
            return cls(**item)
        if isinstance(item, tuple):
            return cls(*item)
        return cls(item)


@dataclass(slots=True)
class Outcome(Generic[T]):
    """The result of one input: ``value`` if ``ok``, else ``error``."""

    index: int  # position of the input
    input: Any  # the input as given
    value: T | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def call(self) -> Call:
        """The input as the arguments of its call."""
        return Call.of(self.input)

    def result(self) -> T:
        """The value, or the error raised."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


def _invoke(operation: Callable[..., Awaitable[T]], item: Any) -> Awaitable[T]:
    if isinstance(item, Call):
        return operation(*item.args, **item.kwargs)
    if isinstance(item, tuple):
        return operation(*item)
    if isinstance(item, Mapping):
        return operation(**item)
    return operation(item)


class Bulk(Generic[T]):
    """``await bulk`` gives every Outcome (in input order unless ``ordered=False``);
    ``async for outcome in bulk`` gives them as they complete."""

    def __init__(
        self,
        operation: Callable[..., Awaitable[T]],
        inputs: Iterable[Any] | AsyncIterable[Any],
        *,
        concurrency: int,
        ordered: bool = True,
        progress: bool | str = False,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidRequestError(f"concurrency must be an integer of at least 1, not {concurrency!r}")
        self._operation = operation
        self._inputs = inputs
        self._concurrency = concurrency
        self._ordered = ordered
        self._progress = progress

    def __await__(self) -> Generator[Any, None, list[Outcome[T]]]:
        return self.run().__await__()

    async def run(self) -> list[Outcome[T]]:
        """Every Outcome; ``await bulk`` does the same (``run()`` is for ``create_task``)."""
        outcomes: list[Outcome[T]] = []
        bar = _progress_bar(self._progress, self._inputs)
        try:
            await self._drive(outcomes.append if bar is None else _counted(outcomes.append, bar))
        finally:
            if bar is not None:
                bar.close()
        if self._ordered:
            outcomes.sort(key=lambda outcome: outcome.index)
        return outcomes

    async def __aiter__(self) -> AsyncIterator[Outcome[T]]:
        done: asyncio.Queue[Outcome[T] | None] = asyncio.Queue(maxsize=self._concurrency)  # backpressure
        bar = _progress_bar(self._progress, self._inputs)

        async def drive() -> None:
            try:
                await self._drive(None, done)
            finally:
                await done.put(None)

        driver = asyncio.create_task(drive())
        try:
            while (outcome := await done.get()) is not None:
                if bar is not None:
                    bar.update(1)
                yield outcome
            await driver  # raises the inputs iterator's own failure, if any
        finally:
            if not driver.done():
                driver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await driver
            if bar is not None:
                bar.close()

    async def _drive(
        self, emit: Callable[[Outcome[T]], None] | None, queue: asyncio.Queue[Outcome[T] | None] | None = None
    ) -> None:
        """Run the workers until the inputs are used up; raise the inputs iterator's failure, if any."""
        operation = self._operation
        counter = itertools.count()
        broken: list[Exception] = []
        take = _taker(self._inputs, broken)
        take_async = _async_taker(self._inputs, broken) if take is None else None

        # Workers start as inputs arrive, up to the concurrency: a concurrency far above the number
        # of inputs (a million, for 4 ids) costs nothing, where a task per unit ran a machine out of memory.
        workers: list[asyncio.Task[None]] = []
        finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        running = 0

        def grow() -> None:
            nonlocal running
            if len(workers) < self._concurrency:
                running += 1
                workers.append(task := asyncio.create_task(worker()))
                task.add_done_callback(ended)

        def ended(task: asyncio.Task[None]) -> None:
            nonlocal running
            running -= 1
            if finished.done() or task.cancelled():
                return
            if (failure := task.exception()) is not None:
                finished.set_exception(failure)  # as gather did: the first failure stops the run
            elif running == 0:  # no worker left, and only a running worker starts another
                finished.set_result(None)

        async def worker() -> None:
            while True:
                if take is not None:
                    item = take()
                else:
                    assert take_async is not None
                    item = await take_async()
                if item is _END:
                    return
                grow()  # this worker has an input: the next input may be waiting for another
                index = next(counter)
                try:
                    outcome = Outcome(index, item, await _invoke(operation, item))
                except Exception as exc:  # recorded per input; the others go on
                    outcome = Outcome(index, item, error=exc)
                if emit is not None:
                    emit(outcome)
                else:
                    assert queue is not None
                    await queue.put(outcome)

        grow()
        try:
            await finished
        finally:
            for task in workers:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*workers, return_exceptions=True)
            if finished.done() and not finished.cancelled():
                finished.exception()  # seen, whether or not this task was cancelled before reading it
        if broken:
            raise broken[0]


_END: Any = object()  # the inputs are used up (or broke)


def _taker(inputs: Iterable[Any] | AsyncIterable[Any], broken: list[Exception]) -> Callable[[], Any] | None:
    """For a plain iterable: a function giving the next input, or _END. None for an async iterable."""
    if isinstance(inputs, AsyncIterable):
        return None
    iterator = iter(inputs)

    def take() -> Any:
        if broken:
            return _END
        try:
            return next(iterator)
        except StopIteration:
            return _END
        except Exception as exc:
            broken.append(exc)
            return _END

    return take


def _async_taker(inputs: Any, broken: list[Exception]) -> Callable[[], Awaitable[Any]]:
    """For an async iterable: one worker pulls at a time (anext awaits), under a lock."""
    iterator = aiter(inputs)
    lock = asyncio.Lock()

    async def take() -> Any:
        async with lock:
            if broken:
                return _END
            try:
                return await anext(iterator)
            except StopAsyncIteration:
                return _END
            except Exception as exc:
                broken.append(exc)
                return _END

    return take


def _counted(emit: Callable[[Outcome[T]], None], bar: Any) -> Callable[[Outcome[T]], None]:
    def emit_and_count(outcome: Outcome[T]) -> None:
        emit(outcome)
        bar.update(1)

    return emit_and_count


def _progress_bar(progress: bool | str, inputs: Any) -> Any:
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError("progress bars need tqdm: pip install 'aioautoml[progress]'") from None
    total = len(inputs) if hasattr(inputs, "__len__") else None
    return tqdm(total=total, desc=progress if isinstance(progress, str) else None, unit="call")
