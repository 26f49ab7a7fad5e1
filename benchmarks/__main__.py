"""``python -m benchmarks [--quick] [--out DIR]``: run the suite, write JSON, README table, chart.

Quick mode is sized for CI (under two minutes on 2 cores); full mode takes
about ten minutes and is the one whose table is committed when time allows.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import attrs

from . import report, suite

HERE = Path(__file__).parent
PACKAGES = ("httpx", "httpcore", "anyio", "cattrs", "aiohttp", "httpx-aiohttp", "orjson")


def _versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} absent")
    return ", ".join(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI-sized run (< 2 min)")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results", help="directory for JSON and PNG"
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="do not rewrite benchmarks/README.md"
    )
    parser.add_argument(
        "--memory",
        metavar="N,N",
        help="CDR counts of the memory cells (e.g. 100000,1000000 to check 1M in quick mode)",
    )
    args = parser.parse_args(argv)
    mode = suite.QUICK if args.quick else suite.FULL
    if args.memory:
        counts = tuple(int(n) for n in args.memory.split(","))
        mode = attrs.evolve(mode, memory_records=counts)
    started = time.monotonic()
    cells = suite.run_suite(mode, log=lambda line: print(line, file=sys.stderr, flush=True))
    result = {
        "meta": {
            "mode": mode.name,
            "argv": " ".join(argv if argv is not None else sys.argv[1:]),
            "rounds": mode.rounds,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "versions": _versions(),
            "seconds": time.monotonic() - started,
        },
        "targets": report.targets(cells),
        "cells": cells,
    }
    report.write_json(args.out / "latest.json", result)
    table = report.markdown(result)
    if not args.no_readme:
        report.write_readme(HERE / "README.md", table)
    report.chart(args.out / "throughput_vs_concurrency.png", cells)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
