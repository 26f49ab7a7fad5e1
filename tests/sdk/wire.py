"""Verbatim wire bodies (zentrunk-api.md) and builders shared by the respx tests."""

from __future__ import annotations

from reference_bodies import LIVE_TRUNK_GET, PROD_CDR

AUTH_ID = "MAXXXXXXXXXXXXXXXXXX"
TOKEN = "s3cr3t-T0KEN-value-never-shown"
HOST = "https://zentrunk.test"  # a reserved TLD: nothing here can reach the live API
BASE = f"{HOST}/v1/Account/{AUTH_ID}/"
ZT = BASE + "Zentrunk/"

TRUNK_LIVE_GET = LIVE_TRUNK_GET


def list_body(
    objects: list[dict[str, object]],
    *,
    offset: int,
    total: int,
    limit: int = 20,
    path: str = "Zentrunk/Call/",
) -> dict[str, object]:
    nxt = offset + limit
    return {
        "api_id": f"list-{offset}",
        "meta": {
            "limit": limit,
            "offset": offset,
            "total_count": total,
            "previous": None,
            "next": f"v1/Account/{AUTH_ID}/{path}?limit={limit}&offset={nxt}"
            if nxt < total
            else None,
        },
        "objects": objects,
    }


def cdr(n: int) -> dict[str, object]:
    return {**PROD_CDR, "call_uuid": f"00000000-0000-4000-8000-{n:012d}"}
