"""The lenient converter's straight-line record hooks answer exactly as cattrs' generated ones.

`zentrunk_async._straight` skips the field hooks' calls that would return a
value unchanged. Whatever a body holds (every field of every record given a
plausible, wrong-typed, unparsable or absent value, unknown keys beside),
both converters must give equal records (same reprs: member identity,
Decimal digits, time zones) or raise the same error with the same message.
"""

from __future__ import annotations

import linecache
import types
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_bodies import PROD_CDR

from zentrunk_async import _models
from zentrunk_async._convert import DECODE_ERRORS, _is_record, converter, make_converter
from zentrunk_async._models import CallRecord, Page
from zentrunk_async._models.common import WireEnum

GENERIC = make_converter(straight=False)
RECORDS = sorted(
    (cls for cls in vars(_models).values() if isinstance(cls, type) and _is_record(cls)),
    key=lambda cls: cls.__name__,
)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)

TIMES = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.none()
)
OFFSETS = st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))


def _time_text() -> st.SearchStrategy[Any]:
    plain = TIMES.map(lambda t: t.isoformat(" "))
    return st.one_of(
        plain,  # the CDR form
        TIMES.map(lambda t: t.isoformat() + "Z"),  # trunk times
        TIMES.map(lambda t: t.isoformat()[:-3] + "z"),
        st.tuples(TIMES, OFFSETS).map(lambda p: p[0].replace(tzinfo=timezone(p[1])).isoformat()),
        plain.map(lambda text: text[: len(text) // 2]),  # cut short
        st.sampled_from(["", "Z", "+00:00", "2026-13-01 00:00:00", "2026-01-01T00:00:00+25:00"]),
        st.datetimes(timezones=st.just(timezone.utc)),  # already a datetime
    )


def _plain(type_: Any, depth: int) -> st.SearchStrategy[Any]:
    """Values a producer plausibly sends for `type_`, right or slightly wrong."""
    if type_ is str:
        return st.text(max_size=6) | st.integers()
    if type_ is int:
        return st.integers() | st.from_regex(r"\A-?[0-9]{1,4}\Z") | st.booleans()
    if type_ is bool:
        return st.booleans() | st.sampled_from(["true", "FALSE", "yes", 1, 0])
    if type_ is float:
        return st.floats(allow_nan=True, allow_infinity=True) | st.from_regex(r"\A[0-9.e+-]{1,6}\Z")
    if type_ is Decimal:
        return (
            st.decimals(allow_nan=True, allow_infinity=True).map(str)
            | st.sampled_from(["0.00280", "abc", "1e999999999", "sNaN", "", " 1 "])
            | st.integers()
            | st.floats()
        )
    if type_ is datetime:
        return _time_text()
    if isinstance(type_, type) and issubclass(type_, WireEnum):
        return st.sampled_from([member.value for member in type_]) | st.text(max_size=5)
    if isinstance(type_, type) and _is_record(type_):
        return _body(type_, depth + 1) if depth < 2 else st.just({})
    if get_origin(type_) is list:
        return st.lists(_plain(get_args(type_)[0], depth), max_size=3) | st.text(max_size=3)
    raise AssertionError(f"no strategy for {type_!r}")


def _field_value(type_: Any, depth: int) -> st.SearchStrategy[Any]:
    args = get_args(type_)
    if get_origin(type_) in (Union, types.UnionType) and type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return st.none() | _plain(inner, depth)
    return _plain(type_, depth)


_ABSENT = object()


@st.composite
def _body_of(draw: st.DrawFn, cls: type, depth: int) -> Any:
    body: dict[str, Any] = {}
    for field in attrs.fields(attrs.resolve_types(cls)):
        if field.name == "extra":
            continue
        key = "from" if field.name == "from_" else field.name
        value = draw(
            st.one_of(
                _field_value(field.type, depth),
                st.just(_ABSENT),
                JSON,
            )
            if draw(st.integers(0, 9)) == 0
            else _field_value(field.type, depth)
        )
        if value is not _ABSENT:
            body[key] = value
    body.update(draw(st.dictionaries(st.sampled_from(["x", "new_field", "call_uuid2"]), JSON)))
    if draw(st.integers(0, 19)) == 0:
        return draw(JSON)  # not an object at all
    return body


def _body(cls: type, depth: int = 0) -> st.SearchStrategy[Any]:
    return _body_of(cls, depth)


def _outcome(conv: Any, body: Any, type_: Any) -> tuple[str, str]:
    try:
        record = conv.structure(body, type_)
    except DECODE_ERRORS as exc:
        return type(exc).__name__, str(exc)
    return "ok", repr(_deep(record))


def _deep(value: Any) -> Any:
    """Everything a record holds, extra and member types included, as plain data."""
    if attrs.has(type(value)):
        return (
            type(value).__name__,
            {f.name: _deep(getattr(value, f.name)) for f in attrs.fields(type(value))},
        )
    if isinstance(value, WireEnum):
        return (type(value).__name__, value.value, value.known)
    if isinstance(value, list):
        return [_deep(item) for item in value]
    if isinstance(value, datetime):
        return (value.isoformat(), value.tzinfo)
    return value


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_straight_hooks_answer_as_cattrs_generated_ones(cls: type, data: st.DataObject) -> None:
    body = data.draw(_body(cls))
    assert _outcome(converter, body, cls) == _outcome(GENERIC, body, cls)


def test_the_production_converter_runs_the_straight_hooks() -> None:
    """Otherwise the test above compares cattrs with itself."""
    hook = converter.get_structure_hook(CallRecord)
    assert "straight" in hook.__code__.co_filename
    assert "straight" not in GENERIC.get_structure_hook(CallRecord).__code__.co_filename
    assert linecache.getlines(hook.__code__.co_filename)  # tracebacks show its source


def test_a_cdr_page_decodes_the_same() -> None:
    body = {
        "api_id": "a",
        "meta": {"limit": 20, "offset": 0, "total_count": 2, "next": None, "previous": None},
        "objects": [PROD_CDR, {**PROD_CDR, "hangup_source": "a new one", "new_field": 1}],
    }
    page = converter.structure(body, Page[CallRecord])
    assert _deep(page) == _deep(GENERIC.structure(body, Page[CallRecord]))
    assert page.objects[1].extra == {"new_field": 1}
    assert not page.objects[1].hangup_source.known
