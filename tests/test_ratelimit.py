"""The pacing limiter: GCRA slots, concurrency cap, cancellation, adaptive pacing, snapshot."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import anyio
import anyio.lowlevel
import attrs
import pytest
import sniffio
from hypothesis import given, settings
from hypothesis import strategies as st

from zentrunk_async._config import RateLimit
from zentrunk_async._ratelimit import MAX_CATCH_UP, MIN_RATE_FRACTION, Limiter, LimiterSnapshot

pytestmark = pytest.mark.anyio


async def settle() -> None:
    """Return once every other task is blocked (waiting for an event or a fake sleep).

    `anyio.wait_all_tasks_blocked` does this too, but on asyncio it polls every
    0.1 s, which makes a property test of thousands of steps take minutes.
    """
    if sniffio.current_async_library() != "asyncio":
        await anyio.wait_all_tasks_blocked()
        return
    this = asyncio.current_task()

    def runnable(task: asyncio.Task[object]) -> bool:
        waiter = task._fut_waiter  # type: ignore[attr-defined]  # what anyio itself reads
        return task is not this and (waiter is None or waiter.done())

    while any(runnable(task) for task in asyncio.all_tasks()):  # noqa: ASYNC110
        await asyncio.sleep(0)


class VirtualTime:
    """A fake clock and sleep: time jumps to the next wake-up once every task is blocked.

    `lateness` is added to every wake-up, like a busy event loop that runs timers late.
    """

    def __init__(self, lateness: float = 0.0) -> None:
        self.now = 0.0
        self.lateness = lateness
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        woken = anyio.Event()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._order), woken))
        await woken.wait()

    async def run(self, until: float = math.inf) -> None:
        """Let time pass until nobody sleeps (or up to `until`)."""
        while True:
            await settle()
            if not self._sleepers or self._sleepers[0][0] > until:
                if until < math.inf:
                    self.now = max(self.now, until)
                return
            wake, _, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake + self.lateness)
            woken.set()

    def limiter(self, config: RateLimit | None) -> Limiter:
        return Limiter(config, clock=self.clock, sleep=self.sleep)


async def send_all(
    vt: VirtualTime,
    limiter: Limiter,
    count: int,
    *,
    hold: float = 0.0,
    after: Callable[[], None] | None = None,
) -> list[float]:
    """Start `count` requests at once; each holds its slot `hold` seconds. Returns send times."""
    sent: list[float] = []

    async def request() -> None:
        async with limiter.slot():
            sent.append(vt.now)
            if hold:
                await vt.sleep(hold)
        if after:
            after()

    async with anyio.create_task_group() as tg:
        for _ in range(count):
            tg.start_soon(request)
        await vt.run()
    return sent


async def test_gcra_slots_are_exactly_k_over_rate() -> None:
    """Requests arriving together go out at 0, 1/r, 2/r, ... with no burst."""
    vt = VirtualTime()
    sent = await send_all(vt, vt.limiter(RateLimit(requests=10, period=1.0)), 6)
    assert sent == pytest.approx([k / 10 for k in range(6)], abs=1e-12)
    assert vt.sleeps == pytest.approx([k / 10 for k in range(1, 6)], abs=1e-12)


async def test_gcra_late_wakeup_does_not_move_later_slots() -> None:
    """On a loop that wakes every timer 40 ms late, each send is late by 40 ms, never more."""
    vt = VirtualTime(lateness=0.04)
    sent = await send_all(vt, vt.limiter(RateLimit(requests=10, period=1.0)), 6)
    assert sent == pytest.approx([0.0] + [k / 10 + 0.04 for k in range(1, 6)], abs=1e-12)


async def test_gcra_late_wakeup_loses_no_rate_in_sequence() -> None:
    """One task sending back to back on a late loop keeps the configured pace over time."""
    vt = VirtualTime(lateness=0.03)
    limiter = vt.limiter(RateLimit(requests=10, period=1.0))
    sent: list[float] = []

    async def back_to_back() -> None:
        for _ in range(11):
            async with limiter.slot():
                sent.append(vt.now)

    async with anyio.create_task_group() as tg:
        tg.start_soon(back_to_back)
        await vt.run()
    # Slot k is booked at k/10; only the last wake-up's lateness shows.
    assert sent[-1] == pytest.approx(1.0 + 0.03)


async def test_gcra_idle_time_gives_no_burst() -> None:
    """After a quiet spell the next request goes at once, the one after it a full interval later."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=10, period=1.0))
    await send_all(vt, limiter, 1)
    vt.now = 100.0
    sent = await send_all(vt, limiter, 3)
    assert sent == pytest.approx([100.0, 100.1, 100.2])


