"""`make bench`: what the client costs next to raw aiohttp, how well it paces, what memory it holds.

Every comparison runs side by side in one run (alternating, several rounds, medians with the
spread of the round-by-round ratio) against the loopback server in a separate process, so the
client's CPU time is the client's alone. Instructions per request are counted the same way: the
client side alone, in a child process under valgrind's cachegrind, at two lengths. Results go to
bench/results.json and a table on stdout. Timing here is reported, never asserted.

    python bench/run.py [--requests 20000] [--rounds 5] [--quick] [--skip-instructions] [--only redis]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
SCRATCH = HERE / "scratch"
PYTHON = sys.executable
GIB = 1 << 30
CONCURRENCY = 64
PAGE_SIZE = 100
PAGED_ITEMS = 100_000  # the deployments the paging server holds

# One measured unit of work: do n units (requests, inputs, items) and say how many were done.
Work = Callable[[int], Awaitable[int]]
Samples = dict[str, list[tuple[float, float]]]  # variant -> (wall s, CPU s) per round


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
# Measuring CPU time: every variant in turn, round after round


async def timed(work: Work, n: int) -> tuple[float, float]:
    """(wall seconds, client CPU seconds) of ``work(n)``; raises if fewer than n units were done."""
    wall, cpu = time.perf_counter(), time.process_time()
    done = await work(n)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if done != n:
        raise RuntimeError(f"{done} units of work done instead of {n}")
    return wall, cpu


async def alternate(variants: Mapping[str, Work], n: int, rounds: int) -> Samples:
    names = list(variants)
    samples: Samples = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)  # rotate, so that no variant always runs first
        for name in names[shift:] + names[:shift]:
            samples[name].append(await timed(variants[name], n))
    return samples


def summarise(samples: Samples, n: int, unit: str, base: str) -> dict[str, dict[str, float]]:
    """Medians per variant; its CPU ratio to the first variant, round by round (median, min, max)."""
    base_runs = next(iter(samples.values()))
    result: dict[str, dict[str, float]] = {}
    for name, runs in samples.items():
        # Ratios within a round: both sides saw the same state of the machine.
        ratios = [cpu / base_cpu for (_, cpu), (_, base_cpu) in zip(runs, base_runs, strict=True)]
        result[name] = {
            f"{unit}s_per_second": statistics.median(n / wall for wall, _ in runs),
            f"cpu_us_per_{unit}": statistics.median(cpu / n for _, cpu in runs) * 1e6,
            f"cpu_ratio_to_{base}": statistics.median(ratios),
            f"cpu_ratio_to_{base}_min": min(ratios),
            f"cpu_ratio_to_{base}_max": max(ratios),
        }
    return result


# ---------------------------------------------------------------------------------------------
# 1. Per-request cost


def deployment_ids(n: int) -> Iterator[str]:
    return (f"dep-{k % 3 + 1:04d}" for k in range(n))


async def drive(call: Callable[[str], Awaitable[Any]], requests: int) -> int:
    """Make ``requests`` calls from CONCURRENCY workers pulling from one shared iterator."""
    remaining = deployment_ids(requests)

    async def worker() -> None:
        for deployment_id in remaining:
            await call(deployment_id)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return requests  # every call returned: a failure raises


def raw_session(token: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {token}"}, connector=aiohttp.TCPConnector(limit=100)
    )


@asynccontextmanager
async def request_variants(url: str, token: str) -> AsyncIterator[dict[str, Work]]:
    """One small JSON GET three ways: raw aiohttp, aioautoml with its pacing off and on."""
    from aioautoml import QlikClient, TierLimit

    raw = raw_session(token)

    async def raw_get(deployment_id: str) -> Any:
        async with raw.get(f"{url}/api/v1/ml/deployments/{deployment_id}") as response:
            response.raise_for_status()
            return json.loads(await response.read())  # the standard json, as aioautoml's

    unpaced = QlikClient(url, token=token, pacing=False)
    never_binding = {"1": TierLimit(per_minute=10**9, max_in_flight=1000), "2": TierLimit(per_minute=10**9)}
    paced = QlikClient(url, token=token, limits=never_binding, rate_key="bench-paced")
    calls: dict[str, Callable[[str], Awaitable[Any]]] = {
        "raw aiohttp": raw_get,
        "aioautoml, limits off": unpaced.ml.get_deployment,
        "aioautoml, limits on (never binding)": paced.ml.get_deployment,
    }
    try:
        yield {name: functools.partial(drive, call) for name, call in calls.items()}
    finally:
        await raw.close()
        await unpaced.close()
        await paced.close()


# ---------------------------------------------------------------------------------------------
# 2. bulk() per input


@asynccontextmanager
async def bulk_variants(url: str, token: str) -> AsyncIterator[dict[str, Work]]:
    """The same client (pacing off) and inputs: a plain pool of workers, then bulk() with as many."""
    from aioautoml import QlikClient

    async with QlikClient(url, token=token, pacing=False) as qlik:
        get = qlik.ml.get_deployment

        async def pool(n: int) -> int:
            # What bulk() replaces: workers pulling from one iterator, keeping every result (and
            # error) in input order, as `await bulk` does; both hold n results at the end.
            results: list[Any] = [None] * n
            remaining = enumerate(deployment_ids(n))

            async def worker() -> None:
                for index, deployment_id in remaining:
                    try:
                        results[index] = await get(deployment_id)
                    except Exception as exc:
                        results[index] = exc

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            return sum(not isinstance(result, Exception) for result in results)

        async def bulk(n: int) -> int:
            outcomes = await qlik.bulk(get, deployment_ids(n), concurrency=CONCURRENCY)
            return sum(outcome.ok for outcome in outcomes)  # a failed input is no unit done

        yield {f"plain pool of {CONCURRENCY} workers": pool, "bulk()": bulk}


# ---------------------------------------------------------------------------------------------
# 3. Paging per item


def first_offset(items: int) -> int:
    """The offset of the first page of the last ``items``: the walk then ends where the list does."""
    if items % PAGE_SIZE or not 0 < items <= PAGED_ITEMS:
        raise ValueError(f"paging: {items} is not a multiple of {PAGE_SIZE} up to {PAGED_ITEMS}")
    return PAGED_ITEMS - items


@asynccontextmanager
async def paging_variants(url: str, token: str) -> AsyncIterator[dict[str, Work]]:
    """The last n of the server's deployments, PAGE_SIZE a page, one at a time (pacing off).

    Both sides request the same pages: the first at ``first_offset(n)``, then each body's
    ``links.next.href``, until a page has none."""
    from aioautoml import QlikClient

    raw = raw_session(token)
    qlik = QlikClient(url, token=token, pacing=False)

    async def raw_items(n: int) -> int:
        count = 0
        href: str | None = f"{url}/api/v1/ml/deployments?limit={PAGE_SIZE}&offset={first_offset(n)}"
        while href:
            async with raw.get(href) as response:
                response.raise_for_status()
                body = json.loads(await response.read())  # the standard json, as aioautoml's
            for _item in body["data"]:
                count += 1
            href = body["links"]["next"].get("href")
        return count

    async def client_items(n: int) -> int:
        count = 0
        async for _item in qlik.paginate(qlik.ml.get_deployments, limit=PAGE_SIZE, offset=first_offset(n)):
            count += 1
        return count

    try:
        yield {"raw aiohttp": raw_items, "aioautoml paginate()": client_items}
    finally:
        await raw.close()
        await qlik.close()


# ---------------------------------------------------------------------------------------------
# Sections 1-3: the same work timed in this process and counted in a child under valgrind


@dataclass(frozen=True)
class Section:
    variants: Callable[[str, str], AbstractAsyncContextManager[dict[str, Work]]]
    unit: str  # what n counts, in the result keys: request, input, item
    base: str  # the first variant, the one the others are compared with, in the keys: raw, pool
    warm_up: int  # units each variant runs first: connections, imports, caches
    deployments: int  # the loopback server's


SECTIONS = {
    "per_request": Section(request_variants, "request", "raw", warm_up=500, deployments=3),
    "bulk_per_input": Section(bulk_variants, "input", "pool", warm_up=500, deployments=3),
    "paging_per_item": Section(paging_variants, "item", "raw", warm_up=1_000, deployments=PAGED_ITEMS),
}


async def cpu_time(section: Section, n: int, rounds: int) -> dict[str, dict[str, float]]:
    with Server(tiers=None, deployments=section.deployments) as server:
        async with section.variants(server.url, server.token) as variants:
            for work in variants.values():
                await work(section.warm_up)
            samples = await alternate(variants, n, rounds)
    return summarise(samples, n, section.unit, section.base)


# ---------------------------------------------------------------------------------------------
# Instructions: the client process alone under cachegrind, I(long) - I(short) per unit, so that
# start-up, imports and warm-up cancel


VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")
I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def valgrind_missing() -> str | None:
    if shutil.which("valgrind"):
        return None
    return (
        "valgrind is not installed: the instruction counts need it (Debian/Ubuntu: apt-get install valgrind)."
        " Run with --skip-instructions to leave those rows out."
    )


def valgrind_version() -> str:
    return subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=True).stdout.strip()


def child_command(key: str, variant: str, url: str, token: str, n: int) -> list[str]:
    return [PYTHON, __file__, "--instructions-child", key, variant, url, token, str(n)]


def count_instructions(key: str, variant: str, url: str, token: str, n: int) -> int:
    """Instructions the child process runs: start-up, warm-up and ``n`` units of the work."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict and set orders every run
    out = subprocess.run(
        [*VALGRIND, *child_command(key, variant, url, token, n)], capture_output=True, text=True, env=env
    )
    found = I_REFS.findall(out.stderr)
    if out.returncode != 0 or not found:
        raise RuntimeError(f"{key} / {variant} under valgrind: exit {out.returncode}\n{out.stderr[-3000:]}")
    return int(found[-1].replace(",", ""))


