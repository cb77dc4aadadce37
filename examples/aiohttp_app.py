"""aioautoml inside an aiohttp web application: one client for the app's whole life.

    QLIK_TENANT_URL=... QLIK_API_KEY=... python aiohttp_app.py 8080
    curl localhost:8080/deployments/DEPLOYMENT_ID

The client (its session, pacing and token) is made when the app starts and closed when it stops,
through aiohttp's cleanup context; handlers share it, so every request of the app is paced
against the one Qlik rate budget.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator

from aiohttp import web

from aioautoml import NotFoundError, QlikClient

QLIK = web.AppKey("qlik", QlikClient)


async def qlik_client(app: web.Application) -> AsyncIterator[None]:
    async with QlikClient.from_env() as qlik:
        app[QLIK] = qlik
        yield


async def deployment(request: web.Request) -> web.Response:
    qlik = request.app[QLIK]
    try:
        found = await qlik.ml.get_deployment(request.match_info["id"])
    except NotFoundError:
        raise web.HTTPNotFound(text="no such deployment") from None
    return web.json_response({"id": found.data.id, "name": found.data.attributes.name})


def make_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(qlik_client)
    app.router.add_get("/deployments/{id}", deployment)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=int(sys.argv[1]) if len(sys.argv) > 1 else 8080)
