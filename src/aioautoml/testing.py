"""A loopback stand-in for Qlik Cloud and DataRobot, to test bulk jobs without a tenant.

    async with LoopbackServer(deployments=50) as server:
        async with QlikClient(server.url, token=server.token) as qlik:
            ...

It serves the operations the demo and the tests use, at the paths of the specs (the operation
tables), and behaves as the documents describe:

- bearer tokens (401 for anything else; ``server.tokens`` can be changed to rotate them);
- each paging style: ML limit/offset with ``links.next.href``, Automations cursor links, Data
  stores page/limit, DataRobot offset/limit with a ``next`` URL;
- Qlik's rate tiers, per token: a sliding window per tier, and a 429 with ``Retry-After`` that
  blocks the whole tier until it has passed (``tiers`` and ``clock`` scale it for tests);
- long-running work: batch-prediction predict (202) and the batch prediction's status; DataRobot
  model training (202 + Location, a model job answering 303 when done); cancellation of both;
- result files (AutoML predictions CSVs, DataRobot scoring code), streamed, of any size;
- injected faults (``server.inject(Fault(...))``): an error status, a connection reset, a slow
  response, a body cut short.

Every request is recorded in ``server.requests``.
"""

from __future__ import annotations

import asyncio
import importlib
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from ._wire import Operation