def instructions_per_unit(key: str, variant: str, server: Server, lengths: tuple[int, int]) -> float:
    short, long = lengths
    counts = {n: count_instructions(key, variant, server.url, server.token, n) for n in lengths}
    return (counts[long] - counts[short]) / (long - short)


def instructions(key: str, names: list[str], lengths: tuple[int, int], repeats: int) -> dict[str, list[float]]:
    """Per variant, instructions per unit of the work: one figure per repeat."""
    with Server(tiers=None, deployments=SECTIONS[key].deployments) as server:
        per_unit: dict[str, list[float]] = {}
        for variant in names:
            # Once without valgrind: a failure shows in seconds, and every module is compiled
            # (.pyc) before the counted runs, so that none of them pays for compiling it.
            subprocess.run(child_command(key, variant, server.url, server.token, lengths[0]), check=True)
            per_unit[variant] = [instructions_per_unit(key, variant, server, lengths) for _ in range(repeats)]
    return per_unit


def add_instructions(
    entries: dict[str, dict[str, Any]], counts: dict[str, list[float]] | None, section: Section
) -> None:
    """Add the instruction keys to a section's entries: numbers if counted, None if skipped."""
    unit, base = section.unit, section.base
    base_count = statistics.median(next(iter(counts.values()))) if counts else None
    for name, entry in entries.items():
        count = statistics.median(counts[name]) if counts else None
        entry[f"instructions_per_{unit}"] = count
        entry[f"instructions_per_{unit}_repeats"] = counts[name] if counts else None
        entry[f"instructions_ratio_to_{base}"] = count / base_count if count and base_count else None


