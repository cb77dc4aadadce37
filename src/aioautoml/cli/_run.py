"""Running one operation from the command line: the client from the environment, then a plain
call, a page walk, a job waited for, a file streamed, or only the request shown (--dry-run)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Coroutine, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import _constants as const
from .._wire import UNSET, Operation, endpoint_of
from ..errors import AioAutoMLError, ConfigurationError
from ._arguments import call_arguments
from ._catalog import CLIENTS, is_file_download, signature
from ._output import INTERRUPTED, OK, TERMINATED, check_output, describe_error, dumps, exit_code, jsonable, write_line

if TYPE_CHECKING:
    from ..client import BaseClient
    from ..jobs import Job

REDACTED = "Bearer <redacted>"

# The variables from_env reads for the URL, per vendor: --base-url replaces them.
_URL_VARIABLES = {"qlik": ("QLIK_TENANT_URL", ("QLIK_BASE_URL",)), "datarobot": ("DATAROBOT_ENDPOINT", ())}


def vendor_of(operation: Operation) -> str:
    return operation.api.partition("_")[0]


def make_client(vendor: str, base_url: str | None, rate_store: str | None = None, **options: Any) -> BaseClient:
    """The vendor's client from the environment (from_env: API key, OAuth, drconfig.yaml, and
    AIOAUTOML_RATE_STORE, which ``rate_store`` replaces)."""
    import aioautoml

    from ..config import RATE_STORE_VARIABLE

    environ = dict(os.environ)
    given: dict[str, str] = {}  # variable -> the option whose value it holds, for error messages
    if rate_store:
        environ[RATE_STORE_VARIABLE] = rate_store
        given[RATE_STORE_VARIABLE] = "--rate-store"
    if base_url:
        variable, others = _URL_VARIABLES[vendor]
        environ[variable] = base_url
        given[variable] = "--base-url"
        for other in others:
            environ.pop(other, None)
    client_class = getattr(aioautoml, CLIENTS[vendor])
    try:
        return client_class.from_env(environ=environ, **options)  # type: ignore[no-any-return]
    except ConfigurationError as error:
        if not given:
            raise
        raise _as_given(error, CLIENTS[vendor], given) from None


def _as_given(error: ConfigurationError, client: str, given: Mapping[str, str]) -> ConfigurationError:
    """from_env's error, naming the option a value came from rather than the variable it was put in."""

    def named(text: str) -> str:
        for variable, option in given.items():
            text = text.replace(variable, option)
        return text

    return ConfigurationError(
        client, [named(p) for p in error.problems], found=[named(f) for f in error.found], needed=error.needed
    )


def api_method(client: BaseClient, operation: Operation) -> Callable[..., Coroutine[Any, Any, Any]]:
    return getattr(client._api(operation.api), operation.python_name)  # type: ignore[no-any-return]


def configure_logging(verbose: bool) -> None:
    """--verbose: the library's DEBUG log (retries, pacing) on standard error; and warnings, such as
    a deprecated operation's sunset date, as one line each (Python hides DeprecationWarning by default)."""
    if verbose:  # the library's loggers only: asyncio's and aiohttp's DEBUG lines would drown them
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
        logging.getLogger("aioautoml").setLevel(logging.DEBUG)
    warnings.filterwarnings("default", category=DeprecationWarning, message=r"\S+ is deprecated")
    warnings.showwarning = _show_warning


def _show_warning(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
    click.echo(f"warning: {message}", err=True)


def run(main: Callable[[], Coroutine[Any, Any, int]], interrupted: Callable[[], None] | None = None) -> int:
    """``asyncio.run``, with Ctrl-C as exit status 130 and SIGTERM as 143, and no traceback.

    asyncio.run turns the first SIGINT into a cancellation of the main task, so the coroutine's
    own cleanup (flushing output, recording the writes in flight, closing the client, leaving a
    job running) happens first. SIGTERM, which schedulers and container runtimes send to stop a
    job, is made to do the same: killed outright, a bulk run would lose the record of its writes
    in flight, and --resume would send them again.
    """
    stop = _Terminate()
    with stop.installed():
        try:
            code = asyncio.run(stop.guard(main))
        except KeyboardInterrupt:
            code = INTERRUPTED
        if code in (INTERRUPTED, TERMINATED):
            if interrupted is not None:
                interrupted()
            click.echo("interrupted" if code == INTERRUPTED else "terminated", err=True)
    return code


class _Terminate:
    """SIGTERM as a cancellation of the main task, as asyncio.Runner makes SIGINT one.

    Installed with ``signal.signal`` for the whole of ``run`` (as the Runner installs its SIGINT
    handler), not with the loop's add_signal_handler: that one goes when the loop closes, and a
    SIGTERM in the moments left would kill. Only over the default action (not over an
    application's handler, nor an inherited "ignore"), and only in the main thread.
    """

    def __init__(self) -> None:
        self.requested = False  # a SIGTERM came (before the task, or while it ran)
        self.task: asyncio.Task[int] | None = None

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGTERM)
        if previous is not signal.SIG_DFL:
            yield
            return
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _on_signal(self, signum: int, frame: object) -> None:
        task = self.task
        if task is None:
            self.requested = True  # the loop is starting: guard() stops at once
        elif not (task.done() or task.cancelling()):  # not already stopping (Ctrl-C, a second SIGTERM)
            self.requested = True
            task.cancel()
            task.get_loop().call_soon_threadsafe(lambda: None)  # wake a loop blocked in select()

    def guard(self, main: Callable[[], Coroutine[Any, Any, int]]) -> Coroutine[Any, Any, int]:
        async def guarded() -> int:
            self.task = asyncio.current_task()
            if self.requested:
                return TERMINATED
            try:
                return await main()
            except asyncio.CancelledError:
                if not self.requested:
                    raise  # Ctrl-C: asyncio.run makes it a KeyboardInterrupt
                return TERMINATED

        return guarded()


