"""Every list command through a pipe: TSV by default, and json, jsonl, csv, ids that parse.

These run the real console script in a child process, so stdout is a pipe
as in ``zentrunk trunks list | grep pbx-in`` (CliRunner would not show
what a real pipe gets: no terminal width, no isatty).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from typing import Any

import pytest
from typer.testing import CliRunner

from zentrunk_async.cli._app import app
from zentrunk_async.testing import EmulatorServer

from .procs import Run, clean_env, run_pipe, zentrunk_command

pytestmark = pytest.mark.zentrunk_emulator(calls=120, rate_limit_requests=None)

#: list command -> the ID field its rows carry.
LISTS = {
    "trunks": "trunk_id",
    "credentials": "credential_uuid",
    "ip-acls": "ipacl_uuid",
    "uris": "uri_uuid",
    "calls": "call_uuid",
}
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ANY_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def ok(run: Run) -> Run:
    assert run.code == 0, run.err
    return run


@pytest.fixture
def env(zentrunk_emulator_server: EmulatorServer) -> dict[str, str]:
    """An account with one of each configuration resource (and the emulator's calls).

    Made in-process (CliRunner): child processes are kept for what is tested.
    """
    server = zentrunk_emulator_server
    runner = CliRunner()

    def made(*args: str, stdin: str | None = None) -> str:
        argv = ["--base-url", server.base_url, "--auth-id", server.auth_id, "-o", "ids", *args]
        result = runner.invoke(app, argv, env={"PLIVO_AUTH_TOKEN": server.auth_token}, input=stdin)
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    acl = made("ip-acls", "create", "--ip", "203.0.113.7", "--name", "office")
    uri = made("uris", "create", "--uri", "sip.example.com:5061;transport=tls")
    made(
        "trunks",
        "create",
        "--trunk-direction",
        "inbound",
        "--primary-uri-uuid",
        uri,
        "--name",
        "pbx-in",
    )
    made(
        "trunks",
        "create",
        "--trunk-direction",
        "outbound",
        "--ipacl-uuid",
        acl,
        "--name",
        "pbx-out",
    )
    made("credentials", "create", "--username", "pbxuser1", "--password-stdin", stdin="S3cret!pw\n")
    return clean_env(server)


def in_process(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def as_json(command: str, env: dict[str, str]) -> list[dict[str, Any]]:
    data = json.loads(ok(run_pipe(command, "list", "-o", "json", env=env)).out)
    assert isinstance(data, list)
    assert data, f"{command} list is empty"
    return data


@pytest.mark.parametrize("command", LISTS)
def test_every_format_of_every_list_parses(command: str, env: dict[str, str]) -> None:
    """TSV by default in a pipe (header, whole IDs); ids, csv, jsonl agree with json."""
    rows = as_json(command, env)
    key = LISTS[command]
    header, *lines = ok(run_pipe(command, "list", env=env)).out.splitlines()
    names = header.split("\t")
    assert names[0] == key
    assert set(rows[0]) >= set(names)
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        cells = line.split("\t")
        assert len(cells) == len(names)
        assert cells[0] == row[key]  # never cut, wrapped or padded
    # The other formats in-process (stdout is not a terminal there either): child processes
    # cost a second each on a loaded machine.
    ids = in_process(env, command, "list", "-o", "ids").splitlines()
    assert ids == [row[key] for row in rows]
    table = in_process(env, command, "list", "-o", "csv")
    assert [r[key] for r in csv.DictReader(io.StringIO(table))] == ids
    jsonl = in_process(env, command, "list", "--output", "jsonl")
    assert [json.loads(line) for line in jsonl.splitlines()] == rows


def test_grep_finds_a_trunk_by_name(env: dict[str, str]) -> None:
    """``zentrunk trunks list | grep pbx-in``: the matching line carries the whole trunk_id."""
    (trunk,) = [t for t in as_json("trunks", env) if t["name"] == "pbx-in"]
    out = ok(run_pipe("trunks", "list", env=env)).out
    (line,) = [line for line in out.splitlines() if "pbx-in" in line]
    assert line.split("\t")[0] == trunk["trunk_id"]


def test_json_keeps_library_types_and_one_time_spelling(env: dict[str, str]) -> None:
    """Numbers are numbers, booleans booleans, absent values null; every time ISO 8601 'Z'."""
    calls = as_json("calls", env)
    call = calls[0]
    assert isinstance(call["bill_duration"], int)
    assert isinstance(call["srtp"], bool)
    assert isinstance(call["total_amount"], float)
    insights = json.loads(
        ok(run_pipe("calls", "insights", call["call_uuid"], "-o", "json", env=env)).out
    )
    for metric in ("rtt", "jitter", "packet_loss", "plivo_quality_score"):
        assert insights[metric] is None or isinstance(insights[metric], (int, float)), metric
    assert "from" in insights  # the API's name, not Python's from_
    times = [v for c in calls for v in c.values() if isinstance(v, str) and ANY_TIME.search(v)]
    trunk = as_json("trunks", env)[0]
    times += [v for v in trunk.values() if isinstance(v, str) and ANY_TIME.search(v)]
    assert times
    assert all(ISO_Z.match(t) for t in times), [t for t in times if not ISO_Z.match(t)][:3]
    tsv = ok(run_pipe("calls", "list", env=env)).out
    assert all(ISO_Z.match(t) for t in re.findall(r"\d{4}-\d\d-\d\d[ T][\d:.]+Z?", tsv))


def test_cut_list_says_so_on_stderr(env: dict[str, str]) -> None:
    """The default limit (50) cuts the emulator's calls: stderr says how many and how to get all."""
    run = ok(run_pipe("calls", "list", "--since", "90d", env=env))
    assert len(run.out.splitlines()) == 1 + 50
    assert re.search(r"showing the first 50 of \d+ calls \(--max 50\); --all", run.err)
    assert "calls export" in run.err
    everything = ok(run_pipe("calls", "list", "--since", "90d", "--all", "-o", "ids", env=env))
    assert len(everything.out.splitlines()) == 120
    assert everything.err == ""


def test_head_closing_the_pipe_is_not_an_error(env: dict[str, str]) -> None:
    """``zentrunk calls list --all | head -1``: no traceback, no 'Broken pipe' noise."""
    with subprocess.Popen(
        [*zentrunk_command(), "calls", "list", "--since", "90d", "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        assert child.stdout.readline().startswith(b"call_uuid\t")
        child.stdout.close()
        err = child.stderr.read().decode()
        code = child.wait(timeout=60)
    assert "Traceback" not in err
    assert "BrokenPipe" not in err
    assert code == 0


def test_get_in_a_pipe_is_one_tsv_row_under_the_list_header(env: dict[str, str]) -> None:
    calls = as_json("calls", env)
    list_header = ok(run_pipe("calls", "list", "--max", "1", env=env)).out.splitlines()[0]
    header, row = in_process(env, "calls", "get", calls[0]["call_uuid"]).splitlines()
    assert header == list_header
    assert row.split("\t")[0] == calls[0]["call_uuid"]
