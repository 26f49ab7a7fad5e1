"""On a terminal (a pty of 80 columns): tables that never cut an ID, and deletes that ask.

The console script runs in a child process whose stdin and stdout are a
pseudo-terminal with its window size set, so rich measures the width a
person's terminal would report and ``isatty()`` is true.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
from typer.testing import CliRunner

from zentrunk_async.cli._app import app
from zentrunk_async.testing import EmulatorServer

from .procs import clean_env, run_tty

pytestmark = [
    pytest.mark.zentrunk_emulator(calls=60, rate_limit_requests=None),
    pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX"),
]

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LISTS = {
    "trunks": "trunk_id",
    "credentials": "credential_uuid",
    "ip-acls": "ipacl_uuid",
    "uris": "uri_uuid",
    "calls": "call_uuid",
}


def screen(text: str) -> list[str]:
    return [ANSI.sub("", line) for line in text.splitlines()]


@pytest.fixture
def env(zentrunk_emulator_server: EmulatorServer) -> dict[str, str]:
    """Resources with long names, so that the other columns must give way to the IDs."""
    server = zentrunk_emulator_server
    runner = CliRunner()

    def made(*args: str, stdin: str | None = None) -> str:
        argv = ["--base-url", server.base_url, "--auth-id", server.auth_id, "-o", "ids", *args]
        result = runner.invoke(app, argv, env={"PLIVO_AUTH_TOKEN": server.auth_token}, input=stdin)
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    long_name = "a rather long descriptive name for the office PBX in building seven"
    addresses = [f"--ip=198.51.100.{n}" for n in range(1, 9)]
    acl = made("ip-acls", "create", *addresses, "--name", long_name)
    uri = made("uris", "create", "--uri", "sip.very-long-hostname.example.com:5061;transport=tls")
    made(
        "trunks",
        "create",
        "--trunk-direction",
        "inbound",
        "--primary-uri-uuid",
        uri,
        "--name",
        long_name,
    )
    made("trunks", "create", "--trunk-direction", "outbound", "--ipacl-uuid", acl)
    made(
        "credentials",
        "create",
        "--username",
        "pbxuserlongname1",
        "--name",
        long_name,
        "--password-stdin",
        stdin="S3cret!pw\n",
    )
    return clean_env(server)


def ids_of(env: dict[str, str], command: str) -> list[str]:
    result = CliRunner().invoke(app, [command, "list", "-o", "json"], env=env)
    assert result.exit_code == 0, result.output
    return [row[LISTS[command]] for row in json.loads(result.stdout)]


@pytest.mark.parametrize("command", LISTS)
def test_table_at_80_columns_never_cuts_an_id(command: str, env: dict[str, str]) -> None:
    ids = ids_of(env, command)
    assert ids
    run = run_tty(command, "list", env=env, columns=80)
    assert run.code == 0, run.err
    lines = screen(run.out)
    assert all(len(line.rstrip()) <= 80 for line in lines), max(lines, key=len)
    for item in ids:
        # Whole on one line, and as a word of its own (not the first half of a fold).
        assert any(re.search(rf"(^|\s){re.escape(item)}(\s|$)", line) for line in lines), item
    assert "\t" not in run.out  # a table, not the pipe format


def test_get_at_80_columns_keeps_the_id_whole(env: dict[str, str]) -> None:
    (call_uuid, *_) = ids_of(env, "calls")
    run = run_tty("calls", "get", call_uuid, env=env, columns=80)
    assert run.code == 0, run.err
    assert any(call_uuid in line for line in screen(run.out))


def test_narrow_terminal_drops_columns_and_says_so(env: dict[str, str]) -> None:
    ids = ids_of(env, "calls")
    run = run_tty("calls", "list", env=env, columns=50)
    assert run.code == 0, run.err
    lines = screen(run.out)
    assert all(any(item in line for line in lines) for item in ids)
    assert "left out at this terminal width" in run.err
    assert "-o tsv" in run.err


def test_delete_asks_on_a_terminal(env: dict[str, str]) -> None:
    """No: exit 1 and the ACL is still there. Yes: deleted."""
    acl = ids_of(env, "ip-acls")[0]
    declined = run_tty("ip-acls", "delete", acl, env=env, answer="n\n")
    assert declined.code == 1
    assert f"Delete IP ACL {acl}? [y/N]" in declined.err
    assert "nothing was changed" in declined.err
    assert acl in ids_of(env, "ip-acls")
    accepted = run_tty("ip-acls", "delete", acl, env=env, answer="y\n")
    assert accepted.code == 0, accepted.err
    assert f"Deleted IP ACL {acl}." in screen(accepted.out)[-1]
    assert acl not in ids_of(env, "ip-acls")


def test_trunk_domains_stay_whole_too(env: dict[str, str]) -> None:
    """A trunk's SIP domain is copied into PBX configs: one token, never folded."""
    result = CliRunner().invoke(app, ["trunks", "list", "-o", "json"], env=env)
    domains = [row["trunk_domain"] for row in json.loads(result.stdout)]
    lines = screen(run_tty("trunks", "list", env=env, columns=80).out)
    for domain in domains:
        assert any(re.search(rf"(^|\s){re.escape(domain)}(\s|$)", line) for line in lines), domain


def test_password_prompt_on_a_terminal_is_hidden_and_confirmed(env: dict[str, str]) -> None:
    secret = "Pr0mpt!pw"
    run = run_tty(
        "credentials",
        "create",
        "--username",
        "promptuser1",
        env=env,
        # The space after each prompt is getpass's own, written once it has flushed the
        # terminal's input (TCSAFLUSH): typing earlier would be thrown away.
        replies=[("SIP password: ", f"{secret}\n"), ("Repeat for confirmation: ", f"{secret}\n")],
    )
    assert run.code == 0, run.err
    assert secret not in run.out + run.err  # not echoed, not printed
    result = CliRunner().invoke(app, ["credentials", "list", "-o", "json"], env=env)
    assert "promptuser1" in [row["username"] for row in json.loads(result.stdout)]
