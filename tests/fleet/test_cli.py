"""``zentrunk fleet sync|export``: accounts from a file, tokens from the environment."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest
from typer.testing import CliRunner

from zentrunk_async.cli._app import app

from .emulated import EmulatedFleet, jsonl_uuids
from .stores import stored


def accounts_file(tmp_path: Path, fleet: EmulatedFleet, count: int) -> Path:
    path = tmp_path / "accounts.json"
    entries = [
        {"auth_id": fleet.auth_id(i), "auth_token_env": fleet.env_name(i)} for i in range(count)
    ]
    path.write_text(json.dumps(entries))
    return path


def env_for(fleet: EmulatedFleet, count: int) -> dict[str, str]:
    return {fleet.env_name(i): fleet.token(i) for i in range(count)}


def test_fleet_sync_in_process_one_bad_account_fails_alone(
    emulated_fleet: EmulatedFleet, tmp_path: Path
) -> None:
    fleet = emulated_fleet
    db = f"sqlite:///{tmp_path / 'cdrs.db'}"
    env = {**env_for(fleet, 3), fleet.env_name(2): "wrong-token-for-the-cli"}
    # Few enough 503s that the CLI's default retries (3 per request, 2 attempts per
    # account) ride them all out: this test is about the bad account failing alone.
    fleet.emulators[0].faults.update(error_rate=0.05, seed=9)
    result = CliRunner().invoke(
        app,
        [
            "fleet",
            "sync",
            "--accounts",
            str(accounts_file(tmp_path, fleet, 3)),
            "--db",
            db,
            "--base-url",
            fleet.base_url,
            "--settle",
            "0",
            "--attempts",
            "3",
            "--json",
        ],
        env=env,
    )
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert (summary["done"], summary["failed"]) == (2, 1)
    assert "fleet: 2 done, 1 failed" in result.stderr
    assert f"failed {fleet.auth_id(2)}: AuthenticationError" in result.stderr
    assert "wrong-token-for-the-cli" not in result.output
    for index in range(2):
        rows = anyio.run(stored, db, fleet.auth_id(index))
        truth = anyio.run(fleet.every_call, index)
        assert len(rows) == len(set(rows)) == len(truth)
        assert summary["accounts"][index]["records"] == len(truth)


def test_fleet_export_on_two_local_workers(emulated_fleet: EmulatedFleet, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    fleet = emulated_fleet
    out = tmp_path / "out"
    since, until = fleet.since.isoformat(), fleet.until.isoformat()
    result = CliRunner().invoke(
        app,
        [
            "fleet",
            "export",
            "--accounts",
            str(accounts_file(tmp_path, fleet, 4)),
            "--out-dir",
            str(out),
            "--since",
            since,
            "--until",
            until,
            "--base-url",
            fleet.base_url,
            "--workers",
            "2",
        ],
        env=env_for(fleet, 4),
    )
    assert result.exit_code == 0, result.output
    assert "4 accounts on Dask (2 local workers)" in result.stderr
    assert "fleet: 4 done, 0 failed" in result.stderr
    for index in range(4):
        exported = jsonl_uuids(out / f"{fleet.auth_id(index)}.jsonl")
        assert sorted(exported) == sorted(anyio.run(fleet.every_call, index))


@pytest.mark.parametrize(
    ("extra", "content", "message"),
    [
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], None, "not both"),
        ([], '[{"auth_id": "MA1", "auth_token": "s3cret"}]', "holds an auth_token"),
        ([], "{oops", "is not JSON"),
    ],
)
def test_fleet_usage_errors_exit_2_before_any_request(
    emulated_fleet: EmulatedFleet,
    tmp_path: Path,
    extra: list[str],
    content: str | None,
    message: str,
) -> None:
    fleet = emulated_fleet
    path = accounts_file(tmp_path, fleet, 1)
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(
        app,
        [
            "fleet",
            "sync",
            "--accounts",
            str(path),
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            "--base-url",
            fleet.base_url,
            *extra,
        ],
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "s3cret" not in result.output
    assert fleet.emulators[0].stats.requests == 0


def test_fleet_sync_on_a_running_cluster_by_address(
    emulated_fleet: EmulatedFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed")
    fleet = emulated_fleet
    fleet.set_tokens(monkeypatch)  # the in-process workers read this environment
    db = f"sqlite:///{tmp_path / 'cdrs.db'}"
    accounts = str(accounts_file(tmp_path, fleet, 2))
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        result = CliRunner().invoke(
            app,
            [
                "fleet",
                "sync",
                "--accounts",
                accounts,
                "--db",
                db,
                "--base-url",
                fleet.base_url,
                "--scheduler",
                address,
                "--settle",
                "0",
            ],
        )
        assert result.exit_code == 0, result.output
        assert f"2 accounts on Dask ({address})" in result.stderr
        secret_db = "postgresql://app:hunter2@127.0.0.1:1/cdrs"
        refused = CliRunner().invoke(
            app,
            [
                "fleet",
                "sync",
                "--accounts",
                accounts,
                "--db",
                secret_db,
                "--base-url",
                fleet.base_url,
                "--scheduler",
                address,
            ],
        )
    for index in range(2):
        rows = anyio.run(stored, db, fleet.auth_id(index))
        assert sorted(rows) == sorted(anyio.run(fleet.every_call, index))
    assert refused.exit_code == 2, refused.output
    assert "ZENTRUNK_DB_PASSWORD" in refused.output
    assert "hunter2" not in refused.output
