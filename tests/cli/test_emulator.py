"""``zentrunk emulator`` hands its arguments to the emulator's own entry point."""

from __future__ import annotations

import subprocess
import sys

import httpx
from typer.testing import CliRunner

from zentrunk_async.cli._app import app
from zentrunk_async.emulator import DEFAULT_AUTH_ID, DEFAULT_AUTH_TOKEN


def test_emulator_help_is_the_emulators_own() -> None:
    result = CliRunner().invoke(app, ["emulator", "--help"])
    assert result.exit_code == 0
    assert "--latency-ms" in result.stdout
    assert "--drift" in result.stdout


def test_emulator_bad_argument_exit_2() -> None:
    result = CliRunner().invoke(app, ["emulator", "--calls", "-1", "--port", "0"])
    assert result.exit_code == 2
    assert "calls must be >= 0" in result.stderr


def test_emulator_serves_until_stopped() -> None:
    """A real process: it announces its URL, answers the API, and stops on SIGTERM."""
    command = [
        sys.executable,
        "-m",
        "zentrunk_async.cli",
        "emulator",
        "--port",
        "0",
        "--calls",
        "30",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("Zentrunk emulator listening on http://127.0.0.1:")
            base_url = line.split()[-1]
            response = httpx.get(
                f"{base_url}/v1/Account/{DEFAULT_AUTH_ID}/Zentrunk/Call/",
                auth=(DEFAULT_AUTH_ID, DEFAULT_AUTH_TOKEN),
            )
            assert response.status_code == 200
            assert response.json()["meta"]["total_count"] > 0
        finally:
            process.terminate()
            process.wait(timeout=10)
