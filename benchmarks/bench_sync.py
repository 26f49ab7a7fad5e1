"""Issue 16's benchmark: sync CDRs from the emulator into SQLite and PostgreSQL, beside the export.

    python benchmarks/bench_sync.py               # 1,000,000 CDRs
    python benchmarks/bench_sync.py --calls 200000
    python benchmarks/bench_sync.py --pg-url postgresql://user@host/db   # an existing server

The emulator runs in its own process (no latency, no rate limit), so what is
measured is the client: the drift-safe export plus the store's writes. Each
cell runs in a fresh child process, so its peak RSS (``ru_maxrss``) is its
own; "flat in N" is shown by the same sync over a tenth of the span. Cells:

- **export → JSONL**: ``export_to_file`` alone, the baseline;
- **sync → SQLite**, **sync → PostgreSQL**: ``sync_once`` into a fresh store
  (PostgreSQL: a throw-away server started here from Debian's binaries,
  unless ``--pg-url`` names one);
- **incremental**: 10,000 new calls, then ``sync_once`` again on each store:
  requests made and seconds.

Every cell checks it got each call exactly once. The store's cost per
record is the sync's time per record minus the export's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_CALLS = 1_000_000
NEW_CALLS = 10_000
CONCURRENCY = 8


def _client(base_url: str) -> Any:
    import httpx

    from benchmarks._server import AUTH_ID, AUTH_TOKEN
    from zentrunk_async import RetryPolicy, ZentrunkClient

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0, connect=10.0))
    return ZentrunkClient(
        AUTH_ID,
        AUTH_TOKEN,
        base_url=base_url,
        http_client=http,
        rate_limit=None,
        retry=RetryPolicy(max_retries=3),
    )


async def _cell(kind: str, base_url: str, target: str, days: float) -> dict[str, Any]:
    from zentrunk_async.export import export_to_file
    from zentrunk_async.sync import open_store, sync_once

    since = datetime.now(timezone.utc) - timedelta(days=days)
    started = time.perf_counter()
    cpu = time.process_time()
    async with _client(base_url) as zt:
        if kind == "export":
            summary = await export_to_file(
                zt, target, since=since, concurrency=CONCURRENCY, settle=timedelta(0)
            )
            records, requests = summary.records, summary.requests
            stored = records
        else:
            async with open_store(target) as store:
                result = await sync_once(
                    zt, store, since=since, settle=timedelta(0), concurrency=CONCURRENCY
                )
                records, requests = result.written, result.requests
                rows = await store.fetch(
                    "SELECT count(*) AS n, count(DISTINCT call_uuid) AS d FROM calls"
                )
                stored = int(rows[0]["n"])
                if stored != int(rows[0]["d"]):
                    raise SystemExit(f"{kind}: doubled rows")
    return {
        "kind": kind,
        "records": records,
        "stored": stored,
        "requests": requests,
        "elapsed": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_cell(kind: str, base_url: str, target: str, days: float) -> dict[str, Any]:
    """One cell in a fresh interpreter (its own peak RSS); the child prints one JSON line."""
    command = [sys.executable, __file__, "--cell", kind, "--base-url", base_url,
               "--target", target, "--days", str(days)]  # fmt: skip
    from benchmarks._server import CLIENT_CPU, pinned

    out = subprocess.run(
        pinned(command, CLIENT_CPU), capture_output=True, text=True, check=False, timeout=3600
    )
    if out.returncode != 0:
        raise SystemExit(f"cell {kind} failed: {out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def line(row: dict[str, Any]) -> str:
    return (
        f"| {row['label']} | {row['records']:,} | {row['requests']:,} | {row['elapsed']:.1f} "
        f"| {row['records'] / row['elapsed']:,.0f} | {1e6 * row['cpu'] / row['records']:.0f} "
        f"| {row['rss_mb']:.0f} | {row.get('extra', '')} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=FULL_CALLS)
    parser.add_argument("--pg-url", help="an existing PostgreSQL database (else a temp server)")
    parser.add_argument("--cell", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--days", type=float, default=89.9, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cell:
        import anyio

        print(json.dumps(anyio.run(_cell, args.cell, args.base_url, args.target, args.days)))
        return 0

    from benchmarks._server import EmulatorProcess

    work = Path(tempfile.mkdtemp(prefix="zentrunk-bench-sync-"))
    rows: list[dict[str, Any]] = []
    with EmulatorProcess(calls=args.calls) as emulator, _postgres(args.pg_url) as pg:
        base = emulator.base_url
        sqlite_url = f"sqlite:///{work / 'cdrs.db'}"
        print(f"sync of {args.calls:,} CDRs, emulator without latency or limit", flush=True)

        def cell(label: str, kind: str, target: str, days: float = 89.9) -> dict[str, Any]:
            before = emulator.stats()["requests"]
            row = run_cell(kind, base, target, days)
            row["label"] = label
            row["server_requests"] = emulator.stats()["requests"] - before
            print(f"  {label}: {row['records']:,} in {row['elapsed']:.1f} s", flush=True)
            rows.append(row)
            return row

        export = cell("export → JSONL", "export", str(work / "calls.jsonl"))
        small_url = f"sqlite:///{work / 'small.db'}"
        small = cell("sync → SQLite, 1/10 of the span", "sqlite", small_url, 9.0)
        lite = cell("sync → SQLite", "sqlite", sqlite_url)
        pg_url = pg.new_database() if pg else args.pg_url
        post = cell("sync → PostgreSQL", "postgres", pg_url)
        for row in (export, lite, post):
            if row["records"] != args.calls:
                raise SystemExit(f"{row['label']}: {row['records']} of {args.calls}")
        emulator._admin_call("POST", "calls", {"count": NEW_CALLS})
        time.sleep(1.1)  # the new calls end "now": let the next whole second pass
        inc_lite = cell(f"incremental, +{NEW_CALLS:,} → SQLite", "sqlite", sqlite_url)
        inc_post = cell(f"incremental, +{NEW_CALLS:,} → PostgreSQL", "postgres", pg_url)
        for row in (inc_lite, inc_post):
            if row["stored"] != args.calls + NEW_CALLS:
                raise SystemExit(f"{row['label']}: store holds {row['stored']}")
    for row in (lite, post):
        wall = row["elapsed"] / row["records"] - export["elapsed"] / export["records"]
        cpu = row["cpu"] / row["records"] - export["cpu"] / export["records"]
        row["extra"] = f"store: {1e6 * wall:+.0f} µs wall, {1e6 * cpu:+.0f} µs CPU per record"
    small["extra"] = (
        f"peak RSS {small['rss_mb']:.0f} MB at {small['records']:,} records, "
        f"{lite['rss_mb']:.0f} MB at {lite['records']:,}"
    )
    for row in (inc_lite, inc_post):
        row["extra"] = f"{row['server_requests']:,} requests served"
    print()
    print(
        "| cell | records | requests | seconds | records/s | CPU µs/record | peak RSS MB | note |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(line(row))
    return 0


class _postgres:
    """A throw-away server (tests/sync/pgserver.py) unless a URL is given."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._context: Any = None

    def __enter__(self) -> Any:
        if self.url:
            return None
        from tests.sync.pgserver import running_server

        self._context = running_server()
        return self._context.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)


if __name__ == "__main__":
    sys.exit(main())
