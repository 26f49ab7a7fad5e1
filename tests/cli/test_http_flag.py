"""``zentrunk --http httpx|aiohttp``: the SDK's ``http=`` switch on the command line."""

from __future__ import annotations

import json
import sys

import pytest

from zentrunk_async.cli import main
from zentrunk_async.cli._errors import EXIT_USAGE

from .conftest import Invoke


@pytest.mark.parametrize("http", ["httpx", "aiohttp"])
def test_http_flag_runs_a_command(zentrunk: Invoke, http: str) -> None:
    result = zentrunk("--http", http, "ip-acls", "create", "--ip", "203.0.113.7", "--json")
    assert result.exit_code == 0, result.output
    acl = json.loads(result.stdout)["ipacl_uuid"]
    listed = zentrunk("--http", http, "ip-acls", "list", "--json")
    assert acl in {row["ipacl_uuid"] for row in json.loads(listed.stdout)}


def test_http_flag_reaches_the_client(zentrunk: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)
    result = zentrunk("--http", "aiohttp", "ip-acls", "list")
    assert result.exit_code != 0
    assert "zentrunk-async[aiohttp]" in result.output
    assert zentrunk("--http", "httpx", "ip-acls", "list").exit_code == 0


def test_unknown_http_value_is_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--auth-id", "MA0001", "--http", "curl", "ip-acls", "list"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err.count("\n") == 1
    assert "'curl' is not one of httpx, aiohttp" in err
