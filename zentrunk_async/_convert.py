"""The one cattrs converter: every wire-format rule of the records lives here.

Records stay dumb attrs classes; this module decides how JSON becomes them and
back (style habit 3). Two flavours come from :func:`make_converter`:

- lenient (production, the module-level ``converter``): no detailed
  validation (it costs about a third of CDR decode time, performance-lab.md
  §3), unknown keys kept in the record's ``extra``, unknown enum values kept
  as plain strings — a field Plivo adds tomorrow must not break decoding;
- strict (tests): detailed validation, and unknown keys or enum values raise,
  so the emulator and fixtures cannot drift from the records unnoticed.

Wire formats (reference §2.4): CDR times ``YYYY-MM-DD HH:MM:SS[.ffffff]`` UTC,
trunk times ISO-8601 with ``Z``, money as strings with 5 decimals, Insights
metrics as numeric strings. ``unstructure`` writes that format back, so
``unstructure(structure(body)) == body`` for the API's bodies; bulk exports
write their JSONL from it.

A body of the wrong shape makes the lenient converter raise one of
:data:`DECODE_ERRORS`; the transport catches that tuple and raises
``ResponseDecodeError``.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._models import CallInsights, CallRecord, ListMeta, OriginationURI, Page, Trunk

__all__ = ["DECODE_ERRORS", "converter", "make_converter", "structure_page"]

T = TypeVar("T")

DECODE_ERRORS: tuple[type[Exception], ...] = (
    cattrs.BaseValidationError,  # strict converter (detailed validation)
    cattrs.ForbiddenExtraKeysError,  # strict converter, unknown key
    KeyError,  # a required field is missing
    TypeError,  # wrong JSON type: not an object, string instead of list, ...
    ValueError,  # unparsable time, number or money; unknown enum value (strict)
)
"""Everything structuring a malformed body raises; the transport maps it to ResponseDecodeError."""

_UTC = timezone.utc

# Python keywords that the API uses as keys (Insights ``from``, §8).
_WIRE_NAMES = {"from_": "from"}

# Records whose times use the CDR format; every other record uses ISO-8601 Z.
_SPACE_TIMES: frozenset[type] = frozenset({CallRecord})

# Undocumented fields the documented bodies lack: leaving them out when None
# lets those bodies round-trip. CDRs always write every column instead, so a
# JSONL export keeps one schema.
_OMIT_IF_NONE: dict[type, frozenset[str]] = {
    Trunk: frozenset({"created_at", "updated_at"}),
    OriginationURI: frozenset({"sip_user"}),
}

# Insights metrics the API sends as numeric strings (§8); written back as such.
_STRING_METRICS: dict[type, frozenset[str]] = {
    CallInsights: frozenset({"rtt", "jitter", "packet_loss", "plivo_quality_score"}),
}

# Item GETs that the live API wraps as {"api_id": ..., "object": {...}} (§3.4).
_WRAPPED: frozenset[type] = frozenset({Trunk})


def _type_error(expected: str, value: object) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__}: {value!r:.80}")


# --- scalars -----------------------------------------------------------------


def _structure_time(value: Any, _: Any) -> datetime:
    if isinstance(value, str):
        # Python 3.10's fromisoformat does not know "Z" (§3.4 trunk times).
        if value.endswith(("Z", "z")):
            value = value[:-1] + "+00:00"
        parsed = datetime.fromisoformat(value)
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise _type_error("a timestamp string", value)
    # CDR times carry no offset but are UTC (§2.4).
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC)


def _naive_utc(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(_UTC).replace(tzinfo=None)


def _cdr_time(value: datetime | None) -> str | None:
    return None if value is None else _naive_utc(value).isoformat(" ")


def _iso_z_time(value: datetime | None) -> str | None:
    return None if value is None else _naive_utc(value).isoformat() + "Z"


def _structure_decimal(value: Any, _: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)  # the shortest repr, not the binary expansion
    elif not isinstance(value, str) and (type(value) is not int):
        raise _type_error("a money string", value)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r:.80}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r:.80}")
    return amount


def _unstructure_decimal(value: Decimal) -> str:
    # "f" keeps the API's trailing zeros ("0.00280") and never uses exponents.
    return format(value, "f")


def _structure_float(value: Any, _: Any) -> float:
    if type(value) is float or type(value) is int:
        return float(value)
    if isinstance(value, str):
        return float(value)
    raise _type_error("a number or numeric string", value)


def _metric_string(value: float | None) -> str | None:
    if value is None:
        return None
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _structure_str_lenient(value: Any, _: Any) -> str:
    if type(value) is str:
        return value
    # A numeric id sent as a JSON number (trunk_id is a numeric string) is
    # still that id; anything else (null, object, list) is a broken body.
    if type(value) is int:
        return str(value)
    raise _type_error("a string", value)


def _structure_str_strict(value: Any, _: Any) -> str:
    if type(value) is str:
        return value
    raise _type_error("a string", value)


_BOOL_WORDS = {"true": True, "false": False}


def _structure_bool_lenient(value: Any, _: Any) -> bool:
    if value is True or value is False:
        return value
    # bool("false") is True: cattrs' default would invert such a flag.
    if isinstance(value, str) and value.lower() in _BOOL_WORDS:
        return _BOOL_WORDS[value.lower()]
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise _type_error("a boolean", value)


def _structure_bool_strict(value: Any, _: Any) -> bool:
    if value is True or value is False:
        return value
    raise _type_error("a boolean", value)


def _structure_int_strict(value: Any, _: Any) -> int:
    if type(value) is int:
        return value
    raise _type_error("an integer", value)


# --- Enum | str unions -------------------------------------------------------


def _enum_of_union(type_: Any) -> tuple[type[Enum], bool] | None:
    """(enum class, accepts None) for ``E | str`` and ``E | str | None``, else None."""
    if get_origin(type_) not in (Union, types.UnionType):
        return None
    args = get_args(type_)
    rest = [arg for arg in args if arg is not type(None)]
    if len(rest) != 2 or str not in rest:
        return None
    other = rest[0] if rest[1] is str else rest[1]
    if isinstance(other, type) and issubclass(other, Enum):
        return other, type(None) in args
    return None


def _enum_structure_factory(strict: bool) -> Callable[[Any], Callable[[Any, Any], Any]]:
    def factory(type_: Any) -> Callable[[Any, Any], Any]:
        found = _enum_of_union(type_)
        assert found is not None
        enum_cls, nullable = found
        members: dict[object, Enum] = {member.value: member for member in enum_cls}

        def hook(value: Any, _: Any) -> Any:
            if value is None and nullable:
                return None
            if type(value) is not str:
                raise _type_error(f"a {enum_cls.__name__} string", value)
            member = members.get(value)
            if member is not None:
                return member
            if strict:
                raise ValueError(f"unknown {enum_cls.__name__} value {value!r}")
            return value  # a value Plivo added later: keep it, do not fail

        return hook

    return factory


def _unstructure_enum_or_str(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


# --- lists -------------------------------------------------------------------


def _is_list(type_: Any) -> bool:
    return get_origin(type_) is list


def _list_structure_factory(type_: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    # cattrs' own list hook iterates any iterable, so "1.2.3.4" would become
    # a list of characters; a JSON array is required.
    (item_type,) = get_args(type_)
    item = conv.get_structure_hook(item_type)

    def hook(value: Any, _: Any) -> list[Any]:
        if type(value) is not list:
            raise _type_error("a JSON array", value)
        return [item(element, item_type) for element in value]

    return hook


# --- records with ``extra`` --------------------------------------------------


def _is_record(type_: Any) -> bool:
    return (
        isinstance(type_, type)
        and attrs.has(type_)
        and not issubclass(type_, Page)
        and "extra" in attrs.fields_dict(type_)
    )


def _wire_keys(cls: type) -> dict[str, str]:
    return {
        field.name: _WIRE_NAMES.get(field.name, field.name)
        for field in attrs.fields(cls)
        if field.name != "extra"
    }


def _record_structure_factory(strict: bool) -> Callable[[Any, Any], Callable[[Any, Any], Any]]:
    def factory(cls: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
        wire = _wire_keys(cls)
        overrides: dict[str, Any] = {"extra": override(omit=True)}
        overrides.update({name: override(rename=key) for name, key in wire.items() if name != key})
        base = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=strict, **overrides)
        known = frozenset(wire.values())

        def hook(data: Any, _: Any) -> Any:
            if type(data) is not dict:
                raise _type_error(f"a JSON object for {cls.__name__}", data)
            record = base(data, cls)
            # Subset test first: no allocation for the usual, fully known body.
            if not known.issuperset(data):
                extra = {key: value for key, value in data.items() if key not in known}
                object.__setattr__(record, "extra", extra)
            return record

        if cls not in _WRAPPED:
            return hook

        def unwrap(data: Any, _: Any) -> Any:
            inner = data.get("object") if type(data) is dict else None
            # Unwrap only a pure envelope: a flat body keeps a future "object" field.
            if type(inner) is not dict or not known.isdisjoint(data):
                return hook(data, cls)
            envelope = {key: value for key, value in data.items() if key != "object"}
            if strict and envelope.keys() - {"api_id"}:
                raise ValueError(f"unknown envelope keys {sorted(envelope)} around {cls.__name__}")
            record = hook(inner, cls)
            if envelope:
                # The envelope's api_id identifies the request; keep it, as every unknown key.
                object.__setattr__(record, "extra", {**envelope, **record.extra})
            return record

        return unwrap

    return factory


def _is_optional_of(type_: Any, target: type) -> bool:
    return type_ is target or (
        get_origin(type_) in (Union, types.UnionType)
        and set(get_args(type_)) == {target, type(None)}
    )


def _record_unstructure_factory(cls: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    time_hook = _cdr_time if cls in _SPACE_TIMES else _iso_z_time
    omit = _OMIT_IF_NONE.get(cls, frozenset())
    metrics = _STRING_METRICS.get(cls, frozenset())
    overrides: dict[str, Any] = {"extra": override(omit=True)}
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        options: dict[str, Any] = {}
        if field.name in _WIRE_NAMES:
            options["rename"] = _WIRE_NAMES[field.name]
        if field.name in omit:
            options["omit_if_default"] = True
        if _is_optional_of(field.type, datetime):
            options["unstruct_hook"] = time_hook
        elif field.name in metrics:
            options["unstruct_hook"] = _metric_string
        elif _enum_of_union(field.type) is not None:
            options["unstruct_hook"] = _unstructure_enum_or_str
        if options:
            overrides[field.name] = override(**options)
    base = make_dict_unstructure_fn(cls, conv, **overrides)

    def hook(record: Any) -> dict[str, Any]:
        out = base(record)
        extra = record.extra
        # Known fields win should a caller have put one of them in extra.
        return {**extra, **out} if extra else out

    return hook


# --- pages -------------------------------------------------------------------

_PAGE_KEYS = frozenset({"api_id", "meta", "objects"})


def _is_page(type_: Any) -> bool:
    return type_ is Page or get_origin(type_) is Page


def _page_structure_factory(strict: bool) -> Callable[[Any, Any], Callable[[Any, Any], Any]]:
    def factory(type_: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
        (item_type,) = get_args(type_) or (Any,)
        item = conv.get_structure_hook(item_type)
        meta = conv.get_structure_hook(ListMeta)

        def hook(body: Any, _: Any) -> Page[Any]:
            if type(body) is not dict:
                raise _type_error("a list response object", body)
            objects = body["objects"]
            if type(objects) is not list:
                raise _type_error("a JSON array under 'objects'", objects)
            api_id = body.get("api_id")
            if api_id is not None and type(api_id) is not str:
                raise _type_error("a string api_id", api_id)
            # One comprehension over the cached item hook: no per-record dispatch.
            page: Page[Any] = Page(
                objects=[item(obj, item_type) for obj in objects],
                meta=meta(body["meta"], ListMeta),
                api_id=api_id,
            )
            if not _PAGE_KEYS.issuperset(body):
                page.extra = {key: value for key, value in body.items() if key not in _PAGE_KEYS}
                if strict:
                    raise ValueError(f"unknown keys in list response: {sorted(page.extra)}")
            return page

        return hook

    return factory


def _page_unstructure_factory(type_: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    args = get_args(type_)
    item: Callable[[Any], Any] = conv.get_unstructure_hook(args[0]) if args else conv.unstructure
    meta = conv.get_unstructure_hook(ListMeta)

    def hook(page: Page[Any]) -> dict[str, Any]:
        out = {
            "api_id": page.api_id,
            "meta": meta(page.meta),
            "objects": [item(obj) for obj in page.objects],
        }
        return {**page.extra, **out} if page.extra else out

    return hook


# --- assembly ----------------------------------------------------------------


def make_converter(*, strict: bool = False) -> cattrs.Converter:
    """Build a converter; ``strict=True`` is for tests (see the module docstring)."""
    conv = cattrs.Converter(detailed_validation=strict, forbid_extra_keys=strict)
    conv.register_structure_hook(datetime, _structure_time)
    conv.register_unstructure_hook(datetime, _iso_z_time)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Decimal, _unstructure_decimal)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(str, _structure_str_strict if strict else _structure_str_lenient)
    conv.register_structure_hook(
        bool, _structure_bool_strict if strict else _structure_bool_lenient
    )
    if strict:
        conv.register_structure_hook(int, _structure_int_strict)
    conv.register_structure_hook_factory(
        lambda t: _enum_of_union(t) is not None, _enum_structure_factory(strict)
    )
    conv.register_unstructure_hook_func(
        lambda t: _enum_of_union(t) is not None, _unstructure_enum_or_str
    )
    conv.register_structure_hook_factory(_is_list, _list_structure_factory)
    conv.register_structure_hook_factory(_is_record, _record_structure_factory(strict))
    conv.register_unstructure_hook_factory(_is_record, _record_unstructure_factory)
    conv.register_structure_hook_factory(_is_page, _page_structure_factory(strict))
    conv.register_unstructure_hook_factory(_is_page, _page_unstructure_factory)
    return conv


converter = make_converter()
"""The production converter; never cattrs' global one."""


def structure_page(body: Any, record_type: type[T]) -> Page[T]:
    """Decode a list response into ``Page[record_type]`` with the production converter."""
    page: Page[T] = converter.structure(body, Page[record_type])  # type: ignore[valid-type]
    return page
