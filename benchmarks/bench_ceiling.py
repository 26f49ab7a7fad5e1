"""Issue 15's bar: a default-settings export holds the 60 requests/s ceiling at any latency.

    python benchmarks/bench_ceiling.py                  # 100,000 calls (5,000+ pages) per cell
    python benchmarks/bench_ceiling.py --quick          # 20,000 calls, 80 and 300 ms only
    python benchmarks/bench_ceiling.py --out results/ceiling.json

The emulator runs in its own process (``benchmarks._server.EmulatorProcess``,
pinned to CPU 0 when ``taskset`` exists) with Plivo's documented limit on
(300 requests per rolling 5 s, answered 429 beyond). Each cell exports every
call of the emulator through ``zt.calls.export(since, until)`` on a client
with default settings (``RateLimit()``: 295 per 5 s, the default pool) and
checks that it got each call exactly once. Cells, in one run:

* ``adaptive``: the default export (its in-flight window follows the round trip),
  at 20, 80, 150, 300 and 500 ms of emulated latency;
* ``fixed 8``: the same with ``concurrency=8``, the old default, as the baseline;
* ``jitter``: the default at 150 ms ± 50 % (75-225 ms) with 2 % of requests
  answered 503 (retried by the client).

Per cell: HTTP requests/s (as the emulator counted them, retries included)
over the export's wall time as a share of the 60/s ceiling, the 429s the
emulator answered, CDR/s, and what the export's window did (its final size,
the most it held, the round trip it measured, paced time left unused, time a
free place waited for work). Rate-limited
cells measure pacing, not CPU: client and server each use a small fraction of
a core at 60 requests/s, so the figures hold on a shared, noisy machine as
long as the event loop is not starved for tens of milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._server import AUTH_ID, AUTH_TOKEN, CLIENT_CPU, EmulatorProcess
from zentrunk_async import ZentrunkClient

FULL_CALLS = 100_000
QUICK_CALLS = 20_000
LATENCIES = (20.0, 80.0, 150.0, 300.0, 500.0)
QUICK_LATENCIES = (80.0, 300.0)
#: Plivo's documented limit (zentrunk-api.md §11.1): the ceiling every cell is measured against.
LIMIT_REQUESTS, LIMIT_PERIOD = 300, 5.0
CEILING = LIMIT_REQUESTS / LIMIT_PERIOD
#: Issue 15's "done when": at least this share of the ceiling, and no 429.
TARGET = 0.97
BASELINE_CONCURRENCY = 8
JITTER_LATENCY_MS = 150.0
JITTER_ERROR_RATE = 0.02


def pin_client() -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {int(CLIENT_CPU)})


async def export_cell(base_url: str, calls: int, concurrency: int | None) -> dict[str, Any]:
    """One default-settings export of every call; raises if a call is lost or doubled."""
    until = datetime.now(timezone.utc).replace(microsecond=0)
    since = until - timedelta(days=89, hours=23)
    async with ZentrunkClient(AUTH_ID, AUTH_TOKEN, base_url=base_url) as zt:
        export = zt.calls.export(since, until, concurrency=concurrency)
        seen: set[str] = set()
        count = 0
        started = time.perf_counter()
        async for call in export:
            seen.add(call.call_uuid)
            count += 1
        elapsed = time.perf_counter() - started
        throttled = zt.limiter_snapshot().throttled_count
    if count != calls or len(seen) != calls:
        raise SystemExit(f"export got {count} records, {len(seen)} distinct, of {calls}")
    progress, window = export.progress, export.pacing
    return {
        "records": count,
        "requests": progress.requests,
        "pages": progress.pages,
        "elapsed": elapsed,
        "pages_per_s": progress.pages / elapsed,
        "cdr_per_s": count / elapsed,
        "client_429": throttled,
        "window_limit": window.limit,
        "window_peak": window.peak_in_flight,
        "rtt_ms": None if window.rtt is None else 1000 * window.rtt,
        "unused_slot_s": window.unused_slot_seconds,
        "starved_s": export.starved_seconds,
    }


def run_cell(
    emulator: EmulatorProcess,
    name: str,
    latency_ms: float,
    concurrency: int | None,
    *,
    jitter_ms: float = 0.0,
    error_rate: float = 0.0,
) -> dict[str, Any]:
    emulator.set_faults(
        latency_ms=latency_ms, latency_jitter_ms=jitter_ms, error_rate=error_rate, seed=7
    )
    emulator.set_rate_limit(LIMIT_REQUESTS, LIMIT_PERIOD)  # also clears the window's log
    time.sleep(LIMIT_PERIOD)  # nothing of the previous cell left in the server's window
    emulator.reset_stats()
    row = anyio.run(export_cell, emulator.base_url, emulator.calls, concurrency)
    stats = emulator.stats()
    # What the server saw (retried 5xx included): the requests the ceiling is about.
    http_requests = sum(stats["statuses"].values())
    row.update(
        http_requests=http_requests,
        requests_per_s=http_requests / row["elapsed"],
        share=http_requests / row["elapsed"] / CEILING,
        cell=name,
        latency_ms=latency_ms,
        jitter_ms=jitter_ms,
        error_rate=error_rate,
        concurrency="default" if concurrency is None else concurrency,
        server_429=stats["responses_429"],
        server_5xx=sum(n for code, n in stats["statuses"].items() if code.startswith("5")),
    )
    return row


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| cell | latency | concurrency | pages | HTTP requests | s | req/s | share of 60/s "
        "| 429s | CDR/s | window (peak) | measured RTT | unused paced s | starved s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        latency = f"{r['latency_ms']:g} ms"
        if r["jitter_ms"]:
            mean = r["latency_ms"] + r["jitter_ms"] / 2
            latency = f"{mean:g} ms ± 50 %, {r['error_rate']:.0%} 5xx"
        rtt = "-" if r["rtt_ms"] is None else f"{r['rtt_ms']:.0f} ms"
        lines.append(
            f"| {r['cell']} | {latency} | {r['concurrency']} | {r['pages']:,} "
            f"| {r['http_requests']:,} | {r['elapsed']:.1f} | {r['requests_per_s']:.1f} "
            f"| {r['share']:.1%} | {r['server_429']} | {r['cdr_per_s']:,.0f} "
            f"| {r['window_limit']} ({r['window_peak']}) | {rtt} | {r['unused_slot_s']:.2f} "
            f"| {r['starved_s']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CALLS:,} calls, 2 latencies")
    parser.add_argument("--calls", type=int, help="calls in the emulator (overrides --quick)")
    parser.add_argument(
        "--latencies",
        type=lambda s: tuple(float(x) for x in s.split(",")),
        help="comma-separated milliseconds (default 20,80,150,300,500)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the fixed-8 cells")
    parser.add_argument("--no-jitter", action="store_true", help="skip the jitter + 5xx cell")
    parser.add_argument("--out", type=Path, help="write every cell's figures here (JSON)")
    args = parser.parse_args(argv)
    calls = args.calls or (QUICK_CALLS if args.quick else FULL_CALLS)
    latencies = args.latencies or (QUICK_LATENCIES if args.quick else LATENCIES)
    pin_client()
    print(
        f"default-settings export of {calls:,} calls against the emulator in its own process, "
        f"Plivo's limit ({LIMIT_REQUESTS} / {LIMIT_PERIOD:g} s)",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    with EmulatorProcess(calls=calls, rate_limit=LIMIT_REQUESTS) as emulator:
        cells: list[tuple[str, float, int | None, dict[str, float]]] = []
        for latency in latencies:
            cells.append(("adaptive", latency, None, {}))
            if not args.no_baseline:
                cells.append((f"fixed {BASELINE_CONCURRENCY}", latency, BASELINE_CONCURRENCY, {}))
        if not args.no_jitter:
            extra = {"jitter_ms": JITTER_LATENCY_MS, "error_rate": JITTER_ERROR_RATE}
            cells.append(("jitter", JITTER_LATENCY_MS / 2, None, extra))
        for name, latency, concurrency, extra in cells:
            row = run_cell(emulator, name, latency, concurrency, **extra)
            print(
                f"  {name:<8} {latency:>5g} ms  {row['requests_per_s']:5.1f} req/s "
                f"= {row['share']:6.1%} of 60/s, {row['server_429']} x 429, "
                f"{row['elapsed']:.1f} s",
                flush=True,
            )
            rows.append(row)
    print()
    print(table(rows))
    defaults = [r for r in rows if r["cell"] == "adaptive"]
    misses = [r for r in defaults if r["share"] < TARGET or r["server_429"]]
    verdict = "MISSES" if misses else "meets"
    print(
        f"\nDefault export at every latency: {verdict} issue 15's bar "
        f"(>= {TARGET:.0%} of the ceiling, zero 429s)"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "command": " ".join(["python", "benchmarks/bench_ceiling.py", *sys.argv[1:]]),
                    "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "python": platform.python_version(),
                    "httpx": httpx.__version__,
                    "cpus": os.cpu_count(),
                    "calls": calls,
                    "wall_seconds": time.monotonic() - started,
                    "target": TARGET,
                    "cells": rows,
                },
                indent=2,
            )
        )
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
