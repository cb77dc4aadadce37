"""Command-line values as an operation's call: positional and keyword arguments, the body parsed
from JSON (text, ``@file`` or ``@-``) and a multipart body's ``"@path"`` file parts read."""

from __future__ import annotations

import inspect
import io
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .._wire import Operation
from ._catalog import Signature

__all__ = ["attach_files", "call_arguments", "parse_json_argument"]


def call_arguments(operation: Operation, sig: Signature, values: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments of the Api method from parsed values (by Python name);
    what was not given is left out, so the method's own defaults apply."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in sig.parameters:
        value = values.get(parameter.name)
        if value is None or value == ():
            continue
        if parameter.name == "body" and isinstance(value, str):
            value = attach_files(sig.hints.get("body"), parse_json_argument(value, "--body"))
        if isinstance(value, tuple):
            value = list(value)
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            args.append(value)
        else:
            kwargs[parameter.name] = value
    return args, kwargs


def attach_files(annotation: Any, body: Any) -> Any:
    """A multipart body's file parts given as ``"@path"``: read into a File named after the file.
    Read whole (a rating table is small), so nothing stays open across a bulk run."""
    if not isinstance(body, dict):
        return body
    from .._wire import File, _model_fields, _options

    for model in _options(annotation):
        if not (isinstance(model, type) and hasattr(model, "_json_keys")):
            continue
        fields, _ = _model_fields(model)
        for key, (_, _, field_type) in fields.items():
            value = body.get(key)
            if File in _options(field_type) and isinstance(value, str) and value.startswith("@"):
                path = Path(value[1:])
                try:
                    content = path.read_bytes()
                except OSError as exc:
                    raise click.BadParameter(
                        f"cannot read {path}: {exc.strerror}", param_hint=f"--body {key}"
                    ) from None
                body[key] = File(io.BytesIO(content), file_name=path.name)
    return body


def parse_json_argument(text: str, what: str) -> Any:
    """``--body``: JSON text, ``@file.json``, or ``@-`` for standard input."""
    if text.startswith("@"):
        source = text[1:]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text()
        except OSError as exc:
            raise click.BadParameter(f"cannot read {source}: {exc.strerror}", param_hint=what) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint=what) from None
