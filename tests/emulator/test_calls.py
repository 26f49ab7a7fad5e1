"""Call records: shapes, windows and filters of §7.3, paging, insights, determinism, drift."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest

from zentrunk_async.emulator import Emulator, EmulatorConfig, Faults
from zentrunk_async.emulator._cdrs import HANGUPS

from .conftest import Api, FakeClock, client_for
from .test_routing import assert_error

pytestmark = pytest.mark.anyio

DAY = 86400
CDR_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
MONEY = re.compile(r"\d+\.\d{5}")
#: Key order and types of the verbatim production CDR (§7.2).
PRODUCTION_KEYS = [
    "call_uuid", "call_id", "from_number", "to_number", "call_direction", "call_duration",
    "bill_duration", "end_time", "hangup_cause_name", "hangup_source", "total_rate",
    "total_amount", "initiation_time", "answer_time", "trunk_domain", "from_country",
    "to_country", "transport_protocol", "srtp", "hangup_cause_code", "secure_trunking",
    "secure_trunking_rate", "cnam_lookup", "cnam_lookup_rate", "stir_verification",
    "attestation_indicator", "billed_duration",
]  # fmt: skip


def fmt(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


async def pull(api: Api, **params: Any) -> list[dict[str, Any]]:
    """Every record of a listing, following offsets."""
    records: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = await api.get("/Call/", params={**params, "limit": 20, "offset": offset})
        assert page.status_code == 200, page.text
        records += page.json()["objects"]
        if page.json()["meta"]["next"] is None:
            return records
        offset += 20


@pytest.fixture
async def calls_api(clock: FakeClock) -> Any:
    emulator = Emulator(EmulatorConfig(calls=3000, seed=3, rate_limit_requests=None), clock=clock)
    async with client_for(emulator) as client:
        yield Api(client, emulator)


def check_cdr(cdr: dict[str, Any]) -> None:
    assert list(cdr) == PRODUCTION_KEYS
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", cdr["call_uuid"]
    )
    assert cdr["from_number"].startswith("+")
    assert cdr["from_number"][1:].isdigit()
    assert cdr["to_number"].startswith("+")
    assert cdr["to_number"][1:].isdigit()
    assert cdr["call_direction"] in ("inbound", "outbound")
    for key in ("end_time", "initiation_time"):
        assert CDR_TIME.fullmatch(cdr[key])
    for key in ("total_rate", "total_amount", "secure_trunking_rate", "cnam_lookup_rate"):
        assert MONEY.fullmatch(cdr[key])
    assert cdr["bill_duration"] == cdr["billed_duration"]
    assert cdr["bill_duration"] % 60 == 0
    assert cdr["bill_duration"] >= cdr["call_duration"]
    if cdr["call_duration"] == 0:
        assert cdr["answer_time"] is None
        assert cdr["total_amount"] == "0.00000" or cdr["cnam_lookup"]
    else:
        assert CDR_TIME.fullmatch(cdr["answer_time"])
        assert epoch(cdr["end_time"]) - epoch(cdr["answer_time"]) == cdr["call_duration"]
        assert cdr["initiation_time"] <= cdr["answer_time"]
    assert (cdr["hangup_cause_code"], cdr["hangup_cause_name"], cdr["hangup_source"]) in {
        (h.code, h.name, h.source) for h in HANGUPS
    }
    assert cdr["trunk_domain"].endswith(".zt.plivo.com")
    assert len(cdr["trunk_domain"].split(".")[0]) == 17
    assert cdr["transport_protocol"] in ("udp", "tcp", "tls")
    assert cdr["srtp"] is cdr["secure_trunking"] is (cdr["transport_protocol"] == "tls")
    assert cdr["stir_verification"] in ("Verified", "Not Verified", "Not Applicable")
    assert cdr["attestation_indicator"] in ("A", "B", "C")
    assert isinstance(cdr["cnam_lookup"], bool)
    assert len(cdr["from_country"]) == len(cdr["to_country"]) == 2


async def test_calls_default_page_is_newest_first_in_the_last_30_days(
    calls_api: Api, clock: FakeClock
) -> None:
    """No end_time filter: the last 30 days, newest first, 20 per page, full production shape."""
    page = (await calls_api.get("/Call/")).json()
    assert page["meta"]["limit"] == 20
    assert len(page["objects"]) == 20
    assert (
        page["meta"]["next"]
        == f"v1/Account/{calls_api.emulator.config.auth_id}/Zentrunk/Call/?limit=20&offset=20"
    )
    records = await pull(calls_api)
    assert len(records) == page["meta"]["total_count"]
    assert 800 < len(records) < 1200  # about 30/89 of 3000
    ends = [epoch(r["end_time"]) for r in records]
    assert ends == sorted(ends, reverse=True)
    assert clock.now - 30 * DAY <= min(ends)
    assert max(ends) <= clock.now
    for record in records:
        check_cdr(record)
    assert len({r["call_uuid"] for r in records}) == len(records)


async def test_calls_mix_is_plausible(calls_api: Api, clock: FakeClock) -> None:
    """Both directions, answered and failed calls, several countries and hangup sources."""
    records = await pull(calls_api)
    assert {r["call_direction"] for r in records} == {"inbound", "outbound"}
    answered = sum(r["answer_time"] is not None for r in records) / len(records)
    assert 0.6 < answered < 0.85
    assert len({r["to_country"] for r in records}) >= 6
    assert {r["hangup_source"] for r in records} == {"customer", "carrier", "zentrunk"}


async def test_calls_window_spans_89_days_and_90_day_range_limit(
    calls_api: Api, clock: FakeClock
) -> None:
    """All records lie in the last 89 days; a range over 90 days is 400, up to 90 is fine."""
    now = clock.now
    everything = await pull(calls_api, end_time__gte=fmt(now - 90 * DAY), end_time__lte=fmt(now))
    assert len(everything) == 3000
    assert_error(
        await calls_api.get(
            "/Call/", params={"end_time__gte": fmt(now - 91 * DAY), "end_time__lt": fmt(now)}
        ),
        400,
    )


@pytest.mark.parametrize("upper", ["end_time__lte", "end_time__lt"])
async def test_calls_upper_bound_without_lower_bound_is_400(
    calls_api: Api, clock: FakeClock, upper: str
) -> None:
    assert_error(await calls_api.get("/Call/", params={upper: fmt(clock.now)}), 400)


@pytest.mark.parametrize(
    "key",
    [
        "end_time__gte",
        "from_number",
        "to_number",
        "call_direction",
        "bill_duration",
        "hangup_cause_code",
        "hangup_source",
        "stir_verification",
        "limit",
        "offset",
    ],
)
async def test_calls_empty_filter_values_are_400(calls_api: Api, key: str) -> None:
    assert_error(await calls_api.get("/Call/", params={key: ""}), 400)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "21"},
        {"limit": "0"},
        {"offset": "-5"},
        {"end_time__gte": "yesterday"},
        {"call_direction": "both"},
        {"bill_duration__gt": "x"},
        {"hangup_source": "me"},
    ],
)
async def test_calls_invalid_parameters_are_400(calls_api: Api, params: dict[str, str]) -> None:
    assert_error(await calls_api.get("/Call/", params=params), 400)


async def test_calls_time_range_bounds_are_exact(calls_api: Api, clock: FakeClock) -> None:
    """gte/lte include the bound, gt/lt exclude it; minutes-only and microsecond forms parse."""
    records = await pull(calls_api, end_time__gte=fmt(clock.now - 5 * DAY))
    pivot = records[len(records) // 2]["end_time"]
    lte = await pull(calls_api, end_time__gte=fmt(clock.now - 5 * DAY), end_time__lte=pivot)
    lt = await pull(
        calls_api, end_time__gte=fmt(clock.now - 5 * DAY), end_time__lt=pivot + ".000000"
    )
    assert lte[0]["end_time"] == pivot
    assert all(r["end_time"] < pivot for r in lt)
    gt = await pull(calls_api, end_time__gt=pivot)
    assert all(r["end_time"] > pivot for r in gt)
    assert len(gt) + len(lte) == len(records)
    exact = await pull(calls_api, end_time=pivot)
    assert {r["end_time"] for r in exact} == {pivot}
    minutes = await pull(calls_api, end_time__gte=pivot[:16])
    assert len(minutes) >= len(gt)


async def test_calls_lower_bound_older_than_retention_is_clipped(
    calls_api: Api, clock: FakeClock
) -> None:
    """Only the last 90 days are retrievable: older records simply do not exist any more."""
    clock.advance(10 * DAY)
    records = await pull(calls_api, end_time__gte=fmt(clock.now - 120 * DAY))
    assert min(epoch(r["end_time"]) for r in records) >= clock.now - 90 * DAY
    assert len(records) < 3000
    gone = calls_api.emulator.calls.generator.call_uuid(2999)
    assert_error(await calls_api.get(f"/Call/{gone}/"), 404)


async def test_calls_number_filters_are_digit_prefixes_without_plus(calls_api: Api) -> None:
    """§7.3: from/to_number match digits by prefix; a "+" matches nothing."""
    sample = (await calls_api.get("/Call/")).json()["objects"][0]
    digits = sample["to_number"][1:]
    exact = await pull(calls_api, to_number=digits)
    assert sample["call_uuid"] in {r["call_uuid"] for r in exact}
    prefix = await pull(calls_api, from_number="44")
    assert prefix
    assert all(r["from_number"].startswith("+44") for r in prefix)
    plus = (await calls_api.get("/Call/", params={"to_number": sample["to_number"]})).json()
    assert plus["meta"]["total_count"] == 0
    assert plus["objects"] == []


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"call_direction": "inbound"}, lambda r: r["call_direction"] == "inbound"),
        ({"hangup_source": "zentrunk"}, lambda r: r["hangup_source"] == "zentrunk"),
        ({"hangup_cause_code": "3000"}, lambda r: r["hangup_cause_code"] == 3000),
        ({"stir_verification": "Verified"}, lambda r: r["stir_verification"] == "Verified"),
        ({"bill_duration": "60"}, lambda r: r["bill_duration"] == 60),
        (
            {"bill_duration__gt": "60", "bill_duration__lte": "300"},
            lambda r: 60 < r["bill_duration"] <= 300,
        ),
        ({"bill_duration__gte": "600"}, lambda r: r["bill_duration"] >= 600),
        ({"bill_duration__lt": "60"}, lambda r: r["bill_duration"] == 0),
    ],
)
async def test_calls_filters_select_exactly_the_matching_records(
    calls_api: Api, params: dict[str, str], check: Any
) -> None:
    everything = await pull(calls_api)
    expected = [r["call_uuid"] for r in everything if check(r)]
    got = await pull(calls_api, **params)
    assert expected
    assert [r["call_uuid"] for r in got] == expected


async def test_calls_filtered_next_link_keeps_the_filters(calls_api: Api) -> None:
    page = (await calls_api.get("/Call/", params={"call_direction": "outbound", "limit": 5})).json()
    assert page["meta"]["next"].endswith("?limit=5&offset=5&call_direction=outbound")


async def test_calls_offset_past_the_end_is_an_empty_page(calls_api: Api) -> None:
    page = (await calls_api.get("/Call/", params={"offset": 100_000})).json()
    assert page["objects"] == []
    assert page["meta"]["next"] is None
    assert page["meta"]["previous"] is not None


async def test_call_get_is_flat_and_equals_the_listed_record(any_api: Api) -> None:
    listed = (await any_api.get("/Call/", params={"limit": 3})).json()["objects"]
    for record in listed:
        got = await any_api.get(f"/Call/{record['call_uuid']}/")
        assert got.status_code == 200
        assert got.json() == record


@pytest.mark.parametrize("call_uuid", ["f3f74402-59af-40b3-909c-80c50a4b063f", "not-a-uuid"])
async def test_call_unknown_uuid_is_404(api: Api, call_uuid: str) -> None:
    assert_error(await api.get(f"/Call/{call_uuid}/"), 404)
    assert_error(await api.get(f"/Call/{call_uuid}/Insights/"), 404)


async def test_call_insights_shape(calls_api: Api) -> None:
    """§8: metrics are numeric strings, post_dial_delay a float; numbers match the CDR."""
    for record in (await calls_api.get("/Call/")).json()["objects"]:
        insights = (await calls_api.get(f"/Call/{record['call_uuid']}/Insights/")).json()
        assert list(insights) == [
            "api_id", "call_uuid", "from", "to", "hangup_cause", "hangup_source", "rtt",
            "jitter", "packet_loss", "post_dial_delay", "plivo_quality_score",
        ]  # fmt: skip
        assert insights["call_uuid"] == record["call_uuid"]
        assert insights["from"]["number"] == record["from_number"]
        assert set(insights["to"]) == {"carrier", "number", "region"}
        for key in ("rtt", "jitter", "packet_loss"):
            assert insights[key].isdigit()
        assert isinstance(insights["post_dial_delay"], float)
        score = float(insights["plivo_quality_score"])
        assert score == 0 or 1 <= score <= 5
        assert insights["hangup_cause"] == record["hangup_cause_name"]


async def test_calls_are_deterministic_per_seed(clock: FakeClock) -> None:
    """Same seed and start time, same records; another seed, other records."""
    pages = []
    for seed in (5, 5, 6):
        emulator = Emulator(EmulatorConfig(calls=100, seed=seed), clock=clock)
        async with client_for(emulator) as client:
            pages.append(
                (await client.get(f"/v1/Account/{emulator.auth_id}/Zentrunk/Call/")).json()[
                    "objects"
                ]
            )
    assert pages[0] == pages[1]
    assert pages[0] != pages[2]


async def test_drift_new_calls_shift_offsets_like_a_live_service(
    calls_api: Api, clock: FakeClock
) -> None:
    """Calls that end during a pull appear at the head and push every record one offset down."""
    first = (await calls_api.get("/Call/", params={"limit": 20})).json()
    calls_api.emulator.set_faults(drift_per_second=2.0)
    clock.advance(1.5)  # 3 new calls, ending during the interval
    second = (await calls_api.get("/Call/", params={"limit": 20, "offset": 20})).json()
    assert second["meta"]["total_count"] == first["meta"]["total_count"] + 3
    # The page at offset 20 now starts 3 records earlier than it would have.
    assert [r["call_uuid"] for r in second["objects"][:3]] == [
        r["call_uuid"] for r in first["objects"][17:]
    ]
    head = (await calls_api.get("/Call/", params={"limit": 3})).json()["objects"]
    assert all(clock.now - 1.5 - 1 <= epoch(r["end_time"]) <= clock.now for r in head)
    for record in head:
        check_cdr(record)
        assert (await calls_api.get(f"/Call/{record['call_uuid']}/")).json() == record
    # Filtered lists see the new calls too.
    inbound = await pull(calls_api, call_direction="inbound")
    expected = [r for r in await pull(calls_api) if r["call_direction"] == "inbound"]
    assert inbound == expected
    calls_api.emulator.set_faults(drift_per_second=0.0)
    clock.advance(100)
    assert calls_api.emulator.calls.drifted == 3


async def test_added_calls_come_after_the_drift_due_before_them(
    calls_api: Api, clock: FakeClock
) -> None:
    """Drift not yet landed when calls are added lands first: the list stays newest first."""
    calls_api.emulator.set_faults(drift_per_second=4.0)
    clock.advance(2.0)  # 8 calls due, none landed yet (no request since)
    calls_api.emulator.add_calls(3)
    clock.advance(0.5)  # 2 more, after the added ones
    ends = [epoch(r["end_time"]) for r in (await calls_api.get("/Call/")).json()["objects"]]
    assert calls_api.emulator.calls.drifted == 13
    assert ends == sorted(ends, reverse=True)
    assert ends[2:5] == [int(clock.now - 0.5)] * 3


async def test_drift_via_admin_calls_endpoint(api: Api) -> None:
    before = (await api.get("/Call/")).json()["meta"]["total_count"]
    response = await api.client.post("/__emulator__/calls", json={"count": 4})
    assert response.json()["drifted_calls"] == 4
    assert (await api.get("/Call/")).json()["meta"]["total_count"] == before + 4


async def test_drift_in_real_time_with_faults_at_start(clock: FakeClock) -> None:
    """Faults(drift_per_second=...) given at start-up make calls arrive from then on."""
    emulator = Emulator(EmulatorConfig(calls=10), faults=Faults(drift_per_second=10.0), clock=clock)
    async with client_for(emulator) as client:
        clock.advance(1.0)
        page = (await client.get(f"/v1/Account/{emulator.auth_id}/Zentrunk/Call/")).json()
    assert emulator.calls.drifted == 10
    assert page["meta"]["total_count"] >= 10


def test_page_at_any_offset_of_a_million_is_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page of a 1,000,000-call account costs O(log n) probes and 20 records, at any offset.

    Counted, not timed: a wall-clock bound fails on a loaded CI machine.
    """
    emulator = Emulator(EmulatorConfig(calls=1_000_000, seed=1))
    now = emulator.clock()
    from zentrunk_async.emulator._calls import Window

    store = emulator.calls
    counts = {"_end_at": 0, "_record_at": 0}
    for name in counts:
        original = getattr(store, name)

        def counted(*args: Any, _original: Any = original, _name: str = name) -> Any:
            counts[_name] += 1
            return _original(*args)

        monkeypatch.setattr(store, name, counted)
    window = Window(int(now - 90 * DAY), int(now))
    for offset in range(0, 1_000_000, 50_000):
        counts.update(dict.fromkeys(counts, 0))
        total, records = store.page(window, (), None, offset, 20)
        assert len(records) == 20
        assert total == 1_000_000
        assert counts["_record_at"] == 20  # only the page's records are built
        assert counts["_end_at"] <= 2 * (1_000_000).bit_length() + 4  # two binary searches


