"""The column planner: what fits, at which width, never cutting an ID or a header."""

from __future__ import annotations

import pytest

from zentrunk_async.cli._table import GAP, plan_columns, whole

COLUMNS = ("call_uuid", "end_time", "from_number", "to_number", "call_direction", "name")
ROWS = [
    {
        "call_uuid": "a706dd2f-4d19-4e6f-8892-b50ed5eb409f",
        "end_time": "2026-11-29T23:51:23Z",
        "from_number": "+16041679215",
        "to_number": "+16466873081",
        "call_direction": "inbound",
        "name": "a rather long descriptive name that must fold",
    }
]


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 200])
def test_plan_fits_and_keeps_ids_and_headers_whole(width: int) -> None:
    shown, widths = plan_columns(ROWS, COLUMNS, width, keep="call_uuid")
    assert shown[0] == "call_uuid"
    assert sum(widths[name] for name in shown) + GAP * (len(shown) - 1) <= width
    for name in shown:
        assert widths[name] >= len(name)
        if whole(name):
            assert widths[name] >= max(len(row[name]) for row in ROWS)
    assert shown == [name for name in COLUMNS if name in shown]  # order kept


def test_wide_terminal_shows_everything_at_natural_width() -> None:
    shown, widths = plan_columns(ROWS, COLUMNS, 500, keep="call_uuid")
    assert shown == list(COLUMNS)
    assert widths["name"] == len(ROWS[0]["name"])


def test_a_narrow_later_column_fits_where_a_wide_one_did_not() -> None:
    shown, _ = plan_columns(ROWS, COLUMNS, 36 + 3 + 20 + 3 + 12 + 3 + 8, keep="call_uuid")
    assert shown == ["call_uuid", "end_time", "from_number", "name"]
