"""`Account`: the state of one emulated account, with no web framework in sight.

Everything a live account hides lives here: stored secrets, the account's
fault switches, its own rate-limit window, request statistics. The app
(`_app.build_app`) is built from accounts and never imports the handle
that owns them (`_emulator.Emulator`), so imports flow one way.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from ._calls import CallStore
from ._config import EmulatorConfig, Faults
from ._faults import DataFaults, Plan, decide
from ._numbers import fictional_numbers
from ._ratelimit import RollingWindow
from ._store import ConfigStore


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


class Account:
    """One emulated Zentrunk account: its configuration, faults, data, limit and counters.

    ``config`` is this account's own (its ``auth_id``, ``auth_token`` and
    ``seed``). ``clock`` returns epoch seconds; tests pass a fake one to move
    time (drift, rate-limit windows, the 30-day default window) without sleeping.
    """

    def __init__(
        self,
        config: EmulatorConfig,
        *,
        faults: Faults | None = None,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.faults = faults or Faults()
        self.clock = clock
        self.started = clock()
        self.store = ConfigStore(
            config.seed, clock, config.missing_param_status, fictional_numbers(config.numbers)
        )
        self.calls = CallStore(config.calls, config.seed, self.started)
        self.limiter = RollingWindow(config.rate_limit_requests, config.rate_limit_period, clock)
        self.stats = Stats()
        self._fault_lock = threading.Lock()
        self._fault_seed: int | None = None
        self._fault_rng = random.Random(self.faults.seed)
        self._api_node = random.Random(config.seed).getrandbits(48) | (1 << 40)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.config.auth_id}>"

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
        data = {k: changes.pop(k) for k in list(changes) if k in DataFaults.names()}
        with self._fault_lock:
            self.faults.update(**changes)
            # The CDR data faults live with the call store, which spends them.
            self.calls.faults.update(**data)
            return self.faults

    def clear_faults(self) -> None:
        """Remove every injected fault: the account answers normally again."""
        with self._fault_lock:
            seed = self.faults.seed
            self.faults.update(**{**Faults().as_dict(), "seed": seed})
            self.calls.faults.update(**DataFaults().as_dict())

    def set_rate_limit(self, requests: int | None, period: float | None = None) -> None:
        """Change or (``requests=None``) switch off the rolling-window limit."""
        self.limiter.configure(requests, period if period is not None else self.limiter.period)

    def add_calls(self, count: int = 1) -> None:
        """Make ``count`` calls end now: they appear at the head of newest-first lists."""
        # Drift due by now lands first: arriving later, it would end before these
        # calls and break the newest-first order every window search relies on.
        now = self.tick()
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
