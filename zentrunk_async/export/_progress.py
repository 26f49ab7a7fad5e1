"""What an export reports while it runs and when it ends."""

from __future__ import annotations

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
    """What `export_to_file` did."""

    records: int
    pages: int
    requests: int
    elapsed: float
    path: Path
    checkpoint_path: Path | None
    resumed: bool