async def instructions_child(key: str, variant: str, url: str, token: str, n: int) -> None:
    section = SECTIONS[key]
    async with section.variants(url, token) as variants:
        await variants[variant](section.warm_up)
        done = await variants[variant](n)
    if done != n:
        raise RuntimeError(f"{done} units of work done instead of {n}")


# ---------------------------------------------------------------------------------------------
# 4. Pacing


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
# 5. Memory: each case in a fresh process, peak RSS above the RSS before it started


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
# 7. One budget across processes through Redis: utilisation and 429s, and the store's CPU cost

REDIS_TIER = (300, 5.0)  # 300 per 5 s (60/s, Tier 1 scaled): far below what 2 cores drive, 1.8 windows a run
REDIS_REQUESTS = 540


class RedisServer:
    """A redis-server of the bench's own on a free loopback port, without persistence."""

    def __init__(self) -> None:
        import socket

        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{port}/0"
        args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._answers(port):  # until it answers PING
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.01)

    @staticmethod
    def _answers(port: int) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


class LimitsPollStore:
    """The alternative the store was chosen against: the ``limits`` library's moving window in
    Redis, which answers only "allowed now?". A refused request sleeps until the window's reset
    time (the host's clock) and asks again, as a caller of ``hit`` must."""

    def __init__(self, redis_url: str) -> None:
        from limits import RateLimitItemPerSecond
        from limits.aio.storage import RedisStorage
        from limits.aio.strategies import MovingWindowRateLimiter

        allowed, window = REDIS_TIER
        self.storage = RedisStorage(redis_url.replace("redis://", "async+redis://"), implementation="redispy")
        self.limiter = MovingWindowRateLimiter(self.storage)
        # The same 1% headroom the in-process bucket and the GCRA store leave.
        self.item = RateLimitItemPerSecond(int(allowed * 0.99), int(window))
        self.polls = 0

    def pacer(self, key: Any, limit: Any) -> LimitsPollStore:
        self.key, self.limit = "-".join(key), limit
        return self

    def admit_now(self) -> bool:
        return False

    async def enter(self) -> tuple[float, bool]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while not await self.limiter.hit(self.item, self.key):
            self.polls += 1
            stats = await self.limiter.get_window_stats(self.item, self.key)
            await asyncio.sleep(max(stats.reset_time - time.time(), 0.001))
        return loop.time() - start, False

    async def leave(self, *, probe: bool, pause: float | None, answered: bool) -> None:
        pass  # a 429's pause is not shared: limits has no notion of one

    def paused_for(self) -> float:
        return 0.0

    async def aclose(self) -> None:
        pass


