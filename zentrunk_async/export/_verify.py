"""`verify_file`: re-count an export against the API, day by day, with `total_count` only.

An export's manifest (see `_manifest`) says which account, window and
filters a file holds; `verify_file` asks the API how many calls each UTC
day of that window holds (one request of one record per day: cheap) and
counts the distinct calls of each day in the file. Matching counts for
every day, no call twice, nothing outside the window and a file that is
byte for byte what the export wrote make the file verified. Counts are
what is compared, not identities: a day with one call missing and one
foreign call would balance; the digest check catches any edit of the file.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import anyio
import attrs

from .._errors import InvalidArgumentError
from .._export.plan import RETENTION, whole_second
from ._filters import filters_from_wire
from ._format import FileFormat, file_format
from ._manifest import Manifest, manifest_path

if TYPE_CHECKING:
    from .._client import ZentrunkClient


@attrs.frozen
class DayCount:
    """One stretch of the window (a UTC day, clipped to it): the API's count and the file's."""

    since: datetime
    until: datetime
    expected: int
    found: int

    @property
    def ok(self) -> bool:
        """True when the file holds as many calls of this day as the API counts."""
        return self.expected == self.found


@attrs.frozen
class VerifyResult:
    """What `verify_file` found. `ok` is True only when nothing at all disagrees.

    `expected` is the API's count over the window, `found` the distinct
    calls of the window in the file; `missing` and `extra` sum, day by
    day, what the file lacks and what it has beyond the count, and `extra`
    also counts repeated calls (`duplicates`) and calls outside the window
    (`outside`). `unchecked` calls are older than the API's retention,
    which can no longer count them. `intact` is whether the file is the
    one its manifest describes (None without a manifest).
    """

    path: Path
    since: datetime
    until: datetime
    expected: int
    found: int
    missing: int
    extra: int
    duplicates: int
    outside: int
    unreadable: int
    unchecked: int
    intact: bool | None
    requests: int
    days: list[DayCount]
    notices: list[str]

    @property
    def ok(self) -> bool:
        """True when nothing is missing, extra or unreadable and the file is intact."""
        return (
            self.missing == 0
            and self.extra == 0
            and self.unreadable == 0
            and self.intact is not False
        )


async def verify_file(
    client: ZentrunkClient,
    path: str | Path,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    format: str | None = None,
    concurrency: int = 8,
) -> VerifyResult:
    """Re-count the export at `path` against the API (its manifest says what it should hold).

    `since`/`until` override the manifest's window (and are required for a
    file without one); the account is the client's and must be the one
    the manifest names.
    """
    file = Path(path)
    manifest = await anyio.to_thread.run_sync(_manifest_of, file)
    manifest_file = manifest_path(file)
    if manifest is None and (since is None or until is None):
        raise InvalidArgumentError(
            f"there is no manifest {manifest_file} beside the file: give since and until "
            "(--since/--until) to verify it"
        )
    if manifest is not None and manifest.auth_id != client.auth_id:
        raise InvalidArgumentError(
            f"{file} was exported from account {manifest.auth_id}, the client is {client.auth_id}"
        )
    lower = _bound(since, "since", manifest.since if manifest else None)
    upper = _bound(until, "until", manifest.until if manifest else None)
    if lower >= upper:
        raise InvalidArgumentError(f"the window is empty: {lower} is not before {upper}")
    notices: list[str] = []
    now = datetime.now(timezone.utc)
    oldest = whole_second(now - RETENTION) + timedelta(minutes=1)
    start = max(lower, oldest)
    if start > lower:
        notices.append(
            f"calls before {start.isoformat()} are past the API's 90-day retention and "
            "cannot be counted again: they are left unchecked"
        )
    end = min(upper, whole_second(now))
    fmt = file_format(format or (manifest.format if manifest else None), file)
    filters = filters_from_wire(manifest.filters) if manifest is not None else {}
    days = _days(start, end) if start < end else []
    tally = await anyio.to_thread.run_sync(_tally, file, fmt, days, lower, start, upper)
    expected = await _counts(client, days, filters, concurrency)
    counts = [DayCount(a, b, expected[i], tally.found[i]) for i, (a, b) in enumerate(days)]
    missing = sum(max(0, d.expected - d.found) for d in counts)
    surplus = sum(max(0, d.found - d.expected) for d in counts)
    intact = None
    if manifest is not None:
        intact = tally.sha256 == manifest.sha256 and tally.size == manifest.bytes
    return VerifyResult(
        path=file,
        since=lower,
        until=upper,
        expected=sum(d.expected for d in counts),
        found=sum(d.found for d in counts),
        missing=missing,
        extra=surplus + tally.duplicates + tally.outside,
        duplicates=tally.duplicates,
        outside=tally.outside,
        unreadable=tally.unreadable,
        unchecked=tally.unchecked,
        intact=intact,
        requests=len(days),
        days=counts,
        notices=notices,
    )


def _manifest_of(file: Path) -> Manifest | None:
    if not file.is_file():
        raise InvalidArgumentError(f"{file} is not a file")
    manifest_file = manifest_path(file)
    return Manifest.load(manifest_file) if manifest_file.exists() else None


def _bound(moment: datetime | None, name: str, stored: datetime | None) -> datetime:
    if moment is None:
        assert stored is not None  # checked by the caller: no manifest needs both bounds
        return stored
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InvalidArgumentError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return whole_second(moment)


def _days(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """UTC days covering ``[start, end)``, the first and last clipped to it."""
    days = []
    cursor = start
    while cursor < end:
        midnight = cursor.replace(hour=0, minute=0, second=0) + timedelta(days=1)
        days.append((cursor, min(midnight, end)))
        cursor = min(midnight, end)
    return days


async def _counts(
    client: ZentrunkClient,
    days: list[tuple[datetime, datetime]],
    filters: dict[str, Any],
    concurrency: int,
) -> list[int]:
    counts = [0] * len(days)
    limiter = anyio.CapacityLimiter(max(1, concurrency))

    async def count(index: int, since: datetime, until: datetime) -> None:
        async with limiter:
            pager = client.calls.list(
                end_time__gte=since, end_time__lt=until, limit=1, concurrency=1, **filters
            )
            pages = pager.pages()
            try:
                page = await pages.__anext__()
            finally:
                await pages.aclose()
            counts[index] = page.meta.total_count

    async with anyio.create_task_group() as tg:
        for index, (since, until) in enumerate(days):
            tg.start_soon(count, index, since, until)
    return counts


@attrs.define
class _Tally:
    found: list[int]
    duplicates: int = 0
    outside: int = 0
    unreadable: int = 0
    unchecked: int = 0
    sha256: str = ""
    size: int = 0


def _tally(
    file: Path,
    fmt: FileFormat,
    days: list[tuple[datetime, datetime]],
    lower: datetime,
    start: datetime,
    upper: datetime,
) -> _Tally:
    """Distinct calls per day in the file, in one pass that also digests its bytes."""
    tally = _Tally(found=[0] * len(days))
    starts = [a for a, _ in days]
    seen: set[bytes] = set()
    with file.open("rb") as raw:
        reader = _Digesting(raw)
        try:
            for call_uuid, end_time in _rows(io.BufferedReader(reader), fmt):
                if call_uuid is None or end_time is None:
                    tally.unreadable += 1
                    continue
                key = hashlib.blake2b(call_uuid.encode(), digest_size=16).digest()
                if key in seen:
                    tally.duplicates += 1
                    continue
                seen.add(key)
                if lower <= end_time < start:
                    tally.unchecked += 1
                elif not start <= end_time < upper or not days:
                    tally.outside += 1
                else:
                    index = bisect.bisect_right(starts, end_time) - 1
                    if end_time < days[index][1]:
                        tally.found[index] += 1
                    else:  # after `now`: the API cannot hold it yet
                        tally.outside += 1
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error):
            tally.unreadable += 1
        reader.drain()  # what a failed parse (or a buffer) left unread
    tally.sha256 = reader.digest.hexdigest()
    tally.size = reader.size
    return tally


def _rows(raw: IO[bytes], fmt: FileFormat) -> Iterator[tuple[str | None, datetime | None]]:
    binary = gzip.GzipFile(fileobj=raw, mode="rb") if fmt.compressed else raw
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    if fmt.kind == "csv":
        for row in csv.DictReader(text):
            yield _fields(row)
        return
    for line in text:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            yield None, None
            continue
        yield _fields(data) if isinstance(data, dict) else (None, None)


def _fields(data: dict[str, Any]) -> tuple[str | None, datetime | None]:
    call_uuid = data.get("call_uuid")
    return (call_uuid if isinstance(call_uuid, str) and call_uuid else None), _end(
        data.get("end_time")
    )


def _end(value: Any) -> datetime | None:
    """A CDR's end_time as the wire spells it (UTC, no offset), or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value[:-1] if value.endswith(("Z", "z")) else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class _Digesting(io.RawIOBase):
    """A reader that digests every byte it passes on."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        self.size += len(data)
        return len(data)

    def drain(self) -> None:
        """Digest the rest of the file, so the digest covers all of it."""
        while self.readinto(bytearray(1 << 20)):
            pass
