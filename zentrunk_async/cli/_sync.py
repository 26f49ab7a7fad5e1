"""``zentrunk calls sync``: keep every CDR in a database, once or every few minutes.

One run pulls what the store lacks (``zentrunk_async.sync.sync_once``);
``--every 5m`` repeats it until SIGINT or SIGTERM, which stop it cleanly: the
shard being committed finishes (or never starts), nothing is half-written,
and the exit code is 0. ``--check`` compares per-day counts with the API
instead of pulling; ``--repair`` then re-pulls the days that differ.
A cron line does the same job as ``--every``::

    */5 * * * *  zentrunk calls sync --db sqlite:////var/lib/zentrunk/cdrs.db --strict
"""

from __future__ import annotations

import os
import re
import signal
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import anyio
import typer

from .._models import CallDirection
from ._common import open_client
from ._errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CLIError,
    describe,
    fail,
    leaf,
    print_traceback,
)
from ._output import print_json
from ._state import JsonFlag, State, state_of
from ._times import TIME_HELP, parse_time, show_time

if TYPE_CHECKING:
    from ..sync import CheckResult, Store, SyncSummary

#: Where the store is when --db is not given (a file in the current directory otherwise).
ENV_DB = "ZENTRUNK_DB"

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: str) -> float:
    """``300``, ``30s``, ``5m``, ``1h``: seconds, at least one."""
    match = _INTERVAL.match(value)
    if not match:
        raise typer.BadParameter(f"{value!r} is not an interval: use e.g. 300, 30s, 5m or 1h")
    seconds = float(match.group(1)) * _SECONDS[match.group(2).lower()]
    if seconds < 1:
        raise typer.BadParameter("the interval must be at least 1 second")
    return seconds


def store_error(exc: BaseException) -> CLIError:
    """Store failures in plain words (exit 1); anything else as every command says it."""
    from ..sync import SchemaTooNewError, StoreError

    if isinstance(exc, (StoreError, SchemaTooNewError)):
        return CLIError(str(exc))
    if isinstance(exc, ImportError):
        return CLIError(str(exc), exit_code=EXIT_USAGE)
    return describe(exc)


def db_option_default() -> str:
    from ..sync import DEFAULT_DB_URL

    return os.environ.get(ENV_DB) or DEFAULT_DB_URL


def register(calls_app: typer.Typer) -> None:
    calls_app.command("sync")(calls_sync)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help=f"sqlite:///file.db or postgresql://user:pass@host:port/db "
        f"(default: ${ENV_DB}, else sqlite:///zentrunk-cdrs.db here).",
        show_default=False,
    ),
]


