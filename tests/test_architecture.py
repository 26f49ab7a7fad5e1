"""The direction of imports is the architecture: the package's imports obey tests/architecture.toml.

Imports are read with ``ast`` (nothing is imported), so a new upward arrow
or cycle fails here before it can fail at import time for a user. The
checks run on the real package and, to show that they can fail, on small
made-up packages.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest itself depends on tomli before 3.11
    import tomli as tomllib

HERE = Path(__file__).parent
PACKAGE = HERE.parent / "zentrunk_async"
MAP = HERE / "architecture.toml"


class Edge(NamedTuple):
    """One import: module ``src`` imports module ``dst`` (at ``line`` of src)."""

    src: str
    dst: str
    line: int
    type_only: bool  # under ``if TYPE_CHECKING:``: no runtime effect


def module_names(package: Path) -> dict[str, Path]:
    """Dotted name → file for every module of the package."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = [package.name, *path.relative_to(package).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement, lazy ones inside functions included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, type_only
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _imports(ast.Module(body=node.body, type_ignores=[]), True)
            yield from _imports(ast.Module(body=node.orelse, type_ignores=[]), type_only)
        else:
            yield from _imports(node, type_only)


def edges_of(package: Path) -> list[Edge]:
    """Every import between two modules of the package, resolved to the module imported."""
    modules = module_names(package)
    root = package.name
    found = []
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        for node, type_only in _imports(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                assert isinstance(node, ast.ImportFrom)
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - node.level + 1]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                # `from pkg import sub` imports the submodule when there is one.
                subs = [f"{module}.{alias.name}" for alias in node.names]
                targets = [sub for sub in subs if sub in modules] or [module]
            for target in targets:
                if target != root and not target.startswith(root + "."):
                    continue
                while target not in modules:  # `import pkg.mod.attr` and the like
                    target = target.rpartition(".")[0]
                if target != name:
                    found.append(Edge(name, target, node.lineno, type_only))
    return found


def unit_of(module: str) -> str:
    """The map's unit of a module: its top-level module or subpackage."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def load_map(path: Path = MAP) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def allowed_pairs(layer_map: dict[str, Any]) -> set[tuple[str, str]]:
    return {(entry["from"], entry["to"]) for entry in layer_map.get("allow", [])}


def layer_violations(edges: Iterable[Edge], layer_map: dict[str, Any]) -> list[str]:
    """Edges that go up, sideways in a layer, or out of a standalone unit."""
    rank = {unit: i for i, layer in enumerate(layer_map["layers"]) for unit in layer}
    standalone = set(layer_map.get("standalone", []))
    allowed = allowed_pairs(layer_map)
    wrong = []
    for edge in edges:
        src, dst = unit_of(edge.src), unit_of(edge.dst)
        if src == dst or (edge.src, edge.dst) in allowed:
            continue
        if src in standalone:
            wrong.append(f"{edge.src}:{edge.line} -> {edge.dst} ({src} is standalone)")
        elif rank[src] >= rank[dst]:
            how = "sideways within a layer" if rank[src] == rank[dst] else "upwards"
            wrong.append(f"{edge.src}:{edge.line} -> {edge.dst} ({src} -> {dst}: {how})")
    return wrong


def cycles(edges: Iterable[Edge], allowed: set[tuple[str, str]] = frozenset()) -> list[list[str]]:
    """Module-level import cycles at run time (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if not edge.type_only and (edge.src, edge.dst) not in allowed:
            graph.setdefault(edge.src, set()).add(edge.dst)
            graph.setdefault(edge.dst, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# --- the real package -------------------------------------------------------------

EDGES = edges_of(PACKAGE)
LAYER_MAP = load_map()


def test_architecture_every_unit_is_placed_once() -> None:
    """Each top-level module and subpackage is in exactly one layer of the map."""
    placed = [unit for layer in LAYER_MAP["layers"] for unit in layer]
    units = {unit_of(name) for name in module_names(PACKAGE)}
    assert len(placed) == len(set(placed)), "a unit is in two layers"
    missing = sorted(units - set(placed))
    assert not missing, f"place these in tests/architecture.toml: {missing}"
    assert set(LAYER_MAP.get("standalone", [])) <= set(placed)


def test_architecture_imports_only_go_down() -> None:
    """No unit imports a unit of its own or a higher layer, nor a standalone unit anything."""
    assert layer_violations(EDGES, LAYER_MAP) == []


def test_architecture_has_no_import_cycle() -> None:
    """No set of modules imports itself round in a circle, lazy imports included."""
    assert cycles(EDGES, allowed_pairs(LAYER_MAP)) == []


def test_architecture_allow_list_is_not_stale() -> None:
    """Every allow-listed edge is a real import: the fix that removes one removes its entry."""
    real = {(edge.src, edge.dst) for edge in EDGES}
    stale = sorted(allowed_pairs(LAYER_MAP) - real)
    assert not stale, f"delete these [[allow]] entries of tests/architecture.toml: {stale}"
    assert all(entry.get("reason") for entry in LAYER_MAP.get("allow", []))


def test_architecture_client_side_never_imports_the_emulator() -> None:
    """style.md: only the CLI and the testing plugin may import the emulator."""
    users = {unit_of(e.src) for e in EDGES if unit_of(e.dst) == "emulator"} - {"emulator"}
    assert users <= {"cli", "testing"}


# --- the checks themselves can fail -----------------------------------------------

TYPE_ONLY = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
TOY_MAP = {"layers": [["top"], ["mid", "side"], ["low"]], "standalone": ["side"]}


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return package


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"top.py": "from . import mid\n", "mid.py": "from .low import x\n", "low.py": ""}, []),
        (
            {"low.py": "from .top import x\n", "top.py": ""},
            ["pkg.low:1 -> pkg.top (low -> top: upwards)"],
        ),
        (
            {"mid.py": "import pkg.side\n", "side.py": ""},
            ["pkg.mid:1 -> pkg.side (mid -> side: sideways within a layer)"],
        ),
        (
            {"side.py": "from pkg import low\n", "low.py": ""},
            ["pkg.side:1 -> pkg.low (side is standalone)"],
        ),
        (
            {"low.py": "def f():\n    from .mid import y\n", "mid.py": ""},
            ["pkg.low:2 -> pkg.mid (low -> mid: upwards)"],
        ),
        (
            {
                "low.py": TYPE_ONLY + "    from .top import T\n",
                "top.py": "",
            },
            ["pkg.low:3 -> pkg.top (low -> top: upwards)"],
        ),
    ],
    ids=["down-ok", "up", "sideways", "standalone", "lazy-up", "type-only-up"],
)
def test_architecture_check_catches_wrong_arrows(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    """The layer check flags upward, sideways, standalone and lazy arrows in a made-up package."""
    assert layer_violations(edges_of(write_package(tmp_path, files)), TOY_MAP) == expected


def test_architecture_check_catches_a_lazy_cycle_but_not_a_type_only_one(tmp_path: Path) -> None:
    """A cycle closed by a function-level import counts; one closed under TYPE_CHECKING does not."""
    lazy = {
        "mid/__init__.py": "",
        "mid/a.py": "from .b import x\n",
        "mid/b.py": "def f():\n    from .a import y\n",
    }
    assert cycles(edges_of(write_package(tmp_path / "lazy", lazy))) == [["pkg.mid.a", "pkg.mid.b"]]
    typed = {
        **lazy,
        "mid/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import y\n",
    }
    assert cycles(edges_of(write_package(tmp_path / "typed", typed))) == []
