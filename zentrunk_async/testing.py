"""pytest fixtures for testing code that uses zentrunk_async, offline (a pytest11 plugin).

pytest imports this module in every session of every project that has
zentrunk_async installed, so it imports nothing heavy here: the emulator
(Starlette, uvicorn) and the client load inside the fixtures, and a
missing ``emulator`` extra only fails the tests that ask for it.

Fixtures:

- ``zentrunk_emulator``: an in-process `Emulator` (no socket).
- ``zentrunk_emulator_server``: the same behind uvicorn on a free loopback
  port; has ``.base_url``, ``.auth_id``, ``.auth_token``, ``.emulator``.
- ``zentrunk_client_factory``: builds ``ZentrunkClient``\\ s wired to
  ``zentrunk_emulator`` through ``httpx.ASGITransport``.

Configure the emulator of a test with the ``zentrunk_emulator`` marker,
whose keyword arguments are `EmulatorConfig` fields::

    @pytest.mark.zentrunk_emulator(calls=5_000, seed=7, rate_limit_requests=None)
    async def test_pull(zentrunk_client_factory): ...

Time: ``use_fake_time(client)`` makes a client's retry backoff and pacing run
on a `FakeTime` (sleeps are recorded and pass at once), so a test of retries
never waits and never patches the SDK's private attributes::

    fake = use_fake_time(client)
    await client.trunks.get(trunk_id)   # retried twice
    assert len(fake.sleeps) == 2
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from . import ZentrunkClient
    from .emulator import Emulator


class FakeTime:
    """A clock and sleep for a client's retries and pacing: each sleep passes at once.

    `sleep` records the wait in `sleeps`, moves `now` on by it and yields to
    other tasks once. `advance` moves the clock without sleeping, like a stalled
    event loop. Meant for a few tasks; many concurrent sleepers would each move
    the shared clock. Per-attempt deadlines (``attempt_timeout``) stay on the
    event loop's own clock.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        """The fake time now, in seconds (what the client reads instead of its clock)."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record the wait, move the clock on by it, and let other tasks run once."""
        import anyio.lowlevel

        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await anyio.lowlevel.checkpoint()

    def advance(self, seconds: float) -> None:
        """Move the clock on without sleeping, like an event loop that stalled."""
        self.now += seconds


def use_fake_time(client: ZentrunkClient, fake: FakeTime | None = None) -> FakeTime:
    """Make `client` (a ``ZentrunkClient``) measure and wait with `fake` (a new one by default)."""
    fake = fake if fake is not None else FakeTime()
    client._transport.use_time(fake.clock, fake.sleep)
    return fake


__all__ = [
    "DEFAULT_TEST_CALLS",
    "EmulatorServer",
    "FakeTime",
    "use_fake_time",
    "zentrunk_client_factory",
    "zentrunk_emulator",
    "zentrunk_emulator_server",
]

#: Small enough to build instantly, large enough for several pages per filter.
DEFAULT_TEST_CALLS = 500


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "zentrunk_emulator(**config): EmulatorConfig fields for the zentrunk_emulator fixtures",
    )


class EmulatorServer:
    """A running emulator server: where it listens and how to authenticate."""

    def __init__(self, emulator: Emulator, base_url: str) -> None:
        self.emulator = emulator
        self.base_url = base_url

    @property
    def auth_id(self) -> str:
        """The emulator account's auth id."""
        return self.emulator.config.auth_id

    @property
    def auth_token(self) -> str:
        """The emulator account's auth token."""
        return self.emulator.config.auth_token

    def client_kwargs(self) -> dict[str, Any]:
        """Arguments for ``ZentrunkClient(**server.client_kwargs())``."""
        return {"auth_id": self.auth_id, "auth_token": self.auth_token, "base_url": self.base_url}

    def __repr__(self) -> str:
        return f"EmulatorServer(base_url={self.base_url!r}, auth_id={self.auth_id!r})"


def _import_emulator() -> Any:
    try:
        from . import emulator
    except ImportError as exc:
        pytest.fail(f"{exc} (the zentrunk_emulator fixtures need the 'emulator' extra)")
    return emulator


@pytest.fixture
def zentrunk_emulator(request: pytest.FixtureRequest) -> Emulator:
    """A fresh in-process emulator (500 calls, seed 0, rate limit on) per test."""
    module = _import_emulator()
    options: dict[str, Any] = {"calls": DEFAULT_TEST_CALLS}
    marker = request.node.get_closest_marker("zentrunk_emulator")
    if marker is not None:
        options.update(marker.kwargs)
    emulator: Emulator = module.Emulator(module.EmulatorConfig(**options))
    return emulator


@pytest.fixture
def zentrunk_emulator_server(zentrunk_emulator: Emulator) -> Iterator[EmulatorServer]:
    """``zentrunk_emulator`` served by uvicorn on a free 127.0.0.1 port for the test."""
    module = _import_emulator()
    with module.serve_in_thread(zentrunk_emulator) as base_url:
        yield EmulatorServer(zentrunk_emulator, base_url)


@pytest.fixture
def zentrunk_client_factory(zentrunk_emulator: Emulator) -> Callable[..., ZentrunkClient]:
    """``factory(**kwargs) -> ZentrunkClient`` talking to ``zentrunk_emulator`` in-process.

    Keyword arguments override the client's (``max_retries=0``, ``rate_limit=None``, ...).
    Use the client as ``async with factory() as zt:``; the in-process transport holds no
    socket, so nothing leaks if a test forgets.
    """

    def factory(**kwargs: Any) -> ZentrunkClient:
        import httpx

        from . import ZentrunkClient

        options: dict[str, Any] = {
            "auth_id": zentrunk_emulator.config.auth_id,
            "auth_token": zentrunk_emulator.config.auth_token,
            # Loopback plain http needs no opt-in; ASGITransport ignores the host anyway.
            "base_url": "http://127.0.0.1",
        }
        options.update(kwargs)
        if "http_client" not in options:
            options["http_client"] = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=zentrunk_emulator.app)
            )
        return ZentrunkClient(**options)

    return factory
