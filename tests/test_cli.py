"""The ``aioautoml`` command, run as a real subprocess against the loopback server in this process."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import pty
import signal
import sys
import threading
import typing
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import click
import pytest
from aiohttp import BodyPartReader, web
from redis.asyncio import Redis

from aioautoml._wire import operation_table
from aioautoml.cli._catalog import apis, operations, signature
from aioautoml.cli._commands import build_command
from aioautoml.cli._root import root
from aioautoml.testing import Fault, LoopbackServer
from aioautoml.testing.server import APIS

from .conftest import RedisServer, eventually, loopback_environment

GOOD_BODY = {
    "data": {
        "type": "batch-prediction",
        "attributes": {
            "name": "nightly scoring",
            "dataSetId": "672e55cfcadfb8a18281523e",
            "writeback": {"format": "parquet", "dstName": "scores", "spaceId": "space-1"},
        },
    }
}


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackServer]:
    async with LoopbackServer(deployments=70, tiers=None) as server:
        yield server


def _default_sigint() -> None:
    # A shell starts a background job with SIGINT ignored, and Python then installs no handler for
    # it: the command would not see the Ctrl-C these tests send. The child gets the default back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Cli:
    """The command as a subprocess; the event loop keeps serving the loopback server meanwhile."""

    def __init__(self, server: LoopbackServer, home: Path) -> None:
        self.env = loopback_environment(server, home)
        self.cwd = home
        self.processes: list[asyncio.subprocess.Process] = []

    async def start(self, *args: str) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aioautoml.cli", *args,
            env=self.env, cwd=self.cwd, preexec_fn=_default_sigint,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self.processes.append(process)
        return process

    async def __call__(self, *args: str) -> tuple[int, str, str]:
        process = await self.start(*args)
        out, err = await asyncio.wait_for(process.communicate(), 20)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def close(self) -> None:
        """A test that failed half-way leaves no process behind."""
        for process in self.processes:
            if process.returncode is None:
                process.kill()
                await process.communicate()


@pytest.fixture
async def cli(loopback: LoopbackServer, tmp_path: Path) -> AsyncIterator[Cli]:
    command = Cli(loopback, tmp_path)
    yield command
    await command.close()


async def read_stderr_until(process: asyncio.subprocess.Process, marker: str) -> list[str]:
    """Lines of standard error up to the first holding ``marker`` (no sleeping on a guess)."""
    assert process.stderr is not None
    lines: list[str] = []
    while True:
        line = (await asyncio.wait_for(process.stderr.readline(), 15)).decode()
        assert line, f"stderr ended before {marker!r}: {lines}"
        lines.append(line)
        if marker in line:
            return lines


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- the commands come from the tables ---------------------------------------------------------


def test_every_operation_of_every_table_has_a_command() -> None:
    assert sorted(ref.package for ref in apis()) == sorted(APIS)
    ctx = click.Context(root)
    total = 0
    for ref in apis():
        group = root.get_command(ctx, ref.vendor).get_command(ctx, ref.name)  # type: ignore[union-attr]
        assert group is not None
        names = group.list_commands(ctx)
        table = operation_table(ref.package)
        assert len(names) == len(table)
        assert sorted(names) == sorted(op.python_name.replace("_", "-") for op in table.values())
        total += len(names)
    assert total == sum(len(operation_table(api)) for api in APIS) == 183
    # each command builds, its parameters from the signature (path positional, the rest options)
    command = build_command(operations("qlik_ml")["get-deployments"])
    options = {opt: param for param in command.params for opt in getattr(param, "opts", [])}
    assert {"--filter", "--sort", "--limit", "--offset", "--all", "--max-items", "--jsonl", "--dry-run"} <= set(options)
    assert isinstance(options["--limit"].type, click.types.IntParamType)
    assert "+createdAt" in options["--sort"].type.choices  # type: ignore[attr-defined]
    command = build_command(operations("qlik_ml")["predict-batch-prediction"])
    assert [p.name for p in command.params if isinstance(p, click.Argument)] == ["deployment_id", "batch_prediction_id"]
    assert "--wait" in {opt for p in command.params for opt in getattr(p, "opts", [])}
    assert "--wait" not in {
        opt for p in build_command(operations("qlik_ml")["get-deployment"]).params for opt in p.opts
    }


def test_every_parameter_is_typed_from_the_signature() -> None:
    """Path parameters positional; lists repeatable; booleans --x/--no-x; enums choices; no clashes."""
    seen = {"multiple": 0, "flag": 0, "choice": 0, "argument": 0}
    for ref in apis():
        for operation in operations(ref.package).values():
            command = build_command(operation)
            sig = signature(operation)
            by_name = {p.name: p for p in command.params}
            spellings = [opt for p in command.params for opt in [*p.opts, *p.secondary_opts]]
            assert len(spellings) == len(set(spellings)), operation.python_name
            for parameter in sig.parameters:
                param = by_name[parameter.name]
                annotation = sig.hints[parameter.name]
                args = typing.get_args(annotation) or (annotation,)
                if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
                    assert isinstance(param, click.Argument)
                    seen["argument"] += 1
                elif parameter.name == "body":
                    assert param.opts == ["--body"]
                elif any(typing.get_origin(a) is list for a in args):
                    assert param.multiple
                    seen["multiple"] += 1
                elif bool in args:
                    assert isinstance(param, click.Option) and param.secondary_opts
                    seen["flag"] += 1
                elif any(typing.get_origin(a) is typing.Literal for a in args):
                    assert isinstance(param.type, click.Choice)
                    seen["choice"] += 1
    assert all(seen.values()), seen  # every kind occurs in the specs


async def test_help_is_readable(cli: Cli) -> None:
    code, out, _ = await cli("--help")
    assert code == 0
    assert "qlik" in out and "datarobot" in out and "bulk" in out and "Exit status" in out
    code, out, _ = await cli("qlik", "ml", "--help")
    assert code == 0
    assert "get-deployment " in out and "GET /api/v1/ml/deployments/{deploymentId}" in out
    code, out, _ = await cli("qlik", "ml", "get-deployments", "--help")
    assert code == 0
    assert "Number of results per page" in out  # the parameter's description, from the docstring
    assert "--max-items" in out and "[+createdAt|" in out


# -- output and paging ---------------------------------------------------------------------------


async def test_a_call_prints_the_model_as_json(cli: Cli, loopback: LoopbackServer) -> None:
    code, out, err = await cli("qlik", "ml", "get-deployment", "dep-0007")
    assert code == 0, err
    assert json.loads(out)["data"]["attributes"]["name"] == "Deployment dep-0007"
    cli.env["QLIK_TENANT_URL"] = "http://127.0.0.1:9"  # nothing listens there: --base-url wins
    code, out, err = await cli("qlik", "ml", "get-deployment", "dep-0008", "--base-url", loopback.url)
    assert code == 0, err
    assert json.loads(out)["data"]["id"] == "dep-0008"
    assert len(loopback.requests_for("get_deployment")) == 2


async def test_help_imports_no_models() -> None:
    """--help reads no operation table, an API's --help only its table: no model is imported."""
    for args, unwanted in ((["--help"], "aioautoml._generated"), (["qlik", "ml", "--help"], "qlik_ml.models")):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-X", "importtime", "-m", "aioautoml.cli", *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 20)
        assert process.returncode == 0 and b"Commands" in out
        imported = [line.rsplit("|", 1)[-1].strip() for line in err.decode().splitlines()]
        assert "click" in imported  # the measurement itself works
        assert not [name for name in imported if unwanted in name]


