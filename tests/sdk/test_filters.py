"""CDR filters: declared once, used by list and export, misspellings refused with the valid ones."""

from __future__ import annotations

import typing
from datetime import datetime, timezone

import pytest
import respx

from zentrunk_async import InvalidArgumentError, ZentrunkClient
from zentrunk_async._filters import (
    EXPORT_FILTERS,
    FILTERS,
    CallFilters,
    ExportFilters,
    call_query,
)

from .wire import ZT, list_body

pytestmark = pytest.mark.anyio


def test_sixteen_filters_and_the_export_takes_all_but_end_time() -> None:
    """One declaration: 16 list filters, the export's 11 are the same minus end_time ones."""
    assert len(FILTERS) == 16
    assert [f.name for f in FILTERS] == list(typing.get_type_hints(CallFilters))
    assert [f.name for f in EXPORT_FILTERS] == list(typing.get_type_hints(ExportFilters))
    assert {f.name for f in FILTERS} - {f.name for f in EXPORT_FILTERS} == {
        "end_time",
        "end_time__gt",
        "end_time__gte",
        "end_time__lt",
        "end_time__lte",
    }
    kinds = {f.name: f.kind for f in FILTERS}
    assert kinds["from_number"] == "number"
    assert kinds["call_direction"] == "choice"
    assert kinds["bill_duration__gte"] == "count"
    assert kinds["end_time__lt"] == "time"
    assert all(f.help for f in FILTERS)


def test_query_is_what_the_api_expects() -> None:
    """Digits without '+', enum values, counts and API times; None means not given."""
    query = call_query(
        {
            "from_number": "+1 415-555",
            "call_direction": "inbound",
            "bill_duration__gt": 60,
            "end_time__gte": datetime(2026, 9, 1, 2, tzinfo=timezone.utc),
            "end_time__lt": "2026-09-02 00:00",
            "to_number": None,
        }
    )
    assert query == {
        "from_number": "1415555",
        "call_direction": "inbound",
        "bill_duration__gt": "60",
        "end_time__gte": "2026-09-01 02:00:00",
        "end_time__lt": "2026-09-02 00:00",
    }


@pytest.mark.parametrize(
    "filters",
    [
        {"call_directon": "inbound"},
        {"bill_duration_gt": 3},
        {"end_time__gte": datetime(2026, 9, 1, tzinfo=timezone.utc)},  # not an export filter
    ],
)
def test_unknown_filters_are_refused_with_the_valid_ones(filters: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        call_query(filters, allowed=EXPORT_FILTERS)
    message = str(caught.value)
    assert next(iter(filters)) in message
    assert all(f.name in message for f in EXPORT_FILTERS)


async def test_list_and_export_refuse_a_misspelled_filter_before_any_request(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """calls.list(call_directon=...) and calls.export(...) raise at the call, nothing is sent."""
    route = router.get(ZT + "Call/").respond(200, json=list_body([], offset=0, total=0))
    with pytest.raises(InvalidArgumentError, match="valid filters: from_number"):
        zt.calls.list(call_directon="inbound")  # type: ignore[call-arg]
    with pytest.raises(InvalidArgumentError, match="call_directon"):
        zt.calls.export(
            datetime.now(timezone.utc).replace(day=1),
            call_directon="inbound",  # type: ignore[call-arg]
        )
    with pytest.raises(InvalidArgumentError, match="end_time__gte"):
        zt.calls.export(
            datetime.now(timezone.utc).replace(day=1),
            end_time__gte=datetime.now(timezone.utc),  # type: ignore[call-arg]
        )
    assert not route.called
