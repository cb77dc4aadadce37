"""The loopback server: lifetime, the route table built from the operation tables, the pipeline
each request goes through (auth, rate tiers, faults, handler) and the record of every request."""

from __future__ import annotations

import asyncio
import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from aiohttp import web

from .._wire import Operation
from .datarobot import DataRobotAccount
from .faults import Fault, respond_with, take
from .qlik import QlikTenant
from .responses import error
from .routing import Handler, Route, RouteTable, bind
from .tiers import QLIK_TIERS, RateTiers

__all__ = ["LoopbackServer", "RecordedRequest", "operation_routes"]

APIS = ("qlik_ml", "qlik_automl_predictions", "qlik_automations", "qlik_data_stores", "datarobot_models")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str  # as received, percent-encoded
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    operation: str | None  # the Python name of the operation it matched (None: no operation)
    at: float  # the server's clock
    status: int = 0  # the status answered (0: no answer, the connection was dropped)


def operation_routes(operations: Iterable[Operation], handlers: Mapping[tuple[str, str], Handler]) -> RouteTable:
    """A route for every operation, served by ``handlers[(method, path)]`` or a 501."""
    table = RouteTable()
    names: dict[str, Operation] = {}
    for operation in operations:
        # Requests are recorded, and faults aimed, by Python name: it must name one operation.
        other = names.setdefault(operation.python_name, operation)
        if other is not operation:
            raise ValueError(
                f"Python name {operation.python_name!r} is both {other.api} {other.method} {other.path}"
                f" and {operation.api} {operation.method} {operation.path}"
            )
        if table.has(operation.method, operation.path):
            raise ValueError(f"{operation.method} {operation.path} is in two operation tables")
        table.add(
            operation.method,
            operation.path,
            handlers.get((operation.method, operation.path), _not_implemented),
            operation,
        )
    unserved = sorted(set(handlers) - {(r.method, r.template) for r in table.routes()})
    if unserved:  # a re-spec moved a path: the built-in handler would silently serve nothing
        raise ValueError(f"handlers for paths no operation has: {unserved}")
    return table


