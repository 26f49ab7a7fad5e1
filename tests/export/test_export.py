"""calls.export against the emulator: each call exactly once, through drift, latency and faults."""

from __future__ import annotations

import gc
import itertools
import tracemalloc
from datetime import datetime, timedelta, timezone

import anyio
import httpx
import pytest

from zentrunk_async import CallRecord, InvalidArgumentError, ZentrunkClient
from zentrunk_async._export.runner import MAX_PULLS
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread
from zentrunk_async.export import Export, Shard
from zentrunk_async.testing import EmulatorServer  # noqa: F401 - the plugin is importable

from .conftest import FAST_RETRY, every_call

pytestmark = pytest.mark.anyio


async def test_every_call_exactly_once(zt: ZentrunkClient, span: tuple[datetime, datetime]) -> None:
    """An export of the whole span yields exactly the calls a plain listing finds."""
    truth = await every_call(zt, span)
    exported = [c.call_uuid async for c in zt.calls.export(*span, max_shard_records=400)]
    assert len(exported) == len(set(exported)) == len(truth) == 3000
    assert set(exported) == set(truth)


async def test_drift_latency_and_faults_lose_and_double_nothing(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime]
) -> None:
    """New calls landing mid-pull, jittery latency, 5xx, 429s and dropped connections: same set."""
    truth = await every_call(zt, span)
    emulator.set_faults(
        drift_per_second=200,
        latency_ms=2,
        latency_jitter_ms=3,
        error_rate=0.03,
        drop_rate=0.02,
        rate_limit_burst=2,
        seed=5,
    )
    exported = [
        c.call_uuid async for c in zt.calls.export(*span, concurrency=8, max_shard_records=400)
    ]
    assert emulator.stats_dict()["drifted_calls"] > 0
    assert len(exported) == len(set(exported))
    assert set(exported) == set(truth)


async def test_until_defaults_to_now_and_is_frozen(zt: ZentrunkClient, emulator: Emulator) -> None:
    """Calls that land after the export started are not in it (the bound is frozen)."""
    since = datetime.now(timezone.utc) - timedelta(days=89, hours=23)
    export = zt.calls.export(since)
    frozen = datetime.fromisoformat(export.params["until"])
    emulator.set_faults(drift_per_second=500)
    await anyio.sleep(1.1)  # whole seconds: drifted calls end after the frozen bound
    calls = [c async for c in export]
    assert len(calls) == 3000
    assert all(c.end_time is not None and c.end_time < frozen for c in calls)


async def test_order_is_newest_first_within_each_batch(
    zt: ZentrunkClient, span: tuple[datetime, datetime]
) -> None:
    """Batches are whole shards; inside one, calls come newest first, like the API's pages."""
    shards: list[Shard] = []
    async for batch in zt.calls.export(*span, max_shard_records=300).batches():
        ends = [c.end_time for c in batch.records]
        assert ends == sorted(ends, reverse=True)  # type: ignore[type-var]
        assert all(batch.shard.start <= e < batch.shard.end for e in ends)  # type: ignore[operator]
        shards.append(batch.shard)
    assert len(shards) > 5
    ordered = sorted(shards, key=lambda s: s.start)
    assert all(a.end == b.start for a, b in itertools.pairwise(ordered))


async def test_filters_apply_to_every_shard(
    zt: ZentrunkClient, span: tuple[datetime, datetime]
) -> None:
    """Export filters go with each shard's query."""
    calls = [
        c async for c in zt.calls.export(*span, call_direction="outbound", max_shard_records=300)
    ]
    assert calls
    assert all(c.call_direction == "outbound" for c in calls)


