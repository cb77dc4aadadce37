"""One exception tree; vendor error bodies parsed; the token never shown."""

from __future__ import annotations

import re
import traceback
from typing import Any

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
    UnauthorizedError,
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


DATA_STORES_ERRORS = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    500: ServerError,
    503: ServerError,
}


@pytest.mark.parametrize("status", sorted(DATA_STORES_ERRORS))
@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("GET", lambda qlik: qlik.data_stores.get_data_stores()),
        ("POST", lambda qlik: qlik.data_stores.create_data_store(body=_store())),
        ("DELETE", lambda qlik: qlik.data_stores.delete_data_stores(body=_ids())),
        ("GET", lambda qlik: qlik.data_stores.get_data_store("ds-1")),
        ("PATCH", lambda qlik: qlik.data_stores.patch_data_store("ds-1", body=[])),
        ("PUT", lambda qlik: qlik.data_stores.update_data_store("ds-1", body=_store())),
        ("GET", lambda qlik: qlik.data_stores.get_data_assets(["ds-1"])),
        ("DELETE", lambda qlik: qlik.data_stores.delete_data_assets(["ds-1"])),
        ("GET", lambda qlik: qlik.data_stores.get_data_sets(["ds-1"], ["a-1"])),
        ("DELETE", lambda qlik: qlik.data_stores.delete_data_sets(["ds-1"], ["a-1"])),
    ],
)
async def test_every_documented_data_stores_error(method: str, call: Any, status: int) -> None:
    """Each data-stores operation documents 400, 401, 403, 404, 409, 500 and 503 with one error body."""
    body = {"errors": [{"code": f"DS-{status}", "title": "t", "detail": "d", "status": str(status)}], "traceId": "tr"}
    async with QlikClient("https://t.us.qlikcloud.com", token=TOKEN, retry=ONCE) as qlik:
        with aioresponses() as mocked:
            mocked.add(re.compile(".*"), method=method, status=status, payload=body)
            with pytest.raises(DATA_STORES_ERRORS[status]) as caught:
                await call(qlik)
    assert caught.value.errors[0].code == f"DS-{status}" and caught.value.request_id == "tr"
    assert caught.value.method == method


def _store() -> Any:
    from aioautoml._generated.qlik_data_stores.models import DataStoreInput

    return DataStoreInput(type_="qix-datafiles", technical_name="t")


def _ids() -> Any:
    from aioautoml._generated.qlik_data_stores.models import DataStoreIds

    return DataStoreIds(ids=["ds-1"])
