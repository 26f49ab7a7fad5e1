"""The converter decodes the reference's verbatim bodies and writes them back unchanged."""

import copy
import pickle
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import cattrs
import pytest
from reference_bodies import LIVE_TRUNK_GET, PROD_CDR

from zentrunk_async._convert import DECODE_ERRORS, converter, make_converter, structure_page
from zentrunk_async._models import (
    CallDirection,
    CallInsights,
    CallParty,
    CallRecord,
    Credential,
    CredentialCreated,
    CredentialUpdated,
    HangupSource,
    IPAccessControlList,
    IPAccessControlListCreated,
    IPAccessControlListUpdated,
    ListMeta,
    NumberUpdated,
    OriginationURI,
    OriginationURICreated,
    OriginationURIUpdated,
    Page,
    StirVerification,
    TransportProtocol,
    Trunk,
    TrunkCreated,
    TrunkDirection,
    TrunkStatus,
    TrunkUpdated,
)

strict = make_converter(strict=True)
UTC = timezone.utc
API_ID = "4e1f954c-baf3-11ec-bafe-0242ac110003"
UUID = "f19c4773-4ae6-4b75-92ea-9cf3ea4227d6"

# §3.4, documented flat shape.
DOC_TRUNK = {
    "name": "trunk_name_1",
    "trunk_id": "21784177241578",
    "trunk_domain": "21784177241578.zt.plivo.com",
    "trunk_status": "enabled",
    "secure": True,
    "trunk_direction": "outbound",
    "ipacl_uuid": "90b6eb07-796c-4d86-a4fd-44ed11667ddb",
    "credential_uuid": "eb07-796c-4d86-a4fd-44ed11667ddb",
    "primary_uri_uuid": None,
    "fallback_uri_uuid": None,
}

# §3.5 list envelope.
TRUNK_LIST = {
    "api_id": "a04ad809-3b78-4bbe-9baf-acfc7800b10f",
    "meta": {
        "limit": 2,
        "offset": 0,
        "total_count": 10,
        "previous": None,
        "next": "v1/Account/{auth_id}/Zentrunk/Trunk/?limit=2&offset=2",
    },
    "objects": [DOC_TRUNK],
}

# §7.3 docs list example: its object is abbreviated.
DOC_CDR_LIST = {
    "api_id": "a04ad809-3b78-4bbe-9baf-acfc7800b10f",
    "meta": {"limit": 20, "offset": 0, "total_count": 2, "previous": None, "next": None},
    "objects": [
        {
            "call_uuid": "90b6eb07-796c-4d86-a4fd-44ed11667ddb",
            "from_number": "+12025551111",
            "to_number": "+13128574907",
            "call_direction": "outbound",
            "call_duration": 180,
            "bill_duration": 180,
            "stir_verification": "Verified",
            "attestation_indicator": "A",
        }
    ],
}

# §8.
INSIGHTS = {
    "api_id": "a63df7e3-9f24-4aae-2152-dc8f92548290",
    "call_uuid": "c9d6be3d-94c3-4b38-a2eb-8063ca404d77",
    "from": {"carrier": "Verizon Wireless", "number": "+12025551234", "region": "US"},
    "to": {"carrier": "AT&T", "number": "+13128574907", "region": "US"},
    "hangup_cause": "normal_hangup",
    "hangup_source": "customer",
    "rtt": "24",
    "jitter": "3",
    "packet_loss": "0",
    "post_dial_delay": 1000.0,
    "plivo_quality_score": "4.2",
}

CREDENTIAL = {"credential_uuid": UUID, "name": "my-credentials", "username": "sip_user_1"}
IPACL = {
    "ipacl_uuid": UUID,
    "name": "production-servers",
    "ip_addresses": ["192.168.1.1", "192.168.1.2"],
}
URI = {
    "uri_uuid": UUID,
    "name": "primary-pbx",
    "uri": "sip.example.com:5060",
    "authentication_needed": True,
    "username": "plivo_inbound",
}

