"""On Dask, only a task run again *within one run* resumes an export's checkpoint.

A checkpoint left by an earlier run is refused unless the job says resume
(as in one process); the marks a run keeps on the scheduler to recognise its
own re-runs are gone when it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("distributed")

from fleet.emulated import FAST_RETRY, EmulatedFleet, jsonl_uuids, serve_fleet

from zentrunk_async import ZentrunkClient
from zentrunk_async.distributed import local_cluster, run_on_dask
from zentrunk_async.export import ExportProgress, export_to_file
from zentrunk_async.fleet import AccountResult, AccountWork, ClientOptions, ExportJob

pytestmark = pytest.mark.timeout(120)


def options(fleet: EmulatedFleet) -> ClientOptions:
    return ClientOptions(base_url=fleet.base_url, rate_limit=None, retry=FAST_RETRY, concurrency=2)


def part_of(out: Path) -> Path:
    return out.with_name(out.name + ".part")


async def interrupted_export(fleet: EmulatedFleet, out: Path) -> None:
    """An export of account 0 cancelled once a shard is written: its checkpoint stays."""
    async with ZentrunkClient(
        fleet.auth_id(0),
        fleet.token(0),
        base_url=fleet.base_url,
        rate_limit=None,
        retry=FAST_RETRY,
        allow_insecure_http=True,
    ) as zt:
        with anyio.CancelScope() as scope:

            def stop(_: ExportProgress) -> None:
                if part_of(out).exists() and part_of(out).stat().st_size > 0:
                    scope.cancel()

            await export_to_file(
                zt,
                out,
                since=fleet.since,
                until=fleet.until,
                max_shard_records=40,
                concurrency=2,
                on_progress=stop,
            )
    assert scope.cancelled_caught


def started_marks(client: Any) -> list[str]:
    def names(dask_scheduler: Any) -> list[str]:
        return [str(n) for n in dask_scheduler.extensions["events"]._events]

    return [n for n in client.run_on_scheduler(names) if n.startswith("zentrunk-started-")]


def test_an_earlier_run_s_checkpoint_is_refused_then_resumed_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_fleet(1, calls=300) as (fleet, _):
        fleet.set_tokens(monkeypatch)
        out = tmp_path / f"{fleet.auth_id(0)}.jsonl"
        anyio.run(interrupted_export, fleet, out)
        partial = jsonl_uuids(part_of(out))
        work = [AccountWork(fleet.account(0), since=fleet.since, until=fleet.until)]
        marks_during: list[list[str]] = []
        with local_cluster(1, accounts_per_worker=1, lease_timeout=4.0) as client:

            def seen(_: AccountResult) -> None:
                marks_during.append(started_marks(client))

            fresh = ExportJob(out_dir=str(tmp_path), max_shard_records=40)
            refused = run_on_dask(client, work, fresh, options=options(fleet), on_result=seen)
            marks_after = started_marks(client)
            after_refusal = jsonl_uuids(part_of(out))
            resumed = run_on_dask(
                client,
                work,
                ExportJob(out_dir=str(tmp_path), max_shard_records=40, resume=True),
                options=options(fleet),
            )
        truth = anyio.run(fleet.every_call, 0)

    (failure,) = refused.failed
    assert failure.error is not None
    assert failure.error.startswith("CheckpointExistsError")
    assert after_refusal == partial  # the refusal touched nothing
    ((mark,),) = marks_during  # the run marked the account while it ran ...
    assert mark.endswith(fleet.auth_id(0))
    assert marks_after == []  # ... and dropped the mark when it returned
    assert len(resumed.done) == 1, [r.error for r in resumed.failed]
    got = jsonl_uuids(out)
    assert len(got) == len(set(got))
    assert sorted(got) == sorted(truth)
    assert 0 < len(partial) < len(truth)
