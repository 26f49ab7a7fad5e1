"""The IP access control list record and its write responses (reference §5)."""

from typing import Any

import attrs

from .common import WriteResponse

__all__ = ["IPAccessControlList", "IPAccessControlListCreated", "IPAccessControlListUpdated"]


@attrs.define(slots=True, frozen=True, kw_only=True)
class IPAccessControlList:
    """Source addresses allowed to use an outbound trunk.

    ``ip_addresses`` is required: the API refuses to create a list without
    it, so a body lacking it is not a Zentrunk ACL.
    """

    ipacl_uuid: str
    ip_addresses: list[str]
    name: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)


@attrs.define(slots=True, frozen=True, kw_only=True)
class IPAccessControlListCreated(WriteResponse):
    """Create response (§5.2)."""

    ipacl_uuid: str


@attrs.define(slots=True, frozen=True, kw_only=True)
class IPAccessControlListUpdated(WriteResponse):
    """Update response (§5.5)."""

    ipacl_uuid: str
