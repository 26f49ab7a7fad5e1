"""`Emulator`: the handle that owns one emulated account and its ASGI app.

Tests hold this object to reach everything a live account hides: the stored
secrets, the fault switches, the rate limiter, request statistics. The
Starlette app is built from it, and the same state is reachable over HTTP
through the admin routes, so a test can drive either an in-process app or
a server in another process.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._calls import CallStore
from ._config import EmulatorConfig, Faults
from ._faults import Plan, decide
from ._ratelimit import RollingWindow
from ._store import ConfigStore

if TYPE_CHECKING:
    from starlette.applications import Starlette


class Stats:
    """Counters an experiment reads back: requests, statuses, 429s, injected faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.statuses: Counter[int] = Counter()
        self.faults: Counter[str] = Counter()
        self.rate_limited = 0

    def count_request(self) -> None:
        """Count one API request."""
        with self._lock:
            self.requests += 1

    def count_status(self, status: int) -> None:
        """Count one response with HTTP ``status``."""
        with self._lock:
            self.statuses[status] += 1

    def count_fault(self, name: str) -> None:
        """Count one injected fault of kind ``name``."""
        with self._lock:
            self.faults[name] += 1

    def count_rate_limited(self) -> None:
        """Count one request refused with 429 by the rate limit."""
        with self._lock:
            self.rate_limited += 1

    def reset(self) -> None:
        """Set every counter back to zero."""
        with self._lock:
            self.requests = self.rate_limited = 0
            self.statuses.clear()
            self.faults.clear()

    def as_dict(self) -> dict[str, Any]:
        """The counters as JSON-ready data."""
        with self._lock:
            return {
                "requests": self.requests,
                "statuses": {str(k): n for k, n in sorted(self.statuses.items())},
                "responses_429": self.statuses[429],
                "rate_limited": self.rate_limited,
                "faults": dict(self.faults),
            }


class Emulator:
    """One emulated Zentrunk account: configuration, faults, state and the app serving them.

    ``clock`` returns epoch seconds; tests pass a fake one to move time
    (drift, rate-limit windows, the 30-day default window) without sleeping.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        faults: Faults | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.faults = faults or Faults()
        self.clock = clock
        self.started = clock()
        self.store = ConfigStore(self.config.seed, clock, self.config.missing_param_status)
        self.calls = CallStore(self.config.calls, self.config.seed, self.started)
        self.limiter = RollingWindow(
            self.config.rate_limit_requests, self.config.rate_limit_period, clock
        )
        self.stats = Stats()
        self._fault_lock = threading.Lock()
        self._fault_seed: int | None = None
        self._fault_rng = random.Random(self.faults.seed)
        self._api_node = random.Random(self.config.seed).getrandbits(48) | (1 << 40)
        self._app: Starlette | None = None

    @property
    def app(self) -> Starlette:
        """The Starlette app, built on first use (so importing this module stays cheap)."""
        if self._app is None:
            from ._app import build_app

            self._app = build_app(self)
        return self._app

    @property
    def auth_id(self) -> str:
        """The account's auth id, for ``ZentrunkClient(auth_id=...)``."""
        return self.config.auth_id

    @property
    def auth_token(self) -> str:
        """The account's auth token, for ``ZentrunkClient(auth_token=...)``."""
        return self.config.auth_token

    def new_api_id(self) -> str:
        """§15.3: ``api_id`` values are time-based (uuid1-style) like the live ones."""
        return str(uuid.uuid1(node=self._api_node))

    def set_faults(self, **changes: Any) -> Faults:
        """Change faults while running (validated; unknown names raise ValueError)."""
        with self._fault_lock:
            self.faults.update(**changes)
            return self.faults

    def clear_faults(self) -> None:
        """Remove every injected fault: the emulator answers normally again."""
        with self._fault_lock:
            seed = self.faults.seed
            self.faults.update(**{**Faults().as_dict(), "seed": seed})

    def set_rate_limit(self, requests: int | None, period: float | None = None) -> None:
        """Change or (``requests=None``) switch off the rolling-window limit."""
        self.limiter.configure(requests, period if period is not None else self.limiter.period)

    def add_calls(self, count: int = 1) -> None:
        """Make ``count`` calls end now: they appear at the head of newest-first lists."""
        now = self.clock()
        self.calls.add_calls([now] * count)

    def plan_faults(self) -> Plan:
        """Decide the faults of the next request (latency, drop, status) from the settings."""
        with self._fault_lock:
            if self.faults.seed != self._fault_seed:
                self._fault_seed = self.faults.seed
                self._fault_rng = random.Random(self.faults.seed)
            return decide(self.faults, self._fault_rng)

    def tick(self) -> float:
        """Per API request: read the clock once and let drifted calls arrive."""
        now = self.clock()
        self.calls.advance(now, self.faults.drift_per_second)
        return now

    def stats_dict(self) -> dict[str, Any]:
        """Request, status and fault counters as JSON-ready data."""
        data = self.stats.as_dict()
        data["calls"] = self.config.calls + self.calls.drifted
        data["drifted_calls"] = self.calls.drifted
        return data


def create_app(
    config: EmulatorConfig | None = None,
    *,
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """An ASGI app for one emulated account; its `Emulator` is ``app.state.emulator``."""
    return Emulator(config, faults=faults, clock=clock).app
