"""Work units and jobs: serialisable, secret-free, and the store password kept apart."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

from zentrunk_async import InvalidArgumentError
from zentrunk_async.fleet import Account, AccountWork, ClientOptions, SyncJob
from zentrunk_async.fleet._work import redact_db_url, split_db_password


def test_units_round_trip_through_pickle() -> None:
    unit = AccountWork(Account("MA1", "TOKEN_ENV"), since=datetime(2026, 9, 1, tzinfo=timezone.utc))
    assert pickle.loads(pickle.dumps(unit)) == unit
    options = ClientOptions(base_url="http://127.0.0.1:1", http="aiohttp")
    assert pickle.loads(pickle.dumps(options)) == options


def test_naive_times_and_bad_options_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        AccountWork(Account("MA1", "T"), since=datetime(2026, 9, 1))
    with pytest.raises(InvalidArgumentError, match="concurrency must be a positive integer"):
        ClientOptions(concurrency=0)


@pytest.mark.parametrize(
    ("url", "bare", "password", "shown"),
    [
        (
            "postgresql://app:s3cr%40t@db:5432/cdrs",
            "postgresql://app@db:5432/cdrs",
            "s3cr%40t",
            "postgresql://app:***@db:5432/cdrs",
        ),
        ("postgresql://app@db/cdrs", "postgresql://app@db/cdrs", None, "postgresql://app@db/cdrs"),
        ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db", None, "sqlite:///tmp/x.db"),
    ],
)
def test_the_store_password_is_split_out_and_never_shown(
    url: str, bare: str, password: str | None, shown: str
) -> None:
    assert split_db_password(url) == (bare, password)
    assert redact_db_url(url) == shown
    assert "s3cr" not in repr(SyncJob(db=url))


def test_a_worker_puts_its_own_password_back(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    from zentrunk_async.distributed import ENV_DB_PASSWORD
    from zentrunk_async.distributed._task import with_worker_password

    job = SyncJob(db="postgresql://app@db:5432/cdrs")
    monkeypatch.delenv(ENV_DB_PASSWORD, raising=False)
    assert with_worker_password(job) == job
    monkeypatch.setenv(ENV_DB_PASSWORD, "p@ss/word")
    assert with_worker_password(job).db == "postgresql://app:p%40ss%2Fword@db:5432/cdrs"
