"""``aioautoml bulk``: one operation over the lines of a file, through the library's bulk runner,
an outcome per line written as it completes, resumable.

Resuming keeps what is settled and runs the rest: a line done, or failed in a way that would fail
again (a 4xx, a bad input), is not run again; a line that failed transiently (429, 5xx, no answer)
is; a write whose outcome is unknown (it may have been acted on) is never re-sent, only reported
and counted as failed. A torn last line (the previous run was killed mid-write) is cut off.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
import os
import sys
import tempfile
import textwrap
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import aiohttp
import click

from .._wire import Operation
from ..errors import AioAutoMLError, InvalidRequestError
from ._arguments import call_arguments
from ._catalog import CLIENTS, Signature, apis, signature
from ._commands import BASE_URL_HELP, VERBOSE_HELP, operation_params, resolve
from ._output import FAILED, OK, USAGE, check_output, describe_error, dumps, error_record, jsonable, write_line
from ._run import api_method, configure_logging, describe_request, make_client, run, vendor_of, wait_options

if TYPE_CHECKING:
    from ..client import BaseClient
    from ..jobs import Job

# Errors worth another try on --resume: the server was busy or did not answer, and the request
# either did nothing or can safely be repeated (outcome_unknown is checked first).
_TRANSIENT_TYPES = frozenset({"APIConnectionError", "APITimeoutError", "RateLimitError", "ServerError"})


# Each call under way holds a task, a connection and its buffers: beyond this, more concurrency
# only queues in memory behind the tiers' pacing and aiohttp's connection pool.
MAX_CONCURRENCY = 10_000


@dataclass(frozen=True, slots=True)
class Input:
    line: int  # 1-based line number in the input file
    raw: Any  # the line as given: an ID, or an object of keyword arguments
    args: list[Any]
    kwargs: dict[str, Any]
    problem: Exception | None = None  # the line cannot become a call: recorded as its failure


class _BulkCommand(click.Command):
    """Takes the API as one word (qlik-ml) or as the operation commands spell it (qlik ml)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) >= 3 and args[0] in CLIENTS and not args[1].startswith("-") and not args[2].startswith("-"):
            args = [f"{args[0]}-{args[1]}", *args[2:]]
        return super().parse_args(ctx, args)


@click.command(
    "bulk",
    cls=_BulkCommand,
    help=(
        "Run OPERATION of API (e.g. qlik-ml get-deployment, or qlik ml get-deployment) once per line of"
        " --input, CONCURRENCY at a time, pacing as the library does. A line of ids.txt fills the first path parameter; a line of"
        " inputs.jsonl is an object of keyword arguments (path parameters, options, body). Each outcome"
        ' is a line of --output as it completes: {"line", "input", "ok", "result" or "error"}.'
        " Exit status 1 when any input failed."
    ),
    epilog="\b\n"
    + textwrap.fill(  # \b: click would break the names at their hyphens
        "APIs: " + ", ".join(ref.package.replace("_", "-") for ref in apis()) + ".", 78, break_on_hyphens=False
    ),
)
@click.argument("api")
@click.argument("operation")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
    help="ids.txt (an ID per line) or inputs.jsonl (a JSON object per line); - for standard input.",
)
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="results.jsonl: an outcome per input line, written as each completes (required unless --dry-run);"
    " - for standard output (no --resume then).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=MAX_CONCURRENCY),
    default=8,
    show_default=True,
    help="Calls under way at once (pacing still holds each tier to its rate).",
)
@click.option("--resume", is_flag=True, help="Continue an earlier run's --output: run only what is not settled.")
@click.option(
    "--progress-every", type=click.IntRange(min=1), default=100, show_default=True, help="A progress line per N."
)
@click.option("--wait", is_flag=True, help="Operations that start a job: wait for each; its end is the result.")
@click.option(
    "--poll-interval", type=click.FloatRange(min=0, min_open=True), help="With --wait: seconds between first polls."
)
@click.option("--base-url", help=BASE_URL_HELP)
@click.option(
    "--rate-store",
    metavar="URL",
    help="A Redis URL: every run and process given the same one shares each tier's budget"
    " (default: AIOAUTOML_RATE_STORE, else this process paces itself).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print each line's request (token redacted) as a JSON line, or why it is not a valid call;"
    " send nothing, write no --output. With --resume: only the lines a resume would run.",
)
@click.option("--verbose", "-v", is_flag=True, help=VERBOSE_HELP)
def bulk(
    api: str,
    operation: str,
    input_path: Path,
    output_path: Path | None,
    concurrency: int,
    resume: bool,
    progress_every: int,
    wait: bool,
    poll_interval: float | None,
    base_url: str | None,
    rate_store: str | None,
    dry_run: bool,
    verbose: bool,
) -> int:
    found = resolve(api, operation)
    configure_logging(verbose)
    if wait and not signature(found).starts_job:
        raise click.UsageError(f"{found.python_name.replace('_', '-')} starts no job: --wait does not apply")
    if poll_interval is not None and not wait:
        raise click.UsageError("--poll-interval goes with --wait")
    if output_path is None and not dry_run:
        raise click.MissingParameter(param_hint="'--output'", param_type="option")
    output_path = check_output(output_path)
    if output_path is None:
        if resume:
            raise click.UsageError("--resume continues an --output file: give the one to continue")
    elif output_path.exists() and not resume:
        raise click.UsageError(f"{output_path} exists: --resume continues it (or remove it to start again)")
    with _rereadable(input_path) as readable:
        settled = {}
        if resume and output_path is not None and output_path.exists():
            shown = "standard input" if str(input_path) == "-" else str(input_path)
            settled = _resume(output_path, readable, shown, compact=not dry_run)
        waiting = wait_options(poll_interval) if wait else None
        job = _Run(found, readable, output_path, settled, concurrency, progress_every, waiting, base_url, rate_store)
        return job.dry_run() if dry_run else job.start()


