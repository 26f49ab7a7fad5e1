"""The one entry point for tests, lint, types, docs and benchmarks (CI calls these).

Python versions come from the classifiers in pyproject.toml, so declaring a
version there is what puts it under test. A missing interpreter is skipped
locally and is an error in CI (``CI`` set in the environment), where
``.ci/run`` provides them all.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nox

HERE = Path(__file__).parent
PYPROJECT = nox.project.load_toml(HERE / "pyproject.toml")
PYTHONS: list[str] = nox.project.python_versions(PYPROJECT)
PRIMARY = "3.11"  # the Python the lint, typing, coverage and docs sessions run on
LOWEST = PYTHONS[0]
EXTRAS = "emulator,cli,postgres,report,dask,aiohttp"
IN_CI = bool(os.environ.get("CI"))

nox.options.sessions = ["tests", "lowest", "lint", "typecheck", "typing", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = IN_CI
if not IN_CI:
    # Locally a missing Python is a skip, not a download.
    nox.options.download_python = "never"


def group(name: str) -> list[str]:
    """The requirements of a [dependency-groups] list of pyproject.toml."""
    return list(nox.project.dependency_groups(PYPROJECT, name))


def build_wheel(session: nox.Session) -> Path:
    """Build the wheel into the session's tmp dir and return its path."""
    out = Path(session.create_tmp()) / "dist"
    shutil.rmtree(out, ignore_errors=True)
    session.run("python", "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(HERE))
    (wheel,) = out.glob("zentrunk_async-*.whl")
    return wheel


def install_wheel(session: nox.Session, *args: str) -> None:
    """Install the built wheel (not the tree) with the test extras."""
    wheel = build_wheel(session)
    session.install("--force-reinstall", "--no-deps", str(wheel))
    session.install(f"{wheel}[{EXTRAS}]", *args)


def pytest_against_installed(session: nox.Session, *, coverage: bool = False) -> None:
    """Run the suite on the installed wheel, optionally under coverage.

    From a scratch directory, not ``python -m pytest`` in the tree: either
    would put the source tree first on sys.path (for the tests' own
    ``python -m zentrunk_async...`` subprocesses too). ZENTRUNK_TEST_INSTALLED
    makes tests/conftest.py refuse to run against the tree, so a file missing
    from the wheel fails instead of passing unseen. Paths in the arguments
    are relative to the repository, as usual.
    """
    args = [str(HERE / a) if (HERE / a.split("::")[0]).exists() else a for a in session.posargs]
    pytest = shutil.which("pytest", path=session.bin)
    assert pytest is not None
    config = ["-c", str(HERE / "pyproject.toml"), "--rootdir", str(HERE), "-p", "no:cacheprovider"]
    if coverage:
        # pytest-cov, not `coverage run`: it measures each xdist worker and
        # combines them, so the coverage run takes as long as the others
        # (in one process it took 9 of CI's 30 minutes).
        rcfile = str(HERE / "pyproject.toml")
        config += ["--cov", f"--cov-config={rcfile}", "--cov-report="]
    # Two xdist workers: about half the time, even on two cores.
    default = ["-q", str(HERE / "tests"), "-n", "2"]
    session.chdir(session.create_tmp())
    env = {"ZENTRUNK_TEST_INSTALLED": "1", "COVERAGE_FILE": str(HERE / ".coverage")}
    session.run(pytest, *config, *(args or default), env=env)
    session.chdir(HERE)


# The oldest Python runs the suite in `lowest`, with every dependency at its floor;
# the newest dependencies are tested on every later one. A separate run of the oldest
# with the newest added 5 minutes to CI's 30 for the one combination neither covers.
@nox.session(python=[p for p in PYTHONS if p != LOWEST])
def tests(session: nox.Session) -> None:
    """The suite against the built wheel; on the primary Python under coverage, with its floor.

    Every async test runs on asyncio and on trio.
    """
    if session.python == PRIMARY:
        install_wheel(session, *group("coverage"))
        session.run("coverage", "erase")
        pytest_against_installed(session, coverage=True)
        session.run("coverage", "report")  # fails under [tool.coverage.report] fail_under
    else:
        install_wheel(session, *group("test"))
        pytest_against_installed(session)


def lowest_constraints() -> str:
    """Pin every ``>=`` bound of the runtime dependencies and test extras to its floor."""
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"])
    for extra in EXTRAS.split(","):
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)(.*)$", requirement)
        if match and not match.group(1).startswith("zentrunk"):
            name, version, rest = match.groups()
            marker = rest.split(";", 1)[1].strip() if ";" in rest else ""
            pins.append(f"{name}=={version}" + (f"; {marker}" if marker else ""))
    return "\n".join(pins) + "\n"


