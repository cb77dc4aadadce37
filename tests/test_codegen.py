"""The generation step: the operation tables it derives, the preprocessing stage (overlays, pinned
names, vendor conventions) and the guard on forked templates."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from aioautoml._wire import Operation, PagingStyle, operation_table

ROOT = Path(__file__).parent.parent


def by_name(api: str) -> dict[str, Operation]:
    """An operation table (keyed by method + path) by the operations' Python names."""
    return {op.python_name: op for op in operation_table(api).values()}


DATA_STORES, ML, AUTOML = by_name("qlik_data_stores"), by_name("qlik_ml"), by_name("qlik_automl_predictions")
AUTOMATIONS, DATAROBOT = by_name("qlik_automations"), by_name("datarobot_models")


def load_generator() -> ModuleType:
    return load_module(ROOT / "codegen" / "generate.py")


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_operation_counts() -> None:
    assert (len(DATA_STORES), len(ML), len(AUTOML), len(AUTOMATIONS), len(DATAROBOT)) == (10, 42, 6, 21, 104)


def test_data_stores_tiers_as_each_facts_box_says() -> None:
    tiers = {name: (op.tier, op.rate_limit) for name, op in DATA_STORES.items()}
    tier_1 = {"get_data_stores", "get_data_store", "get_data_assets", "get_data_sets"}
    assert tiers == {name: ("1", 1000) if name in tier_1 else ("2", 100) for name in tiers}


def test_every_qlik_operation_has_a_tier_and_datarobot_none() -> None:
    for table in (DATA_STORES, ML, AUTOML, AUTOMATIONS):
        assert all(op.tier in ("1", "2") for op in table.values())
    assert all(op.tier is None for op in DATAROBOT.values())


def test_paging_styles_are_derived_from_the_specs() -> None:
    assert DATA_STORES["get_data_stores"].paging.style is PagingStyle.PAGE_NUMBER  # type: ignore[union-attr]
    assert ML["get_deployments"].paging.style is PagingStyle.OFFSET_LINKS  # type: ignore[union-attr]
    assert AUTOMATIONS["get_automations"].paging.style is PagingStyle.CURSOR_LINKS  # type: ignore[union-attr]
    assert DATAROBOT["list_model_packages"].paging.style is PagingStyle.NEXT_URL  # type: ignore[union-attr]
    assert ML["get_deployment"].paging is None


def test_idempotency_comma_separation_and_deprecation() -> None:
    assert not DATA_STORES["create_data_store"].idempotent and DATA_STORES["update_data_store"].idempotent
    assert DATA_STORES["get_data_sets"].comma_separated == {"projections", "sort"}
    assert all(op.deprecated and op.sunset == "2026-02" for op in AUTOML.values())
    assert sum(op.deprecated for op in DATAROBOT.values()) == 10


def test_job_extensions_reach_the_table() -> None:
    predict = ML["predict_batch_prediction"]
    assert predict.job is not None
    assert predict.job.poll == ("GET", "/api/v1/ml/deployments/{deploymentId}/batch-predictions/{batchPredictionId}")
    assert predict.job.cancel == ("POST", "/api/v1/ml/jobs/{corrType}/{corrId}/actions/cancel")
    assert ML["get_batch_prediction"].terminal_states is not None


def test_tables_are_keyed_by_method_and_path() -> None:
    for api in ("qlik_data_stores", "qlik_ml", "qlik_automl_predictions", "qlik_automations", "datarobot_models"):
        assert all(key == (op.method, op.path) for key, op in operation_table(api).items())


def test_operation_ids_are_unique_across_specs() -> None:
    """The transcriptions' convention (specs/README.md); nothing looks an operation up by it."""
    ids = [op.id for table in (DATA_STORES, ML, AUTOML, AUTOMATIONS, DATAROBOT) for op in table.values()]
    assert len(ids) == len(set(ids)) == 183