async def test_memory_stays_flat_as_the_export_grows() -> None:
    """Peak traced memory of a 4x larger export stays within 2x (records are streamed).

    A cheap bound (400 vs 1,600 calls: ratio ~0.9 streamed, ~3.3 if records
    were kept, on 3.11 to 3.13); benchmarks/memory_flat.py measures it at up to
    32,000 calls.
    """

    async def peak(calls: int) -> int:
        emulator = Emulator(EmulatorConfig(calls=calls, seed=1, rate_limit_requests=None))
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))
        until = datetime.now(timezone.utc)
        async with ZentrunkClient(
            emulator.auth_id,
            emulator.auth_token,
            base_url="http://127.0.0.1",
            http_client=http,
            rate_limit=None,
        ) as zt:
            gc.collect()
            tracemalloc.start()
            count = 0
            async for _ in zt.calls.export(
                until - timedelta(days=89, hours=23), until, max_shard_records=100
            ):
                count += 1
                if count % 100 == 0:
                    gc.collect()  # cyclic garbage would make the peak depend on GC timing
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert count == calls
        return top

    small, large = await peak(400), await peak(1_600)
    assert large < 2.0 * small, (small, large)


async def test_cancellation_leaves_no_request_running(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime]
) -> None:
    """Cancelling an export mid-pull stops every request at once."""
    emulator.set_faults(latency_ms=200)
    with anyio.move_on_after(0.5) as scope:
        async for _ in zt.calls.export(*span, max_shard_records=300):
            pass
    assert scope.cancelled_caught
    before = emulator.stats_dict()["requests"]
    await anyio.sleep(0.4)
    assert emulator.stats_dict()["requests"] == before


async def test_breaking_out_of_an_export_stops_it(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime]
) -> None:
    """A plain `break` inside an open client stops the export's requests."""
    async for _ in zt.calls.export(*span, max_shard_records=300):
        break
    await anyio.sleep(0.1)  # the abandoned generator is closed by the event loop, soon
    before = emulator.stats_dict()["requests"]
    await anyio.sleep(0.3)
    assert emulator.stats_dict()["requests"] == before
    assert before < 60  # far from the ~170 pages of the whole export


@pytest.mark.parametrize(
    "kwargs",
    [
        {"since": datetime(2026, 1, 1)},
        {
            "since": datetime.now(timezone.utc),
            "until": datetime.now(timezone.utc) - timedelta(days=1),
        },
        {"since": datetime.now(timezone.utc) - timedelta(days=1), "concurrency": 0},
        {"since": datetime.now(timezone.utc) - timedelta(days=1), "call_direction": "sideways"},
    ],
)
async def test_bad_arguments_fail_before_any_request(
    zt: ZentrunkClient, emulator: Emulator, kwargs: dict[str, object]
) -> None:
    """Naive times, an empty span, bad concurrency or filters raise before anything is sent."""
    with pytest.raises(ValueError):  # noqa: PT011
        zt.calls.export(**kwargs)  # type: ignore[arg-type]
    assert emulator.stats_dict()["requests"] == 0
    assert issubclass(InvalidArgumentError, ValueError)


async def test_export_over_a_real_socket(span: tuple[datetime, datetime]) -> None:
    """The same guarantee over uvicorn on a loopback port."""
    emulator = Emulator(EmulatorConfig(calls=1500, seed=4, rate_limit_requests=None))
    with serve_in_thread(emulator) as base_url:
        async with ZentrunkClient(
            emulator.auth_id,
            emulator.auth_token,
            base_url=base_url,
            rate_limit=None,
            retry=FAST_RETRY,
        ) as zt:
            emulator.set_faults(drop_rate=0.02, drift_per_second=100, seed=3)
            exported = [c.call_uuid async for c in zt.calls.export(*span, max_shard_records=300)]
    assert len(exported) == len(set(exported)) == 1500


class MovingCount:
    """A fake shard whose count grows between the first and the last page (late CDRs)."""

    def __init__(self) -> None:
        self.total = 30
        self.calls = 0

    def __call__(self, query: dict[str, str]):  # type: ignore[no-untyped-def]
        from zentrunk_async import ListMeta, Page

        async def fetch(offset: int, limit: int) -> Page[CallRecord]:
            self.calls += 1
            if self.calls == 2:
                self.total = 31  # one call landed inside the window, newest first
            uuids = [f"c{n}" for n in range(self.total)][::-1]
            objects = [_record(u) for u in uuids[offset : offset + limit]]
            more = offset + limit < self.total
            meta = ListMeta(
                limit=limit,
                offset=offset,
                total_count=self.total,
                next=f"?limit={limit}&offset={offset + limit}" if more else None,
                previous=None,
            )
            return Page(objects=objects, meta=meta, api_id="x")

        return fetch


