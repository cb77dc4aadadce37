"""One paginator, four styles: nothing lost or duplicated, and it stops when it should."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aioresponses import aioresponses

from aioautoml import DataRobotClient, PagingError, QlikClient
from aioautoml.testing import LoopbackServer


async def test_offset_links_ml_deployments(server: LoopbackServer) -> None:
    server.qlik.deployments[:] = [f"dep-{i:04d}" for i in range(1, 71)]
    server.qlik.batch_predictions.update({d: [] for d in server.qlik.deployments})
    async with QlikClient(server.url, token=server.token) as qlik:
        ids = [d.id async for d in qlik.paginate(qlik.ml.get_deployments, limit=32)]
    assert ids == server.qlik.deployments  # all 70, in order, once each
    assert [r.query for r in server.requests] == [
        [("limit", "32")],
        [("limit", "32"), ("offset", "32")],
        [("limit", "32"), ("offset", "64")],
    ]


async def test_cursor_links_automations(server: LoopbackServer, qlik: QlikClient) -> None:
    ids = [a.id async for a in qlik.paginate(qlik.automations.get_automations, limit=10)]
    assert ids == server.qlik.automations
    assert len(server.requests) == 3


async def test_page_numbers_data_stores(server: LoopbackServer, qlik: QlikClient) -> None:
    ids = [d.id async for d in qlik.paginate(qlik.data_stores.get_data_stores, limit=10)]
    assert ids == server.qlik.data_stores
    assert [dict(r.query).get("page") for r in server.requests] == [None, "2", "3"]


async def test_next_url_datarobot(server: LoopbackServer, datarobot: DataRobotClient) -> None:
    ids = [p.id async for p in datarobot.paginate(datarobot.models.list_model_packages, limit=10)]
    assert ids == server.datarobot.model_packages


async def test_max_items_and_pages(server: LoopbackServer, qlik: QlikClient) -> None:
    paginator = qlik.paginate(qlik.data_stores.get_data_stores, limit=10)
    first_15 = await paginator.to_list(max_items=15)
    assert [d.id for d in first_15] == server.qlik.data_stores[:15]
    assert len(server.requests) == 2  # no page fetched beyond what max_items needs
    pages = [page async for page in qlik.paginate(qlik.data_stores.get_data_stores, limit=10).pages()]
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert pages[0].body.total == 25 and pages[0].response.status_code == 200


async def test_a_next_link_to_another_origin_raises() -> None:
    body = {"data": [{"id": "a", "type": "deployment", "attributes": {}}], "links": _links("https://evil.example/x")}
    async with QlikClient("https://t.us.qlikcloud.com", token="t") as qlik:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), payload=body)
            paginator = qlik.paginate(qlik.ml.get_deployments)
            with pytest.raises(PagingError, match="another origin"):
                [d async for d in paginator]
    assert len(mocked.requests) == 1


async def test_a_link_already_followed_ends_iteration() -> None:
    loop_link = "https://t.us.qlikcloud.com/api/v1/ml/deployments?offset=1"
    body = {"data": [{"id": "a", "type": "deployment", "attributes": {}}], "links": _links(loop_link)}
    async with QlikClient("https://t.us.qlikcloud.com", token="t") as qlik:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), payload=body, repeat=True)
            items = [d async for d in qlik.paginate(qlik.ml.get_deployments)]
    assert len(items) == 2  # the first page, then the linked one; its link repeats, so stop


async def test_an_empty_page_ends_iteration() -> None:
    async with QlikClient("https://t.us.qlikcloud.com", token="t") as qlik:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), payload={"data": [], "links": _links("https://t.us.qlikcloud.com/x")})
            assert [d async for d in qlik.paginate(qlik.ml.get_deployments)] == []


async def test_a_page_number_that_does_not_advance_ends_iteration() -> None:
    page = {"data": [{"id": "a", "type": "t", "technicalName": "t"}], "page": 1}  # no total, no limit
    async with QlikClient("https://t.us.qlikcloud.com", token="t") as qlik:
        with aioresponses() as mocked:
            mocked.get(re.compile(".*"), payload=page, repeat=True)
            items = [d async for d in qlik.paginate(qlik.data_stores.get_data_stores)]
    assert len(items) == 1


def test_an_operation_that_does_not_page_is_refused() -> None:
    qlik = QlikClient("https://t.us.qlikcloud.com", token="t")
    with pytest.raises(PagingError, match="getDeployment is not a paged list operation"):
        qlik.paginate(qlik.ml.get_deployment, "dep-0001")  # type: ignore[arg-type]  # the types refuse it too


def _links(next_href: str) -> dict[str, Any]:
    return {"next": {"href": next_href}, "self": {"href": "x"}}
