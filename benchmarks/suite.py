"""The cells of issue 6 (and issue 4's sustained pull), run against one emulator process.

Groups, each a server setting steered through ``/__emulator__/``:

* ``loopback``: no latency, no limit. Concurrency sweep of raw httpx, the SDK
  on stock httpx and the SDK on httpx-aiohttp; the sequential ``requests``
  loop; sniffio hidden vs installed; per-request overhead of ``calls.get``.
* ``latency``: 50 ms per request, no limit: the same clients, where depth
  (requests in flight) rather than CPU sets the pace.
* ``limited`` / ``limited_latency``: the emulator's 300/5 s limit, without and
  with 50 ms: time-boxed pulls, counting 429s; the SDK paced by its default
  `RateLimit` (issue 4's sustained pull is the last of these).
* ``memory``: peak RSS of a fresh process streaming N CDRs to a file, two N.

Cells of a group run in rounds, each round in a rotated order, every cell in
a fresh client process pinned away from the server; figures are medians.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import attrs

from ._server import AUTH_ID, AUTH_TOKEN, CLIENT_CPU, EmulatorProcess, pinned

LATENCY_MS = 50.0
EMULATOR_LIMIT = 300  # per 5 s: the documented limit, the emulator's default


@attrs.frozen
class Mode:
    """How much work each cell does; `quick` must stay under two minutes on 2 cores."""

    name: str
    rounds: int
    pages: int  # loopback pulls
    latency_pages: int  # 50 ms pulls (concurrency >= 4)
    sequential_latency_pages: int  # 50 ms, one page at a time
    sweep: tuple[int, ...]
    latency_sweep: tuple[int, ...]
    gets: int
    limited_seconds: float
    sustained_seconds: float
    memory_records: tuple[int, ...]
    calls: int = 1_000_000


QUICK = Mode(
    name="quick",
    rounds=1,
    pages=300,
    latency_pages=320,
    sequential_latency_pages=40,
    sweep=(1, 4, 16, 32),
    latency_sweep=(8, 32),
    gets=300,
    limited_seconds=4.0,
    sustained_seconds=15.0,
    memory_records=(10_000, 40_000),
)

FULL = Mode(
    name="full",
    rounds=3,
    pages=1000,
    latency_pages=1920,
    sequential_latency_pages=100,
    sweep=(1, 4, 8, 16, 32),
    latency_sweep=(1, 4, 8, 16, 32),
    gets=1000,
    limited_seconds=10.0,
    sustained_seconds=60.0,
    memory_records=(100_000, 1_000_000),
)


@attrs.define
class Cell:
    """One configuration measured `rounds` times; `spec` goes to `benchmarks._cell`."""

    group: str
    name: str
    spec: dict[str, Any]
    runs: list[dict[str, Any]] = attrs.Factory(list)
    server: list[dict[str, Any]] = attrs.Factory(list)

    def summary(self) -> dict[str, Any]:
        """Medians (with min-max) of every numeric figure over the runs."""
        out: dict[str, Any] = {"group": self.group, "name": self.name, "spec": self.spec}
        figures = [derive(run) for run in self.runs]
        for key in figures[0] if figures else ():
            values = [f[key] for f in figures if isinstance(f.get(key), int | float)]
            if values:
                out[key] = statistics.median(values)
                out[f"{key}_range"] = [min(values), max(values)]
        if self.server:
            out["server_429"] = sum(s.get("responses_429", 0) for s in self.server)
            out["server_requests"] = sum(s.get("requests", 0) for s in self.server)
        return out


def derive(run: dict[str, Any]) -> dict[str, Any]:
    """Per-run figures: CDR/s, pages/s, client CPU s per 1,000 pages, µs per request."""
    out = dict(run)
    wall, cpu = run["wall"], run["cpu"]
    if "records" in run and wall > 0:
        pages = run["records"] / 20
        out["cdrs_per_s"] = run["records"] / wall
        out["pages_per_s"] = pages / wall
        out["cpu_s_per_1k_pages"] = cpu / pages * 1000 if pages else None
    if "records" not in run:  # item GETs
        out["us_per_request"] = wall / run["requests"] * 1e6
        out["cpu_us_per_request"] = cpu / run["requests"] * 1e6
    out.pop("sniffio_loaded", None)
    return out


def run_cell(emu: EmulatorProcess, cell: Cell, timeout: float) -> None:
    spec = {"base_url": emu.base_url, "auth_id": AUTH_ID, "auth_token": AUTH_TOKEN, **cell.spec}
    spec.setdefault("max_seconds", timeout)
    emu.reset_stats()
    command = pinned([sys.executable, "-m", "benchmarks._cell", json.dumps(spec)], CLIENT_CPU)
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout + 30, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"cell {cell.group}/{cell.name} failed:\n{done.stderr[-3000:]}")
    cell.runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    cell.server.append(emu.stats())


def _pulls(group: str, pages: int, sweep: tuple[int, ...]) -> list[Cell]:
    cells = []
    for c in sweep:
        cells += [
            Cell(group, f"raw httpx c={c}", {"kind": "raw", "pages": pages, "concurrency": c}),
            Cell(group, f"sdk httpx c={c}", {"kind": "sdk", "pages": pages, "concurrency": c}),
            Cell(
                group,
                f"sdk httpx-aiohttp c={c}",
                {"kind": "sdk", "pages": pages, "concurrency": c, "transport": "aiohttp"},
            ),
        ]
    return cells


def loopback_cells(mode: Mode) -> list[Cell]:
    cells = [Cell("loopback", "requests sequential", {"kind": "requests", "pages": mode.pages})]
    cells += _pulls("loopback", mode.pages, mode.sweep)
    cells += [
        Cell(
            "loopback",
            "raw httpx-aiohttp c=16",
            {"kind": "raw", "pages": mode.pages, "concurrency": 16, "transport": "aiohttp"},
        ),
        Cell(
            "loopback",
            "raw httpx c=16, sniffio hidden",
            {"kind": "raw", "pages": mode.pages, "concurrency": 16, "sniffio": False},
        ),
        Cell(
            "loopback",
            "sdk httpx c=16, sniffio hidden",
            {"kind": "sdk", "pages": mode.pages, "concurrency": 16, "sniffio": False},
        ),
    ]
    for transport, stack in (("httpx", "httpx"), ("aiohttp", "httpx-aiohttp")):
        for kind in ("raw_get", "sdk_get"):
            label = f"{kind.removesuffix('_get')} {stack} calls.get"
            cells.append(
                Cell("overhead", label, {"kind": kind, "n": mode.gets, "transport": transport})
            )
    return cells


def latency_cells(mode: Mode) -> list[Cell]:
    seq = {"kind": "requests", "pages": mode.sequential_latency_pages}
    cells = [Cell("latency", "requests sequential", seq)]
    for cell in _pulls("latency", mode.latency_pages, mode.latency_sweep):
        # About 60 round trips per cell whatever the depth: bounded time, same shape,
        # and the lone first page and the ramp-up weigh under 2 % of the pull.
        cell.spec["pages"] = min(mode.latency_pages, 60 * cell.spec["concurrency"])
        cells.append(cell)
    return cells


def limited_cells(group: str, mode: Mode) -> list[Cell]:
    big = 100_000  # pages: the time box ends these pulls, not the count
    box = {"max_seconds": mode.limited_seconds}
    return [
        Cell(group, "requests sequential", {"kind": "requests", "pages": big, **box}),
        Cell(group, "raw httpx c=16", {"kind": "raw", "pages": big, "concurrency": 16, **box}),
        Cell(
            group,
            "sdk httpx c=16, RateLimit()",
            {"kind": "sdk", "pages": big, "concurrency": 16, "limited": True, **box},
        ),
    ]


def sustained_cell(mode: Mode) -> Cell:
    return Cell(
        "sustained",
        f"sdk default RateLimit, c=8, {mode.sustained_seconds:g} s",
        {"kind": "sustained", "seconds": mode.sustained_seconds, "concurrency": 8},
    )


def memory_cells(mode: Mode, directory: str) -> list[Cell]:
    return [
        Cell(
            "memory",
            f"stream {n:,} CDRs to a file",
            {
                "kind": "file",
                "records": n,
                "concurrency": 16,
                "path": os.path.join(directory, f"cdrs-{n}.jsonl"),
            },
        )
        for n in mode.memory_records
    ]


def _rounds(
    emu: EmulatorProcess,
    cells: list[Cell],
    rounds: int,
    timeout: float,
    before: Callable[[], None] = lambda: None,
    log: Callable[[str], None] = print,
) -> None:
    """Each round runs every cell once, starting one cell later than the last round."""
    for r in range(rounds):
        k = r % len(cells)
        for cell in cells[k:] + cells[:k]:
            before()
            started = time.monotonic()
            run_cell(emu, cell, timeout)
            log(f"  [{cell.group}] {cell.name}: {time.monotonic() - started:.1f} s")


def run_suite(mode: Mode, log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Run every group against one emulator process; return the cell summaries."""
    cells: list[Cell] = []
    with EmulatorProcess(calls=mode.calls) as emu:
        log(f"emulator at {emu.base_url} ({mode.calls:,} calls), mode {mode.name}")
        group = loopback_cells(mode)
        _rounds(emu, group, mode.rounds, 60, log=log)
        cells += group

        emu.set_latency(LATENCY_MS)
        group = latency_cells(mode)
        _rounds(emu, group, mode.rounds, 60, log=log)
        cells += group

        # Re-arming the limit clears the server's window log: no cell inherits
        # the previous cell's requests (a fresh 5 s window, like a fresh account).
        def fresh_limit() -> None:
            emu.set_rate_limit(EMULATOR_LIMIT, 5.0)

        emu.set_latency(0.0)
        group = limited_cells("limited", mode)
        _rounds(emu, group, 1, mode.limited_seconds, fresh_limit, log)
        cells += group

        emu.set_latency(LATENCY_MS)
        group = [*limited_cells("limited_latency", mode), sustained_cell(mode)]
        _rounds(emu, group, 1, mode.sustained_seconds, fresh_limit, log)
        cells += group

        emu.set_latency(0.0)
        emu.set_rate_limit(None)
        with tempfile.TemporaryDirectory(prefix="zt-bench-") as directory:
            group = memory_cells(mode, directory)
            _rounds(emu, group, 1, 600, log=log)
            cells += group
    return [cell.summary() for cell in cells]
