"""Records are plain attrs data; enums accept future values; the converter round-trips them."""

from datetime import timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zentrunk_async._convert import converter
from zentrunk_async._errors import InvalidArgumentError
from zentrunk_async._models import (
    CallDirection,
    CallRecord,
    HangupSource,
    StirVerification,
    TransportProtocol,
    Trunk,
    TrunkDirection,
    TrunkStatus,
    coerce_enum,
)


@pytest.mark.parametrize("value", ["outbound", TrunkDirection.OUTBOUND])
def test_coerce_enum_accepts_member_or_value(value: Any) -> None:
    """A member or its plain string value is returned as the member."""
    assert coerce_enum(TrunkDirection, value, field="trunk_direction") is TrunkDirection.OUTBOUND


@pytest.mark.parametrize("value", ["Outbound", "both", "", None, 1, TrunkStatus.ENABLED])
def test_coerce_enum_refuses_unknown_values(value: Any) -> None:
    """Anything else raises InvalidArgumentError (a ValueError) naming field and allowed values."""
    with pytest.raises(ValueError, match=r"trunk_direction.*'inbound', 'outbound'") as info:
        coerce_enum(TrunkDirection, value, field="trunk_direction")
    assert isinstance(info.value, InvalidArgumentError)


def test_stir_verification_values_keep_spaces() -> None:
    """Member names are identifiers; values are the API's spelled-out labels."""
    assert (
        coerce_enum(StirVerification, "Not Applicable", field="s")
        is StirVerification.NOT_APPLICABLE
    )
    assert [m.value for m in StirVerification] == ["Verified", "Not Verified", "Not Applicable"]


def test_call_record_is_mutable_and_slotted() -> None:
    """CDRs are not frozen (decode cost, performance-lab.md §3) and use slots."""
    assert not attrs.fields(CallRecord).call_uuid.on_setattr  # plain attribute
    assert "__dict__" not in dir(
        CallRecord(
            call_uuid="u",
            from_number="a",
            to_number="b",
            call_direction="inbound",
            call_duration=1,
            bill_duration=1,
        )
    )


def test_config_records_are_frozen_and_hashable() -> None:
    """Config records are frozen; extra is excluded from the hash so they stay hashable."""
    trunk = Trunk(
        trunk_id="1",
        trunk_status="enabled",
        trunk_direction="inbound",
        secure=False,
        extra={"new": [1]},
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        trunk.name = "x"  # type: ignore[misc]
    assert hash(trunk) == hash(attrs.evolve(trunk, extra={}))


# --- hypothesis round trips ---------------------------------------------------

utc_times = st.datetimes(timezones=st.just(timezone.utc))
whole_second_times = utc_times.map(lambda d: d.replace(microsecond=0))
money = st.decimals(allow_nan=False, allow_infinity=False, places=5)
text = st.text(max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)


def enum_or_str(enum_cls: Any) -> st.SearchStrategy[Any]:
    """A member, or the unknown member decoding gives for a value the API adds later."""
    return st.sampled_from(list(enum_cls)) | text.map(enum_cls._from_wire)


def extras(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    known = {f.name for f in attrs.fields(cls)} | {"object"}
    return st.dictionaries(text.filter(lambda k: k not in known), json_values, max_size=3)


call_records = st.builds(
    CallRecord,
    call_uuid=text,
    from_number=text,
    to_number=text,
    call_direction=enum_or_str(CallDirection),
    call_duration=st.integers(),
    bill_duration=st.integers(),
    call_id=st.none() | text,
    billed_duration=st.none() | st.integers(),
    initiation_time=st.none() | utc_times,
    answer_time=st.none() | utc_times,
    end_time=st.none() | utc_times,
    hangup_cause_name=st.none() | text,
    hangup_cause_code=st.none() | st.integers(),
    hangup_source=st.none() | enum_or_str(HangupSource),
    total_rate=st.none() | money,
    total_amount=st.none() | money,
    trunk_domain=st.none() | text,
    from_country=st.none() | text,
    to_country=st.none() | text,
    transport_protocol=st.none() | enum_or_str(TransportProtocol),
    srtp=st.none() | st.booleans(),
    secure_trunking=st.none() | st.booleans(),
    secure_trunking_rate=st.none() | money,
    stir_verification=st.none() | enum_or_str(StirVerification),
    attestation_indicator=st.none() | text,
    cnam_lookup=st.none() | st.booleans(),
    cnam_lookup_rate=st.none() | money,
    extra=extras(CallRecord),
)

trunks = st.builds(
    Trunk,
    trunk_id=text,
    trunk_status=enum_or_str(TrunkStatus),
    trunk_direction=enum_or_str(TrunkDirection),
    secure=st.booleans(),
    name=st.none() | text,
    trunk_domain=st.none() | text,
    ipacl_uuid=st.none() | text,
    credential_uuid=st.none() | text,
    primary_uri_uuid=st.none() | text,
    fallback_uri_uuid=st.none() | text,
    created_at=st.none() | whole_second_times,
    updated_at=st.none() | utc_times,
    extra=extras(Trunk),
)


@settings(max_examples=200, deadline=None)
@given(call_records)
def test_call_record_round_trip(record: CallRecord) -> None:
    """structure(unstructure(x)) == x for any CDR, unknown enum values and extra included."""
    assert converter.structure(converter.unstructure(record), CallRecord) == record


@settings(max_examples=200, deadline=None)
@given(trunks)
def test_trunk_round_trip(trunk: Trunk) -> None:
    """structure(unstructure(x)) == x for any trunk."""
    assert converter.structure(converter.unstructure(trunk), Trunk) == trunk


@given(money)
def test_money_written_without_exponent(amount: Decimal) -> None:
    """Money is written as a plain decimal string that reads back to the same value."""
    cdr = CallRecord(
        call_uuid="u",
        from_number="a",
        to_number="b",
        call_direction="inbound",
        call_duration=0,
        bill_duration=0,
        total_amount=amount,
    )
    written = converter.unstructure(cdr)["total_amount"]
    assert "E" not in written
    assert Decimal(written) == amount
