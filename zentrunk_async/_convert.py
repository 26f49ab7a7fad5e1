"""The one cattrs converter: every wire-format rule of the records lives here.

Records stay dumb attrs classes (style habit 3). :func:`make_converter` gives
the lenient production flavour (no detailed validation, a third of CDR decode
time per performance-lab.md §3; unknown keys kept in ``extra`` and unknown
enum values kept as unknown members, so a field Plivo adds tomorrow breaks nothing)
or the strict one for tests (detailed validation; unknown keys and enum
values raise, so fixtures and the emulator cannot drift unnoticed). The
lenient one runs each record's hooks from straight-line code that skips the
calls which would return a value unchanged (`_straight`, half of CDR decode
time); the strict one keeps cattrs' generated hooks.

``unstructure`` writes the wire format of reference §2.4 back (CDR times,
ISO ``Z`` trunk times, money strings), so ``unstructure(structure(body)) ==
body`` and bulk exports write JSONL from it. A malformed body raises one of
:data:`DECODE_ERRORS`, which the transport turns into ``ResponseDecodeError``.
"""

import types
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._models import CallInsights, CallRecord, ListMeta, OriginationURI, Page, Trunk
from ._models.common import WireEnum
from ._scalars import scalar_hooks, type_error
from ._straight import Field, Kind, straight_structure_fn

__all__ = ["DECODE_ERRORS", "converter", "make_converter", "structure_page"]

T = TypeVar("T")
_Hook = Callable[[Any, Any], Any]

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

# Undocumented fields omitted when None so the documented bodies round-trip;
# CDRs always write every column so that a JSONL export keeps one schema.
_OMIT_IF_NONE = {(Trunk, "created_at"), (Trunk, "updated_at"), (OriginationURI, "sip_user")}

# CallInsights metrics the API sends as numeric strings (§8); written back as such.
_STRING_METRICS = frozenset({"rtt", "jitter", "packet_loss", "plivo_quality_score"})

# Item GETs that the live API wraps as {"api_id": ..., "object": {...}} (§3.4).
_WRAPPED: frozenset[type] = frozenset({Trunk})


