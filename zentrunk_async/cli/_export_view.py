"""How ``calls export`` shows itself: the progress bar, the summary, an incomplete export."""

from __future__ import annotations

import shlex
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from ._errors import CLIError
from ._times import show_time

if TYPE_CHECKING:
    from ..export import ExportProgress, ExportSummary, IncompleteFileExportError

#: An export (or a verify) that ran but does not hold every call: not a usage or API error.
EXIT_INCOMPLETE = 3


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


def check_line(summary: ExportSummary) -> str:
    """The per-shard check the export did, in words."""
    expected = f"; the API counted {summary.expected:,}" if summary.expected is not None else ""
    return (
        f"  checked  {summary.shards:,} shards, each accepted only when its distinct calls "
        f"matched the API's total_count for its window{expected}"
    )


def summary_lines(summary: ExportSummary, since: datetime, until: datetime) -> list[str]:
    seconds = max(summary.elapsed, 1e-9)
    resumed = " (resumed from its checkpoint)" if summary.resumed else ""
    where = f" to {summary.path}" if summary.path is not None else " to standard output"
    lines = [
        f"Exported {summary.records:,} calls{resumed}{where}",
        f"  window   {show_time(summary.since or since)} .. {show_time(summary.until or until)}",
        check_line(summary),
        f"  pages    {summary.pages:,} in {summary.requests:,} requests",
        f"  time     {summary.elapsed:,.1f} s: {summary.records / seconds:,.0f} records/s, "
        f"{summary.pages / seconds:,.1f} pages/s",
    ]
    if summary.repaired:
        lines.append(f"  repair   {summary.repaired:,} shards pulled again")
    if summary.manifest_path is not None and summary.path is not None:
        lines.append(
            f"  manifest {summary.manifest_path} (check later: zentrunk calls verify "
            f"{shlex.quote(str(summary.path))})"
        )
    return lines


def summary_json(summary: ExportSummary, since: datetime, until: datetime) -> dict[str, Any]:
    return {
        "records": summary.records,
        "pages": summary.pages,
        "requests": summary.requests,
        "elapsed_seconds": round(summary.elapsed, 3),
        "path": None if summary.path is None else str(summary.path),
        "checkpoint_path": None
        if summary.checkpoint_path is None
        else str(summary.checkpoint_path),
        "manifest_path": None if summary.manifest_path is None else str(summary.manifest_path),
        "resumed": summary.resumed,
        "repaired_shards": summary.repaired,
        "shards_checked": summary.shards,
        "expected": summary.expected,
        "since": show_time(summary.since or since),
        "until": show_time(summary.until or until),
        "adjustments": list(summary.adjustments),
        "notices": list(summary.notices),
    }


def incomplete_error(error: IncompleteFileExportError, hint: str) -> CLIError:
    """Windows whose count never matched: the rest is saved, these are named with a retry."""
    windows = "; ".join(
        f"[{show_time(r.since)}, {show_time(r.until)}) API counts {r.expected:,}, "
        f"listed {r.found:,}"
        for r in error.residues
    )
    where = error.summary.path
    return CLIError(
        f"export incomplete: {len(error.residues)} window(s) never matched the API's count "
        f"({windows}); the other {error.exported:,} calls are in {where} (not under the final "
        "name) and those windows are not marked done in the checkpoint",
        exit_code=EXIT_INCOMPLETE,
        hint=hint.replace("resume with:", "retry just those windows with:"),
    )