# -- data faults (issue 11): count and pages disagreeing on purpose ----------------------


def window_params(emulator: Emulator, days: float = 89.5) -> dict[str, str]:
    now = emulator.clock()
    return {"end_time__gte": fmt(now - days * DAY), "end_time__lt": fmt(now + 1)}


async def test_phantom_calls_are_counted_but_never_listed(calls_api: Api) -> None:
    """phantom_calls adds to total_count of every window holding them, lists none of them."""
    emulator = calls_api.emulator
    params = window_params(emulator)
    before = await pull(calls_api, **params)
    emulator.set_faults(phantom_calls=2)
    head = await calls_api.get("/Call/", params={**params, "limit": 20})
    assert head.json()["meta"]["total_count"] == len(before) + 2
    assert [r["call_uuid"] for r in await pull(calls_api, **params)] == [
        r["call_uuid"] for r in before
    ]
    phantom = emulator.calls.phantoms()[0]
    around = {"end_time__gte": fmt(phantom), "end_time__lt": fmt(phantom + 1)}
    narrow = await calls_api.get("/Call/", params=around)
    listed = narrow.json()["objects"]
    assert narrow.json()["meta"]["total_count"] == len(listed) + 1
    emulator.clear_faults()
    cleared = await calls_api.get("/Call/", params={**params, "limit": 20})
    assert cleared.json()["meta"]["total_count"] == len(before)


