"""`make bench`: what the client costs next to raw aiohttp, how well it paces, what memory it holds.

Every comparison runs side by side in one run (alternating, several rounds, medians) against the
loopback server in a separate process, so the client's CPU time is the client's alone. Results go
to bench/results.json and a table on stdout. Timing here is reported, never asserted.

    python bench/run.py [--requests 20000] [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
SCRATCH = HERE / "scratch"
PYTHON = sys.executable
GIB = 1 << 30
CONCURRENCY = 64


# ---------------------------------------------------------------------------------------------
# The server process


class Server:
    def __init__(self, **options: Any) -> None:
        self.process = subprocess.Popen(
            [PYTHON, str(HERE / "server.py"), json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the loopback server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        self.token = "loopback-token"

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


# ---------------------------------------------------------------------------------------------
# 1. Per-request cost


async def drive(call: Callable[[str], Awaitable[Any]], requests: int) -> tuple[float, float]:
    """Run ``requests`` calls from CONCURRENCY workers; (wall seconds, client CPU seconds)."""
    remaining = iter(range(requests))

    async def worker() -> None:
        for n in remaining:
            await call(f"dep-{n % 3 + 1:04d}")

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - wall, time.process_time() - cpu


async def per_request(url: str, token: str, requests: int, rounds: int) -> dict[str, Any]:
    from aioautoml import QlikClient, TierLimit

    raw = aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}, connector=aiohttp.TCPConnector(limit=100))

    async def raw_get(deployment_id: str) -> Any:
        async with raw.get(f"{url}/api/v1/ml/deployments/{deployment_id}") as response:
            response.raise_for_status()
            return json.loads(await response.read())

    unpaced = QlikClient(url, token=token, pacing=False)
    never_binding = {"1": TierLimit(per_minute=10**9, max_in_flight=1000), "2": TierLimit(per_minute=10**9)}
    paced = QlikClient(url, token=token, limits=never_binding, rate_key="bench-paced")
    variants = {
        "raw aiohttp": raw_get,
        "aioautoml, limits off": unpaced.ml.get_deployment,
        "aioautoml, limits on (never binding)": paced.ml.get_deployment,
    }
    for call in variants.values():  # warm up: connections, imports, caches
        await drive(call, 500)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    names = list(variants)
    for round_number in range(rounds):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]  # rotate
        for name in order:
            samples[name].append(await drive(variants[name], requests))
    await raw.close()
    await unpaced.close()
    await paced.close()

    result: dict[str, Any] = {}
    for name, runs in samples.items():
        result[name] = {
            "requests_per_second": statistics.median(requests / wall for wall, _ in runs),
            "cpu_us_per_request": statistics.median(cpu / requests for _, cpu in runs) * 1e6,
        }
    base = result["raw aiohttp"]["cpu_us_per_request"]
    for entry in result.values():
        entry["cpu_ratio_to_raw"] = entry["cpu_us_per_request"] / base
    return result


# ---------------------------------------------------------------------------------------------
# 2. Pacing


async def pacing(requests: int, allowed: int, window: float) -> dict[str, Any]:
    from aioautoml import QlikClient, TierLimit

    with Server(tiers={"1": [allowed, window], "2": [allowed, window]}, deployments=3) as server:
        limits = {"1": TierLimit(allowed, window=window)}
        async with QlikClient(server.url, token=server.token, limits=limits) as qlik:
            start = time.perf_counter()
            outcomes = await qlik.bulk(qlik.ml.get_deployment, (f"dep-{n % 3 + 1:04d}" for n in range(requests)))
            elapsed = time.perf_counter() - start
            stats = qlik.stats["1"]
    allowed_rate = allowed / window
    return {
        "allowed": f"{allowed} per {window:g} s",
        "requests": requests,
        "windows": requests / allowed,
        "elapsed_s": elapsed,
        "share_of_allowed_rate": requests / elapsed / allowed_rate,
        "server_429s": stats.rate_limited,
        "failed": sum(1 for o in outcomes if not o.ok),
    }


# ---------------------------------------------------------------------------------------------
# 3. Memory: each case in a fresh process, peak RSS above the RSS before it started


class RssSampler:
    """The process's resident set size, sampled every 2 ms by a thread: its peak during the work."""

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self.baseline = self.now()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> float:
        return float(self._process.memory_info().rss) / (1 << 20)

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


async def child(case: str, url: str, token: str, target: str) -> dict[str, Any]:
    import warnings

    from aioautoml import QlikClient

    warnings.simplefilter("ignore", DeprecationWarning)
    async with QlikClient(url, token=token, pacing=False) as qlik:
        await qlik.ml.get_deployment("dep-0001")  # warm: session, imports, a parsed model
        await qlik.paginate(qlik.ml.get_deployments, limit=100).to_list(max_items=100)
        size = 0
        with RssSampler() as rss:
            if case == "download" and target != "discard":
                result = await qlik.download(target, qlik.automl_predictions.get_prediction_results, "bp-0001-01")
                size = result.size
            elif case == "download":
                async for chunk in qlik.stream(qlik.automl_predictions.get_prediction_results, "bp-0001-01"):
                    size += len(chunk)
            else:
                async for _ in qlik.paginate(qlik.ml.get_deployments, limit=100):
                    size += 1
    return {"peak_rss_above_baseline_mib": rss.peak - rss.baseline, "baseline_mib": rss.baseline, "size": size}


