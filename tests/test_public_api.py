"""The public surface: what users import from `zentrunk_async` is exactly `__all__`."""

from __future__ import annotations

import types

import pytest

import zentrunk_async

#: The names public-api.md promises (§1, §4, §5, §6).
PROMISED = [
    "Number",
    "TrunkInUseError",
    "ZentrunkClient",
    "RateLimit",
    "Trunk",
    "Credential",
    "IPAccessControlList",
    "OriginationURI",
    "CallRecord",
    "CallInsights",
    "ZentrunkError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "MethodNotAllowedError",
    "RateLimitError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
    "ResponseDecodeError",
]


def test_all_names_exist_and_are_sorted() -> None:
    """Every name in __all__ is importable, and __all__ is sorted for reviewability."""
    for name in zentrunk_async.__all__:
        assert hasattr(zentrunk_async, name), name
    assert list(zentrunk_async.__all__) == sorted(zentrunk_async.__all__)


def test_no_public_name_is_missing_from_all() -> None:
    """Every public, non-module attribute of the package is listed in __all__."""
    public = {
        name
        for name, value in vars(zentrunk_async).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(zentrunk_async.__all__) | {"annotations"}


@pytest.mark.parametrize("name", PROMISED)
def test_promised_names_are_exported(name: str) -> None:
    """The names of the design document are importable from the package itself."""
    assert name in zentrunk_async.__all__


def test_error_tree_matches_the_design() -> None:
    """The exception hierarchy is the one drawn in public-api.md §5."""
    z = zentrunk_async
    for cls in (
        z.BadRequestError,
        z.AuthenticationError,
        z.PermissionDeniedError,
        z.NotFoundError,
        z.MethodNotAllowedError,
        z.RateLimitError,
        z.ServerError,
    ):
        assert issubclass(cls, z.APIStatusError)
    assert issubclass(z.APITimeoutError, z.APIConnectionError)
    for cls in (z.APIStatusError, z.APIConnectionError, z.ResponseDecodeError):
        assert issubclass(cls, z.ZentrunkError)
    assert issubclass(z.InvalidArgumentError, ValueError)
    assert issubclass(z.TrunkInUseError, z.ZentrunkError)


def test_client_offers_numbers_and_routing() -> None:
    """public-api.md §6: zt.numbers.list/get, zt.trunks.route/unroute_number and numbers()."""
    zt = zentrunk_async.ZentrunkClient("MAXXXXXXXXXXXXXXXXXX", "token")
    assert callable(zt.numbers.list)
    assert callable(zt.numbers.get)
    for name in ("route_number", "unroute_number", "numbers"):
        assert callable(getattr(zt.trunks, name))
