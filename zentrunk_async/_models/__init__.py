"""The typed records; conversion to and from the wire lives in ``_convert``."""

from .call import CallInsights, CallParty, CallRecord
from .common import (
    CallDirection,
    HangupSource,
    ListMeta,
    NumberUpdated,
    Page,
    StirVerification,
    TransportProtocol,
    TrunkDirection,
    TrunkStatus,
    WriteResponse,
    coerce_enum,
)
from .credential import Credential, CredentialCreated, CredentialUpdated
from .ip_acl import IPAccessControlList, IPAccessControlListCreated, IPAccessControlListUpdated
from .number import Number
from .origination_uri import OriginationURI, OriginationURICreated, OriginationURIUpdated
from .trunk import Trunk, TrunkCreated, TrunkUpdated

__all__ = [
    "CallDirection",
    "CallInsights",
    "CallParty",
    "CallRecord",
    "Credential",
    "CredentialCreated",
    "CredentialUpdated",
    "HangupSource",
    "IPAccessControlList",
    "IPAccessControlListCreated",
    "IPAccessControlListUpdated",
    "ListMeta",
    "Number",
    "NumberUpdated",
    "OriginationURI",
    "OriginationURICreated",
    "OriginationURIUpdated",
    "Page",
    "StirVerification",
    "TransportProtocol",
    "Trunk",
    "TrunkCreated",
    "TrunkDirection",
    "TrunkStatus",
    "TrunkUpdated",
    "WriteResponse",
    "coerce_enum",
]
