"""Start-up settings (`EmulatorConfig`) and what can be broken on purpose (`Faults`).

Both are plain attrs records so that the CLI, the admin endpoint and the
pytest fixtures can build them from keyword arguments and show them as JSON.
`Faults` is deliberately mutable: tests flip faults on and off while a pull
runs, and the middleware reads the current values on every request.
"""

from __future__ import annotations

import base64
from typing import Any

import attrs

#: Credentials shaped like real ones (zentrunk-api.md §15a L11: auth ids are 20
#: characters, ``MA...`` for a main account, tokens 40; some clients refuse
#: shorter tokens), yet obviously fake: the token is base64 of
#: "emulator-not-a-real-token-0001".
DEFAULT_AUTH_ID = "MAEMULATOR0000000001"
DEFAULT_AUTH_TOKEN = "ZW11bGF0b3Itbm90LWEtcmVhbC10b2tlbi0wMDAx"

#: Phone numbers each account rents: enough for a few pages of ``Number/``
#: at ``limit=2``; they are NANP's fictional 555-01XX numbers (see _numbers.py).
DEFAULT_NUMBERS = 10
MAX_NUMBERS = 1_000

#: Enough calls for several pages per filter, small enough to start instantly.
DEFAULT_CALLS = 10_000

#: The documented account limit: 300 requests per rolling 5 s (zentrunk-api.md §11.1).
DEFAULT_RATE_LIMIT_REQUESTS = 300
DEFAULT_RATE_LIMIT_PERIOD = 5.0

#: The status a create without a required parameter gets. Observed behaviour is
#: 400, the current docs say 422 (zentrunk-api.md §2.2 and §15.6).
DEFAULT_MISSING_PARAM_STATUS = 400


@attrs.define
class EmulatorConfig:
    """Start-up settings of the emulated account(s).

    With ``accounts=N`` the emulator serves N accounts, each with its own
    data, rate-limit window and faults: the first uses ``auth_id`` and
    ``auth_token``, the others get ids and tokens derived from their
    position (listed by ``GET /__emulator__/accounts``).
    """

    auth_id: str = DEFAULT_AUTH_ID
    auth_token: str = DEFAULT_AUTH_TOKEN
    #: How many accounts one emulator serves (all share the other settings).
    accounts: int = 1
    #: Phone numbers each account rents (``GET Number/``); routable to its inbound trunks.
    numbers: int = DEFAULT_NUMBERS
    #: Synthetic CDRs generated on demand from (seed, index); never held as dicts.
    calls: int = DEFAULT_CALLS
    seed: int = 0
    #: ``None`` switches the rolling-window limiter off.
    rate_limit_requests: int | None = DEFAULT_RATE_LIMIT_REQUESTS
    rate_limit_period: float = DEFAULT_RATE_LIMIT_PERIOD
    #: Plivo documents no Retry-After; turn this on to send the seconds until a slot frees.
    rate_limit_retry_after: bool = False
    missing_param_status: int = DEFAULT_MISSING_PARAM_STATUS

    def __attrs_post_init__(self) -> None:
        if self.calls < 0:
            raise ValueError("calls must be >= 0")
        if self.calls >= 2**32 - 2**24:
            raise ValueError("calls must be below about 4.2 billion (ids are 32-bit)")
        if self.rate_limit_requests is not None and self.rate_limit_requests < 1:
            raise ValueError("rate_limit_requests must be >= 1 or None")
        if self.rate_limit_period <= 0:
            raise ValueError("rate_limit_period must be > 0")
        if not self.auth_id.isalnum() or not self.auth_token:
            raise ValueError("auth_id must be letters and digits and auth_token non-empty")
        if self.accounts < 1:
            raise ValueError("accounts must be >= 1")
        if not 0 <= self.numbers <= MAX_NUMBERS:
            raise ValueError(f"numbers must be between 0 and {MAX_NUMBERS}")
        if self.missing_param_status not in (400, 422):
            raise ValueError("missing_param_status must be 400 or 422")


