"""A local, stateful stand-in for Plivo's Zentrunk API (install ``zentrunk-async[emulator]``).

It speaks the wire format of the live service itself, never through the
SDK's own code, so that it can check the SDK rather than agree with it.

    emulator = Emulator(EmulatorConfig(calls=1_000_000, seed=7))
    httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))   # in-process
    with serve_in_thread(emulator) as base_url: ...                      # real socket

or from a shell: ``python -m zentrunk_async.emulator --port 8080 [--accounts N]``.
"""

from __future__ import annotations

try:
    import starlette  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "zentrunk_async.emulator needs the 'emulator' extra: pip install 'zentrunk-async[emulator]'"
    ) from exc

from ._account import Account
from ._config import (
    DEFAULT_AUTH_ID,
    DEFAULT_AUTH_TOKEN,
    EmulatorConfig,
    Faults,
)
from ._emulator import Emulator, Stats, create_app
from ._faults import ConnectionDropped
from ._server import serve_in_thread

__all__ = [
    "DEFAULT_AUTH_ID",
    "DEFAULT_AUTH_TOKEN",
    "Account",
    "ConnectionDropped",
    "Emulator",
    "EmulatorConfig",
    "Faults",
    "Stats",
    "create_app",
    "serve_in_thread",
]
