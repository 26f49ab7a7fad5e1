"""to_wire/from_wire, the export package and the testing fixtures are typed for users."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from typing_extensions import assert_type

from zentrunk_async import CallRecord, Trunk, ZentrunkClient, from_wire, to_wire
from zentrunk_async.emulator import Emulator, EmulatorConfig
from zentrunk_async.export import ExportSummary, export_to_file
from zentrunk_async.testing import EmulatorServer

SINCE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def wire(trunk: Trunk, body: dict[str, Any]) -> None:
    assert_type(to_wire(trunk), dict[str, Any])
    assert_type(from_wire(Trunk, body), Trunk)
    assert_type(from_wire(CallRecord, to_wire(trunk)), CallRecord)
    from_wire(Trunk, "not a mapping")  # type: ignore[arg-type]


async def export(zt: ZentrunkClient) -> None:
    summary = await export_to_file(zt, "calls.jsonl", since=SINCE)
    assert_type(summary, ExportSummary)


def fixtures(
    zentrunk_emulator: Emulator,
    zentrunk_emulator_server: EmulatorServer,
    zentrunk_client_factory: Callable[..., ZentrunkClient],
) -> None:
    assert_type(zentrunk_emulator_server.base_url, str)
    assert_type(zentrunk_emulator_server.auth_token, str)
    assert_type(zentrunk_client_factory(max_retries=0), ZentrunkClient)
    assert_type(Emulator(EmulatorConfig(calls=10)), Emulator)