async def test_short_page_drops_one_record_and_keeps_the_count(calls_api: Api) -> None:
    """short_page_next: the next page lacks its last record; total_count is unchanged."""
    params = {**window_params(calls_api.emulator), "limit": 20, "offset": 40}
    full = (await calls_api.get("/Call/", params=params)).json()
    calls_api.emulator.set_faults(short_page_next=1)
    short = (await calls_api.get("/Call/", params=params)).json()
    assert short["objects"] == full["objects"][:-1]
    assert short["meta"]["total_count"] == full["meta"]["total_count"]
    again = (await calls_api.get("/Call/", params=params)).json()
    assert again["objects"] == full["objects"]


async def test_a_late_call_lands_inside_the_past_window(calls_api: Api) -> None:
    """late_call_next: one call ends inside the requested (past) window, in end-time order."""
    emulator = calls_api.emulator
    params = window_params(emulator)
    before = await pull(calls_api, **params)
    emulator.set_faults(late_call_next=1)
    after = await pull(calls_api, **params)
    assert len(after) == len(before) + 1
    late = [r for r in after if r["call_uuid"] not in {b["call_uuid"] for b in before}]
    assert len(late) == 1
    ends = [epoch(r["end_time"]) for r in after]
    assert ends == sorted(ends, reverse=True)
    assert epoch(late[0]["end_time"]) < emulator.clock() - 1
    found = await calls_api.get(f"/Call/{late[0]['call_uuid']}/")
    assert found.status_code == 200
    assert found.json()["end_time"] == late[0]["end_time"]
    # A filtered listing merges it too when it matches.
    direction = late[0]["call_direction"]
    filtered = await pull(calls_api, **params, call_direction=direction)
    assert late[0]["call_uuid"] in {r["call_uuid"] for r in filtered}
    assert all(r["call_direction"] == direction for r in filtered)


async def test_data_faults_are_validated_like_the_others(calls_api: Api) -> None:
    """Bad values raise before anything changes."""
    with pytest.raises(ValueError, match="short_page_rate"):
        calls_api.emulator.set_faults(short_page_rate=2.0)
    with pytest.raises(ValueError, match="phantom_calls"):
        calls_api.emulator.set_faults(phantom_calls=-1)
    assert calls_api.emulator.calls.faults.as_dict()["phantom_calls"] == 0