def _naive_utc(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(_UTC).replace(tzinfo=None)


def _cdr_time(value: datetime | None) -> str | None:
    return None if value is None else _naive_utc(value).isoformat(" ")


def _iso_z_time(value: datetime | None) -> str | None:
    return None if value is None else _naive_utc(value).isoformat() + "Z"


def _unstructure_decimal(value: Decimal) -> str:
    # "f" keeps the API's trailing zeros ("0.00280") and never uses exponents.
    return format(value, "f")


def _plain_str(value: str | None) -> str | None:
    return None if value is None else str(value)  # a member's str() is its value


def _metric_string(value: float | None) -> str | None:
    text = None if value is None else repr(value)
    return text[:-2] if text and text.endswith(".0") else text


def _is_wire_enum(type_: Any) -> bool:
    """``E`` or ``E | None`` for an API enum ``E`` (``E | None`` gets E's hook through Optional)."""
    if _is_optional(type_):
        return any(_is_wire_enum(arg) for arg in get_args(type_))
    return isinstance(type_, type) and issubclass(type_, WireEnum)


def _wire_enum_hook(strict: bool) -> _Hook:
    """A field typed with an API enum alone; cattrs passes the field's enum class."""

    def hook(value: Any, enum_cls: Any) -> WireEnum:
        if type(value) is not str:
            raise type_error(f"a {enum_cls.__name__} string", value)
        # A known value is a dict hit; only an unknown one needs _from_wire.
        member: WireEnum | None = enum_cls._value2member_map_.get(value)
        if member is not None:
            return member
        if strict:
            raise ValueError(f"unknown {enum_cls.__name__} value {value!r}")
        unknown: WireEnum = enum_cls._from_wire(value)
        return unknown

    return hook


def _is_optional(type_: Any) -> bool:
    args = get_args(type_)
    return get_origin(type_) in (Union, types.UnionType) and len(args) == 2 and type(None) in args


def _optional_structure_factory(
    scalars: dict[type, _Hook],
) -> Callable[[Any, cattrs.Converter], _Hook]:
    def factory(type_: Any, conv: cattrs.Converter) -> _Hook:
        args = get_args(type_)
        inner = args[0] if args[1] is type(None) else args[1]
        if inner in scalars:
            return scalars[inner]  # handles None itself
        # cattrs' own Optional hook dispatches on the inner type at every call.
        structure = conv.get_structure_hook(inner)

        def hook(value: Any, _: Any) -> Any:
            return None if value is None else structure(value, inner)

        return hook

    return factory


def _is_list(type_: Any) -> bool:
    return get_origin(type_) is list


def _list_structure_factory(type_: Any, conv: cattrs.Converter) -> _Hook:
    # cattrs' list hook takes any iterable: "1.2.3.4" would become characters.
    (item_type,) = get_args(type_)
    item = conv.get_structure_hook(item_type)

    def hook(value: Any, _: Any) -> list[Any]:
        if type(value) is not list:
            raise type_error("a JSON array", value)
        return [item(element, item_type) for element in value]

    return hook


def _is_record(type_: Any) -> bool:
    return (
        isinstance(type_, type)
        and attrs.has(type_)
        and not issubclass(type_, Page)
        and "extra" in attrs.fields_dict(type_)
    )


def _record_structure_factory(strict: bool, *, straight: bool) -> Callable[[Any, Any], _Hook]:
    def factory(cls: Any, conv: cattrs.Converter) -> _Hook:
        names = [field.name for field in attrs.fields(cls) if field.name != "extra"]
        wire = {name: _WIRE_NAMES.get(name, name) for name in names}
        overrides: dict[str, Any] = {"extra": override(omit=True)}
        overrides.update({name: override(rename=key) for name, key in wire.items() if name != key})
        base = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=strict, **overrides)
        known = frozenset(wire.values())

        def not_a_dict(data: Any) -> Exception:
            return type_error(f"a JSON object for {cls.__name__}", data)

        def generic(data: Any, _: Any) -> Any:
            if type(data) is not dict:
                raise not_a_dict(data)
            record = base(data, cls)
            # Subset test first: no allocation for the usual, fully known body.
            if not known.issuperset(data):
                extra = {key: value for key, value in data.items() if key not in known}
                object.__setattr__(record, "extra", extra)
            return record

        hook: _Hook = generic
        if straight:
            # The same hooks, called only where a value needs them (see _straight).
            hook = straight_structure_fn(cls, _fields(cls, conv, wire), not_a_dict) or generic

        if cls not in _WRAPPED:
            return hook

        def unwrap(data: Any, _: Any) -> Any:
            inner = data.get("object") if type(data) is dict else None
            # Unwrap only a pure envelope: a flat body keeps a future "object" field.
            if type(inner) is not dict or not known.isdisjoint(data):
                return hook(data, cls)
            envelope = {key: value for key, value in data.items() if key != "object"}
            record = hook(inner, cls)
            if envelope:
                # The envelope's api_id identifies the request; keep it, as every unknown key.
                object.__setattr__(record, "extra", {**envelope, **record.extra})
            return record

        return unwrap

    return factory


def _fields(cls: Any, conv: cattrs.Converter, wire: dict[str, str]) -> dict[str, Field]:
    """The fields `straight_structure_fn` reads, with what each one's hook does."""
    kinds: dict[Any, Kind] = {str: "str", int: "int", bool: "bool", Decimal: "decimal"}
    kinds[datetime] = "time"
    fields = {}
    for field in attrs.fields(attrs.resolve_types(cls)):
        if field.name not in wire:
            continue
        inner = field.type
        if _is_optional(inner):
            inner = next(arg for arg in get_args(inner) if arg is not type(None))
        hook = conv.get_structure_hook(field.type)
        kind = kinds.get(inner)
        if kind is not None and hook is not conv.get_structure_hook(inner):
            kind = None  # not the scalar hook the inline tests mirror
        elif _is_wire_enum(inner):
            kind = "enum"
        fields[field.name] = Field(wire[field.name], field.type, inner, hook, kind)
    return fields


