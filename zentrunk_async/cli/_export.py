"""``zentrunk calls export``: every CDR of a time span into a file (or stdout), with progress.

The bulk work (sharding the span, concurrency, checkpoints, verification)
is ``zentrunk_async.export``'s; this module adds what a shell needs: a
live progress bar, notes on anything the export changed (a clamped
window, a resume), a summary of the checks it did, and on Ctrl-C or a
failure the command that resumes. After a ``kill -9`` nothing needs
remembering: ``zentrunk calls export --out FILE --resume`` reads the
window, filters and format from the checkpoint beside FILE.
"""

from __future__ import annotations

import enum
import shlex
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import _models
from .._models import CallDirection
from ._common import open_client
from ._console import stderr_console
from ._errors import EXIT_INTERRUPTED, EXIT_USAGE, CLIError, describe, fail, leaf, print_traceback
from ._output import print_json, show_lines
from ._state import JsonFlag, State, state_of
from ._times import TIME_HELP, parse_time, show_time

if TYPE_CHECKING:
    from ..export import ExportProgress, ExportSummary

# The presentation half of the command, re-exported for `_demo` and `_verify`.
from ._export_view import EXIT_INCOMPLETE as EXIT_INCOMPLETE
from ._export_view import ProgressBar as ProgressBar
from ._export_view import incomplete_error, summary_json
from ._export_view import summary_lines as summary_lines


class ExportFormat(str, enum.Enum):
    jsonl = "jsonl"
    csv = "csv"
    jsonl_gz = "jsonl.gz"
    csv_gz = "csv.gz"


def resume_command(state: State, out: Path, words: list[str]) -> str:
    """The command line that picks this export up where it stopped."""
    line = ["zentrunk"]
    if state.base_url:
        line += ["--base-url", state.base_url]
    return shlex.join([*line, "calls", "export", *words, "--out", str(out), "--resume"])


def filter_help(name: str) -> str:
    from .._filters import FILTERS

    return next(f.help for f in FILTERS if f.name == name)


def register(calls_app: typer.Typer) -> None:
    from ._verify import calls_verify

    calls_app.command("export")(calls_export)
    calls_app.command("verify")(calls_verify)


