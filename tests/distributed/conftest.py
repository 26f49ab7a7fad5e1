"""The distributed tests use the fleet tests' emulated accounts and stores."""

from __future__ import annotations

from fleet.stores import postgres_server  # noqa: F401  (a fixture offered here)
