"""Issue 17's cell "accounts per core": N paced accounts from one client core, four clients.

    python benchmarks/bench_accounts.py --quick    # N = 1, 4, 8; 8 s per cell
    python benchmarks/bench_accounts.py            # N = 1, 4, 8, 12, 16; 20 s per cell

The multi-account emulator (``--accounts 16``, 50 ms latency, every account
with its own 300 / 5 s window) runs in its own process pinned to CPU 0; each
cell is a fresh client process pinned to CPU 1 that pulls CDR pages for N
accounts at once, each account paced at 59 requests/s, for a fixed time. It
reports the share of ``N x 59`` requests/s reached, client CPU ms per page
(``time.process_time()``) and how busy the client core was, all over the
cell after its first 3 s (imports, connections, the ramp to the pace).
The clients:

* raw httpx: one `httpx.AsyncClient` per account, `json.loads`, a paced
  send loop (a slot every 1/59 s, a request in flight per slot);
* raw aiohttp + orjson: the same on one `aiohttp.ClientSession` per account;
* SDK httpx / SDK aiohttp: one `ZentrunkClient(http=...)` per account at its
  default `RateLimit()`, pulling `calls.list(concurrency=8).pages()`.

"Held" means at least 98 % of the accounts' ceilings with the client core
under 90 % busy. The machine is shared: read cells of one run against each
other, not absolute figures across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._accounts_server import accounts_emulator
from benchmarks._server import CLIENT_CPU, pinned
from benchmarks._window import PAGE_SIZE, calls_path, window

#: The SDK's default pace per account (295 requests per 5 s).
PACE = 59.0
CLIENTS = ("raw httpx", "raw aiohttp+orjson", "sdk httpx", "sdk aiohttp")
LATENCY_MS = 50.0
CALLS = 100_000  # per account: more pages than any cell pulls
#: Seconds of each cell not counted (see `run_cell`).
WARMUP = 3.0


async def raw_account(
    client: str, base_url: str, auth: tuple[str, str], deadline: float, counts: dict[str, int]
) -> None:
    """Paced pages for one account: a send slot every 1/59 s, each request in its own task."""
    from benchmarks.baselines import auth_headers

    path = base_url + calls_path(auth[0])
    query = window()
    headers = auth_headers(auth)
    offsets = iter(range(0, CALLS, PAGE_SIZE))
    if client == "raw httpx":
        import httpx

        session: Any = httpx.AsyncClient(headers=headers, timeout=30.0)

        async def get(offset: int) -> None:
            response = await session.get(path, params={**query, "limit": 20, "offset": offset})
            _count(counts, response.status_code, json.loads(response.content))

    else:
        import aiohttp
        import orjson

        session = aiohttp.ClientSession(headers=headers)

        async def get(offset: int) -> None:
            params = {**query, "limit": "20", "offset": str(offset)}
            async with session.get(path, params=params) as response:
                _count(counts, response.status, orjson.loads(await response.read()))

    async with session, anyio.create_task_group() as tasks:
        start = time.monotonic()
        for slot, offset in enumerate(offsets):
            at = start + slot / PACE
            if at > deadline:
                break
            await anyio.sleep(max(0.0, at - time.monotonic()))
            tasks.start_soon(get, offset)


def _count(counts: dict[str, int], status: int, body: Any) -> None:
    if status == 200:
        counts["pages"] += 1
    else:
        counts["errors"] += 1


async def sdk_account(
    client: str, base_url: str, auth: tuple[str, str], deadline: float, counts: dict[str, int]
) -> None:
    from datetime import datetime, timedelta, timezone

    from zentrunk_async import ZentrunkClient

    http = "aiohttp" if client == "sdk aiohttp" else "httpx"
    now = datetime.now(timezone.utc)
    async with ZentrunkClient(auth[0], auth[1], base_url=base_url, http=http) as zt:
        pages = zt.calls.list(end_time__gte=now - timedelta(days=89), concurrency=8).pages()
        with anyio.move_on_after(deadline - time.monotonic()):
            async for _ in pages:
                counts["pages"] += 1


async def run_cell(spec: dict[str, Any]) -> dict[str, Any]:
    """One cell; figures over its steady part, after `WARMUP` seconds.

    Imports, the first connections, cattrs' generated hooks and the ramp to
    the pace are once per process or per account, not per page: counting them
    would charge a 1-account cell hundreds of milliseconds that a long export
    never pays again (and charge the clients unequally).
    """
    counts = {"pages": 0, "errors": 0}
    accounts = [tuple(a) for a in spec["accounts"]]
    account = raw_account if spec["client"].startswith("raw") else sdk_account
    deadline = time.monotonic() + spec["seconds"]
    marks: dict[str, float] = {}

    async def mark() -> None:
        await anyio.sleep(WARMUP)
        marks.update(cpu=time.process_time(), wall=time.monotonic(), pages=counts["pages"])

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(mark)
        for auth in accounts:
            tasks.start_soon(account, spec["client"], spec["base_url"], auth, deadline, counts)
    cpu, wall = time.process_time() - marks["cpu"], time.monotonic() - marks["wall"]
    pages = counts["pages"] - int(marks["pages"])
    n = len(accounts)
    return {
        "client": spec["client"],
        "accounts": n,
        "pages": pages,
        "errors": counts["errors"],
        "share": round(pages / (wall * n * PACE), 3),
        "cpu_ms_per_page": round(cpu * 1000 / max(1, pages), 2),
        "client_core_busy": round(cpu / wall, 3),
    }


def cell(client: str, base_url: str, accounts: list[tuple[str, str]], seconds: float) -> Any:
    spec = {"client": client, "base_url": base_url, "accounts": accounts, "seconds": seconds}
    command = pinned([sys.executable, __file__, "--cell", json.dumps(spec)], CLIENT_CPU)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 120, check=True, env=env
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cell", help=argparse.SUPPRESS)
    parser.add_argument("--accounts", help="comma-separated N to run (e.g. 1,4)")
    parser.add_argument("--seconds", type=float, help="length of each cell")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(anyio.run(run_cell, json.loads(args.cell))))
        return
    counts = (1, 4, 8) if args.quick else (1, 4, 8, 12, 16)
    if args.accounts:
        counts = tuple(int(n) for n in args.accounts.split(","))
    seconds = args.seconds or (8.0 if args.quick else 20.0)
    rows = []
    with accounts_emulator(max(counts), calls=CALLS, latency_ms=LATENCY_MS) as served:
        for n in counts:
            for client in CLIENTS:
                row = cell(client, served.base_url, served.accounts[:n], seconds)
                rows.append(row)
                print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    held = {
        client: max(
            (
                r["accounts"]
                for r in rows
                if r["client"] == client and r["share"] >= 0.98 and r["client_core_busy"] < 0.9
            ),
            default=0,
        )
        for client in CLIENTS
    }
    print("accounts held per core (>= 98 % of ceiling, client core < 90 %):", held)
    if args.out:
        args.out.write_text(json.dumps({"cells": rows, "held": held}, indent=2) + "\n")


if __name__ == "__main__":
    main()
