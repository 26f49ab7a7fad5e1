"""``zentrunk fleet sync|export``: many accounts, in this process or on a Dask cluster.

``--accounts FILE`` is JSON ``[{"auth_id": ..., "auth_token_env": ...}]``:
tokens stay in environment variables, read by whoever pulls the account.
Without ``--workers`` or ``--scheduler`` the fleet runs here; ``--workers N``
starts a `LocalCluster` of N processes; ``--scheduler ADDRESS`` uses a
running cluster (its workers need the same environment variables).
Exit 0 when every account is done, 1 when any failed (each one's error shown).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote

import typer

from .._errors import InvalidArgumentError
from ..fleet import (
    DEFAULT_ATTEMPTS,
    DEFAULT_MAX_ACCOUNTS,
    AccountProgress,
    AccountResult,
    AccountWork,
    ClientOptions,
    ExportJob,
    FleetSummary,
    Job,
    SyncJob,
    load_accounts,
    run_fleet,
)
from ..fleet._work import redact_db_url, split_db_password
from ._errors import EXIT_FAILURE, EXIT_USAGE, CLIError, fail, run_async
from ._output import print_json
from ._state import State, state_of
from ._times import TIME_HELP, parse_time

fleet_app = typer.Typer(help="Many accounts at once: sync or export each, here or on Dask.")

#: A running account's record count is printed at most this often.
PROGRESS_EVERY = 5.0

AccountsOption = Annotated[
    Path,
    typer.Option(
        "--accounts",
        metavar="FILE",
        help='JSON list of {"auth_id": ..., "auth_token_env": "ENV_VAR_NAME"}.',
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Run on a local Dask cluster of N worker processes."),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", metavar="ADDRESS", help="Run on the Dask cluster at ADDRESS."),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url", help="API root for every account (an emulator's, say)."),
]
MaxAccountsOption = Annotated[
    int,
    typer.Option("--max-accounts", min=1, help="Accounts pulled at once (per worker on Dask)."),
]
ConcurrencyOption = Annotated[
    int, typer.Option("--concurrency", min=1, max=64, help="Requests in flight per account.")
]
AttemptsOption = Annotated[
    int, typer.Option("--attempts", min=1, max=10, help="Tries per account on transient errors.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]


def register(app: typer.Typer) -> None:
    app.add_typer(fleet_app, name="fleet")


@fleet_app.command("sync")
def fleet_sync(
    ctx: typer.Context,
    accounts: AccountsOption,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            metavar="URL",
            help="sqlite:///file.db or postgresql://user@host:port/db (one store for all).",
            show_default=False,
        ),
    ],
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    base_url: BaseUrlOption = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since", parser=parse_time, help=f"First run's oldest end_time. {TIME_HELP}"
        ),
    ] = None,
    settle: Annotated[
        float, typer.Option("--settle", min=0, help="Seconds at the newest end left for later.")
    ] = 120.0,
    max_accounts: MaxAccountsOption = DEFAULT_MAX_ACCOUNTS,
    concurrency: ConcurrencyOption = 8,
    attempts: AttemptsOption = DEFAULT_ATTEMPTS,
    json_output: JsonOption = False,
) -> None:
    """Sync every account's CDRs into one store (each call stored once)."""
    state = state_of(ctx)
    job = SyncJob(db=db, settle=timedelta(seconds=settle))
    run(
        state,
        accounts,
        job,
        since=since,
        until=None,
        workers=workers,
        scheduler=scheduler,
        base_url=base_url,
        max_accounts=max_accounts,
        concurrency=concurrency,
        attempts=attempts,
        json_output=json_output,
    )


@fleet_app.command("export")
def fleet_export(
    ctx: typer.Context,
    accounts: AccountsOption,
    out_dir: Annotated[
        Path,
        typer.Option("--out-dir", metavar="DIR", help="One <auth_id>.<format> file per account."),
    ],
    since: Annotated[
        datetime,
        typer.Option("--since", parser=parse_time, help=f"end_time >= this. {TIME_HELP}"),
    ],
    until: Annotated[
        datetime | None,
        typer.Option("--until", parser=parse_time, help="end_time < this (default: now)."),
    ] = None,
    file_format: Annotated[
        str, typer.Option("--format", help="jsonl or csv.", show_default=True)
    ] = "jsonl",
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue each account from its checkpoint.")
    ] = False,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    base_url: BaseUrlOption = None,
    max_accounts: MaxAccountsOption = DEFAULT_MAX_ACCOUNTS,
    concurrency: ConcurrencyOption = 8,
    attempts: AttemptsOption = DEFAULT_ATTEMPTS,
    json_output: JsonOption = False,
) -> None:
    """Export every account's calls of [since, until) to its own file."""
    if file_format not in ("jsonl", "csv"):
        raise typer.BadParameter(f"{file_format!r} is not jsonl or csv", param_hint="'--format'")
    state = state_of(ctx)
    job = ExportJob(
        out_dir=str(out_dir.resolve()),
        format="csv" if file_format == "csv" else "jsonl",
        resume=resume,
    )
    run(
        state,
        accounts,
        job,
        since=since,
        until=until,
        workers=workers,
        scheduler=scheduler,
        base_url=base_url,
        max_accounts=max_accounts,
        concurrency=concurrency,
        attempts=attempts,
        json_output=json_output,
    )


