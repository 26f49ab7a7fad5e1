"""Issue 7's bar: `calls.export` at 50 ms latency, sequential versus concurrent, in one run.

    python benchmarks/bench_export.py            # 100,000 CDRs: c = 1, 4, 16, 64
    python benchmarks/bench_export.py --quick    # 10,000 CDRs, same cells

The emulator runs in its own process (``benchmarks._server.EmulatorProcess``,
pinned to CPU 0 when ``taskset`` exists) with 50 ms of emulated latency and no
rate limit, so client and server never share a GIL; this process pins itself
to CPU 1. Each cell exports every call of the emulator (spread over its
89 days) through ``zt.calls.export(concurrency=c)`` and checks it got each
call exactly once. 50 ms stands in for a network round trip plus API time
(performance-lab.md §5): throughput then follows ``in flight ÷ latency`` until
the client's CPU saturates, which is what the ratios show.

The client is the SDK's default httpx stack with its pool widened to the
cell's concurrency (the default pool of 16 would cap c=64) and no client-side
pacing (the live API's 59 req/s pacing would cap every cell at ~1,180 CDR/s).
``--aiohttp`` puts httpx on the aiohttp transport instead
(performance-lab.md recommendation 1), when ``httpx-aiohttp`` is installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._server import AUTH_ID, AUTH_TOKEN, CLIENT_CPU, EmulatorProcess
from zentrunk_async import RetryPolicy, ZentrunkClient

#: Issue 7: "export 100,000 CDRs ... with 50 ms emulated latency".
FULL_CALLS = 100_000
QUICK_CALLS = 10_000
LATENCY_MS = 50.0
CONCURRENCIES = (1, 4, 16, 64)

#: Issue 7's "done when": concurrency 16 at least 10x sequential.
BAR = (16, 10.0)


def pin_client() -> None:
    """Keep the client on its own core, away from the server (performance-lab.md, Method)."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {int(CLIENT_CPU)})


def http_client(concurrency: int, use_aiohttp: bool) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    timeout = httpx.Timeout(60.0, connect=10.0)
    if use_aiohttp:
        from httpx_aiohttp import AiohttpTransport

        return httpx.AsyncClient(transport=AiohttpTransport(), limits=limits, timeout=timeout)
    return httpx.AsyncClient(limits=limits, timeout=timeout)


async def export_cell(
    base_url: str, calls: int, concurrency: int, use_aiohttp: bool
) -> dict[str, Any]:
    """One export of every call; returns its figures (raises if a call is lost or doubled)."""
    until = datetime.now(timezone.utc)
    since = until - timedelta(days=89, hours=23)
    async with (
        http_client(concurrency, use_aiohttp) as http,
        ZentrunkClient(
            AUTH_ID,
            AUTH_TOKEN,
            base_url=base_url,
            http_client=http,
            rate_limit=None,
            retry=RetryPolicy(max_retries=3),
        ) as zt,
    ):
        export = zt.calls.export(since, until, concurrency=concurrency)
        seen: set[str] = set()
        count = 0
        started = time.perf_counter()
        cpu_started = time.process_time()
        async for call in export:
            seen.add(call.call_uuid)
            count += 1
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    if count != calls or len(seen) != calls:
        raise SystemExit(f"c={concurrency}: got {count} records, {len(seen)} distinct, of {calls}")
    progress = export.progress
    return {
        "concurrency": concurrency,
        "records": count,
        "requests": progress.requests,
        "elapsed": elapsed,
        "cdr_per_s": count / elapsed,
        "cpu_ms_per_page": 1000 * cpu / max(progress.requests, 1),
    }


def table(rows: list[dict[str, Any]]) -> str:
    base = rows[0]["cdr_per_s"]
    lines = [
        "| concurrency | CDRs | requests | seconds | CDR/s | vs sequential | CPU ms/request |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['concurrency']} | {row['records']:,} | {row['requests']:,} "
            f"| {row['elapsed']:.1f} | {row['cdr_per_s']:,.0f} "
            f"| {row['cdr_per_s'] / base:.1f}x | {row['cpu_ms_per_page']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CALLS:,} CDRs")
    parser.add_argument("--calls", type=int, help="CDRs in the emulator (overrides --quick)")
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS)
    parser.add_argument(
        "--concurrency",
        type=lambda s: tuple(int(x) for x in s.split(",")),
        default=CONCURRENCIES,
        help="comma-separated; the first is the baseline (default 1,4,16,64)",
    )
    parser.add_argument("--aiohttp", action="store_true", help="httpx on the aiohttp transport")
    args = parser.parse_args(argv)
    calls = args.calls or (QUICK_CALLS if args.quick else FULL_CALLS)
    pin_client()
    print(
        f"export of {calls:,} CDRs, {args.latency_ms:g} ms emulated latency, no rate limit, "
        f"{'httpx-aiohttp' if args.aiohttp else 'httpx'} client",
        flush=True,
    )
    rows = []
    with EmulatorProcess(calls=calls, latency_ms=args.latency_ms) as emulator:
        for concurrency in args.concurrency:
            row = anyio.run(export_cell, emulator.base_url, calls, concurrency, args.aiohttp)
            print(
                f"  c={concurrency:<3} {row['cdr_per_s']:>9,.0f} CDR/s  ({row['elapsed']:.1f} s)",
                flush=True,
            )
            rows.append(row)
    print()
    print(table(rows))
    by_c = {row["concurrency"]: row["cdr_per_s"] for row in rows}
    target, ratio = BAR
    if rows[0]["concurrency"] == 1 and target in by_c:
        achieved = by_c[target] / by_c[1]
        verdict = "meets" if achieved >= ratio else "MISSES"
        print(f"\nc={target} is {achieved:.1f}x sequential: {verdict} issue 7's bar of {ratio:g}x")
        return 0 if achieved >= ratio else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
