"""Result files: streamed to a path or as chunks, nothing partial left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from aioautoml import APIConnectionError, InvalidRequestError, NotFoundError, QlikClient, RetryPolicy
from aioautoml.testing import Fault, LoopbackServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # AutoML predictions are past sunset


async def test_download_to_a_path(server: LoopbackServer, qlik: QlikClient, tmp_path: Path) -> None:
    target = tmp_path / "predictions.csv"
    result = await qlik.download(target, qlik.automl_predictions.get_prediction_results, "bp-0001-01")
    text = target.read_text()
    assert text.startswith("row,predictionId,prediction,probability\n")
    assert text.count("\n") == server.qlik.result_rows + 1
    assert result.size == target.stat().st_size and result.content_type == "text/csv"
    assert list(tmp_path.iterdir()) == [target]


async def test_a_body_cut_short_is_downloaded_again(server: LoopbackServer, qlik: QlikClient, tmp_path: Path) -> None:
    server.qlik.result_bytes = 1_000_000
    server.inject(Fault("truncate", operation="get_prediction_results"))
    target = tmp_path / "big.csv"
    await qlik.download(target, qlik.automl_predictions.get_prediction_results, "bp-0001-01")
    assert target.stat().st_size == 1_000_000
    assert len(server.requests_for("get_prediction_results")) == 2


async def test_a_failed_download_leaves_nothing(server: LoopbackServer, tmp_path: Path) -> None:
    server.qlik.result_bytes = 1_000_000
    server.inject(Fault("truncate", operation="get_prediction_results"))
    async with QlikClient(server.url, token=server.token, retry=RetryPolicy(max_attempts=1)) as qlik:
        with pytest.raises(APIConnectionError, match="cut short"):
            await qlik.download(tmp_path / "big.csv", qlik.automl_predictions.get_prediction_results, "bp-0001-01")
        with pytest.raises(NotFoundError):
            await qlik.download(tmp_path / "none.csv", qlik.data_stores.get_data_store, "no-such-store")
    assert list(tmp_path.iterdir()) == []


async def test_stream_chunks(server: LoopbackServer, qlik: QlikClient) -> None:
    server.qlik.result_bytes = 3_000_000
    sizes = [len(chunk) async for chunk in qlik.stream(qlik.automl_predictions.get_prediction_results, "bp-0001-01")]
    assert sum(sizes) == 3_000_000
    assert max(sizes) <= 256 * 1024  # chunks, not the whole body


async def test_a_stream_cut_after_chunks_were_taken_raises(server: LoopbackServer, qlik: QlikClient) -> None:
    server.qlik.result_bytes = 3_000_000
    server.inject(Fault("truncate", operation="get_prediction_results"))
    received = 0
    with pytest.raises(APIConnectionError, match="handed over"):
        async for chunk in qlik.stream(qlik.automl_predictions.get_prediction_results, "bp-0001-01"):
            received += len(chunk)
    assert 0 < received < 3_000_000
    assert len(server.requests_for("get_prediction_results")) == 1  # not restarted under the caller


@pytest.mark.parametrize("size", [20_000, 200_000, 1_000_000])
async def test_a_stream_cut_short_is_never_handed_over_twice(
    server: LoopbackServer, qlik: QlikClient, size: int
) -> None:
    """A cut body's chunks still queued (not taken) are dropped before the retry sends the body
    again: they were handed over ahead of the whole second body, 300,000 bytes for 200,000."""
    server.qlik.result_bytes = size
    stream = qlik.automl_predictions.get_prediction_results
    whole = b"".join([chunk async for chunk in qlik.stream(stream, "bp-0001-01")])
    server.inject(Fault("truncate", operation="get_prediction_results"))
    received = bytearray()
    try:
        async for chunk in qlik.stream(stream, "bp-0001-01"):
            received += chunk
    except APIConnectionError as error:  # cut after chunks were taken: what was taken is a true prefix
        assert "handed over" in str(error) and whole.startswith(received) and len(received) < size
    else:
        assert bytes(received) == whole  # fetched again whole, nothing of the cut attempt kept


async def test_leaving_a_stream_early_closes_it(server: LoopbackServer, qlik: QlikClient) -> None:
    server.qlik.result_bytes = 3_000_000
    stream = qlik.stream(qlik.automl_predictions.get_prediction_results, "bp-0001-01")
    async for _ in stream:
        break
    await stream.aclose()  # type: ignore[attr-defined]
    await qlik.close()  # nothing is left in flight


async def test_datarobot_scoring_code_streams_to_a_path(server: LoopbackServer, tmp_path: Path) -> None:
    from aioautoml import DataRobotClient

    async with DataRobotClient(server.url, token=server.token) as datarobot:
        jar = await datarobot.download(tmp_path / "model.jar", datarobot.models.download_scoring_code, "p-1", "m-1")
    assert jar.content_type == "application/java-archive"
    assert (tmp_path / "model.jar").read_bytes().startswith(b"PK\x03\x04")


async def test_a_destination_that_cannot_be_written_is_refused_before_sending(
    server: LoopbackServer, qlik: QlikClient, tmp_path: Path
) -> None:
    results = qlik.automl_predictions.get_prediction_results
    for destination, message in [
        (tmp_path / "missing" / "p.csv", "the folder .*missing' does not exist"),
        (tmp_path, "is a folder: name a file"),
        (None, "destination must be a path, not NoneType"),
    ]:
        with pytest.raises(InvalidRequestError, match=message):
            await qlik.download(destination, results, "bp-0001-01")  # type: ignore[arg-type]
    assert server.requests == [] and list(tmp_path.iterdir()) == []