@nox.session(python=LOWEST)
def lowest(session: nox.Session) -> None:
    """The suite on the oldest Python with every dependency at its declared lower bound.

    pip's constraints file forces ``name==floor`` for each ``name>=floor`` of
    pyproject.toml, so a bound that is too low fails here, not for a user.
    """
    constraints = Path(session.create_tmp()) / "lowest.txt"
    constraints.write_text(lowest_constraints())
    session.log("constraints:\n" + constraints.read_text())
    wheel = build_wheel(session)
    session.install("-c", str(constraints), f"{wheel}[{EXTRAS}]", *group("test"))
    # A reused venv holds the previous build under the same version: replace it.
    session.install("--force-reinstall", "--no-deps", str(wheel))
    # Prove that pip did not pick something newer (a constraint cannot do that,
    # but an extra of the same name could sneak in another resolution).
    session.run("python", str(HERE / "tests" / "check_floors.py"), str(constraints))
    pytest_against_installed(session)


@nox.session(python=PRIMARY)
def postgres(session: nox.Session) -> None:
    """The sync tests on a real PostgreSQL server (started and stopped by the tests).

    Needs Debian's postgresql package (initdb, pg_ctl); fails instead of skipping
    when it is missing, as CI does (the full suite runs them too).
    """
    session.install("-e", f".[{EXTRAS}]", *group("test"))
    session.env["ZENTRUNK_REQUIRE_POSTGRES"] = "1"
    session.run("pytest", "-q", "tests/sync", "-k", "postgresql", *session.posargs)


@nox.session(python=PRIMARY)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install(*group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PRIMARY)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package (config in pyproject.toml)."""
    session.install("-e", f".[{EXTRAS}]", *group("typing"))
    session.run("mypy", "--strict", "zentrunk_async")


@nox.session(python=PRIMARY)
def typing(session: nox.Session) -> None:
    """The public contract: tests/typing/ under mypy --strict and pyright (strict).

    Each file asserts the types users see (``assert_type``) and a few calls
    that must be refused; mypy's ``warn_unused_ignores`` turns every expected
    ``# type: ignore[code]`` into a check that the error still happens.
    """
    session.install("-e", f".[{EXTRAS}]", *group("typing"))
    session.run("mypy", "--strict", "--warn-unused-ignores", "tests/typing", "examples")
    session.run("pyright", "-p", "tests/typing/pyrightconfig.json")


@nox.session(python=PRIMARY)
def docs(session: nox.Session) -> None:
    """Build the documentation site; --strict turns broken links and references into errors."""
    session.install("-e", f".[{EXTRAS}]", *group("docs"))
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", str(Path(session.create_tmp()) / "site")
    )


@nox.session(python=PRIMARY)
def bench(session: nox.Session) -> None:
    """Benchmarks against the emulator over loopback: `nox -s bench -- --quick` (< 2 min).

    orjson is installed because the transport uses it when present; the
    results table records which packages were there.
    """
    session.install(
        "-e", ".[emulator,cli,aiohttp]", "requests>=2.31", "matplotlib>=3.8", "orjson>=3.9"
    )
    session.run("python", "-m", "benchmarks", *session.posargs)
