"""The one entry point for tests, lint, types and benchmarks (CI calls these)."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"
TEST_DEPS = [
    "pytest>=8",
    "pytest-timeout>=2.3",
    "respx>=0.21",
    "trio>=0.25",
    "hypothesis>=6.100",
    "fastapi>=0.110",
]
EXTRAS = ".[emulator,cli,postgres,report]"
# Pinned: a linter's next release may judge the same code differently, and CI must
# not turn red on a commit that did not change.
RUFF = "ruff==0.17.6"
MYPY = "mypy==2.4.1"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite; every async test runs on asyncio and on trio."""
    session.install("-e", EXTRAS, *TEST_DEPS)
    session.run("pytest", *(session.posargs or ["-q"]))


@nox.session(python=PYTHON)
def postgres(session: nox.Session) -> None:
    """The sync tests on a real PostgreSQL server (started and stopped by the tests).

    Needs Debian's postgresql package (initdb, pg_ctl); fails instead of skipping
    when it is missing, as CI does.
    """
    session.install("-e", EXTRAS, *TEST_DEPS)
    session.env["ZENTRUNK_REQUIRE_POSTGRES"] = "1"
    session.run("pytest", "-q", "tests/sync", "-k", "postgresql", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install(RUFF)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package (config in pyproject.toml)."""
    session.install("-e", ".[emulator,cli,aiohttp,postgres,report]", MYPY, "pytest>=8")
    session.run("mypy", "--strict", "zentrunk_async")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks against the emulator over loopback: `nox -s bench -- --quick` (< 2 min).

    orjson is installed because the transport uses it when present; the
    results table records which packages were there.
    """
    session.install(
        "-e", ".[emulator,cli,aiohttp]", "requests>=2.31", "matplotlib>=3.8", "orjson>=3.9"
    )
    session.run("python", "-m", "benchmarks", *session.posargs)
