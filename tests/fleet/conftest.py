"""Fixtures of the fleet tests: several emulated accounts behind one loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .emulated import EmulatedFleet, serve_fleet
from .stores import postgres_server, store_url  # noqa: F401  (fixtures offered here)


@pytest.fixture
def emulated_fleet() -> Iterator[EmulatedFleet]:
    with serve_fleet(5) as (fleet, _):
        yield fleet
