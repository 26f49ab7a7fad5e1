"""Synthetic call detail records, each rebuilt on demand from (seed, sequence number).

A million CDRs as dicts would cost about a gigabyte; instead every record is a
pure function of the seed and its sequence number ``g``: a ``random.Random``
seeded with both draws the fields in a fixed order. End times come from a
closed-form, monotonic function of the index, so a time window is found by
binary search and a page at any offset costs only its 20 records.

Sequence numbers: ``0..calls-1`` are the initial records, ``0`` the newest;
``calls + d`` is the d-th call that arrived later ("drift", see _calls.py).
The call UUID embeds ``g`` through an invertible 32-bit affine map, so
``GET /Call/{uuid}/`` needs no index either.

Field formats follow the verbatim production CDR of zentrunk-api.md §7.2;
hangup codes, names and sources follow §13.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from typing import Any, NamedTuple

_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF

#: How far back the initial records reach: inside the 90-day retention with a day to spare.
SPAN_SECONDS = 89 * 86400
#: The newest initial record ended this long before the emulator started.
NEWEST_AGE_SECONDS = 60
#: Zentrunk bills per started minute in the production sample (32 s talked, 60 s billed).
BILLING_INCREMENT = 60
#: Per-minute rate of calls arriving on the account's US numbers (production sample).
INBOUND_RATE = 0.0028
SECURE_TRUNKING_RATE = 0.0005
CNAM_LOOKUP_RATE = 0.004


class _Country(NamedTuple):
    iso: str
    prefix: str
    weight: float
    #: (leading digits choices, number of random digits after them)
    leads: tuple[str, ...]
    tail: int
    rate: float
    carriers: tuple[str, ...]


COUNTRIES: tuple[_Country, ...] = (
    _Country(
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
    _Country(
        "IN",
        "91",
        12,
        ("6", "7", "8", "9"),
        9,
        0.0180,
        ("Airtel", "Reliance Jio", "Vodafone Idea", "BSNL"),
    ),
    _Country(
        "GB",
        "44",
        8,
        ("74", "75", "77", "78", "79"),
        8,
        0.0120,
        ("EE", "Vodafone UK", "O2", "Three UK"),
    ),
    _Country(
        "CA",
        "1",
        6,
        ("416", "438", "514", "604", "613"),
        7,
        0.0045,
        ("Rogers", "Bell Mobility", "Telus"),
    ),
    _Country(
        "DE",
        "49",
        4,
        ("151", "160", "170", "176"),
        8,
        0.0150,
        ("Deutsche Telekom", "Vodafone DE", "Telefonica DE"),
    ),
    _Country("AU", "61", 3, ("4",), 8, 0.0250, ("Telstra", "Optus", "Vodafone AU")),
    _Country("FR", "33", 3, ("6", "7"), 8, 0.0140, ("Orange", "SFR", "Bouygues Telecom", "Free")),
    _Country("BR", "55", 3, ("119", "219", "319", "419"), 8, 0.0160, ("Vivo", "Claro", "TIM")),
    _Country("MX", "52", 3, ("55", "33", "81"), 8, 0.0090, ("Telcel", "AT&T Mexico", "Movistar")),
    _Country("SG", "65", 2, ("8", "9"), 7, 0.0100, ("Singtel", "StarHub", "M1")),
    _Country("PH", "63", 4, ("9",), 9, 0.0600, ("Globe", "Smart")),
)
_COUNTRY_WEIGHTS = tuple(c.weight for c in COUNTRIES)


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
_OFFSET_OUT = len(ANSWERED)
_OFFSET_IN = len(ANSWERED) + len(FAILED_OUTBOUND)

DIRECTIONS = ("inbound", "outbound")
STIR = ("Verified", "Not Verified", "Not Applicable")


class Core(NamedTuple):
    """The filterable part of a record, drawn first so scans can stop there."""

    direction: int  # index into DIRECTIONS
    from_number: str  # digits, no "+"
    to_number: str
    bill_duration: int
    hangup: int  # index into HANGUPS
    stir: int  # index into STIR


def mix64(x: int) -> int:
    """splitmix64's finaliser: a cheap, well-spread hash for ids and jitter."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def fmt_time(epoch: float) -> str:
    """CDR timestamps: ``YYYY-MM-DD HH:MM:SS`` in UTC (§2.4)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def _money(value: float) -> str:
    return f"{value:.5f}"


class CallGenerator:
    """Builds any record of one seeded account; holds only a few small tables."""

    def __init__(self, seed: int, count: int, newest_end: int) -> None:
        self.seed = seed
        self.count = count
        self.newest_end = newest_end
        self._seed_key = mix64(seed & _MASK64)
        rng = random.Random(f"zentrunk-emulator-account-{seed}")
        # The affine map g -> (a*g + b) mod 2**32 hides the sequence number in the UUID.
        self._a = rng.getrandbits(32) | 1
        self._b = rng.getrandbits(32)
        self._a_inv = pow(self._a, -1, 2**32)
        self._scale = SPAN_SECONDS / max(count, 1)
        self.dids = tuple(
            "1" + rng.choice(COUNTRIES[0].leads) + str(rng.randrange(2_000_000, 9_999_999))
            for _ in range(12)
        )
        self.trunks = {
            direction: tuple(
                (f"{rng.randrange(10**16, 10**17)}.zt.plivo.com", transport)
                for transport in ("udp", "tcp", "tls")
            )
            for direction in DIRECTIONS
        }

    # -- time ---------------------------------------------------------------------------

    def base_end(self, k: int) -> int:
        """End time of initial record ``k``; never increases with ``k`` (newest first).

        ``k + u`` with ``u`` in [0, 1) is strictly increasing, so its scaled floor is
        monotonic while still looking irregular.
        """
        u = (mix64(self._seed_key ^ k) >> 11) / 9007199254740992.0
        return self.newest_end - int((k + u) * self._scale)

    # -- identities ---------------------------------------------------------------------

    def call_uuid(self, g: int) -> str:
        hi = mix64(self._seed_key ^ (g << 1))
        check = mix64(self._seed_key ^ ((g << 1) | 1)) & 0x3FFFFFFF
        low = (check << 32) | ((self._a * g + self._b) & _MASK32)
        return str(uuid.UUID(int=(hi << 64) | low, version=4))

    def sequence_of(self, call_uuid: str) -> int | None:
        """Invert `call_uuid`; ``None`` for anything this account never issued."""
        try:
            value = uuid.UUID(call_uuid)
        except ValueError:
            return None
        g = (((value.int & _MASK32) - self._b) * self._a_inv) & _MASK32
        return g if self.call_uuid(g) == call_uuid.lower() else None

    # -- content ------------------------------------------------------------------------

    def _rng(self, g: int) -> random.Random:
        return random.Random((self.seed << 40) ^ g)

    def _core(self, rng: random.Random) -> tuple[Core, _Country, int]:
        direction = 1 if rng.random() < 0.56 else 0
        country = rng.choices(COUNTRIES, _COUNTRY_WEIGHTS)[0]
        remote = country.prefix + rng.choice(country.leads)
        remote += str(rng.randrange(10 ** (country.tail - 1), 10**country.tail))
        did = self.dids[rng.randrange(len(self.dids))]
        answered = rng.random() < 0.72
        if answered:
            hangup = rng.choices(range(len(ANSWERED)), _ANSWERED_W)[0]
            # Log-normal talk time: median about 80 s, a long tail to an hour.
            duration = min(3600, max(1, int(rng.lognormvariate(4.4, 1.1))))
        elif direction == 1:
            hangup = _OFFSET_OUT + rng.choices(range(len(FAILED_OUTBOUND)), _FAILED_OUT_W)[0]
            duration = 0
        else:
            hangup = _OFFSET_IN + rng.choices(range(len(FAILED_INBOUND)), _FAILED_IN_W)[0]
            duration = 0
        bill = math.ceil(duration / BILLING_INCREMENT) * BILLING_INCREMENT
        if direction == 1:
            from_number, to_number = did, remote
        else:
            from_number, to_number = remote, did
        if from_number[0] == "1" and to_number[0] == "1":
            roll = rng.random()
            stir = 0 if roll < 0.6 else 1
        else:
            stir = 1 if to_number[0] == "1" else 2
        core = Core(direction, from_number, to_number, bill, hangup, stir)
        return core, country, duration

    def core(self, g: int) -> Core:
        """Only the filterable fields: what a filtered scan needs, nothing more."""
        return self._core(self._rng(g))[0]

    def record(self, g: int, end: int) -> dict[str, Any]:
        """The full flat CDR, in the key order of the production sample."""
        rng = self._rng(g)
        core, country, duration = self._core(rng)
        hangup = HANGUPS[core.hangup]
        outbound = core.direction == 1
        domain, transport = rng.choice(self.trunks[DIRECTIONS[core.direction]])
        secure = transport == "tls"
        ring = rng.randint(1, 9) if duration else rng.randint(0, 40)
        answer = end - duration if duration else None
        initiation = (answer if answer is not None else end) - ring
        rate = country.rate if outbound else INBOUND_RATE
        cnam = not outbound and core.to_number[0] == "1" and rng.random() < 0.1
        minutes = core.bill_duration / 60
        amount = rate * minutes + (SECURE_TRUNKING_RATE * minutes if secure else 0.0)
        amount += CNAM_LOOKUP_RATE if cnam else 0.0
        us_side = COUNTRIES[0]
        from_country = country.iso if not outbound else us_side.iso
        to_country = country.iso if outbound else us_side.iso
        ip = ".".join(
            str(rng.randint(lo, hi)) for lo, hi in ((3, 223), (0, 255), (0, 255), (1, 254))
        )
        attestation = ("A" if rng.random() < 0.85 else "B") if core.stir == 0 else "C"
        return {
            "call_uuid": self.call_uuid(g),
            "call_id": f"{rng.randrange(10**8, 10**9)}_{rng.randrange(10**8, 10**9)}@{ip}",
            "from_number": "+" + core.from_number,
            "to_number": "+" + core.to_number,
            "call_direction": DIRECTIONS[core.direction],
            "call_duration": duration,
            "bill_duration": core.bill_duration,
            "end_time": fmt_time(end),
            "hangup_cause_name": hangup.name,
            "hangup_source": hangup.source,
            "total_rate": _money(rate),
            "total_amount": _money(amount),
            "initiation_time": fmt_time(initiation),
            "answer_time": fmt_time(answer) if answer is not None else None,
            "trunk_domain": domain,
            "from_country": from_country,
            "to_country": to_country,
            "transport_protocol": transport,
            "srtp": secure,
            "hangup_cause_code": hangup.code,
            "secure_trunking": secure,
            "secure_trunking_rate": _money(SECURE_TRUNKING_RATE if secure else 0.0),
            "cnam_lookup": cnam,
            "cnam_lookup_rate": _money(CNAM_LOOKUP_RATE if cnam else 0.0),
            "stir_verification": STIR[core.stir],
            "attestation_indicator": attestation,
            "billed_duration": core.bill_duration,
        }

    def insights(self, g: int, api_id: str) -> dict[str, Any]:
        """Call quality (§8): metrics are numeric strings, ``post_dial_delay`` a float."""
        cdr = self.record(g, self.newest_end)
        rng = random.Random((self.seed << 40) ^ g ^ (1 << 39))
        remote_iso = (
            cdr["to_country"] if cdr["call_direction"] == "outbound" else cdr["from_country"]
        )
        remote = next(c for c in COUNTRIES if c.iso == remote_iso)
        remote_side = {"carrier": rng.choice(remote.carriers), "region": remote_iso}
        plivo_side = {"carrier": "Plivo", "region": "US"}
        outbound = cdr["call_direction"] == "outbound"
        from_side = dict(plivo_side if outbound else remote_side, number=cdr["from_number"])
        to_side = dict(remote_side if outbound else plivo_side, number=cdr["to_number"])
        answered = cdr["call_duration"] > 0
        # §8: "0" has been returned on an answered trunk call, so a few answered calls get it too.
        if answered and rng.random() > 0.01:
            score = f"{min(5.0, max(1.0, rng.gauss(4.1, 0.45))):.1f}"
        else:
            score = "0"
        return {
            "api_id": api_id,
            "call_uuid": cdr["call_uuid"],
            "from": from_side,
            "to": to_side,
            "hangup_cause": cdr["hangup_cause_name"],
            "hangup_source": cdr["hangup_source"],
            "rtt": str(int(rng.uniform(12, 180))) if answered else "0",
            "jitter": str(int(rng.expovariate(1 / 4))) if answered else "0",
            "packet_loss": str(int(rng.expovariate(2))) if answered else "0",
            "post_dial_delay": float(int(rng.uniform(600, 4500))),
            "plivo_quality_score": score,
        }
