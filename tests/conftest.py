from __future__ import annotations

import pytest

# Recent anyio silently skips a backend whose library is missing, so a suite
# without trio would stay green while testing half as much: import it here so
# that its absence fails the run instead.
import trio  # noqa: F401


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run every `@pytest.mark.anyio` test on both backends."""
    return str(request.param)