async def test_concurrency_cap_limits_requests_in_flight() -> None:
    """No more than max_concurrency requests are inside their slot at once; the others wait."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=1000, period=1.0, max_concurrency=2))
    seen: list[LimiterSnapshot] = []

    async def request() -> None:
        async with limiter.slot():
            seen.append(limiter.snapshot())
            await vt.sleep(1.0)

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(request)
        await vt.run(until=0.5)
        first = limiter.snapshot()
        await vt.run()
    assert (first.in_flight, first.waiting) == (2, 3)
    assert max(s.in_flight for s in seen) == 2
    assert vt.now == pytest.approx(3.0, abs=0.01)  # 5 requests of 1 s, 2 at a time
    assert (limiter.snapshot().in_flight, limiter.snapshot().waiting) == (0, 0)


async def test_cancel_while_waiting_for_a_place_leaks_nothing() -> None:
    """A request cancelled while queued for the cap leaves the cap whole for those after it."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=1000, period=1.0, max_concurrency=1))
    done: list[str] = []

    async def request(name: str, scope: anyio.CancelScope | None = None) -> None:
        with scope or anyio.CancelScope():
            async with limiter.slot():
                await vt.sleep(1.0)
                done.append(name)

    waiter = anyio.CancelScope()
    async with anyio.create_task_group() as tg:
        tg.start_soon(request, "a")
        await settle()
        tg.start_soon(request, "b", waiter)
        await settle()
        assert limiter.snapshot().waiting == 1
        waiter.cancel()
        await settle()
        assert limiter.snapshot().waiting == 0
        tg.start_soon(request, "c")
        await vt.run()
    assert done == ["a", "c"]
    with anyio.fail_after(1):  # the single place is free again
        await send_all(vt, limiter, 2)


async def test_cancel_as_the_place_is_handed_over_passes_it_on() -> None:
    """A waiter cancelled just as a place was handed to it gives the place back."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=1000, period=1.0, max_concurrency=1))
    waiter = anyio.CancelScope()

    async def holder() -> None:
        async with limiter.slot():
            await vt.sleep(1.0)
            waiter.cancel()  # cancelled first, then the place is handed over on exit

    async def queued() -> None:
        with waiter:
            async with limiter.slot():
                pytest.fail("a cancelled waiter must not send")

    async with anyio.create_task_group() as tg:
        tg.start_soon(holder)
        await settle()
        tg.start_soon(queued)
        await vt.run()
    with anyio.fail_after(1):
        assert len(await send_all(vt, limiter, 2)) == 2
    assert limiter.snapshot().in_flight == limiter.snapshot().waiting == 0


async def test_cancel_while_waiting_for_a_slot_gives_the_slot_back() -> None:
    """Waiters cancelled before their send slot free their places and slots, in any order."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=1, period=1.0, max_concurrency=3))
    await send_all(vt, limiter, 1)  # t=0; the next free slot is t=1
    scopes = [anyio.CancelScope() for _ in range(3)]

    async def doomed(scope: anyio.CancelScope) -> None:
        with scope:
            async with limiter.slot():
                pytest.fail("cancelled before its slot")

    async with anyio.create_task_group() as tg:
        for scope in scopes:
            tg.start_soon(doomed, scope)
        await settle()
        assert limiter.snapshot().next_slot_in == pytest.approx(4.0)
        for scope in scopes:  # in booking order: the hardest order to give back
            scope.cancel()
        await settle()
        assert limiter.snapshot().waiting == 0
        assert limiter.snapshot().next_slot_in == pytest.approx(1.0)
        with anyio.fail_after(1):  # the three places are free again
            sent = await send_all(vt, limiter, 3)
    assert sent == pytest.approx([1.0, 2.0, 3.0])


async def test_on_throttled_halves_the_rate_down_to_a_floor() -> None:
    """Each 429 halves the pace, never below MIN_RATE_FRACTION of the configured one."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=64, period=1.0))
    rates = []
    for _ in range(6):
        limiter.on_throttled(None)
        rates.append(limiter.snapshot().current_rate)
    assert rates == [32.0, 16.0, 8.0, 4.0, 4.0, 4.0]
    assert 64 * MIN_RATE_FRACTION == 4.0
    assert limiter.snapshot().throttled_count == 6


async def test_on_throttled_once_per_round_of_requests() -> None:
    """429s answering requests sent before the last decrease do not halve the pace again."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=1000, period=1.0))

    sent_before = await send_all(vt, limiter, 4, hold=0.1, after=lambda: limiter.on_throttled(None))
    assert len(sent_before) == 4
    assert limiter.snapshot().current_rate == 500.0
    assert limiter.snapshot().throttled_count == 4
    await send_all(vt, limiter, 1, after=lambda: limiter.on_throttled(None))
    assert limiter.snapshot().current_rate == 250.0  # sent after the decrease: a new round


