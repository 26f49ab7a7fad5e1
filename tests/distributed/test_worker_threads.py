"""A Dask worker runs several accounts at once, each in ``anyio.run`` on its own thread.

anyio imports its backend lazily on the first ``anyio.run``; two threads
doing that first call together raced on the import (one saw a partially
initialised module: CI, ``nox -s lowest``). The task module imports the
backend before any task runs; this checks it does, in a fresh interpreter
where nothing else has imported it yet.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("distributed")

CHECK = """
import sys
before = "anyio._backends._asyncio" in sys.modules
import zentrunk_async.distributed._task
print(before, "anyio._backends._asyncio" in sys.modules)
"""


def test_the_task_module_imports_anyios_backend_before_any_thread_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "True"]
