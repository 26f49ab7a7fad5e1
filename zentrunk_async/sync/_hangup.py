"""Zentrunk's hangup codes with their documented names and meanings (zentrunk-api.md §13.2).

Reports show, beside the code a CDR carries, the name Zentrunk's docs give
it: CDRs sometimes spell it differently (``customer_cancelled`` for 4550's
``user_cancelled``), and several codes share one name, so the code is the
key. The table is also copied into each store (`hangup_causes`) so that SQL
views and BI tools can join on it. 4650 has no name in the docs; the name
here is ours and says what the geo-permissions page describes.
"""

from __future__ import annotations

#: (code, documented name, meaning in a few words)
HANGUP_CAUSES: tuple[tuple[int, str, str], ...] = (
    (3000, "normal_hangup", "Normal hangup by carrier side"),
    (3010, "normal_hangup", "Normal hangup by user side"),
    (3020, "rtp_timeout", "Media timeout mid-call"),
    (3030, "insufficient_plivo_credits", "Credit ran out mid-call"),
    (3040, "abnormal_hangup_due_to_reinvite", "Re-INVITE rejected"),
    (4000, "bad_request", "Malformed SIP request"),
    (4010, "unauthorized_by_carrier", "Carrier rejected auth"),
    (4020, "unauthorized", "Auth required"),
    (4030, "insufficient_plivo_credits", "No credit to start call"),
    (4040, "forbidden", "Carrier refused"),
    (4050, "blacklisted_for_verification", "Number blocked by Zentrunk"),
    (4060, "forbidden", "PBX/endpoint auth failed"),
    (4070, "trunk_not_found", "Trunk lookup failed"),
    (4080, "route_not_found", "No matching inbound route"),
    (4090, "destination_not_found", "No route to destination"),
    (4100, "prefix_not_supported", "Bad number prefix"),
    (4110, "secure_trunking_disabled", "TLS/SRTP used on non-secure trunk"),
    (4120, "destination_invalid", '"To" not E.164'),
    (4130, "incorrect_callerid_non_numeric", "Non-numeric caller ID"),
    (4140, "incorrect_callerid_too_short", "Caller ID < 6 digits"),
    (4150, "proxy_authentication_required", "Carrier needs proxy auth"),
    (4160, "request_timeout_carrier", "Carrier did not answer signalling"),
    (4170, "request_timeout_customer", "Your PBX did not answer"),
    (4180, "call_rejected_unauthorized", "Wrong credential or source IP not in ACL (outbound)"),
    (4190, "unknown_caller_id", "Caller ID is not a Plivo number"),
    (4200, "dno_caller_id", "Caller ID on Do-Not-Originate list"),
    (4220, "unsupported_media_type", "Unsupported codec"),
    (4230, "unsupported_uri_scheme", "Unknown request URI scheme"),
    (4270, "session_interval_too_small", "Session timer too short"),
    (4310, "uri_not_found", "Trunk has no origination URI"),
    (4320, "uri_invalid", "URI host does not resolve"),
    (4330, "temporary_unavailable", "Zentrunk temporarily unavailable (may be CPS)"),
    (4340, "temporary_unavailable", "Callee unavailable (carrier side)"),
    (4350, "temporary_unavailable", "Callee unavailable (customer side)"),
    (4360, "call_does_not_exist", "Call-ID mismatch"),
    (4370, "loop_detected", "Routing loop"),
    (4380, "too_many_hops", "Max-Forwards exceeded"),
    (4410, "user_busy", "Busy"),
    (4420, "carrier_cancelled", "Cancelled from carrier side"),
    (4430, "sdp_not_acceptable_here", "SDP not supported"),
    (4440, "request_terminated", "Terminated by Zentrunk"),
    (4500, "request_pending", "Another request in progress"),
    (4520, "security_agreement_required", "Security negotiation needed"),
    (4540, "forbidden", "Zentrunk auth failure"),
    (4550, "user_cancelled", "Caller cancelled before answer"),
    (4560, "barred_country", "Destination country blocked (geo permissions)"),
    (4570, "barred_number", "Number barred"),
    (4580, "invalid_sip_packet", "Malformed SIP packet"),
    (4590, "domestic_anchored_terms_not_met", "India media-anchoring rule violated"),
    (4610, "ruri_not_acceptable_here", "Request-URI not acceptable"),
    (4620, "codec_not_acceptable_here", "Codec rejected"),
    (4630, "sdp_not_acceptable_here_by_carrier", "Carrier rejected SDP"),
    (4640, "sdp_not_acceptable_here_by_user", "Your PBX rejected SDP"),
    (4650, "geo_permission_block", 'Geo-permission block, SIP 403 "Barred Country"'),
    (5000, "service_unavailable_no_more_destinations", "No routes left"),
    (5010, "port_limit_reached", "Port capacity reached"),
    (5020, "not_implemented", "Unsupported function"),
    (5030, "not_implemented_at_carrier", "Carrier does not support the request"),
    (5040, "not_implemented_at_user", "Your PBX does not support the request"),
    (5180, "cps_limit_reached", "CPS exceeded (rejected, not queued)"),
    (5190, "concurrent_call_limit_exceeded", "Concurrency exceeded"),
    (5200, "server_timeout", "Timer expired"),
    (5220, "service_interrupted_by_customer", "4xx from your side mid-call"),
    (5230, "service_interrupted_by_customer", "5xx/6xx from your side mid-call"),
    (5240, "service_interrupted_by_nomedia", "Media failure mid-call"),
    (5250, "internal_error", "Plivo backend error"),
    (5260, "internal_error_routing", "Plivo routing error"),
    (5270, "internal_error_media_service", "Plivo media error"),
    (5290, "internal_error_trunk", "Trunk URI fetch error"),
    (5300, "bad_gateway", "Carrier returned 502"),
    (5310, "service_interrupted_by_carrier_4xx", "Carrier 4xx mid-call"),
    (5320, "service_interrupted_by_carrier_5xx_6xx", "Carrier 5xx/6xx mid-call"),
    (5330, "server_timeout", "Carrier timeout"),
    (5340, "server_timeout", "Your PBX timeout"),
    (5350, "service_unavailable_by_carrier", "Carrier temporarily unavailable"),
)

_BY_CODE = {code: (name, meaning) for code, name, meaning in HANGUP_CAUSES}


def hangup_name(code: int | None) -> str | None:
    """The documented name of a hangup code, or None for a code outside the table."""
    entry = _BY_CODE.get(code) if code is not None else None
    return entry[0] if entry else None


def hangup_meaning(code: int | None) -> str | None:
    entry = _BY_CODE.get(code) if code is not None else None
    return entry[1] if entry else None
