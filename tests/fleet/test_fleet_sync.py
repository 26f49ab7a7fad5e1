"""`run_fleet` with `SyncJob`: many accounts into one store, faults on some, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from zentrunk_async.fleet import AccountWork, ClientOptions, SyncJob, run_fleet

from .emulated import FAST_RETRY, EmulatedFleet
from .stores import stored

pytestmark = pytest.mark.anyio


async def test_sync_fleet_into_one_store_each_call_once(
    emulated_fleet: EmulatedFleet, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = emulated_fleet
    fleet.set_tokens(monkeypatch)
    fleet.emulators[0].faults.update(error_rate=0.2, drift_per_second=50.0, seed=5)
    fleet.emulators[1].faults.update(drop_rate=0.2, seed=6)
    fleet.emulators[2].faults.update(truncate_next=1)
    monkeypatch.setenv(fleet.env_name(4), "not-the-token")
    work = [AccountWork(a, since=fleet.since, until=fleet.until) for a in fleet.accounts()]
    options = ClientOptions(base_url=fleet.base_url, rate_limit=None, retry=FAST_RETRY)
    job = SyncJob(db=store_url, settle=timedelta(0))

    summary = await run_fleet(work, job, options=options, max_accounts=3, attempts=3)

    assert [r.auth_id for r in summary.done] == [fleet.auth_id(i) for i in range(4)], [
        r.error for r in summary.failed
    ]
    for index in range(4):
        rows = await stored(store_url, fleet.auth_id(index))
        truth = await fleet.every_call(index)
        assert len(rows) == len(set(rows)) == len(truth)
        assert set(rows) == set(truth)
    (wrong,) = summary.failed
    assert wrong.auth_id == fleet.auth_id(4)
    assert wrong.error is not None
    assert wrong.error.startswith("AuthenticationError")
    assert await stored(store_url, fleet.auth_id(4)) == []

    again = await run_fleet(work[:4], job, options=options)  # a second run adds nothing
    assert len(again.done) == 4
    for index in range(4):
        assert len(await stored(store_url, fleet.auth_id(index))) == len(
            await fleet.every_call(index)
        )


def test_the_store_password_never_shows() -> None:
    job = SyncJob(db="postgresql://app:hunter2@db.example:5432/cdrs")
    assert "hunter2" not in repr(job)
    assert "app:***@db.example" in repr(job)