def test_generated_code_has_no_httpx() -> None:
    offenders = [p for p in (ROOT / "generated").rglob("*.py") if "httpx" in p.read_text()]
    assert offenders == []


def test_a_changed_upstream_template_stops_generation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate = load_generator()
    lock = json.loads((ROOT / "codegen" / "templates.lock.json").read_text())
    lock["upstream_templates"]["model.py.jinja"] = "0" * 64  # as if the generator had changed it
    fake_lock = tmp_path / "templates.lock.json"
    fake_lock.write_text(json.dumps(lock))
    monkeypatch.setattr(generate, "LOCK", fake_lock)
    with pytest.raises(SystemExit):
        generate.check_generator(update_lock=False)
    monkeypatch.setattr(generate, "LOCK", ROOT / "codegen" / "templates.lock.json")
    generate.check_generator(update_lock=False)  # the real lock matches the installed generator


def test_the_generator_version_must_match_the_pin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generate = load_generator()
    monkeypatch.setattr(generate, "pinned_generator_version", lambda: "0.0.1")
    with pytest.raises(SystemExit):
        generate.check_generator(update_lock=False)
    assert "pins 0.0.1" in capsys.readouterr().err


def test_a_spec_breaking_the_rules_is_refused(tmp_path: Path) -> None:
    generate = load_generator()
    spec_file = tmp_path / "qlik" / "bad.yaml"
    spec_file.parent.mkdir()
    spec_file.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /a:\n    get:\n      operationId: getA\n      x-job: {poll: getB, cancel: POST /nowhere}\n"
        "      responses: {'200': {description: ok}}\n"
        "  /b:\n    post:\n      operationId: startB\n      x-job: {poll: GET /a}\n"
        "      responses: {'200': {description: ok}}\n"
    )
    problems = generate.check_spec(generate.Spec(spec_file, tmp_path))
    assert any("GET /a (getA): needs x-qlik-tier" in p for p in problems)
    assert any("x-job poll must be written 'METHOD /path', not 'getB'" in p for p in problems)
    assert any("x-job cancel names unknown operation POST /nowhere" in p for p in problems)
    assert any("POST /b (startB): x-job polls GET /a, which has no x-terminal-states" in p for p in problems)


def test_every_table_row_keeps_its_pinned_names_and_the_specs_own_operation_id() -> None:
    generate = load_generator()
    names = generate.Names(ROOT / "specs" / "names.yaml")
    for api in ("qlik_data_stores", "qlik_ml", "qlik_automl_predictions", "qlik_automations", "datarobot_models"):
        pinned = names.entries[api]
        assert len(pinned) == len(operation_table(api))
        for (method, path), op in operation_table(api).items():
            entry = pinned[f"{method} {path}"]
            assert (op.python_name, op.module) == (entry.name, f"api.{entry.module}.{entry.name}")
    assert ML["get_deployments"].id == "getDeployments"  # the vendor's name, for messages


def test_the_overlays_carry_the_client_additions_and_the_specs_none() -> None:
    """What the client adds lives in the overlays; the transcribed specs keep only the document's own."""
    generate = load_generator()
    for spec_path in generate.spec_paths(ROOT / "specs"):
        found: list[str] = []

        def walk(node: object, where: str) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if isinstance(key, str) and key.startswith("x-") and key != "x-qlik-tier":
                        found.append(f"{where}.{key}")  # noqa: B023
                    walk(value, f"{where}.{key}")
            elif isinstance(node, list):
                for n, item in enumerate(node):
                    walk(item, f"{where}[{n}]")

        walk(generate.load_yaml(spec_path), "$")
        assert found == [], f"{spec_path.name} has client extensions; move them to its overlay"
    assert ML["predict_batch_prediction"].job is not None  # ... and they still reach the table
    assert DATAROBOT["create_datetime_model"].idempotent


# ---------------------------------------------------------------------------------------------
# The preprocessing stage on small specs of its own

