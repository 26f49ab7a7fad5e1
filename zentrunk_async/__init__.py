"""Async Python SDK for Plivo's Zentrunk SIP-trunking REST API.

Everything users need is importable from here; modules with a leading
underscore are private and may change without notice.
"""

from ._client import ZentrunkClient
from ._config import RateLimit
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InvalidArgumentError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    ZentrunkError,
)
from ._models import (
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
    WriteResponse,
)
from ._pagination import Pager
from ._ratelimit import LimiterSnapshot
from ._retry import RetryPolicy
from ._version import __version__
from ._wire import from_wire, to_wire

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
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
    "InvalidArgumentError",
    "LimiterSnapshot",
    "ListMeta",
    "MethodNotAllowedError",
    "NotFoundError",
    "NumberUpdated",
    "OriginationURI",
    "OriginationURICreated",
    "OriginationURIUpdated",
    "Page",
    "Pager",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "ResponseDecodeError",
    "RetryPolicy",
    "ServerError",
    "StirVerification",
    "TransportProtocol",
    "Trunk",
    "TrunkCreated",
    "TrunkDirection",
    "TrunkStatus",
    "TrunkUpdated",
    "WriteResponse",
    "ZentrunkClient",
    "ZentrunkError",
    "__version__",
    "from_wire",
    "to_wire",
]
