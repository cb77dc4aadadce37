"""The examples in examples/: each runs against the loopback server, and mypy --strict accepts it."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from mypy import api as mypy

from aioautoml.testing import Fault, LoopbackServer

from .conftest import RedisServer, loopback_environment

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackServer]:
    async with LoopbackServer(deployments=12, batch_predictions=2, job_polls=2) as server:
        yield server


async def run(script: str, *args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / script), *args,
        env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_export_deployments_csv(loopback: LoopbackServer, tmp_path: Path) -> None:
    code, out, err = await run(
        "export_deployments_csv.py", "out.csv", env=loopback_environment(loopback, tmp_path), cwd=tmp_path
    )
    assert code == 0, err
    with (tmp_path / "out.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [row["id"] for row in rows] == loopback.qlik.deployments
    assert rows[0]["name"] == "Deployment dep-0001" and "12 deployments exported" in out


async def test_batch_predictions_end_to_end(loopback: LoopbackServer, tmp_path: Path) -> None:
    env = loopback_environment(loopback, tmp_path)
    code, out, err = await run("batch_predictions.py", "dep-0001", "results", env=env, cwd=tmp_path)
    assert code == 0, err
    assert sorted(line.split(":")[0] for line in out.splitlines()) == loopback.qlik.batch_predictions["dep-0001"]
    assert all(": ready," in line for line in out.splitlines())
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["bp-0001-01.csv", "bp-0001-02.csv"]


async def test_datarobot_model_job(loopback: LoopbackServer, tmp_path: Path) -> None:
    code, out, err = await run(
        "datarobot_model_job.py", "proj-1", "bp-7", env=loopback_environment(loopback, tmp_path), cwd=tmp_path
    )
    assert code == 0, err
    assert "training: " in out and "/api/v2/projects/proj-1/modelJobs/1/" in out
    assert "trained: " in out and "model-1" in out


async def test_error_handling(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.inject(Fault("status", operation="get_deployment", status=503, times=10))
    env = loopback_environment(loopback, tmp_path)
    code, out, err = await run("error_handling.py", "missing", env=env, cwd=tmp_path)
    lines = out.splitlines()
    assert code == 0, err
    assert lines == ["missing: the server failed with 503 after the retries"]
    loopback.faults.clear()
    code, out, err = await run("error_handling.py", "dep-0002", "missing", env=env, cwd=tmp_path)
    assert out.splitlines() == [
        "dep-0002: Deployment dep-0002",
        "missing: not found (ML-404, request id loopback)",
    ]


async def test_bulk_with_progress(loopback: LoopbackServer, tmp_path: Path) -> None:
    (tmp_path / "ids.txt").write_text("\n".join([*loopback.qlik.deployments, "missing"]) + "\n")
    code, out, err = await run(
        "bulk_with_progress.py", "ids.txt", env=loopback_environment(loopback, tmp_path), cwd=tmp_path
    )
    assert code == 1  # one input failed
    assert "missing: 404 on GET" in out and "12 read, 1 failed" in out
    assert "tier 1: 13 requests" in out
    assert "deployments" in err and "13/13" in err  # the progress bar, on stderr


async def test_aiohttp_app(loopback: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in loopback_environment(loopback, tmp_path).items():
        monkeypatch.setenv(name, value)
    sys.path.insert(0, str(EXAMPLES))
    try:
        import aiohttp_app  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    runner = web.AppRunner(aiohttp_app.make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        async with ClientSession() as session:
            async with session.get(f"http://{host}:{port}/deployments/dep-0003") as found:
                assert found.status == 200 and await found.json() == {"id": "dep-0003", "name": "Deployment dep-0003"}
            async with session.get(f"http://{host}:{port}/deployments/nope") as missing:
                assert missing.status == 404
    finally:
        await runner.cleanup()
    assert [r.path for r in loopback.requests] == ["/api/v1/ml/deployments/dep-0003", "/api/v1/ml/deployments/nope"]


async def test_shared_budget_processes(redis_server: RedisServer, tmp_path: Path) -> None:
    # Four spawned processes, one Tier-1 budget (40 per second) through Redis, against a loopback
    # server in the example's parent process, which counts the 429s it had to send.
    code, out, err = await run(
        "shared_budget_processes.py", redis_server.url, "--processes", "4", "--requests", "30",
        env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("4 processes, 120 read, 0 failed")
    assert lines[1].startswith("served 120 at ") and lines[2] == "server 429s: 0"
    rate = float(lines[1].split()[3])
    assert 40 * 0.85 <= rate <= 40  # the budget used, and not more than it


async def test_shared_budget_arq(redis_server: RedisServer, tmp_path: Path) -> None:
    # arq's queue and the rate budget in one Redis; two worker processes, 40 reads at 20 per second.
    code, out, err = await run(
        "shared_budget_arq.py", redis_server.url, "--workers", "2", "--jobs", "40", env=dict(os.environ), cwd=tmp_path
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "2 workers, 40 jobs done, the last: dep-0040: Deployment dep-0040"
    assert lines[1].startswith("served 40 at ") and lines[2] == "server 429s: 0"
    assert float(lines[1].split()[3]) <= 20


def test_the_examples_pass_mypy_strict() -> None:
    out, err, status = mypy.run(["--strict", "--no-error-summary", str(EXAMPLES)])
    assert status == 0, out + err
