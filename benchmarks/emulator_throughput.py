"""How many CDRs per second the emulator serves over loopback, and its memory at 1M calls.

    python benchmarks/emulator_throughput.py                    # 1,000,000 calls, concurrency 8
    python benchmarks/emulator_throughput.py --pages 2000 --concurrency 8
    python benchmarks/emulator_throughput.py --process          # server in its own process
                                                                # (+ pages per server CPU second)
    python benchmarks/emulator_throughput.py --memory           # peak RSS in a fresh process

Throughput: uvicorn in a background thread of this process (as the test
fixtures run it), raw httpx clients pulling pages of 20 at spread offsets of
a 90-day window, rate limit off. Client and server share one process and
its GIL, so the figure is a floor for a separate-process server.

Memory: a child process builds the emulator, serves pages in-process, then
runs a filtered scan (which caches matching indexes), printing peak RSS
after each step.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

import anyio
import httpx

from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread

DAY = 86400


def _fmt(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


async def _pull(
    base_url: str, emulator: Emulator, pages: int, concurrency: int
) -> dict[str, float]:
    now = time.time()
    window = {"end_time__gte": _fmt(now - 90 * DAY), "end_time__lte": _fmt(now)}
    path = f"/v1/Account/{emulator.auth_id}/Zentrunk/Call/"
    total = emulator.config.calls
    step = max(1, (total - 20) // max(pages, 1))
    offsets = iter(range(0, pages * step, step))
    latencies: list[float] = []
    records = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    auth = (emulator.auth_id, emulator.auth_token)
    async with httpx.AsyncClient(base_url=base_url, auth=auth, limits=limits) as client:

        async def worker() -> None:
            nonlocal records
            for offset in offsets:
                started = time.perf_counter()
                response = await client.get(
                    path, params={**window, "limit": 20, "offset": offset % total}
                )
                latencies.append(time.perf_counter() - started)
                records += len(response.json()["objects"])

        await client.get(path, params={"limit": 1})  # warm the connection pool and caches
        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for _ in range(concurrency):
                tg.start_soon(worker)
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "pages": len(latencies),
        "records": records,
        "seconds": round(elapsed, 3),
        "cdrs_per_second": round(records / elapsed),
        "pages_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
    }


def throughput(
    calls: int, pages: int, concurrency: int, seed: int, external: bool
) -> dict[str, Any]:
    emulator = Emulator(EmulatorConfig(calls=calls, seed=seed, rate_limit_requests=None))
    if not external:
        with serve_in_thread(emulator) as base_url:
            result = anyio.run(_pull, base_url, emulator, pages, concurrency)
        return {"server": "thread", "calls": calls, "concurrency": concurrency, **result}
    command = [
        sys.executable, "-m", "zentrunk_async.emulator", "--port", "0",
        "--calls", str(calls), "--seed", str(seed), "--rate-limit", "0",
    ]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            base_url = server.stdout.readline().rsplit(" ", 1)[1].strip()
            cpu_before = _cpu_seconds(server.pid)
            result = anyio.run(_pull, base_url, emulator, pages, concurrency)
            # Pages per second of server CPU: what one core would serve, even when the
            # client (or a busy machine) keeps the server from running flat out.
            cpu = _cpu_seconds(server.pid) - cpu_before
            result["server_cpu_seconds"] = round(cpu, 3)
            result["pages_per_server_cpu_second"] = round(result["pages"] / cpu, 1)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(10)
    return {"server": "process", "calls": calls, "concurrency": concurrency, **result}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb() -> float:
    # Linux reports kilobytes (macOS bytes; this benchmark runs on Linux CI).
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _memory_child(calls: int) -> None:
    from zentrunk_async.emulator._callquery import parse_call_query

    out = {"calls": calls, "rss_mb_after_import": _rss_mb()}
    started = time.perf_counter()
    emulator = Emulator(EmulatorConfig(calls=calls, rate_limit_requests=None))
    out["build_seconds"] = round(time.perf_counter() - started, 3)
    now = time.time()
    query = parse_call_query([("end_time__gte", _fmt(now - 90 * DAY))], now)
    for offset in range(0, calls, max(1, calls // 200)):
        emulator.calls.page(query.window, (), None, offset, 20)
    out["rss_mb_after_paging"] = _rss_mb()
    started = time.perf_counter()
    query = parse_call_query([("call_direction", "inbound")], now)
    total, _ = emulator.calls.page(query.window, query.filters, query.predicate, 0, 20)
    out["filtered_scan_seconds"] = round(time.perf_counter() - started, 2)
    out["filtered_total_30_days"] = total
    out["rss_mb_after_filtered_scan"] = _rss_mb()
    print(json.dumps(out))


def memory(calls: int) -> dict[str, float]:
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", "--calls", str(calls)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(child.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory", action="store_true", help="measure peak RSS instead")
    parser.add_argument(
        "--process", action="store_true", help="serve from `python -m zentrunk_async.emulator`"
    )
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        _memory_child(args.calls)
    elif args.memory:
        print(json.dumps(memory(args.calls), indent=2))
    else:
        print(
            json.dumps(
                throughput(args.calls, args.pages, args.concurrency, args.seed, args.process),
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
