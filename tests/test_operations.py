"""Every operation of every spec, driven by tests/examples/*.yaml (format: tests/examples/README.md).

Operations are found through the operation tables (``operation_table``, keyed by method + path)
and named by their pinned Python names, never by operationId or by module paths built from tags.
For each operation: call it through the client with the document's example values (aioresponses
answers with the document's example response), then assert the request as sent — method, encoded
path, query pairs in order, JSON body — and that the response parsed into the documented type.
An operation without an example entry fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from aioresponses import aioresponses

import aioautoml._generated as generated_root
from aioautoml import DataRobotClient, QlikClient
from aioautoml._wire import UNSET, File, Operation, Unset, endpoint_module, endpoint_of, operation_table

EXAMPLES = Path(__file__).parent / "examples"
QLIK = "https://your-tenant.us.qlikcloud.com"
DATAROBOT = "https://app.datarobot.com"


def packages() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(generated_root.__path__) if m.ispkg)


def examples_file(package: str) -> Path:
    """tests/examples/qlik-ml.yaml for the package qlik_ml (specs/qlik/ml.yaml)."""
    return EXAMPLES / (package.replace("_", "-") + ".yaml")


def cases() -> list[Any]:
    found = []
    for package in packages():
        path = examples_file(package)
        examples = yaml.safe_load(path.read_text()) if path.exists() else {}
        for operation in operation_table(package).values():
            entry = examples.get(operation.python_name)
            entries = entry.get("cases", [entry]) if isinstance(entry, dict) else [entry]
            for n, example in enumerate(entries):
                suffix = f"-{n}" if len(entries) > 1 else ""
                found.append(pytest.param(package, operation, example, id=f"{package}.{operation.python_name}{suffix}"))
    return found


def client_for(package: str) -> QlikClient | DataRobotClient:
    if package.startswith("datarobot_"):
        return DataRobotClient(DATAROBOT, token="t0ken")
    return QlikClient(QLIK, token="t0ken")


def api_for(client: QlikClient | DataRobotClient, package: str) -> Any:
    module = importlib.import_module(f"aioautoml._generated.{package}.api")
    return module.Api(client)


def build(annotation: Any, value: Any) -> Any:
    """A request body from the document's JSON, as the type the method takes."""
    if value is None:
        return None
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a not in (Unset, type(None))]
        for option in options:
            try:
                return build(option, value)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        raise TypeError(f"no member of {annotation} takes {value!r}")
    if origin is list:
        (inner,) = typing.get_args(annotation)
        if not isinstance(value, list):
            raise TypeError("not a list")
        return [build(inner, v) for v in value]
    if annotation is File:
        import io

        return File(payload=io.BytesIO(value.encode() if isinstance(value, str) else value))
    if hasattr(annotation, "from_dict"):
        if not isinstance(value, dict):
            raise TypeError("not an object")
        if hasattr(annotation, "to_multipart"):  # file parts are given as text in the examples
            files = {f.alias or f.name for f in attrs.fields(annotation) if "File" in str(f.type)}
            value = {k: v.encode() if isinstance(v, str) and _snake(k) in files else v for k, v in value.items()}
        return annotation.from_dict(value)
    return value


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def expected_type(annotation: Any) -> tuple[type, ...]:
    args = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else ()
    found: list[type] = []
    for member in args or (annotation,):
        if member is None or member is type(None):
            found.append(type(None))
        elif typing.get_origin(member) is list:
            found.append(list)
        elif isinstance(member, type):
            found.append(member)
        else:
            found.append(str)  # a Literal enum
    return tuple(found)


@pytest.mark.parametrize(("package", "operation", "example"), cases())
async def test_operation_request_and_response(package: str, operation: Operation, example: Any) -> None:
    assert example, f"tests/examples has no entry for {operation.python_name}: every operation needs one"
    client = client_for(package)
    method = getattr(api_for(client, package), operation.python_name)
    # The table row leads to the method's own endpoint module, and that module to the same row.
    assert endpoint_of(method) is endpoint_module(operation) and endpoint_of(method).OPERATION is operation
    hints = typing.get_type_hints(method)

    kwargs: dict[str, Any] = {}
    for name, value in (example.get("params") or {}).items():
        kwargs[operation.python_name_of(name)] = value
    if example.get("body") is not None:
        kwargs["body"] = build(hints["body"], example["body"])

    response = example["response"]
    base = DATAROBOT if package.startswith("datarobot_") else QLIK
    reply: dict[str, Any] = {"status": response["status"], "headers": response.get("headers")}
    if "json" in response:
        reply["payload"] = response["json"]
    elif "text" in response:
        reply["body"] = response["text"]
        reply["content_type"] = next((ct for s, ct in operation.success if s == response["status"]), "text/plain")
    elif "bytes" in response:
        reply["body"] = response["bytes"].encode()
        reply["content_type"] = "application/octet-stream"
    else:
        reply["body"] = b""

    async with client:
        with aioresponses() as mocked:
            mocked.add(re.compile(re.escape(base) + ".*"), method=operation.method, **reply)
            with _deprecation_expected(operation):
                result = await method(**kwargs)

    (key, calls), *others = mocked.requests.items()
    assert not others and len(calls) == 1, "exactly one request is sent"
    sent_method, sent_url = key
    expected = example["request"]
    assert sent_method == expected["method"] == operation.method
    assert sent_url.raw_path == expected["path"]
    sent = calls[0].kwargs
    assert [list(pair) for pair in sent.get("params") or []] == [[k, str(v)] for k, v in expected.get("query") or []]
    assert sent.get("json") == expected.get("json")
    if "multipart" in expected:
        fields = {field[0]["name"]: field for field in sent["data"]._fields}
        assert set(fields) == set(expected["multipart"])

    # A body of another shape than documented is kept as sent (the model-jobs list's example).
    kept_as_sent = "json" in response and result == response["json"]
    assert kept_as_sent or isinstance(result, expected_type(hints["return"])), f"{type(result)}: {hints['return']}"
    if "json" in response and hasattr(result, "to_dict") and isinstance(response["json"], dict):
        # Tolerant parsing keeps every field the server sent, known or not.
        assert set(result.to_dict()) >= set(response["json"])
    if "text" in response:
        assert result == response["text"]


def _deprecation_expected(operation: Operation) -> Any:
    if operation.deprecated:
        return pytest.warns(DeprecationWarning, match=operation.id)
    import contextlib

    return contextlib.nullcontext()


def test_every_example_names_a_real_operation() -> None:
    """A typo'd name in tests/examples would silently test nothing."""
    for package in packages():
        path = examples_file(package)
        assert path.exists(), f"missing {path.name}"
        names = {op.python_name for op in operation_table(package).values()}
        unknown = set(yaml.safe_load(path.read_text())) - names
        assert not unknown, f"{path.name} names operations the spec does not have: {sorted(unknown)}"


def test_unset_is_shared_by_every_package() -> None:
    for package in packages():
        assert importlib.import_module(f"aioautoml._generated.{package}.types").UNSET is UNSET
