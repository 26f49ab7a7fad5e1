"""Shared enums, the list envelope and the number-routing response.

The enums are ``(str, Enum)`` (Python 3.10 has no ``StrEnum``) so a member
compares equal to the plain string the API sends. Record fields that hold
them are typed with the enum itself: the converter returns the member for a
known value and, for a value Plivo adds later, an *unknown* member of the
same enum that carries the new value (``.known`` is False), so a new hangup
source or STIR label never breaks decoding of a whole page and is not lost.
"""

import enum
from typing import Any, Generic, TypeVar, cast

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
    "WireEnum",
    "WriteResponse",
    "coerce_enum",
]


class WireEnum(str, enum.Enum):
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

    @classmethod
    def _from_wire(cls: "type[W]", value: str) -> "W":
        """The member for ``value``, or an unknown member carrying it (never raises).

        ``cls(value)`` keeps raising for an unknown value, so arguments are
        still checked (:func:`coerce_enum`); only decoding keeps new values.
        """
        member = cls._value2member_map_.get(value)
        if member is not None:
            return cast(W, member)
        unknown = str.__new__(cls, value)
        unknown._name_ = "UNKNOWN"
        unknown._value_ = value
        return unknown

    @property
    def known(self) -> bool:
        """False for a value this version of the package does not know (the API added it)."""
        return type(self)._value2member_map_.get(self._value_) is self

    def __reduce_ex__(self, protocol: object) -> tuple[Any, ...]:
        # Enum's own reduce calls cls(value), which refuses an unknown value:
        # records holding one could not be pickled (multiprocessing, Dask).
        return (type(self)._from_wire, (self._value_,))


W = TypeVar("W", bound=WireEnum)


class TrunkDirection(WireEnum):
    """Who places the calls: Plivo towards you (inbound) or you towards PSTN (outbound)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class TrunkStatus(WireEnum):
    """Whether the trunk carries calls; the API defaults to enabled."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class CallDirection(WireEnum):
    """Direction of a call detail record (reference §7.2)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class HangupSource(WireEnum):
    """Which side ended the call (reference §13.1)."""

    CUSTOMER = "customer"
    CARRIER = "carrier"
    ZENTRUNK = "zentrunk"


class StirVerification(WireEnum):
    """STIR/SHAKEN result; the values carry spaces and capitals on the wire (§7.2)."""

    VERIFIED = "Verified"
    NOT_VERIFIED = "Not Verified"
    NOT_APPLICABLE = "Not Applicable"


class TransportProtocol(WireEnum):
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
    if isinstance(value, enum_cls) and getattr(value, "known", True):
        return value
    if isinstance(value, str):
        member = enum_cls._value2member_map_.get(value)
        if member is not None:
            return cast(E, member)
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
