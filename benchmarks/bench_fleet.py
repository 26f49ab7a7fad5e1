"""Issue 18's cell: one 8-account sync through a single-process fleet and a 2-worker LocalCluster.

    python benchmarks/bench_fleet.py --quick     # 8 accounts x 1,200 calls, 20 ms latency
    python benchmarks/bench_fleet.py             # 8 accounts x 6,000 calls, 50 ms latency

The multi-account emulator runs in its own process (``--accounts 8``, each
account with its own 300 / 5 s window), pinned to CPU 0 when ``taskset``
exists. Each cell syncs every account into a fresh SQLite store at the SDK's
default pace (59 requests/s per account) and reports wall time, the share of
the accounts' ceilings reached (requests the emulator served over
``wall x accounts x 59``), and for Dask the cluster's start-up time and its
overhead per task: wall time of the Dask run minus the slowest account's own
time, per task, and the round trip of no-op tasks. The machine is shared:
read the two cells against each other, not as absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._accounts_server import Served, accounts_emulator
from zentrunk_async import RetryPolicy
from zentrunk_async.fleet import (
    Account,
    AccountWork,
    ClientOptions,
    FleetSummary,
    SyncJob,
    run_fleet,
)

#: The SDK's default pace: 295 requests per 5 s per account.
CEILING = 59.0

QUICK = {"accounts": 8, "calls": 1200, "latency_ms": 20.0}
FULL = {"accounts": 8, "calls": 6000, "latency_ms": 50.0}


def requests_served(served: Served) -> int:
    return sum(int(served.stats(auth_id)["requests"]) for auth_id, _ in served.accounts)


def cell(
    name: str, summary: FleetSummary, wall: float, requests: int, accounts: int
) -> dict[str, Any]:
    if summary.failed:
        raise SystemExit(
            f"{name}: {len(summary.failed)} account(s) failed: {summary.failed[0].error}"
        )
    return {
        "cell": name,
        "wall_s": round(wall, 2),
        "records": summary.records,
        "requests": requests,
        "share_of_ceiling": round(requests / (wall * accounts * CEILING), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args()
    mode = QUICK if args.quick else FULL
    accounts = int(mode["accounts"])
    rows: list[dict[str, Any]] = []
    with (
        accounts_emulator(
            accounts, calls=int(mode["calls"]), latency_ms=float(mode["latency_ms"])
        ) as served,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for index, (_, token) in enumerate(served.accounts):
            os.environ[f"ZT_BENCH_TOKEN_{index}"] = token  # workers inherit it
        work = [
            AccountWork(Account(auth_id, f"ZT_BENCH_TOKEN_{index}"))
            for index, (auth_id, _) in enumerate(served.accounts)
        ]
        options = ClientOptions(
            base_url=served.base_url, retry=RetryPolicy(max_retries=6), concurrency=8
        )

        job = SyncJob(db=f"sqlite:///{tmp}/one-process.db", settle=timedelta(0))
        before = requests_served(served)
        started = time.monotonic()
        summary = anyio.run(lambda: run_fleet(work, job, options=options, max_accounts=accounts))
        wall = time.monotonic() - started
        rows.append(cell("one process", summary, wall, requests_served(served) - before, accounts))

        from zentrunk_async.distributed import local_cluster, run_on_dask

        started = time.monotonic()
        with local_cluster(args.workers, accounts_per_worker=accounts) as client:
            startup = time.monotonic() - started
            noop_started = time.monotonic()
            client.gather(client.map(_noop, range(100), pure=False))
            noop_ms = (time.monotonic() - noop_started) * 1000 / 100
            job = SyncJob(db=f"sqlite:///{tmp}/dask.db", settle=timedelta(0))
            before = requests_served(served)
            started = time.monotonic()
            summary = run_on_dask(client, work, job, options=options)
            wall = time.monotonic() - started
        row = cell(
            f"LocalCluster {args.workers} workers",
            summary,
            wall,
            requests_served(served) - before,
            accounts,
        )
        slowest = max(r.elapsed for r in summary.results)
        row.update(
            {
                "cluster_startup_s": round(startup, 2),
                "overhead_per_task_ms": round((wall - slowest) * 1000 / accounts, 1),
                "noop_task_ms": round(noop_ms, 2),
            }
        )
        rows.append(row)
    print(
        f"{accounts} accounts x {mode['calls']} calls, {mode['latency_ms']} ms latency, "
        "paced at 59 req/s each"
    )
    for row in rows:
        print("  " + ", ".join(f"{k}={v}" for k, v in row.items()))
    if args.out:
        args.out.write_text(json.dumps({"mode": mode, "cells": rows}, indent=2) + "\n")


def _noop(_: int) -> None:
    return None


if __name__ == "__main__":
    main()
