"""How many CDR rows per second a store absorbs through `commit_shard` (docs/scale.md).

    python benchmarks/bench_store.py                      # SQLite file + a throw-away PostgreSQL
    python benchmarks/bench_store.py --rows 64000 --shard 4000

Records are real `CallRecord`s listed from an in-process multi-account
emulator, committed in shards (one transaction each, as a sync does) under
one sync key per account. PostgreSQL comes from the test suite's
throw-away server (tests/sync/pgserver.py: ``fsync=off``, so a production
disk is slower); it is skipped when no server binaries are found.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import anyio
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the PG server

from zentrunk_async import CallRecord, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig
from zentrunk_async.emulator._account import Account
from zentrunk_async.sync import SyncKey, open_store


async def records_of(emulator: Emulator, account: Account) -> list[CallRecord]:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))
    async with ZentrunkClient(
        account.auth_id,
        account.auth_token,
        base_url="http://127.0.0.1",
        http_client=http,
        rate_limit=None,
    ) as zt:
        until = datetime.now(timezone.utc)
        since = until - timedelta(days=89, hours=23)
        calls = zt.calls.list(end_time__gte=since, end_time__lt=until, concurrency=16)
        return [call async for call in calls]


async def rate(url: str, emulator: Emulator, shards: list[list[CallRecord]], size: int) -> float:
    async with open_store(url) as store:
        now = datetime.now(timezone.utc)
        started = time.monotonic()
        rows = 0
        for account, records in zip(emulator.accounts, shards, strict=True):
            key = SyncKey.of(account.auth_id, {})
            for number, start in enumerate(range(0, len(records), size)):
                chunk = records[start : start + size]
                interval = (now - timedelta(hours=number + 1), now - timedelta(hours=number))
                await store.commit_shard(key, chunk, interval)
                rows += len(chunk)
        return rows / (time.monotonic() - started)


async def main(rows: int, size: int) -> None:
    accounts = 4
    emulator = Emulator(
        EmulatorConfig(accounts=accounts, calls=rows // accounts, rate_limit_requests=None)
    )
    shards = [await records_of(emulator, account) for account in emulator.accounts]
    total = sum(map(len, shards))
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = await rate(f"sqlite:///{tmp}/rate.db", emulator, shards, size)
        print(f"sqlite      {total:,} rows, {size}-row shards: {sqlite:,.0f} rows/s")
    try:
        from sync.pgserver import running_server

        with running_server() as server:
            pg = await rate(server.new_database(), emulator, shards, size)
            print(f"postgresql  {total:,} rows, {size}-row shards: {pg:,.0f} rows/s (fsync=off)")
    except FileNotFoundError as exc:
        print(f"postgresql  skipped: {exc}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=16_000)
    parser.add_argument("--shard", type=int, default=1_000)
    args = parser.parse_args()
    anyio.run(main, args.rows, args.shard)
