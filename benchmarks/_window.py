"""The one query every pull sends, so baselines and the SDK fetch identical pages.

The emulator spreads its calls over 89 days; the API refuses windows wider
than 90 days and, without an ``end_time`` filter, searches only the last 30.
An explicit 89.5-day window therefore lists every call exactly once.
"""

from __future__ import annotations

import time

PAGE_SIZE = 20
_SPAN = int(89.5 * 86400)


def _fmt(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(epoch))


def window(now: float | None = None) -> dict[str, str]:
    """``end_time__gte``/``end_time__lte`` covering every emulated call (API time format)."""
    now = time.time() if now is None else now
    return {"end_time__gte": _fmt(now - _SPAN), "end_time__lte": _fmt(now + 120)}


def calls_path(auth_id: str) -> str:
    return f"/v1/Account/{auth_id}/Zentrunk/Call/"
