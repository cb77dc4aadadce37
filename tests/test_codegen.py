"""The generation step: the operation tables it derives, and the guard on forked templates."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from aioautoml._wire import Operation, PagingStyle, operation_table

ROOT = Path(__file__).parent.parent


def by_name(api: str) -> dict[str, Operation]:
    """An operation table (keyed by method + path) by the operations' Python names."""
    return {op.python_name: op for op in operation_table(api).values()}


DATA_STORES, ML, AUTOML = by_name("qlik_data_stores"), by_name("qlik_ml"), by_name("qlik_automl_predictions")
AUTOMATIONS, DATAROBOT = by_name("qlik_automations"), by_name("datarobot_models")


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "codegen" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_operation_counts() -> None:
    assert (len(DATA_STORES), len(ML), len(AUTOML), len(AUTOMATIONS), len(DATAROBOT)) == (10, 42, 6, 21, 104)


def test_data_stores_tiers_as_each_facts_box_says() -> None:
    tiers = {op.id: (op.tier, op.rate_limit) for op in DATA_STORES.values()}
    tier_1 = {"getDataStores", "getDataStore", "getDataAssets", "getDataSets"}
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
