"""The trunk record and its write responses (reference §3)."""

from datetime import datetime
from typing import Any

import attrs

from .common import TrunkDirection, TrunkStatus, WriteResponse

__all__ = ["Trunk", "TrunkCreated", "TrunkUpdated"]


@attrs.define(slots=True, frozen=True, kw_only=True)
class Trunk:
    """A SIP trunk.

    References default to ``None`` because the API reports an absent one as
    ``null`` (§2.4) and a list item may leave it out. ``created_at`` and
    ``updated_at`` are undocumented: only the live item GET carries them.
    """

    trunk_id: str
    trunk_status: TrunkStatus
    trunk_direction: TrunkDirection
    secure: bool
    name: str | None = None
    trunk_domain: str | None = None
    ipacl_uuid: str | None = None
    credential_uuid: str | None = None
    primary_uri_uuid: str | None = None
    fallback_uri_uuid: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)


@attrs.define(slots=True, frozen=True, kw_only=True)
class TrunkCreated(WriteResponse):
    """Create response; it has no ``trunk_domain``, so read the trunk back for it (§3.2)."""

    trunk_id: str


@attrs.define(slots=True, frozen=True, kw_only=True)
class TrunkUpdated(WriteResponse):
    """Update response (§3.6)."""

    trunk_id: str
