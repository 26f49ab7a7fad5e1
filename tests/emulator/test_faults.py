"""Rate limiting and injected faults, set at start-up, through the handle and the admin routes."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from zentrunk_async.emulator import ConnectionDropped, Emulator, EmulatorConfig, Faults

from .conftest import Api, FakeClock, client_for
from .test_routing import assert_error

pytestmark = pytest.mark.anyio


async def statuses(api: Api, n: int) -> list[int]:
    return [(await api.get("/Trunk/")).status_code for _ in range(n)]


async def test_rate_limit_rolling_window(clock: FakeClock) -> None:
    """N requests per rolling period are admitted; the next gets 429 and the error body."""
    config = EmulatorConfig(calls=0, rate_limit_requests=3, rate_limit_period=5.0)
    emulator = Emulator(config, clock=clock)
    async with client_for(emulator) as client:
        api = Api(client, emulator)
        assert await statuses(api, 3) == [200, 200, 200]
        limited = await api.get("/Trunk/")
        assert_error(limited, 429)
        assert "retry-after" not in limited.headers  # §9.3: Plivo documents none
        clock.advance(2.0)
        assert await statuses(api, 1) == [429]
        clock.advance(3.0)  # the first three leave the window together
        assert await statuses(api, 4) == [200, 200, 200, 429]
    assert emulator.stats.rate_limited == 3


async def test_rate_limit_default_is_300_per_5_seconds(clock: FakeClock) -> None:
    emulator = Emulator(EmulatorConfig(calls=0), clock=clock)
    async with client_for(emulator) as client:
        codes = await statuses(Api(client, emulator), 301)
    assert codes.count(200) == 300
    assert codes[-1] == 429


async def test_rate_limit_retry_after_is_optional(clock: FakeClock) -> None:
    config = EmulatorConfig(
        calls=0, rate_limit_requests=1, rate_limit_period=5.0, rate_limit_retry_after=True
    )
    emulator = Emulator(config, clock=clock)
    async with client_for(emulator) as client:
        api = Api(client, emulator)
        await api.get("/Trunk/")
        clock.advance(1.2)
        assert (await api.get("/Trunk/")).headers["retry-after"] == "4"


async def test_rate_limit_switch_off_and_change_at_runtime(api: Api) -> None:
    """Through the handle and the admin route; None switches limiting off."""
    api.emulator.set_rate_limit(None)
    assert set(await statuses(api, 310)) == {200}
    response = await api.client.post("/__emulator__/rate_limit", json={"requests": 2, "period": 60})
    assert response.json() == {"requests": 2, "period": 60.0}
    assert await statuses(api, 3) == [200, 200, 429]
    await api.client.post("/__emulator__/rate_limit", json={"requests": None})
    assert await statuses(api, 2) == [200, 200]


async def test_fault_latency_with_jitter(any_api: Api) -> None:
    any_api.emulator.set_faults(latency_ms=40, latency_jitter_ms=20, seed=1)
    started = time.perf_counter()
    assert (await any_api.get("/Trunk/")).status_code == 200
    assert time.perf_counter() - started >= 0.04


async def test_fault_5xx_next_and_probability(any_api: Api) -> None:
    any_api.emulator.set_faults(error_next=2, error_status=502)
    first = await any_api.get("/Trunk/")
    assert_error(first, 502)
    assert await statuses(any_api, 2) == [502, 200]
    any_api.emulator.set_faults(error_rate=1.0)
    assert_error(await any_api.get("/Trunk/"), 502)


@pytest.mark.parametrize(("retry_after", "header"), [(None, None), (1.5, "2")])
async def test_fault_429_burst(any_api: Api, retry_after: float | None, header: str | None) -> None:
    """The next K requests get 429, with or without Retry-After; then service resumes."""
    any_api.emulator.set_faults(rate_limit_burst=2, retry_after=retry_after)
    first = await any_api.get("/Trunk/")
    assert_error(first, 429)
    assert first.headers.get("retry-after") == header
    assert await statuses(any_api, 2) == [429, 200]


async def test_fault_dropped_connection(any_api: Api) -> None:
    """Headers and half the body, then the connection closes: the client sees a protocol error."""
    any_api.emulator.set_faults(drop_next=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await any_api.get("/Call/")
    assert (await any_api.get("/Call/")).status_code == 200
    assert any_api.emulator.stats.faults["drop"] == 1


async def test_fault_dropped_connection_in_process_is_an_httpx_error(api: Api) -> None:
    """In-process the same failure surfaces as httpx's own error type."""
    api.emulator.set_faults(drop_rate=1.0)
    with pytest.raises(ConnectionDropped) as info:
        await api.get("/Trunk/")
    assert isinstance(info.value, httpx.TransportError)


