"""Never accept an inconsistent shard as done; bounded planning whatever the server claims."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import anyio
import pytest

from zentrunk_async import (
    CallRecord,
    ListMeta,
    Page,
    ResponseDecodeError,
    ZentrunkClient,
    ZentrunkError,
)
from zentrunk_async._export.scheduler import MAX_PULLS, FetcherFactory
from zentrunk_async._pagination import FetchPage
from zentrunk_async.emulator import Emulator
from zentrunk_async.export import Export, IncompleteExportError, Shard, ShardBatch

from .conftest import every_call

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


async def test_short_pages_are_pulled_again_not_taken_as_the_end(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime]
) -> None:
    """A page missing a record while total_count says more: re-pulled, nothing lost."""
    truth = await every_call(zt, span)
    emulator.set_faults(short_page_rate=0.05)
    export = zt.calls.export(*span, max_shard_records=400)
    exported = [c.call_uuid async for c in export]
    assert len(exported) == len(set(exported)) == len(truth)
    assert set(exported) == set(truth)
    assert export.progress.requests > export.progress.pages  # some shards were pulled again


async def test_late_calls_inside_past_windows_are_taken_once(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime]
) -> None:
    """Calls landing inside windows being pulled shift offsets; the union keeps each once."""
    before = set(await every_call(zt, span))
    emulator.set_faults(late_call_rate=0.03, seed=2)
    exported = [c.call_uuid async for c in zt.calls.export(*span, max_shard_records=400)]
    emulator.clear_faults()
    after = set(await every_call(zt, span))
    assert len(after) > len(before)  # late calls did land
    assert len(exported) == len(set(exported))
    assert before <= set(exported) <= after


async def test_a_counted_but_unlisted_call_leaves_a_residue_and_the_rest_is_delivered(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime]
) -> None:
    """The window holding a phantom is split down and reported; every other call is exported."""
    truth = set(await every_call(zt, span))
    emulator.set_faults(phantom_calls=1)
    phantom = datetime.fromtimestamp(emulator.calls.phantoms()[0], timezone.utc)
    batches: list[ShardBatch] = []
    with pytest.raises(IncompleteExportError) as caught:
        await drain(zt.calls.export(*span, max_shard_records=400), batches)
    (residue,) = caught.value.residues
    assert residue.since <= phantom < residue.until
    assert residue.until - residue.since <= timedelta(seconds=1)
    assert residue.expected == residue.found + 1
    # The residue's second is withheld whole: the real calls sharing it wait for a retry.
    assert caught.value.exported == len(truth) - residue.found
    assert isinstance(caught.value, ZentrunkError)
    delivered = [c.call_uuid for b in batches for c in b.records]
    assert len(delivered) == len(set(delivered)) == len(truth) - residue.found
    assert set(delivered) <= truth
    # No batch covers the residue's window: a checkpoint never marks it complete.
    assert not any(b.shard.start < residue.until and residue.since < b.shard.end for b in batches)
    assert all(b.expected == len(b.records) for b in batches)


async def test_requests_failing_together_while_the_window_is_full_end_the_export() -> None:
    """Every slot taken and every request failing at once (a wrong token): the export
    raises; the loop waiting for a free slot must not then sleep on a wake-up already spent."""

    class Refused(Exception):
        pass

    asked: list[int] = []
    both_sent = anyio.Event()

    def factory(query: dict[str, str]) -> FetchPage[CallRecord]:
        async def fetch(offset: int, limit: int) -> Page[CallRecord]:
            asked.append(offset)
            if len(asked) == 2:
                both_sent.set()
            await both_sent.wait()  # both answers arrive in the same scheduler pass
            raise Refused("401")

        return fetch

    shards = [Shard("MA1", T0, T0 + timedelta(days=1)), Shard("MA1", T0 - timedelta(days=1), T0)]
    export = Export(factory, shards, concurrency=2)
    with anyio.fail_after(30), pytest.raises(Refused):  # a hang guard, not a timing check
        _ = [c async for c in export]
    assert asked == [0, 0]


async def drain(export: Export, into: list[ShardBatch]) -> None:
    async for batch in export.batches():
        into.append(batch)


# -- fakes: a server that says what the test wants ----------------------------------------


def _record(n: int, end: datetime) -> CallRecord:
    return CallRecord(
        call_uuid=f"c{n}",
        from_number="+1",
        to_number="+2",
        call_direction="inbound",
        call_duration=1,
        bill_duration=60,
        end_time=end,
    )


def fake(
    total: Callable[[dict[str, str]], int], listed: Callable[[int, int], int] | None = None
) -> tuple[FetcherFactory, list[tuple[int, int]]]:
    """A fetcher factory whose pages claim `total(query)` and list `listed(offset, limit)`."""
    asked: list[tuple[int, int]] = []

    def factory(query: dict[str, str]) -> FetchPage[CallRecord]:
        async def fetch(offset: int, limit: int) -> Page[CallRecord]:
            asked.append((offset, limit))
            count = listed(offset, limit) if listed else min(limit, max(0, 3 - offset))
            end = datetime.fromisoformat(query["end_time__gte"]).replace(tzinfo=timezone.utc)
            objects = [_record(offset + i, end) for i in range(count)]
            meta = ListMeta(limit=limit, offset=offset, total_count=total(query), next=None)
            return Page(objects=objects, meta=meta, api_id="x")

        return fetch

    return factory, asked


@pytest.mark.parametrize("claimed", [2**64, 10**400, 10**12 + 1])
async def test_absurd_counts_are_refused_not_split_forever(claimed: int) -> None:
    """A count no account could hold is a ResponseDecodeError (never OverflowError, no loop)."""
    factory, asked = fake(lambda q: claimed)
    export = Export(factory, [Shard("MA1", T0, T0 + timedelta(days=30))], concurrency=4)
    with pytest.raises(ResponseDecodeError, match="total_count"):
        _ = [c async for c in export]
    assert len(asked) <= 4


async def test_pieces_claiming_more_than_their_shard_stop_the_split() -> None:
    """Every window claiming 10**9 calls: a piece contradicts the whole; no endless split."""
    factory, asked = fake(lambda q: 10**9)
    export = Export(factory, [Shard("MA1", T0, T0 + timedelta(days=30))], concurrency=1)
    with pytest.raises(ResponseDecodeError, match="pieces"):
        _ = [c async for c in export]
    # The first piece of each level passes (down to one second, about four levels of 64);
    # the second piece of the deepest level already contradicts its whole.
    assert len(asked) <= 20


async def test_pages_longer_than_asked_are_refused() -> None:
    """An export whose pages exceed the limit refuses them."""
    factory, _ = fake(lambda q: 100, listed=lambda offset, limit: limit + 5)
    export = Export(factory, [Shard("MA1", T0, T0 + timedelta(days=1))], concurrency=2)
    with pytest.raises(ResponseDecodeError, match="limit"):
        _ = [c async for c in export]


async def test_a_one_second_window_that_never_matches_is_a_residue() -> None:
    """The split floor is one second: below it the window is reported, never delivered."""
    factory, asked = fake(lambda q: 5, listed=lambda offset, limit: 3 if offset == 0 else 0)
    shard = Shard("MA1", T0, T0 + timedelta(seconds=1))
    export = Export(factory, [shard], concurrency=2)
    batches: list[ShardBatch] = []
    with pytest.raises(IncompleteExportError) as caught:
        await drain(export, batches)
    assert batches == []  # the inconsistent shard was never delivered
    (residue,) = caught.value.residues
    assert (residue.since, residue.until, residue.expected, residue.found) == (
        T0,
        T0 + timedelta(seconds=1),
        5,
        3,
    )
    assert len(asked) == MAX_PULLS  # one page per pull: offsets past 3 are never planned


async def test_a_window_with_nothing_is_delivered_empty() -> None:
    """total_count 0: one request, an empty batch (so a checkpoint can mark it done)."""
    factory, asked = fake(lambda q: 0, listed=lambda offset, limit: 0)
    export = Export(factory, [Shard("MA1", T0, T0 + timedelta(days=2))], concurrency=2)
    batches = [b async for b in export.batches()]
    assert [(len(b.records), b.expected) for b in batches] == [(0, 0)]
    assert len(asked) == 1
