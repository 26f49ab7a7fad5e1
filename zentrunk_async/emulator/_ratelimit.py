"""The account's rolling request window (zentrunk-api.md §11.1: 300 requests per 5 s).

A rolling log rather than a token bucket: the live limit is stated as "N
requests per T seconds", and a log answers exactly that question, including
when the oldest request leaves the window (the optional Retry-After). Only
admitted requests are logged, so a client hammering through 429s is not
locked out forever.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable


class RollingWindow:
    """At most ``requests`` admissions per key in any window of ``period`` seconds."""

    def __init__(self, requests: int | None, period: float, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._log: dict[str, deque[float]] = {}
        self.configure(requests, period)

    def configure(self, requests: int | None, period: float) -> None:
        """Change the limit while running; ``None`` turns limiting off."""
        if requests is not None and requests < 1:
            raise ValueError("requests must be >= 1 or None")
        if period <= 0:
            raise ValueError("period must be > 0")
        with self._lock:
            self.requests = requests
            self.period = period
            self._log.clear()

    def acquire(self, key: str) -> float | None:
        """Admit a request (``None``) or return the seconds until one would be admitted."""
        if self.requests is None:
            return None
        now = self._clock()
        with self._lock:
            log = self._log.setdefault(key, deque())
            horizon = now - self.period
            while log and log[0] <= horizon:
                log.popleft()
            if len(log) >= self.requests:
                return max(log[0] - horizon, 0.0)
            log.append(now)
            return None


def retry_after_header(seconds: float) -> str:
    """Whole seconds, rounded up: the only form of Retry-After every client parses."""
    return str(max(1, math.ceil(seconds)))
