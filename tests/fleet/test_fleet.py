"""`run_fleet`: many accounts in one process, faults on some, each call exactly once."""

from __future__ import annotations

import pickle
from pathlib import Path

import anyio
import attrs
import pytest

from zentrunk_async import InvalidArgumentError, RetryPolicy, ZentrunkClient
from zentrunk_async.fleet import (
    Account,
    AccountProgress,
    AccountWork,
    ClientOptions,
    ExportJob,
    run_fleet,
)

from .emulated import FAST_RETRY, EmulatedFleet, jsonl_uuids

pytestmark = pytest.mark.anyio


def options(
    fleet: EmulatedFleet, retry: RetryPolicy = FAST_RETRY, concurrency: int = 4
) -> ClientOptions:
    return ClientOptions(
        base_url=fleet.base_url, rate_limit=None, retry=retry, concurrency=concurrency
    )


async def test_faults_on_some_accounts_leave_the_others_exactly_once(
    emulated_fleet: EmulatedFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = emulated_fleet
    fleet.set_tokens(monkeypatch)
    fleet.emulators[0].faults.update(error_rate=0.3, seed=1)
    fleet.emulators[1].faults.update(drop_rate=0.2, seed=2)
    # The SDK does not resend a page it could not decode: each bad body costs the
    # account one attempt, and the next resumes from its checkpoint.
    fleet.emulators[2].faults.update(truncate_next=1, html_next=1)
    monkeypatch.setenv(fleet.env_name(3), "not-the-token")  # fails alone: 401
    monkeypatch.delenv(fleet.env_name(4))  # fails alone: no token at all
    events: list[AccountProgress] = []
    work = [AccountWork(a, since=fleet.since, until=fleet.until) for a in fleet.accounts()]

    summary = await run_fleet(
        work,
        ExportJob(out_dir=str(tmp_path)),
        options=options(fleet),
        max_accounts=3,
        attempts=3,
        on_progress=events.append,
    )

    faults = [fleet.emulators[0].stats.statuses[503]] + [
        sum(e.stats.faults.values()) for e in fleet.emulators[1:3]
    ]
    assert all(count > 0 for count in faults), faults  # every faulty account was really hit
    assert [r.auth_id for r in summary.done] == [fleet.auth_id(i) for i in range(3)], [
        r.error for r in summary.failed
    ]
    for index in range(3):
        exported = jsonl_uuids(tmp_path / f"{fleet.auth_id(index)}.jsonl")
        truth = await fleet.every_call(index)
        assert len(exported) == len(set(exported)) == summary.results[index].records
        assert sorted(exported) == sorted(truth)
        assert len(exported) == fleet.admin_calls(index)  # the window holds all of them
    wrong, missing = summary.failed
    assert wrong.auth_id == fleet.auth_id(3)
    assert wrong.error is not None
    assert wrong.error.startswith("AuthenticationError")
    assert wrong.attempts == 1  # a wrong token is not worth a second attempt
    assert missing.error is not None
    assert f"{fleet.env_name(4)} is not set" in missing.error
    assert summary.records == sum(r.records for r in summary.done)
    final = {e.auth_id: e.state for e in events}
    assert final == {fleet.auth_id(i): "done" if i < 3 else "failed" for i in range(5)}
    assert not any("not-the-token" in (e.error or "") for e in events)


async def test_an_account_failing_past_the_sdk_retries_is_retried_and_resumed(
    emulated_fleet: EmulatedFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = emulated_fleet
    fleet.set_tokens(monkeypatch)
    # One request at a time, so the first one fails twice: past its one retry.
    fleet.emulators[0].faults.update(error_next=2)
    retry = RetryPolicy(max_retries=1, backoff_base=0.0, backoff_cap=0.0)
    work = [AccountWork(fleet.account(0), since=fleet.since, until=fleet.until)]

    summary = await run_fleet(
        work, ExportJob(out_dir=str(tmp_path)), options=options(fleet, retry, 1), attempts=2
    )

    (result,) = summary.results
    assert result.ok, result.error
    assert result.attempts == 2
    exported = jsonl_uuids(tmp_path / f"{fleet.auth_id(0)}.jsonl")
    assert sorted(exported) == sorted(await fleet.every_call(0))


async def test_no_more_than_max_accounts_run_at_once(emulated_fleet: EmulatedFleet) -> None:
    fleet = emulated_fleet
    release = anyio.Event()
    running: set[str] = set()
    most = 0

    class GatedJob:
        def check(self, work: AccountWork) -> None:
            return None

        def session(self, options: ClientOptions) -> object:
            job = self

            class Session:
                async def __aenter__(self) -> object:
                    return job.run

                async def __aexit__(self, *exc: object) -> None:
                    return None

            return Session()

        async def run(
            self, client: ZentrunkClient, work: AccountWork, seen: object, retrying: bool
        ) -> int:
            nonlocal most
            running.add(work.auth_id)
            most = max(most, len(running))
            await release.wait()
            running.discard(work.auth_id)
            return 1

    work = [AccountWork(a) for a in fleet.accounts()]
    summary = None

    async def go() -> None:
        nonlocal summary
        summary = await run_fleet(
            work, GatedJob(), options=options(fleet), max_accounts=2, credentials=lambda a: "t"
        )

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(go)
        await anyio.wait_all_tasks_blocked()
        assert len(running) == 2
        release.set()
    assert most == 2
    assert summary is not None
    assert len(summary.done) == 5


async def test_the_provider_is_asked_per_account_and_units_hold_no_token(
    emulated_fleet: EmulatedFleet, tmp_path: Path
) -> None:
    fleet = emulated_fleet
    asked: list[Account] = []

    def vault(account: Account) -> str:
        asked.append(account)
        ids = [fleet.auth_id(i) for i in range(5)]
        return fleet.token(ids.index(account.auth_id))

    work = [AccountWork(Account(fleet.auth_id(i)), since=fleet.since) for i in range(2)]
    for unit in work:
        blob = pickle.dumps(unit) + repr(unit).encode()
        assert not any(fleet.token(i).encode() in blob for i in range(5))

    summary = await run_fleet(
        work, ExportJob(out_dir=str(tmp_path)), options=options(fleet), credentials=vault
    )

    assert len(summary.done) == 2
    assert sorted(a.auth_id for a in asked) == [fleet.auth_id(0), fleet.auth_id(1)]


async def test_an_account_listed_twice_is_refused_before_any_request(
    emulated_fleet: EmulatedFleet, tmp_path: Path
) -> None:
    fleet = emulated_fleet
    work = [AccountWork(fleet.account(0), since=fleet.since)] * 2
    with pytest.raises(InvalidArgumentError, match="listed twice"):
        await run_fleet(work, ExportJob(out_dir=str(tmp_path)), options=options(fleet))
    with pytest.raises(InvalidArgumentError, match="needs since"):
        await run_fleet(
            [AccountWork(fleet.account(0))],
            ExportJob(out_dir=str(tmp_path)),
            options=options(fleet),
        )
    assert fleet.emulators[0].stats.requests == 0


async def test_the_fast_path_runs_a_fleet_on_asyncio_and_is_refused_under_trio(
    emulated_fleet: EmulatedFleet,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    anyio_backend: str,
) -> None:
    fleet = emulated_fleet
    fleet.set_tokens(monkeypatch)
    fast = attrs.evolve(options(fleet), http="aiohttp")
    work = [AccountWork(a, since=fleet.since, until=fleet.until) for a in fleet.accounts()[:2]]
    job = ExportJob(out_dir=str(tmp_path))
    if anyio_backend == "trio":
        with pytest.raises(InvalidArgumentError, match="asyncio only"):
            await run_fleet(work, job, options=fast)
        assert fleet.emulators[0].stats.requests == 0
        return
    summary = await run_fleet(work, job, options=fast)
    assert len(summary.done) == 2
    exported = jsonl_uuids(tmp_path / f"{fleet.auth_id(1)}.jsonl")
    assert sorted(exported) == sorted(await fleet.every_call(1))