def run_operation(operation: Operation, values: Mapping[str, Any]) -> int:
    configure_logging(bool(values.get("cli_verbose")))
    sig = signature(operation)
    args, kwargs = call_arguments(operation, sig, values)
    values = {**values, "cli_output": check_output(values.get("cli_output"))}  # before anything is sent
    for option in ("cancel_on_interrupt", "poll_interval", "wait_timeout"):
        if values.get(f"cli_{option}") not in (None, False) and not values.get("cli_wait"):
            raise click.UsageError(f"--{option.replace('_', '-')} goes with --wait")
    waiting: list[Job[Any]] = []  # the job being waited for

    async def main() -> int:
        try:
            client = make_client(vendor_of(operation), values.get("cli_base_url"))
            async with client:
                method = api_method(client, operation)
                if values.get("cli_dry_run"):
                    write_line(dumps(describe_request(client, method, args, kwargs), indent=2))
                    return OK
                await _perform(client, operation, method, args, kwargs, values, waiting)
                return OK
        except AioAutoMLError as error:
            click.echo(f"error: {describe_error(error)}", err=True)
            return exit_code(error)

    def interrupted() -> None:
        if waiting and not values.get("cli_cancel_on_interrupt"):
            click.echo(f"stopped waiting; the job goes on: {waiting[0]!r} (--cancel-on-interrupt cancels it)", err=True)

    return run(main, interrupted)


async def _perform(
    client: BaseClient,
    operation: Operation,
    method: Callable[..., Coroutine[Any, Any, Any]],
    args: list[Any],
    kwargs: dict[str, Any],
    values: Mapping[str, Any],
    waiting: list[Job[Any]],
) -> None:
    jsonl = bool(values.get("cli_jsonl"))
    if is_file_download(operation):
        output: Path | None = values.get("cli_output")
        if output is not None:
            written = await client.download(output, method, *args, **kwargs)
            click.echo(f"wrote {written.size} bytes to {written.path}", err=True)
        else:
            stdout = sys.stdout.buffer
            async for chunk in client.stream(method, *args, **kwargs):
                stdout.write(chunk)
            stdout.flush()
        return
    if values.get("cli_wait"):
        job: Job[Any] = await client.start(method, *args, **kwargs)  # type: ignore[arg-type]  # the mark is checked when the command is built
        click.echo(f"{operation.id}: started ({job.started.status_code}); waiting for it to finish", err=True)
        waiting.append(job)
        options = wait_options(values.get("cli_poll_interval"), values.get("cli_wait_timeout"))
        options["cancel_on_cancel"] = bool(values.get("cli_cancel_on_interrupt"))
        result = await job.wait(**options)
        _print(result, jsonl, None)
        return
    max_items = values.get("cli_max_items")
    if operation.paging is not None and (values.get("cli_all") or max_items is not None):
        items = client.paginate(method, *args, **kwargs).items(max_items=max_items)
        if jsonl:
            async for item in items:
                write_line(dumps(item))
        else:
            write_line(dumps([item async for item in items], indent=2))
        return
    result = await method(*args, **kwargs)
    if max_items is not None and isinstance(result, list):  # a list that came whole, not paged
        result = result[:max_items]
    _print(result, jsonl, operation.paging.items if operation.paging else None)


def wait_options(poll_interval: float | None, timeout: float | None = None) -> dict[str, Any]:
    """Job.wait's keywords for --poll-interval and --wait-timeout; Ctrl-C leaves the job running."""
    options: dict[str, Any] = {"cancel_on_cancel": False}
    if timeout is not None:
        options["timeout"] = timeout
    if poll_interval is not None:
        options.update(interval=poll_interval, max_interval=max(poll_interval, const.DEFAULT_POLL_MAX_INTERVAL))
    return options


def _print(result: Any, jsonl: bool, items_pointer: str | None) -> None:
    if result is None:  # a 204
        return
    if not jsonl:
        write_line(dumps(result, indent=2))
        return
    document = jsonable(result)
    if items_pointer is not None:  # one page of a list: its items, one per line
        from ..jobs import json_pointer

        with contextlib.suppress(KeyError, IndexError, TypeError):  # not the documented shape: print it whole
            document = json_pointer(document, items_pointer)
    for item in document if isinstance(document, list) else [document]:
        write_line(dumps(item))


def describe_request(
    client: BaseClient, method: Callable[..., Any], args: list[Any], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """The request an operation would send, as the pipeline would send it, with the token redacted.
    Building it validates the body through the model, as a real call does."""
    from ..client import USER_AGENT

    request = endpoint_of(method).build_request(*args, **kwargs)
    url = client.url_for(request.path)
    if request.query:
        url = url.extend_query(request.query)
    headers = {"User-Agent": USER_AGENT, "Authorization": REDACTED}
    for name, value in (request.headers or {}).items():
        headers[name] = REDACTED if name.lower() == "authorization" else value
    body: Any = None
    if request.json is not UNSET:
        headers["Content-Type"] = "application/json"
        body = request.json
    elif request.data is not UNSET:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = request.data
    elif request.files is not None:
        headers["Content-Type"] = "multipart/form-data"
        body = {"parts": [name for name, _ in request.files]}
    elif request.content is not None:
        body = request.content if isinstance(request.content, str) else f"<{len(request.content)} bytes>"
    return {"method": request.method, "url": str(url), "headers": headers, "body": body}
