"""The bulk helper: bounded concurrency, order, per-input errors, async inputs, progress."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aioautoml import InvalidRequestError, NotFoundError, QlikClient
from aioautoml.bulk import Call
from aioautoml.testing import Fault, LoopbackServer

from .conftest import eventually


async def test_results_in_input_order_with_errors_kept_per_input(server: LoopbackServer, qlik: QlikClient) -> None:
    ids = ["dep-0003", "missing", "dep-0001", "dep-0002"]
    outcomes = await qlik.bulk(qlik.ml.get_deployment, ids, concurrency=2)
    assert [o.index for o in outcomes] == [0, 1, 2, 3]
    assert [o.result().data.id if o.ok else None for o in outcomes] == ["dep-0003", None, "dep-0001", "dep-0002"]
    assert isinstance(outcomes[1].error, NotFoundError)
    with pytest.raises(NotFoundError):
        outcomes[1].result()


async def test_as_completed_from_an_async_iterable(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("slow", operation="get_deployment", delay=0.2))  # the first call is slow

    async def inputs() -> AsyncIterator[Call]:
        for n in (1, 2, 3):
            yield Call(f"dep-{n:04d}")

    order = [o.result().data.id async for o in qlik.bulk(qlik.ml.get_deployment, inputs(), ordered=False)]
    assert sorted(order) == ["dep-0001", "dep-0002", "dep-0003"] and order[-1] == "dep-0001"


async def test_concurrency_is_bounded(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("slow", delay=0.02, times=40))
    outcomes = await qlik.bulk(qlik.ml.get_deployment, ["dep-0001"] * 40, concurrency=4)
    assert all(o.ok for o in outcomes)
    assert server.max_in_flight == 4


async def test_a_concurrency_far_above_the_inputs_starts_a_worker_per_input(
    server: LoopbackServer, qlik: QlikClient
) -> None:
    """Workers start as inputs arrive: a task per unit of a concurrency of 10**12 would never end."""
    server.inject(Fault("slow", delay=0.2, times=3))
    run = asyncio.create_task(qlik.bulk(qlik.ml.get_deployment, ["dep-0001"] * 3, concurrency=10**12).run())
    await eventually(lambda: server.in_flight == 3)  # all three at once: as concurrent as asked
    workers = [t for t in asyncio.all_tasks() if t.get_coro().__qualname__.endswith(".worker")]  # type: ignore[union-attr]
    assert 3 <= len(workers) <= 3 + 1  # one per input, and one that may be looking for a fourth
    assert all(o.ok for o in await run)


async def test_inputs_as_mappings_and_tuples(server: LoopbackServer, qlik: QlikClient) -> None:
    inputs = [{"deployment_id": "dep-0001", "batch_prediction_id": "bp-0001-01"}, ("dep-0002", "bp-0002-02")]
    outcomes = await qlik.bulk(qlik.ml.get_batch_prediction, inputs)
    assert [o.result().data.id for o in outcomes] == ["bp-0001-01", "bp-0002-02"]


async def test_a_failing_input_iterator_raises_after_the_started_calls(
    server: LoopbackServer, qlik: QlikClient
) -> None:
    async def inputs() -> AsyncIterator[str]:
        yield "dep-0001"
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError, match="the source broke"):
        await qlik.bulk(qlik.ml.get_deployment, inputs())


async def test_progress_bar(server: LoopbackServer, qlik: QlikClient, capsys: pytest.CaptureFixture[str]) -> None:
    await qlik.bulk(qlik.ml.get_deployment, ["dep-0001"] * 5, progress="deployments")
    shown = capsys.readouterr().err
    assert "deployments" in shown and "5/5" in shown


async def test_cancelling_the_bulk_cancels_its_calls(server: LoopbackServer, qlik: QlikClient) -> None:
    server.inject(Fault("slow", delay=5.0, times=10))
    task = asyncio.create_task(qlik.bulk(qlik.ml.get_deployment, ["dep-0001"] * 10, concurrency=10).run())
    await eventually(lambda: server.in_flight == 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert qlik._state.in_flight == 0


@pytest.mark.parametrize("concurrency", ["4", 0, 2.5, True])
async def test_a_concurrency_that_is_no_positive_integer_is_refused(
    server: LoopbackServer, qlik: QlikClient, concurrency: Any
) -> None:
    with pytest.raises(InvalidRequestError, match="concurrency must be an integer of at least 1"):
        qlik.bulk(qlik.ml.get_deployment, ["dep-0001"], concurrency=concurrency)
    assert server.requests == []
