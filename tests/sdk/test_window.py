"""The in-flight window: fixed or following rate × round trip, with an injected clock and pace."""

from __future__ import annotations

import math

import anyio
import pytest

from zentrunk_async._config import DEFAULT_CONCURRENCY
from zentrunk_async._ratelimit import LimiterSnapshot
from zentrunk_async._window import HEADROOM, SAMPLES, SPARE, START_WINDOW, InFlightWindow

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Pace:
    """A limiter's snapshot that a test sets: rate, next free slot, cap."""

    def __init__(self, rate: float | None = 59.0, cap: int = 64) -> None:
        self.rate = rate
        self.cap = cap
        self.next_slot_in = 0.0

    def __call__(self) -> LimiterSnapshot:
        return LimiterSnapshot(
            configured_rate=self.rate,
            current_rate=self.rate,
            max_concurrency=self.cap,
            in_flight=0,
            waiting=0,
            throttled_count=0,
            next_slot_in=self.next_slot_in,
            paused_for=0.0,
        )


def round_trips(window: InFlightWindow, clock: Clock, pace: Pace, rtt: float, n: int) -> None:
    """`n` requests of `rtt` seconds on the wire, each waiting `pace.next_slot_in` first."""
    for _ in range(n):
        ticket = window.begin()
        clock.now += pace.next_slot_in + rtt
        window.end(ticket, ok=True)


def expected(rate: float, rtt: float) -> int:
    return math.ceil(rate * rtt * HEADROOM) + SPARE


async def test_fixed_window_holds_its_number_first_come_first_served() -> None:
    """concurrency=N: N get in, the next waits until one leaves, in arrival order."""
    window = InFlightWindow(3)
    entered: list[int] = []

    async def enter(n: int) -> None:
        await window.acquire()
        entered.append(n)

    async with anyio.create_task_group() as tg:
        for n in range(5):
            tg.start_soon(enter, n)
            await anyio.wait_all_tasks_blocked()
        assert entered == [0, 1, 2]
        window.release()
        await anyio.wait_all_tasks_blocked()
        assert entered == [0, 1, 2, 3]
        window.release()
    assert entered == [0, 1, 2, 3, 4]
    assert window.stats().peak_in_flight == 3
    assert not window.adaptive


async def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    """A waiter cancelled while waiting leaves no hole: the next one still gets in."""
    window = InFlightWindow(1)
    await window.acquire()
    got: list[str] = []
    doomed = anyio.CancelScope()

    async def enter(name: str, scope: anyio.CancelScope) -> None:
        with scope:
            await window.acquire()
            got.append(name)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(enter, "first", doomed)
            await anyio.wait_all_tasks_blocked()
            tg.start_soon(enter, "second", anyio.CancelScope())
            await anyio.wait_all_tasks_blocked()
            doomed.cancel()
            window.release()
    assert got == ["second"]
    assert window.in_flight == 1


def test_without_a_pace_the_window_is_the_default() -> None:
    """No rate to follow (rate_limit=None): DEFAULT_CONCURRENCY, never resized."""
    clock, pace = Clock(), Pace(rate=None)
    window = InFlightWindow(pace=pace, clock=clock)
    assert not window.adaptive
    round_trips(window, clock, pace, 0.5, SAMPLES)
    assert window.limit == DEFAULT_CONCURRENCY


def test_the_window_follows_rate_times_round_trip_both_ways() -> None:
    """500 ms round trips open it to about rate × rtt × headroom; 20 ms ones close it again."""
    clock, pace = Clock(), Pace()
    window = InFlightWindow(pace=pace, clock=clock)
    assert window.adaptive
    assert window.limit == START_WINDOW
    round_trips(window, clock, pace, 0.5, SAMPLES)
    assert window.limit == expected(59, 0.5) == 33
    assert window.rtt == pytest.approx(0.5)
    round_trips(window, clock, pace, 0.02, SAMPLES)
    assert window.limit == expected(59, 0.02) == 5


def test_the_wait_for_a_send_slot_is_not_counted_as_round_trip() -> None:
    """A request that queued 300 ms for its slot and spent 100 ms on the wire measures 100 ms."""
    clock, pace = Clock(), Pace()
    window = InFlightWindow(pace=pace, clock=clock)
    pace.next_slot_in = 0.3
    round_trips(window, clock, pace, 0.1, SAMPLES)
    assert window.rtt == pytest.approx(0.1)
    assert window.limit == expected(59, 0.1)


def test_a_lower_paced_rate_and_failures_shrink_it() -> None:
    """429s halve the limiter's rate (so the window); a failed request halves it for a while."""
    clock, pace = Clock(), Pace()
    window = InFlightWindow(pace=pace, clock=clock)
    round_trips(window, clock, pace, 0.4, SAMPLES)
    full = window.limit
    pace.rate = 29.5
    round_trips(window, clock, pace, 0.4, 1)
    assert window.limit == expected(29.5, 0.4) < full
    pace.rate = 59.0
    window.end(window.begin(), ok=False)
    assert window.limit <= full // 2
    round_trips(window, clock, pace, 0.4, 1)
    assert window.limit == max(2, expected(59, 0.4) // 2)
    round_trips(window, clock, pace, 0.4, SAMPLES)
    assert window.limit == full


def test_capped_by_the_limiter_and_by_concurrency() -> None:
    """Never above the limiter's own cap (requests waiting for a slot hold a place there)."""
    clock, pace = Clock(), Pace(cap=16)
    window = InFlightWindow(pace=pace, clock=clock)
    round_trips(window, clock, pace, 1.0, SAMPLES)
    assert window.limit == 16
    fixed = InFlightWindow(5, pace=pace, clock=clock)
    round_trips(fixed, clock, pace, 1.0, SAMPLES)
    assert fixed.limit == 5
    assert not fixed.adaptive


def test_unused_paced_time_is_counted() -> None:
    """A request going later than one interval after the previous slot leaves paced time unused."""
    clock, pace = Clock(), Pace(rate=50.0)
    window = InFlightWindow(pace=pace, clock=clock)
    window.begin()
    clock.now += 0.02  # exactly one interval: nothing lost
    window.begin()
    clock.now += 0.12  # five intervals later than due
    window.begin()
    assert window.stats().unused_slot_seconds == pytest.approx(0.10)
    assert window.stats().requests == 3
