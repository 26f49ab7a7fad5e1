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

import _random
import random
import threading
import time
import uuid
from bisect import bisect_right
from collections.abc import Callable
from typing import Any, NamedTuple

from ._cdrdata import (
    ANSWERED_CUM,
    COUNTRIES,
    COUNTRY_CUM,
    COUNTRY_HI,
    DIRECTIONS,
    FAILED_IN_CUM,
    FAILED_INBOUND,
    FAILED_OUT_CUM,
    FAILED_OUTBOUND,
    HANGUPS,
    OFFSET_IN,
    OFFSET_OUT,
    STIR,
    TAIL_LOW,
    Country,
)

__all__ = ["COUNTRIES", "DIRECTIONS", "HANGUPS", "STIR", "CallGenerator", "Core", "fmt_time"]

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


_MINUTES: dict[int, str] = {}
_SECONDS = tuple(f"{second:02d}" for second in range(60))


def _fmt_whole(epoch: int) -> str:
    """`fmt_time` of a whole second, ``YYYY-MM-DD HH:MM:`` cached per minute (a page
    of 20 spans a few minutes of a million-call account, each time is formatted 3 times)."""
    minute, second = divmod(epoch, 60)
    head = _MINUTES.get(minute)
    if head is None:
        if len(_MINUTES) > 4096:
            _MINUTES.clear()
        head = _MINUTES[minute] = time.strftime("%Y-%m-%d %H:%M:", time.gmtime(minute * 60))
    return head + _SECONDS[second]


def _below(bits: Callable[[int], int], n: int) -> int:
    """``random.Random._randbelow`` (n > 0): the draw behind choice, randrange, randint."""
    k = n.bit_length()
    r = bits(k)
    while r >= n:
        r = bits(k)
    return r


_reseed = _random.Random.seed  # random.Random.seed minus its Python wrapper
_LOCAL = threading.local()
_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_UUID_SET = (0x8000 << 48) | (4 << 76)
_SECURE_RATE = {True: _money(SECURE_TRUNKING_RATE), False: _money(0.0)}
_CNAM_RATE = {True: _money(CNAM_LOOKUP_RATE), False: _money(0.0)}


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
        # uuid.UUID(int=..., version=4) sets these bits; formatting by hand is 4x faster.
        value = ((hi << 64) | low) & _UUID_CLEAR | _UUID_SET
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

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
        # One generator per thread, reseeded per record: the same stream as a fresh
        # ``random.Random(seed)`` (this one never uses ``gauss``, whose cache seeding
        # would otherwise reset) without building a new object for every record.
        rng: random.Random | None = getattr(_LOCAL, "rng", None)
        if rng is None:
            rng = _LOCAL.rng = random.Random(0)
        _reseed(rng, (self.seed << 40) ^ g)
        return rng

    def _core(self, rng: random.Random) -> tuple[Core, Country, int]:
        # The draws below are those of ``random()``, ``choice``, ``choices`` and
        # ``randrange`` inlined (see `_below`): a record must stay the same stream.
        rand = rng.random
        bits = rng.getrandbits
        direction = 1 if rand() < 0.56 else 0
        country = COUNTRIES[bisect_right(COUNTRY_CUM, rand() * COUNTRY_CUM[-1], 0, COUNTRY_HI)]
        leads = country.leads
        remote = country.prefix + leads[_below(bits, len(leads))]
        low = TAIL_LOW[country.tail]
        remote += str(low + _below(bits, 9 * low))
        did = self.dids[_below(bits, len(self.dids))]
        answered = rand() < 0.72
        if answered:
            hangup = bisect_right(ANSWERED_CUM, rand() * ANSWERED_CUM[-1], 0, OFFSET_OUT - 1)
            # Log-normal talk time: median about 80 s, a long tail to an hour.
            duration = min(3600, max(1, int(rng.lognormvariate(4.4, 1.1))))
        elif direction == 1:
            hangup = OFFSET_OUT + bisect_right(
                FAILED_OUT_CUM, rand() * FAILED_OUT_CUM[-1], 0, len(FAILED_OUTBOUND) - 1
            )
            duration = 0
        else:
            hangup = OFFSET_IN + bisect_right(
                FAILED_IN_CUM, rand() * FAILED_IN_CUM[-1], 0, len(FAILED_INBOUND) - 1
            )
            duration = 0
        bill = -(-duration // BILLING_INCREMENT) * BILLING_INCREMENT
        if direction == 1:
            from_number, to_number = did, remote
        else:
            from_number, to_number = remote, did
        if from_number[0] == "1" and to_number[0] == "1":
            stir = 0 if rand() < 0.6 else 1
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
        rand = rng.random
        bits = rng.getrandbits
        hangup = HANGUPS[core.hangup]
        outbound = core.direction == 1
        trunks = self.trunks[DIRECTIONS[core.direction]]
        domain, transport = trunks[_below(bits, len(trunks))]
        secure = transport == "tls"
        # Constant-range draws are `_below` inlined: n.bit_length() bits, redrawn while >= n.
        if duration:
            r = bits(4)
            while r >= 9:
                r = bits(4)
            ring = 1 + r
        else:
            ring = bits(6)
            while ring >= 41:
                ring = bits(6)
        answer = end - duration if duration else None
        initiation = (answer if answer is not None else end) - ring
        rate = country.rate if outbound else INBOUND_RATE
        cnam = not outbound and core.to_number[0] == "1" and rand() < 0.1
        minutes = core.bill_duration / 60
        amount = rate * minutes + (SECURE_TRUNKING_RATE * minutes if secure else 0.0)
        amount += CNAM_LOOKUP_RATE if cnam else 0.0
        us_side = COUNTRIES[0]
        from_country = country.iso if not outbound else us_side.iso
        to_country = country.iso if outbound else us_side.iso
        # randint(3, 223), randint(0, 255) twice, randint(1, 254), in that order.
        a = bits(8)
        while a >= 221:
            a = bits(8)
        b = bits(9)
        while b >= 256:
            b = bits(9)
        c = bits(9)
        while c >= 256:
            c = bits(9)
        d = bits(8)
        while d >= 254:
            d = bits(8)
        ip = f"{3 + a}.{b}.{c}.{1 + d}"
        attestation = ("A" if rand() < 0.85 else "B") if core.stir == 0 else "C"
        left = bits(30)
        while left >= 900_000_000:
            left = bits(30)
        right = bits(30)
        while right >= 900_000_000:
            right = bits(30)
        call_id = f"{100_000_000 + left}_{100_000_000 + right}@{ip}"
        return {
            "call_uuid": self.call_uuid(g),
            "call_id": call_id,
            "from_number": "+" + core.from_number,
            "to_number": "+" + core.to_number,
            "call_direction": DIRECTIONS[core.direction],
            "call_duration": duration,
            "bill_duration": core.bill_duration,
            "end_time": _fmt_whole(end),
            "hangup_cause_name": hangup.name,
            "hangup_source": hangup.source,
            "total_rate": f"{rate:.5f}",
            "total_amount": f"{amount:.5f}",
            "initiation_time": _fmt_whole(initiation),
            "answer_time": _fmt_whole(answer) if answer is not None else None,
            "trunk_domain": domain,
            "from_country": from_country,
            "to_country": to_country,
            "transport_protocol": transport,
            "srtp": secure,
            "hangup_cause_code": hangup.code,
            "secure_trunking": secure,
            "secure_trunking_rate": _SECURE_RATE[secure],
            "cnam_lookup": cnam,
            "cnam_lookup_rate": _CNAM_RATE[cnam],
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