async def test_on_throttled_slows_requests_already_waiting() -> None:
    """Requests booked at the old pace are re-booked at the new one."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=10, period=1.0))
    sent: list[float] = []

    async def request() -> None:
        async with limiter.slot():
            sent.append(vt.now)

    async with anyio.create_task_group() as tg:
        for _ in range(4):
            tg.start_soon(request)
        await settle()  # t=0: one sent, three booked at .1 .2 .3
        limiter.on_throttled(None)  # 5/s from now
        await vt.run()
    assert sent == pytest.approx([0.0, 0.2, 0.4, 0.6])


@pytest.mark.parametrize(
    ("retry_after", "cap", "pause"),
    [(2.0, 60.0, 2.0), (1000.0, 5.0, 5.0), (0.0, 60.0, 0.0)],
)
async def test_on_throttled_honours_retry_after_capped(
    retry_after: float, cap: float, pause: float
) -> None:
    """A Retry-After (capped at max_retry_after) pushes the next slot for everyone."""
    vt = VirtualTime()
    config = RateLimit(requests=10, period=1.0, adaptive=False, max_retry_after=cap)
    limiter = vt.limiter(config)
    limiter.on_throttled(retry_after)
    snap = limiter.snapshot()
    assert snap.current_rate == 10.0  # not adaptive: the pace stays
    assert snap.paused_for == pytest.approx(pause)
    assert snap.next_slot_in == pytest.approx(max(pause, 0.1))
    sent = await send_all(vt, limiter, 2)
    assert sent == pytest.approx([max(pause, 0.1), max(pause, 0.1) + 0.1])


async def test_on_success_recovers_gradually() -> None:
    """Each success adds 1/period req/s: one halving is undone after requests/2 successes."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=20, period=2.0))  # 10/s, +0.5/s per success
    limiter.on_throttled(None)
    assert limiter.snapshot().current_rate == 5.0
    limiter.on_success()
    assert limiter.snapshot().current_rate == pytest.approx(5.5)
    for _ in range(8):
        limiter.on_success()
    assert limiter.snapshot().current_rate == pytest.approx(9.5)
    for _ in range(5):
        limiter.on_success()
    assert limiter.snapshot().current_rate == 10.0


async def test_snapshot_reports_the_state() -> None:
    """The snapshot shows rates, cap, counts and how long until the next slot."""
    vt = VirtualTime()
    limiter = vt.limiter(RateLimit(requests=295, period=5.0, max_concurrency=16))
    assert limiter.snapshot() == LimiterSnapshot(
        configured_rate=59.0,
        current_rate=59.0,
        max_concurrency=16,
        in_flight=0,
        waiting=0,
        throttled_count=0,
        next_slot_in=0.0,
        paused_for=0.0,
    )
    limiter.on_throttled(3.0)
    snap = limiter.snapshot()
    assert (snap.current_rate, snap.throttled_count, snap.paused_for) == (29.5, 1, 3.0)
    assert snap.next_slot_in == 3.0


async def test_no_config_disables_pacing_and_cap() -> None:
    """With rate_limit=None every request goes at once, however many there are."""
    vt = VirtualTime()
    limiter = vt.limiter(None)
    seen: list[int] = []

    async def request() -> None:
        async with limiter.slot():
            seen.append(limiter.snapshot().in_flight)
            await vt.sleep(1.0)

    async with anyio.create_task_group() as tg:
        for _ in range(100):
            tg.start_soon(request)
        await vt.run()
    assert max(seen) == 100
    assert vt.now == 1.0
    limiter.on_throttled(5.0)
    limiter.on_success()
    snap = limiter.snapshot()
    assert (snap.configured_rate, snap.current_rate, snap.max_concurrency) == (None, None, None)
    assert (snap.throttled_count, snap.next_slot_in, snap.paused_for) == (1, 0.0, 0.0)