async def redis_child(
    url: str, token: str, redis_url: str, requests: int, start_at: float, strategy: str = "gcra"
) -> dict[str, Any]:
    """One of the processes sharing the budget: its requests, 429s and wall-clock span."""
    from aioautoml import QlikClient, TierLimit

    allowed, window = REDIS_TIER
    limits = {"1": TierLimit(allowed, window=window)}
    store: Any = redis_url if strategy == "gcra" else LimitsPollStore(redis_url)
    async with QlikClient(url, token=token, limits=limits, rate_store=store) as qlik:
        # What a first request imports (the API's modules, msgspec) is not part of the timing.
        qlik.ml.get_deployment  # noqa: B018
        import msgspec.json  # noqa: F401

        await asyncio.sleep(max(0.0, start_at - time.time()))  # every process starts together
        done: list[float] = []

        async def read(deployment_id: str) -> None:
            await qlik.ml.get_deployment(deployment_id)
            done.append(time.time())

        start = time.time()
        outcomes = await qlik.bulk(read, deployment_ids(requests))
        stats = qlik.stats["1"]
    failed = sum(1 for o in outcomes if not o.ok)
    return {
        "start": start,
        "first": min(done),
        "end": max(done),
        "requests": stats.requests,
        "rate_limited": stats.rate_limited,
        "failed": failed,
    }


