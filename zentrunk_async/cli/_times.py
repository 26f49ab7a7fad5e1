"""``--since`` / ``--until`` values: ISO 8601 times, dates, or "N units ago".

A time without an offset is taken as UTC rather than refused: the API, its
CDRs and Plivo's console all speak UTC, so UTC is what a person reading a
CDR would type; the local zone of the machine running an export is
irrelevant to the account. ``--help`` says so, and the summary prints the
resolved UTC bounds, so nothing is silent.

The span is half-open, the same for every command: ``--since`` is inclusive
(``end_time >= since``) and ``--until`` exclusive (``end_time < until``), so
consecutive spans (``--until X`` then ``--since X``) neither overlap nor
leave a gap. A bare date is midnight UTC at its start, so
``--until 2026-11-30`` does NOT include November 30th: write
``--until 2026-12-01`` for that. Plivo's console date pickers include the
end day; a command line that chains spans cannot, and the help says so.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import typer

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

TIME_HELP = "ISO 8601 time or date (no offset = UTC), 'now', or an age such as 7d, 12h, 30m."
SINCE_HELP = f"Calls that ended at or after this (inclusive). {TIME_HELP}"
UNTIL_HELP = (
    "Calls that ended before this (exclusive): --until 2026-11-30 stops at 2026-11-30T00:00:00Z, "
    "so November 30th itself is NOT included (give 2026-12-01 for that)."
)


def parse_time(value: str, *, now: datetime | None = None) -> datetime:
    """An aware UTC datetime for a command-line time; raises `typer.BadParameter`."""
    now = now or datetime.now(timezone.utc)
    text = value.strip()
    if text.lower() == "now":
        return now
    relative = _RELATIVE.match(text)
    if relative:
        amount, unit = float(relative.group(1)), relative.group(2).lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        # 3.10's fromisoformat does not know 'Z'; the API's own 'YYYY-MM-DD HH:MM' parses too.
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a time: use e.g. 2024-05-01, 2024-05-01T12:00:00Z, now or 7d"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def show_time(moment: datetime) -> str:
    """How a resolved bound is echoed back (and put into a resume hint): exact, UTC, 'Z'."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
