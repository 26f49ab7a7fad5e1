"""What an export reports while it runs and when it ends."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import attrs


@attrs.frozen
class ExportProgress:
    """A snapshot handed to ``on_progress`` after every page.

    `records` counts distinct calls received so far (a resumed export starts
    from what its checkpoint already holds); `estimated_total` is the API's
    `total_count` summed over the span once known, for a progress bar's ETA.
    """

    records: int
    pages: int
    requests: int
    shards_done: int
    shards_total: int
    elapsed: float
    estimated_total: int | None


@attrs.frozen
class ExportSummary:
    """What `export_to_file` (or `export_to_stream`) did.

    `records` calls are in the file at `path`, in `shards` shards, each
    accepted only once its distinct calls matched the API's `total_count`
    for its window; `expected` is the sum of those counts (None when the
    API did not report them). `since`/`until` are the window actually
    covered (after any clamp, which `adjustments` describes). `notices`
    are every sentence the export announced. `checkpoint_path` is None
    once the checkpoint is removed; `manifest_path` names the manifest a
    finished export leaves beside its file. `complete` is False only on
    the summary an `IncompleteFileExportError` carries (`path` is then the
    partial file).
    """

    records: int
    pages: int
    requests: int
    elapsed: float
    path: Path | None
    checkpoint_path: Path | None
    resumed: bool
    shards: int = 0
    expected: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    notices: tuple[str, ...] = ()
    adjustments: tuple[str, ...] = ()
    manifest_path: Path | None = None
    repaired: int = 0
    complete: bool = True
