"""The JSON checkpoint that lets an interrupted export resume exactly where it stopped.

It records the export's parameters (a resume with different ones is refused),
every completed shard, and — for a file export — the output's size after the
last completed shard: a resumed export truncates the file back to that size,
which drops whatever a crash left half-written, then skips the completed shards.
Writes are atomic (temporary file + `os.replace`), so a crash mid-write leaves
the previous checkpoint intact.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from .._errors import InvalidArgumentError

VERSION = 1


class CheckpointMismatchError(InvalidArgumentError):
    """The checkpoint belongs to an export with other parameters."""


@attrs.define
class Checkpoint:
    params: dict[str, Any]
    completed: list[tuple[str, str]] = attrs.Factory(list)
    records: int = 0
    output_bytes: int | None = None

    @property
    def done_intervals(self) -> list[tuple[datetime, datetime]]:
        return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in self.completed]

    def check(self, params: Mapping[str, Any]) -> None:
        if dict(params) != self.params:
            differing = sorted(
                key
                for key in set(params) | set(self.params)
                if params.get(key) != self.params.get(key)
            )
            raise CheckpointMismatchError(
                f"the checkpoint was written by an export with other {', '.join(differing)}: "
                "resume with the same parameters, or start afresh without resume"
            )

    def save(self, path: Path) -> None:
        data = {
            "version": VERSION,
            "params": self.params,
            "completed": [list(pair) for pair in self.completed],
            "records": self.records,
            "output_bytes": self.output_bytes,
        }
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                raise ValueError(f"unknown checkpoint version {data.get('version')!r}")
            return cls(
                params=dict(data["params"]),
                completed=[(str(a), str(b)) for a, b in data["completed"]],
                records=int(data["records"]),
                output_bytes=None if data["output_bytes"] is None else int(data["output_bytes"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidArgumentError(f"cannot read the checkpoint {path}: {exc}") from None