WRITE_RESPONSES = [
    (
        TrunkCreated,
        {
            "api_id": API_ID,
            "message": "Trunk created successfully.",
            "trunk_id": "986908123123411213",
        },
    ),
    (
        TrunkUpdated,
        {
            "api_id": API_ID,
            "message": "Trunk updated successfully.",
            "trunk_id": "986908123123411213",
        },
    ),
    (
        CredentialCreated,
        {"api_id": API_ID, "message": "credential created successfully.", "credential_uuid": UUID},
    ),
    (
        CredentialUpdated,
        {"api_id": API_ID, "message": "Credential updated successfully.", "credential_uuid": UUID},
    ),
    (
        IPAccessControlListCreated,
        {
            "api_id": API_ID,
            "message": "IP access control list created successfully.",
            "ipacl_uuid": UUID,
        },
    ),
    (
        IPAccessControlListUpdated,
        {
            "api_id": API_ID,
            "message": "IP access control list updated successfully.",
            "ipacl_uuid": UUID,
        },
    ),
    (
        OriginationURICreated,
        {"api_id": API_ID, "message": "Origination URI created successfully.", "uri_uuid": UUID},
    ),
    (
        OriginationURIUpdated,
        {"api_id": API_ID, "message": "origination uri updated successfully.", "uri_uuid": UUID},
    ),
    (NumberUpdated, {"message": "changed", "api_id": "5a9fcb68-582d-11e1-86da-6ff39efcb949"}),
]

# Flat bodies that must come back byte-for-byte equal after a round trip.
VERBATIM = [
    (Trunk, DOC_TRUNK),
    (Trunk, LIVE_TRUNK_GET["object"]),
    (CallRecord, PROD_CDR),
    (CallInsights, INSIGHTS),
    (Credential, CREDENTIAL),
    (IPAccessControlList, IPACL),
    (OriginationURI, URI),
    (Page[Trunk], TRUNK_LIST),
    *WRITE_RESPONSES,
]


@pytest.mark.parametrize("conv", [converter, strict], ids=["lenient", "strict"])
@pytest.mark.parametrize(("cls", "body"), VERBATIM)
def test_convert_verbatim_body_round_trips(conv: cattrs.Converter, cls: Any, body: Any) -> None:
    """Every verbatim body decodes under both converters and unstructures back to itself."""
    original = copy.deepcopy(body)
    record = conv.structure(body, cls)
    assert conv.unstructure(record) == original
    assert body == original  # decoding never mutates the input


def test_convert_live_trunk_get_is_unwrapped() -> None:
    """The live trunk GET's "object" wrapper is removed; its api_id is kept in extra."""
    trunk = strict.structure(LIVE_TRUNK_GET, Trunk)
    assert trunk.trunk_id == "42741122632602585"
    assert trunk.trunk_status is TrunkStatus.ENABLED
    assert trunk.trunk_direction is TrunkDirection.INBOUND
    assert trunk.created_at == datetime(2026, 8, 23, 19, 57, 52, tzinfo=UTC)
    assert trunk.extra == {"api_id": LIVE_TRUNK_GET["api_id"]}
    assert converter.unstructure(trunk) == {
        "api_id": LIVE_TRUNK_GET["api_id"],
        **LIVE_TRUNK_GET["object"],
    }


def test_convert_flat_trunk_with_object_field_is_not_unwrapped() -> None:
    """A flat trunk carrying a future "object" field stays flat; the field goes to extra."""
    trunk = converter.structure({**DOC_TRUNK, "object": {"x": 1}}, Trunk)
    assert trunk.trunk_id == DOC_TRUNK["trunk_id"]
    assert trunk.extra == {"object": {"x": 1}}


def test_convert_documented_trunk_has_no_times() -> None:
    """The documented trunk lacks created_at/updated_at: they are None, not an error."""
    trunk = strict.structure(DOC_TRUNK, Trunk)
    assert trunk.created_at is None
    assert trunk.updated_at is None
    assert trunk.secure is True


def test_convert_production_cdr_types() -> None:
    """CDR times become aware UTC datetimes, money Decimal, enums their members."""
    cdr = strict.structure(PROD_CDR, CallRecord)
    assert cdr.answer_time == datetime(2026, 9, 18, 8, 51, 54, tzinfo=UTC)
    assert cdr.end_time is not None
    assert cdr.end_time.tzinfo is UTC
    assert cdr.total_rate == Decimal("0.00280")
    assert str(cdr.total_amount) == "0.00280"
    assert cdr.call_direction is CallDirection.INBOUND
    assert cdr.hangup_source is HangupSource.CARRIER
    assert cdr.transport_protocol is TransportProtocol.TCP
    assert cdr.stir_verification is StirVerification.NOT_VERIFIED
    assert cdr.hangup_cause_code == 3000
    assert cdr.cnam_lookup is False
    assert cdr.extra == {}


def test_convert_abbreviated_docs_cdr_list_decodes() -> None:
    """The docs' abbreviated list example decodes; absent optional fields are None."""
    page = strict.structure(DOC_CDR_LIST, Page[CallRecord])
    assert page.meta == ListMeta(limit=20, offset=0, total_count=2, next=None, previous=None)
    (cdr,) = page.objects
    assert cdr.stir_verification is StirVerification.VERIFIED
    assert cdr.attestation_indicator == "A"
    assert cdr.end_time is None
    assert cdr.answer_time is None
    assert cdr.total_amount is None
    # CDRs always write every column (stable JSONL schema): absent fields come back as null.
    out = converter.unstructure(cdr)
    assert {k: v for k, v in out.items() if v is not None} == DOC_CDR_LIST["objects"][0]