async def test_all_pages_to_jsonl_and_max_items_stops(cli: Cli, loopback: LoopbackServer) -> None:
    code, out, err = await cli("qlik", "ml", "get-deployments", "--limit", "25", "--all", "--jsonl")
    assert code == 0, err
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert ids == loopback.qlik.deployments  # 70 across three pages, none lost or repeated
    assert len(loopback.requests_for("get_deployments")) == 3
    code, out, err = await cli("qlik", "ml", "get-deployments", "--limit", "25", "--max-items", "30", "--jsonl")
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == loopback.qlik.deployments[:30]
    assert len(loopback.requests_for("get_deployments")) == 3 + 2  # stopped after the page holding item 30
    code, out, err = await cli("qlik", "ml", "get-deployments", "--limit", "25", "--jsonl")  # one page's items
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == loopback.qlik.deployments[:25]
    code, out, err = await cli("datarobot", "models", "list-model-packages", "--all")
    assert code == 0, err
    assert len(json.loads(out)) == 25  # without --jsonl: one JSON array


async def test_verbose_logs_the_retries_without_the_token(cli: Cli, loopback: LoopbackServer) -> None:
    loopback.inject(Fault("status", operation="get_deployment", status=503, times=1))
    code, out, err = await cli("qlik", "ml", "get-deployment", "dep-0001", "--verbose")
    assert code == 0, err
    assert json.loads(out)["data"]["id"] == "dep-0001"
    assert "dep-0001: server error (attempt 1 of 5); retrying in" in err  # the library's DEBUG line
    assert loopback.token not in err
    assert len(loopback.requests_for("get_deployment")) == 2


async def test_an_api_error_is_one_line_and_exit_1(cli: Cli) -> None:
    code, out, err = await cli("qlik", "ml", "get-deployment", "nope")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "NotFoundError: 404" in err and "ML-404" in err and "[request id loopback]" in err


