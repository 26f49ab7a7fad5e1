"""``zentrunk report``: table, JSON, CSV and charts from a synced store, without any API call."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import anyio
import pytest
from typer.testing import CliRunner, Result

from zentrunk_async.cli._app import app
from zentrunk_async.sync import SyncKey, open_store

from .test_report import DAY1, DAY2, HAND


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cdrs.db'}"

    async def seed() -> None:
        async with open_store(url) as store:
            await store.commit_shard(SyncKey("MA1"), HAND, (DAY1, DAY2 + timedelta(days=1)))

    anyio.run(seed)
    return url


def zentrunk(*args: str) -> Result:
    # No credentials at all: a report reads only the database.
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "240", "PLIVO_AUTH_TOKEN": ""})


def test_json_rows_have_the_promised_fields(db: str) -> None:
    """-o json: day, trunk_id, calls, answered, asr, acd, billed_minutes, cost (a string)."""
    result = zentrunk("report", "--db", db, "-o", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert list(rows[0]) == [
        "day",
        "trunk_id",
        "calls",
        "answered",
        "asr",
        "acd",
        "billed_minutes",
        "cost",
    ]
    assert rows[0]["cost"] == "0.05400"
    assert rows[0]["day"] == "2026-09-18"


def test_csv_and_grouping(db: str) -> None:
    """-o csv --by country,cause: a header, then one row per group."""
    result = zentrunk("report", "--db", db, "-o", "csv", "--by", "country,cause")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0].keys() >= {"country", "hangup_cause_code", "hangup_cause_name", "asr"}
    assert sum(int(r["calls"]) for r in rows) == 5


def test_table_shows_rates_and_top_causes(db: str) -> None:
    result = zentrunk("report", "--db", db, "--since", "2026-09-18", "--until", "2026-09-19")
    assert result.exit_code == 0, result.output
    assert "66.7%" in result.stdout  # ASR of trunk 1 on day 1
    assert "Top hangup causes" in result.stdout
    assert "Busy" in result.stdout  # 4410's meaning, from Zentrunk's table
    assert "2026-09-19" not in result.stdout


@pytest.mark.parametrize("suffix", [".png", ".html"])
def test_chart_files(db: str, tmp_path: Path, suffix: str) -> None:
    """--chart FILE.png draws a PNG; FILE.html a page with the PNG embedded and the numbers."""
    pytest.importorskip("matplotlib", reason="charts need the 'report' extra")
    chart = tmp_path / f"calls{suffix}"
    result = zentrunk("report", "--db", db, "--chart", str(chart))
    assert result.exit_code == 0, result.output
    if suffix == ".png":
        assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    else:
        page = chart.read_text()
        assert "data:image/png;base64," in page
        assert page.count("<tr>") == 1 + 2  # header + two days


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--by", "weekday"), "unknown grouping"),
        (("--chart", "calls.svg"), ".png or .html"),
        (("--since", "2026-09-19", "--until", "2026-09-18"), "after --since"),
    ],
)
def test_bad_options(db: str, args: tuple[str, ...], message: str) -> None:
    result = zentrunk("report", "--db", db, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_database(tmp_path: Path) -> None:
    result = zentrunk("report", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert result.exit_code == 2
    assert "run 'zentrunk calls sync' first" in result.output
    assert not (tmp_path / "none.db").exists()