def test_convert_answer_time_null_is_none() -> None:
    """An unanswered call's null answer_time is None."""
    assert converter.structure({**PROD_CDR, "answer_time": None}, CallRecord).answer_time is None


def test_convert_insights_numbers() -> None:
    """Insights' numeric strings become floats; "from" is from_; score "0" is 0.0."""
    insights = strict.structure({**INSIGHTS, "plivo_quality_score": "0"}, CallInsights)
    assert insights.from_ == CallParty("Verizon Wireless", "+12025551234", "US")
    assert insights.to is not None
    assert insights.to.carrier == "AT&T"
    assert (insights.rtt, insights.jitter, insights.packet_loss) == (24.0, 3.0, 0.0)
    assert insights.post_dial_delay == 1000.0
    assert insights.plivo_quality_score == 0.0
    assert insights.hangup_source is HangupSource.CUSTOMER
    assert converter.unstructure(insights)["plivo_quality_score"] == "0"


def test_convert_number_updated() -> None:
    """The number-routing response decodes to NumberUpdated."""
    res = strict.structure({"message": "changed", "api_id": "5a9f"}, NumberUpdated)
    assert (res.message, res.api_id) == ("changed", "5a9f")


@pytest.mark.parametrize(
    ("cls", "body"),
    [
        (Trunk, DOC_TRUNK),
        (CallRecord, PROD_CDR),
        (CallInsights, INSIGHTS),
        (Credential, CREDENTIAL),
        (TrunkCreated, WRITE_RESPONSES[0][1]),
        (ListMeta, TRUNK_LIST["meta"]),
    ],
)
def test_convert_unknown_fields_kept_in_extra(cls: Any, body: dict[str, Any]) -> None:
    """Unknown fields land in extra (never an error, never dropped) and round-trip."""
    wire = {**body, "codec": "PCMU", "mos": {"score": 4.1}}
    record = converter.structure(wire, cls)
    assert record.extra == {"codec": "PCMU", "mos": {"score": 4.1}}
    assert converter.unstructure(record) == wire


def test_convert_page_unknown_top_level_keys_kept() -> None:
    """Unknown keys of the list envelope are kept on the page."""
    page = structure_page({**DOC_CDR_LIST, "cursor": "abc"}, CallRecord)
    assert page.extra == {"cursor": "abc"}
    assert page.api_id == DOC_CDR_LIST["api_id"]
    assert converter.unstructure(page)["cursor"] == "abc"


ENUM_OF = {
    "trunk_status": TrunkStatus,
    "trunk_direction": TrunkDirection,
    "hangup_source": HangupSource,
    "stir_verification": StirVerification,
    "transport_protocol": TransportProtocol,
    "call_direction": CallDirection,
}


@pytest.mark.parametrize(
    ("cls", "field", "value"),
    [
        (Trunk, "trunk_status", "suspended"),
        (Trunk, "trunk_direction", "bidirectional"),
        (CallRecord, "hangup_source", "network"),
        (CallRecord, "stir_verification", "not applicable"),  # legacy lower case (§7.2)
        (CallRecord, "transport_protocol", "wss"),
        (CallRecord, "call_direction", "internal"),
    ],
)
def test_convert_unknown_enum_value_survives(cls: Any, field: str, value: str) -> None:
    """A value outside the enum decodes as an unknown member that keeps it, and is written back."""
    body = {**(DOC_TRUNK if cls is Trunk else PROD_CDR), field: value}
    record = converter.structure(body, cls)
    member = getattr(record, field)
    assert member == value
    assert str(member) == value
    assert type(member) is ENUM_OF[field]
    assert member.known is False
    assert pickle.loads(pickle.dumps(record)) == record  # Dask and multiprocessing pickle records
    assert converter.unstructure(record) == body
    with pytest.raises(DECODE_ERRORS):
        strict.structure(body, cls)