TINY = """\
openapi: 3.0.3
info: {title: Tiny, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      tags: [Things]
      parameters:
        - {name: sort, in: query, description: How to sort., schema: {type: string, enum: [a, b]}}
      responses: {"200": {description: ok}}
  /things/{id}:
    get:
      operationId: getThing
      tags: [Things]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
"""


def tiny_specs(tmp_path: Path, spec: str = TINY, overlay: str | None = None) -> Path:
    specs = tmp_path / "specs"
    (specs / "acme").mkdir(parents=True)
    (specs / "acme" / "tiny.yaml").write_text(spec)
    if overlay is not None:
        (specs / "acme" / "tiny.overlay.yaml").write_text(overlay)
    return specs


def overlay_of(actions: str) -> str:
    return "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nextends: tiny.yaml\nactions:\n" + textwrap.indent(
        textwrap.dedent(actions), "  "
    )


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], specs: Path) -> str:
    generate = load_generator()
    with pytest.raises(SystemExit):
        generate.generate(tmp_path / "out", specs_dir=specs)
    assert not (tmp_path / "out").exists(), "nothing is generated"
    return capsys.readouterr().err


def test_an_overlay_action_matching_nothing_stops_generation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    actions = """\
        - target: "$.paths['/things'].get"
          description: fine
          update: {x-idempotent: true}
        - target: "$.paths['/thingz'].get"
          description: a typo'd path
          update: {x-idempotent: true}
        - target: "$.paths['/things'].get.parameters[?(@.name=='order')]"
          description: no such parameter
          update: {description: x}
        """
    err = refused(tmp_path, capsys, tiny_specs(tmp_path, overlay=overlay_of(actions)))
    assert "specs/acme/tiny.overlay.yaml: action 1 ($.paths['/thingz'].get): $['paths'] has no '/thingz'" in err
    assert "action 2 ($.paths['/things'].get.parameters[?(@.name=='order')]): " in err
    assert "has no inline parameter named 'order'" in err
    assert "action 0" not in err


def test_an_overlay_action_changing_what_the_spec_says_stops_generation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    actions = """\
        - target: "$.paths['/things'].get.parameters[?(@.name=='sort')]"
          description: says otherwise than the spec
          update: {description: Sort order., schema: {type: string}}
        """
    err = refused(tmp_path, capsys, tiny_specs(tmp_path, overlay=overlay_of(actions)))
    assert "action 0 ($.paths['/things'].get.parameters[?(@.name=='sort')]): would change description:" in err
    assert "the spec says 'How to sort.', the overlay 'Sort order.'" in err
    assert "schema.type" not in err  # an equal value restated is fine


def test_overlay_actions_need_a_reason_a_known_target_form_and_no_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    actions = """\
        - target: "$.paths['/things'].get"
          update: {x-idempotent: true}
        - target: "$..get"
          description: not in the subset
          update: {x-idempotent: true}
        - target: "$.paths['/things'].get"
          description: names belong in specs/names.yaml
          update: {operationId: other}
        """
    err = refused(tmp_path, capsys, tiny_specs(tmp_path, overlay=overlay_of(actions)))
    assert "action 0 ($.paths['/things'].get): has no description" in err
    assert "action 1 ($..get): cannot read the target" in err
    assert "action 2 ($.paths['/things'].get): sets operationId or tags" in err