__all__ = ["Fault", "LoopbackServer", "RecordedRequest"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The documented tiers: (requests, per seconds).
QLIK_TIERS = {"1": (1000, 60.0), "2": (100, 60.0)}
_TRUNCATE = web.RequestKey("truncate", bool)
_APIS = ("qlik_ml", "qlik_automl_predictions", "qlik_automations", "qlik_data_stores", "datarobot_models")


@dataclass
class Fault:
    """Something to go wrong, ``times`` times, on requests matching ``operation`` (an operationId,
    or None for any) and ``method``.

    ``kind``: ``"status"`` answers ``status`` (with ``retry_after`` if given); ``"reset"`` drops
    the connection without answering; ``"slow"`` waits ``delay`` seconds first; ``"truncate"``
    sends the headers and half of the body, then drops the connection."""

    kind: Literal["status", "reset", "slow", "truncate"]
    operation: str | None = None
    method: str | None = None
    times: int = 1
    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0

    def matches(self, request: web.Request, operation_id: str | None) -> bool:
        return (
            self.times > 0
            and (self.operation is None or self.operation == operation_id)
            and (self.method is None or self.method == request.method)
        )


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str  # as received, percent-encoded
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    operation: str | None  # the operationId it matched
    at: float  # the server's clock
    status: int = 0  # the status answered (0: no answer, the connection was dropped)


@dataclass
class _Window:
    """One token's sliding window on one tier."""

    times: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0


class LoopbackServer:
    """An aiohttp.web server on 127.0.0.1 with the behaviour described in the module docstring."""

    def __init__(
        self,
        *,
        token: str = "loopback-token",
        tiers: Mapping[str, tuple[int, float]] | None = QLIK_TIERS,
        datarobot_limit: tuple[int, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        deployments: int = 3,
        batch_predictions: int = 2,
        job_polls: int = 2,
        result_rows: int = 100,
        result_bytes: int | None = None,
        data_stores: int = 25,
        automations: int = 25,
        model_packages: int = 25,
        fractional_retry_after: bool = False,
    ) -> None:
        self.token = token
        self.tokens: set[str] = {token}
        self.tiers = dict(tiers) if tiers is not None else {}
        self.datarobot_limit = datarobot_limit
        self.clock = clock
        self.job_polls = job_polls
        self.result_rows = result_rows
        self.result_bytes = result_bytes
        self.fractional_retry_after = fractional_retry_after
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.rate_limited = 0  # 429s sent for the tier limits
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests handled at once
        self.cancelled: list[str] = []  # jobs cancelled (corrType/corrId, or DataRobot job ids)
        self._windows: dict[tuple[str, str], _Window] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        # The data served.
        self.deployments = [f"dep-{i:04d}" for i in range(1, deployments + 1)]
        self.batch_predictions = {
            dep: [f"bp-{d:04d}-{j:02d}" for j in range(1, batch_predictions + 1)]
            for d, dep in enumerate(self.deployments, 1)
        }
        self.prediction_status = {bp: "ready" for bps in self.batch_predictions.values() for bp in bps}
        self.fail_predictions: set[str] = set()  # batch predictions whose next run ends in "error"
        self._polls_left: dict[str, int] = {}
        self.data_stores = [f"ds-{i:04d}" for i in range(1, data_stores + 1)]
        self.automations = [f"auto-{i:04d}" for i in range(1, automations + 1)]
        self.model_packages = [f"mp-{i:04d}" for i in range(1, model_packages + 1)]
        self.model_jobs: dict[str, int] = {}  # DataRobot job id -> polls left before it is done
        self.app = self._build_app()

    # -- lifetime -----------------------------------------------------------------------------

    async def start(self) -> LoopbackServer:
        # A client that drops a connection cancels its handler, as behind a real load balancer.
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> LoopbackServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def inject(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.operation == operation]

    # -- routing ------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        handlers: dict[str, Handler] = {
            "getDeployments": self._get_deployments,
            "getDeployment": self._get_deployment,
            "getBatchPredictions": self._get_batch_predictions,
            "getBatchPrediction": self._get_batch_prediction,
            "predictBatchPrediction": self._predict,
            "cancelJob": self._cancel_job,
            "getPredictionResults": self._result_file,
            "getPredictionShap": self._result_file,
            "getPredictionSource": self._result_file,
            "getPredictionNotPredictedReasons": self._result_file,
            "getPredictionCoordinateShap": self._result_file,
            "getAutomations": self._get_automations,
            "getDataStores": self._get_data_stores,
            "getDataStore": self._get_data_store,
            "listModelPackages": self._list_model_packages,
            "retrieveModelPackage": self._retrieve_model_package,
            "createModel": self._create_model,
            "retrieveModelJob": self._retrieve_model_job,
            "deleteModelJob": self._delete_model_job,
            "retrieveModel": self._retrieve_model,
            "downloadScoringCode": self._scoring_code,
        }
        self._operations: dict[str, Operation] = {}
        for api in _APIS:
            table = importlib.import_module(f"aioautoml._generated.{api}._operations")
            for operation in table.OPERATIONS.values():
                self._operations[operation.id] = operation
                handler = handlers.get(operation.id, self._not_implemented)
                path = re.sub(r"\{([^}]+)\}", lambda m: "{" + m.group(1).replace("-", "_") + "}", operation.path)
                app.router.add_route(operation.method, path, handler, name=operation.id)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route
        operation = self._operations.get(route.name or "") if route is not None else None
        now = self.clock()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            response = await self._respond(request, handler, operation, now)
        finally:
            self.in_flight -= 1
        self.requests.append(
            RecordedRequest(
                request.method,
                request.raw_path.split("?")[0],
                list(request.query.items()),
                dict(request.headers),
                operation.id if operation else None,
                now,
                response.status if response.prepared or isinstance(response, web.Response) else 0,
            )
        )
        return response

    async def _respond(
        self, request: web.Request, handler: Handler, operation: Operation | None, now: float
    ) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self.tokens:
            return _error(401, "AUTH-1", "Unauthorized", "missing or invalid bearer token")
        if operation is not None:
            limited = self._rate_limit(auth, operation, now)
            if limited is not None:
                return limited
        for fault in self.faults:
            if fault.matches(request, operation.id if operation else None):
                fault.times -= 1
                if fault.kind == "status":
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
                    return _error(fault.status, f"FAULT-{fault.status}", "Injected fault", "injected", headers)
                if fault.kind == "reset":
                    assert request.transport is not None
                    request.transport.abort()
                    return web.Response(status=599)  # never sent: the connection is gone
                if fault.kind == "slow":
                    await asyncio.sleep(fault.delay)
                if fault.kind == "truncate":
                    request[_TRUNCATE] = True  # streaming handlers cut their own body short
                    response = await handler(request)
                    return response if response.prepared else await _truncated(request, response)
                break
        return await handler(request)

    def _rate_limit(self, auth: str, operation: Operation, now: float) -> web.Response | None:
        if operation.tier is not None:
            tier, limit = operation.tier, self.tiers.get(operation.tier)
        else:
            tier, limit = "default", self.datarobot_limit
        if limit is None:
            return None
        allowed, window = limit
        state = self._windows.setdefault((auth, tier), _Window())
        while state.times and state.times[0] <= now - window:
            state.times.popleft()
        if state.blocked_until <= now and len(state.times) < allowed:
            state.times.append(now)
            return None
        # Over the limit: the whole tier is blocked until the window has room again.
        state.blocked_until = max(state.blocked_until, state.times[0] + window if state.times else now)
        wait = state.blocked_until - now
        self.rate_limited += 1
        retry_after = f"{wait:.3f}" if self.fractional_retry_after else str(max(1, math.ceil(wait)))
        return _error(429, "RATE-LIMIT", "Too many requests", f"tier {tier} is limited", {"Retry-After": retry_after})

    async def _not_implemented(self, request: web.Request) -> web.Response:
        return _error(501, "LOOPBACK-501", "Not implemented", f"the loopback server does not serve {request.path}")

    # -- Qlik ML ------------------------------------------------------------------------------

    def _offset_page(
        self, request: web.Request, ids: list[str], build: Callable[[str], Any], *, default_limit: int = 32
    ) -> dict[str, Any]:
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

    def _deployment(self, deployment_id: str) -> dict[str, Any]:
        return {
            "id": deployment_id,
            "type": "deployment",
            "attributes": {
                "id": deployment_id,
                "name": f"Deployment {deployment_id}",
                "modelId": "c35f4b70-3ce4-4a30-b62b-2aef16943bc4",
                "ownerId": "owner",
                "spaceId": "",
                "createdAt": "2026-11-01T00:00:00Z",
                "createdBy": "owner",
                "updatedAt": "2026-11-01T00:00:00Z",
                "deprecated": False,
                "description": "",
                "enablePredictions": True,
            },
        }

    def _batch_prediction(self, deployment_id: str, bp_id: str) -> dict[str, Any]:
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
                "createdAt": "2026-11-01T00:00:00Z",
                "updatedAt": "2026-11-01T00:00:00Z",
            },
        }

    async def _get_deployments(self, request: web.Request) -> web.Response:
        return web.json_response(self._offset_page(request, self.deployments, self._deployment))

    async def _get_deployment(self, request: web.Request) -> web.Response:
        deployment_id = request.match_info["deploymentId"]
        if deployment_id not in self.batch_predictions:
            return _error(404, "ML-404", "Not found", f"no deployment {deployment_id}")
        return web.json_response({"data": self._deployment(deployment_id)})

    async def _get_batch_predictions(self, request: web.Request) -> web.Response:
        deployment_id = request.match_info["deploymentId"]
        if deployment_id not in self.batch_predictions:
            return _error(404, "ML-404", "Not found", f"no deployment {deployment_id}")
        batch_ids = self.batch_predictions[deployment_id]
        return web.json_response(
            self._offset_page(request, batch_ids, lambda bp: self._batch_prediction(deployment_id, bp))
        )

    def _find_bp(self, request: web.Request) -> tuple[str, str] | None:
        deployment_id, bp_id = request.match_info["deploymentId"], request.match_info["batchPredictionId"]
        if bp_id not in self.batch_predictions.get(deployment_id, []):
            return None
        return deployment_id, bp_id

    async def _get_batch_prediction(self, request: web.Request) -> web.Response:
        found = self._find_bp(request)
        if found is None:
            return _error(404, "ML-404", "Not found", "no such batch prediction")
        deployment_id, bp_id = found
        if self.prediction_status[bp_id] == "pending":
            self._polls_left[bp_id] -= 1
            if self._polls_left[bp_id] <= 0:
                self.prediction_status[bp_id] = "error" if bp_id in self.fail_predictions else "ready"
        return web.json_response({"data": self._batch_prediction(deployment_id, bp_id)})

    async def _predict(self, request: web.Request) -> web.Response:
        found = self._find_bp(request)
        if found is None:
            return _error(404, "ML-404", "Not found", "no such batch prediction")
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

    async def _cancel_job(self, request: web.Request) -> web.Response:
        corr_type, corr_id = request.match_info["corrType"], request.match_info["corrId"]
        self.cancelled.append(f"{corr_type}/{corr_id}")
        if corr_id in self.prediction_status:
            self.prediction_status[corr_id] = "cancelled"
        return web.Response(status=204)

    # -- result files -------------------------------------------------------------------------

    async def _result_file(self, request: web.Request) -> web.StreamResponse:
        prediction_id = request.match_info["predictionId"]
        if self.result_bytes is not None:
            size = self.result_bytes
            pattern = (b"row,prediction,probability\n" + b"0,yes,0.5\n" * 6600)[: 64 * 1024]
            chunks: Iterable[bytes] = _repeat(pattern, size)
        else:
            rows = "".join(
                f"{i},{prediction_id},{'yes' if i % 3 else 'no'},{(i % 100) / 100:.2f}\n"
                for i in range(self.result_rows)
            )
            payload = ("row,predictionId,prediction,probability\n" + rows).encode()
            size, chunks = len(payload), [payload]
        response = web.StreamResponse(headers={"Content-Type": "text/csv"})
        response.content_length = size
        await response.prepare(request)
        cut = size // 2 if request.get(_TRUNCATE) else None
        sent = 0
        for chunk in chunks:
            if cut is not None and sent + len(chunk) >= cut:
                await response.write(chunk[: cut - sent])
                assert request.transport is not None
                request.transport.abort()  # a body cut short under its full Content-Length
                return response
            await response.write(chunk)
            sent += len(chunk)
        await response.write_eof()
        return response

    # -- Qlik Automations and Data stores ----------------------------------------------------

    async def _get_automations(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", 10))
        start = self.automations.index(request.query["cursor"]) if "cursor" in request.query else 0
        page = self.automations[start : start + limit]
        links: dict[str, Any] = {"self": {"href": str(request.url)}}
        if start + limit < len(self.automations):  # an opaque cursor: the next item's id
            cursor = self.automations[start + limit]
            links["next"] = {"href": str(request.url.with_query(limit=limit, cursor=cursor))}
        items = [{"id": a, "name": f"Automation {a}", "state": "available"} for a in page]
        return web.json_response({"data": items, "links": links})

    def _data_store(self, data_store_id: str) -> dict[str, Any]:
        return {
            "id": data_store_id,
            "name": f"Store {data_store_id}",
            "type": "qix-datafiles",
            "technicalName": data_store_id,
        }

    async def _get_data_stores(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", 10))
        page = int(request.query.get("page", 1))  # pages count from 1 here, and the body says which
        items = self.data_stores[(page - 1) * limit : page * limit]
        pages = max(1, math.ceil(len(self.data_stores) / limit))
        return web.json_response(
            {
                "data": [self._data_store(d) for d in items],
                "page": page,
                "limit": limit,
                "pages": pages,
                "total": len(self.data_stores),
                "links": {"self": {"href": str(request.url)}},
            }
        )

    async def _get_data_store(self, request: web.Request) -> web.Response:
        data_store_id = request.match_info["data_store_id"]
        if data_store_id not in self.data_stores:
            return _error(404, "DS-404", "Not found", f"no data store {data_store_id}")
        return web.json_response(self._data_store(data_store_id))

    # -- DataRobot ------------------------------------------------------------------------------

    async def _list_model_packages(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", 100))
        offset = int(request.query.get("offset", 0))
        items = self.model_packages[offset : offset + limit]
        base = request.url.with_query(None)
        more = offset + limit < len(self.model_packages)
        return web.json_response(
            {
                "count": len(items),
                "totalCount": len(self.model_packages),
                "data": [{"id": mp, "name": f"Package {mp}"} for mp in items],
                "next": str(base.with_query(offset=offset + limit, limit=limit)) if more else None,
                "previous": str(base.with_query(offset=max(0, offset - limit), limit=limit)) if offset else None,
            }
        )

    async def _retrieve_model_package(self, request: web.Request) -> web.Response:
        package_id = request.match_info["modelPackageId"]
        if package_id not in self.model_packages:
            return web.json_response({"message": f"Model package {package_id} not found"}, status=404)
        return web.json_response({"id": package_id, "name": f"Package {package_id}"})

    async def _create_model(self, request: web.Request) -> web.Response:
        project_id = request.match_info["projectId"]
        job_id = str(len(self.model_jobs) + 1)
        self.model_jobs[job_id] = self.job_polls
        location = request.url.with_path(f"/api/v2/projects/{project_id}/modelJobs/{job_id}/").with_query(None)
        return web.Response(status=202, headers={"Location": str(location)})

    async def _retrieve_model_job(self, request: web.Request) -> web.Response:
        project_id, job_id = request.match_info["projectId"], request.match_info["jobId"]
        if job_id not in self.model_jobs:
            return web.json_response({"message": f"Job {job_id} not found"}, status=404)
        self.model_jobs[job_id] -= 1
        if self.model_jobs[job_id] <= 0:
            model = request.url.with_path(f"/api/v2/projects/{project_id}/models/model-{job_id}/").with_query(None)
            return web.Response(status=303, headers={"Location": str(model)})
        return web.json_response(
            {"id": job_id, "projectId": project_id, "status": "inprogress", "modelId": f"model-{job_id}"}
        )

    async def _delete_model_job(self, request: web.Request) -> web.Response:
        self.cancelled.append(request.match_info["jobId"])
        self.model_jobs.pop(request.match_info["jobId"], None)
        return web.Response(status=204)

    async def _retrieve_model(self, request: web.Request) -> web.Response:
        model_id = request.match_info["modelId"]
        return web.json_response(
            {"id": model_id, "projectId": request.match_info["projectId"], "modelType": "Loopback"}
        )

    async def _scoring_code(self, request: web.Request) -> web.Response:
        return web.Response(body=b"PK\x03\x04" + b"\x00" * 1024, content_type="application/java-archive")


def _repeat(pattern: bytes, size: int) -> Iterable[bytes]:
    while size > 0:
        yield pattern[:size]
        size -= len(pattern)


def _error(status: int, code: str, title: str, detail: str, headers: Mapping[str, str] | None = None) -> web.Response:
    body = {"errors": [{"code": code, "title": title, "detail": detail, "status": str(status)}], "traceId": "loopback"}
    return web.json_response(body, status=status, headers=headers)


async def _truncated(request: web.Request, full: web.StreamResponse) -> web.StreamResponse:
    """Half of ``full``'s body under its full Content-Length, then a dropped connection."""
    body = full.body if isinstance(full, web.Response) and isinstance(full.body, bytes) else b"x" * 1024
    response = web.StreamResponse(status=full.status, headers={"Content-Type": full.content_type})
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[: len(body) // 2])
    assert request.transport is not None
    request.transport.abort()
    return response
