"""The fixed tables CDRs are drawn from: countries and hangup outcomes, with weights.

Kept apart from the generator (`_cdrs`) so each module stays small; the
cumulative weights are built exactly as ``random.choices`` builds them, so
the generator's inlined draws pick the same entries.
"""

from __future__ import annotations

from itertools import accumulate
from typing import NamedTuple


class Country(NamedTuple):
    iso: str
    prefix: str
    weight: float
    #: (leading digits choices, number of random digits after them)
    leads: tuple[str, ...]
    tail: int
    rate: float
    carriers: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        "1",
        52,
        (
            "201",
            "212",
            "213",
            "305",
            "312",
            "415",
            "469",
            "512",
            "617",
            "646",
            "702",
            "713",
            "732",
            "818",
            "917",
        ),
        7,
        0.0045,
        ("Verizon Wireless", "AT&T Wireless", "T-Mobile USA", "Comcast", "Bandwidth.com"),
    ),
    Country(
        "IN",
        "91",
        12,
        ("6", "7", "8", "9"),
        9,
        0.0180,
        ("Airtel", "Reliance Jio", "Vodafone Idea", "BSNL"),
    ),
    Country(
        "GB",
        "44",
        8,
        ("74", "75", "77", "78", "79"),
        8,
        0.0120,
        ("EE", "Vodafone UK", "O2", "Three UK"),
    ),
    Country(
        "CA",
        "1",
        6,
        ("416", "438", "514", "604", "613"),
        7,
        0.0045,
        ("Rogers", "Bell Mobility", "Telus"),
    ),
    Country(
        "DE",
        "49",
        4,
        ("151", "160", "170", "176"),
        8,
        0.0150,
        ("Deutsche Telekom", "Vodafone DE", "Telefonica DE"),
    ),
    Country("AU", "61", 3, ("4",), 8, 0.0250, ("Telstra", "Optus", "Vodafone AU")),
    Country("FR", "33", 3, ("6", "7"), 8, 0.0140, ("Orange", "SFR", "Bouygues Telecom", "Free")),
    Country("BR", "55", 3, ("119", "219", "319", "419"), 8, 0.0160, ("Vivo", "Claro", "TIM")),
    Country("MX", "52", 3, ("55", "33", "81"), 8, 0.0090, ("Telcel", "AT&T Mexico", "Movistar")),
    Country("SG", "65", 2, ("8", "9"), 7, 0.0100, ("Singtel", "StarHub", "M1")),
    Country("PH", "63", 4, ("9",), 9, 0.0600, ("Globe", "Smart")),
)
_COUNTRY_WEIGHTS = tuple(c.weight for c in COUNTRIES)
# Cumulative weights exactly as ``random.choices`` builds them, so draws match it.
COUNTRY_CUM = list(accumulate(_COUNTRY_WEIGHTS))
COUNTRY_HI = len(COUNTRIES) - 1
TAIL_LOW = {c.tail: 10 ** (c.tail - 1) for c in COUNTRIES}


class Hangup(NamedTuple):
    code: int
    name: str
    source: str
    weight: float


#: Answered calls: mostly a normal hangup from either side (§13.2, 3xxx and mid-call 5xxx).
ANSWERED: tuple[Hangup, ...] = (
    Hangup(3000, "normal_hangup", "carrier", 48),
    Hangup(3010, "normal_hangup", "customer", 44),
    Hangup(3020, "rtp_timeout", "zentrunk", 2),
    Hangup(3030, "insufficient_plivo_credits", "zentrunk", 0.3),
    Hangup(3040, "abnormal_hangup_due_to_reinvite", "zentrunk", 0.5),
    Hangup(5220, "service_interrupted_middialog_by_customer", "customer", 1.5),
    Hangup(5240, "service_interrupted_by_nomedia", "zentrunk", 1),
    Hangup(5310, "service_interrupted_middialog_by_carrier_4xx", "carrier", 1.5),
    Hangup(5320, "service_interrupted_by_carrier_5xx_6xx", "carrier", 1.2),
)
#: Outbound calls (your PBX -> Plivo -> PSTN) that never connected.
FAILED_OUTBOUND: tuple[Hangup, ...] = (
    Hangup(4410, "user_busy", "carrier", 18),
    Hangup(4550, "customer_cancelled", "customer", 22),
    Hangup(6030, "alloted_timeout", "carrier", 12),
    Hangup(4420, "carrier_cancelled", "carrier", 6),
    Hangup(4090, "destination_not_found", "carrier", 6),
    Hangup(4340, "temporary_unavailable", "carrier", 7),
    Hangup(4100, "prefix_not_supported", "zentrunk", 2),
    Hangup(4120, "destination_invalid", "zentrunk", 2),
    Hangup(4560, "barred_country", "zentrunk", 2),
    Hangup(4180, "call_rejected_unauthorized", "zentrunk", 2),
    Hangup(4190, "unknown_caller_id", "zentrunk", 2),
    Hangup(4030, "insufficient_credits", "zentrunk", 0.5),
    Hangup(5180, "cps_limit_reached", "zentrunk", 3),
    Hangup(5190, "concurrent_call_limit_exceeded", "zentrunk", 1),
    Hangup(5300, "bad_gateway", "carrier", 1),
    Hangup(5330, "server_timeout", "carrier", 1),
    Hangup(5350, "service_unavailable_by_carrier", "carrier", 3),
    Hangup(6040, "declined_from_carrier", "carrier", 3),
    Hangup(4160, "request_timeout_carrier", "carrier", 1),
    Hangup(4630, "sdp_not_acceptable_here_by_carrier", "carrier", 1),
)
#: Inbound calls (PSTN -> Plivo -> your PBX via the origination URI) that never connected.
FAILED_INBOUND: tuple[Hangup, ...] = (
    Hangup(4420, "carrier_cancelled", "carrier", 30),
    Hangup(4410, "user_busy", "customer", 12),
    Hangup(4350, "temporary_unavailable", "customer", 10),
    Hangup(4170, "request_timeout_customer", "customer", 8),
    Hangup(5360, "service_unavailable_by_user", "customer", 6),
    Hangup(4310, "uri_not_found", "zentrunk", 2),
    Hangup(4320, "uri_invalid", "zentrunk", 1),
    Hangup(4080, "route_not_found", "zentrunk", 2),
    Hangup(4020, "unauthorized", "customer", 2),
    Hangup(4640, "sdp_not_acceptable_here_by_user", "customer", 1),
    Hangup(5340, "server_timeout", "customer", 2),
    Hangup(6000, "busy_everywhere", "carrier", 2),
)
#: Every outcome in one table, so a record stores a single byte for it.
HANGUPS: tuple[Hangup, ...] = ANSWERED + FAILED_OUTBOUND + FAILED_INBOUND
_ANSWERED_W = tuple(h.weight for h in ANSWERED)
_FAILED_OUT_W = tuple(h.weight for h in FAILED_OUTBOUND)
_FAILED_IN_W = tuple(h.weight for h in FAILED_INBOUND)
ANSWERED_CUM = list(accumulate(_ANSWERED_W))
FAILED_OUT_CUM = list(accumulate(_FAILED_OUT_W))
FAILED_IN_CUM = list(accumulate(_FAILED_IN_W))
OFFSET_OUT = len(ANSWERED)
OFFSET_IN = len(ANSWERED) + len(FAILED_OUTBOUND)

DIRECTIONS = ("inbound", "outbound")
STIR = ("Verified", "Not Verified", "Not Applicable")