@contextlib.contextmanager
def _rereadable(path: Path) -> Iterator[Path]:
    """The input as a file that can be read more than once (a run reads it to count its lines, to
    check a resume, and to run): standard input (-), a pipe or a process substitution is copied to
    a temporary file first. Read twice as it is, a pipe would be empty the second time: no line run."""
    if str(path) != "-" and path.is_file():
        yield path
        return
    if str(path) == "-" and sys.stdin.isatty():
        click.echo("bulk: reading the inputs from the terminal, a line each; Ctrl-D ends them", err=True)
    source = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    with source, tempfile.TemporaryDirectory(prefix="aioautoml-bulk-") as scratch:
        copy = Path(scratch) / "input"
        with copy.open("wb") as spooled:
            # One system read at a time, to the first end of input: a terminal's Ctrl-D is not
            # sticky, and a buffered read(n) (copyfileobj's) takes it as a short read and waits again.
            while chunk := os.read(source.fileno(), 1 << 16):
                spooled.write(chunk)
        yield copy


class _Run:
    def __init__(
        self,
        operation: Operation,
        input_path: Path,
        output_path: Path | None,  # None: standard output (or a dry run)
        settled: Mapping[int, Settled],
        concurrency: int,
        progress_every: int,
        waiting: dict[str, Any] | None,
        base_url: str | None,
        rate_store: str | None,
    ) -> None:
        self.operation = operation
        self.signature = signature(operation)
        self.input_path = input_path
        self.output_path = output_path
        self.settled = settled
        self.concurrency = concurrency
        self.progress_every = progress_every
        self.waiting = waiting  # Job.wait's keywords with --wait, else None
        self.base_url = base_url
        self.rate_store = rate_store
        self.done = 0
        self.failed = 0
        self.total = 0

    def start(self) -> int:
        earlier_failed = 0
        for line, settled in sorted(self.settled.items()):
            if not settled.ok:
                earlier_failed += 1
                if settled.outcome_unknown:
                    click.echo(
                        f"line {line}: its outcome is unknown from an earlier run; not re-sent: {settled.message}",
                        err=True,
                    )
        self.total = sum(1 for _ in self._lines())
        pending = self._inputs()
        if self.settled:
            click.echo(f"resuming: {len(self.settled)} lines settled earlier, {self.total} to run", err=True)
        code = run(self._guarded(lambda: self._main(pending)), self._interrupted)
        if code not in (OK, FAILED):
            return code
        failed = earlier_failed + self.failed
        click.echo(f"bulk: {self.done} run, {self.failed} failed; {failed} failed in all", err=True)
        return FAILED if failed or code == FAILED else OK

    def dry_run(self) -> int:
        """Each pending line's request as a JSON line on standard output, built as the run would
        (the body validated through the model); exit status 2 if any line is not a valid call."""

        async def main() -> int:
            invalid = 0
            async with self._client() as client:
                method = api_method(client, self.operation)
                for item in self._inputs():
                    record: dict[str, Any] = {"line": item.line, "input": item.raw}
                    try:
                        if item.problem is not None:
                            raise item.problem
                        record["request"] = describe_request(client, method, item.args, item.kwargs)
                    except AioAutoMLError as problem:
                        invalid += 1
                        record["error"] = error_record(problem)
                    write_line(dumps(record))
                    self.total += 1
                    if self.total % 256 == 0:
                        await asyncio.sleep(0)  # where Ctrl-C's cancellation can stop a long file
            click.echo(f"bulk --dry-run: {self.total} requests, {invalid} not valid calls; nothing sent", err=True)
            return USAGE if invalid else OK

        return run(self._guarded(main))

    def _guarded(self, main: Callable[[], Awaitable[int]]) -> Callable[[], Coroutine[Any, Any, int]]:
        """``main``, with a client that cannot be configured as one error line (exit status 2)."""

        async def guarded() -> int:
            try:
                return await main()
            except _Unconfigured as error:
                click.echo(f"error: {describe_error(error.error)}", err=True)
                return USAGE

        return guarded

    def _client(self, **options: Any) -> BaseClient:
        try:
            return make_client(vendor_of(self.operation), self.base_url, self.rate_store, **options)
        except AioAutoMLError as error:
            raise _Unconfigured(error) from error

    @contextlib.contextmanager
    def _outcomes(self) -> Iterator[IO[str]]:
        if self.output_path is None:  # --output -
            yield sys.stdout
            return
        with self.output_path.open("a", encoding="utf-8") as output:
            yield output

    def _inputs(self) -> Iterator[Input]:
        parser = _Parser(self.operation, self.signature)
        return (parser.parse(number, text) for number, text in self._lines())

    def _interrupted(self) -> None:
        resume = "--resume continues" if self.output_path is not None else "the outcomes so far are on standard output"
        click.echo(f"bulk: interrupted after {self.done} of {self.total} ({self.failed} failed); {resume}", err=True)

    async def _main(self, pending: Iterator[Input]) -> int:
        # Which calls reached the wire (past pacing): a write interrupted before that was not sent.
        sent: set[int] = set()
        trace = aiohttp.TraceConfig()

        async def on_request_start(*_: Any) -> None:
            item = _CALLING.get()
            if item is not None:
                sent.add(item.line)

        trace.on_request_start.append(on_request_start)
        async with self._client(trace_configs=[trace]) as client:
            method = api_method(client, self.operation)
            started: dict[int, Input] = {}  # called, and its outcome not yet written
            jobs: dict[int, Job[Any]] = {}  # with --wait: started, and being waited for

            async def call(item: Input) -> Any:
                if item.problem is not None:
                    raise item.problem
                started[item.line] = item
                _CALLING.set(item)  # this worker task's context: seen by on_request_start
                if self.waiting is None:
                    return await method(*item.args, **item.kwargs)
                job: Job[Any] = await client.start(method, *item.args, **item.kwargs)  # type: ignore[arg-type]
                jobs[item.line] = job
                return await job.wait(**self.waiting)  # Ctrl-C leaves the jobs running: they were started

            with self._outcomes() as output:
                progress = _Progress(self.total, self.progress_every)
                try:
                    async for outcome in client.bulk(
                        call, ((item,) for item in pending), concurrency=self.concurrency, ordered=False
                    ):
                        item: Input = outcome.input[0]
                        self.done += 1
                        if outcome.error is None:
                            record = {"line": item.line, "input": item.raw, "ok": True}
                            record["result"] = jsonable(outcome.value)
                        else:
                            self.failed += 1
                            record = {"line": item.line, "input": item.raw, "ok": False}
                            record["error"] = error_record(outcome.error)
                        _write(output, record)
                        started.pop(item.line, None)
                        jobs.pop(item.line, None)  # its outcome is written: the job is not kept
                        progress.update(self.done, self.failed)
                except asyncio.CancelledError:
                    if not self.operation.idempotent:
                        in_flight = [item for line, item in started.items() if line in sent]
                        self._unknown_on_interrupt(output, in_flight, jobs)
                    raise
                finally:
                    progress.close()
        return OK

    def _unknown_on_interrupt(self, output: IO[str], items: Iterable[Input], jobs: Mapping[int, Job[Any]]) -> None:
        """Calls of a write in flight at Ctrl-C (or done, with the outcome not yet written) may have
        been acted on: recorded as outcome unknown, so that --resume does not send them again. With
        --wait, a call whose job had started is recorded as that: started, and not waited for."""
        for item in sorted(items, key=lambda item: item.line):
            self.done += 1
            self.failed += 1
            error: dict[str, Any] = {"type": "Interrupted", "status": None, "code": None, "request_id": None}
            error["outcome_unknown"] = True  # never re-sent by --resume
            if (job := jobs.get(item.line)) is not None:
                error["status"] = int(job.started.status_code)
                error["message"] = (
                    f"{self.operation.id} started its job ({job.started.status_code}) and the wait was interrupted:"
                    f" the job goes on, not waited for: {job!r}"
                )
            else:
                error["message"] = (
                    f"{self.operation.id} was interrupted in flight: it may have been sent, its outcome is unknown"
                )
            _write(output, {"line": item.line, "input": item.raw, "ok": False, "error": error})

    def _lines(self) -> Iterator[tuple[int, str]]:
        """The input lines not settled earlier (read as the run goes: the file is never held whole)."""
        with self.input_path.open(encoding="utf-8") as lines:
            for number, text in enumerate(lines, 1):
                text = text.strip()
                if text and not text.startswith("#") and number not in self.settled:
                    yield number, text


