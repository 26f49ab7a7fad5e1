"""Every resource command against the emulator: tables by default, JSON with --json."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Invoke


def ok_json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ip_acls_lifecycle(zentrunk: Invoke) -> None:
    """create, list, get, update and delete an IP ACL; list shows a table by default."""
    created = ok_json(
        zentrunk("ip-acls", "create", "--ip", "203.0.113.7", "--name", "office", "--json")
    )
    acl = created["ipacl_uuid"]
    table = zentrunk("ip-acls", "list", "-o", "table")
    assert table.exit_code == 0
    assert acl in table.stdout
    assert "office" in table.stdout
    assert "203.0.113.7" in table.stdout
    got = ok_json(zentrunk("--json", "ip-acls", "get", acl))
    assert got["ip_addresses"] == ["203.0.113.7"]
    updated = zentrunk("ip-acls", "update", acl, "--ip", "192.0.2.1", "--ip", "198.51.100.0/24")
    assert updated.exit_code == 0
    assert acl in updated.stdout
    assert ok_json(zentrunk("ip-acls", "get", acl, "--json"))["ip_addresses"] == [
        "192.0.2.1",
        "198.51.100.0/24",
    ]
    deleted = ok_json(zentrunk("ip-acls", "delete", acl, "--yes", "--json"))
    assert deleted == {"deleted": True, "ipacl_uuid": acl}
    assert ok_json(zentrunk("ip-acls", "list", "--json")) == []


def test_credentials_lifecycle_never_prints_the_password(zentrunk: Invoke) -> None:
    """Credential commands work end to end and the password appears in no output."""
    secret = "Sup3rSecret!pw"
    created = zentrunk("credentials", "create", "--username", "pbxuser1", "--password", secret)
    assert created.exit_code == 0, created.output
    listed = ok_json(zentrunk("credentials", "list", "--json"))
    (cred,) = listed
    assert cred["username"] == "pbxuser1"
    uuid = cred["credential_uuid"]
    # --password-stdin reads the first line of stdin.
    updated = zentrunk(
        "credentials", "update", uuid, "--name", "renamed", "--password-stdin", input=f"{secret}x\n"
    )
    assert updated.exit_code == 0, updated.output
    assert ok_json(zentrunk("credentials", "get", uuid, "--json"))["name"] == "renamed"
    deleted = zentrunk("credentials", "delete", uuid, "--yes", "-o", "table")
    assert deleted.stdout.startswith("Deleted credential")
    for result in (created, updated):
        assert secret not in result.output


def test_uris_and_trunks_lifecycle(zentrunk: Invoke) -> None:
    """An inbound trunk on a new URI: create, list with filters, get, update, route, delete."""
    uri = ok_json(
        zentrunk("uris", "create", "--uri", "sip.example.com:5061;transport=tls", "--json")
    )
    uri_uuid = uri["uri_uuid"]
    assert ok_json(zentrunk("uris", "get", uri_uuid, "--json"))["uri"].startswith("sip.example.com")
    assert zentrunk("uris", "update", uri_uuid, "--name", "pbx").exit_code == 0
    assert "pbx" in zentrunk("uris", "list", "-o", "table").stdout

    trunk = ok_json(
        zentrunk(
            "trunks",
            "create",
            "--trunk-direction",
            "inbound",
            "--primary-uri-uuid",
            uri_uuid,
            "--name",
            "pbx-in",
            "--json",
        )
    )
    trunk_id = trunk["trunk_id"]
    inbound = ok_json(zentrunk("trunks", "list", "--trunk-direction", "inbound", "--json"))
    assert [t["trunk_id"] for t in inbound] == [trunk_id]
    assert ok_json(zentrunk("trunks", "list", "--trunk-direction", "outbound", "--json")) == []
    assert trunk_id in zentrunk("trunks", "list").stdout
    assert zentrunk("trunks", "update", trunk_id, "--name", "renamed").exit_code == 0
    shown = zentrunk("trunks", "get", trunk_id, "-o", "table")
    assert shown.exit_code == 0
    assert "renamed" in shown.stdout
    assert "trunk_domain" in shown.stdout
    routed = zentrunk("trunks", "route-number", "14155550100", trunk_id)
    assert routed.exit_code == 0, routed.output
    assert zentrunk("--yes", "trunks", "delete", trunk_id).exit_code == 0
    assert zentrunk("uris", "delete", uri_uuid, "-y", "--json").exit_code == 0


def test_outbound_trunk_with_credential(zentrunk: Invoke) -> None:
    """An outbound trunk takes an IP ACL or a credential; --secure is a tri-state flag."""
    acl = ok_json(zentrunk("ip-acls", "create", "--ip", "203.0.113.9", "--json"))["ipacl_uuid"]
    trunk_id = ok_json(
        zentrunk(
            "trunks",
            "create",
            "--trunk-direction",
            "outbound",
            "--ipacl-uuid",
            acl,
            "--secure",
            "--json",
        )
    )["trunk_id"]
    got = ok_json(zentrunk("trunks", "get", trunk_id, "--json"))
    assert got["secure"] is True
    assert got["ipacl_uuid"] == acl


@pytest.mark.zentrunk_emulator(calls=300)
def test_calls_list_get_insights(zentrunk: Invoke) -> None:
    """calls list stops at --max-items; get and insights show one call; -o table titles it."""
    calls = ok_json(zentrunk("calls", "list", "--max-items", "25", "--json"))
    assert len(calls) == 25
    call_uuid = calls[0]["call_uuid"]
    table = zentrunk(
        "calls", "list", "--since", "30d", "--call-direction", "inbound", "-o", "table"
    )
    assert table.exit_code == 0
    assert "inbound" in table.stdout
    assert "Calls (" in table.stdout
    assert ok_json(zentrunk("calls", "get", call_uuid, "--json")) == calls[0]
    insights = zentrunk("calls", "insights", call_uuid, "-o", "table")
    assert insights.exit_code == 0
    assert "plivo_quality_score" in insights.stdout
    assert ok_json(zentrunk("calls", "insights", call_uuid, "--json"))["call_uuid"] == call_uuid


def test_calls_list_refuses_until_without_since(zentrunk: Invoke) -> None:
    """The API's rule (an upper bound needs a lower one) is a usage error, exit code 2."""
    result = zentrunk("calls", "list", "--until", "now")
    assert result.exit_code == 2
    assert "needs a lower bound" in result.stderr
