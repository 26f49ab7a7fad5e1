"""A fleet on a real 3-process `LocalCluster`: a worker SIGKILLed mid-account, faults, drift.

The emulator runs in this process; the workers reach it over loopback and
read their tokens from the environment they inherited. Bounded: the whole
file must stay well under a minute on a loaded 2-core machine.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("distributed")

from distributed.diagnostics.plugin import SchedulerPlugin
from fleet.emulated import FAST_RETRY, EmulatedFleet, jsonl_uuids, serve_fleet
from fleet.stores import stored
from sync.pgserver import PostgresServer

from zentrunk_async.distributed import local_cluster, run_on_dask
from zentrunk_async.fleet import (
    AccountProgress,
    AccountWork,
    ClientOptions,
    ExportJob,
    Job,
    SyncJob,
)

pytestmark = pytest.mark.timeout(120)

WRONG_TOKEN = "wrong-token-never-in-any-log-7f3"

#: Short leases: a killed worker's account moves on after seconds, not Dask's 30.
LEASE = 4.0


def options(fleet: EmulatedFleet) -> ClientOptions:
    return ClientOptions(base_url=fleet.base_url, rate_limit=None, retry=FAST_RETRY, concurrency=2)


class GraphRecorder(SchedulerPlugin):  # type: ignore[misc]
    """A scheduler plugin keeping every task's pickled spec as the scheduler holds it."""

    name = "zentrunk-graph-recorder"

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.specs: list[bytes] = []
        self.keys: list[str] = []

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if finish == "processing":
            self.keys.append(str(key))
            task = self.scheduler.tasks.get(key)
            if task is not None:
                self.specs.append(pickle.dumps(task.run_spec))


def wait_for_rows(db: str, auth_id: str, limit: float = 30.0) -> int:
    """The account's stored rows once there are some: its commits trail its responses."""
    deadline = time.monotonic() + limit
    while True:
        rows = len(anyio.run(stored, db, auth_id))
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def truth(fleet: EmulatedFleet, index: int) -> list[str]:
    return anyio.run(fleet.every_call, index)


@pytest.mark.parametrize("sink", ["postgresql", "export"])
def test_worker_killed_mid_run_every_call_exactly_once(
    sink: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    job: Job
    if sink == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        db = server.new_database()
        job = SyncJob(db=db, settle=timedelta(0), max_shard_records=40)
    else:
        job = ExportJob(out_dir=str(tmp_path), max_shard_records=40)
    with serve_fleet(7, calls=300, gate_after=14) as (fleet, gate):
        assert gate is not None
        fleet.set_tokens(monkeypatch)
        monkeypatch.setenv(fleet.env_name(6), WRONG_TOKEN)  # fails alone: 401
        for index, emulator in enumerate(fleet.emulators[:6]):
            emulator.faults.update(
                error_rate=0.05, drop_rate=0.03, drift_per_second=20.0, seed=index
            )
        work = [AccountWork(a, since=fleet.since, until=fleet.until) for a in fleet.accounts()]
        events: list[tuple[AccountProgress, str]] = []
        killed: list[int] = []
        before_kill: list[int] = []

        with local_cluster(3, accounts_per_worker=2, lease_timeout=LEASE) as client:
            recorder = GraphRecorder(client.cluster.scheduler)
            client.cluster.scheduler.add_plugin(recorder)
            pids: dict[str, int] = client.run(os.getpid)
            assert len(pids) == 3

            def kill_the_gated_account_s_worker() -> None:
                if not gate.reached.wait(60):
                    return
                if sink == "postgresql":  # kill once part of the account is committed
                    before_kill.append(wait_for_rows(db, gate.auth_id))
                for worker, keys in client.processing().items():
                    if any(gate.auth_id in str(key) for key in keys):
                        os.kill(pids[worker], signal.SIGKILL)
                        killed.append(pids[worker])
                gate.release.set()

            killer = threading.Thread(target=kill_the_gated_account_s_worker, daemon=True)
            killer.start()
            summary = run_on_dask(
                client,
                work,
                job,
                options=options(fleet),
                attempts=3,
                lease_timeout=LEASE,
                on_progress=lambda progress, worker: events.append((progress, worker)),
            )
            killer.join(5)
            logs = repr(client.get_scheduler_logs(n=10_000)) + repr(client.get_worker_logs())
            logs += repr(client.get_events())
            survivors = set(client.run(os.getpid).values())

    assert len(killed) == 1, "the gated account's worker was found and killed mid-account"
    assert killed[0] not in survivors
    if sink == "postgresql":  # killed with part of the account committed, not all of it
        assert 0 < before_kill[0] < len(truth(fleet, 0))
    assert [r.auth_id for r in summary.done] == [fleet.auth_id(i) for i in range(6)], [
        r.error for r in summary.failed
    ]
    for index in range(6):
        auth_id = fleet.auth_id(index)
        if sink == "export":
            got = jsonl_uuids(tmp_path / f"{auth_id}.jsonl")
            assert len(got) == summary.results[index].records
        else:
            got = anyio.run(stored, db, auth_id)
        assert len(got) == len(set(got))
        assert sorted(got) == sorted(truth(fleet, index))
    (wrong,) = summary.failed
    assert wrong.auth_id == fleet.auth_id(6)
    assert wrong.error is not None
    assert wrong.error.startswith("AuthenticationError")
    assert {p.auth_id for p, _ in events if p.state == "done"} == {
        fleet.auth_id(i) for i in range(6)
    }
    # The gated account ran on two workers: the one killed, then another.
    assert len({w for p, w in events if p.auth_id == gate.auth_id}) >= 2

    secrets = [fleet.token(i).encode() for i in range(7)] + [WRONG_TOKEN.encode()]
    assert len(recorder.specs) >= 7
    for spec in recorder.specs:
        assert not any(secret in spec for secret in secrets)
    assert not any(secret.decode() in logs for secret in secrets)


def test_client_losing_the_scheduler_resubmits_each_account_once_pulled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_server: PostgresServer
) -> None:
    db = postgres_server.new_database()
    job = SyncJob(db=db, settle=timedelta(0), max_shard_records=40)
    with serve_fleet(4, calls=300, gate_after=14) as (fleet, gate):
        assert gate is not None
        fleet.set_tokens(monkeypatch)
        work = [AccountWork(a, since=fleet.since, until=fleet.until) for a in fleet.accounts()]
        dropped: list[bool] = []
        with local_cluster(2, accounts_per_worker=2, lease_timeout=LEASE) as client:
            recorder = GraphRecorder(client.cluster.scheduler)
            client.cluster.scheduler.add_plugin(recorder)

            def drop_the_scheduler_connection() -> None:
                if not gate.reached.wait(60):
                    return
                client.scheduler_comm.comm.abort()  # the client reconnects by itself
                dropped.append(True)
                gate.release.set()

            dropper = threading.Thread(target=drop_the_scheduler_connection, daemon=True)
            dropper.start()
            summary = run_on_dask(
                client, work, job, options=options(fleet), attempts=3, lease_timeout=LEASE
            )
            dropper.join(5)

    assert dropped == [True]
    resubmitted = [key for key in recorder.keys if not key.endswith("-0")]
    assert any(gate.auth_id in key for key in resubmitted), recorder.keys
    assert len(summary.done) == 4, [r.error for r in summary.failed]
    for index in range(4):
        got = anyio.run(stored, db, fleet.auth_id(index))
        assert len(got) == len(set(got))
        assert sorted(got) == sorted(truth(fleet, index))
