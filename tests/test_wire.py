"""to_wire/from_wire: records to and from the API's JSON without hand-written code."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from reference_bodies import LIVE_TRUNK_GET, PROD_CDR

from zentrunk_async import (
    CallRecord,
    InvalidArgumentError,
    ListMeta,
    Trunk,
    TrunkDirection,
    TrunkStatus,
    from_wire,
    to_wire,
)


def test_wire_cdr_round_trips_the_api_body() -> None:
    """A CDR read from the API's body writes back the same body, and json.dumps takes it."""
    record = from_wire(CallRecord, PROD_CDR)
    assert isinstance(record.total_amount, Decimal)
    assert record.end_time is not None
    assert record.end_time.tzinfo is timezone.utc
    assert to_wire(record) == PROD_CDR
    assert json.loads(json.dumps(to_wire(record))) == PROD_CDR


def test_wire_record_round_trips_through_json() -> None:
    """from_wire(cls, to_wire(record)) gives the record back, unknown values included."""
    trunk = Trunk(
        trunk_id="123",
        trunk_status=TrunkStatus.ENABLED,
        trunk_direction=TrunkDirection._from_wire("bidirectional"),
        secure=True,
        created_at=datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc),
        extra={"new_field": [1, 2]},
    )
    data = json.loads(json.dumps(to_wire(trunk)))
    assert data["created_at"] == "2024-05-01T12:30:00Z"
    assert data["trunk_direction"] == "bidirectional"
    assert data["new_field"] == [1, 2]
    back = from_wire(Trunk, data)
    assert back == trunk
    assert back.trunk_direction.known is False
    assert back.extra == {"new_field": [1, 2]}


def test_wire_reads_the_live_wrapped_trunk() -> None:
    """from_wire reads what the live API sends, "object" wrapper included (§3.4)."""
    trunk = from_wire(Trunk, LIVE_TRUNK_GET)
    assert trunk.trunk_direction is TrunkDirection.INBOUND


@pytest.mark.parametrize("value", [{"a": 1}, "text", None, ListMeta])
def test_wire_to_wire_refuses_what_is_not_a_record(value: object) -> None:
    """Only the package's records have a wire format."""
    with pytest.raises(InvalidArgumentError, match="not a zentrunk_async record class"):
        to_wire(value)


def test_wire_from_wire_refuses_a_class_that_is_not_a_record() -> None:
    with pytest.raises(InvalidArgumentError, match="not a zentrunk_async record class"):
        from_wire(dict, {})


@pytest.mark.parametrize(
    "data",
    [
        {k: v for k, v in PROD_CDR.items() if k != "call_uuid"},  # missing required field
        {**PROD_CDR, "total_amount": "a lot"},  # unparsable money
        {**PROD_CDR, "end_time": "yesterday"},  # unparsable time
        ["not", "a", "mapping"],
    ],
    ids=["missing", "money", "time", "list"],
)
def test_wire_from_wire_names_the_class_on_bad_data(data: object) -> None:
    """Malformed data fails with one error naming the record class, not a cattrs traceback."""
    with pytest.raises(InvalidArgumentError, match="cannot read a CallRecord"):
        from_wire(CallRecord, data)  # type: ignore[arg-type]