def test_overlay_updates_merge_and_targets_resolve() -> None:
    generate = load_generator()
    doc = yaml.safe_load(TINY)
    doc["components"] = {"schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "string"}}}}}
    overlay = {
        "overlay": "1.0.0",
        "info": {"title": "t", "version": "1"},
        "actions": [
            {"target": "$.components.schemas['Thing'].properties['id']", "description": "r", "update": {"x-a": 1}},
            {"target": "$.components.schemas['Thing']", "description": "r", "update": {"properties": {"n": {}}}},
            {"target": '$.paths["/things"].get', "description": "r", "update": {"x-job": {"poll": "GET /things"}}},
            {"target": "$.paths['/things/{id}'].get.parameters[?(@.name=='id')]", "description": "r", "remove": True},
        ],
    }
    assert generate.apply_overlay(doc, overlay, "tiny.yaml") == []
    thing = doc["components"]["schemas"]["Thing"]
    assert thing["properties"] == {"id": {"type": "string", "x-a": 1}, "n": {}}
    assert doc["paths"]["/things"]["get"]["x-job"] == {"poll": "GET /things"}
    assert doc["paths"]["/things/{id}"]["get"]["parameters"] == []
    assert generate.apply_overlay(doc, {**overlay, "extends": "other.yaml"}, "tiny.yaml") == [
        "it extends 'other.yaml', not the spec beside it (tiny.yaml)"
    ]


def test_vendor_deprecation_conventions_are_read() -> None:
    generate = load_generator()
    doc = {"paths": {"/a": {"get": {"x-qlik-deprecated": True, "x-qlik-deprecated-sunset": "2026-02"}}}}
    assert generate.read_vendor_conventions(doc) == []
    assert doc["paths"]["/a"]["get"]["deprecated"] is True and doc["paths"]["/a"]["get"]["x-sunset"] == "2026-02"
    doc = {"paths": {"/a": {"get": {"x-qlik-deprecated-sunset": "2026-02", "x-sunset": "2027-01"}}}}
    assert generate.read_vendor_conventions(doc) == [
        "GET /a: x-sunset '2027-01' but x-qlik-deprecated-sunset '2026-02'"
    ]


def test_parameter_descriptions_reach_the_schema_and_ref_schemas_are_reported() -> None:
    generate = load_generator()
    doc: dict[str, Any] = {
        "paths": {"/a": {"get": {"parameters": [
            {"name": "q", "in": "query", "description": "Query.", "schema": {"type": "string"}},
            {"name": "k", "in": "query", "description": "Kind.", "schema": {"$ref": "#/components/schemas/Kind"}},
            {"name": "s", "in": "query", "description": "Own.", "schema": {"type": "string", "description": "Kept."}},
        ]}}},
        "components": {"parameters": {"P": {"name": "p", "in": "query", "description": "P.", "schema": {}}}},
    }  # fmt: skip
    generate.copy_parameter_descriptions(doc)
    q, k, s = doc["paths"]["/a"]["get"]["parameters"]
    assert q["schema"]["description"] == "Query." and s["schema"]["description"] == "Kept."
    assert k["schema"] == {"$ref": "#/components/schemas/Kind"}
    assert doc["components"]["parameters"]["P"]["schema"] == {"description": "P."}
    assert generate.undocumented_parameters(doc) == ["k (Kind)"]


def test_names_file_new_operation_named_by_generate_refused_by_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate = load_generator()
    # listThings was pinned under other names once, and is now spelt differently by the vendor;
    # /gone is pinned but no longer in the spec; getThing is new.
    specs = tiny_specs(tmp_path, TINY.replace("operationId: listThings", "operationId: fetchAllThings"))
    names_file = specs / "names.yaml"
    names_file.write_text(
        "acme_tiny:\n"
        '  "GET /things": {name: list_things, module: things}\n'
        '  "GET /gone": {name: get_gone, module: things}\n'
    )
    before = names_file.read_text()

    with pytest.raises(SystemExit):
        generate.generate(tmp_path / "checked", specs_dir=specs, check=True)
    err = capsys.readouterr().err
    assert "names.yaml is not what `make generate` would write" in err
    assert "add acme_tiny: GET /things/{id} -> get_thing (things), new in specs/acme/tiny.yaml" in err
    assert "drop acme_tiny: GET /gone (get_gone): not in specs/acme/tiny.yaml any more" in err
    assert names_file.read_text() == before and not (tmp_path / "checked").exists()

    generate.generate(tmp_path / "out", specs_dir=specs)
    out = capsys.readouterr().out
    assert "names.yaml updated" in out and "add acme_tiny: GET /things/{id}" in out and "drop acme_tiny" in out
    pinned = generate.Names(names_file).entries["acme_tiny"]
    assert pinned == {
        "GET /things": generate.Pinned("list_things", "things"),
        "GET /things/{id}": generate.Pinned("get_thing", "things"),
    }
    listing = load_module(tmp_path / "out" / "acme_tiny" / "_operations.py").OPERATIONS[("GET", "/things")]
    assert (listing.id, listing.python_name, listing.module) == (
        "fetchAllThings",
        "list_things",
        "api.things.list_things",
    )
    assert (tmp_path / "out" / "acme_tiny" / "api" / "things" / "list_things.py").exists()
    # The inline enum is named from the pinned name too, as before the vendor's rename.
    assert "ListThingsSort = Literal" in (tmp_path / "out" / "acme_tiny" / "models" / "list_things_sort.py").read_text()

    generate.generate(tmp_path / "again", specs_dir=specs, check=True)  # now the file is what it would write


def test_pinned_names_must_be_unique_identifiers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = tiny_specs(tmp_path)
    (specs / "names.yaml").write_text(
        "acme_tiny:\n"
        '  "GET /things": {name: get_thing, module: things}\n'
        '  "GET /things/{id}": {name: get_thing, module: Things}\n'
    )
    err = refused(tmp_path, capsys, specs)
    assert "acme_tiny: get_thing is the name of both GET /things and GET /things/{id}" in err
    assert "acme_tiny: GET /things/{id}: get_thing / Things are not snake_case Python identifiers" in err


def flaky_tool(tmp_path: Path, failures: int, message: str) -> list[str]:
    """A command that fails `failures` times with `message` on stderr, then succeeds."""
    script = tmp_path / "tool.py"
    script.write_text(
        "import pathlib, sys\n"
        f"runs = pathlib.Path({str(tmp_path / 'runs')!r})\n"
        "n = int(runs.read_text()) if runs.exists() else 0\n"
        "runs.write_text(str(n + 1))\n"
        f"if n < {failures}:\n"
        f"    sys.exit({message!r})\n"
    )
    return [sys.executable, str(script)]


def runs(tmp_path: Path) -> int:
    return int((tmp_path / "runs").read_text())


def test_a_tool_refused_a_thread_is_run_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    generate = load_generator()
    monkeypatch.setattr(generate, "BACKOFF", 0.0)
    panic = (
        'panicked: ThreadPoolBuildError { kind: IOError(Os { code: 11, message: "Resource temporarily unavailable" }) }'
    )
    generate.run_tool(flaky_tool(tmp_path, 2, panic), tmp_path, dict(os.environ), "ruff format")
    assert runs(tmp_path) == 3
    assert "ruff format: Resource temporarily unavailable, attempt 3 of 3" in capsys.readouterr().err


def test_a_tool_failing_otherwise_stops_generation_with_its_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generate = load_generator()
    with pytest.raises(SystemExit):
        generate.run_tool(flaky_tool(tmp_path, 1, "error: Failed to parse x.py"), tmp_path, dict(os.environ), "ruff")
    assert runs(tmp_path) == 1, "a real failure is not retried"
    assert "ruff failed (exit status 1):" in (err := capsys.readouterr().err) and "Failed to parse x.py" in err


def test_a_tool_refused_threads_every_time_stops_generation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    generate = load_generator()
    monkeypatch.setattr(generate, "BACKOFF", 0.0)
    with pytest.raises(SystemExit):
        generate.run_tool(flaky_tool(tmp_path, 9, "Resource temporarily unavailable"), tmp_path, dict(os.environ), "r")
    assert runs(tmp_path) == generate.ATTEMPTS == 3
    assert "r failed (exit status 1):" in capsys.readouterr().err