class _Unconfigured(Exception):
    """make_client's error, carried out of the coroutine to be printed as one line."""

    def __init__(self, error: AioAutoMLError) -> None:
        self.error = error


_CALLING: contextvars.ContextVar[Input | None] = contextvars.ContextVar("aioautoml_cli_calling", default=None)


class _Parser:
    """Lines of the input file as calls; the command's parameters, built once, convert the values."""

    def __init__(self, operation: Operation, sig: Signature) -> None:
        self.operation = operation
        self.sig = sig
        self.params = {p.name: p for p in operation_params(operation, sig) if p.name is not None}
        self.api_names = {p.name: p.python_name for p in operation.parameters}  # deploymentId -> deployment_id
        self.first = next((p.name for p in sig.parameters if p.kind is p.POSITIONAL_OR_KEYWORD), None)
        self.required = [p.name for p in sig.parameters if p.default is p.empty]

    def parse(self, number: int, text: str) -> Input:
        """One line as the arguments of a call, or as the problem that keeps it from being one."""
        operation = self.operation
        raw: Any = text
        try:
            if text.startswith("{"):
                try:
                    raw = json.loads(text)
                except ValueError as exc:
                    raise InvalidRequestError(f"line {number} is not a JSON object: {exc}") from None
                values = self._values(raw)
            elif self.first is None:
                raise InvalidRequestError(f"{operation.id} has no path parameter for an ID line; give JSON objects")
            else:
                values = self._values({self.first: text})
            missing = [name for name in self.required if values.get(name) is None]
            if missing:
                raise InvalidRequestError(f"{operation.id}: line {number} lacks {', '.join(missing)}")
            args, kwargs = call_arguments(operation, self.sig, values)
            return Input(number, raw, args, kwargs)
        except (InvalidRequestError, click.ClickException) as problem:
            error = (
                problem if isinstance(problem, InvalidRequestError) else InvalidRequestError(problem.format_message())
            )
            return Input(number, raw, [], {}, error)

    def _values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """An input object's values by Python name (or as spelt on the command line, or by the API),
        converted."""
        params = self.params
        values: dict[str, Any] = {}
        for key, value in given.items():
            name = key.replace("-", "_")
            name = name if name in params else name + "_" if name + "_" in params else name
            if name not in params and key in self.api_names:
                name = self.api_names[key]
            param = params.get(name)
            if param is None:
                raise InvalidRequestError(
                    f"{self.operation.id}: unknown parameter {key!r}; it has {', '.join(sorted(params))}"
                )
            if name == "body" or value is None:
                values[name] = value
            elif getattr(param, "multiple", False):
                items = value if isinstance(value, list) else [value]
                values[name] = [param.type.convert(item, param, None) for item in items]
            else:
                values[name] = param.type.convert(value, param, None)
        return values