class LoopbackServer:
    """An aiohttp.web server on 127.0.0.1 standing in for a Qlik tenant and a DataRobot account
    (see :mod:`aioautoml.testing`). ``clock`` defaults to the running event loop's time."""

    def __init__(
        self,
        *,
        token: str = "loopback-token",
        tiers: Mapping[str, tuple[int, float]] | None = QLIK_TIERS,
        datarobot_limit: tuple[int, float] | None = None,
        clock: Callable[[], float] | None = None,
        deployments: int = 3,
        batch_predictions: int = 2,
        job_polls: int = 2,
        result_rows: int = 100,
        result_bytes: int | None = None,
        data_stores: int = 25,
        data_stores_first_page: int = 1,
        automations: int = 25,
        model_packages: int = 25,
        fractional_retry_after: bool = False,
    ) -> None:
        self.token = token
        self.tokens: set[str] = {token}  # accepted bearer tokens: change it to rotate them
        self.clock = clock or _loop_time
        self.limits = RateTiers(tiers, datarobot_limit, fractional_retry_after=fractional_retry_after)
        self.qlik = QlikTenant(
            deployments=deployments,
            batch_predictions=batch_predictions,
            job_polls=job_polls,
            result_rows=result_rows,
            result_bytes=result_bytes,
            data_stores=data_stores,
            data_stores_first_page=data_stores_first_page,
            automations=automations,
        )
        self.datarobot = DataRobotAccount(model_packages=model_packages, job_polls=job_polls)
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests handled at once
        operations = [
            op
            for api in APIS
            for op in importlib.import_module(f"aioautoml._generated.{api}._operations").OPERATIONS.values()
        ]
        self.operations: Mapping[str, Operation] = {op.python_name: op for op in operations}
        self._routes = operation_routes(operations, {**self.qlik.routes(), **self.datarobot.routes()})
        self.app = web.Application()
        self.app.router.add_route("*", "/{path:.*}", self._serve)  # every request: the route table decides
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifetime -----------------------------------------------------------------------------

    async def start(self) -> LoopbackServer:
        # A client that drops a connection cancels its handler, as behind a real load balancer.
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]  # (host, port): the port the system chose
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LoopbackServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The variables ``QlikClient.from_env()`` and ``DataRobotClient.from_env()`` read (and so
        the ``aioautoml`` command line), pointed at this server with its token."""
        return {
            "QLIK_TENANT_URL": self.url,
            "QLIK_API_KEY": self.token,
            "DATAROBOT_ENDPOINT": f"{self.url}/api/v2",
            "DATAROBOT_API_TOKEN": self.token,
        }

    @property
    def rate_limited(self) -> int:
        """429s sent for the tier limits (injected ones not counted)."""
        return self.limits.rate_limited

    # -- what tests change and read -----------------------------------------------------------

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``method path`` with ``handler``, before or after start(). ``path`` is a template
        as the specs write it (``/api/v1/ml/deployments/{deploymentId}``; the handler reads the
        values with :func:`path_params`): an operation's handler is replaced, a new path added."""
        self._routes.add(method, path, handler)

    def handler(self, method: str, path: str) -> Handler:
        """The handler serving ``method path`` now (to wrap it, say)."""
        return self._routes.get(method, path).handler

    def inject(self, *faults: Fault) -> None:
        for fault in faults:
            if fault.operation is not None:
                self._check_name(fault.operation)
        self.faults.extend(faults)

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        """The requests that matched ``operation`` (a Python name, e.g. ``"get_batch_prediction"``)."""
        self._check_name(operation)
        return [r for r in self.requests if r.operation == operation]

    def _check_name(self, name: str) -> None:
        # A name that matches nothing would make a fault or an assertion silently vacuous.
        if name in self.operations:
            return
        by_id = {op.id: op.python_name for op in self.operations.values()}
        hint = by_id.get(name) or next(iter(difflib.get_close_matches(name, self.operations, n=1)), None)
        raise ValueError(f"no operation has the Python name {name!r}" + (f"; did you mean {hint!r}?" if hint else ""))

    # -- each request -------------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        path = request.rel_url.raw_path
        found = self._routes.match(request.method, path)
        route, params = found if isinstance(found, tuple) else (None, {})
        now = self.clock()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        status = 0
        try:
            response = await self._respond(request, route, params, path_known=found is True, now=now)
            status = _answered(request, response)
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except Exception:
            status = 500  # what aiohttp answers for an error a handler raised
            raise
        finally:
            self.in_flight -= 1
            operation = route.operation.python_name if route and route.operation else None
            record = RecordedRequest(
                request.method, path, list(request.query.items()), dict(request.headers), operation, now, status
            )
            self.requests.append(record)

    async def _respond(
        self, request: web.Request, route: Route | None, params: dict[str, str], *, path_known: bool, now: float
    ) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self.tokens:
            return error(401, "AUTH-1", "Unauthorized", "missing or invalid bearer token")
        if route is None:
            if path_known:
                return error(405, "LOOPBACK-405", "Method not allowed", f"{request.method} {request.path}")
            return error(404, "LOOPBACK-404", "Not found", f"the loopback server has no {request.path}")
        if route.operation is not None:
            limited = self.limits.admit(auth, route.operation, now)
            if limited is not None:
                return limited
        bind(request, params)
        fault = take(self.faults, request.method, route.operation.python_name if route.operation else None)
        if fault is not None:
            return await respond_with(fault, request, route.handler)
        return await route.handler(request)


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


def _answered(request: web.Request, response: web.StreamResponse) -> int:
    if response.prepared:
        return response.status  # the headers went out, whatever happened to the body
    if request.transport is None or request.transport.is_closing():
        return 0  # the connection was dropped before an answer
    return response.status


async def _not_implemented(request: web.Request) -> web.Response:
    return error(501, "LOOPBACK-501", "Not implemented", f"the loopback server does not serve {request.path}")
