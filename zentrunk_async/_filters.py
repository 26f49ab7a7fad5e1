"""The CDR list's filters, declared once: `calls.list`, `calls.export` and the CLI read them here.

`ExportFilters` holds the filters an export accepts (all but the end_time
ones, which its span replaces); `CallFilters` adds those five. Each field's
type says how it is checked and sent: a phone number (digits, no '+'), an
enumerated value, a non-negative count, or a time (an aware datetime, or a
string already in the API's ``YYYY-MM-DD HH:MM[:SS]`` UTC form). The help
text rides along in ``Annotated`` so that a command line can build its
options from the same table (`FILTERS`). `None` means "not given", as the
keyword arguments' defaults always did.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypedDict

import attrs

from . import _validate as validate
from ._errors import InvalidArgumentError
from ._models import CallDirection, HangupSource, StirVerification, coerce_enum

#: The API refuses an end_time range wider than this (zentrunk-api.md §7.3).
MAX_WINDOW = timedelta(days=90)

TimeFilter = datetime | str


class ExportFilters(TypedDict, total=False):
    """Filters of `calls.export` (and of `calls.list`, which adds the end_time ones)."""

    from_number: Annotated[str | None, "calls from numbers starting with these digits"]
    to_number: Annotated[str | None, "calls to numbers starting with these digits"]
    call_direction: Annotated[CallDirection | str | None, "inbound or outbound"]
    bill_duration: Annotated[int | None, "billed seconds equal to"]
    bill_duration__gt: Annotated[int | None, "billed seconds greater than"]
    bill_duration__gte: Annotated[int | None, "billed seconds at least"]
    bill_duration__lt: Annotated[int | None, "billed seconds less than"]
    bill_duration__lte: Annotated[int | None, "billed seconds at most"]
    hangup_cause_code: Annotated[int | None, "the hangup cause code"]
    hangup_source: Annotated[HangupSource | str | None, "customer, carrier or zentrunk"]
    stir_verification: Annotated[StirVerification | str | None, "STIR/SHAKEN verification result"]


class CallFilters(ExportFilters, total=False):
    """Filters of `calls.list`: the export's, plus end_time bounds."""

    end_time: Annotated[TimeFilter | None, "calls that ended at this moment"]
    end_time__gt: Annotated[TimeFilter | None, "calls that ended after"]
    end_time__gte: Annotated[TimeFilter | None, "calls that ended at or after"]
    end_time__lt: Annotated[TimeFilter | None, "calls that ended before"]
    end_time__lte: Annotated[TimeFilter | None, "calls that ended at or before"]


Kind = Literal["number", "choice", "count", "time"]


@attrs.frozen
class Filter:
    """One filter as a command line or a form needs it: name, how it is checked, help."""

    name: str
    kind: Kind
    help: str
    #: The enum of a "choice" filter (its values are the accepted strings).
    choices: type[enum.Enum] | None = None


def _table(declared: type) -> tuple[Filter, ...]:
    filters = []
    for name, hint in typing.get_type_hints(declared, include_extras=True).items():
        base, text = typing.get_args(hint)
        members = typing.get_args(base) or (base,)
        enums = [m for m in members if isinstance(m, type) and issubclass(m, enum.Enum)]
        kind: Kind
        if enums:
            kind = "choice"
        elif datetime in members:
            kind = "time"
        elif int in members:
            kind = "count"
        else:
            kind = "number"
        filters.append(Filter(name, kind, text, enums[0] if enums else None))
    return tuple(filters)


#: Every CDR list filter, in declaration order.
FILTERS: tuple[Filter, ...] = _table(CallFilters)
#: The filters an export takes (no end_time: the span replaces them).
EXPORT_FILTERS: tuple[Filter, ...] = _table(ExportFilters)

_BY_NAME = {f.name: f for f in FILTERS}


def call_query(
    filters: Mapping[str, object], *, allowed: tuple[Filter, ...] = FILTERS
) -> dict[str, str]:
    """The CDR list query for `filters`, checked against the API's rules before anything is sent.

    A name that is not a filter (``call_directon=``) is refused with the list
    of valid ones; `None` values mean "not given".
    """
    names = {f.name for f in allowed}
    unknown = sorted(set(filters) - names)
    if unknown:
        raise InvalidArgumentError(
            f"unknown call filter(s) {', '.join(unknown)}; valid filters: "
            + ", ".join(f.name for f in allowed)
        )
    query: dict[str, str] = {}
    for name, value in filters.items():
        if value is not None:
            query[name] = _wire(_BY_NAME[name], value)
    _check_time_window(query)
    return query


def _wire(spec: Filter, value: Any) -> str:  # Any: each validator checks the type itself
    if spec.kind == "number":
        # The API matches digits only: a '+' would silently match nothing.
        return validate.phone_number(value, field=spec.name)
    if spec.kind == "choice":
        assert spec.choices is not None
        return str(coerce_enum(spec.choices, value, field=spec.name).value)
    if spec.kind == "count":
        return str(validate.non_negative_int(value, field=spec.name))
    return validate.api_time(value, field=spec.name)


def _check_time_window(query: dict[str, str]) -> None:
    lower = query.get("end_time__gte") or query.get("end_time__gt")
    upper = query.get("end_time__lte") or query.get("end_time__lt")
    if upper is not None and lower is None:
        # The live API answers 400 to an upper bound alone (zentrunk-api.md §7.3).
        raise InvalidArgumentError(
            "an end_time upper bound (end_time__lt/__lte) needs a lower bound "
            "(end_time__gt/__gte) too"
        )
    if lower is not None and upper is not None:
        start, end = datetime.fromisoformat(lower), datetime.fromisoformat(upper)
        if end < start:
            raise InvalidArgumentError(f"end_time range is empty: {lower} is after {upper}")
        if end - start > MAX_WINDOW:
            raise InvalidArgumentError(
                f"end_time range {lower} .. {upper} exceeds the API's 90 days; "
                "use calls.export() for longer spans"
            )
