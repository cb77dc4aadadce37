"""A DataRobot account's data and the handlers that serve it: model packages (offset/limit with a
``next`` URL), model training (202 + Location, a model job answering 303 when done), scoring code."""

from __future__ import annotations

from aiohttp import web

from .routing import Handler, path_params

__all__ = ["DataRobotAccount"]

_JOB = "/api/v2/projects/{projectId}/modelJobs/{jobId}/"
_MODEL = "/api/v2/projects/{projectId}/models/{modelId}/"


class DataRobotAccount:
    """What one account holds; change it freely between requests (e.g. ``job_polls``)."""

    def __init__(self, *, model_packages: int, job_polls: int) -> None:
        self.model_packages = [f"mp-{i:04d}" for i in range(1, model_packages + 1)]
        self.job_polls = job_polls  # reads of a model job before it answers 303
        self.model_jobs: dict[str, int] = {}  # job id -> reads left before it is done
        self.cancelled: list[str] = []  # model job ids deleted

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {
            ("GET", "/api/v2/modelPackages/"): self.list_model_packages,
            ("GET", "/api/v2/modelPackages/{modelPackageId}/"): self.retrieve_model_package,
            ("POST", "/api/v2/projects/{projectId}/models/"): self.create_model,
            ("GET", _JOB): self.retrieve_model_job,
            ("DELETE", _JOB): self.delete_model_job,
            ("GET", _MODEL): self.retrieve_model,
            ("GET", _MODEL + "scoringCode/"): self.scoring_code,
        }

    async def list_model_packages(self, request: web.Request) -> web.Response:
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

    async def retrieve_model_package(self, request: web.Request) -> web.Response:
        package_id = path_params(request)["modelPackageId"]
        if package_id not in self.model_packages:
            return web.json_response({"message": f"Model package {package_id} not found"}, status=404)
        return web.json_response({"id": package_id, "name": f"Package {package_id}"})

    async def create_model(self, request: web.Request) -> web.Response:
        project_id = path_params(request)["projectId"]
        job_id = str(len(self.model_jobs) + 1)
        self.model_jobs[job_id] = self.job_polls
        location = request.url.with_path(f"/api/v2/projects/{project_id}/modelJobs/{job_id}/").with_query(None)
        return web.Response(status=202, headers={"Location": str(location)})

    async def retrieve_model_job(self, request: web.Request) -> web.Response:
        params = path_params(request)
        project_id, job_id = params["projectId"], params["jobId"]
        if job_id not in self.model_jobs:
            return web.json_response({"message": f"Job {job_id} not found"}, status=404)
        self.model_jobs[job_id] -= 1
        if self.model_jobs[job_id] <= 0:
            model = request.url.with_path(f"/api/v2/projects/{project_id}/models/model-{job_id}/").with_query(None)
            return web.Response(status=303, headers={"Location": str(model)})
        return web.json_response(
            {"id": job_id, "projectId": project_id, "status": "inprogress", "modelId": f"model-{job_id}"}
        )

    async def delete_model_job(self, request: web.Request) -> web.Response:
        job_id = path_params(request)["jobId"]
        self.cancelled.append(job_id)
        self.model_jobs.pop(job_id, None)
        return web.Response(status=204)

    async def retrieve_model(self, request: web.Request) -> web.Response:
        params = path_params(request)
        return web.json_response({"id": params["modelId"], "projectId": params["projectId"], "modelType": "Loopback"})

    async def scoring_code(self, request: web.Request) -> web.Response:
        return web.Response(body=b"PK\x03\x04" + b"\x00" * 1024, content_type="application/java-archive")
