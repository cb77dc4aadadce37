"""What the command line offers, read from the generated packages: nothing here names an operation.

An API is a generated package (``aioautoml._generated.<vendor>_<api>``); its operations are the rows
of its operation table, and a command's parameters come from the public ``Api`` method's signature.
Tables are cheap to import; an ``Api`` module imports every model of its API, so it is imported only
for the command that runs or shows its help.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .._wire import Operation, OperationKey, operation_table

# A vendor is the prefix of its packages' names; each has one client class.
CLIENTS = {"qlik": "QlikClient", "datarobot": "DataRobotClient"}


@dataclass(frozen=True, slots=True)
class ApiRef:
    package: str  # e.g. "qlik_ml"
    vendor: str  # "qlik"
    name: str  # the command name inside the vendor's group: "ml", "data-stores"


@cache
def apis() -> tuple[ApiRef, ...]:
    """Every generated package with an operation table, found on disk (a new spec adds one)."""
    from .. import _generated

    found = []
    for module in pkgutil.iter_modules(_generated.__path__):
        vendor, _, rest = module.name.partition("_")
        if module.ispkg and vendor in CLIENTS and rest:
            found.append(ApiRef(module.name, vendor, rest.replace("_", "-")))
    return tuple(sorted(found, key=lambda ref: ref.package))


def api_ref(name: str) -> ApiRef | None:
    """An API by package name, in any of the spellings a user may type (qlik_ml, qlik-ml, qlik.ml)."""
    wanted = name.replace("-", "_").replace(".", "_").replace(" ", "_")
    return next((ref for ref in apis() if ref.package == wanted), None)


def command_name(operation: Operation) -> str:
    return operation.python_name.replace("_", "-")


@cache
def operations(package: str) -> dict[str, Operation]:
    """An API's operations by command name."""
    return {command_name(op): op for op in _table(package).values()}


def _table(package: str) -> Mapping[OperationKey, Operation]:
    """The operation table, without the models: importing ``aioautoml._generated.<package>._operations``
    imports its package first, and the package imports its ``Api`` and with it every model (150 ms
    for qlik_ml, 330 for datarobot_models). Listing commands needs the table alone, so the table's
    file is run on its own (it imports only aioautoml._wire); its rows equal the package's."""
    loaded = sys.modules.get(f"aioautoml._generated.{package}._operations")
    if loaded is not None:
        return loaded.OPERATIONS  # type: ignore[no-any-return]
    from .. import _generated

    path = Path(next(iter(_generated.__path__))) / package / "_operations.py"
    spec = importlib.util.spec_from_file_location(f"aioautoml.cli._tables.{package}", path)
    if spec is None or spec.loader is None or not path.is_file():
        return operation_table(package)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.OPERATIONS  # type: ignore[no-any-return]


def find_operation(package: str, name: str) -> Operation | None:
    return operations(package).get(name.replace("_", "-"))


def api_class(package: str) -> type[Any]:
    return importlib.import_module(f"aioautoml._generated.{package}.api").Api  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Signature:
    """An operation's public method: its parameters with resolved types, and its docstring."""

    function: Callable[..., Any]
    parameters: tuple[inspect.Parameter, ...]  # without self
    hints: Mapping[str, Any]
    doc: str

    @property
    def answers_list(self) -> bool:
        """The method returns a plain list: the whole list in one response, not pages."""
        return typing.get_origin(self.hints.get("return")) is list

    @property
    def starts_job(self) -> bool:
        # codegen marks the methods that start long-running work (what client.start takes)
        return hasattr(self.function, "__aioautoml_job_result__")


def signature(operation: Operation) -> Signature:
    return _signature(operation.api, operation.python_name)  # rows hold dicts: cached by name


@cache
def _signature(package: str, python_name: str) -> Signature:
    function = getattr(api_class(package), python_name)
    parameters = tuple(inspect.signature(function).parameters.values())[1:]
    hints = typing.get_type_hints(function)
    return Signature(function, parameters, hints, inspect.getdoc(function) or "")


def is_file_download(operation: Operation) -> bool:
    """An operation whose documented success bodies are files, not JSON: streamed, never parsed."""
    types = [content for _, content in operation.success if content is not None]
    return bool(types) and not any("json" in content for content in types)
