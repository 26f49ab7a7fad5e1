"""The error an export raises when some of its windows could not be made consistent."""

from __future__ import annotations

from datetime import datetime

import attrs

from .._errors import ZentrunkError


@attrs.frozen
class Residue:
    """One window whose count and records still disagree after every re-pull and split.

    `expected` is the API's `total_count` for the window; `found` the distinct
    calls it listed. The window was never marked complete.
    """

    since: datetime
    until: datetime
    expected: int
    found: int


class IncompleteExportError(ZentrunkError):
    """Raised after every other shard was delivered, when some windows stayed inconsistent.

    `residues` names each such window; `exported` is how many calls were
    delivered before this was raised (the rest of the export is complete).
    Retry just those windows with ``calls.export(since=r.since, until=r.until)``.
    """

    def __init__(self, residues: list[Residue], *, exported: int) -> None:
        self.residues = list(residues)
        self.exported = exported
        windows = "; ".join(
            f"[{r.since.isoformat()}, {r.until.isoformat()}): API counts {r.expected}, "
            f"listed {r.found}"
            for r in self.residues
        )
        super().__init__(
            f"export incomplete: {len(self.residues)} window(s) never matched their count "
            f"({windows}); {exported} calls were exported; retry just those windows "
            "with --since/--until (calls.export(since=..., until=...))"
        )