def redis_commands(redis_url: str) -> tuple[int, int]:
    """Scripts run (EVALSHA/EVAL: a round trip each, for both strategies) and all commands Redis
    executed, those inside the scripts included."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        stats = client.info("commandstats")
        scripts = sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("evalsha", "eval"))
        return scripts, sum(entry["calls"] for entry in stats.values())
    finally:
        client.close()


def shared_pacing(processes: int, redis_url: str, strategy: str = "gcra") -> dict[str, Any]:
    allowed, window = REDIS_TIER
    per_process = REDIS_REQUESTS // processes
    commands_before = redis_commands(redis_url)
    with Server(tiers={"1": [allowed, window]}, deployments=3) as server:
        start_at = time.time() + 3.0  # after every child has imported and connected
        children = [
            subprocess.Popen(
                [
                    PYTHON,
                    __file__,
                    "--redis-child",
                    server.url,
                    server.token,
                    redis_url,
                    str(per_process),
                    str(start_at),
                    strategy,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        reports = [json.loads(child.communicate(timeout=120)[0].strip().splitlines()[-1]) for child in children]
    span = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    steady = max(r["end"] for r in reports) - min(r["first"] for r in reports)
    done = per_process * processes
    scripts_after, commands_after = redis_commands(redis_url)
    return {
        "processes": processes,
        "strategy": strategy,
        "redis_scripts_per_request": (scripts_after - commands_before[0]) / done,
        "redis_commands_per_request": (commands_after - commands_before[1] - 1) / done,  # less the INFO
        "allowed": f"{allowed} per {window:g} s",
        "requests": done,
        "elapsed_s": span,
        # From the first request's answer to the last one's: the budget's use once running.
        "share_of_allowed_rate": (done - 1) / steady / (allowed / window),
        # From the start, with every process's cold start (connections, first sends) in it.
        "share_of_allowed_rate_from_start": done / span / (allowed / window),
        "first_answer_s": min(r["first"] for r in reports) - min(r["start"] for r in reports),
        "server_429s": sum(r["rate_limited"] for r in reports),  # every 429 the server sent, as received
        "failed": sum(r["failed"] for r in reports),
    }


async def store_cpu(redis_url: str, n: int, rounds: int) -> dict[str, dict[str, float]]:
    """CPU per request, in-process pacing next to the Redis store, limits never binding."""
    from aioautoml import QlikClient, RedisStore, TierLimit

    never_binding = {"1": TierLimit(per_minute=10**9, max_in_flight=1000)}
    store = RedisStore(redis_url)
    with Server(tiers=None, deployments=3) as server:
        local = QlikClient(server.url, token=server.token, limits=never_binding, rate_key="bench-local")
        shared = QlikClient(
            server.url, token=server.token, limits=never_binding, rate_key="bench-redis", rate_store=store
        )
        variants: dict[str, Work] = {
            "in-process pacing": functools.partial(drive, local.ml.get_deployment),
            "Redis store": functools.partial(drive, shared.ml.get_deployment),
        }
        try:
            for work in variants.values():
                await work(500)
            samples = await alternate(variants, n, rounds)
        finally:
            await local.close()
            await shared.close()
            await store.aclose()
    return summarise(samples, n, "request", "local")


def redis_section(rounds: int, requests: int) -> dict[str, Any]:
    with RedisServer() as redis:
        shared = {str(n): shared_pacing(n, redis.url) for n in (1, 4, 8)}
        polling = {str(n): shared_pacing(n, redis.url, "limits-poll") for n in (4, 8)}
        cpu = asyncio.run(store_cpu(redis.url, requests, rounds))
    return {"shared_budget": shared, "limits_poll": polling, "store_cpu": cpu}


def redis_report(r: dict[str, Any]) -> list[str]:
    first = next(iter(r["shared_budget"].values()))
    lines = [
        "",
        f"7. one budget across processes through Redis: {first['requests']} Tier-1 GETs against a server allowing"
        f" {first['allowed']} (targets ≥ 95%, 0 429s)",
    ]
    for entry in [*r["shared_budget"].values(), *r.get("limits_poll", {}).values()]:
        lines.append(
            f"   {entry['strategy']}, {entry['processes']} process(es): {entry['share_of_allowed_rate']:.1%} of the"
            f" allowed rate ({entry['share_of_allowed_rate_from_start']:.1%} from the start, first answer after"
            f" {entry['first_answer_s']:.2f} s), {entry['server_429s']} 429s, {entry['failed']} failed,"
            f" {entry['redis_scripts_per_request']:.2f} Redis scripts ({entry['redis_commands_per_request']:.1f}"
            f" commands) per request, {entry['elapsed_s']:.1f} s"
        )
    local, shared = r["store_cpu"]["in-process pacing"], r["store_cpu"]["Redis store"]
    lines.append(
        f"   CPU per request (limits never binding): in-process {local['cpu_us_per_request']:.1f} µs, Redis store"
        f" {shared['cpu_us_per_request']:.1f} µs: {shared['cpu_ratio_to_local']:.2f}x"
        f" ({shared['cpu_ratio_to_local_min']:.2f}-{shared['cpu_ratio_to_local_max']:.2f})"
    )
    return lines


# ---------------------------------------------------------------------------------------------
# 6. Import time


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


UNIT_SHORT = {"request": "req", "input": "input", "item": "item"}


def section_table(entries: Mapping[str, Mapping[str, Any]], section: Section) -> list[str]:
    unit, base, short = section.unit, section.base, UNIT_SHORT[section.unit]
    lines = [
        f"   {'variant':<38} {unit + 's/s':>10} {'CPU µs/' + short:>11} {'CPU vs ' + base + ' (min-max)':>24}"
        f" {'instr/' + short:>12} {'instr vs ' + base:>12} {'spread':>8}"
    ]
    for name, entry in entries.items():
        ratio = entry[f"cpu_ratio_to_{base}"]
        low, high = entry[f"cpu_ratio_to_{base}_min"], entry[f"cpu_ratio_to_{base}_max"]
        cpu = f"{ratio:.2f}x ({low:.2f}-{high:.2f})"
        count, repeats = entry[f"instructions_per_{unit}"], entry[f"instructions_per_{unit}_repeats"]
        if count is None:
            counted = f"{'skipped':>12}"
        else:
            spread = f"{(max(repeats) - min(repeats)) / count:.2%}" if len(repeats) > 1 else "-"
            counted = f"{count:>12,.0f} {entry[f'instructions_ratio_to_{base}']:>11.3f}x {spread:>8}"
        lines.append(
            f"   {name:<38} {entry[f'{unit}s_per_second']:>10,.0f} {entry[f'cpu_us_per_{unit}']:>11.1f} {cpu:>24}"
            f" {counted}"
        )
    return lines


def instructions_note(results: dict[str, Any], key: str) -> str:
    counted = results["instructions"]
    if "skipped" in counted:
        return f"   instructions: skipped ({counted['skipped']})"
    short, long = counted["lengths"][key]
    unit = SECTIONS[key].unit
    return (
        f"   instructions per {unit}: (I({long:,}) - I({short:,})) / {long - short:,} of the client process under"
        f" cachegrind; median of {counted['repeats']} such counts, spread: how far apart they came out"
    )


def titles(results: dict[str, Any]) -> dict[str, str]:
    return {
        "per_request": f"1. per-request cost: {results['requests']:,} small JSON GETs at concurrency {CONCURRENCY}"
        " (target ≤ 1.15x)",
        "bulk_per_input": f"2. bulk() per input: {results['bulk_inputs']:,} inputs at concurrency {CONCURRENCY}, next to"
        " a plain pool of as many workers on the same client, pacing off (target ≤ 1.05x)",
        "paging_per_item": f"3. paging per item: {results['paged_items']:,} items in pages of {PAGE_SIZE}, one page at"
        " a time, following links.next.href, pacing off (target ≤ 1.5x)",
    }


def report(results: dict[str, Any]) -> str:
    lines = [
        f"machine: {results['machine']}",
        f"CPU: medians of {results['rounds']} alternating rounds; 'CPU vs': the ratio taken round by round,"
        " median (min-max)",
    ]
    for key, title in titles(results).items():
        lines += ["", title, *section_table(results[key], SECTIONS[key]), instructions_note(results, key)]
    p = results["pacing"]
    lines += [
        "",
        f"4. pacing: {p['requests']:,} requests ({p['windows']:.1f} windows) against a server allowing {p['allowed']}",
        f"   share of the allowed rate used: {p['share_of_allowed_rate']:.1%}; 429s from the server: {p['server_429s']};"
        f" failed: {p['failed']}; elapsed {p['elapsed_s']:.1f} s",
        "",
        "5. memory: peak RSS above the baseline before the work",
    ]
    for label, entry in results["memory"].items():
        sink = f" ({entry['sink']})" if "sink" in entry else ""
        lines.append(f"   {label:<34} {entry['peak_rss_above_baseline_mib']:>6.1f} MiB{sink}")
    i = results["import"]
    lines += [
        "",
        f"6. import: aioautoml {i['aioautoml_ms']:.0f} ms, aiohttp alone {i['aiohttp_ms']:.0f} ms:"
        f" {i['above_aiohttp_ms']:.0f} ms above aiohttp (median of {results['import_runs']})",
    ]
    if "redis" in results:
        lines += redis_report(results["redis"])
    lines += ["", f"bench took {results['elapsed_s'] / 60:.1f} min"]
    return "\n".join(lines)


@dataclass(frozen=True)
class Plan:
    """How much of each measure to run: the full bench, or --quick to try the script."""

    units: dict[str, int]  # per section: the units of work of one timed round
    rounds: int
    lengths: dict[str, tuple[int, int]]  # per section: the two lengths whose instructions are counted
    repeats: int  # instruction counts per variant, each from its own pair of runs
    pacing: tuple[int, float]  # the server allows this many requests per this many seconds


def make_plan(args: argparse.Namespace) -> Plan:
    if args.quick:
        return Plan(
            units={"per_request": 2_000, "bulk_per_input": 2_000, "paging_per_item": 10_000},
            rounds=2,
            lengths={"per_request": (200, 600), "bulk_per_input": (200, 600), "paging_per_item": (1_000, 3_000)},
            repeats=1,
            pacing=(300, 2.0),
        )
    return Plan(
        units={"per_request": args.requests, "bulk_per_input": 20_000, "paging_per_item": PAGED_ITEMS},
        rounds=args.rounds,
        lengths={"per_request": (1_000, 3_000), "bulk_per_input": (1_000, 3_000), "paging_per_item": (20_000, 60_000)},
        repeats=args.instruction_repeats,
        pacing=(600, 10.0),
    )


async def timings(plan: Plan) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for key, section in SECTIONS.items():
        results[key] = await cpu_time(section, plan.units[key], plan.rounds)
    allowed, window = plan.pacing
    results["pacing"] = await pacing(3 * allowed + 150, allowed, window)
    return results


def count_all(results: dict[str, Any], plan: Plan, skip: bool) -> dict[str, Any]:
    """Add the instruction counts to sections 1-3 (None when skipped); say how they were counted."""
    for key, section in SECTIONS.items():
        counts = None if skip else instructions(key, list(results[key]), plan.lengths[key], plan.repeats)
        add_instructions(results[key], counts, section)
    if skip:
        return {"skipped": "--skip-instructions"}
    return {
        "tool": f"{valgrind_version()} {' '.join(VALGRIND[1:])}, client process only, PYTHONHASHSEED=0",
        "lengths": plan.lengths,
        "repeats": plan.repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000, help="per round, in the per-request cost")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instruction-repeats", type=int, default=2, help="instruction counts per variant")
    parser.add_argument(
        "--skip-instructions", action="store_true", help="no valgrind: leave the instruction counts out"
    )
    parser.add_argument("--quick", action="store_true", help="a smaller run of every section, to try the script")
    parser.add_argument("--only", choices=["redis"], help="run one section and merge it into bench/results.json")
    parser.add_argument("--child", nargs=4, metavar=("CASE", "URL", "TOKEN", "TARGET"), help=argparse.SUPPRESS)
    child_args = ("SECTION", "VARIANT", "URL", "TOKEN", "N")
    parser.add_argument("--instructions-child", nargs=5, metavar=child_args, help=argparse.SUPPRESS)
    parser.add_argument("--redis-child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.redis_child:
        url, token, redis_url, n, start_at, strategy = args.redis_child
        print(json.dumps(asyncio.run(redis_child(url, token, redis_url, int(n), float(start_at), strategy))))
        return
    if args.only == "redis":  # the other sections' rows are kept as they are
        path = HERE / "results.json"
        results = json.loads(path.read_text()) if path.exists() else {}
        results["redis"] = redis_section(args.rounds, 5_000 if args.quick else args.requests // 4)
        path.write_text(json.dumps(results, indent=2) + "\n")
        print("\n".join(redis_report(results["redis"])))
        return
    if args.child:
        print(json.dumps(asyncio.run(child(*args.child))))
        return
    if args.instructions_child:
        key, variant, url, token, n = args.instructions_child
        asyncio.run(instructions_child(key, variant, url, token, int(n)))
        return
    missing = None if args.skip_instructions else valgrind_missing()
    if missing:
        parser.exit(2, f"{missing}\n")  # before any work, rather than after ten minutes of it
    if args.skip_instructions:
        print("instruction counts skipped (--skip-instructions): those columns will say so", flush=True)
    plan = make_plan(args)
    start = time.perf_counter()
    results: dict[str, Any] = {
        "machine": machine(),
        "requests": plan.units["per_request"],
        "rounds": plan.rounds,
        "bulk_inputs": plan.units["bulk_per_input"],
        "paged_items": plan.units["paging_per_item"],
    }
    results.update(asyncio.run(timings(plan)))
    results["instructions"] = count_all(results, plan, args.skip_instructions)
    results["memory"] = memory()
    results["import_runs"] = 9
    results["import"] = import_time(results["import_runs"])
    if shutil.which("redis-server"):
        results["redis"] = redis_section(plan.rounds, plan.units["per_request"] // 4)
    else:
        print("section 7 skipped: redis-server is not installed (apt-get install redis-server)", flush=True)
    results["elapsed_s"] = time.perf_counter() - start
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))


if __name__ == "__main__":
    main()