def run(
    state: State,
    accounts_file: Path,
    job: Job,
    *,
    since: datetime | None,
    until: datetime | None,
    workers: int | None,
    scheduler: str | None,
    base_url: str | None,
    max_accounts: int,
    concurrency: int,
    attempts: int,
    json_output: bool,
) -> None:
    if workers is not None and scheduler is not None:
        raise typer.BadParameter(
            "give --workers or --scheduler, not both", param_hint="'--workers'"
        )
    try:
        accounts = load_accounts(accounts_file)
        work = [AccountWork(account, since=since, until=until) for account in accounts]
        options = ClientOptions(
            base_url=base_url or state.base_url,
            http=state.http,  # type: ignore[arg-type]
            concurrency=concurrency,
        )
    except InvalidArgumentError as exc:
        fail(CLIError(str(exc), exit_code=EXIT_USAGE))
    printer = _Printer(len(work))
    if workers is None and scheduler is None:

        async def main() -> FleetSummary:
            summary = await run_fleet(
                work,
                job,
                options=options,
                max_accounts=max_accounts,
                attempts=attempts,
                on_progress=lambda progress: printer.progress(progress, ""),
            )
            for result in summary.results:
                printer.result(result)
            return summary

        summary = run_async(main, debug=state.debug)
    else:
        summary = _on_dask(work, job, options, workers, scheduler, max_accounts, attempts, printer)
    _finish(summary, json_output)


def _on_dask(
    work: Sequence[AccountWork],
    job: Job,
    options: ClientOptions,
    workers: int | None,
    scheduler: str | None,
    max_accounts: int,
    attempts: int,
    printer: _Printer,
) -> FleetSummary:
    try:
        from ..distributed import ENV_DB_PASSWORD, connect, dashboard_link, local_cluster
        from ..distributed import run_on_dask as run_tasks
    except ImportError as exc:
        fail(CLIError(str(exc), exit_code=EXIT_USAGE))
    if isinstance(job, SyncJob) and workers is not None:
        # Our own workers inherit this environment: the password goes there, not in tasks.
        bare, password = split_db_password(job.db)
        if password is not None:
            os.environ[ENV_DB_PASSWORD] = unquote(password)
            job = SyncJob(db=bare, settle=job.settle, max_shard_records=job.max_shard_records)
    cluster: Callable[[], Any] = (
        (lambda: local_cluster(workers, accounts_per_worker=max_accounts))
        if workers is not None
        else (lambda: connect(str(scheduler)))
    )
    try:
        with cluster() as client:
            link = dashboard_link(client)
            where = f"{workers} local workers" if workers is not None else str(scheduler)
            typer.echo(f"fleet: {len(work)} accounts on Dask ({where})", err=True)
            if link:
                typer.echo(f"fleet: dashboard {link}", err=True)
            elif workers is not None:
                typer.echo(
                    "fleet: no dashboard (Dask serves one when bokeh is installed)", err=True
                )
            return run_tasks(
                client,
                work,
                job,
                options=options,
                attempts=attempts,
                on_progress=printer.progress,
                on_result=printer.result,
            )
    except InvalidArgumentError as exc:
        fail(CLIError(str(exc), exit_code=EXIT_USAGE))
    except OSError as exc:
        fail(CLIError(f"cannot reach the Dask scheduler: {exc}"))


class _Printer:
    """Per-account lines on stderr: started, every few seconds while running, and the end."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.finished = 0
        self._last: dict[str, float] = {}

    def progress(self, progress: AccountProgress, worker: str) -> None:
        now = time.monotonic()
        if progress.state != "running":
            return
        last = self._last.get(progress.auth_id)
        if last is not None and now - last < PROGRESS_EVERY:
            return
        self._last[progress.auth_id] = now
        on = f" on {worker}" if worker else ""
        retry = f", attempt {progress.attempt}" if progress.attempt > 1 else ""
        typer.echo(
            f"  {progress.auth_id}: running{on} ({progress.records:,} records{retry})", err=True
        )

    def result(self, result: AccountResult) -> None:
        self.finished += 1
        head = f"[{self.finished}/{self.total}] {result.auth_id}"
        if result.ok:
            typer.echo(f"{head}: done, {result.records:,} records", err=True)
        else:
            typer.echo(f"{head}: FAILED: {result.error}", err=True)


def _finish(summary: FleetSummary, json_output: bool) -> None:
    if json_output:
        print_json(
            {
                "done": len(summary.done),
                "failed": len(summary.failed),
                "records": summary.records,
                "elapsed": round(summary.elapsed, 3),
                "accounts": [
                    {
                        "auth_id": r.auth_id,
                        "ok": r.ok,
                        "records": r.records,
                        "attempts": r.attempts,
                        "error": r.error,
                    }
                    for r in summary.results
                ],
            }
        )
    typer.echo(
        f"fleet: {len(summary.done)} done, {len(summary.failed)} failed, "
        f"{summary.records:,} records written in {summary.elapsed:.1f} s",
        err=True,
    )
    for result in summary.failed:
        typer.echo(f"  failed {result.auth_id}: {result.error}", err=True)
    if summary.failed:
        raise typer.Exit(EXIT_FAILURE)


__all__ = ["fleet_app", "redact_db_url", "register"]
