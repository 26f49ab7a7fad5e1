"""``zentrunk calls export``: every CDR of a time span into a JSONL or CSV file, with progress.

The bulk work (sharding the span, concurrency, checkpoints) is
``zentrunk_async.export``'s; this module adds what a shell needs: a live
progress bar, a summary, and on Ctrl-C or a failure the exact command that
resumes. Both bounds are resolved to absolute UTC times before the export
starts and echoed in that command, because "7d" or a missing ``--until``
would mean a different span when the command is run again.
"""

from __future__ import annotations

import enum
import shlex
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from .._models import CallDirection
from ._app import JsonFlag, State, state_of
from ._common import open_client
from ._errors import EXIT_INTERRUPTED, EXIT_USAGE, CLIError, describe, fail, leaf, print_traceback
from ._output import print_json, show_lines, stderr_console
from ._times import TIME_HELP, parse_time, show_time

if TYPE_CHECKING:
    from ..export import ExportProgress, ExportSummary


class ExportFormat(str, enum.Enum):
    jsonl = "jsonl"
    csv = "csv"


class ProgressBar:
    """A rich progress bar fed by the export's ``on_progress`` callback.

    Pages per second and the ETA are averages over the whole run rather
    than rich's 30-second window: exports are paced by the account's rate
    limit, so the long-run average is the honest forecast.
    """

    def __init__(self, console: Console, description: str = "Exporting") -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[records]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[eta]}"),
            console=console,
        )
        self.task: TaskID = self.progress.add_task(
            description, total=None, records="0 records", rate="", eta=""
        )
        self.records = 0

    def __enter__(self) -> ProgressBar:
        self.progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.progress.stop()

    def update(self, p: ExportProgress) -> None:
        self.records = p.records
        total = p.estimated_total
        elapsed = max(p.elapsed, 1e-9)
        records = f"{p.records:,} / ~{total:,} records" if total else f"{p.records:,} records"
        eta = ""
        if total and p.records:
            remaining = max(total - p.records, 0) * elapsed / p.records
            eta = f"ETA {timedelta(seconds=round(remaining))}"
        self.progress.update(
            self.task,
            completed=p.records,
            total=total,
            records=records,
            rate=f"{p.pages / elapsed:,.1f} pages/s",
            eta=eta,
        )


def summary_lines(summary: ExportSummary, since: datetime, until: datetime) -> list[str]:
    seconds = max(summary.elapsed, 1e-9)
    resumed = " (resumed from its checkpoint)" if summary.resumed else ""
    return [
        f"Exported {summary.records:,} calls{resumed} to {summary.path}",
        f"  window   {show_time(since)} .. {show_time(until)}",
        f"  pages    {summary.pages:,} in {summary.requests:,} requests",
        f"  time     {summary.elapsed:,.1f} s: {summary.records / seconds:,.0f} records/s, "
        f"{summary.pages / seconds:,.1f} pages/s",
    ]


def summary_json(summary: ExportSummary, since: datetime, until: datetime) -> dict[str, Any]:
    return {
        "records": summary.records,
        "pages": summary.pages,
        "requests": summary.requests,
        "elapsed_seconds": round(summary.elapsed, 3),
        "path": str(summary.path),
        "checkpoint_path": None
        if summary.checkpoint_path is None
        else str(summary.checkpoint_path),
        "resumed": summary.resumed,
        "since": show_time(since),
        "until": show_time(until),
    }


def resume_command(
    state: State, since: datetime, until: datetime, options: dict[str, object]
) -> str:
    """The command line that picks this export up where it stopped."""
    words = ["zentrunk"]
    if state.base_url:
        words += ["--base-url", state.base_url]
    words += ["calls", "export", "--since", show_time(since), "--until", show_time(until)]
    for flag, value in options.items():
        if value is not None:
            words += [flag, str(value)]
    words.append("--resume")
    return shlex.join(words)


async def run_export(
    state: State,
    out: Path,
    *,
    since: datetime,
    until: datetime,
    on_progress: Callable[[ExportProgress], None] | None,
    **options: Any,
) -> ExportSummary:
    from ..export import export_to_file

    async with open_client(state) as zt:
        return await export_to_file(
            zt, out, since=since, until=until, on_progress=on_progress, **options
        )


def register(calls_app: typer.Typer) -> None:
    calls_app.command("export")(calls_export)


def calls_export(
    ctx: typer.Context,
    since: Annotated[
        datetime, typer.Option("--since", parser=parse_time, help=f"Oldest end_time. {TIME_HELP}")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.", dir_okay=False)],
    until: Annotated[
        datetime | None,
        typer.Option("--until", parser=parse_time, help="end_time before this (default: now)."),
    ] = None,
    file_format: Annotated[
        ExportFormat, typer.Option("--format", case_sensitive=False, help="File format.")
    ] = ExportFormat.jsonl,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            min=1,
            max=64,
            help="Requests in flight (default: as many as the round trip needs to hold the pace).",
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted export from its checkpoint.")
    ] = False,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint", help="Checkpoint file (default: next to --out).", dir_okay=False
        ),
    ] = None,
    call_direction: Annotated[
        CallDirection | None, typer.Option("--call-direction", case_sensitive=False)
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Export every call that ended in [--since, --until) into a file, concurrently, resumably."""
    state = state_of(ctx, json_flag)
    until = until or datetime.now(timezone.utc)
    if until <= since:
        raise typer.BadParameter(
            f"--until {show_time(until)} is not after --since {show_time(since)}"
        )
    filters: dict[str, Any] = {}
    if call_direction is not None:
        filters["call_direction"] = call_direction
    hint = "resume with: " + resume_command(
        state,
        since,
        until,
        {
            "--format": file_format.value,
            "--out": out,
            "--concurrency": concurrency,
            "--checkpoint": checkpoint,
            "--call-direction": None if call_direction is None else call_direction.value,
        },
    )
    bar = ProgressBar(stderr_console())

    async def main() -> ExportSummary:
        return await run_export(
            state,
            out,
            since=since,
            until=until,
            on_progress=None if state.json else bar.update,
            format=file_format.value,
            concurrency=concurrency,
            resume=resume,
            checkpoint_path=checkpoint,
            **filters,
        )

    try:
        if state.json:
            summary = run_async_raw(main)
        else:
            with bar:
                summary = run_async_raw(main)
    except KeyboardInterrupt:
        fail(
            CLIError(
                f"export interrupted after {bar.records:,} records",
                exit_code=EXIT_INTERRUPTED,
                hint=hint,
            )
        )
    except Exception as exc:
        if state.debug:
            print_traceback(exc)
        error = describe(leaf(exc))
        # A failure before any record (bad credentials, bad arguments) needs a fix, not a resume.
        error.hint = hint if bar.records and error.exit_code != EXIT_USAGE else ""
        fail(error)
    if state.json:
        print_json(summary_json(summary, since, until))
    else:
        show_lines(summary_lines(summary, since, until))


def run_async_raw(main: Callable[[], Any]) -> ExportSummary:
    """`anyio.run`, leaving interrupts and errors to the caller, which knows the resume hint."""
    import anyio

    result: ExportSummary = anyio.run(main)
    return result
