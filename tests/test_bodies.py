"""Request bodies: an attrs model, or a plain mapping validated strictly against it."""

from __future__ import annotations

import datetime
import enum
import re
from typing import Any, Literal

import pytest
from aioresponses import aioresponses

from aioautoml import InvalidRequestError, QlikClient
from aioautoml.types import qlik_data_stores, qlik_ml

QLIK = "https://your-tenant.us.qlikcloud.com"
CREATED = {"data": {"id": "bp-1", "type": "batch-prediction", "attributes": {}}}

AS_JSON: dict[str, Any] = {
    "data": {
        "type": "batch-prediction",
        "attributes": {
            "name": "nightly scoring",
            "dataSetId": "ds-9",
            "writeback": {"format": "parquet", "dstName": "scores", "spaceId": "space-1"},
        },
    }
}


def as_model() -> qlik_ml.BatchPredictionInput:
    return qlik_ml.BatchPredictionInput(
        data=qlik_ml.BatchPredictionInputData(
            type_="batch-prediction",
            attributes=qlik_ml.BatchPredictionInputAttributes(
                name="nightly scoring",
                data_set_id="ds-9",
                writeback=qlik_ml.BatchPredictionWriteback(format_="parquet", dst_name="scores", space_id="space-1"),
            ),
        )
    )


async def sent_body(body: Any) -> Any:
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            mocked.post(re.compile(".*"), status=201, payload=CREATED)
            await qlik.ml.create_batch_prediction("dep-1", body=body)
            (calls,) = mocked.requests.values()
    return calls[0].kwargs["json"]


async def test_a_model_and_the_same_mapping_send_the_same_json() -> None:
    assert await sent_body(as_model()) == AS_JSON
    assert await sent_body(AS_JSON) == AS_JSON


def _with(path: tuple[str, ...], key: str, value: Any = "x", *, drop: str | None = None) -> dict[str, Any]:
    import copy

    body = copy.deepcopy(AS_JSON)
    node = body
    for part in path:
        node = node[part]
    if drop is not None:
        del node[drop]
    else:
        node[key] = value
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _with(("data", "attributes"), "dataSetID"),
            "createBatchPrediction: body.data.attributes: unknown key 'dataSetID' for"
            " BatchPredictionInputAttributes (did you mean 'dataSetId'?)",
        ),
        (_with((), "daat"), "body: unknown key 'daat' for BatchPredictionInput (did you mean 'data'?)"),
        (
            _with(("data", "attributes", "writeback"), "", drop="dstName"),
            "body.data.attributes.writeback: missing required key 'dstName' of BatchPredictionWriteback",
        ),
        (_with(("data",), "zzz"), "unknown key 'zzz' for BatchPredictionInputData; it has attributes, type"),
    ],
)
async def test_a_mapping_with_a_typo_or_a_missing_key_is_refused_before_sending(body: Any, message: str) -> None:
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            with pytest.raises(InvalidRequestError) as caught:
                await qlik.ml.create_batch_prediction("dep-1", body=body)
            assert mocked.requests == {}  # nothing was sent
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _with(("data", "attributes"), "name", 5),
            "createBatchPrediction: body.data.attributes.name must be a string, not int 5",
        ),
        (
            _with(("data", "attributes", "writeback"), "format", "parquett"),
            "body.data.attributes.writeback.format must be one of 'csv', 'parquet', 'qvd', not str 'parquett'",
        ),
        (_with(("data",), "type", "batch-predictions"), "body.data.type must be one of 'batch-prediction'"),
        (_with(("data",), "attributes", ["x"]), "body.data.attributes must be a BatchPredictionInputAttributes"),
        (_with(("data", "attributes"), "name", None), "body.data.attributes.name must be a string, not NoneType"),
        (
            _with(("data", "attributes"), "name", {"k": "x" * 99}),
            "must be a string, not dict {'k': '" + "x" * 30 + "...",
        ),
    ],
)
async def test_a_value_of_the_wrong_type_or_outside_the_enum_is_refused_before_sending(body: Any, message: str) -> None:
    """from_dict keeps what it is given (servers add fields and values), so a caller's mistake in a
    mapping would reach the server as a 400: the declared JSON types and enum values are checked."""
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            with pytest.raises(InvalidRequestError) as caught:
                await qlik.ml.create_batch_prediction("dep-1", body=body)
            assert mocked.requests == {}
    assert message in str(caught.value)


