"""The route table: (method, path template) -> handler, matched one path segment at a time.

Routes are keyed by method and path as the specs write them, never by operationId: a vendor's
re-spec renames operationIds while the paths stay. The table is read on every request, so a
handler can be replaced, or a path added, after the server started (aiohttp freezes its own
router then).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from aiohttp import web

from .._wire import Operation

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_PATH_PARAMS = web.RequestKey("aioautoml_path_params", dict[str, str])


def path_params(request: web.Request) -> Mapping[str, str]:
    """The path parameters of the route ``request`` matched: names as in the template, values decoded."""
    params: dict[str, str] = request.get(_PATH_PARAMS, {})
    return params


@dataclass(slots=True)
class Route:
    method: str
    template: str  # e.g. /api/v1/ml/deployments/{deploymentId}
    handler: Handler
    operation: Operation | None  # None: a path that no spec documents, added by a test
    segments: tuple[str | None, ...] = field(init=False)  # None where the template has a parameter
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        parts = self.template.split("/")
        self.segments = tuple(None if _is_param(p) else p for p in parts)
        self.names = tuple(p[1:-1] for p in parts if _is_param(p))

    def match(self, raw_segments: list[str]) -> dict[str, str] | None:
        values: list[str] = []
        for expected, raw in zip(self.segments, raw_segments, strict=True):
            if expected is None:
                if not raw:
                    return None
                values.append(unquote(raw))  # one segment: an encoded "/" stays inside the value
            elif expected != raw:
                return None
        return dict(zip(self.names, values, strict=True))


class RouteTable:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], Route] = {}
        # By segment count, static segments before parameters (left to right): the most
        # specific template wins, e.g. /jobs/actions/x over /jobs/{id}/x.
        self._by_length: dict[int, list[Route]] = {}

    def add(self, method: str, template: str, handler: Handler, operation: Operation | None = None) -> None:
        """Serve ``method template`` with ``handler``; an existing route keeps its operation."""
        if not template.startswith("/"):
            raise ValueError(f"a path template starts with '/', not {template!r}")
        key = (method.upper(), template)
        existing = self._routes.get(key)
        if existing is not None:
            existing.handler = handler
            return
        route = self._routes[key] = Route(key[0], template, handler, operation)
        bucket = self._by_length.setdefault(len(route.segments), [])
        bucket.append(route)
        bucket.sort(key=lambda r: tuple(s is None for s in r.segments))

    def has(self, method: str, template: str) -> bool:
        return (method.upper(), template) in self._routes

    def get(self, method: str, template: str) -> Route:
        try:
            return self._routes[(method.upper(), template)]
        except KeyError:
            raise KeyError(f"no route for {method.upper()} {template}") from None

    def match(self, method: str, raw_path: str) -> tuple[Route, dict[str, str]] | bool:
        """The route and path parameters for a request; else whether the path is served for
        another method (405 rather than 404)."""
        raw_segments = raw_path.split("/")
        path_known = False
        for route in self._by_length.get(len(raw_segments), ()):
            params = route.match(raw_segments)
            if params is None:
                continue
            if route.method == method:
                return route, params
            path_known = True
        return path_known

    def routes(self) -> list[Route]:
        return list(self._routes.values())


def bind(request: web.Request, params: dict[str, str]) -> None:
    request[_PATH_PARAMS] = params


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")
