"""Configuration values of the client; every default carries its reason."""

from __future__ import annotations

import math
from typing import Any

import attrs
import httpx

#: The live service; tests and benchmarks never aim here (they use the emulator).
DEFAULT_BASE_URL = "https://api.plivo.com"

#: Generous enough for a slow CDR page, short enough that a dead connection is
#: noticed; "no timeout" is never a default (a hung socket would hang a pull).
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

#: Longest answer body read, in decoded bytes. A full page of 20 CDRs is about
#: 16 KB and the largest legitimate body (a page of 20 trunks or URIs with long
#: names) well under 100 KB, so 4 MiB is 250 pages' worth: never reached by an
#: honest server, while 16 requests in flight hold at most 64 MiB of a hostile
#: one (a 200 MB page decoded whole took 1.4 GB and 32 s, issue 12).
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024

#: Seconds one HTTP attempt may take from sending to the last body byte,
#: beside httpx's per-read timeout (which restarts on every byte, so a server
#: trickling one byte a second would hold a request forever). Twice the read
#: timeout: a slow but steady answer fits, a trickle is cut within a minute.
#: The wait for a rate-limit slot does not count.
DEFAULT_ATTEMPT_TIMEOUT = 60.0

#: Attempts after the first for requests that are safe to retry (see _retry.py).
DEFAULT_MAX_RETRIES = 3

#: Pages of a list fetched at once by default: about 8 requests in flight reach
#: the documented 60 requests/s at ordinary internet latencies (8 / 0.13 s) and
#: stay far from httpcore's pool collapse above 16-32 connections
#: (performance-lab.md §5).
DEFAULT_CONCURRENCY = 8

#: The API's maximum (and default) page size (zentrunk-api.md §10).
MAX_PAGE_SIZE = 20

#: Connection pool matched to the concurrency cap (performance-lab.md rec. 4).
#: 64, not 16: holding the paced 59 requests/s over a 500 ms round trip needs
#: about 30 requests on the wire and a few waiting (issue 15's adaptive export
#: window, capped at 64); httpcore's per-request pool cost grows with the
#: connections actually open, which at a paced rate stay about rate × RTT.
DEFAULT_MAX_CONNECTIONS = 64

ENV_AUTH_ID = "PLIVO_AUTH_ID"
ENV_AUTH_TOKEN = "PLIVO_AUTH_TOKEN"
ENV_BASE_URL = "ZENTRUNK_BASE_URL"
ENV_LOG = "ZENTRUNK_LOG"


# --- Client-side pacing (issue 4) ------------------------------------------

#: Requests per `DEFAULT_RATE_PERIOD`: 59/s, the fastest even pace whose every
#: rolling 5 s window stays under the documented 300 with room for arrival
#: jitter (the derivation is in `RateLimit`'s docstring).
DEFAULT_RATE_REQUESTS = 295

#: The window of the documented limit: 300 requests per 5 s (zentrunk-api.md §11.1).
DEFAULT_RATE_PERIOD = 5.0

#: A Retry-After longer than a minute is more likely a misconfigured proxy than
#: a real instruction; Plivo documents no Retry-After at all (zentrunk-api.md §9.3).
DEFAULT_MAX_RETRY_AFTER = 60.0


def _positive(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive finite number, got {value!r}")


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


_positive_int = [attrs.validators.instance_of(int), _positive]


@attrs.frozen
class RateLimit:
    """Client-side pacing of one client's requests: ``ZentrunkClient(rate_limit=...)``.

    The limiter books evenly spaced send slots (GCRA with a burst of 1), so the
    pace is ``requests / period`` per second with no initial burst. Such a
    limiter at rate *r* lets at most ``floor(W * r) + 1`` requests into any
    closed window of *W* seconds.

    Why the default is 295 per 5 s (59 requests per second): Plivo allows 300
    requests per 5 s per account and answers 429 beyond (zentrunk-api.md §11.1).

    * At exactly 60/s a closed 5 s window holds ``floor(300) + 1 = 301`` sends:
      one over, before any network effect.
    * The server counts *arrivals*. Network jitter can bring two sends up to
      *J* seconds closer, so a server window of 5 s may see the sends of a
      ``5 + J`` s window: at most ``floor((5 + J) * r) + 1``. That is <= 300
      while ``(5 + J) * r < 300``.
    * At 59/s a 5 s window holds at most 296 sends, and the bound holds for
      any jitter below ``300 / 59 - 5 = 85 ms``, more than ordinary internet
      jitter. 59.8/s would still fit with no jitter at all (300 per window) but
      leaves none; 58/s buys 170 ms for 1.7 % more throughput lost.
    * Those bounds are about an even schedule. Sends woken late catch up (a few
      go together), and the limiter holds every window from 5 s to 5.1 s to the
      pace as well (`_ratelimit.SPREAD_GUARD`), so no earlier catch-up shortens
      the 85 ms for later windows.
    * 59/s is 98.3 % of the documented 60/s ceiling, above the 95 % target of
      issue 4, while never tripping the limit from a single client.

    The limit is per account: two clients (or processes) on the same account
    share it, and each should get a proportional share (e.g. ``requests=145``
    for two). The adaptive mode exists for when that is not done: a 429 halves
    the pace and successes ramp it back.

    Attributes:
        requests: Requests allowed per `period` (their ratio is the pace).
        period: Window length in seconds; the documented limit's window.
        max_concurrency: Requests in flight at once, beside the pacing: the
            connection pool size (`DEFAULT_MAX_CONNECTIONS`, 64); more would only
            queue inside httpcore's pool, whose cost grows with its size
            (performance-lab.md §2, recommendation 4).
        adaptive: On a 429 halve the pace (down to 1/16 of it), then add it back
            gradually on successes; ``False`` keeps the pace fixed.
        max_retry_after: Cap in seconds on an honoured ``Retry-After``.
    """

    requests: int = attrs.field(default=DEFAULT_RATE_REQUESTS, validator=_positive_int)
    period: float = attrs.field(default=DEFAULT_RATE_PERIOD, validator=_positive)
    max_concurrency: int = attrs.field(default=DEFAULT_MAX_CONNECTIONS, validator=_positive_int)
    adaptive: bool = True
    max_retry_after: float = attrs.field(default=DEFAULT_MAX_RETRY_AFTER, validator=_non_negative)

    @property
    def rate(self) -> float:
        """The configured pace in requests per second."""
        return self.requests / self.period
