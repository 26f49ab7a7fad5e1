"""The CDR list as a live service would show it: windows, filters, drift, paging.

Positions in the newest-first list are virtual. Position ``p < D`` is the
``D-1-p``-th drifted call (calls that "arrived" while the emulator ran, end
time = their arrival); position ``p >= D`` is initial record ``p - D``. Since
end times never increase with ``p``, a time window is two binary searches,
and a new call shifts every later offset by one exactly as on the live API.

Filters other than time need a scan; its result (the matching initial
records, in an ``array``) is cached per filter set, so paging through a
filtered window costs one scan, then a binary search per page.

The data faults (`DataFaults`) bend that model on purpose: *late* calls end
inside a past window (they are merged into a page by end time, a few binary
searches each), *phantom* calls are counted in `total_count` but never
listed, and a *short* page loses its last record.
"""

from __future__ import annotations

import random
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from ._cdrs import NEWEST_AGE_SECONDS, CallGenerator, Core
from ._faults import DataFaults

#: Different filter sets whose scan results stay cached (each is at most 4 bytes per match).
SCAN_CACHE_SIZE = 32
#: Late calls take sequence numbers down from the top of the 32-bit id space
#: (the configuration keeps initial and drifted calls far below it).
_LATE_TOP = 2**32 - 1

Predicate = Callable[[Core], bool]


class Window(NamedTuple):
    """End-time bounds, inclusive, in whole epoch seconds (records have 1 s resolution)."""

    lower: int
    upper: int


class _Scan:
    """Matching records of one filter set: initial ones once, drifted ones incrementally."""

    def __init__(self, base: array[int]) -> None:
        self.base = base
        self.drift: list[int] = []
        self.drift_scanned = 0


