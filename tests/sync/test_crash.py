"""SIGKILL a real ``zentrunk calls sync`` mid-run, twice, then let it finish: every call once.

The child process writes to a real SQLite file or a real PostgreSQL
database while the emulator (served here over a socket) adds latency,
errors, dropped connections and new calls. After each kill the store must
hold whole shards only: for every interval it claims, exactly the API's
calls of that interval. These tests are synchronous: the code under test
runs in the child, on the CLI's own event loop.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread
from zentrunk_async.sync import open_store, sync_key
from zentrunk_async.testing import EmulatorServer

from .conftest import client_for
from .subproc import zentrunk_process
from .truth import api_calls, stored_calls

#: Generous: the child needs a second or two to start on a loaded machine.
DEADLINE = 120.0


@pytest.fixture
def served() -> Iterator[EmulatorServer]:
    emulator = Emulator(EmulatorConfig(calls=10_000, seed=5, rate_limit_requests=None))
    with serve_in_thread(emulator) as base_url:
        yield EmulatorServer(emulator, base_url)


def admin(server: EmulatorServer, route: str, body: dict[str, object] | None = None) -> Any:
    """Steer the emulator through its admin routes, as a test in another process would."""
    method = "GET" if body is None else "POST"
    response = httpx.request(method, f"{server.base_url}/__emulator__/{route}", json=body)
    response.raise_for_status()
    return response.json()


FAULTS = {"latency_ms": 8, "error_rate": 0.02, "drop_rate": 0.01, "drift_per_second": 40}


def stored_count(url: str) -> int:
    async def count() -> int:
        async with open_store(url) as store:
            rows = await store.fetch("SELECT count(*) AS n FROM calls")
            return int(rows[0]["n"])

    try:
        return anyio.run(count)
    except Exception:  # the child may not have created the schema yet
        return 0


def kill_when(process: subprocess.Popen[str], url: str, at_least: int) -> int:
    """SIGKILL the child once the store holds `at_least` calls; the count seen then."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"the sync ended (exit {process.returncode}) before the kill: {err}")
        seen = stored_count(url)
        if seen >= at_least:
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            close_pipes(process)
            return seen
        time.sleep(0.02)  # polling for a condition, not waiting for time to pass
    process.kill()
    process.wait(30)
    close_pipes(process)
    pytest.fail("the store never reached the count to kill at")


def close_pipes(process: subprocess.Popen[str]) -> None:
    """A killed child's unread pipes, closed here rather than by the GC in some later test."""
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


async def check_whole_shards(server: EmulatorServer, url: str) -> int:
    """Every interval the store claims holds exactly the API's calls of it; the total."""
    async with client_for(server.emulator) as zt, open_store(url) as store:
        intervals = await store.intervals(sync_key(zt))
        total = 0
        for start, end in intervals:
            truth = await api_calls(zt, start, end, concurrency=8)
            stored = await stored_calls(store, start, end)
            assert len(stored) == len(set(stored))
            assert sorted(stored) == sorted(truth), (start, end)
            total += len(truth)
        return total


def test_sigkill_during_runs_loses_and_doubles_nothing(
    served: EmulatorServer, store_url: str
) -> None:
    """Kill, kill again, finish: the store equals the API's calls of the synced window."""
    emulator = served.emulator
    admin(served, "faults", {**FAULTS, "seed": 2})
    args = ("calls", "sync", "--db", store_url, "--settle", "0", "--concurrency", "4")

    seen = kill_when(zentrunk_process(served, *args), store_url, at_least=1500)
    stats = admin(served, "stats")
    assert stats["drifted_calls"] > 0
    assert sum(stats["faults"].values()) > 0
    admin(served, "reset", {})
    in_intervals = anyio.run(check_whole_shards, served, store_url)
    assert 0 < in_intervals < 10_000
    assert stored_count(store_url) >= seen

    admin(served, "faults", {**FAULTS, "seed": 3})
    kill_when(zentrunk_process(served, *args), store_url, at_least=seen + 2500)
    admin(served, "reset", {})
    anyio.run(check_whole_shards, served, store_url)

    admin(served, "calls", {"count": 25})  # calls that ended between the runs
    admin(served, "faults", {**FAULTS, "latency_ms": 0, "seed": 4})
    final = zentrunk_process(served, *args)
    out, err = final.communicate(timeout=DEADLINE)
    assert final.returncode == 0, err
    assert "Synced" in out
    admin(served, "reset", {})

    async def verify() -> None:
        async with client_for(emulator) as zt, open_store(store_url) as store:
            key = sync_key(zt)
            intervals = await store.intervals(key)
            assert len(intervals) == 1  # one stretch: no gap left behind by the kills
            start, end = intervals[0]
            truth = await api_calls(zt, start, end, concurrency=8)
            stored = await stored_calls(store, start, end)
            assert len(stored) == len(set(stored)) == len(truth) >= 10_000
            assert set(stored) == set(truth)

    anyio.run(verify)