def _write(output: IO[str], record: Mapping[str, Any]) -> None:
    # One write and a flush per outcome: a line is whole on disk before the next is started.
    output.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    output.flush()


def _settled(record: Mapping[str, Any]) -> bool:
    if record.get("ok"):
        return True
    error = record.get("error") or {}
    if error.get("outcome_unknown"):
        return True  # never re-sent: it may have been acted on
    status = error.get("status")
    transient = status == 429 or (isinstance(status, int) and status >= 500) or error.get("type") in _TRANSIENT_TYPES
    return not transient


@dataclass(frozen=True, slots=True)
class Settled:
    """What resuming keeps of an earlier outcome (not its result: the file may be large)."""

    ok: bool
    outcome_unknown: bool
    message: str | None
    input_digest: bytes  # of the input line it answers: --resume with an edited input is refused


def _digest(raw: Any) -> bytes:
    return hashlib.blake2b(json.dumps(raw, sort_keys=True, default=str).encode(), digest_size=8).digest()


def _raw(text: str) -> Any:
    """An input line as its record's "input" holds it: a JSON object, or the text as given."""
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _check_same_input(input_path: Path, shown: str, output_path: Path, settled: Mapping[int, Settled]) -> None:
    """Settled outcomes are kept by line number: they are only the answers to the same lines.
    An input edited, reordered or cut since the earlier run would pair answers with other inputs."""
    if not settled:
        return
    seen: set[int] = set()
    with input_path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, 1):
            kept = settled.get(number)
            if kept is None:
                continue
            seen.add(number)
            if _digest(_raw(text.strip())) != kept.input_digest:
                raise click.UsageError(
                    f"{shown} line {number} ({text.strip()[:60]!r}) is not the input that {output_path}"
                    " recorded for that line: the input changed since the earlier run; resume with the same"
                    " input, or write to a new --output"
                )
    if missing := sorted(set(settled) - seen):
        raise click.UsageError(
            f"{output_path} holds outcomes for lines {shown} does not have ({', '.join(map(str, missing[:5]))}"
            f"{', ...' if len(missing) > 5 else ''}): the input changed since the earlier run"
        )