async def test_limiter_made_outside_a_loop_works_on_the_backend() -> None:
    """A limiter built in sync code (as ZentrunkClient is) runs under asyncio and trio alike."""
    limiter = _made_outside_loop
    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(_enter, limiter)
    assert limiter.snapshot().in_flight == 0


async def _enter(limiter: Limiter) -> None:
    async with limiter.slot():
        await anyio.lowlevel.checkpoint()


_made_outside_loop = Limiter(RateLimit(requests=1000, period=1.0, max_concurrency=1))


async def test_real_clock_never_runs_ahead_of_the_pace() -> None:
    """On the default clock and sleep, send k goes no earlier than k/rate after the start.

    Only the lower bound is asserted, and it holds on any machine: load makes
    sends late, never early. That no rate is lost to late wake-ups is checked
    on virtual time above; the wall-clock pace under real loop stalls is
    measured by ``python -m benchmarks.limiter_stall``.
    """
    limiter = Limiter(RateLimit(requests=300, period=5.0))
    sent: list[float] = []

    async def request() -> None:
        async with limiter.slot():
            sent.append(time.monotonic())

    start = time.monotonic()
    async with anyio.create_task_group() as tg:
        for _ in range(30):
            tg.start_soon(request)
    for k, at in enumerate(sorted(sent)):
        assert at - start >= k / 60 - 1e-9


async def test_a_stalled_loop_spends_no_backlog_at_once() -> None:
    """After the loop was blocked for 3 s, the slots that passed meanwhile are not all spent.

    The clock jumps while every waiter is asleep (as when a synchronous call
    blocks the loop): all their slots are then in the past. At most
    MAX_CATCH_UP worth of them go at once; the rest resume at the pace.
    """
    vt = VirtualTime()
    config = RateLimit()  # 295 per 5 s: 59/s
    limiter = vt.limiter(config)
    sent: list[float] = []

    async def request() -> None:
        async with limiter.slot():
            sent.append(vt.now)

    async with anyio.create_task_group() as tg:
        for _ in range(400):
            tg.start_soon(request)
        await vt.run(until=1.0)
        vt.now += 3.0  # blocked: nobody ran, every slot of (1 s, 4 s] passed
        await vt.run()
    after = [at for at in sent if at >= 4.0]
    at_once = sum(1 for at in after if at == after[0])
    assert at_once == math.floor(MAX_CATCH_UP * config.rate) + 1 == 3
    burst_bound = math.floor((1.0 + MAX_CATCH_UP) * config.rate) + 1
    assert max_in_window(sent, 1.0) <= burst_bound
    assert max_in_window(sent, config.period) <= config.requests
    # No rate is lost either: after the stall the backlog drains at the pace.
    assert (len(after) - 1) / (after[-1] - after[0]) == pytest.approx(config.rate, rel=0.01)


async def test_catch_up_bunches_are_not_copied_into_later_windows() -> None:
    """Short stalls (garbage-collection pauses) never eat the margin below the server's limit.

    Each stall is followed by a catch-up (three sends within a millisecond).
    Every span of ``requests + k`` sends stays at least ``period + k / rate``
    long, so a server counting 300 per 5 s keeps its 85 ms margin against
    jitter for the whole run: issue 15 saw the sliding log copy each catch-up
    every period, leaving 49 ms after one 38 ms pause and a 429 after more.
    """
    vt = VirtualTime()
    config = RateLimit()  # 295 per 5 s
    limiter = vt.limiter(config)
    sent: list[float] = []

    async def request() -> None:
        async with limiter.slot():
            sent.append(vt.now)

    async def stall(at: float) -> None:
        await vt.sleep(at)
        vt.now += 0.038  # every waiter asleep: their slots pass meanwhile

    async with anyio.create_task_group() as tg:
        for _ in range(1200):
            tg.start_soon(request)
        for at in (1.3, 3.9, 6.2, 8.8):
            tg.start_soon(stall, at)
        await vt.run()
    sent.sort()
    n, interval = config.requests, config.period / config.requests
    caught_up = [b - a for a, b in itertools.pairwise(sent) if b - a < interval / 2]
    assert len(caught_up) >= 4  # the stalls did make bunches
    for k in range(6):  # up to Plivo's 300: the default's whole margin
        shortest = min(b - a for a, b in zip(sent, sent[n + k :], strict=False))
        assert shortest >= config.period + k * interval - 1e-9, k
    # The guard costs no rate: at most the stalls' own time.
    assert sent[-1] <= (len(sent) - 1) * interval + 4 * 0.038 + 1e-9


