"""The checkpoint that lets an interrupted file export resume, and proves the file first.

It is a journal, one JSON object per line: a head (what export this is,
and the digest of the file's header), then one line per completed shard
with the byte range it occupies in the partial file and the SHA-256 of
those bytes, and a last ``finished`` line once the file is complete. A
line is appended (and fsynced) only after the shard's bytes are durable, so
the journal never claims more than the file holds. A crash can tear only
the last line, which a reader drops: that shard simply was not recorded.

Nothing in a checkpoint is trusted blindly: every line is checked for its
shape, ranges must follow one another, and a resume re-reads the file and
compares each recorded range with its digest (`check_file`) before it
appends anything.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import attrs

from .._errors import InvalidArgumentError

KIND = "zentrunk-export-checkpoint"
VERSION = 2

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class CheckpointMismatchError(InvalidArgumentError):
    """The checkpoint belongs to an export with other parameters."""


class CheckpointError(InvalidArgumentError):
    """The checkpoint cannot be read: corrupt, foreign, or written by another version."""


@attrs.frozen
class Segment:
    """A range of the partial file and the digest of its bytes."""

    offset: int
    length: int
    sha256: str

    @property
    def end(self) -> int:
        return self.offset + self.length


@attrs.frozen
class ShardEntry:
    """One completed shard: its window, where its bytes are, and its counts."""

    since: datetime
    until: datetime
    segment: Segment
    records: int
    #: The API's count for the window when the shard was accepted (None: not reported).
    expected: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "shard": [self.since.isoformat(), self.until.isoformat()],
            **attrs.asdict(self.segment),
            "records": self.records,
            "expected": self.expected,
        }


@attrs.define
class Checkpoint:
    params: dict[str, Any]
    header: Segment
    shards: list[ShardEntry] = attrs.Factory(list)
    finished: bool = False

    @property
    def records(self) -> int:
        return sum(entry.records for entry in self.shards)

    @property
    def end(self) -> int:
        """The size the partial file has when it holds exactly what is recorded."""
        return self.shards[-1].segment.end if self.shards else self.header.end

    @property
    def done_intervals(self) -> list[tuple[datetime, datetime]]:
        return [(entry.since, entry.until) for entry in self.shards]

    def check(self, params: Mapping[str, Any]) -> None:
        if dict(params) != self.params:
            differing = sorted(
                key
                for key in set(params) | set(self.params)
                if params.get(key) != self.params.get(key)
            )
            raise CheckpointMismatchError(
                f"the checkpoint was written by an export with other {', '.join(differing)}: "
                "resume with the same parameters (or leave them out: the checkpoint's are "
                "used), or start over with restart"
            )

    def head_json(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "version": VERSION,
            "params": self.params,
            "header": attrs.asdict(self.header),
        }

    def write(self, path: Path) -> None:
        """Replace the journal atomically with this checkpoint (temporary file + rename)."""
        lines = [self.head_json(), *(entry.to_json() for entry in self.shards)]
        if self.finished:
            lines.append({"finished": True})
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write("".join(json.dumps(line) + "\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_directory(path.parent)

    def append(self, path: Path, entry: ShardEntry) -> None:
        """Record one more completed shard (its bytes must already be durable)."""
        self._append_line(path, entry.to_json())
        self.shards.append(entry)

    def mark_finished(self, path: Path) -> None:
        self._append_line(path, {"finished": True})
        self.finished = True

    @staticmethod
    def _append_line(path: Path, line: dict[str, Any]) -> None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        """Read and check a journal; any damage but a torn last line is a `CheckpointError`."""
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CheckpointError(f"cannot read the checkpoint {path}: {exc}") from None
        lines = text.split("\n")
        # The last piece is "" after a complete journal, or a line a crash tore: drop it.
        lines = lines[:-1]
        try:
            return cls._parse(lines)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise CheckpointError(
                f"{path} is not a usable export checkpoint ({exc}): start over with restart "
                "(--restart), or point checkpoint_path (--checkpoint) at the right file"
            ) from None

    @classmethod
    def _parse(cls, lines: list[str]) -> Checkpoint:
        if not lines:
            raise ValueError("it is empty")
        head = json.loads(lines[0])
        if not isinstance(head, dict) or head.get("kind") != KIND:
            raise ValueError("it was not written by a zentrunk export")
        if head.get("version") != VERSION:
            raise ValueError(
                f"it has version {head.get('version')!r}, this zentrunk reads {VERSION}"
            )
        params = head["params"]
        if not isinstance(params, dict):
            raise ValueError("its params are not an object")
        header = _segment(head["header"])
        if header.offset != 0:
            raise ValueError("its header does not start the file")
        checkpoint = cls(params=params, header=header)
        cursor = header.end
        for number, raw in enumerate(lines[1:], start=2):
            line = json.loads(raw)
            if not isinstance(line, dict):
                raise ValueError(f"line {number} is not an object")
            if checkpoint.finished:
                raise ValueError(f"line {number} follows the finished mark")
            if line.get("finished") is True:
                checkpoint.finished = True
                continue
            entry = _entry(line)
            if entry.segment.offset != cursor:
                raise ValueError(f"line {number}: its bytes do not follow the previous shard's")
            cursor = entry.segment.end
            checkpoint.shards.append(entry)
        _check_disjoint(checkpoint.shards)
        return checkpoint


@attrs.frozen
class FileCheck:
    """How a partial file compares with its checkpoint."""

    size: int
    header_ok: bool
    good: list[ShardEntry]
    bad: list[ShardEntry]

    @property
    def ok(self) -> bool:
        return self.header_ok and not self.bad


def check_file(path: Path, checkpoint: Checkpoint) -> FileCheck:
    """Compare every recorded range of `path` with its digest (bytes past the last are ignored)."""
    good: list[ShardEntry] = []
    bad: list[ShardEntry] = []
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        header_ok = segment_matches(handle, checkpoint.header, size)
        for entry in checkpoint.shards:
            (good if segment_matches(handle, entry.segment, size) else bad).append(entry)
    return FileCheck(size=size, header_ok=header_ok, good=good, bad=bad)


def segment_matches(handle: IO[bytes], segment: Segment, size: int) -> bool:
    if segment.end > size:
        return False
    digest = hashlib.sha256()
    for chunk in read_range(handle, segment):
        digest.update(chunk)
    return digest.hexdigest() == segment.sha256


def read_range(handle: IO[bytes], segment: Segment) -> Iterator[bytes]:
    handle.seek(segment.offset)
    left = segment.length
    while left:
        chunk = handle.read(min(left, _CHUNK))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk


def fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (where the platform allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _segment(data: Any) -> Segment:
    offset, length, digest = data["offset"], data["length"], data["sha256"]
    for name, value in (("offset", offset), ("length", length)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} {value!r} is not a byte count")
    if not isinstance(digest, str) or not _SHA256.match(digest):
        raise ValueError(f"{digest!r:.80} is not a SHA-256 digest")
    return Segment(offset, length, digest)


def _entry(line: dict[str, Any]) -> ShardEntry:
    since_text, until_text = line["shard"]
    since, until = datetime.fromisoformat(since_text), datetime.fromisoformat(until_text)
    if since.tzinfo is None or until.tzinfo is None or not since < until:
        raise ValueError(f"shard [{since_text}, {until_text}) is not a window")
    records, expected = line["records"], line.get("expected")
    if isinstance(records, bool) or not isinstance(records, int) or records < 0:
        raise ValueError(f"records {records!r} is not a count")
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise ValueError(f"expected {expected!r} is not a count")
    return ShardEntry(since, until, _segment(line), records, expected)


def _check_disjoint(entries: list[ShardEntry]) -> None:
    ordered = sorted(entries, key=lambda e: e.since)
    for before, after in itertools.pairwise(ordered):
        if after.since < before.until:
            raise ValueError(f"shards {before.since} and {after.since} overlap")
