"""Bodies quoted verbatim in shared/reference/zentrunk-api.md, shared by the wire-level tests."""

# zentrunk-api.md §3.4, live GET quoted verbatim by plivo-cli.
LIVE_TRUNK_GET = {
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

# §7.2 verbatim production CDR.
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
