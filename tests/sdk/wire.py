"""Verbatim wire bodies (zentrunk-api.md) and builders shared by the respx tests."""

from __future__ import annotations

AUTH_ID = "MAXXXXXXXXXXXXXXXXXX"
TOKEN = "s3cr3t-T0KEN-value-never-shown"
HOST = "https://zentrunk.test"  # a reserved TLD: nothing here can reach the live API
BASE = f"{HOST}/v1/Account/{AUTH_ID}/"
ZT = BASE + "Zentrunk/"

TRUNK_LIVE_GET = {
    "api_id": "db10e2de-f016-43de-a4ed-2eb8abc78beb",
    "object": {
        "trunk_id": "42741122632602585",
        "name": "Trunk-e9dda2",
        "trunk_status": "enabled",
        "secure": False,
        "trunk_domain": "42741122632602585.zt.plivo.com",
        "trunk_direction": "inbound",
        "ipacl_uuid": None,
        "credential_uuid": None,
        "primary_uri_uuid": "8fde2db4-e7e0-43ce-a6ea-5690fe402e38",
        "fallback_uri_uuid": None,
        "created_at": "2026-08-23T19:57:52Z",
        "updated_at": "2026-08-23T19:57:52Z",
    },
}

PROD_CDR = {
    "call_uuid": "f3f74402-59af-40b3-909c-80c50a4b063f",
    "call_id": "459580122_124515270@206.146.101.14",
    "from_number": "+919902443540",
    "to_number": "+17322179088",
    "call_direction": "inbound",
    "call_duration": 32,
    "bill_duration": 60,
    "end_time": "2026-09-18 08:52:26",
    "hangup_cause_name": "normal_hangup",
    "hangup_source": "carrier",
    "total_rate": "0.00280",
    "total_amount": "0.00280",
    "initiation_time": "2026-09-18 08:51:53",
    "answer_time": "2026-09-18 08:51:54",
    "trunk_domain": "42741122632602585.zt.plivo.com",
    "from_country": "IN",
    "to_country": "US",
    "transport_protocol": "tcp",
    "srtp": False,
    "hangup_cause_code": 3000,
    "secure_trunking": False,
    "secure_trunking_rate": "0.00000",
    "cnam_lookup": False,
    "cnam_lookup_rate": "0.00000",
    "stir_verification": "Not Verified",
    "attestation_indicator": "C",
    "billed_duration": 60,
}


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
