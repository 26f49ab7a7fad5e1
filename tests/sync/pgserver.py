"""A real, throw-away PostgreSQL server for the tests: initdb in a temp dir, a loopback port.

Found from ``ZENTRUNK_PG_BIN``, then Debian's ``/usr/lib/postgresql/<v>/bin``,
then ``PATH``. PostgreSQL refuses to run as root, so when the tests run as
root (CI does) the cluster belongs to the ``postgres`` user and every server
command runs through ``runuser``. Authentication is ``trust`` on 127.0.0.1
only; the server is stopped (``-m immediate``) and its directory removed after.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Set (to 1) in CI: a missing server is then a failure, never a skip.
REQUIRE_ENV = "ZENTRUNK_REQUIRE_POSTGRES"
SUPERUSER = "zentrunk"


def find_bin() -> Path | None:
    explicit = os.environ.get("ZENTRUNK_PG_BIN")
    candidates = [explicit] if explicit else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    def __init__(self, bin_dir: Path, root: Path, port: int, as_user: str | None) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = port
        self.as_user = as_user
        self._databases = 0

    def _cmd(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / tool), *args]
        if self.as_user:
            return ["runuser", "-u", self.as_user, "--", *command]
        return command

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            self._cmd(tool, *args), capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr[-2000:]}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        self._databases += 1
        name = f"test_{os.getpid()}_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    bin_dir = find_bin()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL server binaries (initdb) found")
    as_user = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="zentrunk-pg-"))
    if as_user:
        shutil.chown(root, user=as_user)
    server = PostgresServer(bin_dir, root, _free_port(), as_user)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


# --- pytest fixtures (conftests import them to offer them) ------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session; skipped (failed in CI) without binaries."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'zentrunk-async[postgres]')")
    try:
        with running_server() as server:
            yield server
    except FileNotFoundError as exc:
        _unavailable(f"{exc}: install Debian's postgresql package to run the PostgreSQL tests")


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store URL: a SQLite file, or a new database on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cdrs.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()