def calls_export(
    ctx: typer.Context,
    out: Annotated[
        str,
        typer.Option(
            "--out",
            "-o",
            help="File to write ('-': standard output, no checkpoint).",
            show_default=False,
        ),
    ],
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            parser=parse_time,
            help=f"Oldest end_time (not needed with --resume). {TIME_HELP}",
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--until", parser=parse_time, help="end_time before this (default: now)."),
    ] = None,
    file_format: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            case_sensitive=False,
            help="File format (default: from the --out extension, else jsonl).",
            show_default=False,
        ),
    ] = None,
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
        bool,
        typer.Option(
            "--resume", help="Continue an interrupted export (its checkpoint has the rest)."
        ),
    ] = False,
    restart: Annotated[
        bool, typer.Option("--restart", help="Discard an interrupted export and start over.")
    ] = False,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair", help="Resume, pulling again only shards whose bytes are missing or altered."
        ),
    ] = False,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint", help="Checkpoint file (default: FILE.checkpoint.json).", dir_okay=False
        ),
    ] = None,
    keep_checkpoint: Annotated[
        bool, typer.Option("--keep-checkpoint", help="Keep the checkpoint of a finished export.")
    ] = False,
    settle: Annotated[
        float,
        typer.Option(
            "--settle",
            min=0.0,
            help="Leave out calls that ended in the last SECONDS (may still land).",
        ),
    ] = 0.0,
    max_shard_records: Annotated[
        int,
        typer.Option("--max-shard-records", min=1, help="Split shards holding more calls."),
    ] = 4000,
    call_direction: Annotated[
        CallDirection | None,
        typer.Option("--call-direction", help=filter_help("call_direction"), case_sensitive=False),
    ] = None,
    from_number: Annotated[
        str | None, typer.Option("--from-number", help=filter_help("from_number"))
    ] = None,
    to_number: Annotated[
        str | None, typer.Option("--to-number", help=filter_help("to_number"))
    ] = None,
    hangup_source: Annotated[
        _models.HangupSource | None,
        typer.Option("--hangup-source", help=filter_help("hangup_source"), case_sensitive=False),
    ] = None,
    hangup_cause_code: Annotated[
        int | None,
        typer.Option("--hangup-cause-code", help=filter_help("hangup_cause_code"), min=0),
    ] = None,
    stir_verification: Annotated[
        _models.StirVerification | None,
        typer.Option(
            "--stir-verification", help=filter_help("stir_verification"), case_sensitive=False
        ),
    ] = None,
    bill_duration: Annotated[
        int | None, typer.Option("--bill-duration", help=filter_help("bill_duration"), min=0)
    ] = None,
    bill_duration_gt: Annotated[
        int | None, typer.Option("--bill-duration-gt", help=filter_help("bill_duration__gt"), min=0)
    ] = None,
    bill_duration_gte: Annotated[
        int | None,
        typer.Option("--bill-duration-gte", help=filter_help("bill_duration__gte"), min=0),
    ] = None,
    bill_duration_lt: Annotated[
        int | None, typer.Option("--bill-duration-lt", help=filter_help("bill_duration__lt"), min=0)
    ] = None,
    bill_duration_lte: Annotated[
        int | None,
        typer.Option("--bill-duration-lte", help=filter_help("bill_duration__lte"), min=0),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Export every call that ended in [--since, --until) into a file, concurrently, resumably.

    The file appears under its name only when complete; meanwhile the calls
    are in FILE.part and the checkpoint in FILE.checkpoint.json. A finished
    export leaves FILE.manifest.json, which 'zentrunk calls verify FILE' reads.
    """
    state = state_of(ctx, json_flag)
    filters: dict[str, Any] = {
        name: value.value if isinstance(value, enum.Enum) else value
        for name, value in (
            ("call_direction", call_direction),
            ("from_number", from_number),
            ("to_number", to_number),
            ("hangup_source", hangup_source),
            ("hangup_cause_code", hangup_cause_code),
            ("stir_verification", stir_verification),
            ("bill_duration", bill_duration),
            ("bill_duration__gt", bill_duration_gt),
            ("bill_duration__gte", bill_duration_gte),
            ("bill_duration__lt", bill_duration_lt),
            ("bill_duration__lte", bill_duration_lte),
        )
        if value is not None
    }
    to_stdout = out == "-"
    if to_stdout and (resume or restart or repair or checkpoint or keep_checkpoint):
        raise typer.BadParameter(
            "--out - (standard output) has no checkpoint: --resume, --restart, --repair, "
            "--checkpoint and --keep-checkpoint need a file"
        )
    if since is None and not (resume or repair):
        raise typer.BadParameter(
            "--since is required (unless --resume reads it from the checkpoint)"
        )
    if since is not None and until is None and not (resume or repair):
        # Absolute now, so the resume hint means the same span (a resume reads its own).
        until = datetime.now(timezone.utc)
    if since is not None and until is not None and until <= since:
        raise typer.BadParameter(
            f"--until {show_time(until)} is not after --since {show_time(since)}"
        )
    console = stderr_console()

    def note(text: str) -> None:
        console.print(f"note: {text}", markup=False, highlight=False)

    options: dict[str, Any] = {
        "format": None if file_format is None else file_format.value,
        "concurrency": concurrency,
        "settle": timedelta(seconds=settle),
        "max_shard_records": max_shard_records,
        **filters,
    }
    bar = ProgressBar(console)
    on_progress = None if state.json else bar.update
    if to_stdout:
        note(
            "writing to standard output: there is no checkpoint, so an interrupted export "
            "starts over"
        )
        summary = _run(state, bar, lambda: _to_stdout(state, since, until, on_progress, options))
        for line in summary_lines(summary, *_window(summary)):
            console.print(line, markup=False, highlight=False)
        return
    path = Path(out)
    options.update(
        resume=resume,
        restart=restart,
        repair=repair,
        checkpoint_path=checkpoint,
        keep_checkpoint=keep_checkpoint,
        on_notice=note,
    )
    checkpoint_file = checkpoint or path.with_name(path.name + ".checkpoint.json")

    def hint() -> str:
        words = [] if checkpoint is None else ["--checkpoint", str(checkpoint)]
        if checkpoint_file.exists() or since is None or until is None:
            return "resume with: " + resume_command(state, path, words)
        bounds = ["--since", show_time(since), "--until", show_time(until)]
        return "resume with: " + resume_command(state, path, [*bounds, *words])

    summary = _run(
        state, bar, lambda: _to_file(state, path, since, until, on_progress, options), hint
    )
    if state.json:
        print_json(summary_json(summary, *_window(summary)))
    else:
        show_lines(summary_lines(summary, *_window(summary)))


def _window(summary: ExportSummary) -> tuple[datetime, datetime]:
    now = datetime.now(timezone.utc)
    return summary.since or now, summary.until or now


async def _to_file(
    state: State,
    out: Path,
    since: datetime | None,
    until: datetime | None,
    on_progress: Callable[[ExportProgress], None] | None,
    options: dict[str, Any],
) -> ExportSummary:
    from ..export import export_to_file

    async with open_client(state) as zt:
        return await export_to_file(
            zt, out, since=since, until=until, on_progress=on_progress, **options
        )


async def _to_stdout(
    state: State,
    since: datetime | None,
    until: datetime | None,
    on_progress: Callable[[ExportProgress], None] | None,
    options: dict[str, Any],
) -> ExportSummary:
    from ..export import export_to_stream

    assert since is not None  # checked with the flags
    async with open_client(state) as zt:
        return await export_to_stream(
            zt, sys.stdout.buffer, since=since, until=until, on_progress=on_progress, **options
        )


def _run(
    state: State,
    bar: ProgressBar,
    main: Callable[[], Any],
    hint: Callable[[], str] = lambda: "",
) -> ExportSummary:
    """Run the export with its bar; every way it can end becomes a line and an exit code."""
    from .._errors import InvalidArgumentError
    from ..export import IncompleteFileExportError

    try:
        if state.json:
            return run_async_raw(main)
        with bar:
            return run_async_raw(main)
    except KeyboardInterrupt:
        fail(
            CLIError(
                f"export interrupted after {bar.records:,} records",
                exit_code=EXIT_INTERRUPTED,
                hint=hint(),
            )
        )
    except Exception as exc:
        if state.debug:
            print_traceback(exc)
        error = leaf(exc)
        if isinstance(error, IncompleteFileExportError):
            fail(incomplete_error(error, hint()))
        if isinstance(error, InvalidArgumentError):
            # A refusal before any request (a checkpoint to resume, a file that does not
            # match it): its message already says which flag to add.
            fail(CLIError(str(error), exit_code=EXIT_USAGE))
        described = describe(error)
        # A failure before any record (bad credentials, bad arguments) needs a fix, not a resume.
        described.hint = hint() if bar.records and described.exit_code != EXIT_USAGE else ""
        fail(described)


def run_async_raw(main: Callable[[], Any]) -> ExportSummary:
    """`anyio.run`, leaving interrupts and errors to the caller, which knows the resume hint."""
    import anyio

    result: ExportSummary = anyio.run(main)
    return result
