"""A multi-account emulator in its own process (``--accounts N``), pinned to the server CPU."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import attrs
import httpx

from benchmarks._server import SERVER_CPU, STARTUP_TIMEOUT, _wait_for_url, pinned


@attrs.frozen
class Served:
    base_url: str
    accounts: list[tuple[str, str]]  # (auth_id, auth_token)

    def stats(self, auth_id: str) -> dict[str, Any]:
        response = httpx.get(f"{self.base_url}/__emulator__/stats", params={"auth_id": auth_id})
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data


@contextlib.contextmanager
def accounts_emulator(
    accounts: int, *, calls: int, latency_ms: float = 0.0, rate_limit: int | None = 300
) -> Iterator[Served]:
    """``N`` accounts, each with `calls` CDRs and its own 300/5 s window (None: no limit)."""
    command = pinned(
        [
            sys.executable, "-m", "zentrunk_async.emulator",
            "--host", "127.0.0.1", "--port", "0", "--accounts", str(accounts),
            "--calls", str(calls), "--rate-limit", str(rate_limit or 0),
            "--latency-ms", str(latency_ms),
        ],
        SERVER_CPU,
    )  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base_url = _wait_for_url(proc, STARTUP_TIMEOUT)
        listed = httpx.get(f"{base_url}/__emulator__/accounts", timeout=10.0).json()
        # Every account's latency: the CLI flag sets the first one's only.
        for item in listed:
            httpx.post(
                f"{base_url}/__emulator__/faults",
                params={"auth_id": item["auth_id"]},
                json={"latency_ms": latency_ms},
                timeout=10.0,
            ).raise_for_status()
        yield Served(base_url, [(a["auth_id"], a["auth_token"]) for a in listed])
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
