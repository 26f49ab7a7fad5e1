"""Shards: serialisable, tiling a span without gaps or overlaps, within the 90-day rule."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from zentrunk_async.export import MAX_SHARD_SPAN, Shard, plan_shards

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_shard_round_trips_through_json() -> None:
    """A shard is a plain work unit: to_dict → JSON → from_dict gives it back."""
    shard = Shard("MA1", T0, T0 + timedelta(days=3), (("call_direction", "inbound"),))
    assert Shard.from_dict(json.loads(json.dumps(shard.to_dict()))) == shard
    assert shard.query() == {
        "call_direction": "inbound",
        "end_time__gte": "2026-01-01 00:00:00",
        "end_time__lt": "2026-01-04 00:00:00",
    }


def test_long_spans_are_cut_within_the_api_window() -> None:
    """A 200-day span becomes shards of at most 89 days, newest first, tiling it exactly."""
    shards = plan_shards("MA1", T0, T0 + timedelta(days=200), {})
    assert all(s.end - s.start <= MAX_SHARD_SPAN for s in shards)
    assert shards[0].end == T0 + timedelta(days=200)
    assert shards[-1].start == T0
    assert all(newer.start == older.end for newer, older in itertools.pairwise(shards))


def test_done_intervals_are_left_out() -> None:
    """Resuming plans only the gaps between completed shards."""
    done = [(T0 + timedelta(days=1), T0 + timedelta(days=2)), (T0, T0 + timedelta(hours=5))]
    shards = plan_shards("MA1", T0, T0 + timedelta(days=3), {}, done=done)
    assert [(s.start, s.end) for s in shards] == [
        (T0 + timedelta(days=2), T0 + timedelta(days=3)),
        (T0 + timedelta(hours=5), T0 + timedelta(days=1)),
    ]


@given(seconds=st.integers(1, 10**7), parts=st.integers(1, 500))
def test_split_tiles_the_shard_in_whole_seconds(seconds: int, parts: int) -> None:
    """Splits never overlap, never leave a gap and never cut inside a second."""
    shard = Shard("MA1", T0, T0 + timedelta(seconds=seconds))
    pieces = shard.split(parts)
    assert 1 <= len(pieces) <= parts
    ordered = sorted(pieces, key=lambda s: s.start)
    assert ordered[0].start == shard.start
    assert ordered[-1].end == shard.end
    assert all(a.end == b.start for a, b in itertools.pairwise(ordered))
    assert all(p.start.microsecond == 0 and p.start < p.end for p in pieces)


def test_export_span_names_every_clamp() -> None:
    """since past the retention, until in the future and settle each move a bound, and say so."""
    from zentrunk_async._export.plan import export_span

    now = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
    span = export_span(
        now - timedelta(days=200), now + timedelta(days=1), timedelta(minutes=2), now=now
    )
    assert span.requested_since == now - timedelta(days=200)
    assert span.requested_until == now + timedelta(days=1)
    assert span.since == now - timedelta(days=90) + timedelta(minutes=1)
    assert span.until == now - timedelta(minutes=2)
    assert len(span.adjustments) == 3
    assert "retention" in span.adjustments[0]
    assert "future" in span.adjustments[1]
    assert "settle" in span.adjustments[2]
    plain = export_span(now - timedelta(days=3), now - timedelta(days=1), timedelta(0), now=now)
    assert plain.adjustments == ()
    assert (plain.since, plain.until) == (now - timedelta(days=3), now - timedelta(days=1))