async def test_a_bad_body_names_the_key_exits_2_and_sends_nothing(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    body = json.loads(json.dumps(GOOD_BODY))
    body["data"]["attributes"]["dataSetID"] = body["data"]["attributes"].pop("dataSetId")
    (tmp_path / "body.json").write_text(json.dumps(body))
    code, _, err = await cli("qlik", "ml", "create-batch-prediction", "dep-0001", "--body", "@body.json")
    assert code == 2
    assert err.count("\n") == 1
    assert "createBatchPrediction" in err and "'dataSetID'" in err and "did you mean 'dataSetId'" in err
    code, _, err = await cli("qlik", "ml", "create-batch-prediction", "dep-0001", "--body", "{not json")
    assert code == 2 and "not JSON" in err
    code, _, err = await cli("qlik", "ml", "get-deployment")  # a usage error: the argument is missing
    assert code == 2 and "DEPLOYMENT_ID" in err
    code, _, err = await cli("qlik", "ml", "get-deployment", "dep-0001", "--base-url", "not-a-url")
    assert code == 2 and "  - --base-url: the tenant URL must be an http(s) URL" in err, err  # not QLIK_TENANT_URL
    del cli.env["QLIK_API_KEY"]
    code, _, err = await cli("qlik", "ml", "get-deployment", "dep-0001")  # no credentials: a usage error too
    assert code == 2 and "cannot configure QlikClient" in err and "QLIK_API_KEY" in err
    assert loopback.requests == []


async def test_dry_run_prints_the_request_redacted_and_sends_nothing(cli: Cli, loopback: LoopbackServer) -> None:
    code, out, err = await cli(
        "qlik", "ml", "create-batch-prediction", "dep-0001", "--body", json.dumps(GOOD_BODY), "--dry-run"
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["method"] == "POST"
    assert shown["url"] == f"{loopback.url}/api/v1/ml/deployments/dep-0001/batch-predictions"
    assert shown["headers"]["Authorization"] == "Bearer <redacted>"
    assert shown["body"] == GOOD_BODY
    code, out, err = await cli("qlik", "ml", "get-deployments", "--sort", "-name", "--limit", "5", "--dry-run")
    assert code == 0, err
    assert json.loads(out)["url"] == f"{loopback.url}/api/v1/ml/deployments?sort=-name&limit=5"
    assert loopback.token not in out + err
    assert loopback.requests == []


async def test_a_list_answered_whole_takes_the_paging_options_too(cli: Cli, loopback: LoopbackServer) -> None:
    """list-models answers a plain list, not pages: --all and --max-items still mean what they say."""

    async def models(request: web.Request) -> web.Response:
        return web.json_response([{"id": f"m-{n}", "projectId": "p-1"} for n in range(3)])

    loopback.route("GET", "/api/v2/projects/{projectId}/models/", models)
    code, out, err = await cli("datarobot", "models", "list-models", "p-1", "--max-items", "2", "--jsonl")
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["m-0", "m-1"]
    code, out, err = await cli("datarobot", "models", "list-models", "p-1", "--all")
    assert code == 0 and [m["id"] for m in json.loads(out)] == ["m-0", "m-1", "m-2"], err
    # The deprecation, in plain words (the document's reST markup left out).
    assert "warning: listModels is deprecated (since v2.34: use GET /api/v2/projects/{projectId}/modelRecords/" in err
    code, _, err = await cli("qlik", "automl-predictions", "get-prediction-results", "p-1", "--jsonl")
    assert code == 2 and "No such option '--jsonl'" in err  # a file is not JSON


# -- jobs and files ------------------------------------------------------------------------------


async def test_wait_follows_the_job_to_its_end(cli: Cli, loopback: LoopbackServer) -> None:
    code, out, err = await cli(
        "qlik", "ml", "predict-batch-prediction", "dep-0001", "bp-0001-01", "--wait", "--poll-interval", "0.01"
    )
    assert code == 0, err
    assert json.loads(out)["data"]["attributes"]["status"] == "ready"
    assert [r.operation for r in loopback.requests] == ["predict_batch_prediction"] + ["get_batch_prediction"] * 2


async def test_a_download_streams_to_the_output_file(cli: Cli, loopback: LoopbackServer, tmp_path: Path) -> None:
    code, out, err = await cli("qlik", "automl-predictions", "get-prediction-results", "p-1", "--output", "p.csv")
    assert code == 0, err
    lines = (tmp_path / "p.csv").read_text().splitlines()
    assert lines[0] == "row,predictionId,prediction,probability" and len(lines) == 101
    assert out == "" and "wrote" in err
    assert "warning: getPredictionResults is deprecated; its sunset date is 2026-02" in err


async def test_a_multipart_body_uploads_a_file_given_as_at_path(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    received: list[dict[str | None, tuple[str | None, bytes]]] = []

    async def upload(request: web.Request) -> web.Response:
        parts = {}
        async for part in await request.multipart():
            assert isinstance(part, BodyPartReader)
            parts[part.name] = (part.filename, await part.read())
        received.append(parts)
        return web.json_response({"id": "rt-1", "ratingTableName": "tiers"}, status=202)

    loopback.route("POST", "/api/v2/projects/{projectId}/ratingTables/", upload)
    (tmp_path / "table.csv").write_bytes(b"feature,coefficient\nage,0.5\n")
    body = '{"ratingTableName": "tiers", "ratingTableFile": "@table.csv"}'
    code, out, err = await cli("datarobot", "models", "upload-rating-table", "p-1", "--body", body)
    assert code == 0 and json.loads(out)["id"] == "rt-1", err
    assert received == [
        {"ratingTableFile": ("table.csv", b"feature,coefficient\nage,0.5\n"), "ratingTableName": (None, b"tiers")}
    ]
    code, _, err = await cli("datarobot", "models", "upload-rating-table", "p-1", "--body", body.replace("@", ""))
    assert code == 2 and "ratingTableFile is a file part" in err and len(received) == 1


# -- bulk ----------------------------------------------------------------------------------------


async def test_bulk_then_resume_runs_only_what_is_not_settled(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    ids = [f"dep-{i:04d}" for i in range(1, 7)]
    (tmp_path / "ids.txt").write_text("\n".join([*ids[:3], "nope", "", *ids[3:]]) + "\n")  # line 5 is blank
    loopback.inject(Fault("status", operation="get_deployment", status=500, times=1))  # a GET's 500: not retried
    run = ("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--output", "out.jsonl", "--progress-every", "2")
    code, _, err = await cli(*run, "--concurrency", "3")
    assert code == 1, err
    first = records(tmp_path / "out.jsonl")
    assert sorted(r["line"] for r in first) == [1, 2, 3, 4, 6, 7, 8]
    failed = {r["line"]: r["error"] for r in first if not r["ok"]}
    assert failed[4]["status"] == 404 and failed[4]["code"] == "ML-404" and failed[4]["type"] == "NotFoundError"
    (transient,) = [line for line, e in failed.items() if e["status"] == 500]
    assert failed[transient]["outcome_unknown"] is False and failed[transient]["request_id"] == "loopback"
    assert "bulk: 2/7 done" in err

    # The previous run was killed while writing its last outcome: a torn line.
    text = (tmp_path / "out.jsonl").read_text()
    kept, last = text.rstrip("\n").rsplit("\n", 1)
    torn = json.loads(last)["line"]
    (tmp_path / "out.jsonl").write_text(kept + "\n" + last[: len(last) // 2])
    before = len(loopback.requests)
    code, _, err = await cli(*run, "--resume")
    assert code == 1  # line 4 (404) failed, in the earlier run
    assert "incomplete" in err
    rerun = {r.path.rsplit("/", 1)[1] for r in loopback.requests[before:]}
    by_line = {r["line"]: r["input"] for r in first}
    assert rerun == {by_line[transient], by_line[torn]}  # the 500 and the torn line; not the 404, not the rest
    final = records(tmp_path / "out.jsonl")
    assert sorted(r["line"] for r in final) == [1, 2, 3, 4, 6, 7, 8]  # one outcome per line
    assert [r["line"] for r in final if not r["ok"]] == [4]


async def test_bulk_never_resends_a_write_whose_outcome_is_unknown(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    inputs = [
        {"deployment_id": "dep-0001", "batch_prediction_id": "bp-0001-01"},
        {"deployment-id": "dep-0001", "batch-prediction-id": "bp-0001-02"},  # the CLI's spelling works too
        {"deployment_id": "dep-0002", "batchPredictionID": "bp-0002-01"},  # a typo: never sent
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(i) + "\n" for i in inputs))
    loopback.inject(Fault("status", operation="predict_batch_prediction", status=503, times=1))
    run = ("bulk", "qlik-ml", "predict-batch-prediction", "--input", "in.jsonl", "--output", "out.jsonl")
    code, _, err = await cli(*run, "--concurrency", "1")
    assert code == 1, err
    outcomes = {r["line"]: r for r in records(tmp_path / "out.jsonl")}
    assert outcomes[1]["error"]["outcome_unknown"] is True and outcomes[1]["error"]["status"] == 503
    assert outcomes[2]["ok"] is True
    assert (
        outcomes[3]["error"]["type"] == "InvalidRequestError" and "batchPredictionID" in outcomes[3]["error"]["message"]
    )
    sent = len(loopback.requests_for("predict_batch_prediction"))
    assert sent == 2

    code, _, err = await cli(*run, "--resume")
    assert code == 1
    assert "line 1: its outcome is unknown" in err and "not re-sent" in err
    assert len(loopback.requests_for("predict_batch_prediction")) == sent  # nothing re-sent
    assert {r["line"] for r in records(tmp_path / "out.jsonl")} == {1, 2, 3}


async def test_resume_refuses_an_input_changed_since_the_earlier_run(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"deployment_id": "dep-0001"}\n{"deployment_id": "dep-0002"}\n{"deployment_id": "dep-0003"}\n')
    run = ("bulk", "qlik-ml", "get-deployment", "--input", "in.jsonl", "--output", "out.jsonl")
    loopback.inject(
        Fault("status", operation="get_deployment", status=500, times=1)
    )  # a GET's 500: run again on --resume
    code, _, err = await cli(*run, "--concurrency", "1")
    assert code == 1, err
    before = (tmp_path / "out.jsonl").read_text()
    sent = len(loopback.requests)

    inputs.write_text('{"deployment_id": "dep-0001"}\n{"deployment_id": "dep-0009"}\n{"deployment_id": "dep-0003"}\n')
    code, _, err = await cli(*run, "--resume")
    assert code == 2 and "in.jsonl line 2" in err and "the input changed since the earlier run" in err, err
    inputs.write_text('{"deployment_id": "dep-0001"}\n')
    code, _, err = await cli(*run, "--resume")
    assert code == 2 and "holds outcomes for lines in.jsonl does not have (2, 3)" in err, err
    assert len(loopback.requests) == sent, "nothing is sent for a changed input"
    assert (tmp_path / "out.jsonl").read_text() == before

    # The same objects spaced otherwise are the same input; a line added at the end is a new one.
    inputs.write_text(
        '{"deployment_id":"dep-0001"}\n{"deployment_id":  "dep-0002"}\n{"deployment_id":"dep-0003"}\n'
        '{"deployment_id": "dep-0004"}\n'
    )
    code, _, err = await cli(*run, "--resume")
    assert code == 0, err
    assert len(loopback.requests) == sent + 2  # the 500 ran again, and the new line
    assert sorted(r["line"] for r in records(tmp_path / "out.jsonl")) == [1, 2, 3, 4]


async def test_bulk_dry_run_shows_each_request_and_sends_nothing(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    bad_body = {**GOOD_BODY, "dataFileId": 7}  # the model wants a string
    (tmp_path / "in.jsonl").write_text(
        json.dumps({"deployment_id": "dep-0001", "body": GOOD_BODY})
        + "\n"
        + json.dumps({"deployment_id": "dep-0002", "body": bad_body})
        + "\n"
        + json.dumps({"deployment_id": "dep-0003", "colour": "red"})
        + "\n"
    )
    code, out, err = await cli("bulk", "qlik-ml", "create-batch-prediction", "--input", "in.jsonl", "--dry-run")
    assert code == 2, err  # two lines are not valid calls
    shown = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in shown] == [1, 2, 3]
    request = shown[0]["request"]
    assert request["method"] == "POST" and request["body"] == GOOD_BODY
    assert request["url"] == f"{loopback.url}/api/v1/ml/deployments/dep-0001/batch-predictions"
    assert request["headers"]["Authorization"] == "Bearer <redacted>" and loopback.token not in out + err
    assert shown[1]["error"]["type"] == "InvalidRequestError" and "dataFileId" in shown[1]["error"]["message"]
    assert "unknown parameter 'colour'" in shown[2]["error"]["message"]
    assert "3 requests, 2 not valid calls; nothing sent" in err
    assert loopback.requests == [] and list(tmp_path.glob("*.jsonl")) == [tmp_path / "in.jsonl"]

    code, _, err = await cli("bulk", "qlik-ml", "create-batch-prediction", "--input", "in.jsonl")
    assert code == 2 and "Missing option '--output'" in err


async def test_bulk_dry_run_with_resume_shows_what_a_resume_would_run(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    (tmp_path / "ids.txt").write_text("dep-0001\ndep-0002\ndep-0003\n")
    loopback.inject(Fault("status", operation="get_deployment", status=500, times=1))  # run again on --resume
    run = ("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--output", "out.jsonl")
    code, _, err = await cli(*run, "--concurrency", "1")
    assert code == 1, err
    before, sent = (tmp_path / "out.jsonl").read_text(), len(loopback.requests)
    code, out, err = await cli(*run, "--resume", "--dry-run")
    assert code == 0, err
    (again,) = [json.loads(line) for line in out.splitlines()]
    assert again["line"] == 1 and again["request"]["url"].endswith("/api/v1/ml/deployments/dep-0001")
    assert len(loopback.requests) == sent and (tmp_path / "out.jsonl").read_text() == before


async def test_ctrl_c_stops_a_long_dry_run(cli: Cli, loopback: LoopbackServer, tmp_path: Path) -> None:
    lines = 100_000
    (tmp_path / "ids.txt").write_text("dep-0001\n" * lines)
    process = await cli.start("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--dry-run")
    assert process.stdout is not None
    first = await asyncio.wait_for(process.stdout.readline(), 15)  # it is under way
    assert json.loads(first)["line"] == 1
    process.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 130 and b"Traceback" not in err, err
    assert len(out.splitlines()) + 1 < lines, "stopped before the end of the file"
    assert loopback.requests == []


async def test_bulk_reads_standard_input_and_pipes_whole(cli: Cli, loopback: LoopbackServer, tmp_path: Path) -> None:
    """A run reads its input more than once (to count, to check a resume, to run): read twice, a
    pipe was empty the second time, and the run sent nothing and said it was done."""
    ids = "".join(f"{dep}\n" for dep in list(loopback.qlik.deployments)[:5])
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aioautoml.cli", "bulk", "qlik-ml", "get-deployment", "--input", "-",
        "--output", "stdin.jsonl",
        env=cli.env, cwd=cli.cwd, stdin=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, piped_err = await asyncio.wait_for(process.communicate(ids.encode()), 20)
    assert process.returncode == 0, piped_err
    assert sorted(r["input"] for r in records(tmp_path / "stdin.jsonl")) == sorted(ids.split())
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aioautoml.cli", "bulk", "qlik-ml", "get-deployment", "--input", "-",
        "--output", "stdin.jsonl", "--resume",
        env=cli.env, cwd=cli.cwd, stdin=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, piped_err = await asyncio.wait_for(process.communicate(b"dep-0009\n" + ids.encode()), 20)
    assert process.returncode == 2 and b"standard input line 1 ('dep-0009')" in piped_err, piped_err

    fifo = tmp_path / "ids.fifo"  # as `--input <(...)` gives it: a named pipe
    os.mkfifo(fifo)
    writer = asyncio.get_running_loop().run_in_executor(None, fifo.write_text, ids)
    code, _, err = await cli("bulk", "qlik-ml", "get-deployment", "--input", str(fifo), "--output", "fifo.jsonl")
    await writer
    assert code == 0, err
    assert len(records(tmp_path / "fifo.jsonl")) == 5 and "bulk: 5 run, 0 failed" in err
    assert len(loopback.requests) == 10


async def test_bulk_reading_inputs_from_a_terminal_says_how_to_end_them(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    controller, terminal = pty.openpty()  # standard input is a terminal, as when nothing is piped
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aioautoml.cli", "bulk", "qlik-ml", "get-deployment", "--input", "-",
            "--output", "typed.jsonl",
            env=cli.env, cwd=cli.cwd, stdin=terminal, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        seen = await read_stderr_until(process, "Ctrl-D ends them")  # said before it waits for them
        os.write(controller, b"dep-0001\ndep-0002\n\x04")  # typed, then Ctrl-D
        _, err = await asyncio.wait_for(process.communicate(), 20)
    finally:
        os.close(controller)
        os.close(terminal)
    assert process.returncode == 0, "".join(seen) + err.decode()
    assert [r["input"] for r in records(tmp_path / "typed.jsonl")] == ["dep-0001", "dep-0002"]


async def test_ctrl_c_mid_bulk_wait_records_the_started_jobs_as_such(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.qlik.job_polls = 10_000  # the jobs run on: the interrupt comes while each is waited for
    inputs = [
        {"deployment_id": dep, "batch_prediction_id": bps[0]} for dep, bps in loopback.qlik.batch_predictions.items()
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(i) + "\n" for i in inputs[:3]))
    run = ("bulk", "qlik-ml", "predict-batch-prediction", "--input", "in.jsonl", "--output", "out.jsonl", "--wait")
    process = await cli.start(*run, "--poll-interval", "0.01")
    # All three started and each waited for (Tier 2's pacing spaces the starts out).
    await eventually(lambda: len({r.path for r in loopback.requests_for("get_batch_prediction")}) == 3)
    process.send_signal(signal.SIGINT)
    _, interrupted = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 130, interrupted
    outcomes = records(tmp_path / "out.jsonl")
    assert sorted(r["line"] for r in outcomes) == [1, 2, 3]
    for outcome in outcomes:
        error = outcome["error"]
        assert error["status"] == 202 and error["outcome_unknown"] is True, error
        assert "started its job (202) and the wait was interrupted: the job goes on" in error["message"]
    code, _, err = await cli(*run, "--resume")
    assert code == 1 and len(loopback.requests_for("predict_batch_prediction")) == 3, err  # none started twice
    assert "its outcome is unknown from an earlier run; not re-sent: predictBatchPrediction started its job" in err


async def test_bulk_takes_the_api_spelling_of_inputs_and_the_commands_spelling_of_apis(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    lines = [
        {"deploymentId": "dep-0001", "batchPredictionId": "bp-0001-01"},  # as the API names them
        {"deployment_id": "dep-0002", "batch-prediction-id": "bp-0002-01"},  # Python, command line
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    run = ("bulk", "qlik", "ml", "get-batch-prediction", "--input", "in.jsonl", "--output", "out.jsonl")  # as commands
    code, _, err = await cli(*run)
    assert code == 0, err
    assert sorted(r["result"]["data"]["id"] for r in records(tmp_path / "out.jsonl")) == ["bp-0001-01", "bp-0002-01"]


async def test_bulk_wait_starts_each_job_and_waits_for_it(cli: Cli, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.qlik.fail_predictions.add("bp-0002-01")
    inputs = [
        {"deployment_id": dep, "batch_prediction_id": bps[0]} for dep, bps in loopback.qlik.batch_predictions.items()
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(i) + "\n" for i in inputs[:3]))
    run = ("bulk", "qlik-ml", "predict-batch-prediction", "--input", "in.jsonl", "--output", "out.jsonl", "--wait")
    code, _, err = await cli(*run, "--poll-interval", "0.01")
    assert code == 1, err
    outcomes = {r["line"]: r for r in records(tmp_path / "out.jsonl")}
    assert outcomes[1]["result"]["data"]["attributes"]["status"] == "ready"
    assert outcomes[2]["error"]["type"] == "JobFailedError" and "'error'" in outcomes[2]["error"]["message"]
    assert outcomes[3]["ok"] is True
    assert len(loopback.requests_for("predict_batch_prediction")) == 3
    assert len(loopback.requests_for("get_batch_prediction")) >= 6  # each job polled to its end
    code, _, err = await cli("bulk", "qlik-ml", "get-deployment", "--input", "in.jsonl", "--output", "o", "--wait")
    assert code == 2 and "starts no job" in err


async def test_bulk_refuses_to_overwrite_an_output_without_resume(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "ids.txt").write_text("dep-0001\n")
    (tmp_path / "out.jsonl").write_text("")
    code, _, err = await cli("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--output", "out.jsonl")
    assert code == 2 and "--resume" in err
    code, _, err = await cli("bulk", "qlik-ml", "get-deployment-x", "--input", "ids.txt", "--output", "o.jsonl")
    assert code == 2 and "did you mean 'get-deployment'" in err
    run = ("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--output", "o.jsonl")
    code, _, err = await cli(*run, "--concurrency", "1000000000")
    assert code == 2 and "1<=x<=10000" in err
    code, _, err = await cli(*run, "--rate-store", "http://127.0.0.1:6379")
    assert code == 2 and "  - --rate-store is not a redis://" in err, err


# -- Ctrl-C ----------------------------------------------------------------------------------------


async def test_ctrl_c_mid_bulk_stops_cleanly_with_complete_lines(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    original = loopback.handler("GET", "/api/v1/ml/deployments/{deploymentId}")

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.05)  # keeps the run going for seconds: it is surely still running at the signal
        return await original(request)

    loopback.route("GET", "/api/v1/ml/deployments/{deploymentId}", slow)
    (tmp_path / "ids.txt").write_text("".join(f"{dep}\n" for dep in loopback.qlik.deployments))
    process = await cli.start(
        "bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--output", "out.jsonl",
        "--concurrency", "2", "--progress-every", "5",
    )  # fmt: skip
    seen = await read_stderr_until(process, "bulk: 5/70 done")
    process.send_signal(signal.SIGINT)
    _, rest = await asyncio.wait_for(process.communicate(), 15)
    err = "".join(seen) + rest.decode()
    assert process.returncode == 130
    assert "Traceback" not in err and "interrupted after" in err
    text = (tmp_path / "out.jsonl").read_text()
    assert text.endswith("\n")
    done = records(tmp_path / "out.jsonl")  # every line whole
    assert 5 <= len(done) < 70 and all(r["ok"] for r in done)


@pytest.mark.parametrize(
    ("signals", "status"),
    [
        ((signal.SIGINT,), 130),
        ((signal.SIGTERM,), 143),
    ],
    ids=["SIGINT", "SIGTERM"],
)
async def test_ctrl_c_mid_bulk_write_records_the_calls_in_flight_as_unknown(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path, signals: tuple[signal.Signals, ...], status: int
) -> None:
    """A POST in flight at Ctrl-C may have been acted on: resuming must not send it again.
    SIGTERM, a scheduler's stop, is handled the same way: killed outright, the run would lose the
    record of its calls in flight. (DataRobot's model training: a POST of no rate tier, so the
    client does not pace it.)"""
    path = "/api/v2/projects/{projectId}/models/"
    original = loopback.handler("POST", path)

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.05)
        return await original(request)

    loopback.route("POST", path, slow)
    inputs = [{"project_id": f"p-{i}", "body": {"blueprintId": "bp"}} for i in range(1, 71)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(i) + "\n" for i in inputs))
    run = ("bulk", "datarobot-models", "create-model", "--input", "in.jsonl", "--output", "out.jsonl")
    process = await cli.start(*run, "--concurrency", "3", "--progress-every", "5")
    await read_stderr_until(process, "bulk: 5/70 done")
    for stop in signals:
        process.send_signal(stop)
    _, err_bytes = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == status, err_bytes
    assert b"Traceback" not in err_bytes and b"--resume continues" in err_bytes, err_bytes
    first = records(tmp_path / "out.jsonl")
    unknown = {r["line"] for r in first if not r["ok"]}
    assert unknown and all(r["error"]["outcome_unknown"] for r in first if not r["ok"])  # the calls in flight
    assert 5 <= len(first) < 70

    code, _, err = await cli(*run, "--concurrency", "8")
    assert code == 2 and "--resume" in err  # not overwritten
    code, _, err = await cli(*run, "--concurrency", "8", "--resume")
    assert code == 1  # the unknown ones count as failed
    assert f"line {min(unknown)}: its outcome is unknown" in err
    await eventually(lambda: loopback.in_flight == 0)  # the interrupted requests are recorded when dropped
    sent = [r.path for r in loopback.requests_for("create_model")]
    assert len(sent) == len(set(sent))  # none sent twice, over both runs
    # Each sent at least once too, unless it was cut off on its way (then it is one of the unknown).
    never_arrived = {f"/api/v2/projects/p-{line}/models/" for line in range(1, 71)} - set(sent)
    assert never_arrived <= {f"/api/v2/projects/p-{line}/models/" for line in unknown}
    assert len(sent) >= 70 - len(unknown)
    final = records(tmp_path / "out.jsonl")
    assert sorted(r["line"] for r in final) == list(range(1, 71))
    assert {r["line"] for r in final if not r["ok"]} == unknown


@pytest.mark.parametrize(
    ("cancel", "stop"),
    [(False, signal.SIGINT), (True, signal.SIGINT), (False, signal.SIGTERM)],
    ids=["SIGINT", "SIGINT-cancel-on-interrupt", "SIGTERM"],
)
async def test_ctrl_c_during_wait_leaves_the_job_running_unless_asked(
    cli: Cli, loopback: LoopbackServer, cancel: bool, stop: signal.Signals
) -> None:
    loopback.qlik.job_polls = 10_000
    args = ["qlik", "ml", "predict-batch-prediction", "dep-0001", "bp-0001-01", "--wait", "--poll-interval", "0.01"]
    process = await cli.start(*args, *(["--cancel-on-interrupt"] if cancel else []))
    await read_stderr_until(process, "waiting for it to finish")
    polls = len(loopback.requests_for("get_batch_prediction"))
    await eventually(lambda: len(loopback.requests_for("get_batch_prediction")) >= polls + 2)  # it is polling
    process.send_signal(stop)
    _, err = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == (130 if stop == signal.SIGINT else 143), err  # each shows stderr when it fails
    assert b"Traceback" not in err, err
    if cancel:
        assert loopback.qlik.cancelled == ["batch-prediction/bp-0001-01"], err
    else:
        assert loopback.qlik.cancelled == [] and loopback.requests_for("cancel_job") == [], err
        assert b"the job goes on: <Job predictBatchPrediction polling getBatchPrediction" in err, err
        assert b"bp-0001-01" in err, err  # which job: it can be looked at, or cancelled


async def test_bulk_runs_given_one_rate_store_share_one_budget(redis_server: RedisServer, tmp_path: Path) -> None:
    """Two shell bulk runs at once, each pacing Tier 1 at its default (1000 per minute, a burst of
    10), against a server allowing 50 per 2 s: apart they would send twice that; through one Redis
    (--rate-store, and AIOAUTOML_RATE_STORE) they share one budget and draw no 429."""
    async with LoopbackServer(tiers={"1": (50, 2.0)}, deployments=3) as server:
        command = Cli(server, tmp_path)
        try:
            (tmp_path / "ids.txt").write_text("".join(f"dep-{k % 3 + 1:04d}\n" for k in range(40)))
            run = ("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--concurrency", "8")
            command.env["AIOAUTOML_RATE_STORE"] = redis_server.url  # the second run's store
            results = await asyncio.gather(
                command(*run, "--output", "a.jsonl", "--rate-store", redis_server.url),
                command(*run, "--output", "b.jsonl"),
            )
        finally:
            await command.close()
    for code, _, err in results:
        assert code == 0, err
    assert all(r["ok"] for name in ("a.jsonl", "b.jsonl") for r in records(tmp_path / name))
    assert len(server.requests) == 80 and server.rate_limited == 0
    redis = Redis.from_url(redis_server.url)
    try:
        assert len(await redis.keys("aioautoml:*:tat")) == 1  # one budget: one identity, one tier
    finally:
        await redis.aclose()


def test_run_takes_sigterm_only_where_it_may() -> None:
    """SIGTERM is taken as Ctrl-C is only over the default action, in the main thread: an
    application's handler or an inherited "ignore" stands, and a thread can run a command."""
    from aioautoml.cli._run import run

    async def main() -> int:
        return 0

    before = signal.getsignal(signal.SIGTERM)
    try:
        for kept in (signal.SIG_IGN, _app_handler):
            signal.signal(signal.SIGTERM, kept)
            assert run(main) == 0 and signal.getsignal(signal.SIGTERM) is kept
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        assert run(main) == 0 and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)
    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(run(main)))
    thread.start()
    thread.join(10)
    assert results == [0]


SECOND_SIGTERM = """
import asyncio, os, signal
from aioautoml.cli._run import run

async def main():
    async def lingering():  # a task asyncio.run cancels while it shuts down, after main returned
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            os.kill(os.getpid(), signal.SIGTERM)  # the second SIGTERM, in that window
            await asyncio.sleep(0.05)
            raise
    asyncio.get_running_loop().create_task(lingering())
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(3600)
    return 0

raise SystemExit(run(main, lambda: print("cleaned up")))
"""


SIGTERM_AFTER_CTRL_C = """
import asyncio, os, signal
from aioautoml.cli._run import run

async def main():
    try:
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(3600)
    except asyncio.CancelledError:  # Ctrl-C's cleanup, when a scheduler's SIGTERM comes too
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0.05)
        raise
    return 0

raise SystemExit(run(main, lambda: print("cleaned up")))
"""


@pytest.mark.parametrize(
    ("script", "status", "said"),
    [(SECOND_SIGTERM, 143, b"terminated\n"), (SIGTERM_AFTER_CTRL_C, 130, b"interrupted\n")],
    ids=["a-second-SIGTERM-while-shutting-down", "SIGTERM-during-Ctrl-C-cleanup"],
)
async def test_a_signal_while_stopping_does_not_kill_nor_change_the_outcome(
    script: str, status: int, said: bytes
) -> None:
    """Deterministic: the process signals itself at the moment in question."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == status and out == b"cleaned up\n" and err == said, err


def _app_handler(signum: int, frame: object) -> None:
    raise AssertionError("not sent in this test")


async def test_an_output_in_a_missing_folder_is_refused_before_sending(
    cli: Cli, loopback: LoopbackServer, tmp_path: Path
) -> None:
    (tmp_path / "ids.txt").write_text("dep-0001\n")
    for args in (
        ("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--output", "missing/out.jsonl"),
        ("qlik", "automl-predictions", "get-prediction-results", "p-1", "--output", "missing/p.csv"),
    ):
        code, _, err = await cli(*args)
        assert code == 2 and "Traceback" not in err, err
        assert "--output missing/" in err and "the folder missing does not exist" in err, err
    assert loopback.requests == []


async def test_an_output_that_cannot_be_written_is_one_line(cli: Cli, loopback: LoopbackServer, tmp_path: Path) -> None:
    (tmp_path / "ids.txt").write_text("dep-0001\n")
    (tmp_path / "out.jsonl").symlink_to(tmp_path / "missing" / "out.jsonl")  # passes the check, fails to open
    code, _, err = await cli("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--output", "out.jsonl")
    assert code == 1 and "Traceback" not in err, err
    assert err.splitlines()[-1].startswith("error: ") and "No such file or directory" in err


async def test_output_dash_is_standard_output(cli: Cli, loopback: LoopbackServer, tmp_path: Path) -> None:
    code, out, err = await cli("qlik", "automl-predictions", "get-prediction-results", "p-1", "--output", "-")
    assert code == 0, err
    assert out.startswith("row,predictionId,prediction,probability\n") and len(out.splitlines()) == 101
    (tmp_path / "ids.txt").write_text("dep-0001\ndep-0002\n")
    run = ("bulk", "qlik-ml", "get-deployment", "--input", "ids.txt", "--output", "-")
    code, out, err = await cli(*run)
    assert code == 0, err
    assert sorted(json.loads(line)["input"] for line in out.splitlines()) == ["dep-0001", "dep-0002"]
    code, _, err = await cli(*run, "--resume")
    assert code == 2 and "--resume continues an --output file" in err
    assert not (tmp_path / "-").exists()
