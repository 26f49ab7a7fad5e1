"""The public surface: what users import from `zentrunk_async` is exactly `__all__`."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import types
from pathlib import Path

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


# --- every public module: __all__ is the surface, and all of it is documented ----------

PUBLIC_MODULES = [
    "zentrunk_async",
    "zentrunk_async.export",
    "zentrunk_async.emulator",
    "zentrunk_async.testing",
]

#: Classes users reach through the client's attributes without importing them.
REACHABLE = [
    "zentrunk_async._resources.Trunks",
    "zentrunk_async._resources.Credentials",
    "zentrunk_async._resources.IPAccessControlLists",
    "zentrunk_async._resources.OriginationURIs",
    "zentrunk_async._resources.Calls",
    "zentrunk_async._resources.Numbers",
]

# Names in a module's namespace that are not part of its surface.
_NOT_SURFACE = {"annotations", "TYPE_CHECKING"}


def _module(name: str) -> types.ModuleType:
    return importlib.import_module(name)


def _is_ours(value: object) -> bool:
    module = getattr(value, "__module__", None)
    return isinstance(module, str) and module.split(".")[0] == "zentrunk_async"


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_module_all_is_sorted_and_importable(module_name: str) -> None:
    """Each public module has an __all__, sorted (plainly or isort-style), whose names all exist."""
    module = _module(module_name)
    names = list(module.__all__)
    isort_style = sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    assert names in (sorted(names), isort_style)
    assert len(names) == len(set(names))
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_module_exports_nothing_outside_all(module_name: str) -> None:
    """Every public name defined by the package in the module is in its __all__."""
    module = _module(module_name)
    public = set()
    for name, value in vars(module).items():
        if name.startswith(("_", "pytest_")) or name in _NOT_SURFACE:
            continue  # private, pytest hooks, __future__ and typing flags
        if isinstance(value, types.ModuleType):
            continue
        if inspect.isclass(value) or callable(value):
            if not _is_ours(value):
                continue  # imported helpers: typing names, pytest, ...
        elif getattr(type(value), "__module__", "") == "typing":
            continue
        public.add(name)
    assert public - set(module.__all__) == set()


def _public_objects() -> list[tuple[str, object]]:
    found = []
    for module_name in PUBLIC_MODULES:
        module = _module(module_name)
        for name in module.__all__:
            if not name.startswith("__"):
                found.append((f"{module_name}.{name}", getattr(module, name)))
    for path in REACHABLE:
        module_name, _, name = path.rpartition(".")
        found.append((path, getattr(_module(module_name), name)))
    return found


def _own_members(cls: type) -> list[tuple[str, object]]:
    """Public methods and properties a class defines itself (inherited ones are checked there)."""
    members = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if isinstance(value, property):
            members.append((name, value.fget))
        elif inspect.isfunction(value):
            members.append((name, value))
    return members


def _constant_is_documented(module_name: str, name: str) -> bool:
    """A constant has an attribute docstring after it or a ``#:`` comment above (mkdocstrings)."""
    package = Path(_module(module_name).__file__ or "").parent
    # A public package re-exports constants from private siblings too (export from _export).
    for path in [*package.glob("*.py"), *package.parent.glob("_*/*.py")]:
        lines = path.read_text().splitlines()
        body = ast.parse("\n".join(lines)).body
        for index, node in enumerate(body):
            targets = (
                [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
            )
            if not any(isinstance(t, ast.Name) and t.id == name for t in targets):
                continue
            after = body[index + 1] if index + 1 < len(body) else None
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                return isinstance(after.value.value, str)
            # A ``#:`` comment may document a run of assignments just below it.
            above = node.lineno - 2
            while above >= 0 and re.match(r"[A-Z_][A-Z0-9_]* *[:=]", lines[above]):
                above -= 1
            return above >= 0 and lines[above].lstrip().startswith("#:")
    return False


def test_every_public_object_has_a_docstring() -> None:
    """Classes, functions, their public methods and properties, and constants are documented."""
    undocumented = []
    for path, value in _public_objects():
        if inspect.isclass(value):
            if not value.__dict__.get("__doc__"):
                undocumented.append(path)
            undocumented += [f"{path}.{n}" for n, f in _own_members(value) if not f.__doc__]
        elif inspect.isfunction(value) or (callable(value) and _is_ours(value)):
            # (the second case: pytest fixtures, which wrap the function)
            if not getattr(value, "__doc__", None):
                undocumented.append(path)
        else:
            module_name, _, name = path.rpartition(".")
            if not _constant_is_documented(module_name, name):
                undocumented.append(path)
    assert undocumented == []
