"""The emulator's modules import one way: each imports on its own, and the graph has no cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import zentrunk_async.emulator

PACKAGE = Path(zentrunk_async.emulator.__file__).parent
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))

# Each module imported first in a fresh module table: a cycle shows as "partially initialized".
_SCRIPT = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.startswith("zentrunk_async")]:
        del sys.modules[loaded]
    importlib.import_module("zentrunk_async.emulator." + name)
"""


def test_every_emulator_module_imports_on_its_own() -> None:
    """`python -c "import zentrunk_async.emulator._X"` works for every X (issue 14)."""
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *MODULES], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def _local_imports(module: str) -> set[str]:
    """Sibling modules a module imports, TYPE_CHECKING and function-level imports included."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found & set(MODULES)


def test_emulator_import_graph_has_no_cycle() -> None:
    """The app is built by a factory that receives its accounts: nothing imports back up."""
    graph = {module: _local_imports(module) for module in MODULES if module != "__init__"}
    graph = {module: deps - {"__init__"} for module, deps in graph.items()}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for dep in graph.get(module, ()):
            visit(dep, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
    assert "_emulator" not in graph["_app"]
    assert "_emulator" not in graph["_admin"]
