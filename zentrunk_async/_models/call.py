"""Call detail records and call-quality insights (reference §7, §8)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from .common import CallDirection, HangupSource, StirVerification, TransportProtocol

__all__ = ["CallInsights", "CallParty", "CallRecord"]


@attrs.define(slots=True, kw_only=True)
class CallRecord:
    """One CDR.

    Not frozen: a frozen class pays one ``object.__setattr__`` per field,
    about a third of decode time (performance-lab.md §3), and exports decode
    millions of these.

    Required are the fields every source sample carries, the docs' abbreviated
    list example included (§7.3): the call's identity, parties, direction and
    durations. Everything else defaults to ``None`` so that a record missing
    it still decodes instead of failing a whole page.
    """

    call_uuid: str
    from_number: str
    to_number: str
    call_direction: CallDirection
    call_duration: int
    bill_duration: int
    call_id: str | None = None
    billed_duration: int | None = None
    initiation_time: datetime | None = None
    answer_time: datetime | None = None
    end_time: datetime | None = None
    hangup_cause_name: str | None = None
    hangup_cause_code: int | None = None
    hangup_source: HangupSource | None = None
    total_rate: Decimal | None = None
    total_amount: Decimal | None = None
    trunk_domain: str | None = None
    from_country: str | None = None
    to_country: str | None = None
    transport_protocol: TransportProtocol | None = None
    srtp: bool | None = None
    secure_trunking: bool | None = None
    secure_trunking_rate: Decimal | None = None
    stir_verification: StirVerification | None = None
    attestation_indicator: str | None = None
    cnam_lookup: bool | None = None
    cnam_lookup_rate: Decimal | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.define(slots=True, frozen=True)
class CallParty:
    """One end of a call as Insights describes it."""

    carrier: str | None = None
    number: str | None = None
    region: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)


@attrs.define(slots=True, frozen=True, kw_only=True)
class CallInsights:
    """Quality metrics of one call.

    The API sends most metrics as numeric strings; they are floats here so
    they can be compared and averaged. ``plivo_quality_score`` is documented
    as 1-5 but ``0.0`` occurs on answered calls (§8): treat it as "no score".
    ``from_`` is the wire key ``from`` (a Python keyword).
    """

    call_uuid: str
    api_id: str | None = None
    from_: CallParty | None = None
    to: CallParty | None = None
    hangup_cause: str | None = None
    hangup_source: HangupSource | None = None
    rtt: float | None = None
    jitter: float | None = None
    packet_loss: float | None = None
    post_dial_delay: float | None = None
    plivo_quality_score: float | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)