def test_numbers_booleans_nulls_and_date_times_as_json_has_them() -> None:
    from aioautoml._wire import coerce_body, operation_table
    from aioautoml.types import datarobot_models

    model = datarobot_models.BacktestStatusResponse
    operation = operation_table("qlik_ml")[("GET", "/api/v1/ml/deployments")]
    good = {
        "index": 0,
        "score": 1,  # an integer where a number is declared
        "status": "COMPLETED",
        "trainingDuration": "P1D",
        "trainingEndDate": "2026-01-02T00:00:00Z",
        "trainingRowCount": 10,
        "trainingStartDate": "2026-01-01T00:00:00Z",
    }
    assert coerce_body(operation, good, model).score == 1
    assert coerce_body(operation, {**good, "score": None}, model).score is None  # nullable
    assert coerce_body(operation, {**good, "index": 100.0}, model).index == 100.0  # JSON Schema: an integer
    for date_time in ("2026-01-02t00:00:00z", datetime.date(2026, 1, 2), datetime.datetime(2026, 1, 2)):
        coerce_body(operation, {**good, "trainingEndDate": date_time}, model)  # RFC 3339 allows t and z
    for key, value, message in [
        ("index", True, "body.index must be an integer, not bool True"),
        ("index", 1.5, "body.index must be an integer, not float 1.5"),
        ("status", None, "body.status must be a string, not NoneType None (leave the key out not to send it)"),
        ("score", "1", "body.score must be a number or null, not str '1'"),
        ("trainingEndDate", 20260102, "body.trainingEndDate must be an ISO 8601 date-time string"),
        ("trainingEndDate", "2nd of January", "body.trainingEndDate must be an ISO 8601 date-time string, not str"),
    ]:
        with pytest.raises(InvalidRequestError) as caught:
            coerce_body(operation, {**good, key: value}, model)
        assert message in str(caught.value) and str(caught.value).startswith("getDeployments: "), key


async def test_a_json_patch_value_may_be_any_json_value() -> None:
    # RFC 6902: the document's `object` is corrected in the overlay; a name is replaced by a string.
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            mocked.patch(re.compile(".*"), status=204, repeat=True)
            for value in ("new name", 3, True, None, ["a"], {"k": "v"}):
                await qlik.data_stores.patch_data_store("ds-1", body=[{"op": "replace", "path": "/p", "value": value}])
            sent = [call.kwargs["json"][0]["value"] for calls in mocked.requests.values() for call in calls]
    assert sent == ["new name", 3, True, None, ["a"], {"k": "v"}]


@pytest.mark.parametrize("body", ["data", ["data"], 42, None])
async def test_anything_else_names_the_expected_model(body: Any) -> None:
    async with QlikClient(QLIK, token="t") as qlik:
        with pytest.raises(InvalidRequestError, match=r"createBatchPrediction: body must be a BatchPredictionInput"):
            await qlik.ml.create_batch_prediction("dep-1", body=body)


async def test_a_list_body_of_mappings_is_checked_item_by_item() -> None:
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            mocked.patch(re.compile(".*"), status=204)
            await qlik.data_stores.patch_data_store("ds-1", body=[{"op": "replace", "path": "/name", "value": "n"}])
            (calls,) = mocked.requests.values()
            assert calls[0].kwargs["json"] == [{"op": "replace", "path": "/name", "value": "n"}]
            with pytest.raises(InvalidRequestError, match=r"body\[1\]: missing required key 'path' of JsonPatch"):
                await qlik.data_stores.patch_data_store("ds-1", body=[{"op": "add", "path": "/a"}, {"op": "add"}])
            with pytest.raises(InvalidRequestError, match=r"body must be a list of JsonPatch"):
                await qlik.data_stores.patch_data_store("ds-1", body={"op": "add", "path": "/a"})  # type: ignore[arg-type]


