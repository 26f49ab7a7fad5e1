"""What users of gh, aws or plivo expect: -h, --dry-run, --yes, completion, no hung prompts."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from zentrunk_async.cli import main
from zentrunk_async.cli._errors import in_cli_words
from zentrunk_async.testing import EmulatorServer

from .conftest import Invoke
from .procs import clean_env, run_pipe


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_h_is_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-h")
    assert code == 0
    assert "Exit codes: 0 done" in out  # documented in --help itself
    assert run(capsys, "trunks", "list", "-h")[1].startswith("Usage: zentrunk trunks list")


def test_until_is_documented_as_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    out = " ".join(run(capsys, "calls", "list", "--help")[1].split())
    assert "(inclusive)" in out
    assert "(exclusive)" in out
    assert "NOT included" in out


def test_dry_run_prints_the_request_and_sends_nothing(zentrunk: Invoke) -> None:
    secret = "S3cret!pw"
    result = zentrunk(
        "credentials", "create", "--username", "pbxuser1", "--password", secret, "--dry-run"
    )
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("POST http://127.0.0.1:")
    assert first.endswith("/Zentrunk/Credential/")
    assert "authorization: ***" in result.stdout
    assert '"password": "***"' in result.stdout
    assert secret not in result.output
    assert "dry run: nothing was sent" in result.stderr
    assert json.loads(zentrunk("credentials", "list", "-o", "json").stdout) == []
    as_json = json.loads(
        zentrunk("--json", "ip-acls", "create", "--ip", "192.0.2.1", "--dry-run").stdout
    )
    assert as_json["method"] == "POST"
    assert as_json["body"]["ip_addresses"] == ["192.0.2.1"]


def test_dry_run_delete_and_validation(zentrunk: Invoke) -> None:
    acl = zentrunk("ip-acls", "create", "--ip", "192.0.2.1", "-o", "ids").stdout.strip()
    shown = zentrunk("ip-acls", "delete", acl, "--dry-run")
    assert shown.exit_code == 0
    assert shown.stdout.startswith("DELETE ")
    assert acl in zentrunk("ip-acls", "list", "-o", "ids").stdout
    # The SDK's checks still run before the (not) sent request, in the CLI's words.
    refused = zentrunk("trunks", "create", "--trunk-direction", "inbound", "--dry-run")
    assert refused.exit_code == 2
    assert "--primary-uri-uuid" in refused.stderr


def test_delete_without_a_terminal_needs_yes(
    zentrunk: Invoke, zentrunk_emulator_server: EmulatorServer
) -> None:
    """The real script with stdin not a terminal: one line, exit 2, nothing deleted, no hang."""
    acl = zentrunk("ip-acls", "create", "--ip", "192.0.2.1", "-o", "ids").stdout.strip()
    env = clean_env(zentrunk_emulator_server)
    refused = run_pipe("ip-acls", "delete", acl, env=env)
    assert refused.code == 2
    (line,) = refused.err.splitlines()
    assert "refusing without --yes" in line
    assert acl in zentrunk("ip-acls", "list", "-o", "ids").stdout
    done = run_pipe("ip-acls", "delete", acl, "--yes", env=env)
    assert done.code == 0, done.err
    assert done.out == f"deleted\tipacl_uuid\ntrue\t{acl}\n"


@pytest.mark.parametrize("stdin", ["devnull", "closed"])
def test_credentials_create_without_a_terminal_fails_clearly(
    stdin: str, zentrunk_emulator_server: EmulatorServer
) -> None:
    """Not "interrupted", exit 130: a usage error naming the ways to give the password."""
    env = clean_env(zentrunk_emulator_server)
    done = run_pipe(
        "credentials", "create", "--username", "pbxuser1", env=env, close_stdin=stdin == "closed"
    )
    assert done.code == 2
    (line,) = done.err.splitlines()
    assert "interrupted" not in line
    assert "--password-stdin" in line
    assert "ZENTRUNK_SIP_PASSWORD" in line
    empty = run_pipe("credentials", "create", "--username", "pbxuser1", "--password-stdin", env=env)
    assert empty.code == 2
    assert "stdin gave no password" in empty.err


def test_busy_port_is_one_line(zentrunk_emulator_server: EmulatorServer) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_pipe("emulator", "--port", str(port), env=clean_env())
    assert done.code == 1
    (line,) = done.err.splitlines()
    assert line == (
        f"zentrunk: error: port {port} is already in use: stop what listens there, "
        "or pick another with --port N (--port 0 picks a free one)"
    )


def test_completion_script_install_and_answers(tmp_path: Path) -> None:
    env = clean_env(HOME=str(tmp_path))
    script = run_pipe("completion", "bash", env=env)
    assert script.code == 0
    assert "_ZENTRUNK_COMPLETE" in script.out
    for _ in range(2):  # installing twice adds the line once
        installed = run_pipe("completion", "bash", "--install", env=env)
        assert installed.code == 0, installed.err
    assert (tmp_path / ".bashrc").read_text().count('eval "$(zentrunk completion bash)"') == 1
    words = run_pipe(
        env={
            **env,
            "_ZENTRUNK_COMPLETE": "complete_bash",
            "COMP_WORDS": "zentrunk tru",
            "COMP_CWORD": "1",
        },
    )
    assert "trunks" in words.out.split()


@pytest.mark.parametrize(
    ("sdk", "cli"),
    [
        (
            "an end_time upper bound (end_time__lt/__lte) needs a lower bound (end_time__gt/__gte)",
            "an end_time upper bound (--until) needs a lower bound (--since)",
        ),
        (
            "pass allow_insecure_http=True if you mean it",
            "pass --allow-insecure-http if you mean it",
        ),
        ("use calls.export() for everything", "use zentrunk calls export for everything"),
        ("an inbound trunk needs primary_uri_uuid", "an inbound trunk needs --primary-uri-uuid"),
        ("max_items must be >= 1", "--max must be >= 1"),
        (
            "end_time range 2026-01-01 00:00:00 .. 2026-06-01 00:00:00 exceeds the API's 90 days",
            "end_time range 2026-01-01T00:00:00Z .. 2026-06-01T00:00:00Z exceeds the API's 90 days",
        ),
    ],
)
def test_sdk_words_become_flags(sdk: str, cli: str) -> None:
    options = {"primary_uri_uuid": "--primary-uri-uuid", "username": "--username"}
    assert in_cli_words(sdk, options) == cli


def test_one_word_option_named_only_as_a_subject() -> None:
    options = {"username": "--username", "name": "--name"}
    assert (
        in_cli_words("username must be 5-20 letters", options) == "--username must be 5-20 letters"
    )
    assert in_cli_words("the trunk name stays", options) == "the trunk name stays"


def test_insecure_http_error_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "--base-url",
        "http://example.com",
        "--auth-id",
        "MA1",
        "--auth-token",
        "t0k",
        "trunks",
        "list",
    )
    assert code == 2
    assert "--allow-insecure-http" in err
    assert "allow_insecure_http" not in err


def test_every_list_and_get_takes_output_and_json() -> None:
    """public-api.md §6: -o/--output and --json on every list and get, deletes take --yes."""
    import typer

    from zentrunk_async.cli._app import COMMANDS, app

    root = typer.main.get_command(app)
    ctx = root.make_context("zentrunk", ["--help"], resilient_parsing=True)
    seen = []
    for name in COMMANDS:
        group = root.get_command(ctx, name)
        for sub_name in getattr(group, "commands", {}):
            command = group.get_command(ctx, sub_name)
            opts = {opt for param in command.params for opt in getattr(param, "opts", ())}
            if sub_name in ("list", "get", "insights"):
                assert {"-o", "--output", "--json"} <= opts, f"{name} {sub_name}"
                seen.append(f"{name} {sub_name}")
            if sub_name == "delete":
                assert {"--yes", "--dry-run"} <= opts, f"{name} {sub_name}"
            if sub_name in ("create", "update", "route-number"):
                assert "--dry-run" in opts, f"{name} {sub_name}"
    assert len(seen) >= 11
