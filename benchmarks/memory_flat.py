"""``python -m benchmarks.memory_flat``: an export's peak memory does not grow with its size.

The slow twin of tests/export/test_export.py::test_memory_stays_flat_as_the_export_grows:
exports of growing size from the in-process emulator, peak memory traced
(``tracemalloc``) while the records stream past, each size compared with the
smallest. Streaming keeps the ratio near 1; keeping the records would make it
grow with the size (about 1.9 KB per CDR). Exit status 1 when a ratio passes
``--bound`` (1.5). Takes about a minute on the lab machine.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from datetime import datetime, timedelta, timezone

import anyio
import httpx

from zentrunk_async import ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig

SIZES = (2_000, 8_000, 32_000)


async def peak(calls: int, *, max_shard_records: int = 500) -> int:
    """Peak traced bytes while exporting ``calls`` CDRs (the emulator built before tracing)."""
    emulator = Emulator(EmulatorConfig(calls=calls, seed=1, rate_limit_requests=None))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))
    until = datetime.now(timezone.utc)
    async with ZentrunkClient(
        emulator.auth_id,
        emulator.auth_token,
        base_url="http://127.0.0.1",
        http_client=http,
        rate_limit=None,
    ) as zt:
        gc.collect()
        tracemalloc.start()
        count = 0
        async for _ in zt.calls.export(
            until - timedelta(days=89, hours=23), until, max_shard_records=max_shard_records
        ):
            count += 1
            if count % 100 == 0:
                gc.collect()  # cyclic garbage would make the peak depend on GC timing
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    if count != calls:
        raise AssertionError(f"exported {count} of {calls} calls")
    return top


async def run(sizes: tuple[int, ...], bound: float) -> int:
    base = None
    worst = 0.0
    print(f"{'calls':>8} {'peak KiB':>10} {'ratio':>6}")
    for size in sizes:
        top = await peak(size)
        base = base or top
        ratio = top / base
        worst = max(worst, ratio)
        print(f"{size:>8} {top / 1024:>10.0f} {ratio:>6.2f}")
    print(f"worst ratio {worst:.2f} (bound {bound})")
    return 0 if worst < bound else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory_flat", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--bound", type=float, default=1.5)
    args = parser.parse_args(argv)
    return anyio.run(run, tuple(args.sizes), args.bound)


if __name__ == "__main__":
    sys.exit(main())
