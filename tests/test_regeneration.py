"""The proof that a spec re-transcribed by someone else regenerates into the same Python API.

Each spec is copied the way a vendor's own published spec differs from our transcription: every
operationId and tag renamed, every extension the project adds stripped (Qlik's own x-qlik-tier
kept), deprecation marked Qlik's way (x-qlik-deprecated), no `style`/`explode` on parameters.
The copies are regenerated, with the committed overlays and specs/names.yaml, by the real
generator into a scratch folder (check mode: the names file must not need a change). Then the
operation tables must equal the committed ones in every field but `id` (the vendor's operationId),
every public Api/RawApi method must have the committed signature, and every other generated file
must be byte-identical, so the demo's jobs, paging and downloads run the same code on it.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aioautoml._wire import operation_table

from .test_codegen import ROOT, load_generator, load_module

PACKAGES = ("datarobot_models", "qlik_automations", "qlik_automl_predictions", "qlik_data_stores", "qlik_ml")
KEPT_EXTENSIONS = {"x-qlik-tier"}  # the vendor's own: its published specs carry it


def retranscribed(doc: dict[str, Any], qlik: bool) -> dict[str, Any]:
    """`doc` as the vendor's spec of it would read: other names, none of the project's additions."""
    doc = strip_extensions(doc)
    tags = []
    for n, (path, method, op) in enumerate(operations(doc)):
        op["operationId"] = "op" + hashlib.sha256(f"{method} {path}".encode()).hexdigest()[:10]
        op["tags"] = [f"Vendor Tag {n}"]
        tags.append({"name": f"Vendor Tag {n}"})
        if qlik and op.pop("deprecated", False):
            op["x-qlik-deprecated"] = True
    doc["tags"] = tags
    for parameter in parameters(doc):
        parameter.pop("style", None)
        parameter.pop("explode", None)
    return doc


def strip_extensions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: strip_extensions(value)
            for key, value in node.items()
            if not (isinstance(key, str) and key.startswith("x-") and key not in KEPT_EXTENSIONS)
        }
    if isinstance(node, list):
        return [strip_extensions(item) for item in node]
    return node


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method != "parameters" and isinstance(op, dict):
                yield path, method, op


def parameters(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for item in doc["paths"].values():
        yield from item.get("parameters", [])
        for _, _, op in operations({"paths": {"": item}}):
            yield from op.get("parameters", [])
    yield from doc.get("components", {}).get("parameters", {}).values()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generate = load_generator()
    work = tmp_path_factory.mktemp("retranscribed")
    specs = work / "specs"
    for spec in generate.spec_paths(ROOT / "specs"):
        copy = specs / spec.relative_to(ROOT / "specs")
        copy.parent.mkdir(parents=True, exist_ok=True)
        original = generate.load_yaml(spec)
        renamed = retranscribed(original, qlik=spec.parent.name == "qlik")
        assert renamed["paths"] != original["paths"]
        copy.write_text(json.dumps(renamed, indent=1))  # JSON is YAML: the generator reads it as is
        overlay = spec.with_name(spec.stem + generate.OVERLAY_SUFFIX)
        if overlay.exists():
            shutil.copy(overlay, copy.parent)
    shutil.copy(ROOT / "specs" / "names.yaml", specs / "names.yaml")
    out = work / "generated"
    generate.generate(out, specs_dir=specs, check=True)  # check: every operation found in names.yaml
    return out


@pytest.mark.parametrize("package", PACKAGES)
def test_operation_tables_are_identical_but_for_the_vendors_operation_ids(regenerated: Path, package: str) -> None:
    table = load_module(regenerated / package / "_operations.py").OPERATIONS
    committed = operation_table(package)
    assert list(table) == list(committed)
    for key, op in table.items():
        assert op.id != committed[key].id and op.id.startswith("op")  # the renamed spec's own operationId
        assert dataclasses.replace(op, id="") == dataclasses.replace(committed[key], id="")


def signatures(path: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Every method of Api and RawApi: name, decorators, parameters with annotations, return annotation."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ClassDef) and node.name in ("Api", "RawApi"):
            found[node.name] = [
                (
                    item.name,
                    " ".join(ast.unparse(d) for d in item.decorator_list),
                    ast.unparse(item.args),
                    ast.unparse(item.returns) if item.returns else "",
                )
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            ]
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_the_public_api_signatures_are_identical(regenerated: Path, package: str) -> None:
    committed = signatures(ROOT / "generated" / package / "api" / "__init__.py")
    assert set(committed) == {"Api", "RawApi"} and len(committed["Api"]) > 1
    assert signatures(regenerated / package / "api" / "__init__.py") == committed


def test_every_other_generated_file_is_byte_identical(regenerated: Path) -> None:
    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*.py")
            if p.name != "_operations.py" and "__pycache__" not in p.parts
        }

    ours, theirs = files(ROOT / "generated"), files(regenerated)
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []
