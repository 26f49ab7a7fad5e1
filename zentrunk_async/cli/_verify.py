"""``zentrunk calls verify FILE``: re-count an export against the API, day by day.

It needs nothing but the file: the manifest the export left beside it
names the account, window and filters. Exit 0 means every day's count
matches and the file is the one the export wrote; anything else exits
non-zero with the counts, and the days that differ.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._config import DEFAULT_CONCURRENCY
from ._common import open_client
from ._errors import CLIError, fail, run_async
from ._export_view import EXIT_INCOMPLETE
from ._output import print_json, show_lines
from ._state import state_of
from ._times import TIME_HELP, parse_time, show_time

if TYPE_CHECKING:
    from ..export import VerifyResult

#: Differing days named on the error line (all of them are in --json).
SHOWN_DAYS = 5


def calls_verify(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An export file (its manifest beside it).")],
    since: Annotated[
        datetime | None,
        typer.Option("--since", parser=parse_time, help=f"Override the manifest's. {TIME_HELP}"),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--until", parser=parse_time, help="Override the manifest's."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=64, help="Requests in flight.")
    ] = DEFAULT_CONCURRENCY,
    json_flag: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Check an export is complete: per-day counts (total_count only) against the file."""
    state = state_of(ctx, json_flag)

    async def main() -> VerifyResult:
        from ..export import verify_file

        async with open_client(state) as zt:
            return await verify_file(zt, file, since=since, until=until, concurrency=concurrency)

    result = run_async(main, debug=state.debug)
    if state.json:
        print_json(result_json(result))
    else:
        show_lines([f"note: {n}" for n in result.notices] + result_lines(result))
    if not result.ok:
        fail(CLIError(problem(result), exit_code=EXIT_INCOMPLETE))


def result_lines(result: VerifyResult) -> list[str]:
    state = "complete" if result.ok else "NOT complete"
    intact = {True: "matches its manifest", False: "differs from its manifest", None: "no manifest"}
    lines = [
        f"{result.path} is {state}: {result.found:,} calls found, {result.expected:,} expected",
        f"  window   {show_time(result.since)} .. {show_time(result.until)}, "
        f"{len(result.days):,} days counted in {result.requests:,} requests",
        f"  missing  {result.missing:,}",
        f"  extra    {result.extra:,} ({result.duplicates:,} repeated, "
        f"{result.outside:,} outside the window)",
        f"  file     {intact[result.intact]}",
    ]
    if result.unreadable:
        lines.append(f"  unreadable lines {result.unreadable:,}")
    if result.unchecked:
        lines.append(f"  unchecked {result.unchecked:,} (past the API's retention)")
    return lines


def problem(result: VerifyResult) -> str:
    differing = [d for d in result.days if not d.ok]
    days = ", ".join(
        f"{d.since.date().isoformat()} (API {d.expected:,}, file {d.found:,})"
        for d in differing[:SHOWN_DAYS]
    )
    more = f" and {len(differing) - SHOWN_DAYS} more" if len(differing) > SHOWN_DAYS else ""
    parts = [
        f"{result.path} is not a complete export: {result.missing:,} missing, "
        f"{result.extra:,} extra of {result.expected:,} expected"
    ]
    if days:
        parts.append(f"days that differ: {days}{more}")
    if result.unreadable:
        parts.append(f"{result.unreadable:,} unreadable lines")
    if result.intact is False:
        parts.append("the file is not the one its manifest describes (changed since the export?)")
    return "; ".join(parts)


def result_json(result: VerifyResult) -> dict[str, Any]:
    return {
        "path": str(result.path),
        "ok": result.ok,
        "since": show_time(result.since),
        "until": show_time(result.until),
        "expected": result.expected,
        "found": result.found,
        "missing": result.missing,
        "extra": result.extra,
        "duplicates": result.duplicates,
        "outside": result.outside,
        "unreadable": result.unreadable,
        "unchecked": result.unchecked,
        "intact": result.intact,
        "requests": result.requests,
        "days_differing": [
            {
                "since": show_time(d.since),
                "until": show_time(d.until),
                "expected": d.expected,
                "found": d.found,
            }
            for d in result.days
            if not d.ok
        ],
        "notices": result.notices,
    }
