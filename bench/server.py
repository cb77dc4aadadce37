"""The loopback server in its own process, so that the client's CPU time is the client's alone.

    python bench/server.py '{"deployments": 100000, "tiers": null}'

Prints ``PORT <n>`` once listening, then serves until its stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import sys

from aioautoml.testing import LoopbackServer


async def main() -> None:
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    if options.get("tiers") is not None:
        options["tiers"] = {tier: tuple(limit) for tier, limit in options["tiers"].items()}
    async with LoopbackServer(**options) as server:
        print(f"PORT {server.port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes it


if __name__ == "__main__":
    asyncio.run(main())
