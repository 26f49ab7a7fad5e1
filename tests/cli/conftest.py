"""Fixtures for the command line: a served emulator and a runner pointed at it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from zentrunk_async.cli._app import app
from zentrunk_async.testing import EmulatorServer

Invoke = Callable[..., Result]

#: Wide enough that rich never folds a UUID inside a table cell.
WIDE = {"COLUMNS": "240"}


#: Variables a developer's shell may hold that would change what a command does.
SETTINGS_ENV = (
    "PLIVO_AUTH_ID",
    "PLIVO_AUTH_TOKEN",
    "ZENTRUNK_BASE_URL",
    "ZENTRUNK_LOG",
    "ZENTRUNK_PROFILE",
    "ZENTRUNK_RATE_LIMIT",
    "ZENTRUNK_SIP_PASSWORD",
)


@pytest.fixture(autouse=True)
def _no_account_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A developer's real PLIVO_* variables and config file must never reach these tests."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZENTRUNK_CONFIG", str(tmp_path_factory.mktemp("cfg") / "absent.toml"))


@pytest.fixture
def zentrunk(zentrunk_emulator_server: EmulatorServer) -> Invoke:
    """``zentrunk(*args)``: run the CLI against the served emulator (token from the env)."""
    server = zentrunk_emulator_server
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        argv = ["--base-url", server.base_url, "--auth-id", server.auth_id, *args]
        environment = {**WIDE, "PLIVO_AUTH_TOKEN": server.auth_token, **(env or {})}
        return runner.invoke(app, argv, env=environment, input=input)

    return invoke