def _record_unstructure_factory(cls: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    time_hook = _cdr_time if cls in _SPACE_TIMES else _iso_z_time
    overrides: dict[str, Any] = {"extra": override(omit=True)}
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        options: dict[str, Any] = {}
        if field.name in _WIRE_NAMES:
            options["rename"] = _WIRE_NAMES[field.name]
        if (cls, field.name) in _OMIT_IF_NONE:
            options["omit_if_default"] = True
        if datetime in (field.type, *get_args(field.type)):
            options["unstruct_hook"] = time_hook
        elif cls is CallInsights and field.name in _STRING_METRICS:
            options["unstruct_hook"] = _metric_string
        elif _is_wire_enum(field.type):
            options["unstruct_hook"] = _plain_str
        if options:
            overrides[field.name] = override(**options)
    base = make_dict_unstructure_fn(cls, conv, **overrides)

    def hook(record: Any) -> dict[str, Any]:
        out = base(record)
        extra = record.extra
        # Known fields win should a caller have put one of them in extra.
        return {**extra, **out} if extra else out

    return hook


_PAGE_KEYS = frozenset({"api_id", "meta", "objects"})


def _is_page(type_: Any) -> bool:
    return type_ is Page or get_origin(type_) is Page


def _page_structure_factory(strict: bool) -> Callable[[Any, Any], _Hook]:
    def factory(type_: Any, conv: cattrs.Converter) -> _Hook:
        (item_type,) = get_args(type_) or (Any,)
        item = conv.get_structure_hook(item_type)
        meta = conv.get_structure_hook(ListMeta)
        api_id_hook = conv.get_structure_hook(str | None)

        def hook(body: Any, _: Any) -> Page[Any]:
            objects = body["objects"]  # TypeError unless body is an object
            if type(objects) is not list:
                raise type_error("a JSON array under 'objects'", objects)
            api_id = api_id_hook(body.get("api_id"), str | None)
            # One comprehension over the cached item hook: no per-record dispatch.
            records = [item(obj, item_type) for obj in objects]
            page: Page[Any] = Page(
                objects=records, meta=meta(body["meta"], ListMeta), api_id=api_id
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
        objects = [item(obj) for obj in page.objects]
        out = {"api_id": page.api_id, "meta": meta(page.meta), "objects": objects}
        return {**page.extra, **out} if page.extra else out

    return hook


def make_converter(*, strict: bool = False, straight: bool = True) -> cattrs.Converter:
    """Build a converter; ``strict=True`` is for tests (see the module docstring).

    ``straight=False`` keeps cattrs' generated record hooks in the lenient
    converter too: the reference its straight-line hooks are checked against.
    """
    conv = cattrs.Converter(detailed_validation=strict, forbid_extra_keys=strict)
    scalars = scalar_hooks(strict)
    for type_, hook in scalars.items():
        conv.register_structure_hook(type_, hook)
    conv.register_unstructure_hook(datetime, _iso_z_time)
    conv.register_unstructure_hook(Decimal, _unstructure_decimal)
    conv.register_structure_hook_factory(_is_optional, _optional_structure_factory(scalars))
    # API enums are str subclasses, and cattrs asks singledispatch before any
    # factory: registered on their base, the most specific class wins over str.
    conv.register_structure_hook(WireEnum, _wire_enum_hook(strict))
    conv.register_structure_hook_factory(_is_list, _list_structure_factory)
    conv.register_structure_hook_factory(
        _is_record, _record_structure_factory(strict, straight=straight and not strict)
    )
    conv.register_unstructure_hook_factory(_is_record, _record_unstructure_factory)
    conv.register_structure_hook_factory(_is_page, _page_structure_factory(strict))
    conv.register_unstructure_hook_factory(_is_page, _page_unstructure_factory)
    return conv


converter = make_converter()  # the production converter; never cattrs' global one


def structure_page(body: Any, record_type: type[T]) -> Page[T]:
    """Decode a list response into ``Page[record_type]`` with the production converter."""
    page: Page[T] = converter.structure(body, Page[record_type])  # type: ignore[valid-type]
    return page
