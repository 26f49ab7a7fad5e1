"""Where a 429 under Plivo's limit comes from: send times at each step, client to server (issue 15).

    python benchmarks/ceiling_trace.py [--calls 20000] [--latencies 300,500]

Runs `bench_ceiling`'s default-export cell at each latency with the emulator
in its own process (started through this file, which patches it to log
times), and records four times per request, all on the machine's monotonic
clock (shared by both processes):

* *grant*: the client's limiter lets the request go (its send gate), beside
  the slot it had booked;
* *wire*: httpcore starts writing the request's headers (an httpcore trace);
* *arrive*: the emulator's fault middleware sees it, before the emulated latency;
* *admit*: the emulator's rolling window counts it, after the latency.

For each series it prints the busiest half-open 5 s window and the *margin*:
the shortest span of ``limit + 1`` (301) consecutive requests, minus 5 s. A
server counting 300 per 5 s answers 429 only when some request is delayed on
its way, relative to the one 300 after it, by more than the margin of the
series before that step; an evenly paced 295 per 5 s leaves 85 ms. It also
prints the longest garbage-collection pause on each side, and how late the
emulator counted a request beyond its emulated latency. This patches private
functions of the package and the emulator: an investigation tool, not a
benchmark of record.
"""

from __future__ import annotations

import argparse
import atexit
import bisect
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMIT = 300
PERIOD = 5.0


def watch_gc(log: list[tuple[float, int, float]]) -> None:
    """Append (when, generation, seconds) for every collection of this process."""
    started: list[float] = [0.0]

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            log.append((time.monotonic(), info["generation"], time.perf_counter() - started[0]))

    gc.callbacks.append(callback)


def serve(trace_file: str, emulator_args: list[str]) -> int:
    """The emulator, logging when requests arrive and when its window counts them."""
    from zentrunk_async.emulator import _faults, _ratelimit
    from zentrunk_async.emulator.__main__ import main

    log: dict[str, Any] = {"arrive": [], "admit": [], "reject": [], "gc": []}
    watch_gc(log["gc"])
    acquire = _ratelimit.RollingWindow.acquire
    middleware = _faults.FaultMiddleware.__call__

    def logged_acquire(self: Any, key: str) -> float | None:
        wait = acquire(self, key)
        log["admit" if wait is None else "reject"].append(time.monotonic())
        return wait

    async def logged_call(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            log["arrive"].append(time.monotonic())
        await middleware(self, scope, receive, send)

    _ratelimit.RollingWindow.acquire = logged_acquire  # type: ignore[method-assign]
    _faults.FaultMiddleware.__call__ = logged_call  # type: ignore[method-assign]
    atexit.register(lambda: Path(trace_file).write_text(json.dumps(log)))
    return main(emulator_args)


def busiest(times: list[float]) -> int:
    return max((bisect.bisect_left(times, t + PERIOD) - i for i, t in enumerate(times)), default=0)


def margin(times: list[float]) -> float | None:
    spans = [b - a for a, b in zip(times, times[LIMIT:], strict=False)]
    return min(spans) - PERIOD if spans else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument(
        "--latencies", type=lambda s: [float(x) for x in s.split(",")], default=[300.0, 500.0]
    )
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:  # the emulator's process (see the command below)
        return serve(argv[1], argv[2:])
    args = parser.parse_args(argv)

    import httpx

    from benchmarks import bench_ceiling
    from benchmarks._server import EmulatorProcess
    from zentrunk_async import _ratelimit

    grants: list[float] = []
    booked: list[float] = []
    wires: list[float] = []
    client_gc: list[tuple[float, int, float]] = []
    watch_gc(client_gc)
    gate = _ratelimit.Limiter._send_gate
    book = _ratelimit.Limiter._book

    def logged_book(self: Any) -> Any:
        booking = book(self)
        booked.append(booking.at)
        return booking

    handle = httpx.AsyncHTTPTransport.handle_async_request

    def logged_gate(self: Any, now: float) -> float:
        wait = gate(self, now)
        if wait == 0.0:
            grants.append(now)
        return wait

    async def trace(event: str, info: Any) -> None:
        if event == "http11.send_request_headers.started":
            wires.append(time.monotonic())

    async def traced(self: Any, request: httpx.Request) -> httpx.Response:
        request.extensions["trace"] = trace
        return await handle(self, request)

    _ratelimit.Limiter._send_gate = logged_gate  # type: ignore[method-assign]
    _ratelimit.Limiter._book = logged_book  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = traced  # type: ignore[method-assign]

    trace_file = os.path.join(tempfile.mkdtemp(prefix="ceiling_trace"), "server.json")
    emulator = EmulatorProcess(calls=args.calls, rate_limit=LIMIT)
    at = emulator.command.index("-m")
    emulator.command[at : at + 2] = [str(Path(__file__).resolve()), "--serve", trace_file]
    bench_ceiling.pin_client()
    cells = []
    with emulator:
        for latency in args.latencies:
            began, counted = time.monotonic(), (len(grants), len(wires), len(booked))
            row = bench_ceiling.run_cell(emulator, "adaptive", latency, None)
            cells.append(
                (
                    latency,
                    began,
                    time.monotonic(),
                    counted,
                    (len(grants), len(wires), len(booked)),
                    row,
                )
            )
    server = json.loads(Path(trace_file).read_text())
    for latency, began, ended, (g0, w0, b0), (g1, w1, b1), row in cells:

        def during(times: list[float], began: float = began, ended: float = ended) -> list[float]:
            return sorted(t for t in times if began <= t <= ended + 1.0)

        series = {
            "grant": sorted(grants[g0:g1]),
            "wire": sorted(wires[w0:w1]),
            "arrive": during(server["arrive"]),
            "admit": during(server["admit"]),
        }
        print(
            f"{latency:g} ms: {row['share']:.1%} of 60/s, {row['server_429']} x 429, "
            f"{row['http_requests']} requests"
        )
        for name, times in series.items():
            left = margin(times)
            shown = "-" if left is None else f"{1000 * left:.0f} ms"
            print(f"  {name:<6} busiest 5 s: {busiest(times)}, margin to {LIMIT}: {shown}")
        admitted = sorted(series["admit"] + during(server["reject"]))
        # Paired in order: the emulator counts them in the order they arrived, bar jitter.
        late = sorted(
            b - a - latency / 1000 for a, b in zip(series["arrive"], admitted, strict=False)
        )
        if late:
            print(
                f"  counted after the latency by: median {1000 * late[len(late) // 2]:.1f} ms, "
                f"worst {1000 * late[-1]:.1f} ms"
            )
        # Paired in order too: without 429s no booking is redrawn.
        lags = [g - b for g, b in zip(series["grant"], sorted(booked[b0:b1]), strict=False)]
        if lags:
            behind, last = sorted(lags), sorted(lags[-len(lags) // 10 :])
            print(
                f"  granted after the booked slot by: median {1000 * behind[len(behind) // 2]:.1f}"
                f" ms (last tenth of the cell {1000 * last[len(last) // 2]:.1f} ms),"
                f" worst {1000 * behind[-1]:.1f} ms"
            )
        for side, pauses in (("client", client_gc), ("server", server["gc"])):
            worst = max(
                (p for p in pauses if began <= p[0] <= ended), key=lambda p: p[2], default=None
            )
            if worst is not None:
                print(
                    f"  longest GC pause, {side}: {1000 * worst[2]:.1f} ms (generation {worst[1]})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
