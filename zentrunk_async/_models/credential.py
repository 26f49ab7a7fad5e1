"""The SIP digest credential record and its write responses (reference §4)."""

from typing import Any

import attrs

from .common import WriteResponse

__all__ = ["Credential", "CredentialCreated", "CredentialUpdated"]


@attrs.define(slots=True, frozen=True, kw_only=True)
class Credential:
    """A username for outbound-trunk digest auth; the API never returns the password."""

    credential_uuid: str
    name: str | None = None
    username: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)


@attrs.define(slots=True, frozen=True, kw_only=True)
class CredentialCreated(WriteResponse):
    """Create response (§4.2)."""

    credential_uuid: str


@attrs.define(slots=True, frozen=True, kw_only=True)
class CredentialUpdated(WriteResponse):
    """Update response (§4.5)."""

    credential_uuid: str
