"""The export's filters as a checkpoint or manifest stores them, and back as arguments.

Checkpoints and manifests keep the CDR query exactly as it is sent (wire
names, string values), which is what identifies an export; resuming or
verifying needs them back as the keyword arguments of ``calls.export``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import InvalidArgumentError
from .._filters import EXPORT_FILTERS

#: Filters `calls.export` takes as integers; every other one is a string.
INT_FILTERS = frozenset(f.name for f in EXPORT_FILTERS if f.kind == "count")
STR_FILTERS = frozenset(f.name for f in EXPORT_FILTERS if f.kind != "count")


def filters_from_wire(wire: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``calls.export`` from a stored query (checked, not trusted)."""
    if not isinstance(wire, Mapping):
        raise InvalidArgumentError("the stored filters are not an object")
    kwargs: dict[str, Any] = {}
    for name, value in wire.items():
        if name not in INT_FILTERS | STR_FILTERS or not isinstance(value, str):
            raise InvalidArgumentError(f"unknown stored filter {name!r:.40}={value!r:.40}")
        if name in INT_FILTERS:
            if not value.isdigit():
                raise InvalidArgumentError(f"stored filter {name}={value!r:.40} is not a count")
            kwargs[name] = int(value)
        else:
            kwargs[name] = value
    return kwargs
