"""click commands built at run time from the operation tables and the ``Api`` signatures.

click rather than typer: typer reads a real function's annotations, and ours are ``str | Unset``
unions and attrs models it cannot take, so each operation would need a hand-written or synthesised
function. A click ``Group`` answers ``list_commands``/``get_command`` itself, so the groups below
list names from the tables alone and build a command's parameters only when it is invoked.
"""

from __future__ import annotations

import datetime
import inspect
import re
import textwrap
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Union

import click

from .._wire import Operation, Unset
from ._catalog import CLIENTS, ApiRef, Signature, api_ref, apis, command_name, is_file_download, operations, signature

# The command line's own options; an operation parameter of the same name is offered as --param-NAME.
RESERVED = frozenset(
    {"all", "max-items", "jsonl", "wait", "wait-timeout", "poll-interval", "cancel-on-interrupt", "output", "dry-run"}
    | {"verbose"}
    | {"base-url", "help"}
)

# The options every operation command and the bulk command share, said once.
BASE_URL_HELP = "The tenant URL or DataRobot endpoint, instead of the environment's."
VERBOSE_HELP = "Log at DEBUG on standard error."


# ---------------------------------------------------------------------------------------------
# Types: from an annotation to a click type


class _DateTime(click.ParamType[Any, Any]):
    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime.datetime):
            return value
        try:
            return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date-time", param, ctx)


class _CommaList(click.ParamType[Any, Any]):
    """A path parameter that is a list: one argument, comma-separated."""

    name = "list"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (list, tuple)):
            return list(value)
        return [item for item in str(value).split(",") if item]


def _without_unset(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not Unset and a is not type(None)]
    return [annotation]


def _scalar_type(annotation: Any) -> click.ParamType[Any, Any]:
    if typing.get_origin(annotation) is Literal:
        return click.Choice([str(value) for value in typing.get_args(annotation)])
    if annotation is bool:
        return click.BOOL
    if annotation is int:
        return click.INT
    if annotation is float:
        return click.FLOAT
    if annotation is datetime.datetime:
        return _DateTime()
    return click.STRING  # str, Any and whatever else a query can carry as text


def _is_list(annotation: Any) -> Any | None:
    """The item type of a list annotation, or None."""
    if typing.get_origin(annotation) in (list, Sequence, tuple):
        args = typing.get_args(annotation)
        return args[0] if args else str
    return None


# ---------------------------------------------------------------------------------------------
# Docstrings: the generated ones are Google style (summary, Args:, Raises:, Returns:)

_SECTION = re.compile(r"^(Args|Raises|Returns):\s*$")
_ARG = re.compile(r"^(\w+) \(([^)]*)\):\s*(.*)$")


def parse_doc(doc: str) -> tuple[str, dict[str, str], str]:
    """(summary, description per parameter, what it returns)."""
    summary: list[str] = []
    params: dict[str, list[str]] = {}
    returns: list[str] = []
    section = ""
    current: list[str] | None = None
    for raw in doc.splitlines():
        line = raw.strip()
        match = _SECTION.match(line)
        if match and not raw.startswith(" "):
            section = match.group(1)
            continue
        if section == "":
            summary.append(raw)
        elif section == "Args":
            arg = _ARG.match(line) if not raw.startswith("        ") else None
            if arg:
                current = params.setdefault(arg.group(1), [arg.group(3)])
            elif current is not None and line:
                current.append(line)
        elif section == "Returns" and line:
            returns.append(line)
    return (
        "\n".join(summary).strip(),
        {name: " ".join(lines).strip() for name, lines in params.items()},
        " ".join(returns),
    )


# ---------------------------------------------------------------------------------------------
# One operation's parameters


def option_name(python_name: str) -> str:
    name = python_name.rstrip("_").replace("_", "-")
    return f"param-{name}" if name in RESERVED else name