def max_in_window(sent: list[float], width: float) -> int:
    """The most sends in any half-open window [t, t + width) starting at a send."""
    ordered = sorted(sent)
    return max(
        (
            sum(1 for t in ordered[i:] if t < start + width - 1e-9)
            for i, start in enumerate(ordered)
        ),
        default=0,
    )


# --- the window property ----------------------------------------------------

Arrival = tuple[float, float, bool, bool, float]  # start, hold, throttled, cancelled, cancel at
Stall = tuple[float, float]  # when the loop blocks, for how long

arrivals = st.lists(
    st.tuples(
        st.floats(0, 3),
        st.floats(0, 0.5),
        st.booleans(),
        st.booleans(),
        st.floats(0, 1),
    ),
    max_size=40,
)

stalls = st.lists(st.tuples(st.floats(0, 3), st.floats(0, 2)), max_size=4)


async def _simulate(
    config: RateLimit,
    plan: list[Arrival],
    lateness: float,
    blocked: list[Stall] | None = None,
) -> list[float]:
    vt = VirtualTime(lateness)
    limiter = vt.limiter(config)
    sent: list[float] = []

    async def request(arrival: Arrival) -> None:
        start, hold, throttled, cancelled, cancel_at = arrival
        await vt.sleep(start)
        with anyio.CancelScope() as scope:
            if cancelled:
                tg.start_soon(_cancel_later, vt, scope, cancel_at)
            async with limiter.slot():
                sent.append(vt.now)
                await vt.sleep(hold)
            if throttled:
                limiter.on_throttled(None)
            else:
                limiter.on_success()

    async def stall(at: float, seconds: float) -> None:
        await vt.sleep(at)
        vt.now += seconds  # no task runs meanwhile: the clock just jumps

    async with anyio.create_task_group() as tg:
        for arrival in plan:
            tg.start_soon(request, arrival)
        for at, seconds in blocked or []:
            tg.start_soon(stall, at, seconds)
        await vt.run()
    return sorted(sent)


async def _cancel_later(vt: VirtualTime, scope: anyio.CancelScope, delay: float) -> None:
    await vt.sleep(delay)
    scope.cancel()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@settings(max_examples=60, deadline=None)
@given(plan=arrivals, lateness=st.sampled_from([0.0, 0.013, 0.25]), blocked=stalls)
def test_no_window_of_period_holds_more_than_requests(
    backend: str, plan: list[Arrival], lateness: float, blocked: list[Stall]
) -> None:
    """Whatever the arrivals, holds, 429s, cancellations, late wake-ups and stalls,
    no half-open window of `period` holds more than `requests` sends.

    On a punctual loop without stalls sends also stay 1/rate apart. Late
    wake-ups and stalls let sends catch up, but by at most MAX_CATCH_UP: any
    1 s window holds at most floor((1 + MAX_CATCH_UP) * rate) + 1.
    """
    config = RateLimit(requests=5, period=1.0, max_concurrency=3)
    sent = anyio.run(_simulate, config, plan, lateness, blocked, backend=backend)
    if lateness == 0 and not blocked:
        gaps = [b - a for a, b in itertools.pairwise(sent)]
        assert all(gap >= 1 / config.rate - 1e-9 for gap in gaps)
    assert max_in_window(sent, config.period) <= config.requests
    assert max_in_window(sent, MAX_CATCH_UP) <= math.floor(MAX_CATCH_UP * config.rate) + 1


# --- configuration ----------------------------------------------------------


def test_default_rate_limit_never_exceeds_300_per_5_s_with_jitter() -> None:
    """The default keeps every 5 s window <= 300 with 80 ms of jitter, at >= 98 % of 60/s."""
    config = RateLimit()
    assert config.period == 5.0
    assert math.floor(5.0 * config.rate) + 1 <= 300
    assert math.floor((5.0 + 0.080) * config.rate) + 1 <= 300
    assert config.rate / 60 >= 0.98


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("requests", 0, ValueError),
        ("requests", -5, ValueError),
        ("requests", 1.5, TypeError),
        ("requests", True, ValueError),
        ("period", 0.0, ValueError),
        ("period", math.inf, ValueError),
        ("period", math.nan, ValueError),
        ("max_concurrency", 0, ValueError),
        ("max_retry_after", -1.0, ValueError),
    ],
)
def test_rate_limit_rejects_non_positive_values(field: str, value: Any, error: type) -> None:
    """Counts and durations must be positive (max_retry_after may be 0: ignore Retry-After)."""
    with pytest.raises(error):
        attrs.evolve(RateLimit(), **{field: value})