def _resume(path: Path, input_path: Path, shown: str, *, compact: bool = True) -> dict[int, Settled]:
    """The settled outcomes of an earlier run, by input line. Once they are known to answer the same
    input, the file is rewritten to hold only those, so that each line ends with one outcome. A torn
    last line is cut off (its input runs again)."""
    last: dict[int, tuple[int, Settled | None]] = {}  # input line -> (its latest record's position, kept?)
    torn = 0
    with path.open("rb") as records:
        for position, raw in enumerate(records):
            if not raw.endswith(b"\n"):
                torn = len(raw)  # only the last line can lack its newline
                break
            try:
                record = json.loads(raw)
                line = int(record["line"])
            except (ValueError, KeyError, TypeError):
                raise click.UsageError(f"{path} line {position + 1} is not a result record: cannot resume") from None
            error = record.get("error") or {}
            kept = Settled(
                bool(record.get("ok")),
                bool(error.get("outcome_unknown")),
                error.get("message"),
                _digest(record.get("input")),
            )
            last[line] = (position, kept if _settled(record) else None)
    settled = {line: kept for line, (_, kept) in last.items() if kept is not None}
    _check_same_input(input_path, shown, path, settled)  # before the file is touched
    if not compact:  # a dry run: the file is left as it is
        return settled
    if torn:
        click.echo(f"{path}: the last line is incomplete ({torn} bytes); it is cut off", err=True)
    keep = {position for position, kept in last.values() if kept is not None}
    partial = path.with_name(path.name + ".part")
    with path.open("rb") as records, partial.open("wb") as output:
        for position, raw in enumerate(records):
            if position in keep:
                output.write(raw)
    os.replace(partial, path)
    return settled


class _Progress:
    """A bar when standard error is a terminal (and tqdm is installed), else a line per N outcomes."""

    def __init__(self, total: int, every: int) -> None:
        self.total = total
        self.every = every
        self.bar: Any = None
        if sys.stderr.isatty():
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="call", file=sys.stderr)
            except ImportError:
                pass

    def update(self, done: int, failed: int) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(failed=failed, refresh=False)
        elif done % self.every == 0 or done == self.total:
            click.echo(f"bulk: {done}/{self.total} done, {failed} failed", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
