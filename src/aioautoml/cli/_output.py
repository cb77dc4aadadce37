"""What the command line prints: results as JSON, errors as one line, and the exit codes."""

from __future__ import annotations

import datetime
import enum
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import click

from .._wire import Unset

OK = 0
FAILED = 1  # the API (or a job, or a bulk input) failed
USAGE = 2  # the command line or a body was wrong: nothing was sent
INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
TERMINATED = 143  # SIGTERM (a scheduler stopping the job), as a shell reports it


def jsonable(value: Any) -> Any:
    """A parsed result as plain JSON values: models by their to_dict, the rest as it is."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        # A required field the server left out is UNSET in the model (parsing is tolerant): left out here too.
        return jsonable(to_dict())
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if not isinstance(v, Unset)}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, Unset):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def dumps(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(jsonable(value), indent=indent, ensure_ascii=False, default=str)


def write_line(text: str, stream: IO[str] | None = None) -> None:
    """A line, flushed: output piped into another program keeps up, and survives a Ctrl-C."""
    stream = stream or sys.stdout
    stream.write(text + "\n")
    stream.flush()


def describe_error(error: BaseException) -> str:
    """One line for an error: its kind and its message (status, vendor code, message, request id)."""
    text = " ".join(str(error).split()) if not _multiline(error) else str(error)
    for note in getattr(error, "__notes__", ()):  # why it was not retried, say
        text += " " + " ".join(str(note).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _multiline(error: BaseException) -> bool:
    from ..errors import ConfigurationError

    return isinstance(error, ConfigurationError)  # a list of problems, one per line, by design


def error_record(error: BaseException) -> dict[str, Any]:
    """An error as bulk's results.jsonl keeps it."""
    status = getattr(error, "status", None)
    details = getattr(error, "errors", None) or []
    return {
        "type": type(error).__name__,
        "status": status if isinstance(status, int) else None,
        "code": next((d.code for d in details if getattr(d, "code", None)), None),
        "message": str(error),
        "request_id": getattr(error, "request_id", None),
        "outcome_unknown": bool(getattr(error, "outcome_unknown", False)),
    }


def exit_code(error: BaseException) -> int:
    from ..errors import ConfigurationError, InvalidRequestError

    return USAGE if isinstance(error, (InvalidRequestError, ConfigurationError)) else FAILED


def check_output(path: Path | None, option: str = "--output") -> Path | None:
    """``path`` as an output the command can write, checked before anything is sent; None for
    standard output (no option, or ``-``). A folder that does not exist is a usage error (exit 2)."""
    if path is None or str(path) == "-":
        return None
    folder = path.parent
    if not folder.is_dir():
        raise click.UsageError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise click.UsageError(f"{option} {path}: cannot write in {folder}")
    return path
