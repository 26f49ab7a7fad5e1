"""The transport writes query strings itself (one URL parse per request, not two):
the bytes on the wire must be the ones httpx's own ``params=`` would send."""

from __future__ import annotations

import httpx
import pytest
import respx

from zentrunk_async import ZentrunkClient

from .wire import ZT

pytestmark = pytest.mark.anyio

PARAMS = [
    {"limit": "20", "offset": "0"},
    {"end_time__gte": "2026-03-01 00:00:00", "to_number": "+1 415&x=y", "offset": "40"},
    {"from_number": "é/?#%20", "hangup_cause_code": "3000"},
    {},
]


@pytest.mark.parametrize("params", PARAMS)
async def test_query_string_is_what_httpx_params_would_send(
    router: respx.MockRouter, zt: ZentrunkClient, params: dict[str, str]
) -> None:
    route = router.get(url__startswith=ZT + "Call/").respond(200, json={})
    await zt._transport.call("GET", "Zentrunk/Call/", params=params, into=None, endpoint="t")
    sent = route.calls.last.request.url
    expected = httpx.URL(ZT + "Call/", params=params)
    assert str(sent) == str(expected)
    assert sent.query == expected.query
