"""Every CLI module imports on its own, and ``--help``/``--version`` stay light.

Issue 14: ``_app`` registered commands while it was still being imported,
and each command module imported ``State`` back from it, so importing a
command module first failed with "partially initialized module". Each
import runs in a fresh interpreter: inside this one, modules are already
loaded and a cycle would go unseen.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import zentrunk_async.cli

from .procs import clean_env

CLI_DIR = Path(zentrunk_async.cli.__file__).parent
MODULES = sorted(
    f"zentrunk_async.cli.{path.stem}" for path in CLI_DIR.glob("*.py") if path.stem != "__main__"
)
#: What a command that only prints help or the version must not import (issue 13: fast start).
HEAVY = ("rich", "httpx", "cattrs", "anyio", "starlette", "uvicorn", "zentrunk_async._client")


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tempfile.gettempdir(),  # not the checkout: -c puts the cwd first on sys.path
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("module", MODULES)
def test_each_cli_module_imports_alone(module: str) -> None:
    done = python(f"import {module}")
    assert done.returncode == 0, done.stderr


def test_the_list_covers_the_command_modules() -> None:
    assert {"zentrunk_async.cli._export", "zentrunk_async.cli._state"} <= set(MODULES)


@pytest.mark.parametrize(
    "argv", [["--version"], ["--help"], ["-h"], ["trunks", "--help"], ["calls", "--help"]]
)
def test_help_and_version_load_nothing_heavy(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from zentrunk_async.cli import main\n"
        f"rc = main({argv!r})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    done = python(code)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stderr, done.stderr


def test_package_names_load_on_first_use() -> None:
    """``import zentrunk_async`` alone is light; every name of __all__ still resolves."""
    done = python(
        "import sys, zentrunk_async as z\n"
        "assert 'httpx' not in sys.modules, 'eager'\n"
        "missing = [n for n in z.__all__ if getattr(z, n, None) is None]\n"
        "assert not missing, missing\n"
        "from zentrunk_async import *\n"
    )
    assert done.returncode == 0, done.stderr


def test_env_names_match_the_sdk() -> None:
    """The CLI repeats the SDK's environment variable names (to stay light): they must agree."""
    from zentrunk_async import _config
    from zentrunk_async.cli import _profiles

    assert (_profiles.ENV_AUTH_ID, _profiles.ENV_AUTH_TOKEN, _profiles.ENV_BASE_URL) == (
        _config.ENV_AUTH_ID,
        _config.ENV_AUTH_TOKEN,
        _config.ENV_BASE_URL,
    )
    assert os.environ.get("ZENTRUNK_CONFIG")  # conftest points it away from the user's file
