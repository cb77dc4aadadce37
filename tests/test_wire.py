"""The generated request building and tolerant parsing (aioautoml._wire and the templates)."""

from __future__ import annotations

import pytest

from aioautoml import InvalidRequestError
from aioautoml._generated.qlik_data_stores.api.data_sets import get_data_sets
from aioautoml._generated.qlik_data_stores.models import DataSetList, DataType
from aioautoml._generated.qlik_ml.models import Deployment
from aioautoml._wire import UNSET, RawResponse, Response, Unset, encode_query


def test_array_path_parameters_are_comma_joined_and_each_value_is_one_segment() -> None:
    request = get_data_sets.build_request(["a/b", "c d"], ["x,y", "*"])
    assert request.path == "/api/v1/data-stores/a%2Fb,c%20d/data-assets/x%2Cy,*/data-sets"


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_empty_and_dot_segments_are_refused(bad: str) -> None:
    with pytest.raises(InvalidRequestError, match="data-store-ids"):
        get_data_sets.build_request([bad], ["x"])


def test_an_empty_array_path_parameter_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="empty list"):
        get_data_sets.build_request([], ["x"])


def test_explode_false_arrays_are_comma_separated_and_unset_values_dropped() -> None:
    request = get_data_sets.build_request(["a"], ["b"], projections=["id", "name"], sort=["-name"], limit=5)
    assert request.query == [("limit", "5"), ("projections", "id,name"), ("sort", "-name")]


def test_booleans_are_sent_as_true_and_false_and_exploded_arrays_repeat() -> None:
    operation = get_data_sets.OPERATION
    pairs = encode_query(operation, {"flag": True, "off": False, "ids": ["1", "2"], "gone": UNSET, "none": None})
    assert pairs == [("flag", "true"), ("off", "false"), ("ids", "1"), ("ids", "2")]


def test_an_unknown_enum_value_is_kept() -> None:
    parsed = DataType.from_dict({"type": "GEOMETRY"})  # not in the spec's enum
    kept: str = parsed.type_  # typed as the enum's Literal: the value is what it is at run time
    assert kept == "GEOMETRY"


def test_extra_fields_are_kept_and_round_trip() -> None:
    body = {"data": [{"qri": "q", "secureQri": "s", "technicalName": "t", "dataAssetInfo": {"id": "a"}, "new": 1}]}
    parsed = DataSetList.from_dict({**body, "cursor": "c"})
    assert parsed.additional_properties == {"cursor": "c"}
    assert not isinstance(parsed.data, Unset)
    assert parsed.data[0]["new"] == 1
    assert parsed.to_dict()["data"][0]["new"] == 1


def test_a_field_of_another_shape_is_kept_as_sent() -> None:
    # The ML document's examples send `errors` as a JSON string; its schema says array of objects.
    raw = {"id": "d", "type": "deployment", "attributes": {"id": "d", "errors": '[{"code": "AML-1"}]'}}
    parsed = Deployment.from_dict(raw)
    kept: object = parsed.attributes.errors  # typed as the documented list: kept as sent at run time
    assert kept == '[{"code": "AML-1"}]'
    assert parsed.to_dict()["attributes"]["errors"] == '[{"code": "AML-1"}]'


def test_a_204_parses_to_none_whatever_the_document_shows() -> None:
    from aioautoml._generated.qlik_data_stores.api.data_stores import patch_data_store

    raw = RawResponse(204, {}, b"", "PATCH", "https://t/api/v1/data-stores/x")
    assert Response.from_raw(raw, patch_data_store.parse_response).parsed is None


def test_json_is_decoded_once() -> None:
    raw = RawResponse(200, {}, b'{"a": [1]}', "GET", "https://t/")
    assert raw.json() is raw.json()
