"""The CDRs served for a seed are a fixed function of it: digests recorded before the
generator was optimised, so a faster generator must serve byte-identical pages."""

from __future__ import annotations

import hashlib
import json

import pytest

from zentrunk_async.emulator import Emulator, EmulatorConfig
from zentrunk_async.emulator._callquery import parse_call_query
from zentrunk_async.emulator._calls import CallStore

from .conftest import client_for

STARTED = 1_780_000_000.0

QUERIES: list[list[tuple[str, str]]] = [
    [],
    [("offset", "0")],
    [("offset", "40"), ("limit", "7")],
    [("offset", "1234")],
    [
        ("end_time__gte", "2026-03-01 00:00"),
        ("end_time__lte", "2026-04-01 00:00"),
        ("offset", "60"),
    ],
    [("call_direction", "inbound"), ("offset", "20")],
    [("from_number", "1"), ("bill_duration__gt", "60"), ("offset", "100")],
    [("hangup_source", "carrier"), ("stir_verification", "Verified")],
    [("hangup_cause_code", "3000"), ("to_number", "44"), ("end_time__gte", "2026-02-01 00:00")],
]

#: sha256 of every page above, then records, ids and insights of a few sequence numbers.
GOLDEN = {
    (1, 5000): "ad52738cb1706630e94c435275e5d06dd342f6042a4286d6947fe46682e1b69c",
    (42, 20000): "faf0abc53c41f8ac1194b71fedd3caa07313ec1e5ca477a12eb41d67ef5e2859",
    (7, 1000): "b38ce918f415f13bf7849e05402b1c071d719a018d3685d7d2228abe5c990318",
}


def _digest(seed: int, calls: int) -> str:
    store = CallStore(calls, seed, STARTED)
    store.add_calls([STARTED - 5, STARTED - 3, STARTED - 1])
    h = hashlib.sha256()
    for params in QUERIES:
        q = parse_call_query(params, STARTED + 10)
        total, objects = store.page(q.window, q.filters, q.predicate, q.offset, q.limit)
        h.update(json.dumps([total, objects], ensure_ascii=False, separators=(",", ":")).encode())
    for g in (0, 1, 7, calls - 1, calls, calls + 2):
        h.update(json.dumps(store.generator.record(g, 1_779_000_000)).encode())
        h.update(store.generator.call_uuid(g).encode())
        h.update(json.dumps(store.generator.insights(g, "x")).encode())
    # Enough records that every branch (answered or not, each direction, TLS, CNAM) is hit.
    gen = store.generator
    h.update(json.dumps([gen.record(g, gen.base_end(g)) for g in range(1500)]).encode())
    return h.hexdigest()


@pytest.mark.parametrize(("seed", "calls"), list(GOLDEN))
def test_pages_are_byte_identical_to_the_recorded_ones(seed: int, calls: int) -> None:
    assert _digest(seed, calls) == GOLDEN[(seed, calls)]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "params",
    [
        {"offset": "0"},
        {"offset": "40", "limit": "5", "call_direction": "outbound"},
        {"end_time__gte": "2026-03-01 00:00", "to_number": "4 4+é", "offset": "20"},
    ],
)
async def test_cdr_list_body_is_what_json_dumps_writes(params: dict[str, str]) -> None:
    """The list route may render with orjson: its bytes must be JSONResponse's own."""
    emulator = Emulator(EmulatorConfig(calls=3000, seed=5), clock=lambda: STARTED)
    async with client_for(emulator) as client:
        path = f"/v1/Account/{emulator.config.auth_id}/Zentrunk/Call/"
        response = await client.get(path, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = json.loads(response.content)
    assert body["meta"]["offset"] == int(params["offset"])
    rendered = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    assert response.content == rendered.encode()
