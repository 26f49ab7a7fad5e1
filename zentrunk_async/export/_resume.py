"""Opening a file export: a fresh start, a verified resume, or a repair (blocking file work).

Everything here reads or writes files, so `export_to_file` runs it in a
worker thread. It decides, before any request, whether the export may go
on: a checkpoint nobody asked to resume, a checkpoint of another export,
or a partial file that does not match its checkpoint all stop it here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from .._errors import InvalidArgumentError
from .._export.runner import Export
from ._checkpoint import Checkpoint, check_file
from ._filters import filters_from_wire
from ._format import file_format
from ._manifest import Manifest, manifest_path
from ._partial import (
    CheckpointExistsError,
    ExportFileMismatchError,
    Layout,
    PartialFile,
    describe_mismatch,
)

#: ``make_export(since, until, filters, checkpoint)``: the export still to do.
ExportFactory = Callable[[datetime, "datetime | None", dict[str, Any], "Checkpoint | None"], Export]


@attrs.frozen
class Request:
    layout: Layout
    since: datetime | None
    until: datetime | None
    format: str | None
    filters: dict[str, Any]
    resume: bool
    restart: bool
    repair: bool


@attrs.define
class Opened:
    export: Export
    checkpoint: Checkpoint
    #: None when the export was already complete (nothing to pull).
    partial: PartialFile | None
    resumed: bool
    repaired: int = 0
    notices: list[str] = attrs.Factory(list)


def check_request(out: Path, resume: bool, restart: bool, repair: bool) -> None:
    if resume and restart:
        raise InvalidArgumentError("resume and restart exclude each other: pick one")
    if repair and restart:
        raise InvalidArgumentError("repair resumes an export: it cannot go with restart")
    if out.name in ("", ".", "..") or out.is_dir():
        raise InvalidArgumentError(f"{out} is a directory, not an export file")


def finished_manifest(layout: Layout) -> Manifest | None:
    """The manifest of a finished export at the final name, when there is one."""
    manifest = manifest_path(layout.out)
    if layout.out.exists() and manifest.exists():
        return Manifest.load(manifest)
    return None


def open_export(request: Request, make_export: ExportFactory) -> Opened | None:
    """The export still to do and the partial file it appends to, all checked first.

    None: nothing to resume because the export finished (a kill after the
    rename, or a script that always passes ``--resume``).
    """
    layout = request.layout
    resume = request.resume or request.repair
    check_request(layout.out, request.resume, request.restart, request.repair)
    notices: list[str] = []
    if request.restart:
        for stale in (layout.checkpoint, layout.part):
            stale.unlink(missing_ok=True)
    previous: Checkpoint | None = None
    if layout.checkpoint.exists():
        if not resume:
            raise CheckpointExistsError(
                f"an unfinished export's checkpoint is at {layout.checkpoint}: continue it "
                "with --resume (resume=True), or discard it and start over with --restart "
                "(restart=True)"
            )
        previous = Checkpoint.load(layout.checkpoint)
    elif resume:
        if request.since is None and finished_manifest(layout) is not None:
            return None
        if request.since is None:
            raise InvalidArgumentError(
                f"nothing to resume: there is no checkpoint at {layout.checkpoint}; give "
                "--since (since=) to start an export"
            )
        notices.append(f"no checkpoint at {layout.checkpoint}: starting a new export")
    since, until, filters, name = request.since, request.until, request.filters, request.format
    if previous is not None:
        # Left out on a resume: the checkpoint's own (given, they must match it).
        params = previous.params
        since = since or datetime.fromisoformat(str(params["since"]))
        until = until or datetime.fromisoformat(str(params["until"]))
        filters = filters or filters_from_wire(params.get("filters", {}))
        name = name or str(params.get("format"))
    if since is None:
        raise InvalidArgumentError("since is required (unless resuming from a checkpoint)")
    fmt = file_format(name, layout.out)
    export = make_export(since, until, filters, previous)
    params = {**export.params, "format": fmt.name}
    notices.extend(export.adjustments)
    if previous is None:
        partial = PartialFile.create(layout, fmt, params)
        return Opened(export, partial.checkpoint, partial, resumed=False, notices=notices)
    previous.check(params)
    source = layout.part if layout.part.exists() else None
    if source is None and previous.finished and layout.out.exists():
        source = layout.out  # the crash came after the rename, before the checkpoint went
    check = check_file(source, previous) if source is not None else None
    if check is not None and check.ok and source == layout.out:
        notices.append(f"{layout.out} is already complete and matches its checkpoint")
        return Opened(export, previous, None, resumed=True, notices=notices)
    if check is not None and check.ok:
        partial = PartialFile.reopen(layout, fmt, previous)
        notices.append(
            f"resuming: {len(previous.shards):,} shards ({previous.records:,} calls) already in "
            f"{layout.part} match their digests"
        )
        return Opened(export, previous, partial, resumed=True, notices=notices)
    if not request.repair:
        raise ExportFileMismatchError(describe_mismatch(layout, previous, check))
    kept = check.good if check is not None else []
    repaired = len(previous.shards) - len(kept)
    partial = PartialFile.repair(layout, source, fmt, previous, kept)
    notices.append(
        f"repair: kept {len(kept):,} shards whose bytes match their digests, "
        f"pulling {repaired:,} again"
    )
    export = make_export(since, until, filters, partial.checkpoint)
    return Opened(export, partial.checkpoint, partial, True, repaired, notices)
