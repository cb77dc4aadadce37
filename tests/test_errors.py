"""One exception tree; vendor error bodies parsed; the token never shown."""

from __future__ import annotations

import re
import traceback

import pytest
from aioresponses import aioresponses

from aioautoml import (
    APIStatusError,
    BadRequestError,
    ConflictError,
    DataRobotClient,
    ForbiddenError,
    NotFoundError,
    QlikClient,
    RetryPolicy,
    ServerError,
    UnprocessableEntityError,
)
from aioautoml.errors import make_status_error

TOKEN = "tok-do-not-leak-1234"
ONCE = RetryPolicy(max_attempts=1)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (500, ServerError),
        (503, ServerError),
        (418, APIStatusError),
    ],
)
def test_one_class_per_status(status: int, cls: type[APIStatusError]) -> None:
    error = make_status_error(status, "GET", "https://t/x")
    assert type(error) is cls and error.status == status


async def test_a_qlik_error_body_is_parsed() -> None:
    body = {
        "errors": [{"code": "DS-409", "title": "Conflict", "detail": "store not empty", "status": "409"}],
        "traceId": "abc",
    }
    async with QlikClient("https://t.us.qlikcloud.com", token=TOKEN, retry=ONCE) as qlik:
        with aioresponses() as mocked:
            mocked.delete(re.compile(".*"), status=409, payload=body, headers={"X-Request-Id": "req-7"})
            with pytest.raises(ConflictError) as caught:
                await qlik.data_stores.delete_data_assets(["ds-1"])
    error = caught.value
    assert (error.status, error.method) == (409, "DELETE")
    assert error.url == "https://t.us.qlikcloud.com/api/v1/data-stores/ds-1/data-assets"
    assert error.request_id == "req-7"
    assert [(e.code, e.title, e.detail) for e in error.errors] == [("DS-409", "Conflict", "store not empty")]
    assert "DS-409: Conflict (store not empty)" in str(error) and "req-7" in str(error)


async def test_the_trace_id_stands_in_for_a_request_id() -> None:
    async with QlikClient("https://t.us.qlikcloud.com", token=TOKEN, retry=ONCE) as qlik:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), status=404, payload={"errors": [{"code": "ML-1"}], "traceId": "trace-9"})
            with pytest.raises(NotFoundError) as caught:
                await qlik.ml.get_deployment("d")
    assert caught.value.request_id == "trace-9"


async def test_a_datarobot_message_is_parsed() -> None:
    async with DataRobotClient("https://app.datarobot.com", token=TOKEN, retry=ONCE) as datarobot:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), status=422, payload={"message": "Model is not ready"})
            with pytest.raises(UnprocessableEntityError) as caught:
                await datarobot.models.retrieve_model_package("mp-1")
    assert caught.value.errors[0].detail == "Model is not ready"
    assert "Model is not ready" in str(caught.value)


async def test_the_token_is_in_no_message_repr_or_traceback() -> None:
    async with QlikClient("https://t.us.qlikcloud.com", token=TOKEN, retry=ONCE) as qlik:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), status=500, body="internal")
            with pytest.raises(ServerError) as caught:
                await qlik.ml.get_deployment("d")
        shown = [str(caught.value), repr(caught.value), "".join(traceback.format_exception(caught.value)), repr(qlik)]
    assert not [text for text in shown if TOKEN in text]
    assert caught.value.body == "internal"  # a body that is not JSON is kept as text