async def test_fault_truncated_json(any_api: Api) -> None:
    any_api.emulator.set_faults(truncate_next=1)
    response = await any_api.get("/Call/")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(ValueError, match=r".+"):
        response.json()
    assert (await any_api.get("/Call/")).json()["objects"]


@pytest.mark.parametrize("status", [200, 502])
async def test_fault_html_body(any_api: Api, status: int) -> None:
    any_api.emulator.set_faults(html_rate=1.0, html_status=status)
    response = await any_api.get("/Trunk/")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<html>")


async def test_faults_are_deterministic_per_seed() -> None:
    """The same fault seed gives the same sequence of outcomes."""
    runs = []
    for _ in range(2):
        emulator = Emulator(EmulatorConfig(calls=0), faults=Faults(error_rate=0.5, seed=9))
        async with client_for(emulator) as client:
            runs.append(await statuses(Api(client, emulator), 30))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 503}


async def test_faults_never_touch_admin_routes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Admin routes bypass the fault plan entirely (counted, not timed)."""
    api.emulator.set_faults(error_rate=1.0, drop_rate=1.0, latency_ms=500)
    planned: list[object] = []
    monkeypatch.setattr(api.emulator, "plan_faults", lambda: planned.append(1))
    assert (await api.client.get("/__emulator__/stats")).status_code == 200
    assert planned == []


async def test_admin_faults_endpoint(api: Api) -> None:
    """POST a partial object to change faults at runtime; bad names or values are 400."""
    response = await api.client.post("/__emulator__/faults", json={"error_next": 1, "seed": 3})
    assert response.status_code == 200
    assert response.json()["error_next"] == 1
    assert api.emulator.faults.error_next == 1
    assert (await api.get("/Trunk/")).status_code == 503
    assert (await api.client.post("/__emulator__/faults", json={"nope": 1})).status_code == 400
    assert (
        await api.client.post("/__emulator__/faults", json={"error_rate": 2})
    ).status_code == 400
    assert (await api.client.get("/__emulator__/faults")).json()["error_next"] == 0


async def test_admin_stats_and_reset(api: Api) -> None:
    api.emulator.set_faults(rate_limit_burst=1, truncate_next=1)
    await statuses(api, 3)
    stats: dict[str, Any] = (await api.client.get("/__emulator__/stats")).json()
    assert stats["requests"] == 2  # the burst 429 never reached the API
    assert stats["responses_429"] == 1
    assert stats["statuses"] == {"200": 2, "429": 1}
    assert stats["faults"] == {"truncate": 1}
    assert stats["calls"] == api.emulator.config.calls
    api.emulator.set_faults(error_rate=1.0)
    reset = (await api.client.post("/__emulator__/reset")).json()
    assert reset["faults"]["error_rate"] == 0.0
    assert reset["stats"]["requests"] == 0
    assert (await api.client.delete("/__emulator__/stats")).json()["requests"] == 0


def test_faults_validate_values() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)
    faults = Faults()
    with pytest.raises(ValueError, match="unknown"):
        faults.update(bogus=1)
    with pytest.raises(ValueError, match="drop_rate"):
        faults.update(error_rate=0.5, drop_rate=-1)
    assert faults.error_rate == 0.0  # nothing changes when one value is bad