def calls_sync(
    ctx: typer.Context,
    db: DbOption = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            parser=parse_time,
            help=f"First run: oldest end_time to pull (default: the 90-day edge). {TIME_HELP}",
        ),
    ] = None,
    settle: Annotated[
        float,
        typer.Option("--settle", min=0, help="Seconds at the newest end left for the next run."),
    ] = 120.0,
    lookback: Annotated[
        float,
        typer.Option("--lookback", min=0, help="Seconds re-pulled before the newest synced call."),
    ] = 600.0,
    every: Annotated[
        str | None,
        typer.Option(
            "--every",
            metavar="INTERVAL",
            help="Repeat every INTERVAL (30s, 5m, 1h).",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Compare per-day counts with the API."),
    ] = False,
    repair: Annotated[
        bool, typer.Option("--repair", help="With --check: pull the days that differ again.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 when unsynced calls near the 90-day retention edge."),
    ] = False,
    warn_days: Annotated[
        float, typer.Option("--warn-days", min=0, help="Warn this many days before the edge.")
    ] = 7.0,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            min=1,
            max=64,
            help="Requests in flight (default: adaptive, enough to hold the paced rate).",
            show_default=False,
        ),
    ] = None,
    call_direction: Annotated[
        CallDirection | None, typer.Option("--call-direction", case_sensitive=False)
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Pull every call the database lacks (first run: back to --since or 90 days)."""
    state = state_of(ctx, json_flag)
    interval = parse_interval(every) if every is not None else None
    if repair and not check:
        raise typer.BadParameter("--repair goes with --check")
    url = db or db_option_default()
    from ..sync import store_for

    try:
        store_for(url)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from None
    filters: dict[str, Any] = {}
    if call_direction is not None:
        filters["call_direction"] = call_direction
    runner = _Runner(
        state,
        url,
        since=since,
        settle=timedelta(seconds=settle),
        lookback=timedelta(seconds=lookback),
        warn_days=warn_days,
        concurrency=concurrency,
        filters=filters,
        strict=strict,
    )
    try:
        code = anyio.run(runner.main, check, repair, interval)
    except KeyboardInterrupt:
        fail(
            CLIError(
                "interrupted; the store is consistent: run again to continue",
                exit_code=EXIT_INTERRUPTED,
            )
        )
    except Exception as exc:
        if state.debug:
            print_traceback(exc)
        fail(store_error(leaf(exc)))
    if code:
        raise typer.Exit(code)


class _Runner:
    """One command's work: open the client and the store once, then sync/check (repeatedly)."""

    def __init__(self, state: State, url: str, *, strict: bool, **options: Any) -> None:
        self.state = state
        self.url = url
        self.strict = strict
        self.options = options
        self.runs = 0

    async def main(self, check: bool, repair: bool, every: float | None) -> int:
        from ..sync import open_store

        async with open_client(self.state) as zt, open_store(self.url) as store:
            if every is None and not check:
                return await self._stoppable(lambda: self._sync(zt, store), single=True)
            if check:
                return await self._check(zt, store, repair)
            return await self._stoppable(lambda: self._forever(zt, store, every), single=False)

    async def _stoppable(self, work: Any, *, single: bool) -> int:
        """Run `work` until it ends or SIGINT/SIGTERM arrives; a signal stops it cleanly."""
        outcome: list[int] = []
        stopped: list[str] = []
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with anyio.create_task_group() as tg:

                async def run() -> None:
                    outcome.append(await work())
                    tg.cancel_scope.cancel()

                async def watch() -> None:
                    async for signum in signals:
                        stopped.append(signal.Signals(signum).name)
                        tg.cancel_scope.cancel()
                        return

                tg.start_soon(watch)
                tg.start_soon(run)
        if stopped:
            note = f"stopped by {stopped[0]} after {self.runs} run(s); the store is consistent"
            typer.echo(f"zentrunk: {note}", err=True)
            return EXIT_INTERRUPTED if single else 0
        return outcome[0] if outcome else 0

    async def _forever(self, zt: Any, store: Store, every: float | None) -> int:
        """Sync every `every` seconds; a failed run is reported and the next one tries again.

        With --strict the first run that fails or warns ends the loop (exit 1):
        a supervisor then sees the problem instead of a process that looks healthy.
        """
        assert every is not None
        while True:
            try:
                code = await self._sync(zt, store)
            except Exception as exc:
                if self.strict:
                    raise
                error = describe(leaf(exc))
                typer.echo(f"zentrunk: error: {error.message}; retrying in {every:g} s", err=True)
                code = 0
            if code and self.strict:
                return code
            await anyio.sleep(every)

    async def _sync(self, zt: Any, store: Store) -> int:
        from ..sync import sync_once

        o = self.options
        try:
            summary = await sync_once(
                zt,
                store,
                o["since"],
                o["settle"],
                lookback=o["lookback"],
                concurrency=o["concurrency"],
                warn_days=o["warn_days"],
                **o["filters"],
            )
        except Exception:
            # The run failed, but what the store already holds may be near the edge.
            with anyio.CancelScope(shield=True):
                await self._warn_from_store(zt, store)
            raise
        self.runs += 1
        self._show_summary(summary)
        if not summary.complete:
            return EXIT_FAILURE
        if summary.retention_warning and self.strict:
            return EXIT_FAILURE
        return 0

    async def _warn_from_store(self, zt: Any, store: Store) -> None:
        from ..sync import retention_warning, sync_key
        from ..sync._store import watermark_of

        try:
            key = sync_key(zt, **self.options["filters"])
            moment = watermark_of(await store.origin(key), await store.intervals(key))
        except Exception:  # the store itself may be what failed
            return
        warning = retention_warning(moment, warn_days=self.options["warn_days"])
        if warning:
            typer.echo(f"zentrunk: warning: {warning}", err=True)

    def _show_summary(self, s: SyncSummary) -> None:
        from ..sync._open import redact_url

        if self.state.json:
            print_json(
                {
                    "written": s.written,
                    "shards": s.shards,
                    "pages": s.pages,
                    "requests": s.requests,
                    "elapsed_seconds": round(s.elapsed, 3),
                    "since": show_time(s.since),
                    "watermark": None if s.watermark is None else show_time(s.watermark),
                    "complete": s.complete,
                    "residues": [
                        {
                            "since": show_time(r.since),
                            "until": show_time(r.until),
                            "expected": r.expected,
                            "found": r.found,
                        }
                        for r in s.residues
                    ],
                    "retention_warning": s.retention_warning,
                    "db": redact_url(self.url),
                }
            )
        else:
            watermark = "none" if s.watermark is None else show_time(s.watermark)
            typer.echo(
                f"Synced {s.written:,} calls in {s.shards:,} shards ({s.requests:,} requests, "
                f"{s.elapsed:,.1f} s) into {redact_url(self.url)}; everything before "
                f"{watermark} is stored"
            )
        for r in s.residues:
            typer.echo(
                f"zentrunk: warning: [{show_time(r.since)}, {show_time(r.until)}) never matched "
                f"its count (API {r.expected}, listed {r.found}); the next run pulls it again",
                err=True,
            )
        if s.retention_warning:
            typer.echo(f"zentrunk: warning: {s.retention_warning}", err=True)

    async def _check(self, zt: Any, store: Store, repair: bool) -> int:
        from ..sync import check_store

        filters = self.options["filters"]
        result = await check_store(zt, store, repair=repair, **filters)
        self._show_check(result)
        if result.ok:
            return 0
        if not repair:
            return EXIT_FAILURE
        await self._sync(zt, store)
        again = await check_store(zt, store, **filters)
        self._show_check(again)
        return 0 if again.ok else EXIT_FAILURE

    def _show_check(self, r: CheckResult) -> None:
        if self.state.json:
            print_json(
                {
                    "ok": r.ok,
                    "since": None if r.since is None else show_time(r.since),
                    "until": None if r.until is None else show_time(r.until),
                    "days": len(r.days),
                    "expected": r.expected,
                    "stored": r.stored,
                    "repaired": r.repaired,
                    "gaps": [
                        {
                            "day": d.day,
                            "expected": d.expected,
                            "stored": d.stored,
                            "missing": d.missing,
                            "extra": d.extra,
                        }
                        for d in r.gaps
                    ],
                }
            )
            return
        if r.since is None:
            typer.echo("Nothing synced yet for this account and filters: nothing to check.")
            return
        typer.echo(
            f"Checked {len(r.days)} days ({show_time(r.since)} .. "
            f"{show_time(r.until or r.since)}): "
            f"API {r.expected:,} calls, store {r.stored:,}"
        )
        for d in r.gaps:
            what = f"{d.missing:,} missing" if d.missing else f"{d.extra:,} extra"
            typer.echo(f"  gap {d.day}: API {d.expected:,}, store {d.stored:,} ({what})")
        if r.ok:
            typer.echo("No gaps: the store holds every call the API lists for these days.")
        elif r.repaired:
            typer.echo("Those days are marked unsynced; pulling them again.")
