"""The README's "Resources" example runs as written against the emulator."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from zentrunk_async import ZentrunkClient
from zentrunk_async.emulator import Emulator

pytestmark = pytest.mark.anyio

README = Path(__file__).parents[2] / "README.md"


def resources_example() -> str:
    text = README.read_text()
    section = text.split("### Resources", 1)[1].split("\n### ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the Resources section has no python block"
    return found.group(1)


async def test_readme_resources_example_runs(
    zt: ZentrunkClient, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Credential rotation, routing, guarded delete and calls, exactly as the README shows."""
    source = "async def example(zt, call_uuid):\n" + textwrap.indent(resources_example(), "    ")
    namespace: dict[str, Any] = {}
    exec(compile(source, str(README), "exec"), namespace)
    call_uuid = (await zt.calls.list(max_items=1).collect())[0].call_uuid
    await namespace["example"](zt, call_uuid)
    out = capsys.readouterr().out
    assert "still routed: ['14155550100']" in out
    store = emulator.store
    assert store.trunks == {}  # both trunks deleted, the guarded one after unrouting
    (credential,) = store.credentials.values()
    assert (credential["username"], credential["_password"]) == ("pbxuser1", "N3wpass!")
    assert store.numbers.routes["14155550100"] is None