def _probability(_: Any, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _non_negative(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


@attrs.define
class Faults:
    """Misbehaviour injected in front of the API, read afresh on every request.

    ``*_rate`` fields are probabilities per request; ``*_next`` fields are
    counters for "the next K responses", decremented as they are spent, so a
    test can ask for exactly one dropped connection and know which request
    gets it. Random draws come from one ``random.Random(seed)``.
    """

    #: Added delay before every API response, plus a uniform jitter of up to ``latency_jitter_ms``.
    latency_ms: float = attrs.field(default=0.0, validator=_non_negative)
    latency_jitter_ms: float = attrs.field(default=0.0, validator=_non_negative)
    #: Probability that a request is answered with ``error_status`` (a 5xx) instead of served.
    error_rate: float = attrs.field(default=0.0, validator=_probability)
    error_status: int = 503
    error_next: int = attrs.field(default=0, validator=_non_negative)
    #: The next K requests get 429, with ``Retry-After: retry_after`` when that is not None.
    rate_limit_burst: int = attrs.field(default=0, validator=_non_negative)
    retry_after: float | None = None
    #: Send the status line, headers and part of the body, then close the connection.
    drop_rate: float = attrs.field(default=0.0, validator=_probability)
    drop_next: int = attrs.field(default=0, validator=_non_negative)
    #: Cut the JSON body in half (Content-Length matches the cut body).
    truncate_rate: float = attrs.field(default=0.0, validator=_probability)
    truncate_next: int = attrs.field(default=0, validator=_non_negative)
    #: Replace the body by an HTML error page, served with ``html_status``.
    html_rate: float = attrs.field(default=0.0, validator=_probability)
    html_next: int = attrs.field(default=0, validator=_non_negative)
    html_status: int = 200
    #: Writes only: the handler runs (the write is applied), then the connection
    #: closes with no answer at all (see _answer_faults.py).
    acted_drop_rate: float = attrs.field(default=0.0, validator=_probability)
    acted_drop_next: int = attrs.field(default=0, validator=_non_negative)
    #: Writes only: applied, then no answer until the client hangs up (or ``hang_seconds``).
    acted_hang_rate: float = attrs.field(default=0.0, validator=_probability)
    acted_hang_next: int = attrs.field(default=0, validator=_non_negative)
    hang_seconds: float = attrs.field(default=300.0, validator=_non_negative)
    #: Writes only: applied, then answered ``error_status`` (a 5xx after acting).
    acted_error_rate: float = attrs.field(default=0.0, validator=_probability)
    acted_error_next: int = attrs.field(default=0, validator=_non_negative)
    #: The real body then whitespace up to ``oversize_bytes``, chunked (no Content-Length).
    oversize_rate: float = attrs.field(default=0.0, validator=_probability)
    oversize_next: int = attrs.field(default=0, validator=_non_negative)
    oversize_bytes: int = attrs.field(default=64 * 1024 * 1024, validator=_non_negative)
    #: The real body, one byte every ``trickle_interval`` seconds.
    trickle_rate: float = attrs.field(default=0.0, validator=_probability)
    trickle_next: int = attrs.field(default=0, validator=_non_negative)
    trickle_interval: float = attrs.field(default=1.0, validator=_non_negative)
    #: New calls per second ending "now", prepended to newest-first CDR lists.
    drift_per_second: float = attrs.field(default=0.0, validator=_non_negative)
    #: Seed of the fault dice; ``None`` draws from the OS.
    seed: int | None = None

    def update(self, **changes: Any) -> None:
        """Change several faults at once, validating each (used by the admin endpoint)."""
        names = {a.name for a in attrs.fields(Faults)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        merged = attrs.evolve(self, **changes)  # runs the validators before anything changes
        for name in changes:
            setattr(self, name, getattr(merged, name))

    def as_dict(self) -> dict[str, Any]:
        """The faults as JSON-ready data (what ``GET /__emulator__/faults`` answers)."""
        return attrs.asdict(self)


def account_credentials(config: EmulatorConfig) -> list[tuple[str, str]]:
    """``(auth_id, auth_token)`` of each account, the configured pair first.

    The others are derived from their position so that a test (or another
    process) can name them without asking: ids keep the first id's letters
    and count up (``MAEMULATOR0000000002``, ...), tokens are base64 of
    "emulator-not-a-real-token-NNNN", 40 characters like real ones.
    """
    prefix = config.auth_id.rstrip("0123456789") or config.auth_id
    width = max(4, 20 - len(prefix))
    pairs = [(config.auth_id, config.auth_token)]
    for position in range(2, config.accounts + 1):
        token = base64.b64encode(f"emulator-not-a-real-token-{position:04d}".encode()).decode()
        pairs.append((f"{prefix}{position:0{width}d}", token))
    if len({auth_id for auth_id, _ in pairs}) != len(pairs):
        raise ValueError(f"auth_id {config.auth_id!r} collides with a derived account id")
    return pairs
