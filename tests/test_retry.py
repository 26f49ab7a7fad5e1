"""Retry policy: which (method, outcome) is retried, full-jitter backoff, Retry-After, deadline."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zentrunk_async._config import DEFAULT_MAX_RETRIES
from zentrunk_async._retry import (
    Failure,
    RetryPolicy,
    classify_httpx_error,
    is_retryable,
    parse_retry_after,
)

CONNECT, TIMEOUT, DISCONNECT = Failure.CONNECT, Failure.TIMEOUT, Failure.DISCONNECT

#: Every outcome the table below decides on.
OUTCOMES: list[int | Failure] = [
    *(400, 401, 403, 404, 405, 409, 422),
    *(408, 429),
    *(500, 501, 502, 503, 504, 599),
    *(CONNECT, TIMEOUT, DISCONNECT),
]

#: Reads and deletes: retried on 408, 429, any 5xx and any connection failure or timeout.
IDEMPOTENT = ["GET", "DELETE", "HEAD", "OPTIONS", "get"]
RETRIED_FOR_IDEMPOTENT = {408, 429, 500, 501, 502, 503, 504, 599, CONNECT, TIMEOUT, DISCONNECT}

#: Writes: retried only when the server provably did not act.
WRITES = ["POST", "PUT", "PATCH", "post"]
RETRIED_FOR_WRITES = {429, CONNECT}

TABLE = [
    (method, outcome, outcome in RETRIED_FOR_IDEMPOTENT)
    for method in IDEMPOTENT
    for outcome in OUTCOMES
] + [(method, outcome, outcome in RETRIED_FOR_WRITES) for method in WRITES for outcome in OUTCOMES]


def _outcome(outcome: int | Failure) -> dict[str, Any]:
    if isinstance(outcome, Failure):
        return {"failure": outcome}
    return {"status_code": outcome}


@pytest.mark.parametrize(("method", "outcome", "retried"), TABLE)
def test_retry_rules_by_method_and_outcome(
    method: str, outcome: int | Failure, retried: bool
) -> None:
    """GET/DELETE retry 408, 429, 5xx and failures; writes retry only 429 and CONNECT."""
    delay = RetryPolicy().delay(method=method, attempt=1, random=lambda: 0.5, **_outcome(outcome))
    assert (delay is not None) is retried
    assert is_retryable(method, **_outcome(outcome)) is retried


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (httpx.ConnectError("refused"), CONNECT),
        (httpx.ConnectTimeout("slow"), CONNECT),
        (httpx.PoolTimeout("pool full"), CONNECT),
        (httpx.ReadTimeout("slow"), TIMEOUT),
        (httpx.WriteTimeout("slow"), TIMEOUT),
        (httpx.ReadError("reset"), DISCONNECT),
        (httpx.WriteError("broken pipe"), DISCONNECT),
        (httpx.RemoteProtocolError("garbage"), DISCONNECT),
        (httpx.ProxyError("proxy"), DISCONNECT),
        (httpx.UnsupportedProtocol("gopher"), DISCONNECT),
    ],
)
def test_classify_httpx_error_tells_not_sent_from_maybe_acted(
    exc: Exception, failure: Failure
) -> None:
    """Only failures before the request left (connect, pool) count as provably not sent."""
    assert classify_httpx_error(exc) is failure


@pytest.mark.parametrize("max_retries", [0, 1, 3, 5])
def test_retry_stops_after_max_retries(max_retries: int) -> None:
    """`max_retries` attempts after the first are allowed, then the policy says stop."""
    policy = RetryPolicy(max_retries=max_retries)
    delays = [
        policy.delay(method="GET", attempt=attempt, status_code=503)
        for attempt in range(1, max_retries + 3)
    ]
    assert [d is not None for d in delays] == [True] * max_retries + [False, False]


def test_retry_default_max_retries_is_the_config_default() -> None:
    """The policy's default count is `DEFAULT_MAX_RETRIES`, documented in _config."""
    assert RetryPolicy().max_retries == DEFAULT_MAX_RETRIES


@pytest.mark.parametrize("attempt", range(1, 9))
def test_retry_full_jitter_bounds(attempt: int) -> None:
    """The wait spans [0, min(cap, base * 2**(attempt-1))): random=0 gives 0, random->1 the step."""
    policy = RetryPolicy(max_retries=10, backoff_base=0.5, backoff_cap=8.0)
    step = min(8.0, 0.5 * 2 ** (attempt - 1))
    low = policy.delay(method="GET", attempt=attempt, status_code=500, random=lambda: 0.0)
    high = policy.delay(method="GET", attempt=attempt, status_code=500, random=lambda: 1 - 1e-12)
    assert low == 0.0
    assert high == pytest.approx(step)
    assert [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0][attempt - 1] == step


