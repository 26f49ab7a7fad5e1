"""The README's and the docs' Python examples run, against the emulator, on asyncio and trio.

Every ```python block of README.md and docs/**/*.md runs, in page order, in
one namespace per page (a block may use what an earlier one defined). The
examples are snippets, as readers expect, so each runs with what a reader
already has: ``zt`` (an open client), ``since``/``until`` (the last week),
``call_uuid`` (a real call), the credentials in the environment variables
the client reads, and a scratch working directory. A block with top-level
``await`` runs in the test's event loop; a block without (a script calling
``anyio.run``) runs in a worker thread.

Special blocks: one whose first line is ``# app.py`` holds files (each
starting with a ``# name.py`` line) and, when one is a ``test_*.py``, runs
those tests in a pytest subprocess; a block preceded by the comment
``<!-- docs-test: skip -->`` is not run (for fragments that cannot be whole);
a block of any language preceded by ``<!-- docs-test: file NAME -->`` is
written to NAME in the scratch directory before the page's blocks run (the
accounts file a fleet example reads, say).
"""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest

from zentrunk_async import ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
_FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.M | re.S)
_SKIP = "<!-- docs-test: skip -->"
_FILE = re.compile(r"^<!-- docs-test: file (\S+) -->\n```[^\n]*\n(.*?)^```", re.M | re.S)

# The examples name the emulator's documented port; the tests use a free one.
_DOCUMENTED_URL = "http://127.0.0.1:8080"


def blocks(page: Path) -> list[tuple[int, str]]:
    """(line number, source) of each runnable ```python block of the page."""
    text = page.read_text()
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip()
        if before.endswith(_SKIP):
            continue
        found.append((text.count("\n", 0, match.start()) + 2, match.group(1)))
    return found


def files(page: Path) -> dict[str, str]:
    """NAME -> content of each block marked ``<!-- docs-test: file NAME -->``."""
    return {match.group(1): match.group(2) for match in _FILE.finditer(page.read_text())}


def _pages_with_blocks() -> list[Any]:
    return [pytest.param(page, id=str(page.relative_to(ROOT))) for page in PAGES if blocks(page)]


@pytest.fixture
def base_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """An emulator on a real socket, its credentials in the environment, a scratch cwd."""
    emulator = Emulator(EmulatorConfig(calls=600, seed=3, rate_limit_requests=None))
    with serve_in_thread(emulator) as url:
        monkeypatch.setenv("PLIVO_AUTH_ID", emulator.auth_id)
        monkeypatch.setenv("PLIVO_AUTH_TOKEN", emulator.auth_token)
        monkeypatch.setenv("ZENTRUNK_BASE_URL", url)
        monkeypatch.chdir(tmp_path)
        yield url


@pytest.fixture
async def reader(base_url: str) -> AsyncIterator[dict[str, Any]]:
    """What a reader of a snippet already has in scope."""
    async with ZentrunkClient() as zt:
        now = datetime.now(timezone.utc)
        (first,) = await zt.calls.list(max_items=1).collect()
        yield {
            "zt": zt,
            "since": now - timedelta(days=7),
            "until": now,
            "call_uuid": first.call_uuid,
            "datetime": datetime,
            "timedelta": timedelta,
            "timezone": timezone,
            "anyio": anyio,
            "ZentrunkClient": ZentrunkClient,
        }


def run_files_block(source: str, where: Path) -> None:
    """Write the ``# name.py`` files of a block and run its tests with pytest."""
    files = re.split(r"^# (\w+\.py)\n", source, flags=re.M)[1:]
    names = files[::2]
    for name, text in zip(names, files[1::2], strict=True):
        (where / name).write_text(text)
    tests = [name for name in names if name.startswith("test_")]
    if tests:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=50,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("page", _pages_with_blocks())
async def test_docs_examples_run(
    page: Path, base_url: str, reader: dict[str, Any], tmp_path: Path, anyio_backend: str
) -> None:
    """Each page's examples run in order without an error."""
    carried: dict[str, Any] = {}
    for name, content in files(page).items():
        (tmp_path / name).write_text(content)
    for line, source in blocks(page):
        source = source.replace(_DOCUMENTED_URL, base_url)
        where = f"{page.relative_to(ROOT)}:{line}"
        if source.startswith("# app.py\n"):
            # A pytest run of its own (on asyncio, as its @pytest.mark.anyio
            # says): once is enough, whichever backend this test runs on.
            if anyio_backend == "asyncio":
                run_files_block(source, tmp_path)
            continue
        namespace = {**carried, **reader, "__name__": "__docs__"}
        code = compile(source, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        if code.co_flags & inspect.CO_COROUTINE:
            await eval(code, namespace)
        else:
            await anyio.to_thread.run_sync(exec, code, namespace)
        carried = {k: v for k, v in namespace.items() if k not in reader}


def test_docs_examples_are_found() -> None:
    """The README has runnable examples: a broken fence pattern would skip them all silently."""
    assert len(blocks(ROOT / "README.md")) >= 5
