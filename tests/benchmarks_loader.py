"""Load a module of ``benchmarks/`` by its path, for the tests that run a bounded version of it.

Not ``import benchmarks.x``: the suite also runs against the installed wheel
from a scratch directory, where the repository is not on ``sys.path`` (and
must not be, or the tree would shadow the wheel under test).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load_benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as the module ``benchmarks_<name>`` (loaded once)."""
    key = f"benchmarks_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module  # attrs and pickling look classes up by module name
    spec.loader.exec_module(module)
    return module