async def test_a_free_form_map_takes_any_key() -> None:
    # A data store's `properties` is documented as a map of name-value pairs: any key is right.
    body = {"type": "qix-datafiles", "technicalName": "t", "properties": {"anyName": 1, "other": "v"}}
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            mocked.post(re.compile(".*"), status=201, payload={"id": "ds", "type": "qix-datafiles"})
            await qlik.data_stores.create_data_store(body=body)
            (calls,) = mocked.requests.values()
    assert calls[0].kwargs["json"]["properties"] == {"anyName": 1, "other": "v"}
    assert qlik_data_stores.DataStoreInputProperties._open and not qlik_data_stores.DataStoreInput._open


async def test_a_model_built_by_the_caller_is_sent_as_it_is() -> None:
    # The way to send an enum value newer than the spec: the model is the caller's own statement.
    body = as_model()
    writeback = body.data.attributes.writeback  # type: ignore[union-attr]
    writeback.format_ = "feather"  # type: ignore[union-attr]
    sent = await sent_body(body)
    assert sent["data"]["attributes"]["writeback"]["format"] == "feather"


class Colour(enum.StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    ("annotation", "admitted", "refused"),
    [
        (Literal[0, 1], [0, 1], [True, False, 1.0, "1", None]),  # 1 == 1.0 == True in Python, not in JSON
        (Literal[True], [True], [1, 1.0, "true"]),
        (Literal["red", "blue"], ["red", Colour.RED], ["Red", 0, None]),
        (int | None, [3, 3.0, None], [True, 3.5, "3"]),
        (float, [3, 3.5], [False, "3.5"]),
        (bool, [True, False], [0, 1, "true"]),
        (list[str], [[], ["a"], ("a",)], ["a", {"a": 1}]),
        (dict[str, Any], [{}, {"a": 1}], [[], "a"]),
        (Any, [None, 1, "a", [], {}], []),
    ],
)
def test_what_an_annotation_admits(annotation: Any, admitted: list[Any], refused: list[Any]) -> None:
    from aioautoml._wire import _shape

    shape = _shape(annotation)
    assert [value for value in admitted if not shape.admits(value)] == []
    assert [value for value in refused if shape.admits(value)] == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            {"sort": "bogus"},
            "getDeployments: query parameter 'sort' must be one of '+createdAt', '+name',",
        ),
        ({"limit": "x"}, "getDeployments: query parameter 'limit' must be an integer, not str 'x'"),
        ({"limit": True}, "getDeployments: query parameter 'limit' must be an integer, not bool True"),
    ],
)
async def test_a_query_value_of_the_wrong_type_or_outside_the_enum_is_refused_before_sending(
    call: dict[str, Any], message: str
) -> None:
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            with pytest.raises(InvalidRequestError) as caught:
                await qlik.ml.get_deployments(**call)
            assert mocked.requests == {}
    assert str(caught.value).startswith(message), str(caught.value)


async def test_query_values_of_the_declared_types_are_sent() -> None:
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), status=200, payload={"data": [], "links": {}}, repeat=True)
            await qlik.ml.get_deployments(sort="-createdAt", limit=10, offset=0, filter_="name eq 'x'")
            await qlik.data_stores.get_data_stores(sort=["+name", "-type"], limit=5)
            urls = [str(url) for (_, url) in mocked.requests]
    assert "sort=-createdAt" in urls[0] and "limit=10" in urls[0]
    assert "sort=%2Bname,-type" in urls[1] or "sort=+name,-type" in urls[1], urls[1]


async def test_a_query_list_item_of_the_wrong_type_is_named_by_its_index() -> None:
    async with QlikClient(QLIK, token="t") as qlik:
        with aioresponses() as mocked:
            with pytest.raises(InvalidRequestError) as caught:
                await qlik.data_stores.get_data_stores(sort=["+name", 5])  # type: ignore[list-item]
            assert mocked.requests == {}
    assert str(caught.value) == "getDataStores: query parameter 'sort'[1] must be a string, not int 5"
