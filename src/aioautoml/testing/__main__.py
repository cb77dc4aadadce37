"""``python -m aioautoml.testing``: the loopback server on its own, to try the library or the
``aioautoml`` command line without a tenant. It prints, as ``export`` lines for a POSIX shell, the
environment that points ``from_env()`` (and so the command line) at it, and serves until Ctrl-C
or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import signal
import sys

from ..config import _QLIK_VARIABLES
from .server import LoopbackServer
from .tiers import QLIK_TIERS


async def serve(port: int, deployments: int, rate_limits: bool) -> None:
    server = LoopbackServer(deployments=deployments, tiers=QLIK_TIERS if rate_limits else None)
    server.port = port
    async with server:
        environment = server.environment()
        # Any other Qlik setting from_env reads would contradict these (a second token, client credentials).
        print("unset " + " ".join(name for name in _QLIK_VARIABLES if name not in environment))
        for name, value in environment.items():
            print(f"export {name}={shlex.quote(value)}")
        print(f"# serving on {server.url}; Ctrl-C (or kill, for a background job) stops it", flush=True)
        stop = asyncio.Event()
        # A shell starts a background job with SIGINT ignored: `kill` (SIGTERM) stops it as cleanly.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()  # or cancelled by Ctrl-C


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aioautoml.testing",
        description="Serve the loopback stand-in for Qlik Cloud and DataRobot on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="the port (default: one the system picks)")
    parser.add_argument("--deployments", type=int, default=25, help="Qlik ML deployments served (default: 25)")
    parser.add_argument("--no-rate-limits", action="store_true", help="answer every request (no Qlik tiers, no 429s)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(serve(args.port, args.deployments, not args.no_rate_limits))
        except OSError as exc:  # the port is taken, say
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
