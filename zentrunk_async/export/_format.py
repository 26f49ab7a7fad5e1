"""Export file formats: JSONL or CSV, optionally gzip-compressed, chosen by name or extension.

A compressed export is a concatenation of gzip members, one per shard (and
one for a CSV header). That is an ordinary ``.gz`` file to every reader
(``gzip -d``, `gzip.open`), and it keeps shards at byte boundaries, so a
resume can verify and cut a compressed file exactly as a plain one.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

import attrs

from .._errors import InvalidArgumentError
from .._models import CallRecord
from ._sinks import csv_header, csv_text, jsonl_text

#: The names `format=` accepts; each is also the file extension it is inferred from.
FORMATS = ("jsonl", "csv", "jsonl.gz", "csv.gz")


@attrs.frozen
class FileFormat:
    """One of `FORMATS`: what a file holds and how its bytes are made."""

    name: str

    @property
    def kind(self) -> str:
        return self.name.removesuffix(".gz")

    @property
    def compressed(self) -> bool:
        return self.name.endswith(".gz")

    def header(self) -> bytes:
        """The bytes that open the file (a CSV header row; nothing for JSONL)."""
        return self._pack(csv_header() if self.kind == "csv" else "")

    def encode(self, records: Iterable[CallRecord]) -> bytes:
        """The bytes of one batch, ready to append."""
        return self._pack(csv_text(records) if self.kind == "csv" else jsonl_text(records))

    def _pack(self, text: str) -> bytes:
        data = text.encode("utf-8")
        if not data:
            return b""
        # mtime=0: the same records always make the same bytes.
        return gzip.compress(data, compresslevel=6, mtime=0) if self.compressed else data


def file_format(name: str | None, path: str | Path | None) -> FileFormat:
    """The format asked for, else the one the file name's extension names, else JSONL."""
    if name is not None:
        if name not in FORMATS:
            raise InvalidArgumentError(f"format must be one of {', '.join(FORMATS)}, got {name!r}")
        return FileFormat(name)
    file_name = Path(path).name.lower() if path is not None else ""
    for candidate in sorted(FORMATS, key=len, reverse=True):
        if file_name.endswith("." + candidate):
            return FileFormat(candidate)
    return FileFormat("jsonl")
