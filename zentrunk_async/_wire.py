"""Records to and from the API's own JSON, for code that stores or serves them.

A web app answering with trunks, a cache, a queue or a file holding CDRs
should not hand-write JSON for a record: money would turn into floats, times
into Python's ``str(datetime)``, and fields the API added later would be
dropped. These two functions use the converter the client itself decodes
with, so ``from_wire(cls, to_wire(record)) == record`` and
``to_wire(from_wire(cls, body)) == body`` for a body the API sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from ._convert import DECODE_ERRORS, converter
from ._errors import InvalidArgumentError

__all__ = ["from_wire", "to_wire"]

R = TypeVar("R")


def _check_record_class(cls: object) -> None:
    # Only our records have wire rules (renamed keys, CDR time format, extra).
    if not (
        isinstance(cls, type)
        and attrs.has(cls)
        and cls.__module__.startswith("zentrunk_async._models")
        and "extra" in attrs.fields_dict(cls)
    ):
        raise InvalidArgumentError(f"not a zentrunk_async record class: {cls!r}")


def to_wire(record: object) -> dict[str, Any]:
    """The record as the API writes it: a JSON-ready ``dict`` (``json.dumps`` takes it as is).

    Money is a decimal string (``"0.00280"``), times are the API's strings
    (CDR times ``"2024-01-01 10:00:00"``, other times ISO 8601 with ``Z``),
    enum members their wire value, and the keys of ``record.extra`` — fields
    this version of the package does not know — are kept.

    Raises:
        InvalidArgumentError: ``record`` is not one of the package's records.
    """
    _check_record_class(type(record))
    data: dict[str, Any] = converter.unstructure(record)
    return data


def from_wire(cls: type[R], data: Mapping[str, Any]) -> R:
    """Read a record of class ``cls`` from the API's JSON (as :func:`to_wire` writes it).

    Decoding is as lenient as the client's: unknown keys go to ``extra`` and
    unknown enum values become unknown members, so data written by a newer
    version still reads.

    Raises:
        InvalidArgumentError: ``cls`` is not one of the package's records, or
            ``data`` does not hold one (a missing field, a wrong type, an
            unparsable time or amount).
    """
    _check_record_class(cls)
    try:
        record: R = converter.structure(dict(data), cls)
    except DECODE_ERRORS as exc:  # dict() of a non-mapping raises TypeError or ValueError
        raise InvalidArgumentError(f"cannot read a {cls.__name__} from this data: {exc}") from exc
    return record
