"""``zentrunk calls export``: a file, a progress bar, a summary, and a resume hint when stopped."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from zentrunk_async.cli import _export

from .conftest import Invoke

pytestmark = pytest.mark.zentrunk_emulator(calls=400, rate_limit_requests=None)

SINCE = "100d"


def test_export_jsonl_with_summary(zentrunk: Invoke, tmp_path: Path) -> None:
    """Every call lands in the file once; the summary names records, pages and rate."""
    out = tmp_path / "calls.jsonl"
    result = zentrunk("calls", "export", "--since", SINCE, "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 400
    assert len({json.loads(line)["call_uuid"] for line in lines}) == 400
    assert f"Exported 400 calls to {out}" in result.stdout
    assert "records/s" in result.stdout
    assert "Exporting" in result.stderr  # the progress bar goes to stderr


def test_export_csv_json_summary(zentrunk: Invoke, tmp_path: Path) -> None:
    """--format csv writes a header and one row per call; --json prints the summary as JSON."""
    out = tmp_path / "calls.csv"
    result = zentrunk(
        "calls",
        "export",
        "--since",
        SINCE,
        "--until",
        "now",
        "--format",
        "csv",
        "--out",
        str(out),
        "--concurrency",
        "3",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records"] == 400
    assert summary["path"] == str(out)
    assert summary["resumed"] is False
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 400
    assert "call_uuid" in rows[0]


def test_export_naive_times_are_utc(zentrunk: Invoke, tmp_path: Path) -> None:
    """A time without an offset is UTC; the resolved window is echoed with 'Z'."""
    out = tmp_path / "calls.jsonl"
    until = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    result = zentrunk(
        "calls",
        "export",
        "--since",
        "2000-01-01",
        "--until",
        until.isoformat(),
        "--out",
        str(out),
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["since"] == "2000-01-01T00:00:00Z"
    assert summary["until"] == until.isoformat() + "Z"


def test_export_refuses_an_empty_window(zentrunk: Invoke, tmp_path: Path) -> None:
    result = zentrunk(
        "calls", "export", "--since", "now", "--until", "1d", "--out", str(tmp_path / "x")
    )
    assert result.exit_code == 2


def test_export_interrupted_prints_resume_hint(
    zentrunk: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C: exit code 130 and the exact command (absolute bounds, --resume) to continue."""

    async def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(_export, "run_export", interrupted)
    out = tmp_path / "calls.jsonl"
    result = zentrunk("calls", "export", "--since", "2024-01-01", "--out", str(out))
    assert result.exit_code == 130
    first, hint = result.stderr.strip().splitlines()[-2:]
    assert first.startswith("zentrunk: error: export interrupted after 0 records")
    assert hint.startswith("resume with: zentrunk --base-url http://127.0.0.1:")
    assert "calls export --since 2024-01-01T00:00:00Z --until 20" in hint
    assert hint.endswith(f"--format jsonl --out {out} --resume")


def test_export_resume_completes(zentrunk: Invoke, tmp_path: Path) -> None:
    """--resume on a finished export's file does not duplicate calls."""
    out = tmp_path / "calls.jsonl"
    until = datetime.now(timezone.utc).isoformat()
    argv = ("calls", "export", "--since", "2000-01-01", "--until", until, "--out", str(out))
    assert zentrunk(*argv).exit_code == 0
    again = zentrunk(*argv, "--resume", "--json")
    assert again.exit_code == 0, again.output
    assert len(out.read_text().splitlines()) == 400


def test_export_bad_credentials_has_no_resume_hint(zentrunk: Invoke, tmp_path: Path) -> None:
    result = zentrunk(
        "calls",
        "export",
        "--since",
        SINCE,
        "--out",
        str(tmp_path / "x.jsonl"),
        env={"PLIVO_AUTH_TOKEN": "wrong-token"},
    )
    assert result.exit_code == 1
    assert (
        result.stderr.strip().splitlines()[-1].startswith("zentrunk: error: authentication failed")
    )
    assert "resume with" not in result.stderr
