"""``zentrunk demo``: the bulk export against a local emulator, no account needed.

It serves the emulator on a free loopback port in a thread (real HTTP, as
against Plivo), with a realistic account: many calls spread over 89 days,
tens of milliseconds of latency per request and Plivo's documented rate
limit. It exports every call into a file with the live progress bar, then
pulls a sample sequentially (concurrency 1, as a naive loop over ``next``
links would) with the same client, and compares *rates*: a full
sequential pull of 200,000 calls would take minutes, and the rate of a
sample is the same number measured in seconds.
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._config import MAX_PAGE_SIZE
from ._common import open_client
from ._console import stderr_console
from ._errors import run_async
from ._export import ExportFormat, ProgressBar, summary_lines
from ._output import show_lines
from ._profiles import Settings
from ._state import State
from ._times import show_time

if TYPE_CHECKING:
    from ..export import ExportSummary

#: A realistic account (a small trunk's quarter of CDRs) that the demo pulls in well under
#: a minute at Plivo's rate limit: 2,500 pages at 59 pages/s.
DEFAULT_DEMO_CALLS = 50_000
#: A CDR page from a distant region: round trip plus API time is tens of milliseconds; at
#: 80 ms a sequential pull makes about 12 pages/s, far below what the limit allows.
DEFAULT_DEMO_LATENCY_MS = 80.0
#: Pages pulled one by one for the comparison: several seconds at demo latency, a stable rate.
DEFAULT_SAMPLE_PAGES = 100
#: Plivo's documented account limit (zentrunk-api.md §11.1), enforced by the emulator.
DEMO_RATE_LIMIT = 300
DEMO_RATE_PERIOD = 5.0
#: The emulated calls reach 89 days back; a 90-day window holds them all.
DEMO_WINDOW = timedelta(days=90)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    calls: Annotated[
        int, typer.Option("--calls", min=1, help="Calls in the emulated account.")
    ] = DEFAULT_DEMO_CALLS,
    latency_ms: Annotated[
        float, typer.Option("--latency-ms", min=0.0, help="Added latency per request.")
    ] = DEFAULT_DEMO_LATENCY_MS,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            min=1,
            max=64,
            help="Export requests in flight (default: adapts to the round trip).",
        ),
    ] = None,
    sample_pages: Annotated[
        int, typer.Option("--sample-pages", min=1, help="Pages in the sequential sample.")
    ] = DEFAULT_SAMPLE_PAGES,
    rate_limit: Annotated[
        bool,
        typer.Option(
            "--rate-limit/--no-rate-limit",
            help="Enforce (and pace to) Plivo's 300 requests per 5 s, as a real account does.",
        ),
    ] = True,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", dir_okay=False, help="Export file (default: in the temp dir)."),
    ] = None,
    file_format: Annotated[
        ExportFormat, typer.Option("--format", case_sensitive=False)
    ] = ExportFormat.jsonl,
) -> None:
    """Run the bulk export against a local emulator and measure it: no account needed."""
    from ..emulator import Emulator, EmulatorConfig, Faults, serve_in_thread

    out = out or Path(tempfile.gettempdir()) / f"zentrunk-demo-calls.{file_format.value}"
    config = EmulatorConfig(
        calls=calls,
        rate_limit_requests=DEMO_RATE_LIMIT if rate_limit else None,
        rate_limit_period=DEMO_RATE_PERIOD,
    )
    emulator = Emulator(config, faults=Faults(latency_ms=latency_ms))
    limit = "300 requests / 5 s (Plivo's limit)" if rate_limit else "no rate limit"
    show_lines(
        [
            "Zentrunk demo: a local emulator stands in for Plivo (no account, nothing leaves",
            "this machine).",
        ]
    )
    with serve_in_thread(emulator) as base_url:
        show_lines(
            [
                f"  emulator  {base_url}: {calls:,} calls over 89 days, "
                f"{latency_ms:g} ms latency per request, {limit}",
                f"  export    every call into {out} ({file_format.value}), "
                f"concurrency {_shown(concurrency)}",
                "",
            ]
        )
        # Its own account only: no config file, profile or --rate-limit of the user's.
        settings = Settings.explicit(emulator.auth_id, emulator.auth_token, base_url)
        state = State(
            auth_id=emulator.auth_id,
            auth_token=emulator.auth_token,
            base_url=base_url,
            resolved=settings,
        )
        until = datetime.now(timezone.utc).replace(microsecond=0)
        since = until - DEMO_WINDOW
        bar = ProgressBar(stderr_console())

        async def main() -> tuple[ExportSummary, int, float]:
            from ..export import export_to_file

            async with open_client(state, pace=rate_limit) as zt:
                with bar:
                    summary = await export_to_file(
                        zt,
                        out,
                        since=since,
                        until=until,
                        format=file_format.value,
                        concurrency=concurrency,
                        on_progress=bar.update,
                        restart=True,  # a demo starts afresh, even after a Ctrl-C
                    )
                sampled, seconds = await sequential_sample(zt, since, until, sample_pages)
            return summary, sampled, seconds

        summary, sampled, seconds = run_async(main, debug=False)
    lines = report(summary, since, until, sampled, seconds, concurrency)
    if rate_limit:
        lines.insert(-1, ceiling(summary))
    show_lines(lines)


async def sequential_sample(
    zt: Any, since: datetime, until: datetime, pages: int
) -> tuple[int, float]:
    """Records and seconds for `pages` pages pulled one after another (concurrency 1)."""
    started = time.perf_counter()
    records = 0
    pager = zt.calls.list(
        end_time__gte=since,
        end_time__lt=until,
        concurrency=1,
        max_items=pages * MAX_PAGE_SIZE,
    )
    async with pager as stream:
        async for _ in stream:
            records += 1
    return records, time.perf_counter() - started


def report(
    summary: ExportSummary,
    since: datetime,
    until: datetime,
    sampled: int,
    seconds: float,
    concurrency: int | None,
) -> list[str]:
    """The demo's closing lines (a subprocess test asserts their first words)."""
    concurrent_rate = summary.records / max(summary.elapsed, 1e-9)
    sequential_rate = sampled / max(seconds, 1e-9)
    lines = ["", *summary_lines(summary, since, until)]
    size = _size(summary.path)
    if size:
        lines.append(f"  file     {size}")
    lines += [
        f"Sequential pull (concurrency 1): {sampled:,} calls in {seconds:,.1f} s: "
        f"{sequential_rate:,.0f} records/s",
        f"  a sample of {sampled // MAX_PAGE_SIZE:,} pages; a full sequential pull would take "
        f"about {_duration(summary.records / max(sequential_rate, 1e-9))}",
        f"Speed-up: {concurrent_rate / max(sequential_rate, 1e-9):.1f}x "
        f"(concurrency {_shown(concurrency)} export vs sequential, records/s measured in this run)",
        f"Try it against your account: zentrunk calls export --since {show_time(since)} "
        "--out calls.jsonl",
    ]
    return lines


def ceiling(summary: ExportSummary) -> str:
    """How close the export came to the most the account's rate limit allows anyone."""
    most = DEMO_RATE_LIMIT / DEMO_RATE_PERIOD * MAX_PAGE_SIZE
    rate = summary.records / max(summary.elapsed, 1e-9)
    return (
        f"  Plivo's {DEMO_RATE_LIMIT} requests / {DEMO_RATE_PERIOD:g} s caps any client at "
        f"{most:,.0f} records/s; the export ran at {rate / most:.0%} of that ceiling"
    )


def _shown(concurrency: int | None) -> str:
    return "adaptive" if concurrency is None else str(concurrency)


def _size(path: object) -> str:
    try:
        size = Path(str(path)).stat().st_size
    except OSError:
        return ""
    return f"{size / 1e6:,.1f} MB" if size >= 1e5 else f"{size:,} bytes"


def _duration(seconds: float) -> str:
    return f"{seconds:,.0f} s" if seconds < 120 else f"{seconds / 60:,.1f} min"
