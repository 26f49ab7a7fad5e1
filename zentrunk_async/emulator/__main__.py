"""``python -m zentrunk_async.emulator``: serve emulated accounts until interrupted.

Prints ``Zentrunk emulator listening on <base URL>`` once the socket
accepts connections, so scripts can wait for that line instead of polling,
then the credentials of each account (fake ones, made for this emulator).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from ._config import (
    DEFAULT_AUTH_ID,
    DEFAULT_AUTH_TOKEN,
    DEFAULT_CALLS,
    DEFAULT_MISSING_PARAM_STATUS,
    DEFAULT_NUMBERS,
    DEFAULT_RATE_LIMIT_PERIOD,
    DEFAULT_RATE_LIMIT_REQUESTS,
    EmulatorConfig,
    Faults,
)
from ._emulator import Emulator
from ._server import base_url_of, bind, make_server


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m zentrunk_async.emulator",
        description="Serve a local emulator of Plivo's Zentrunk API (never contacts Plivo).",
        epilog=(
            f"Default credentials: auth id {DEFAULT_AUTH_ID}, auth token {DEFAULT_AUTH_TOKEN}"
            " (e.g. export PLIVO_AUTH_ID=... PLIVO_AUTH_TOKEN=... ZENTRUNK_BASE_URL=http://"
            "127.0.0.1:8080). With --accounts N the others are listed at start and by"
            " GET /__emulator__/accounts."
        ),
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    p.add_argument(
        "--auth-id",
        default=DEFAULT_AUTH_ID,
        help=f"the first account's id (default {DEFAULT_AUTH_ID})",
    )
    p.add_argument(
        "--auth-token",
        default=DEFAULT_AUTH_TOKEN,
        help=f"the first account's token (default {DEFAULT_AUTH_TOKEN})",
    )
    p.add_argument(
        "--accounts",
        type=int,
        default=1,
        metavar="N",
        help="serve N accounts, each with its own data, rate limit and faults",
    )
    p.add_argument("--calls", type=int, default=DEFAULT_CALLS, help="synthetic CDRs per account")
    p.add_argument(
        "--numbers", type=int, default=DEFAULT_NUMBERS, help="phone numbers each account rents"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--rate-limit",
        type=int,
        default=DEFAULT_RATE_LIMIT_REQUESTS,
        metavar="N",
        help="requests per period per account (0 switches limiting off)",
    )
    p.add_argument(
        "--rate-limit-period", type=float, default=DEFAULT_RATE_LIMIT_PERIOD, metavar="S"
    )
    p.add_argument(
        "--rate-limit-retry-after",
        action="store_true",
        help="send Retry-After on 429 (the live API documents none)",
    )
    p.add_argument(
        "--missing-param-status", type=int, choices=(400, 422), default=DEFAULT_MISSING_PARAM_STATUS
    )
    f = p.add_argument_group("faults (all changeable at runtime: POST /__emulator__/faults)")
    f.add_argument("--latency-ms", type=float, default=0.0)
    f.add_argument("--latency-jitter-ms", type=float, default=0.0)
    f.add_argument("--error-rate", type=float, default=0.0, help="probability of a 5xx")
    f.add_argument("--error-status", type=int, default=503)
    f.add_argument("--rate-limit-burst", type=int, default=0, help="next K requests get 429")
    f.add_argument("--retry-after", type=float, default=None, help="Retry-After on burst 429s")
    f.add_argument(
        "--drop-rate", type=float, default=0.0, help="probability of a dropped connection"
    )
    f.add_argument(
        "--truncate-rate", type=float, default=0.0, help="probability of a cut JSON body"
    )
    f.add_argument("--html-rate", type=float, default=0.0, help="probability of an HTML body")
    f.add_argument("--html-status", type=int, default=200)
    f.add_argument(
        "--drift",
        type=float,
        default=0.0,
        metavar="CALLS_PER_S",
        help="new calls per second arriving at the newest end",
    )
    f.add_argument("--fault-seed", type=int, default=None)
    p.add_argument("--log-level", default="warning")
    return p


def build(args: argparse.Namespace) -> Emulator:
    config = EmulatorConfig(
        auth_id=args.auth_id,
        auth_token=args.auth_token,
        accounts=args.accounts,
        numbers=args.numbers,
        calls=args.calls,
        seed=args.seed,
        rate_limit_requests=args.rate_limit or None,
        rate_limit_period=args.rate_limit_period,
        rate_limit_retry_after=args.rate_limit_retry_after,
        missing_param_status=args.missing_param_status,
    )
    faults = Faults(
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
        error_rate=args.error_rate,
        error_status=args.error_status,
        rate_limit_burst=args.rate_limit_burst,
        retry_after=args.retry_after,
        drop_rate=args.drop_rate,
        truncate_rate=args.truncate_rate,
        html_rate=args.html_rate,
        html_status=args.html_status,
        drift_per_second=args.drift,
        seed=args.fault_seed,
    )
    return Emulator(config, faults=faults)


#: Accounts the banner lists; the admin route lists every one.
_LISTED = 10


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        emulator = build(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sock = bind(args.host, args.port)
    url = base_url_of(sock)

    def announce() -> None:
        print(f"Zentrunk emulator listening on {url}", flush=True)
        print(
            f"  {len(emulator.accounts)} account(s), {emulator.config.calls} calls each,"
            f" seed {emulator.config.seed}",
            flush=True,
        )
        for account in emulator.accounts[:_LISTED]:
            print(f"  auth id {account.auth_id}  auth token {account.auth_token}", flush=True)
        if len(emulator.accounts) > _LISTED:
            print(f"  ... all of them: GET {url}/__emulator__/accounts", flush=True)

    server = make_server(emulator, announce, log_level=args.log_level)
    # uvicorn re-raises the Ctrl-C it handled gracefully; that is a normal exit here.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