@given(attempt=st.integers(1, 10_000), u=st.floats(0, 1, exclude_max=True))
def test_retry_jitter_never_exceeds_the_cap(attempt: int, u: float) -> None:
    """However many attempts, the wait stays within [0, cap]."""
    policy = RetryPolicy(max_retries=10_000)
    delay = policy.delay(method="GET", attempt=attempt, failure=TIMEOUT, random=lambda: u)
    assert delay is not None
    assert 0.0 <= delay <= policy.backoff_cap


@pytest.mark.parametrize(
    ("retry_after", "jitter", "expected"),
    [(5.0, 1.0, 5.0), (0.1, 0.4, 0.4), (None, 0.4, 0.4), (0.0, 0.3, 0.3)],
)
def test_retry_after_is_a_floor_on_the_wait(
    retry_after: float | None, jitter: float, expected: float
) -> None:
    """The server's Retry-After wins when it asks for longer than the jittered backoff."""
    policy = RetryPolicy(backoff_base=1.0)  # attempt 1: step 1.0, so the wait is `jitter`
    delay = policy.delay(
        method="POST", attempt=1, status_code=429, retry_after=retry_after, random=lambda: jitter
    )
    assert delay == pytest.approx(expected)


@pytest.mark.parametrize(
    ("elapsed", "retry_after", "stops"),
    [(0.0, None, False), (9.0, None, False), (9.5, None, True), (2.0, 9.0, True)],
)
def test_retry_deadline_is_never_passed(
    elapsed: float, retry_after: float | None, stops: bool
) -> None:
    """With a deadline, a wait that would end past it is not taken: the policy stops."""
    policy = RetryPolicy(deadline=10.0, backoff_base=1.0)  # attempt 1, random 0.9 -> 0.9 s
    delay = policy.delay(
        method="GET",
        attempt=1,
        status_code=429,
        retry_after=retry_after,
        elapsed=elapsed,
        random=lambda: 0.9,
    )
    assert (delay is None) is stops


@given(
    elapsed=st.floats(0, 20),
    attempt=st.integers(1, 6),
    u=st.floats(0, 1, exclude_max=True),
    retry_after=st.none() | st.floats(0, 30),
)
def test_retry_deadline_property(
    elapsed: float, attempt: int, u: float, retry_after: float | None
) -> None:
    """Whatever the wait, elapsed + wait never passes the deadline."""
    policy = RetryPolicy(max_retries=6, deadline=10.0)
    delay = policy.delay(
        method="GET",
        attempt=attempt,
        status_code=503,
        retry_after=retry_after,
        elapsed=elapsed,
        random=lambda: u,
    )
    assert delay is None or elapsed + delay <= 10.0


def test_retry_delay_needs_exactly_one_outcome() -> None:
    """Either a status code or a failure describes the last attempt, never both or neither."""
    with pytest.raises(TypeError):
        RetryPolicy().delay(method="GET", attempt=1)
    with pytest.raises(TypeError):
        RetryPolicy().delay(method="GET", attempt=1, status_code=500, failure=CONNECT)
    with pytest.raises(ValueError, match="attempt"):
        RetryPolicy().delay(method="GET", attempt=0, status_code=500)


@pytest.mark.parametrize(
    "changes",
    [
        {"max_retries": -1},
        {"backoff_base": -0.1},
        {"backoff_cap": math.inf},
        {"deadline": 0.0},
        {"deadline": math.nan},
    ],
)
def test_retry_policy_rejects_bad_values(changes: dict[str, Any]) -> None:
    """Counts are >= 0, durations finite and >= 0, a deadline positive."""
    with pytest.raises(ValueError):  # noqa: PT011
        attrs.evolve(RetryPolicy(), **changes)


NOW = datetime(2015, 10, 21, 7, 27, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:26:00 GMT", 0.0),  # in the past: go now
        ("Wednesday, 21-Oct-15 07:28:30 GMT", 90.0),  # RFC 850, still allowed by RFC 9110
        ("Wed Oct 21 07:27:05 2015", 5.0),  # asctime
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1e3", None),
        ("inf", None),
        ("nan", None),
        ("Wed, 99 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_parse_retry_after_both_forms_and_garbage(
    header: str | None, seconds: float | None
) -> None:
    """delta-seconds and HTTP-dates become seconds from now; anything else is None."""
    assert parse_retry_after(header, now=NOW) == seconds


def test_parse_retry_after_uses_the_current_time() -> None:
    """Without `now`, an HTTP-date is measured from the current UTC time."""
    soon = datetime.now(timezone.utc) + timedelta(seconds=30)
    header = soon.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(header) == pytest.approx(30, abs=2)
