"""Run one operation over many inputs: what to reach for instead of ``gather`` over 10,000 coroutines.

    results = await qlik.bulk(qlik.ml.get_deployment, deployment_ids, concurrency=50)
    async for outcome in qlik.bulk(qlik.ml.delete_deployment, ids, ordered=False): ...

A fixed set of workers pulls inputs as it goes (an iterator of a million inputs is never held in
memory as coroutines); an input's failure is recorded in its :class:`Outcome` and the rest go on.
Each input is the argument list of one call: a :class:`Call`, a mapping (keyword arguments), a
tuple (positional arguments) or any other value (the only positional argument).
Pacing is the client's: concurrency here only bounds how many calls wait at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

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


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """The result of one input: ``value`` if ``ok``, else ``error``."""

    index: int  # position of the input
    call: Call
    value: T | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> T:
        """The value, or the error raised."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


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
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency!r}")
        self._operation = operation
        self._inputs = inputs
        self._concurrency = concurrency
        self._ordered = ordered
        self._progress = progress

    def __await__(self) -> Generator[Any, None, list[Outcome[T]]]:
        return self.run().__await__()

    async def run(self) -> list[Outcome[T]]:
        """Every Outcome; ``await bulk`` does the same (``run()`` is for ``create_task``)."""
        outcomes = [outcome async for outcome in self]
        if self._ordered:
            outcomes.sort(key=lambda outcome: outcome.index)
        return outcomes

    async def __aiter__(self) -> AsyncIterator[Outcome[T]]:
        inputs = _aiter(self._inputs)
        lock = asyncio.Lock()
        counter = iter(range(1 << 62))
        done: asyncio.Queue[Outcome[T] | None] = asyncio.Queue(maxsize=self._concurrency)
        bar = _progress_bar(self._progress, self._inputs)

        broken: list[Exception] = []  # the inputs iterator's own failure, raised at the end

        async def worker() -> None:
            while True:
                async with lock:  # one worker pulls from the inputs at a time
                    if broken:
                        break
                    try:
                        item = await anext(inputs)
                    except StopAsyncIteration:
                        break
                    except Exception as exc:
                        broken.append(exc)
                        break
                    index = next(counter)
                call = Call.of(item)
                try:
                    outcome = Outcome(index, call, value=await self._operation(*call.args, **call.kwargs))
                except Exception as exc:  # recorded per input; the others go on
                    outcome = Outcome(index, call, error=exc)
                await done.put(outcome)
            await done.put(None)

        workers = [asyncio.create_task(worker()) for _ in range(self._concurrency)]
        try:
            finished = 0
            while finished < len(workers):
                outcome = await done.get()
                if outcome is None:
                    finished += 1
                    continue
                if bar is not None:
                    bar.update(1)
                yield outcome
            if broken:
                raise broken[0]
        finally:
            for task in workers:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*workers, return_exceptions=True)
            if bar is not None:
                bar.close()


async def _aiter(inputs: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    if isinstance(inputs, AsyncIterable):
        async for item in inputs:
            yield item
    else:
        for item in inputs:
            yield item


def _progress_bar(progress: bool | str, inputs: Any) -> Any:
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError("progress bars need tqdm: pip install 'aioautoml[progress]'") from None
    total = len(inputs) if hasattr(inputs, "__len__") else None
    return tqdm(total=total, desc=progress if isinstance(progress, str) else None, unit="call")
