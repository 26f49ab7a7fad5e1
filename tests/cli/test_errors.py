"""Failures end as one line on stderr and an exit code; tracebacks only with --debug."""

from __future__ import annotations

import socket

import pytest

from zentrunk_async.cli import main
from zentrunk_async.testing import EmulatorServer

from .conftest import Invoke


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bad_credentials_exit_1_one_line(zentrunk: Invoke) -> None:
    """A refused token is exit code 1 and one line that says what to check."""
    result = zentrunk("trunks", "list", env={"PLIVO_AUTH_TOKEN": "wrong-token-123"})
    assert result.exit_code == 1
    (line,) = error_lines(result.stderr)
    assert line.startswith("zentrunk: error: authentication failed (401)")
    assert "PLIVO_AUTH_TOKEN" in line
    assert "Traceback" not in result.output


def test_not_found_exit_1(zentrunk: Invoke) -> None:
    result = zentrunk("trunks", "get", "123456")
    assert result.exit_code == 1
    assert error_lines(result.stderr)[0].startswith("zentrunk: error: not found (404)")


def test_bad_argument_exit_2(zentrunk: Invoke) -> None:
    """Values the SDK refuses before any request are usage errors (exit code 2)."""
    result = zentrunk("trunks", "create", "--trunk-direction", "outbound")
    assert result.exit_code == 2
    assert error_lines(result.stderr) == [
        "zentrunk: error: invalid argument: an outbound trunk needs"
        " --ipacl-uuid or --credential-uuid"
    ]


def test_network_failure_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing listening: exit code 1 and a line naming the URL, after the SDK's retries."""
    url = f"http://127.0.0.1:{closed_port()}"
    code, _, err = run_main(
        capsys,
        "--base-url",
        url,
        "--auth-id",
        "MA1",
        "--auth-token",
        "tok123",
        "calls",
        "get",
        "a706dd2f-4d19-4e6f-8892-b50ed5eb409f",
    )
    assert code == 1
    (line,) = error_lines(err)
    assert line.startswith("zentrunk: error: network failure:")
    assert url in line


def test_missing_credentials_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "trunks", "list")
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith("zentrunk: error: no Auth ID: pass --auth-id, set PLIVO_AUTH_ID")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["trunks", "frob"], "No such command 'frob'"),
        (["trunks", "list", "--bogus"], "No such option: --bogus"),
        (["trunks", "list", "--trunk-direction", "sideways"], "'sideways' is not one of"),
        (["calls", "export", "--since", "yesterday-ish", "--out", "x.jsonl"], "is not a time"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    """The console script prints click's usage errors as one line, not a box."""
    code, out, err = run_main(capsys, *argv)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith("zentrunk: error: ")
    assert expected in line
    assert out == ""


def test_bare_group_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "trunks")
    assert code == 0
    assert "route-number" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from zentrunk_async import __version__

    assert run_main(capsys, "--version")[:2] == (0, f"zentrunk {__version__}\n")


def test_debug_shows_traceback_but_never_the_token(
    capsys: pytest.CaptureFixture[str], zentrunk_emulator_server: EmulatorServer
) -> None:
    """--debug logs requests and prints the traceback; the token stays ***."""
    token = "very-secret-token-4242"
    code, out, err = run_main(
        capsys,
        "--debug",
        "--base-url",
        zentrunk_emulator_server.base_url,
        "--auth-id",
        zentrunk_emulator_server.auth_id,
        "--auth-token",
        token,
        "trunks",
        "list",
    )
    assert code == 1
    assert "Traceback" in err
    assert "AuthenticationError" in err
    assert "auth_token=***" in err
    assert "-> 401" in err
    assert token not in out + err
    assert err.rstrip().splitlines()[-1].startswith("zentrunk: error: authentication failed")
