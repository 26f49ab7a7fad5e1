"""Retry policy: may this (method, outcome) be tried again, and after how long.

Pure: no I/O and no sleeping. The transport sends, asks `RetryPolicy.delay`,
sleeps what it answers (or raises), and loops.

The rules (issue 4), from one question: could the server have acted already?

* GET, HEAD, OPTIONS and DELETE are idempotent: sending one twice leaves the
  account as sending it once. They are retried on 408, 429, every 5xx, and
  every connection failure or timeout.
* A read (GET, HEAD, OPTIONS) whose 2xx body was cut off or cannot be
  decoded (`Failure.BAD_BODY`) is retried like a 5xx: a proxy's HTML page or
  a truncated page is usually gone on the next try. A write's never is.
* POST (create, update, number routing) and, conservatively, PUT and PATCH
  are retried only when the server provably did not act: a 429 (the limiter
  refused it before any handler ran), or a connection that failed before the
  request was sent (`Failure.CONNECT`). Never after a 5xx, a read/write
  timeout or a dropped connection: Plivo documents no idempotency key
  (zentrunk-api.md §9, §11.1), so a blind resend could create a second trunk.
"""

from __future__ import annotations

import email.utils
import enum
import math
import random as _random
import re
from collections.abc import Callable
from datetime import datetime, timezone

import attrs
import httpx

from ._config import DEFAULT_MAX_RETRIES

#: First backoff step: long enough for a restarting upstream or a refilled
#: connection pool, short next to a 30 s timeout (issue 4 asks "about 0.5 s").
DEFAULT_BACKOFF_BASE = 0.5

#: Longest backoff step: 0.5 s doubled four times; waiting longer than one
#: step of 8 s rarely helps an interactive call (issue 4 asks "about 8 s").
DEFAULT_BACKOFF_CAP = 8.0

#: Methods whose repetition has the effect of one call (RFC 9110 §9.2.2). PUT
#: is idempotent by the RFC but the API takes updates by POST and answers PUT
#: with 405 (zentrunk-api.md §15.2), so PUT is treated like a write.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})

#: Methods that change nothing on the server (RFC 9110 §9.2.1): every other
#: method is a write, whose errors say what it did (`WriteOutcome`).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Statuses after which an idempotent request is tried again: request timeout,
#: too many requests, and any server-side failure.
RETRYABLE_STATUSES = frozenset({408, 429, *range(500, 600)})

_DELTA_SECONDS = re.compile(r"\d+(\.\d+)?")


class Failure(enum.Enum):
    """How a request failed without an HTTP answer; decides whether a write may be resent."""

    CONNECT = "connect"
    """No connection was made (connect error or timeout, pool timeout): provably not sent."""
    TIMEOUT = "timeout"
    """A read or write timed out mid-exchange: the server may have acted."""
    DISCONNECT = "disconnect"
    """The connection dropped or broke the protocol mid-exchange: the server may have acted."""
    BAD_BODY = "bad_body"
    """A 2xx whose body was cut off or undecodable: a read is tried again, a write acted."""


def classify_httpx_error(exc: Exception) -> Failure:
    """Which `Failure` an httpx transport exception is."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return Failure.CONNECT
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
        return Failure.TIMEOUT
    return Failure.DISCONNECT


def is_retryable(
    method: str, *, status_code: int | None = None, failure: Failure | None = None
) -> bool:
    """Whether an attempt that ended so may be tried again (regardless of the count)."""
    if (status_code is None) == (failure is None):
        raise TypeError("give exactly one of status_code and failure")
    if failure is Failure.BAD_BODY:  # a write's 2xx says it is done: never again
        return method.upper() in SAFE_METHODS
    if method.upper() in IDEMPOTENT_METHODS:
        return failure is not None or status_code in RETRYABLE_STATUSES
    return status_code == 429 or failure is Failure.CONNECT


def _non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _positive_or_none(
    instance: object, attribute: attrs.Attribute[float | None], value: float | None
) -> None:
    if value is not None and (math.isnan(value) or value <= 0):
        raise ValueError(f"{attribute.name} must be > 0 or None, got {value!r}")


@attrs.frozen
class RetryPolicy:
    """When and how long to wait before trying a failed request again.

    Attributes:
        max_retries: Attempts after the first (`DEFAULT_MAX_RETRIES`); 0 disables retries.
        backoff_base: First backoff step in seconds; each further retry doubles it.
        backoff_cap: Longest backoff step in seconds.
        deadline: Seconds across all attempts and waits, or None; the policy never
            asks for a wait that would end past it.
    """

    max_retries: int = attrs.field(
        default=DEFAULT_MAX_RETRIES,
        validator=[attrs.validators.instance_of(int), attrs.validators.ge(0)],
    )
    backoff_base: float = attrs.field(default=DEFAULT_BACKOFF_BASE, validator=_non_negative)
    backoff_cap: float = attrs.field(default=DEFAULT_BACKOFF_CAP, validator=_non_negative)
    deadline: float | None = attrs.field(default=None, validator=_positive_or_none)

    def delay(
        self,
        *,
        method: str,
        attempt: int,
        status_code: int | None = None,
        failure: Failure | None = None,
        retry_after: float | None = None,
        elapsed: float = 0.0,
        random: Callable[[], float] = _random.random,
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to stop.

        `attempt` counts the attempts made so far (1 after the first); exactly one
        of `status_code` and `failure` describes how the last one ended.

        The wait is exponential backoff with full jitter, ``random() * min(cap,
        base * 2 ** (attempt - 1))``: spreading retries uniformly keeps the tasks
        of one client (or many clients) from retrying in lockstep (AWS
        Architecture Blog, "Exponential Backoff and Jitter"). A `retry_after`
        (seconds, already capped by the caller) is a floor: the server's word wins
        when it asks for longer. `elapsed` is the time since the first attempt.
        """
        if attempt < 1:
            raise ValueError(f"attempt counts attempts made, so it is >= 1, got {attempt}")
        if not is_retryable(method, status_code=status_code, failure=failure):
            return None
        if attempt > self.max_retries:
            return None
        # Past 2**64 the cap has long won; the bound keeps the float finite.
        step = min(self.backoff_cap, self.backoff_base * 2.0 ** min(attempt - 1, 64))
        wait = random() * step
        if retry_after is not None:
            wait = max(wait, retry_after)
        if self.deadline is not None and elapsed + wait > self.deadline:
            return None
        return wait


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds (>= 0): delta-seconds or an HTTP-date (RFC 9110 §10.2.3).

    None when the header is absent or unparseable, so that a garbled header
    falls back to the backoff rather than failing the request.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP-dates are always GMT
        when = when.replace(tzinfo=timezone.utc)
    now = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())
