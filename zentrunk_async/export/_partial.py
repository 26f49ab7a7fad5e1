"""The partial file of an export: where it lives, how it grows, and how it is checked.

While an export runs, its calls go into ``<file>.part`` beside the final
name and its checkpoint into ``<file>.checkpoint.json``; the final name is
given (by an atomic rename) only to a complete export, so it never holds
a partial one. Each shard is appended, fsynced, and only then recorded in
the checkpoint with its byte range and digest.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

import attrs

from .._errors import InvalidArgumentError
from .._models import CallRecord
from ._checkpoint import Checkpoint, FileCheck, Segment, ShardEntry, fsync_directory, read_range
from ._format import FileFormat

if TYPE_CHECKING:
    from hashlib import _Hash

    from .._export.plan import Shard


class CheckpointExistsError(InvalidArgumentError):
    """An interrupted export's checkpoint is there, and neither resume nor restart was asked."""


class ExportFileMismatchError(InvalidArgumentError):
    """A resume found the partial file missing, shorter, or altered since its checkpoint."""


@attrs.frozen
class Layout:
    """The files of one export."""

    out: Path
    checkpoint: Path

    @classmethod
    def of(cls, out: Path, checkpoint: Path | None) -> Layout:
        return cls(out, checkpoint or out.with_name(out.name + ".checkpoint.json"))

    @property
    def part(self) -> Path:
        return self.out.with_name(self.out.name + ".part")

    @property
    def lock(self) -> Path:
        return self.out.with_name(self.out.name + ".lock")


class PartialFile:
    """An open partial file that grows by whole shards, each durable before it is recorded."""

    def __init__(
        self, handle: IO[bytes], fmt: FileFormat, checkpoint: Checkpoint, digest: _Hash
    ) -> None:
        self._handle = handle
        self._format = fmt
        self.checkpoint = checkpoint
        #: SHA-256 of the whole file so far (it only ever grows at its end).
        self.digest = digest

    @classmethod
    def create(cls, layout: Layout, fmt: FileFormat, params: dict[str, object]) -> PartialFile:
        """A new partial file holding only the header, and its new checkpoint."""
        header = fmt.header()
        handle = layout.part.open("wb")
        handle.write(header)
        _sync(handle)
        checkpoint = Checkpoint(params=dict(params), header=_segment(0, header))
        checkpoint.write(layout.checkpoint)
        return cls(handle, fmt, checkpoint, hashlib.sha256(header))

    @classmethod
    def reopen(cls, layout: Layout, fmt: FileFormat, checkpoint: Checkpoint) -> PartialFile:
        """The verified partial file, cut back to what its checkpoint records (never extended)."""
        handle = layout.part.open("r+b")
        size = os.fstat(handle.fileno()).st_size
        if size < checkpoint.end:  # check_file passed, so this cannot happen: refuse, not pad
            handle.close()
            raise ExportFileMismatchError(f"{layout.part} is shorter than its checkpoint")
        digest = hashlib.sha256()
        for segment in [checkpoint.header, *(e.segment for e in checkpoint.shards)]:
            for chunk in read_range(handle, segment):
                digest.update(chunk)
        handle.truncate(checkpoint.end)
        handle.seek(checkpoint.end)
        _sync(handle)
        # Rewritten whole: drops a torn last line, so appends start on a clean line.
        checkpoint.write(layout.checkpoint)
        return cls(handle, fmt, checkpoint, digest)

    @classmethod
    def repair(
        cls,
        layout: Layout,
        source: Path | None,
        fmt: FileFormat,
        checkpoint: Checkpoint,
        kept: list[ShardEntry],
    ) -> PartialFile:
        """A new partial file of the header and the `kept` shards' verified bytes, copied.

        The new checkpoint is written before the new file replaces the old
        one: a crash in between leaves a checkpoint that the old file does
        not match, which a further repair handles (it never trusts either).
        """
        header = fmt.header()
        tmp = layout.part.with_name(layout.part.name + ".repair")
        digest = hashlib.sha256(header)
        entries: list[ShardEntry] = []
        with tmp.open("wb") as new:
            new.write(header)
            offset = len(header)
            if source is not None and kept:
                with source.open("rb") as old:
                    for entry in kept:
                        for chunk in read_range(old, entry.segment):
                            new.write(chunk)
                            digest.update(chunk)
                        moved = attrs.evolve(entry.segment, offset=offset)
                        entries.append(attrs.evolve(entry, segment=moved))
                        offset = moved.end
            _sync(new)
        repaired = Checkpoint(params=checkpoint.params, header=_segment(0, header), shards=entries)
        repaired.write(layout.checkpoint)
        os.replace(tmp, layout.part)
        fsync_directory(layout.part.parent)
        handle = layout.part.open("r+b")
        handle.seek(0, os.SEEK_END)
        return cls(handle, fmt, repaired, digest)

    @property
    def size(self) -> int:
        return self.checkpoint.end

    def append(
        self, layout: Layout, shard: Shard, records: Iterable[CallRecord], expected: int | None
    ) -> ShardEntry:
        """Write one complete shard, make it durable, then record it (in that order)."""
        rows = list(records)
        data = self._format.encode(rows)
        offset = self.checkpoint.end
        self._handle.write(data)
        _sync(self._handle)
        self.digest.update(data)
        entry = ShardEntry(shard.start, shard.end, _segment(offset, data), len(rows), expected)
        self.checkpoint.append(layout.checkpoint, entry)
        return entry

    def close(self) -> None:
        self._handle.close()


def describe_mismatch(layout: Layout, checkpoint: Checkpoint, check: FileCheck | None) -> str:
    """Why a resume refuses, and what to do, in one sentence."""
    shards = len(checkpoint.shards)
    if check is None:
        what = f"the partial export {layout.part} is missing"
        bad = shards
    else:
        bad = len(check.bad)
        if check.size < checkpoint.end:
            what = (
                f"the partial export {layout.part} is {check.size:,} bytes, its checkpoint "
                f"recorded {checkpoint.end:,}"
            )
        else:
            what = f"the partial export {layout.part} was altered since its checkpoint"
        if not check.header_ok:
            what += " (its header too)"
    return (
        f"{what}: {bad:,} of {shards:,} recorded shards are missing or altered, so it cannot "
        "be resumed as it is (nothing was changed); run again with --repair (repair=True) to "
        f"re-pull only those {bad:,} shards, or with --restart (restart=True) to start over"
    )


def _segment(offset: int, data: bytes) -> Segment:
    return Segment(offset, len(data), hashlib.sha256(data).hexdigest())


def _sync(handle: IO[bytes]) -> None:
    handle.flush()
    os.fsync(handle.fileno())
