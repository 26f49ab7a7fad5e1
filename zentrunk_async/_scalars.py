"""The scalar structure hooks of the wire format: str, bool, int, float, Decimal, datetime.

Lenient (production) hooks also take what a producer plausibly sends
instead; strict ones (tests) only the JSON type. Every hook raises
``TypeError`` or ``ValueError`` on a value it cannot read, which the
transport turns into ``ResponseDecodeError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["scalar_hooks", "type_error"]

_Hook = Callable[[Any, Any], Any]
_UTC = timezone.utc


def type_error(expected: str, value: object) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__}: {value!r:.80}")


def scalar_hooks(strict: bool) -> dict[type, _Hook]:
    """Scalar hooks that also serve ``T | None``: cattrs passes the field type.

    That saves the call an Optional wrapper costs on each of a CDR's 21
    optional fields. Lenient hooks also take what a producer plausibly sends
    instead (a numeric id as a number, "true"); strict ones only the JSON type.
    """

    bool_words = {"true": True, "false": False}

    def to_str(value: Any, type_: Any) -> str | None:
        if type(value) is str or (value is None and type_ is not str):
            return value
        if not strict and type(value) is int:  # trunk_id is a numeric string (§2.4)
            return str(value)
        raise type_error("a string", value)

    def to_bool(value: Any, type_: Any) -> bool | None:
        if value is True or value is False or (value is None and type_ is not bool):
            return value
        # cattrs' default is bool(value), and bool("false") is True.
        if not strict and type(value) is str and value.lower() in bool_words:
            return bool_words[value.lower()]
        raise type_error("a boolean", value)

    def to_int(value: Any, type_: Any) -> int | None:
        if type(value) is int or (value is None and type_ is not int):
            return value
        if not strict and type(value) is str:
            return int(value)
        raise type_error("an integer", value)

    def to_float(value: Any, type_: Any) -> float | None:
        if value is None and type_ is not float:
            return value
        if type(value) is float:
            number = value
        elif type(value) is int or type(value) is str:  # Insights metrics are strings (§8)
            number = float(value)  # OverflowError for a huge int: the transport maps it
        else:
            raise type_error("a number or numeric string", value)
        if not math.isfinite(number):  # "nan" would poison every mean computed from it
            raise ValueError(f"not a finite number: {value!r:.80}")
        return number

    def to_decimal(value: Any, type_: Any) -> Decimal | None:
        if type(value) is str:
            text = value
        elif value is None and type_ is not Decimal:
            return None
        elif not strict and type(value) in (int, float):
            text = repr(value)  # the shortest repr, not the binary expansion
        else:
            raise type_error("a money string", value)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {value!r:.80}") from None
        if not amount.is_finite():
            raise ValueError(f"not a finite amount: {value!r:.80}")
        return amount

    def to_time(value: Any, type_: Any) -> datetime | None:
        if type(value) is str:
            # Python 3.10's fromisoformat does not know "Z" (trunk times, §3.4).
            text = value[:-1] if value.endswith(("Z", "z")) else value
            try:
                # CDR times are UTC without offset (§2.4): adding one beats replace().
                return datetime.fromisoformat(text + "+00:00")
            except ValueError:
                parsed = datetime.fromisoformat(value)  # it has its own offset
        elif isinstance(value, datetime):
            parsed = value
        elif value is None and type_ is not datetime:
            return None
        else:
            raise type_error("a timestamp string", value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=_UTC)
        return parsed.astimezone(_UTC)

    hooks = (to_str, to_bool, to_int, to_float, to_decimal, to_time)
    return dict(zip((str, bool, int, float, Decimal, datetime), hooks, strict=True))
