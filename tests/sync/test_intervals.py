"""Coverage arithmetic and the retention alarm: pure functions, exact."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from zentrunk_async.sync import retention_warning
from zentrunk_async.sync._check import day_windows
from zentrunk_async.sync._store import merge_intervals, subtract_interval, watermark_of

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def t(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def test_merge_joins_touching_and_overlapping() -> None:
    assert merge_intervals([(t(3), t(4)), (t(0), t(1)), (t(1), t(2)), (t(3.5), t(5))]) == [
        (t(0), t(2)),
        (t(3), t(5)),
    ]


def test_subtract_cuts_out_a_window() -> None:
    assert subtract_interval([(t(0), t(10))], (t(2), t(3))) == [(t(0), t(2)), (t(3), t(10))]
    assert subtract_interval([(t(0), t(1))], (t(2), t(3))) == [(t(0), t(1))]


@pytest.mark.parametrize(
    ("origin", "intervals", "expected"),
    [
        (None, [], None),
        (t(0), [], t(0)),
        (t(0), [(t(0), t(5))], t(5)),
        (t(0), [(t(1), t(5))], t(0)),  # the oldest shard is missing: nothing is safe yet
        (t(0), [(t(0), t(2)), (t(3), t(5))], t(2)),  # a gap stops the watermark
        (t(-24 * 100), [(t(-24 * 89.999), t(5))], t(5)),  # older than retention: the edge counts
    ],
)
def test_watermark_is_the_end_of_the_stretch_from_the_origin(
    origin: datetime | None, intervals: list[tuple[datetime, datetime]], expected: datetime | None
) -> None:
    assert watermark_of(origin, intervals, now=NOW) == expected


def test_retention_warning_thresholds() -> None:
    """Silent while far from the edge; a warning within N days; 'lost' past it."""
    assert retention_warning(t(-24 * 80), warn_days=7, now=NOW) is None
    near = retention_warning(t(-24 * 85), warn_days=7, now=NOW)
    assert near is not None
    assert "in 5.0 days" in near
    past = retention_warning(t(-24 * 91), warn_days=7, now=NOW)
    assert past is not None
    assert "lost for good" in past
    assert retention_warning(None, warn_days=7, now=NOW) is None


def test_day_windows_cut_at_utc_midnight() -> None:
    windows = day_windows(t(-13), t(30))
    assert windows[0] == (t(-13), datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert windows[-1][1] == t(30)
    assert [b for _, b in windows[:-1]] == [a for a, _ in windows[1:]]
    assert len(windows) == 3
