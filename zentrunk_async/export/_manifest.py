"""The small manifest a finished export leaves beside its file, so it can be verified later.

``calls.jsonl.manifest.json`` says which account, window and filters the
file holds, in what format, and the file's size and SHA-256 — everything
`verify_file` needs, nothing secret. It is written (atomically) before the
file takes its final name.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

from .._errors import InvalidArgumentError
from ._format import FORMATS

KIND = "zentrunk-export-manifest"
VERSION = 1


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


@attrs.frozen
class Manifest:
    """What a finished export holds."""

    auth_id: str
    #: The window the file covers (after any clamp to the API's retention).
    since: datetime
    until: datetime
    filters: dict[str, str]
    format: str
    records: int
    bytes: int
    sha256: str
    shards: int
    #: Sum of the API's counts of the shards, when the API reported them.
    expected: int | None

    def write(self, path: Path) -> None:
        data = {
            "kind": KIND,
            "version": VERSION,
            "auth_id": self.auth_id,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "filters": self.filters,
            "format": self.format,
            "records": self.records,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "shards": self.shards,
            "expected": self.expected,
            "written_at": datetime.now(timezone.utc).isoformat(),
        }
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("kind") != KIND:
                raise ValueError("it was not written by a zentrunk export")
            if data.get("version") != VERSION:
                raise ValueError(f"unknown version {data.get('version')!r}")
            return cls(
                auth_id=_text(data["auth_id"]),
                since=_moment(data["since"]),
                until=_moment(data["until"]),
                filters={_text(k): _text(v) for k, v in dict(data["filters"]).items()},
                format=_format(data["format"]),
                records=_count(data["records"]),
                bytes=_count(data["bytes"]),
                sha256=_text(data["sha256"]),
                shards=_count(data["shards"]),
                expected=None if data.get("expected") is None else _count(data["expected"]),
            )
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise InvalidArgumentError(f"cannot read the manifest {path}: {exc}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r:.40} is not a string")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r:.40} is not a count")
    return value


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment


def _format(value: Any) -> str:
    if value not in FORMATS:
        raise ValueError(f"unknown format {value!r:.40}")
    return str(value)