def memory() -> dict[str, Any]:
    SCRATCH.mkdir(exist_ok=True)
    free = shutil.disk_usage(SCRATCH).free
    to_disk = free > 3 * GIB
    target = str(SCRATCH / "result.csv") if to_disk else "discard"
    results: dict[str, Any] = {}
    with Server(tiers=None, result_bytes=GIB, deployments=100_000, batch_predictions=0) as server:
        for case, label in (("download", "stream a 1 GiB CSV"), ("pages", "iterate 100,000 items over pages")):
            out = subprocess.run(
                [PYTHON, __file__, "--child", case, server.url, server.token, target],
                capture_output=True,
                text=True,
                check=True,
            )
            results[label] = json.loads(out.stdout.strip().splitlines()[-1])
    results["stream a 1 GiB CSV"]["sink"] = (
        "a file on disk" if to_disk else f"discarded (only {free / GIB:.1f} GiB free for a 1 GiB file)"
    )
    Path(SCRATCH / "result.csv").unlink(missing_ok=True)
    return results


# ---------------------------------------------------------------------------------------------
# 4. Import time


def import_time(runs: int) -> dict[str, Any]:
    def once(module: str) -> float:
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", f"import {module}"], check=True)
        return time.perf_counter() - start

    samples: dict[str, list[float]] = {"aiohttp": [], "aioautoml": []}
    for _ in range(runs):  # alternate, so that machine noise hits both alike
        for module in samples:
            samples[module].append(once(module))
    medians = {module: statistics.median(values) for module, values in samples.items()}
    return {
        "aiohttp_ms": medians["aiohttp"] * 1000,
        "aioautoml_ms": medians["aioautoml"] * 1000,
        "above_aiohttp_ms": (medians["aioautoml"] - medians["aiohttp"]) * 1000,
    }


# ---------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()},"
        f" Python {platform.python_version()}, aiohttp {aiohttp.__version__}"
    )


def report(results: dict[str, Any]) -> str:
    lines = [f"machine: {results['machine']}", ""]
    lines.append(f"1. per-request cost: {results['requests']:,} small JSON GETs at concurrency {CONCURRENCY}, "
                 f"median of {results['rounds']} alternating rounds")  # fmt: skip
    lines.append(f"   {'variant':<38} {'requests/s':>10} {'CPU µs/req':>11} {'CPU vs raw':>10}")
    for name, entry in results["per_request"].items():
        lines.append(
            f"   {name:<38} {entry['requests_per_second']:>10,.0f} {entry['cpu_us_per_request']:>11.1f}"
            f" {entry['cpu_ratio_to_raw']:>9.2f}x"
        )
    p = results["pacing"]
    lines += [
        "",
        f"2. pacing: {p['requests']:,} requests ({p['windows']:.1f} windows) against a server allowing {p['allowed']}",
        f"   share of the allowed rate used: {p['share_of_allowed_rate']:.1%}; 429s from the server: {p['server_429s']};"
        f" failed: {p['failed']}; elapsed {p['elapsed_s']:.1f} s",
        "",
        "3. memory: peak RSS above the baseline before the work",
    ]
    for label, entry in results["memory"].items():
        sink = f" ({entry['sink']})" if "sink" in entry else ""
        lines.append(f"   {label:<34} {entry['peak_rss_above_baseline_mib']:>6.1f} MiB{sink}")
    i = results["import"]
    lines += [
        "",
        f"4. import: aioautoml {i['aioautoml_ms']:.0f} ms, aiohttp alone {i['aiohttp_ms']:.0f} ms:"
        f" {i['above_aiohttp_ms']:.0f} ms above aiohttp (median of {results['import_runs']})",
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "requests": args.requests, "rounds": args.rounds}
    with Server(tiers=None, deployments=3) as server:
        results["per_request"] = await per_request(server.url, server.token, args.requests, args.rounds)
    allowed, window = (600, 10.0) if not args.quick else (300, 2.0)
    results["pacing"] = await pacing(3 * allowed + 150, allowed, window)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a smaller run, to try the script")
    parser.add_argument("--child", nargs=4, metavar=("CASE", "URL", "TOKEN", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(*args.child))))
        return
    if args.quick:
        args.requests, args.rounds = 2_000, 2
    results = asyncio.run(main_async(args))
    results["memory"] = memory()
    results["import_runs"] = 9
    results["import"] = import_time(results["import_runs"])
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))


if __name__ == "__main__":
    main()
