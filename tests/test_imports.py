"""Every module of the package imports on its own, first, in a fresh interpreter.

Importing the package as a whole hides cycles: the module that starts the
circle may happen to be the one imported first. Importing each module alone
is what a user, a tool (pytest's plugin loader, ``python -m``) or a lazy
import does, and a "partially initialized module" error shows up there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "zentrunk_async"

# Running a __main__ module would start its program, not just import it.
ENTRY_POINTS = {"zentrunk_async.__main__", "zentrunk_async.cli.__main__"}


# Run in a fresh interpreter that has imported third-party libraries only,
# then forks one child per module: each child starts with no zentrunk_async
# module loaded, as a fresh interpreter would, without paying an interpreter
# start and the httpx/starlette/typer imports ~70 times over.
_CHILD = """
import importlib, json, os, sys, traceback
sys.path[:] = json.loads(sys.argv[1])
for lib in ("anyio", "attrs", "cattrs", "httpx", "pytest", "rich", "starlette.applications",
            "trio", "typer", "uvicorn"):
    try:
        importlib.import_module(lib)
    except ImportError:
        pass
assert not [m for m in sys.modules if m.split(".")[0] == "zentrunk_async"]
results = {}
for name in json.loads(sys.argv[2]):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            code, text = 0, ""
        except BaseException:
            code, text = 1, traceback.format_exc()
        os.write(write, text.encode())
        os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    results[name] = None if status == 0 else b"".join(chunks).decode() or f"status {status}"
print(json.dumps(results))
"""


def all_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["zentrunk_async", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


MODULES = [name for name in all_modules() if name not in ENTRY_POINTS]


@pytest.fixture(scope="module")
def import_errors() -> dict[str, str | None]:
    """Module → traceback of importing it alone (None when it imported)."""
    if not hasattr(os, "fork"):  # pragma: no cover - CI is Linux
        pytest.skip("needs os.fork")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(sys.path), json.dumps(MODULES)],
        capture_output=True,
        text=True,
        timeout=50,
        check=True,
    )
    errors: dict[str, str | None] = json.loads(done.stdout.strip().splitlines()[-1])
    return errors


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_alone(module: str, import_errors: dict[str, str | None]) -> None:
    """`import <module>` succeeds with no other module of the package imported before it."""
    assert import_errors[module] is None, import_errors[module]


def test_import_check_sees_a_failure() -> None:
    """The checker reports a module that fails to import (it is not always green)."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(sys.path), '["zentrunk_async._no_such"]'],
        capture_output=True,
        text=True,
        timeout=50,
        check=True,
    )
    assert "ModuleNotFoundError" in json.loads(done.stdout)["zentrunk_async._no_such"]


def test_entry_points_exist() -> None:
    """The __main__ modules skipped above are the entry points, not forgotten modules."""
    assert set(all_modules()) >= ENTRY_POINTS


def test_module_list_is_complete() -> None:
    """The parametrized list covers every file of the package (no silent gaps)."""
    assert len(MODULES) + len(ENTRY_POINTS) == len(list(PACKAGE.rglob("*.py")))
