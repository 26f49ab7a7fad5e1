"""Shared enums, the list envelope and the number-routing response.

The enums are ``(str, Enum)`` (Python 3.10 has no ``StrEnum``) so a member
compares equal to the plain string the API sends. Record fields that hold
them are typed ``Enum | str``: the converter returns the member for a known
value and the plain string for a value Plivo adds later, so a new hangup
source or STIR label never breaks decoding of a whole page.
"""

import enum
from typing import Any, Generic, TypeVar

import attrs

from .._errors import InvalidArgumentError

__all__ = [
    "CallDirection",
    "HangupSource",
    "ListMeta",
    "NumberUpdated",
    "Page",
    "StirVerification",
    "TransportProtocol",
    "TrunkDirection",
    "TrunkStatus",
    "WriteResponse",
    "coerce_enum",
]


class _WireEnum(str, enum.Enum):
    """Base whose ``str()`` is the wire value.

    ``str()`` of a plain ``(str, Enum)`` member is ``"TrunkDirection.INBOUND"``;
    httpx builds query strings with ``str()``, and Python 3.12 changed
    ``format()`` to follow ``str()`` too, so without this a member would reach
    the wire under its Python name.
    """

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)


class TrunkDirection(_WireEnum):
    """Who places the calls: Plivo towards you (inbound) or you towards PSTN (outbound)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class TrunkStatus(_WireEnum):
    """Whether the trunk carries calls; the API defaults to enabled."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class CallDirection(_WireEnum):
    """Direction of a call detail record (reference §7.2)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class HangupSource(_WireEnum):
    """Which side ended the call (reference §13.1)."""

    CUSTOMER = "customer"
    CARRIER = "carrier"
    ZENTRUNK = "zentrunk"


class StirVerification(_WireEnum):
    """STIR/SHAKEN result; the values carry spaces and capitals on the wire (§7.2)."""

    VERIFIED = "Verified"
    NOT_VERIFIED = "Not Verified"
    NOT_APPLICABLE = "Not Applicable"


class TransportProtocol(_WireEnum):
    """SIP transport of a call; ``tls`` is inferred for secure trunks (§7.2)."""

    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


E = TypeVar("E", bound=enum.Enum)


def coerce_enum(enum_cls: type[E], value: object, *, field: str) -> E:
    """Return the member for ``value`` or refuse it before any request is sent.

    Decoding tolerates unknown values (the API may add some), but arguments
    we send must be ones the API documents, so a typo fails here with the
    allowed values listed instead of as an opaque 400 from Plivo.
    """
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        try:
            return enum_cls(value)
        except ValueError:
            pass
    allowed = ", ".join(repr(member.value) for member in enum_cls)
    raise InvalidArgumentError(f"{field} must be one of {allowed}; got {value!r}")


@attrs.define(slots=True, frozen=True, kw_only=True)
class ListMeta:
    """The ``meta`` block of a list response (reference §10).

    ``next``/``previous`` are relative URLs with or without a leading slash;
    callers should read the query string, not the prefix.
    """

    limit: int
    offset: int
    total_count: int
    next: str | None = None
    previous: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)


T = TypeVar("T")


@attrs.define(slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a list response, typed by its record (``Page[CallRecord]``)."""

    objects: list[T]
    meta: ListMeta
    api_id: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)


@attrs.define(slots=True, frozen=True, kw_only=True)
class WriteResponse:
    """Fields every create/update response carries besides the id (§2.3)."""

    api_id: str | None = None
    message: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)


@attrs.define(slots=True, frozen=True, kw_only=True)
class NumberUpdated(WriteResponse):
    """Response to ``POST Number/{digits}/`` routing a number to a trunk (§12)."""