class CallStore:
    """Every CDR of the account, built on demand; thread-safe for uvicorn and tests."""

    def __init__(self, count: int, seed: int, started: float) -> None:
        self.count = count
        self.generator = CallGenerator(seed, count, int(started) - NEWEST_AGE_SECONDS)
        self._lock = threading.Lock()
        self._drift_end = array("d")
        self._drift_acc = 0.0
        self._drift_last = started
        self._scans: OrderedDict[tuple[Any, ...], _Scan] = OrderedDict()
        self.faults = DataFaults()
        self._fault_rng = random.Random(seed ^ 0x1A7E)
        self._late: list[tuple[int, int]] = []  # (end, g), newest first
        self._late_end: dict[int, int] = {}

    # -- drift --------------------------------------------------------------------------

    def advance(self, now: float, rate: float) -> None:
        """Let calls arrive at ``rate`` per second since the last request.

        Arrival times are spread evenly over the elapsed interval so that a pull
        which brackets them sees the same end times a live service would.
        """
        with self._lock:
            last = self._drift_last
            if rate > 0 and now > last:
                acc = self._drift_acc + (now - last) * rate
                arrived = len(self._drift_end)
                while arrived + 1 <= acc:
                    arrived += 1
                    self._drift_end.append(last + (arrived - self._drift_acc) / rate)
                self._drift_acc = acc
            else:
                self._drift_acc = float(len(self._drift_end))
            self._drift_last = max(now, last)

    def add_calls(self, ends: list[float]) -> None:
        """Make calls arrive right now (tests, admin endpoint): they go to the newest end."""
        with self._lock:
            floor = self._drift_end[-1] if self._drift_end else 0.0
            for end in sorted(ends):
                self._drift_end.append(max(end, floor))
                floor = self._drift_end[-1]
            self._drift_acc = float(len(self._drift_end))

    @property
    def drifted(self) -> int:
        return len(self._drift_end)

    # -- positions ----------------------------------------------------------------------

    def _end_at(self, p: int, drifted: int) -> int:
        if p < drifted:
            return int(self._drift_end[drifted - 1 - p])
        return self.generator.base_end(p - drifted)

    def _first(self, n: int, pred: Callable[[int], bool]) -> int:
        """Smallest p in [0, n) with pred(p) true, for a pred that flips once from false."""
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) // 2
            if pred(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def _record_at(self, p: int, drifted: int) -> dict[str, Any]:
        if p < drifted:
            d = drifted - 1 - p
            return self.generator.record(self.count + d, int(self._drift_end[d]))
        k = p - drifted
        return self.generator.record(k, self.generator.base_end(k))

    # -- queries ------------------------------------------------------------------------

    def page(
        self,
        window: Window,
        filters: tuple[tuple[str, Any], ...],
        predicate: Predicate | None,
        offset: int,
        limit: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        """``(total_count, records)`` of one page of the newest-first, filtered window."""
        with self._lock:
            if self.faults.spend("late_call", self._fault_rng):
                self._land_late(window)
            short = self.faults.spend("short_page", self._fault_rng)
            phantoms = sum(window.lower <= end <= window.upper for end in self.phantoms())
        drifted = len(self._drift_end)
        if predicate is None:
            total = drifted + self.count
            lo = self._first(total, lambda p: self._end_at(p, drifted) <= window.upper)
            hi = max(lo, self._first(total, lambda p: self._end_at(p, drifted) < window.lower))
            count, records = self._merged(
                window,
                None,
                hi - lo,
                lambda i: self._end_at(lo + i, drifted),
                lambda i: self._record_at(lo + i, drifted),
                offset,
                limit,
            )
        else:
            count, records = self._filtered_page(window, filters, predicate, offset, limit, drifted)
        if short and records:
            records.pop()
        return count + phantoms, records

    # -- data faults --------------------------------------------------------------------

    def phantoms(self) -> list[int]:
        """End times of the calls counted but never listed (`DataFaults.phantom_calls`)."""
        n = self.faults.phantom_calls
        if not n or not self.count:
            return []
        return [self.generator.base_end(self.count * (i + 1) // (n + 1)) for i in range(n)]

    def _land_late(self, window: Window) -> None:
        """One call ends inside `window`, in the past, now visible (lock held)."""
        upper = min(window.upper, int(self._drift_last) - 1)
        if upper < window.lower:
            return
        end = self._fault_rng.randint(window.lower, upper)
        g = _LATE_TOP - len(self._late)
        self._late.append((end, g))
        self._late.sort(key=lambda item: -item[0])
        self._late_end[g] = end

    def _first_before(self, n: int, end_of: Callable[[int], int], end: int) -> int:
        """The first index whose call ended before `end` (`n` when none)."""
        return self._first(n, lambda i: end_of(i) < end)

    def _merged(
        self,
        window: Window,
        predicate: Predicate | None,
        n: int,
        end_of: Callable[[int], int],
        record_of: Callable[[int], dict[str, Any]],
        offset: int,
        limit: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        """Records ``offset..offset+limit`` of a newest-first list of `n`, late calls merged in."""
        late = [
            (end, g)
            for end, g in self._late
            if window.lower <= end <= window.upper
            and (predicate is None or predicate(self.generator.core(g)))
        ]
        # Where each late call sits in the merged list: after every call ending at or after it.
        places = [self._first_before(n, end_of, end) + j for j, (end, _) in enumerate(late)]
        at = dict(zip(places, late, strict=True))
        total = n + len(late)
        records = []
        for m in range(offset, min(offset + limit, total)):
            if m in at:
                end, g = at[m]
                records.append(self.generator.record(g, end))
            else:
                records.append(record_of(m - bisect_left(places, m)))
        return total, records

    def _filtered_page(
        self,
        window: Window,
        filters: tuple[tuple[str, Any], ...],
        predicate: Predicate,
        offset: int,
        limit: int,
        drifted: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        scan = self._scan(filters, predicate, drifted)
        gen = self.generator
        ends = self._drift_end
        # Drifted matches, oldest first (end ascending): the window is a slice.
        drift = scan.drift
        d_lo = bisect_left(drift, window.lower, key=lambda d: int(ends[d]))
        d_hi = bisect_right(drift, window.upper, key=lambda d: int(ends[d]))
        newest = list(reversed(drift[d_lo:d_hi]))
        # Initial matches, newest first (end descending): bisect on the negated end.
        base = scan.base
        b_lo = bisect_left(base, -window.upper, key=lambda k: -gen.base_end(k))
        b_hi = bisect_right(base, -window.lower, key=lambda k: -gen.base_end(k))
        count = len(newest) + max(0, b_hi - b_lo)

        def end_of(i: int) -> int:
            if i < len(newest):
                return int(ends[newest[i]])
            return gen.base_end(base[b_lo + i - len(newest)])

        def record_of(i: int) -> dict[str, Any]:
            if i < len(newest):
                d = newest[i]
                return gen.record(self.count + d, int(ends[d]))
            k = base[b_lo + i - len(newest)]
            return gen.record(k, gen.base_end(k))

        return self._merged(window, predicate, count, end_of, record_of, offset, limit)

    def _scan(
        self, filters: tuple[tuple[str, Any], ...], predicate: Predicate, drifted: int
    ) -> _Scan:
        with self._lock:
            scan = self._scans.get(filters)
            if scan is not None:
                self._scans.move_to_end(filters)
        if scan is None:
            core = self.generator.core
            base = array("I", (k for k in range(self.count) if predicate(core(k))))
            scan = _Scan(base)
            with self._lock:
                self._scans[filters] = scan
                while len(self._scans) > SCAN_CACHE_SIZE:
                    self._scans.popitem(last=False)
        with self._lock:
            for d in range(scan.drift_scanned, drifted):
                if predicate(self.generator.core(self.count + d)):
                    scan.drift.append(d)
            scan.drift_scanned = max(scan.drift_scanned, drifted)
        return scan

    def get(self, call_uuid: str) -> tuple[int, int] | None:
        """``(sequence number, end time)`` of a call this account has, else ``None``."""
        g = self.generator.sequence_of(call_uuid)
        if g is None:
            return None
        if g in self._late_end:
            return g, self._late_end[g]
        if g < self.count:
            return g, self.generator.base_end(g)
        d = g - self.count
        if d < len(self._drift_end):
            return g, int(self._drift_end[d])
        return None

    def record(self, g: int, end: int) -> dict[str, Any]:
        return self.generator.record(g, end)
