"""The pacing limiter: one per client, shared by all of its tasks.

Every HTTP request goes through ``async with limiter.slot():``, which

1. takes one of `RateLimit.max_concurrency` places (FIFO), then
2. books the next free send slot and sleeps until that absolute time.

Slots are booked GCRA-style (virtual scheduling with a burst of 1): the
limiter keeps the theoretical arrival time ``tat`` of the next slot; a booking
gets ``max(now, tat)`` and moves ``tat`` one interval on. Booking never awaits,
so it needs no lock on a single-threaded event loop; the sleep happens after.
Because slots are absolute, a task that wakes late on a busy loop sends late
but moves no later slot: performance-lab.md §6 measured this form holding
50.00/s exactly on a loaded loop where refill buckets of capacity 1 lost 17 %,
and never sending the double first second of burst-sized buckets. The price:
a send woken L seconds late may go closer than one interval before the next,
so loop lateness counts like network jitter, and `RateLimit`'s default keeps
a margin for both.

A stall is not lateness. When the loop is blocked for seconds (a synchronous
call, a paused VM), every slot booked during it is in the past when the loop
resumes; spending them at once would send a second's worth in one instant
(issue 12 saw 71 sends in one second and 307 in a 5 s window). So a send
whose slot has come also passes a gate kept in *actual* send times:

* it goes no earlier than ``MAX_CATCH_UP`` seconds ahead of the pace of the
  sends before it (GCRA on send times with that tolerance): a late wake-up of
  up to 50 ms loses no rate, a longer one spends at most 50 ms worth of slots
  at once and the rest resume at the pace;
* it goes no earlier than `period` after the send ``requests`` sends back (a
  sliding log of recent send times), so no half-open window of `period` ever
  holds more than ``requests`` sends, whatever the loop does;
* nor earlier than ``period + k / rate`` after the send ``requests + k`` back,
  for every k up to ``rate × SPREAD_GUARD``: every window a little longer than
  `period` holds no more than the pace allows either.

The last bound is what keeps the margin against jitter. A server counting
``requests + m`` per `period` (Plivo: 300 against the default 295) answers 429
only when some request reaches it ``m / rate`` (85 ms) later, relative to the
one ``requests + m`` sends after it, than it left. Without the bound, a
catch-up after one late wake-up (three sends within a millisecond) is copied
by the sliding log every `period` from then on (each send goes as soon as the
one ``requests`` back has left the window), and every copy shortens the span of
``requests + m`` sends: issue 15 measured a 38 ms garbage-collection pause
leaving 49 ms of the 85 ms margin, for the rest of the export, and two pauses
leave nothing. With it, the span of any ``requests + k`` sends is at least
``period + k / rate`` whatever happened before.

On a punctual loop all of them hold already, so none ever delays a send
(evenly paced sends meet the last two exactly).

Adaptive pacing: a 429 halves the rate (once per round of requests: 429s
answering requests sent before the last decrease do not decrease again, like
TCP's once per round trip) and re-books every waiting task on the new schedule;
each success adds back ``rate / requests`` (1/`period` requests per second), so
recovering from one halving takes about ``requests / 2`` successes, roughly one
window of the server's counter turning over. A ``Retry-After`` (capped) pushes
the next slot for everyone.

No httpx here (the transport maps responses to `on_success`/`on_throttled`),
and no backend-specific primitive is created before first use: a client is
built in sync code and may later run under asyncio or trio.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

import anyio
import attrs

if TYPE_CHECKING:
    from ._config import RateLimit

#: A 429 never slows the pace below 1/16 of the configured rate: four halvings
#: in a row (59/s -> 3.7/s) already leave room for a heavy co-tenant on the
#: account, and a lower floor would keep a bulk pull crawling long after the
#: contention has passed.
MIN_RATE_FRACTION = 1 / 16

#: Seconds by which sends may catch up on lost time after a late wake-up. 25
#: times the 2 ms slices of a loaded loop (performance-lab.md §6), so ordinary
#: lateness loses no rate; at 59/s it lets 3 sends go together after a stall,
#: and any 1 s window holds at most ``floor(1.05 * rate) + 1`` sends.
MAX_CATCH_UP = 0.05

#: Seconds beyond `period` over which windows are also held to the pace (see the
#: module docstring): 0.1 s covers the default's whole margin against Plivo's
#: 300 per 5 s (5 requests, 85 ms at 59/s).
SPREAD_GUARD = 0.1

# Below a microsecond a bound is float rounding, not a reason to sleep again.
_EPSILON = 1e-6


@attrs.frozen
class LimiterSnapshot:
    """The limiter's state at one moment (``client.limiter_snapshot()``), for logs and dashboards.

    Attributes:
        configured_rate: Requests per second the `RateLimit` allows; None when pacing is off.
        current_rate: The pace now, lower than `configured_rate` after 429s; None when off.
        max_concurrency: Cap on requests in flight; None when off.
        in_flight: Requests sent and not yet finished.
        waiting: Requests waiting for a place or a send slot.
        throttled_count: 429 answers seen since the client was made.
        next_slot_in: Seconds until the next free send slot (0.0: a request may go now).
        paused_for: Seconds left of a pause asked by a ``Retry-After`` (0.0: none).
    """

    configured_rate: float | None
    current_rate: float | None
    max_concurrency: int | None
    in_flight: int
    waiting: int
    throttled_count: int
    next_slot_in: float
    paused_for: float


class _State(enum.Enum):
    BOOKED = enum.auto()
    SENT = enum.auto()
    ABANDONED = enum.auto()


@attrs.define
class _Booking:
    at: float
    state: _State = _State.BOOKED


class _Places:
    """A FIFO counting semaphore built on per-waiter `anyio.Event`s.

    Not `anyio.Semaphore`: before anyio 4.5 (we allow 4.3) creating one may need a
    running loop, and later versions bind it to the first backend that uses it. The
    events here live only while one task waits, so the object itself is backend-neutral.
    """

    def __init__(self, total: int) -> None:
        self.free = total
        self._waiters: deque[anyio.Event] = deque()

    async def acquire(self) -> None:
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return
        handed = anyio.Event()
        self._waiters.append(handed)
        try:
            await handed.wait()
        except BaseException:
            if handed.is_set():  # a place was handed over as we were cancelled: pass it on
                self.release()
            else:
                self._waiters.remove(handed)
            raise

    def release(self) -> None:
        if self._waiters:
            self._waiters.popleft().set()  # hand the place over; `free` stays as it is
        else:
            self.free += 1


def _log_length(config: RateLimit | None) -> int:
    """Send times the gate keeps: `requests`, and one per interval of `SPREAD_GUARD`."""
    if config is None:
        return 1
    return config.requests + math.ceil(SPREAD_GUARD * config.rate)


class Limiter:
    """Paces and caps one client's requests; `None` config turns both off."""

    def __init__(
        self,
        config: RateLimit | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self._config = config
        self._clock = clock
        self._sleep = sleep
        self._places = _Places(config.max_concurrency) if config else None
        self._rate = config.rate if config else 0.0
        self._tat = float("-inf")  # the next free slot; -inf: free now
        self._paused_until = float("-inf")
        self._bookings: deque[_Booking] = deque()  # not yet sent, in slot order
        # The schedule of actual sends (see the module docstring): the pace's
        # next send time, and the last `requests` send times.
        self._send_tat = float("-inf")
        self._sent: deque[float] = deque(maxlen=_log_length(config))
        # Bumped whenever the schedule is redrawn; a waiter booked under an older
        # epoch books again, and a 429 for a request sent under an older epoch
        # does not decrease the rate again.
        self._epoch = 0
        self._sent_epoch: contextvars.ContextVar[int | None] = contextvars.ContextVar(
            f"zentrunk_sent_epoch_{id(self)}", default=None
        )
        self._in_flight = 0
        self._waiting = 0
        self._throttled = 0

    def __repr__(self) -> str:
        return f"<Limiter {self._config!r}>"

    def use_time(
        self, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        """Measure and wait with these from now on (tests inject a fake clock)."""
        self._clock = clock
        self._sleep = sleep

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """`async with limiter.slot(): send one HTTP request`.

        Waits for a place under the concurrency cap, then for a booked send slot.
        Cancelled while waiting, it gives its place back and, when no later slot
        was booked, its slot too (otherwise the gap it leaves costs one interval
        once: GCRA forgets the past as soon as the schedule is caught up).
        """
        places = self._places
        if places is not None:
            self._waiting += 1
            try:
                await places.acquire()
                try:
                    await self._wait_for_slot()
                except BaseException:
                    places.release()
                    raise
            finally:
                self._waiting -= 1
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            if places is not None:
                places.release()

    async def _wait_for_slot(self) -> None:
        while True:
            epoch = self._epoch
            booking = self._book()
            try:
                while (delay := booking.at - self._clock()) > 0:
                    await self._sleep(delay)
                # The gate counts sends, not bookings, so it is checked afresh on
                # every wake-up: a stall during this sleep cannot make a burst.
                while epoch == self._epoch and (delay := self._send_gate(self._clock())) > 0:
                    await self._sleep(delay)
            except BaseException:
                self._abandon(booking)
                raise
            if epoch == self._epoch:
                booking.state = _State.SENT
                self._drop_sent()
                self._sent_epoch.set(epoch)
                return
            # The schedule was redrawn (a 429) while we slept: book on the new one.

    def _book(self) -> _Booking:
        booking = _Booking(max(self._clock(), self._tat))
        self._tat = booking.at + 1 / self._rate
        self._bookings.append(booking)
        return booking

    def _send_gate(self, now: float) -> float:
        """0.0 and the send recorded, or how long until the actual-send schedule allows it.

        The bounds of the module docstring, on the times sends really went.
        At most `max_concurrency` tasks wait here at once, so re-checking each
        wake-up costs little even when several wake together after a stall.
        """
        opens = self._send_tat - MAX_CATCH_UP
        sent = self._sent
        config = self._config
        if config is not None and (extra := len(sent) - config.requests) >= 0:
            # sent[extra - k] is the send `requests + k` back.
            interval = config.period / config.requests
            for k in range(extra + 1):
                opens = max(opens, sent[extra - k] + config.period + k * interval)
        if opens - now > _EPSILON:
            return opens - now
        self._send_tat = max(self._send_tat, now) + 1 / self._rate
        sent.append(now)
        return 0.0

    def _abandon(self, booking: _Booking) -> None:
        booking.state = _State.ABANDONED
        # Give back the tail of the schedule that only abandoned bookings hold.
        # (One followed by a sent booking stays a gap: a later slot already went.)
        while self._bookings and self._bookings[-1].state is _State.ABANDONED:
            self._tat = self._bookings.pop().at

    def _drop_sent(self) -> None:
        # Bookings before a sent one can no longer be given back; forget them.
        while self._bookings and self._bookings[0].state is not _State.BOOKED:
            self._bookings.popleft()

    def _redraw(self, next_slot: float) -> None:
        self._epoch += 1
        self._bookings.clear()
        self._tat = next_slot

    def on_throttled(self, retry_after: float | None) -> None:
        """A 429 was seen: halve the rate (adaptive), pause for ``Retry-After`` (capped).

        Call it from the task that sent the request, after its `slot`: that is how
        the limiter tells a 429 for a request sent before the last decrease (which
        must not decrease again) from a new one.
        """
        self._throttled += 1
        config = self._config
        if config is None:
            return
        now = self._clock()
        rate = self._rate
        if config.adaptive and self._sent_epoch.get() in (None, self._epoch):
            rate = max(config.rate * MIN_RATE_FRACTION, rate / 2)
        paused = False
        if retry_after is not None:
            pause_end = now + min(max(retry_after, 0.0), config.max_retry_after)
            paused = pause_end > self._paused_until
            self._paused_until = max(self._paused_until, pause_end)
        if rate != self._rate or paused:
            self._rate = rate
            # The last request already sent went at `now` at the latest.
            self._redraw(max(now + 1 / rate, self._paused_until))

    def on_success(self) -> None:
        """A request succeeded: add 1/`period` requests per second, up to the configured pace."""
        config = self._config
        if config is not None and config.adaptive and self._rate < config.rate:
            self._rate = min(config.rate, self._rate + config.rate / config.requests)

    def snapshot(self) -> LimiterSnapshot:
        """The state now: rates, requests in flight and waiting, 429s seen, next slot."""
        config = self._config
        now = self._clock()
        return LimiterSnapshot(
            configured_rate=config.rate if config else None,
            current_rate=self._rate if config else None,
            max_concurrency=config.max_concurrency if config else None,
            in_flight=self._in_flight,
            waiting=self._waiting,
            throttled_count=self._throttled,
            next_slot_in=max(0.0, self._tat - now),
            paused_for=max(0.0, self._paused_until - now),
        )
