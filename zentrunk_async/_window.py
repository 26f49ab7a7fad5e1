"""How many requests a bulk pull keeps in flight: a fixed number, or as many as the network needs.

The pacing limiter decides *when* a request may go; this window only decides
how many may be under way at once, and it must be large enough that a request
is always waiting when the limiter's next slot comes up. A slot that finds
nobody waiting is lost for good (the limiter books evenly spaced slots and
forgets the past), so a fixed window of 8 at a 250 ms round trip sends at
most 32 requests/s whatever the pace allows.

The adaptive window follows Little's law: to send `rate` requests per second
when each spends `rtt` seconds on the wire, about ``rate × rtt`` must be on the
wire, plus a few waiting for their slot. It measures each request's time on
the wire (its whole duration minus the wait for its send slot, which the
limiter's snapshot gives exactly at the moment the request books it) and keeps
``rate × median(rtt) + SPARE`` in flight, within `cap`. The median
of recent samples follows the network both ways (the window shrinks when
latency falls) without chasing one slow retry; the rate is the limiter's
*current* one, so 429s (which halve it) shrink the window too, and a failed
request halves the window for a while.

Without a pace (``rate_limit=None``) there is no rate to follow: the window
is then `DEFAULT_CONCURRENCY`. ``concurrency=N`` fixes it at N.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import deque
from collections.abc import Callable

import anyio
import attrs

from ._config import DEFAULT_CONCURRENCY
from ._ratelimit import LimiterSnapshot

#: Reads the pacing limiter's state (``client.limiter_snapshot``).
PaceProbe = Callable[[], LimiterSnapshot]

#: Never more in flight than this, whatever the latency: 64 covers round trips
#: up to about 0.7 s at Plivo's 59 requests/s.
MAX_WINDOW = 64
MIN_WINDOW = 2
#: In flight beyond ``rate × rtt``: these wait at the limiter for their slot, so
#: that a slot never comes up with nobody waiting. Few, and added rather than
#: multiplied, because the limiter's queue is what a stalled event loop releases
#: at once when it wakes: the limiter books 295 per 5 s against Plivo's 300, so a
#: queue of at most SPARE + 1 compressed into one window keeps it under 300.
HEADROOM = 1.0
SPARE = 3
#: Before the first round trip is measured: enough to pace at full rate up to
#: about half a second of latency (the limiter holds the surplus back anyway).
START_WINDOW = 32
#: Round-trip samples the median is taken over.
SAMPLES = 32
#: Successes after a failure during which the window stays halved.
PENALTY = SAMPLES


@attrs.frozen
class WindowStats:
    """What the window did: its limit now, the most it held, the round trip it measured.

    `unused_slot_seconds` adds up the time the pace allowed a request and none
    went (a gap since the previous request's slot longer than one interval).
    `full_seconds` is the time requests waited because the window was full.
    """

    limit: int
    adaptive: bool
    peak_in_flight: int
    requests: int
    rtt: float | None
    unused_slot_seconds: float
    full_seconds: float


@attrs.frozen
class Ticket:
    """One request under way: when it started and how long it was to wait for its slot."""

    started: float
    wait: float


class InFlightWindow:
    """A counting gate whose size is fixed or follows ``rate × round trip``.

    ``await window.acquire()`` before a request and ``window.release()`` after;
    ``ticket = window.begin()`` right before sending (no await in between, so
    that the limiter books the slot it read) and ``window.end(ticket, ok)``
    when it is done, to measure it.
    """

    def __init__(
        self,
        fixed: int | None = None,
        *,
        pace: PaceProbe | None = None,
        cap: int = MAX_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pace = pace
        self._clock = clock
        snapshot = pace() if pace is not None else None
        self.adaptive = fixed is None and snapshot is not None and snapshot.current_rate is not None
        limiter_cap = snapshot.max_concurrency if snapshot is not None else None
        # Requests waiting for a send slot hold a place under the limiter's cap:
        # a window above it would only queue for places, unmeasured.
        self.cap = max(MIN_WINDOW, min(cap, limiter_cap or cap))
        if fixed is not None:
            self.limit = fixed
        elif self.adaptive:
            self.limit = min(START_WINDOW, self.cap)
        else:
            self.limit = DEFAULT_CONCURRENCY
        self.in_flight = 0
        self._peak = 0
        self._requests = 0
        self._samples: deque[float] = deque(maxlen=SAMPLES)
        self._penalty = 0
        self._waiters: deque[anyio.Event] = deque()
        self._last_slot: float | None = None
        self._unused = 0.0
        self._full = 0.0

    def __repr__(self) -> str:
        kind = "adaptive" if self.adaptive else "fixed"
        return f"<InFlightWindow {kind} limit={self.limit} in_flight={self.in_flight}>"

    @property
    def rtt(self) -> float | None:
        """The median measured time on the wire, in seconds (None before any sample)."""
        return statistics.median(self._samples) if self._samples else None

    def stats(self) -> WindowStats:
        return WindowStats(
            limit=self.limit,
            adaptive=self.adaptive,
            peak_in_flight=self._peak,
            requests=self._requests,
            rtt=self.rtt,
            unused_slot_seconds=self._unused,
            full_seconds=self._full,
        )

    async def acquire(self) -> None:
        """Wait for room under the limit (first come, first served)."""
        if self.in_flight >= self.limit or self._waiters:
            started = self._clock()
            front = False
            while True:
                event = anyio.Event()
                if front:
                    self._waiters.appendleft(event)
                else:
                    self._waiters.append(event)
                try:
                    await event.wait()
                except BaseException:
                    if event.is_set():
                        self._wake()  # woken as we were cancelled: pass the turn on
                    else:
                        self._waiters.remove(event)
                    raise
                if self.in_flight < self.limit:
                    break
                front = True  # the limit shrank meanwhile: wait again, still first
            self._full += self._clock() - started
        self.in_flight += 1
        self._peak = max(self._peak, self.in_flight)
        self._wake()

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        if self._waiters and self.in_flight < self.limit:
            self._waiters.popleft().set()

    def begin(self) -> Ticket:
        """Read the pace as the request books its slot (call right before sending it)."""
        now = self._clock()
        wait = 0.0
        if self._pace is not None:
            snapshot = self._pace()
            wait = snapshot.next_slot_in
            rate = snapshot.current_rate
            if rate:
                slot = now + wait
                if self._last_slot is not None:
                    self._unused += max(0.0, slot - self._last_slot - 1 / rate)
                self._last_slot = slot
        self._requests += 1
        return Ticket(now, wait)

    def end(self, ticket: Ticket, *, ok: bool) -> None:
        """Record one request's time on the wire and resize (adaptive windows only)."""
        if not ok:
            self._penalty = PENALTY
            if self.adaptive:
                self.limit = max(MIN_WINDOW, self.limit // 2)
            return
        self._samples.append(max(0.0, self._clock() - ticket.started - ticket.wait))
        if self._penalty:
            self._penalty -= 1
        if self.adaptive and self._pace is not None:
            self._resize(self._pace().current_rate)

    def _resize(self, rate: float | None) -> None:
        rtt = self.rtt
        if rate is None or rtt is None:
            return
        target = math.ceil(rate * rtt * HEADROOM) + SPARE
        if self._penalty:
            target = max(MIN_WINDOW, target // 2)
        self.limit = max(MIN_WINDOW, min(self.cap, target))
        self._wake()