def operation_params(operation: Operation, sig: Signature) -> list[click.Parameter]:
    """Path parameters as positional arguments, the others as options, typed from the signature."""
    _, described, _ = parse_doc(sig.doc)
    params: list[click.Parameter] = []
    for parameter in sig.parameters:
        name = parameter.name
        annotation = sig.hints.get(name, str)
        options = _without_unset(annotation)
        required = parameter.default is inspect.Parameter.empty
        description = described.get(name, "")
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            item = _is_list(options[0]) if len(options) == 1 else None
            kind: click.ParamType[Any, Any] = _CommaList() if item is not None else _scalar_type(options[0])
            params.append(click.Argument([name], type=kind, required=required, metavar=name.upper()))
            continue
        flag = "--" + option_name(name)
        if name == "body":
            params.append(
                click.Option(
                    [flag, name],
                    required=required,
                    metavar="JSON|@FILE",
                    help=(description + " " if description else "") + "JSON text, or @file.json ('@-': stdin).",
                )
            )
            continue
        lists = [_is_list(option) for option in options]
        item = next((i for i in lists if i is not None), None)
        if item is not None:
            params.append(
                click.Option(
                    [flag, name],
                    multiple=True,
                    type=_scalar_type(item),
                    required=required,
                    help=(description + " " if description else "") + _repeat_help(operation, name),
                )
            )
        elif options == [bool]:
            params.append(
                click.Option(
                    [f"{flag}/--no-{flag[2:]}", name], default=None, required=required, help=description or None
                )
            )
        else:
            params.append(
                click.Option(
                    [flag, name],
                    type=_scalar_type(options[0]) if len(options) == 1 else click.STRING,
                    required=required,
                    help=description or None,
                    show_default=False,
                )
            )
    return params


def _repeat_help(operation: Operation, python_name: str) -> str:
    spec_names = [p.name for p in operation.parameters if p.python_name == python_name]
    if spec_names and spec_names[0] in operation.comma_separated:
        return "Repeat the option for several values (sent joined by commas)."
    return "Repeat the option for several values."


def cli_params(operation: Operation, sig: Signature) -> list[click.Parameter]:
    """The command line's own options for an operation, by what its table row says it does."""
    params: list[click.Parameter] = []
    if operation.paging is not None:
        params += [
            click.Option(["--all", "cli_all"], is_flag=True, help="Every item of every page (paging)."),
            click.Option(
                ["--max-items", "cli_max_items"],
                type=click.IntRange(min=0),
                help="At most N items across pages (paging).",
            ),
        ]
    elif sig.answers_list:  # the same options mean the same, for a list that comes whole
        params += [
            click.Option(
                ["--all", "cli_all"], is_flag=True, help="Every item (this operation answers the whole list at once)."
            ),
            click.Option(["--max-items", "cli_max_items"], type=click.IntRange(min=0), help="At most N items."),
        ]
    if not is_file_download(operation):
        params.append(click.Option(["--jsonl", "cli_jsonl"], is_flag=True, help="One JSON item per line."))
    if sig.starts_job:
        params += [
            click.Option(["--wait", "cli_wait"], is_flag=True, help="Wait for the job it starts to finish."),
            click.Option(
                ["--wait-timeout", "cli_wait_timeout"],
                type=click.FloatRange(min=0, min_open=True),
                help="Give up waiting after SECONDS (the job goes on).",
            ),
            click.Option(
                ["--poll-interval", "cli_poll_interval"],
                type=click.FloatRange(min=0, min_open=True),
                help="Seconds between the first polls (growing 1.5x, at most 30 s).",
            ),
            click.Option(
                ["--cancel-on-interrupt", "cli_cancel_on_interrupt"],
                is_flag=True,
                help="On Ctrl-C during --wait, cancel the job too (by default it goes on).",
            ),
        ]
    if is_file_download(operation):
        params.append(
            click.Option(
                ["--output", "cli_output"],
                type=click.Path(dir_okay=False, path_type=Path),
                help="Write the file here (streamed); without it, or with -, to standard output.",
            )
        )
    params += common_params()
    return params


def common_params() -> list[click.Parameter]:
    return [
        click.Option(
            ["--dry-run", "cli_dry_run"], is_flag=True, help="Print the request that would be sent; send nothing."
        ),
        click.Option(["--base-url", "cli_base_url"], help=BASE_URL_HELP),
        click.Option(["--verbose", "-v", "cli_verbose"], is_flag=True, help=VERBOSE_HELP),
    ]


HELP_WIDTH = 78  # the text's own width: click indents it by 2 within its 80 columns


