"""``zentrunk calls sync``: one run, --every until SIGTERM/SIGINT, --check with a gap, --strict."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from zentrunk_async.cli._app import app
from zentrunk_async.cli._sync import parse_interval
from zentrunk_async.testing import EmulatorServer

from .subproc import zentrunk_process

pytestmark = pytest.mark.zentrunk_emulator(calls=400, seed=3, rate_limit_requests=None)

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def _no_account_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN", "ZENTRUNK_BASE_URL", "ZENTRUNK_DB"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def zentrunk(zentrunk_emulator_server: EmulatorServer) -> Invoke:
    server = zentrunk_emulator_server

    def invoke(*args: str) -> Result:
        argv = ["--base-url", server.base_url, "--auth-id", server.auth_id, *args]
        env = {"COLUMNS": "240", "PLIVO_AUTH_TOKEN": server.auth_token}
        return CliRunner().invoke(app, argv, env=env)

    return invoke


def test_sync_writes_every_call_and_says_so(zentrunk: Invoke, tmp_path: Path) -> None:
    """First run: every call into the file; the summary names the count and the watermark."""
    db = tmp_path / "cdrs.db"
    result = zentrunk("calls", "sync", "--db", f"sqlite:///{db}", "--settle", "0")
    assert result.exit_code == 0, result.output
    assert "Synced 400 calls" in result.stdout
    assert "everything before" in result.stdout
    with closing(sqlite3.connect(db)) as conn, conn:
        assert conn.execute("SELECT count(DISTINCT call_uuid), count(*) FROM calls").fetchone() == (
            400,
            400,
        )
    again = zentrunk("calls", "sync", "--db", f"sqlite:///{db}", "--settle", "0", "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["complete"] is True
    assert summary["requests"] <= 2  # only the lookback
    assert summary["db"] == f"sqlite:///{db}"


def test_check_finds_a_gap_made_on_purpose_and_repair_fills_it(
    zentrunk: Invoke, tmp_path: Path
) -> None:
    """Rows of one day deleted behind the sync's back: --check names that day; --repair refills."""
    url = f"sqlite:///{tmp_path / 'cdrs.db'}"
    assert zentrunk("calls", "sync", "--db", url, "--settle", "0").exit_code == 0
    clean = zentrunk("calls", "sync", "--db", url, "--check")
    assert clean.exit_code == 0, clean.output
    assert "No gaps" in clean.stdout
    with closing(sqlite3.connect(tmp_path / "cdrs.db")) as conn, conn:
        (day, lost) = conn.execute(
            "SELECT substr(end_time, 1, 10), count(*) FROM calls GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
        conn.execute("DELETE FROM calls WHERE substr(end_time, 1, 10) = ?", (day,))
    found = zentrunk("calls", "sync", "--db", url, "--check", "--json")
    assert found.exit_code == 1
    report = json.loads(found.stdout)
    assert report["ok"] is False
    assert report["gaps"] == [
        {"day": day, "expected": lost, "stored": 0, "missing": lost, "extra": 0}
    ]
    assert report["expected"] - report["stored"] == lost
    repaired = zentrunk("calls", "sync", "--db", url, "--check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert f"gap {day}" in repaired.stdout
    assert repaired.stdout.rstrip().endswith("holds every call the API lists for these days.")
    with closing(sqlite3.connect(tmp_path / "cdrs.db")) as conn, conn:
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (400,)


def test_strict_exits_non_zero_on_a_retention_warning(zentrunk: Invoke, tmp_path: Path) -> None:
    """--warn-days beyond what is left makes every run warn; --strict turns that into exit 1."""
    url = f"sqlite:///{tmp_path / 'cdrs.db'}"
    lax = zentrunk("calls", "sync", "--db", url, "--warn-days", "95")
    assert lax.exit_code == 0, lax.output
    assert "90-day retention" in lax.stderr
    strict = zentrunk("calls", "sync", "--db", url, "--warn-days", "95", "--strict")
    assert strict.exit_code == 1
    assert "sync now" in strict.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--every", "soon"), "not an interval"),
        (("--every", "0"), "at least 1 second"),
        (("--repair",), "--repair goes with --check"),
        (("--db", "mysql://x"), "unknown store URL"),
        (("--since", "yesterday-ish"), "is not a time"),
    ],
)
def test_bad_options_are_usage_errors(
    zentrunk: Invoke, zentrunk_emulator_server: EmulatorServer, args: tuple[str, ...], message: str
) -> None:
    """Refused before any request, in the command line's words, exit 2."""
    result = zentrunk("calls", "sync", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert zentrunk_emulator_server.emulator.stats_dict()["requests"] == 0


def test_a_password_in_the_url_is_never_printed(zentrunk: Invoke) -> None:
    """An unreachable PostgreSQL URL fails in one line, without its password."""
    result = zentrunk(
        "calls", "sync", "--db", "postgresql://me:s3cret@127.0.0.1:1/nowhere", "--settle", "0"
    )
    assert result.exit_code == 1
    assert "cannot open the store PostgresStore('postgresql://me:***@127.0.0.1:1/nowhere')" in (
        result.stderr
    )
    assert "s3cret" not in result.output


def test_parse_interval_units() -> None:
    assert [parse_interval(v) for v in ("300", "30s", "5m", "1.5h", "1d")] == [
        300,
        30,
        300,
        5400,
        86400,
    ]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_every_stops_cleanly_on_a_signal(
    zentrunk_emulator_server: EmulatorServer, tmp_path: Path, signum: signal.Signals
) -> None:
    """--every keeps running; SIGTERM or SIGINT after a run ends it with exit 0 and a note."""
    url = f"sqlite:///{tmp_path / 'cdrs.db'}"
    process = zentrunk_process(
        zentrunk_emulator_server, "calls", "sync", "--db", url, "--every", "1h", "--settle", "0"
    )
    first_line: list[str] = []
    reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    reader.join(120)
    assert first_line, "no summary line from the first run"
    assert first_line[0].startswith("Synced 400 calls"), first_line
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"stopped by {signum.name} after 1 run(s)" in err
    with closing(sqlite3.connect(tmp_path / "cdrs.db")) as conn, conn:
        assert conn.execute("SELECT count(*) FROM calls").fetchone() == (400,)


def test_a_failed_run_still_warns_about_the_retention_edge(
    zentrunk: Invoke, zentrunk_emulator_server: EmulatorServer, tmp_path: Path
) -> None:
    """The store's last 85 days are unsynced and the API now fails: the error, then the alarm."""
    from datetime import datetime, timedelta, timezone

    import anyio

    from zentrunk_async.sync import SyncKey, open_store

    url = f"sqlite:///{tmp_path / 'cdrs.db'}"
    assert zentrunk("calls", "sync", "--db", url, "--settle", "0").exit_code == 0
    now = datetime.now(timezone.utc)

    async def lose_recent_days() -> None:
        async with open_store(url) as store:
            key = SyncKey(zentrunk_emulator_server.auth_id)
            await store.forget(key, (now - timedelta(days=85), now + timedelta(days=1)))

    anyio.run(lose_recent_days)
    zentrunk_emulator_server.emulator.set_faults(error_rate=1.0, error_status=400)
    result = zentrunk("calls", "sync", "--db", url, "--strict")
    assert result.exit_code == 1
    assert "API error" in result.stderr
    assert "leave the API's 90-day retention in 5.0 days" in result.stderr
