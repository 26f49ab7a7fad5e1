"""The emulator in its own process, so client and server never share a GIL or a core.

Each benchmark cell measures a *client*; a server in the same process would
steal its CPU and blur every figure. `EmulatorProcess` starts
``python -m zentrunk_async.emulator`` on a free loopback port, waits for its
"listening on" line (bounded), steers it through the ``/__emulator__/``
admin routes, and stops it by its own PID. With ``taskset`` available the
server is pinned to CPU 0 and clients to CPU 1 (performance-lab.md, Method).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from types import TracebackType
from typing import Any

import httpx

from zentrunk_async.emulator._config import DEFAULT_AUTH_ID, DEFAULT_AUTH_TOKEN

AUTH_ID = DEFAULT_AUTH_ID
AUTH_TOKEN = DEFAULT_AUTH_TOKEN

#: A cold start on a loaded 2-core box (1M calls build lazily, so this is imports).
STARTUP_TIMEOUT = 30.0

SERVER_CPU = "0"
CLIENT_CPU = "1"


def pinned(command: list[str], cpu: str) -> list[str]:
    """`command` pinned to one CPU when `taskset` exists and the machine has two or more."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", cpu, *command]
    return command


class EmulatorProcess:
    """``with EmulatorProcess(calls=..., latency_ms=...) as emu: emu.base_url``."""

    def __init__(
        self,
        *,
        calls: int,
        seed: int = 0,
        latency_ms: float = 0.0,
        rate_limit: int | None = None,
    ) -> None:
        self.calls = calls
        self.command = pinned(
            [
                sys.executable, "-m", "zentrunk_async.emulator",
                "--host", "127.0.0.1", "--port", "0",
                "--calls", str(calls), "--seed", str(seed),
                "--rate-limit", str(rate_limit or 0),
                "--latency-ms", str(latency_ms),
            ],
            SERVER_CPU,
        )  # fmt: skip
        self.base_url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._admin: httpx.Client | None = None

    def __enter__(self) -> EmulatorProcess:
        self._proc = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        self.base_url = _wait_for_url(self._proc, STARTUP_TIMEOUT)
        assert self.base_url.startswith("http://127.0.0.1:"), self.base_url
        self._admin = httpx.Client(base_url=self.base_url, timeout=10.0)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._admin is not None:
            self._admin.close()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    # -- steering (admin routes are never rate-limited nor faulted) -----------------

    def _admin_call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self._admin is not None
        response = self._admin.request(method, f"/__emulator__/{path}", json=body)
        response.raise_for_status()
        return response.json()

    def set_latency(self, latency_ms: float) -> None:
        self._admin_call("POST", "faults", {"latency_ms": latency_ms})

    def set_faults(self, **faults: Any) -> None:
        self._admin_call("POST", "faults", faults)

    def set_rate_limit(self, requests: int | None, period: float = 5.0) -> None:
        self._admin_call("POST", "rate_limit", {"requests": requests, "period": period})

    def reset_stats(self) -> None:
        self._admin_call("DELETE", "stats")

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self._admin_call("GET", "stats")
        return stats


def _wait_for_url(proc: subprocess.Popen[str], timeout: float) -> str:
    """The base URL from the emulator's first line; a thread bounds the blocking read."""
    found: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "listening on" in line:
                found.append(line.rsplit(" ", 1)[1].strip())
                break
        # Keep draining so a chatty server never blocks on a full pipe.
        for _ in proc.stdout:
            pass

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found:
        if proc.poll() is not None:
            raise RuntimeError(f"emulator exited with {proc.returncode} before listening")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"emulator not listening after {timeout} s")
        time.sleep(0.02)
    return found[0]
