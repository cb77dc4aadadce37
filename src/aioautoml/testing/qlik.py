"""A Qlik tenant's data and the handlers that serve it: ML deployments and batch-prediction jobs,
AutoML predictions result files, Automations (cursor links), Data stores (page numbers)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .responses import error, repeat, stream
from .routing import Handler, path_params

__all__ = ["QlikTenant"]

_DEPLOYMENT = "/api/v1/ml/deployments/{deploymentId}"
_BATCH_PREDICTION = _DEPLOYMENT + "/batch-predictions/{batchPredictionId}"
_PREDICTION = "/api/v1/automl-predictions/{predictionId}"
_DATE = "2026-11-01T00:00:00Z"


class QlikTenant:
    """What one tenant holds; change it freely between requests (e.g. ``job_polls``)."""

    def __init__(
        self,
        *,
        deployments: int,
        batch_predictions: int,
        job_polls: int,
        result_rows: int,
        result_bytes: int | None,
        data_stores: int,
        automations: int,
        data_stores_first_page: int = 1,
    ) -> None:
        if data_stores_first_page not in (0, 1):
            raise ValueError(f"data_stores_first_page is 0 or 1, not {data_stores_first_page!r}")
        self.deployments = [f"dep-{i:04d}" for i in range(1, deployments + 1)]
        self.batch_predictions = {
            dep: [f"bp-{d:04d}-{j:02d}" for j in range(1, batch_predictions + 1)]
            for d, dep in enumerate(self.deployments, 1)
        }
        self.prediction_status = {bp: "ready" for bps in self.batch_predictions.values() for bp in bps}
        self.fail_predictions: set[str] = set()  # batch predictions whose next run ends in "error"
        self.job_polls = job_polls  # status reads a started batch prediction stays "pending" for
        self.cancelled: list[str] = []  # jobs cancelled, as corrType/corrId
        self.result_rows = result_rows  # rows of each result CSV ...
        self.result_bytes = result_bytes  # ... or, when set, its exact size in bytes
        self.data_stores = [f"ds-{i:04d}" for i in range(1, data_stores + 1)]
        self.data_stores_first_page = data_stores_first_page
        self.automations = [f"auto-{i:04d}" for i in range(1, automations + 1)]
        self._polls_left: dict[str, int] = {}

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {
            ("GET", "/api/v1/ml/deployments"): self.get_deployments,
            ("GET", _DEPLOYMENT): self.get_deployment,
            ("GET", _DEPLOYMENT + "/batch-predictions"): self.get_batch_predictions,
            ("GET", _BATCH_PREDICTION): self.get_batch_prediction,
            ("POST", _BATCH_PREDICTION + "/actions/predict"): self.predict,
            ("POST", "/api/v1/ml/jobs/{corrType}/{corrId}/actions/cancel"): self.cancel_job,
            **{
                ("GET", f"{_PREDICTION}/{file}"): self.result_file
                for file in ("predictions", "shap", "source", "not-predicted-reasons", "coordinate-shap")
            },
            ("GET", "/api/workflows/automations"): self.get_automations,
            ("GET", "/api/v1/data-stores"): self.get_data_stores,
            ("GET", "/api/v1/data-stores/{data-store-id}"): self.get_data_store,
        }

    # -- ML: deployments, batch predictions and their jobs -------------------------------------

    async def get_deployments(self, request: web.Request) -> web.Response:
        return web.json_response(_offset_page(request, self.deployments, _deployment))

    async def get_deployment(self, request: web.Request) -> web.Response:
        deployment_id = path_params(request)["deploymentId"]
        if deployment_id not in self.batch_predictions:
            return error(404, "ML-404", "Not found", f"no deployment {deployment_id}")
        return web.json_response({"data": _deployment(deployment_id)})

    async def get_batch_predictions(self, request: web.Request) -> web.Response:
        deployment_id = path_params(request)["deploymentId"]
        if deployment_id not in self.batch_predictions:
            return error(404, "ML-404", "Not found", f"no deployment {deployment_id}")
        batch_ids = self.batch_predictions[deployment_id]
        return web.json_response(_offset_page(request, batch_ids, lambda bp: self._batch(deployment_id, bp)))

    async def get_batch_prediction(self, request: web.Request) -> web.Response:
        found = self._find_batch(request)
        if found is None:
            return error(404, "ML-404", "Not found", "no such batch prediction")
        deployment_id, bp_id = found
        if self.prediction_status[bp_id] == "pending":
            self._polls_left[bp_id] -= 1
            if self._polls_left[bp_id] <= 0:
                self.prediction_status[bp_id] = "error" if bp_id in self.fail_predictions else "ready"
        return web.json_response({"data": self._batch(deployment_id, bp_id)})

    async def predict(self, request: web.Request) -> web.Response:
        found = self._find_batch(request)
        if found is None:
            return error(404, "ML-404", "Not found", "no such batch prediction")
        deployment_id, bp_id = found
        self.prediction_status[bp_id] = "pending"
        self._polls_left[bp_id] = self.job_polls
        job = {
            "id": f"job-{bp_id}",
            "type": "job",
            "attributes": {
                "id": f"job-{bp_id}",
                "status": "pending",
                "corrId": bp_id,
                "corrType": "batch-prediction",
                "deploymentId": deployment_id,
            },
        }
        return web.json_response({"data": job}, status=202)

    async def cancel_job(self, request: web.Request) -> web.Response:
        params = path_params(request)
        corr_type, corr_id = params["corrType"], params["corrId"]
        self.cancelled.append(f"{corr_type}/{corr_id}")
        if corr_id in self.prediction_status:
            self.prediction_status[corr_id] = "cancelled"
        return web.Response(status=204)

    def _find_batch(self, request: web.Request) -> tuple[str, str] | None:
        params = path_params(request)
        deployment_id, bp_id = params["deploymentId"], params["batchPredictionId"]
        if bp_id not in self.batch_predictions.get(deployment_id, []):
            return None
        return deployment_id, bp_id

    def _batch(self, deployment_id: str, bp_id: str) -> dict[str, Any]:
        return {
            "id": bp_id,
            "type": "batch-prediction",
            "attributes": {
                "id": bp_id,
                "name": f"Batch {bp_id}",
                "status": self.prediction_status[bp_id],
                "deploymentId": deployment_id,
                "dataSetId": "672e55cfcadfb8a18281523e",
                "ownerId": "owner",
                "createdAt": _DATE,
                "updatedAt": _DATE,
            },
        }

    # -- AutoML predictions: result files, streamed ---------------------------------------------

    async def result_file(self, request: web.Request) -> web.StreamResponse:
        prediction_id = path_params(request)["predictionId"]
        if self.result_bytes is not None:
            pattern = (b"row,prediction,probability\n" + b"0,yes,0.5\n" * 6600)[: 64 * 1024]
            return await stream(request, repeat(pattern, self.result_bytes), self.result_bytes, "text/csv")
        rows = "".join(
            f"{i},{prediction_id},{'yes' if i % 3 else 'no'},{(i % 100) / 100:.2f}\n" for i in range(self.result_rows)
        )
        payload = ("row,predictionId,prediction,probability\n" + rows).encode()
        return await stream(request, [payload], len(payload), "text/csv")

    # -- Automations: cursor links --------------------------------------------------------------

    async def get_automations(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", 10))
        start = self.automations.index(request.query["cursor"]) if "cursor" in request.query else 0
        page = self.automations[start : start + limit]
        links: dict[str, Any] = {"self": {"href": str(request.url)}}
        if start + limit < len(self.automations):  # an opaque cursor: the next item's id
            cursor = self.automations[start + limit]
            links["next"] = {"href": str(request.url.with_query(limit=limit, cursor=cursor))}
        items = [{"id": a, "name": f"Automation {a}", "state": "available"} for a in page]
        return web.json_response({"data": items, "links": links})

    # -- Data stores: page numbers --------------------------------------------------------------

    async def get_data_stores(self, request: web.Request) -> web.Response:
        first = self.data_stores_first_page
        limit = int(request.query.get("limit", 10))
        page = int(request.query.get("page", first))  # no page asked: the first, and the body says which
        if page < first:
            return error(400, "DS-400", "Bad request", f"pages count from {first}")
        start = (page - first) * limit
        items = self.data_stores[start : start + limit]
        return web.json_response(
            {
                "data": [_data_store(d) for d in items],
                "page": page,
                "limit": limit,
                "pages": max(1, math.ceil(len(self.data_stores) / limit)),
                "total": len(self.data_stores),
                "links": {"self": {"href": str(request.url)}},
            }
        )

    async def get_data_store(self, request: web.Request) -> web.Response:
        data_store_id = path_params(request)["data-store-id"]
        if data_store_id not in self.data_stores:
            return error(404, "DS-404", "Not found", f"no data store {data_store_id}")
        return web.json_response(_data_store(data_store_id))


def _offset_page(
    request: web.Request, ids: list[str], build: Callable[[str], Any], *, default_limit: int = 32
) -> dict[str, Any]:
    """Qlik ML's limit/offset page, with its links (``next`` empty on the last page)."""
    limit = int(request.query.get("limit", default_limit))
    offset = int(request.query.get("offset", 0))
    page = [build(i) for i in ids[offset : offset + limit]]
    base = request.url.with_query(None)
    links: dict[str, Any] = {
        "self": {"href": str(base.with_query(limit=limit, offset=offset))},
        "first": {"href": str(base.with_query(limit=limit, offset=0))},
        "last": {"href": str(base.with_query(limit=limit, offset=max(0, len(ids) - limit)))},
        "prev": {"href": str(base.with_query(limit=limit, offset=max(0, offset - limit)))},
        "next": {},
    }
    if offset + limit < len(ids):
        links["next"] = {"href": str(base.with_query(limit=limit, offset=offset + limit))}
    return {"data": page, "meta": {"count": len(ids)}, "links": links}


def _deployment(deployment_id: str) -> dict[str, Any]:
    return {
        "id": deployment_id,
        "type": "deployment",
        "attributes": {
            "id": deployment_id,
            "name": f"Deployment {deployment_id}",
            "modelId": "c35f4b70-3ce4-4a30-b62b-2aef16943bc4",
            "ownerId": "owner",
            "spaceId": "",
            "createdAt": _DATE,
            "createdBy": "owner",
            "updatedAt": _DATE,
            "deprecated": False,
            "description": "",
            "enablePredictions": True,
        },
    }


def _data_store(data_store_id: str) -> dict[str, Any]:
    return {
        "id": data_store_id,
        "name": f"Store {data_store_id}",
        "type": "qix-datafiles",
        "technicalName": data_store_id,
    }
