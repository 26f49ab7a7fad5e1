"""The phone numbers an emulated account rents, and where each routes (§12, §15a L6-L8).

Numbers are Plivo's, not Zentrunk's (``/v1/Account/{id}/Number/``), but
Zentrunk users route them to inbound trunks and read them back before
deleting a trunk or to reconcile routing, so the emulator rents each account
a fixed set: NANP's fictional 555-01XX numbers, never a real subscriber.

Path forms: the live API documents digits without ``+`` (§12). A ``+``
(``Number/%2B1.../``, one client's habit, live outcome unknown, L8) is
answered 404 here, as an unknown number: the emulator takes the documented
form only, so such a client learns it locally rather than in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ._validate import ApiError, bad

#: Area codes of the fictional numbers, 100 numbers each (555-0100 to 555-0199).
AREAS = ("415", "212", "312", "646", "702", "305", "206", "617", "512", "303")
NUMBER_TYPES = ("local", "tollfree", "mobile", "national", "fixed")
SERVICES = ("voice", "sms", "mms")
_DIGITS = re.compile(r"[0-9]{6,15}")


def fictional_numbers(count: int) -> list[str]:
    """The first ``count`` fictional US numbers, as the Number API spells them (digits)."""
    if count > 100 * len(AREAS):
        raise ValueError(f"at most {100 * len(AREAS)} numbers")
    return [f"1{AREAS[i // 100]}555{100 + i % 100:04d}" for i in range(count)]


class NumberBook:
    """An account's numbers: number digits -> the trunk id it routes to, or None."""

    def __init__(self, numbers: Iterable[str]) -> None:
        self.routes: dict[str, str | None] = dict.fromkeys(numbers)
        self.aliases: dict[str, str | None] = dict.fromkeys(self.routes)

    def _owned(self, number: str) -> str:
        if not _DIGITS.fullmatch(number) or number not in self.routes:
            raise ApiError(404, "number not found")
        return number

    def update(self, number: str, body: dict[str, Any], trunks: Iterable[str]) -> None:
        """``app_id`` routes to a trunk (§12) and ``""`` unroutes (L8); ``alias`` renames."""
        number = self._owned(number)
        if "app_id" not in body and "alias" not in body:
            raise bad("missing required parameter: app_id or alias")
        if "alias" in body:
            alias = body["alias"]
            if alias is not None and not isinstance(alias, str):
                raise bad("alias must be a string")
            self.aliases[number] = alias or None
        if "app_id" in body:
            app_id = body["app_id"]
            if app_id is not None and not isinstance(app_id, str):
                raise bad("app_id must be a string")
            # An outbound trunk is accepted, as live; the number then stops answering (§12).
            if app_id and app_id not in set(trunks):
                raise bad("invalid app_id")
            self.routes[number] = app_id or None

    def detach(self, trunk_ids: set[str]) -> None:
        """Deleting a trunk detaches the numbers routed to it (§3.7)."""
        for number, trunk_id in self.routes.items():
            if trunk_id in trunk_ids:
                self.routes[number] = None

    def get(self, number: str, auth_id: str) -> dict[str, Any]:
        return self._record(self._owned(number), auth_id)

    def page(
        self, params: list[tuple[str, str]], offset: int, limit: int, auth_id: str
    ) -> tuple[int, list[dict[str, Any]]]:
        """The Number API's list filters that matter here; others are ignored, as live."""
        keep = _filter(params)
        numbers = [n for n in self.routes if keep(self._record(n, auth_id))]
        return len(numbers), [self._record(n, auth_id) for n in numbers[offset : offset + limit]]

    def _record(self, number: str, auth_id: str) -> dict[str, Any]:
        """A number object: the trunk id in both app_id and application (§15a L7)."""
        trunk_id = self.routes[number]
        area = number[1:4]
        return {
            "number": number,
            "alias": self.aliases[number],
            "sub_account": None,
            "added_on": "2026-01-15",
            "app_id": trunk_id,
            "application": (
                f"/v1/Account/{auth_id}/Zentrunk/Trunk/{trunk_id}/" if trunk_id else None
            ),
            "active": True,
            "carrier": "Plivo",
            "city": None,
            "country": "United States",
            "region": f"area code {area}, UNITED STATES",
            "number_type": "local",
            "monthly_rental_rate": "0.50000",
            "voice_enabled": True,
            "voice_rate": "0.00850",
            "sms_enabled": True,
            "sms_rate": "0.00000",
            "mms_enabled": False,
            "mms_rate": "0.00000",
            "resource_uri": f"/v1/Account/{auth_id}/Number/{number}/",
        }


def _filter(params: list[tuple[str, str]]) -> Any:
    checks: list[Any] = []
    for key, raw in params:
        if key not in ("number_startswith", "type", "alias", "services"):
            continue
        if raw == "":
            raise bad(f"{key} must not be empty")
        if key == "number_startswith":
            if not raw.isdigit():
                raise bad("number_startswith must be digits")
            checks.append(lambda r, raw=raw: r["number"].startswith(raw))
        elif key == "type":
            if raw not in NUMBER_TYPES:
                raise bad(f"invalid type: must be one of {', '.join(NUMBER_TYPES)}")
            checks.append(lambda r, raw=raw: r["number_type"] == raw)
        elif key == "alias":
            checks.append(lambda r, raw=raw: r["alias"] == raw)
        else:
            wanted = raw.split(",")
            if not set(wanted) <= set(SERVICES):
                raise bad(f"invalid services: must be a comma-separated subset of {SERVICES}")
            checks.append(lambda r, wanted=wanted: all(r[f"{s}_enabled"] for s in wanted))
    return lambda record: all(check(record) for check in checks)