def test_convert_enum_members_compare_with_strings() -> None:
    """Members equal their wire strings and print as them (httpx uses str() for params)."""
    assert TrunkDirection.INBOUND == "inbound"
    assert str(StirVerification.NOT_APPLICABLE) == "Not Applicable"
    assert f"{TrunkStatus.DISABLED}" == "disabled"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-18 08:52:26", datetime(2026, 9, 18, 8, 52, 26, tzinfo=UTC)),
        ("2026-09-18 08:52:26.123456", datetime(2026, 9, 18, 8, 52, 26, 123456, tzinfo=UTC)),
        ("2026-08-23T19:57:52Z", datetime(2026, 8, 23, 19, 57, 52, tzinfo=UTC)),
        ("2026-08-23T21:57:52+02:00", datetime(2026, 8, 23, 19, 57, 52, tzinfo=UTC)),
    ],
)
def test_convert_times_become_aware_utc(text: str, expected: datetime) -> None:
    """Naive CDR times are UTC; Z and offsets are converted to UTC."""
    value = converter.structure({**PROD_CDR, "end_time": text}, CallRecord).end_time
    assert value == expected
    assert value is not None
    assert value.tzinfo is UTC


def test_convert_times_written_in_each_records_format() -> None:
    """CDRs write "YYYY-MM-DD HH:MM:SS[.ffffff]"; trunks write ISO-8601 with Z."""
    moment = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
    cdr = converter.structure(PROD_CDR, CallRecord)
    cdr.end_time = moment
    assert converter.unstructure(cdr)["end_time"] == "2026-01-02 03:04:05.600000"
    trunk = Trunk(
        trunk_id="1",
        trunk_status="enabled",
        trunk_direction="inbound",
        secure=False,
        created_at=moment.replace(microsecond=0),
    )
    assert converter.unstructure(trunk)["created_at"] == "2026-01-02T03:04:05Z"


def test_convert_strict_rejects_unknown_keys() -> None:
    """The strict converter refuses a key the record does not know."""
    with pytest.raises(cattrs.BaseValidationError):
        strict.structure({**PROD_CDR, "codec": "PCMU"}, CallRecord)
    with pytest.raises(DECODE_ERRORS):
        strict.structure({**DOC_CDR_LIST, "cursor": "x"}, Page[CallRecord])


WRONG_SHAPES = [
    (Trunk, {k: v for k, v in DOC_TRUNK.items() if k != "trunk_id"}),  # missing required key
    (CallRecord, {k: v for k, v in PROD_CDR.items() if k != "call_uuid"}),
    (IPAccessControlList, {**IPACL, "ip_addresses": "192.168.1.1"}),  # string, list expected
    (Trunk, ["not", "an", "object"]),
    (Trunk, "<html>502 Bad Gateway</html>"),
    (CallParty, []),
    (NumberUpdated, None),
    (CallRecord, {**PROD_CDR, "call_uuid": None}),
    (CallRecord, {**PROD_CDR, "end_time": "yesterday"}),
    (CallRecord, {**PROD_CDR, "total_amount": "free"}),
    (CallRecord, {**PROD_CDR, "call_duration": "long"}),
    (CallRecord, {**PROD_CDR, "srtp": "maybe"}),
    (CallRecord, {**PROD_CDR, "hangup_source": 7}),
    (Page[CallRecord], {**DOC_CDR_LIST, "objects": "none"}),
    (Page[CallRecord], {"api_id": "x", "objects": []}),  # no meta
    (Page[CallRecord], "truncated"),
    (Page[Trunk], {**TRUNK_LIST, "objects": [{"trunk_id": "1"}]}),
]


@pytest.mark.parametrize("conv", [converter, strict], ids=["lenient", "strict"])
@pytest.mark.parametrize(("cls", "body"), WRONG_SHAPES)
def test_convert_wrong_shape_raises_decode_error(
    conv: cattrs.Converter, cls: Any, body: Any
) -> None:
    """A body of the wrong shape raises one of DECODE_ERRORS, which the transport catches."""
    with pytest.raises(DECODE_ERRORS):
        conv.structure(body, cls)


def test_convert_lenient_accepts_plausible_variants() -> None:
    """The lenient converter takes a numeric id as a number and a flag as "true"."""
    trunk = converter.structure({**DOC_TRUNK, "trunk_id": 21784177241578, "secure": "false"}, Trunk)
    assert trunk.trunk_id == "21784177241578"
    assert trunk.secure is False
    cdr = converter.structure({**PROD_CDR, "total_amount": 0.1, "call_duration": "32"}, CallRecord)
    assert cdr.total_amount == Decimal("0.1")
    assert cdr.call_duration == 32


def test_convert_structure_page_types_each_object() -> None:
    """structure_page builds Page[T] with every object typed."""
    body = {**DOC_CDR_LIST, "objects": [PROD_CDR] * 3}
    page = structure_page(body, CallRecord)
    assert [type(o) for o in page.objects] == [CallRecord] * 3
    assert page == converter.structure(body, Page[CallRecord])
    assert converter.unstructure(page) == body
