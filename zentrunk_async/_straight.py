"""A record's lenient structure hook as straight-line code, generated once per class.

cattrs' generated hook calls the field's hook for every field (27 calls per
CDR, most of them returning a string unchanged) and gathers the optional
fields into a kwargs dict. The function generated here tests each value's
type inline and calls the field's hook only when the value is not already
what the field holds (a ``str`` for a ``str``, a known member's value for
an enum, ``None`` for an optional field); the hook then converts or raises
exactly as before. So every record and every error are the hooks' own:
only the calls that would have changed nothing are gone, about half of a
CDR's decode time, the hot path of bulk pulls.

Only the lenient converter uses it: the strict one keeps cattrs' detailed
validation, whose errors name every failing field.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple

import attrs

__all__ = ["Field", "Kind", "straight_structure_fn"]

_Hook = Callable[[Any, Any], Any]


#: What the generated code may test inline, by what the field's hook does:
#: "str", "int", "bool" (returns such a value unchanged), "enum" (a known
#: member for its value), "decimal" (``Decimal(text)`` when finite), "time"
#: (``datetime.fromisoformat(text + "+00:00")`` when that parses). None: the
#: hook is called for every value but None.
Kind = Literal["str", "int", "bool", "enum", "decimal", "time"] | None


class Field(NamedTuple):
    """How one field is read: its wire key, its type (and that without ``| None``), its hook."""

    key: str
    type: Any
    inner: Any
    hook: _Hook
    kind: Kind


def straight_structure_fn(
    cls: type, fields: dict[str, Field], not_a_dict: Callable[[Any], Exception]
) -> _Hook | None:
    """A ``(data, cls) -> record`` hook for `cls`, or None when a default is a factory.

    `fields` are the fields read (``extra`` and other left-out ones keep
    their defaults); keys outside them go to ``extra``. `not_a_dict` builds
    the error for a body that is not a JSON object.
    """
    names: dict[str, Any] = {
        "__cl": cls,
        "__not_a_dict": not_a_dict,
        "__known": frozenset(field.key for field in fields.values()),
        "__set": object.__setattr__,
    }
    lines = [
        "def structure(o, _):",
        "    if o.__class__ is not dict:",
        "        raise __not_a_dict(o)",
    ]
    arguments = []
    read = [attribute for attribute in attrs.fields(cls) if attribute.name in fields]
    # cattrs reads the fields with a default first, then the others: in that
    # order too, a body with several bad values fails on the same one.
    read.sort(key=lambda attribute: attribute.default is attrs.NOTHING)
    for index, attribute in enumerate(read):
        field = fields[attribute.name]
        names[f"__h{index}"], names[f"__t{index}"] = field.hook, field.type
        optional = field.inner is not field.type
        value, key, default = f"v{index}", repr(field.key), attribute.default
        if default is attrs.NOTHING:
            lines.append(f"    {value} = o[{key}]")  # KeyError when missing, as cattrs
            lines.extend(_convert(value, index, field, optional, names, "    "))
        elif default is None and optional:
            lines.append(f"    {value} = o.get({key})")  # absent or null: None either way
            lines.extend(_convert(value, index, field, optional, names, "    "))
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            return None
        else:
            names[f"__d{index}"] = default
            lines.append(f"    if {key} in o:")
            lines.append(f"        {value} = o[{key}]")
            lines.extend(_convert(value, index, field, optional, names, "        "))
            lines.append("    else:")
            lines.append(f"        {value} = __d{index}")  # the record's default, not converted
        arguments.append(f"{attribute.alias}={value}")
    lines.append(f"    r = __cl({', '.join(arguments)})")
    # Subset test first: no allocation for the usual, fully known body.
    lines.append("    if not __known.issuperset(o):")
    lines.append("        __set(r, 'extra', {k: v for k, v in o.items() if k not in __known})")
    lines.append("    return r")
    source = "\n".join(lines) + "\n"
    filename = f"<zentrunk straight structure {cls.__module__}.{cls.__qualname__}>"
    # In linecache, so that a traceback through it shows its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), names)  # source built from attrs fields only
    function: _Hook = names["structure"]
    return function


def _convert(
    value: str, index: int, field: Field, optional: bool, names: dict[str, Any], indent: str
) -> list[str]:
    """Lines leaving `value` as the field's hook would, calling it only off the happy path."""
    call = f"__h{index}({value}, __t{index})"
    none_ok = f"{value} is not None and " if optional else ""
    kind = field.kind
    if kind in ("str", "int"):
        test = f"{none_ok}{value}.__class__ is not {kind}"
    elif kind == "bool":
        test = f"{none_ok}{value} is not True and {value} is not False"
    elif kind in ("enum", "decimal", "time"):
        lines = _parsed(value, index, field, names, call)
        if optional:
            return [f"{indent}if {value} is not None:", *(f"{indent}    {line}" for line in lines)]
        return [f"{indent}{line}" for line in lines]
    elif optional:
        test = f"{value} is not None"
    else:
        return [f"{indent}{value} = {call}"]
    return [f"{indent}if {test}:", f"{indent}    {value} = {call}"]


def _parsed(value: str, index: int, field: Field, names: dict[str, Any], call: str) -> list[str]:
    """What the hook returns for a well-formed wire string, else the hook's own answer."""
    parsed = f"p{index}"
    if field.kind == "enum":
        # A known value is one dict hit, the hook's own first step.
        names[f"__m{index}"] = field.inner._value2member_map_
        lines = [f"{parsed} = __m{index}.get({value}) if {value}.__class__ is str else None"]
    elif field.kind == "decimal":
        # A string Decimal() takes and that is finite is what the hook returns; an
        # unparsable one raises (or, without the trap, is NaN): the hook says why.
        names["__Decimal"] = Decimal
        lines = [
            f"{parsed} = None",
            f"if {value}.__class__ is str:",
            "    try:",
            f"        {parsed} = __Decimal({value})",
            "    except ArithmeticError:",
            "        pass",
            f"    if {parsed} is not None and not {parsed}.is_finite():",
            f"        {parsed} = None",
        ]
    else:
        # A CDR time without offset, read as UTC: the hook's first try. Anything
        # else (a "Z", an offset of its own, not a string) goes to the hook.
        names["__fromisoformat"] = datetime.fromisoformat
        lines = [
            f"{parsed} = None",
            f"if {value}.__class__ is str and {value}[-1:] not in ('Z', 'z'):",
            "    try:",
            f"        {parsed} = __fromisoformat({value} + '+00:00')",
            "    except ValueError:",
            "        pass",
        ]
    return [*lines, f"{value} = {call} if {parsed} is None else {parsed}"]
