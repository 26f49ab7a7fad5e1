from __future__ import annotations

import os
from pathlib import Path

import pytest

# Recent anyio silently skips a backend whose library is missing, so a suite
# without trio would stay green while testing half as much: import it here so
# that its absence fails the run instead.
import trio  # noqa: F401

import zentrunk_async

_SOURCE_TREE = Path(__file__).resolve().parents[1] / "zentrunk_async"


def pytest_report_header() -> str:
    """Say which copy of the package runs: the wheel (nox) or the source tree."""
    return (
        f"zentrunk_async {zentrunk_async.__version__} from {Path(zentrunk_async.__file__).parent}"
    )


def pytest_configure(config: pytest.Config) -> None:
    # nox sets this after installing the built wheel: if the tree's copy were
    # imported instead, a file missing from the wheel would go unnoticed.
    if os.environ.get("ZENTRUNK_TEST_INSTALLED"):
        imported = Path(zentrunk_async.__file__).resolve().parent
        if imported == _SOURCE_TREE:
            raise pytest.UsageError(f"testing the source tree {imported}, not the installed wheel")


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run every `@pytest.mark.anyio` test on both backends."""
    return str(request.param)
