"""The CDR list's query string turned into a window and a predicate (zentrunk-api.md §7.3).

Every rule here is one the live API enforces or one its docs state:
90-day retention, a 30-day default window, ranges of at most 90 days, no
upper bound without a lower bound (observed for ``__lte``; applied to
``__lt`` as well), 400 for empty values, number filters matching digits
without ``+`` by prefix.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, NamedTuple

from ._calls import Predicate, Window
from ._cdrs import DIRECTIONS, HANGUPS, STIR, Core
from ._validate import bad

DAY = 86400
RETENTION_SECONDS = 90 * DAY
DEFAULT_WINDOW_SECONDS = 30 * DAY
MAX_RANGE_SECONDS = 90 * DAY
MAX_LIMIT = 20

_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")
_TIME_KEYS = ("end_time", "end_time__gt", "end_time__gte", "end_time__lt", "end_time__lte")
_INT_KEYS = (
    "bill_duration",
    "bill_duration__gt",
    "bill_duration__gte",
    "bill_duration__lt",
    "bill_duration__lte",
    "hangup_cause_code",
)
_CHOICES = {
    "call_direction": DIRECTIONS,
    "hangup_source": ("customer", "carrier", "zentrunk"),
    "stir_verification": STIR,
}
_NUMBER_KEYS = ("from_number", "to_number")
KNOWN = frozenset((*_TIME_KEYS, *_INT_KEYS, *_CHOICES, *_NUMBER_KEYS, "limit", "offset"))


class CallQuery(NamedTuple):
    window: Window
    #: Canonical non-time filters: the scan-cache key.
    filters: tuple[tuple[str, Any], ...]
    predicate: Predicate | None
    limit: int
    offset: int


def _int(key: str, raw: str, minimum: int | None = None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise bad(f"{key} must be an integer") from None
    if minimum is not None and value < minimum:
        raise bad(f"{key} must be >= {minimum}")
    return value


def parse_time(key: str, raw: str) -> float:
    """``YYYY-MM-DD HH:MM[:SS[.ffffff]]`` in UTC, as epoch seconds."""
    epoch = _epoch(raw)
    if epoch is None:
        raise bad(f"{key} must be formatted YYYY-MM-DD HH:MM[:SS[.ffffff]] (UTC)")
    return epoch


@lru_cache(maxsize=256)
def _epoch(raw: str) -> float | None:
    # Cached: a pull sends the same window bounds with every page, and strptime is slow.
    for fmt in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=timezone.utc).timestamp()
    return None


def page_args(params: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """``limit`` 1-20 (default 20) and ``offset`` >= 0 (default 0), shared by every list."""
    limit, offset = MAX_LIMIT, 0
    for key, raw in params:
        if key == "limit":
            if raw == "":
                raise bad("limit must not be empty")
            limit = _int(key, raw)
            if not 1 <= limit <= MAX_LIMIT:
                raise bad(f"limit must be between 1 and {MAX_LIMIT}")
        elif key == "offset":
            if raw == "":
                raise bad("offset must not be empty")
            offset = _int(key, raw, minimum=0)
    return limit, offset


def _window(times: dict[str, float], now: float) -> Window:
    lowers = [math.ceil(times[k]) for k in ("end_time__gte", "end_time") if k in times]
    lowers += [math.floor(times["end_time__gt"]) + 1] if "end_time__gt" in times else []
    uppers = [math.floor(times[k]) for k in ("end_time__lte", "end_time") if k in times]
    uppers += [math.ceil(times["end_time__lt"]) - 1] if "end_time__lt" in times else []
    floor = math.ceil(now - RETENTION_SECONDS)
    if not times:
        return Window(math.ceil(now - DEFAULT_WINDOW_SECONDS), math.floor(now))
    has_lower = any(k in times for k in ("end_time__gt", "end_time__gte"))
    has_upper = any(k in times for k in ("end_time__lt", "end_time__lte"))
    if has_upper and not has_lower:
        raise bad("end_time__lte and end_time__lt need end_time__gte or end_time__gt")
    if has_lower and has_upper:
        span = min(times.get("end_time__lt", math.inf), times.get("end_time__lte", math.inf)) - max(
            times.get("end_time__gt", -math.inf), times.get("end_time__gte", -math.inf)
        )
        if span > MAX_RANGE_SECONDS:
            raise bad("end_time range must not exceed 90 days")
    upper = min(uppers) if uppers else math.floor(now)
    # Only the last 90 days are retrievable: older bounds are clipped, not refused.
    return Window(max(max(lowers), floor), upper)


_BILL_OPS: dict[str, Callable[[int, int], bool]] = {
    "bill_duration": operator.eq,
    "bill_duration__gt": operator.gt,
    "bill_duration__gte": operator.ge,
    "bill_duration__lt": operator.lt,
    "bill_duration__lte": operator.le,
}


def _predicate(filters: list[tuple[str, Any]]) -> Predicate | None:
    """One closure over plain values: a scan of a million records calls it a million times."""
    if not filters:
        return None
    values = dict(filters)
    from_prefix: str | None = values.get("from_number")
    to_prefix: str | None = values.get("to_number")
    direction = DIRECTIONS.index(values["call_direction"]) if "call_direction" in values else None
    stir = STIR.index(values["stir_verification"]) if "stir_verification" in values else None
    source: str | None = values.get("hangup_source")
    code: int | None = values.get("hangup_cause_code")
    bills = [(_BILL_OPS[key], value) for key, value in filters if key in _BILL_OPS]

    def match(c: Core) -> bool:
        # Records hold digits only, so a "+" prefix matches nothing, as on the live API.
        if from_prefix is not None and not c.from_number.startswith(from_prefix):
            return False
        if to_prefix is not None and not c.to_number.startswith(to_prefix):
            return False
        if direction is not None and c.direction != direction:
            return False
        if stir is not None and c.stir != stir:
            return False
        if source is not None and HANGUPS[c.hangup].source != source:
            return False
        if code is not None and HANGUPS[c.hangup].code != code:
            return False
        return all(op(c.bill_duration, value) for op, value in bills)

    return match


def parse_call_query(params: list[tuple[str, str]], now: float) -> CallQuery:
    """Validate the whole query string first, so every bad request is a 400, never a 500."""
    limit, offset = page_args(params)
    times: dict[str, float] = {}
    filters: list[tuple[str, Any]] = []
    for key, raw in params:
        if key not in KNOWN or key in ("limit", "offset"):
            continue  # unknown parameters are ignored, as Plivo's APIs do
        if raw == "":
            raise bad(f"{key} must not be empty")
        if key in _TIME_KEYS:
            times[key] = parse_time(key, raw)
        elif key in _INT_KEYS:
            filters.append((key, _int(key, raw, minimum=0)))
        elif key in _CHOICES:
            if raw not in _CHOICES[key]:
                raise bad(f"invalid {key}: must be one of {', '.join(_CHOICES[key])}")
            filters.append((key, raw))
        else:
            filters.append((key, raw))  # a "+" is no error: it just matches nothing
    canonical = tuple(sorted(set(filters)))
    return CallQuery(_window(times, now), canonical, _predicate(list(canonical)), limit, offset)
