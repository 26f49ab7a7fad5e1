"""The origination URI record and its write responses (reference §6)."""

from typing import Any

import attrs

from .common import WriteResponse

__all__ = ["OriginationURI", "OriginationURICreated", "OriginationURIUpdated"]


@attrs.define(slots=True, frozen=True, kw_only=True)
class OriginationURI:
    """Where Plivo sends inbound trunk calls.

    ``authentication_needed`` defaults to ``False``, the API's documented
    default. ``sip_user`` is undocumented (the official CLI reads it).
    """

    uri_uuid: str
    uri: str
    name: str | None = None
    authentication_needed: bool = False
    username: str | None = None
    sip_user: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)


@attrs.define(slots=True, frozen=True, kw_only=True)
class OriginationURICreated(WriteResponse):
    """Create response (§6.2)."""

    uri_uuid: str


@attrs.define(slots=True, frozen=True, kw_only=True)
class OriginationURIUpdated(WriteResponse):
    """Update response (§6.5)."""

    uri_uuid: str