def _record(uuid: str) -> CallRecord:
    return CallRecord(
        call_uuid=uuid,
        from_number="+1",
        to_number="+2",
        call_direction="inbound",
        call_duration=1,
        bill_duration=60,
    )


async def test_a_moving_count_is_pulled_again_and_the_union_kept() -> None:
    """A shard whose total_count moves mid-pull is pulled again: nothing lost, nothing doubled."""
    source = MovingCount()
    shard = Shard(
        "MA1", datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 2, tzinfo=timezone.utc)
    )
    export = Export(source, [shard], concurrency=1)  # sequential: the count moves mid-pull
    uuids = [c.call_uuid async for c in export]
    assert sorted(uuids) == sorted(f"c{n}" for n in range(31))
    assert source.calls > 2  # a second pull happened
    assert MAX_PULLS >= 2


async def test_export_states_its_requested_and_effective_span(zt: ZentrunkClient) -> None:
    """Export.requested_* are as asked, since/until as pulled, adjustments say why they differ."""
    now = datetime.now(timezone.utc)
    asked = now - timedelta(days=120)
    export = zt.calls.export(asked)
    assert export.requested_since == asked.replace(microsecond=0)
    assert export.requested_until is None
    assert export.since > export.requested_since
    assert export.until <= now
    assert len(export.adjustments) == 1
    assert "retention" in export.adjustments[0]
    inside = zt.calls.export(now - timedelta(days=2), now - timedelta(days=1))
    assert inside.adjustments == []
    assert inside.requested_until == inside.until


async def test_batches_carry_the_count_they_were_verified_against(
    zt: ZentrunkClient, span: tuple[datetime, datetime]
) -> None:
    """ShardBatch.expected is the shard's total_count, and the batch holds exactly that many."""
    total = 0
    async for batch in zt.calls.export(*span, max_shard_records=400).batches():
        assert batch.expected == len(batch.records)
        total += batch.expected
    assert total == 3000


class HoldAnswers(httpx.AsyncBaseTransport):
    """Holds every answer until `count` requests are in flight at once (then lets all go)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, count: int) -> None:
        self.inner = inner
        self.count = count
        self.held: list[httpx.URL] = []
        self.released = anyio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.released.is_set():
            self.held.append(request.url)
            if len(self.held) >= self.count:
                self.released.set()
            await self.released.wait()
        return await self.inner.handle_async_request(request)


async def test_a_paced_export_has_a_full_window_of_heads_before_any_answer(
    emulator: Emulator, span: tuple[datetime, datetime]
) -> None:
    """One planned span starts as START_WINDOW shards, so the pace has work for a long round trip.

    Nothing answers until START_WINDOW requests are in flight; with fewer
    speculative shards the export would wait for an answer first and the
    hang guard would fail the test (issue 15: 16 heads left 0.25 s of paced
    slots unused at 500 ms).
    """
    from zentrunk_async import RateLimit
    from zentrunk_async._window import START_WINDOW

    hold = HoldAnswers(httpx.ASGITransport(app=emulator.app), START_WINDOW)
    async with (
        httpx.AsyncClient(transport=hold) as http,
        ZentrunkClient(
            emulator.auth_id,
            emulator.auth_token,
            base_url="http://127.0.0.1",
            http_client=http,
            rate_limit=RateLimit(requests=100_000, period=1.0),
            retry=FAST_RETRY,
        ) as zt,
    ):
        export = zt.calls.export(*span)
        with anyio.fail_after(30):  # a hang guard, not a timing assertion
            exported = [c.call_uuid async for c in export]
    assert len(hold.held) == START_WINDOW
    heads = {(u.params["end_time__gte"], u.params["end_time__lt"]) for u in hold.held}
    assert len(heads) == START_WINDOW  # one head per shard, each of its own window
    assert {u.params["offset"] for u in hold.held} == {"0"}
    assert len(exported) == len(set(exported)) == 3000