def command_help(operation: Operation, sig: Signature) -> str:
    summary, described, returns = parse_doc(sig.doc)
    paragraphs = [" ".join(p.split()).replace("``", "") for p in (summary or operation.id).split("\n\n")]
    if len(paragraphs) > 1 and paragraphs[1].startswith(paragraphs[0].rstrip(".")):
        del paragraphs[0]  # a summary the description repeats as its first sentence
    paragraphs.append(f"{operation.method} {operation.path}")
    arguments = [p for p in sig.parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    if arguments:
        width = max(len(p.name) for p in arguments) + 4
        rows = [_wrapped(described.get(p.name, ""), f"  {p.name.upper():<{width - 2}}", width) for p in arguments]
        paragraphs.append("Arguments:\n" + "\n".join(rows))
    if is_file_download(operation):
        paragraphs.append("Writes the file to --output, or to standard output.")
    elif returns and returns != "None":
        paragraphs.append(f"Prints: {returns} as JSON.")
    # Wrapped here, and marked \b so that click keeps the lines: its wrapping breaks at hyphens,
    # which cuts the paths (/batch- | predictions) where a reader copies them.
    return "\n\n".join("\b\n" + _wrapped(p, "", 0) if "\n" not in p else "\b\n" + p for p in paragraphs)


def _wrapped(text: str, first: str, indent: int) -> str:
    return (
        textwrap.fill(
            text or "",
            HELP_WIDTH,
            initial_indent=first,
            subsequent_indent=" " * indent,
            break_on_hyphens=False,
            break_long_words=False,
        ).rstrip()
        or first.rstrip()
    )


def build_command(operation: Operation) -> click.Command:
    from ._run import run_operation

    sig = signature(operation)

    def callback(**values: Any) -> int:
        return run_operation(operation, values)

    return click.Command(
        command_name(operation),
        params=operation_params(operation, sig) + cli_params(operation, sig),
        callback=callback,
        help=command_help(operation, sig),
        short_help=_short_help(operation),
        no_args_is_help=False,
    )


def _short_help(operation: Operation) -> str:
    return f"{operation.method} {operation.path}" + (" (deprecated)" if operation.deprecated else "")


# ---------------------------------------------------------------------------------------------
# The groups: names from the tables, commands built on demand


class ApiGroup(click.Group):
    """One API: a command per row of its operation table."""

    def __init__(self, ref: ApiRef) -> None:
        super().__init__(ref.name, help=f"The operations of {ref.package} (one command per operation).")
        self.ref = ref

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(operations(self.ref.package))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        operation = operations(self.ref.package).get(cmd_name)
        return build_command(operation) if operation is not None else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The listing reads the table only: building every command would import every model.
        rows = [(name, _short_help(op)) for name, op in sorted(operations(self.ref.package).items())]
        write_rows(formatter, "Commands", rows)


class VendorGroup(click.Group):
    """One vendor (qlik, datarobot): a group per generated package of that vendor."""

    def __init__(self, vendor: str) -> None:
        super().__init__(vendor, help=f"{vendor} APIs, configured by the environment ({CLIENTS[vendor]}.from_env).")
        self.vendor = vendor

    def _refs(self) -> dict[str, ApiRef]:
        return {ref.name: ref for ref in apis() if ref.vendor == self.vendor}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._refs())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        ref = self._refs().get(cmd_name)
        return ApiGroup(ref) if ref is not None else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, f"{len(operations(ref.package))} operations ({ref.package})")
            for name, ref in sorted(self._refs().items())
        ]
        write_rows(formatter, "APIs", rows)


def write_rows(formatter: click.HelpFormatter, title: str, rows: list[tuple[str, str]]) -> None:
    """A listing with each row on one line: click's wrapping would cut the paths mid-word."""
    width = max((len(name) for name, _ in rows), default=0)
    with formatter.section(title):
        for name, text in rows:
            formatter.write(f"{'':{formatter.current_indent}}{name:<{width}}  {text}\n")


def resolve(api: str, operation: str) -> Operation:
    """``bulk``'s API and operation arguments, as a usage error when they name nothing."""
    ref = api_ref(api)
    if ref is None:
        known = ", ".join(r.package.replace("_", "-") for r in apis())
        raise click.UsageError(f"no API {api!r}; there are {known}")
    found = operations(ref.package).get(operation.replace("_", "-"))
    if found is None:
        import difflib

        close = difflib.get_close_matches(operation.replace("_", "-"), operations(ref.package), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise click.UsageError(f"{ref.package} has no operation {operation!r}{hint}")
    return found
