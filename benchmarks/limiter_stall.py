"""The pacing limiter under real event-loop stalls: no burst, no overfull window (issue 12).

``python -m benchmarks.limiter_stall [--backend asyncio|trio] [--requests N] [--stall S]``

Many tasks go through one real `Limiter` (the default `RateLimit()`: 295 per
5 s) on the real clock, while a task blocks the whole loop with
``time.sleep(stall)`` twice. Every slot booked during a stall is in the past
when the loop resumes; before issue 12's fix they all went at once (71 sends
in one second, 307 in a 5 s window). It prints the most sends seen in any
1 s and any 5 s window, the sends that went at the same instant after each
stall, and the rate kept; it exits 1 when a 5 s window holds more than the
configured count. About 10 s plus the stalls; nothing is sent anywhere.

Send times are read just after the limiter releases each task, a few
microseconds after the time the limiter itself counts; the 5 s check uses
windows of 5 s minus 1 ms so that this reading lag cannot add one send to a
window (the strict 5 s count is printed beside it).
"""

from __future__ import annotations

import argparse
import sys
import time

import anyio

from zentrunk_async import RateLimit
from zentrunk_async._ratelimit import MAX_CATCH_UP, Limiter


def max_in_window(sent: list[float], width: float) -> int:
    """Most sends in a half-open window [t, t + width), by a sliding two-pointer pass."""
    best = 0
    start = 0
    for end, at in enumerate(sent):
        while sent[start] <= at - width:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(requests: int, stall: float) -> tuple[list[float], list[float]]:
    config = RateLimit()
    limiter = Limiter(config)
    sent: list[float] = []
    resumed: list[float] = []

    async def request() -> None:
        async with limiter.slot():
            sent.append(time.monotonic())

    async def blocker() -> None:
        for at in (1.0, 4.0):
            await anyio.sleep(at - (time.monotonic() - began))
            time.sleep(stall)  # noqa: ASYNC251 - blocking the loop is the point
            resumed.append(time.monotonic())

    began = time.monotonic()
    async with anyio.create_task_group() as tg:
        tg.start_soon(blocker)
        for _ in range(requests):
            tg.start_soon(request)
    return sorted(sent), resumed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--stall", type=float, default=1.8, help="seconds the loop is blocked")
    args = parser.parse_args(argv)
    config = RateLimit()
    sent, resumed = anyio.run(run, args.requests, args.stall, backend=args.backend)
    per_second = max_in_window(sent, 1.0)
    per_window = max_in_window(sent, config.period - 0.001)
    strict = max_in_window(sent, config.period)
    after = [sum(1 for t in sent if r <= t < r + 0.001) for r in resumed]
    rate = (len(sent) - 1) / (sent[-1] - sent[0] - len(resumed) * args.stall)
    print(f"backend={args.backend} requests={len(sent)} stalls={len(resumed)}x{args.stall:g} s")
    print(f"max sends in any 1 s window: {per_second} (bound {int((1 + MAX_CATCH_UP) * 59) + 1})")
    print(
        f"max sends in any 5 s window: {per_window} (configured {config.requests}; "
        f"{strict} counting sends read a few µs late at the window's edge)"
    )
    print(f"sends within 1 ms of each stall's end: {after}")
    print(f"rate outside the stalls: {rate:.2f}/s (configured {config.rate:g}/s)")
    return 0 if per_window <= config.requests else 1


if __name__ == "__main__":
    sys.exit(main())
