"""Async Python SDK for Plivo's Zentrunk SIP-trunking REST API.

Everything users need is importable from here; modules with a leading
underscore are private and may change without notice.

The names load on first use (PEP 562): ``import zentrunk_async`` alone, as
the ``zentrunk`` command line does before it knows the command, must not pay
for httpx, cattrs and the resources (about 0.2 s on an idle lab machine).
"""

from __future__ import annotations

# Underscored: the package namespace holds the public names only (test_public_api).
import importlib as _importlib
import typing as _typing

from ._version import __version__

if _typing.TYPE_CHECKING:
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
        TrunkInUseError,
        WriteOutcome,
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
        Number,
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
    "Number",
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
    "TrunkInUseError",
    "TrunkStatus",
    "TrunkUpdated",
    "WriteOutcome",
    "WriteResponse",
    "ZentrunkClient",
    "ZentrunkError",
    "__version__",
    "from_wire",
    "to_wire",
]


#: Where the public names live; a name in `__all__` is looked up in these, in order.
_SOURCES = (
    "._client",
    "._config",
    "._errors",
    "._models",
    "._pagination",
    "._ratelimit",
    "._retry",
    "._wire",
)


def __getattr__(name: str) -> _typing.Any:
    if name in __all__:
        for source in _SOURCES:
            module = _importlib.import_module(source, __name__)
            if hasattr(module, name):
                value = getattr(module, name)
                globals()[name] = value  # later look-ups skip this function
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
