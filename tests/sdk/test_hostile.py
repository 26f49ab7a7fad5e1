"""Every failure is a ZentrunkError: hostile bodies and ids; errors that travel (issue 12)."""

from __future__ import annotations

import copy
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import httpx
import pytest
import respx

import zentrunk_async
import zentrunk_async.export
from zentrunk_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    WriteOutcome,
    ZentrunkClient,
    ZentrunkError,
    export,
)
from zentrunk_async.export import CheckpointMismatchError, IncompleteExportError, Residue

from .wire import AUTH_ID, TOKEN, ZT

pytestmark = pytest.mark.anyio

CALL = "8fde2db4-e7e0-43ce-a6ea-5690fe402e38"
INSIGHTS = {
    "api_id": "a63d",
    "call_uuid": CALL,
    "from": {"carrier": "V", "number": "+12025551234", "region": "US"},
    "to": {"carrier": "A", "number": "+13128574907", "region": "US"},
    "hangup_cause": "normal_hangup",
    "hangup_source": "customer",
    "rtt": "24",
    "jitter": "3",
    "packet_loss": "0",
    "post_dial_delay": 1000.0,
    "plivo_quality_score": "4.2",
}


def insights_with(raw_rtt: str) -> bytes:
    body = httpx.Response(200, json={**INSIGHTS, "rtt": "RTT"}).content
    return body.replace(b'"RTT"', raw_rtt.encode())


HOSTILE_INSIGHTS = {
    "NaN literal": insights_with("NaN"),
    "Infinity literal": insights_with("-Infinity"),
    "1e400 (overflows to inf)": insights_with("1e400"),
    "a 400-digit integer": insights_with("1" + "0" * 400),
    '"nan" as a metric string': insights_with('"nan"'),
    '"inf" as a metric string': insights_with('"inf"'),
    "a 5,000-digit integer": insights_with("9" * 5000),
    "nesting 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "nesting inside a field": insights_with("[" * 3000 + "]" * 3000),
}


@pytest.mark.parametrize("body", HOSTILE_INSIGHTS.values(), ids=HOSTILE_INSIGHTS.keys())
async def test_hostile_bodies_raise_response_decode_error(
    router: respx.MockRouter, zt: ZentrunkClient, body: bytes
) -> None:
    router.get(ZT + f"Call/{CALL}/Insights/").respond(200, content=body)
    router.get(ZT + f"Call/{CALL}/").respond(200, content=body)
    with pytest.raises(ResponseDecodeError):
        await zt.calls.insights(CALL)
    with pytest.raises(ResponseDecodeError):
        await zt.calls.get(CALL)


async def test_a_time_that_overflows_is_a_decode_error(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    from reference_bodies import PROD_CDR

    cdr = {**PROD_CDR, "end_time": "9999-12-31T23:59:59-23:59"}  # UTC is past year 9999
    router.get(ZT + f"Call/{CALL}/").respond(200, json=cdr)
    with pytest.raises(ResponseDecodeError):
        await zt.calls.get(CALL)


@pytest.mark.parametrize("body", HOSTILE_INSIGHTS.values(), ids=HOSTILE_INSIGHTS.keys())
async def test_hostile_error_bodies_still_give_the_status_error(
    router: respx.MockRouter, zt: ZentrunkClient, body: bytes
) -> None:
    router.get(ZT + f"Call/{CALL}/").respond(503, content=body)
    with pytest.raises(ServerError) as info:
        await zt.calls.get(CALL)
    str(info.value)  # and the message prints


BAD_IDS = ["123\n", "abc\n", "a\nb", "abc\r", "abc\x00", "abc\t", "ab c", "ab/c", "é" * 5, "..", ""]


def id_calls(zt: ZentrunkClient, bad: str) -> list[Any]:
    return [
        lambda: zt.trunks.get(bad),
        lambda: zt.trunks.delete(bad),
        lambda: zt.trunks.update(bad, name="x", trunk_direction="outbound"),
        lambda: zt.credentials.get(bad),
        lambda: zt.credentials.delete(bad),
        lambda: zt.ip_acls.get(bad),
        lambda: zt.ip_acls.delete(bad),
        lambda: zt.origination_uris.get(bad),
        lambda: zt.origination_uris.delete(bad),
        lambda: zt.calls.get(bad),
        lambda: zt.calls.insights(bad),
        lambda: zt.trunks.create(trunk_direction="outbound", ipacl_uuid=bad),
    ]


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
async def test_ids_with_control_characters_are_refused_before_any_request(
    router: respx.MockRouter, zt: ZentrunkClient, bad: str
) -> None:
    """``$`` matches before a trailing newline; the id checks use fullmatch."""
    for call in id_calls(zt, bad):
        with pytest.raises(InvalidArgumentError):
            await call()
    assert not router.calls


@pytest.mark.parametrize("bad", ["2026-01-01 00:00\n", "2026-01-01 00:00:00\n"], ids=repr)
async def test_filter_times_with_a_trailing_newline_are_refused(
    router: respx.MockRouter, zt: ZentrunkClient, bad: str
) -> None:
    with pytest.raises(InvalidArgumentError):
        await zt.calls.list(end_time__gte=bad).collect()
    assert not router.calls


@pytest.mark.parametrize("auth_id", ["MA1234\n", "MAé123", "MA٣٣٣"], ids=repr)
def test_auth_id_must_be_ascii_letters_and_digits(auth_id: str) -> None:
    with pytest.raises(InvalidArgumentError, match="auth_id"):
        ZentrunkClient(auth_id, TOKEN)


# --- errors that travel --------------------------------------------------------

URL = ZT + "Trunk/1/"


def every_error() -> list[ZentrunkError]:
    common: dict[str, Any] = {"method": "POST", "url": URL, "api_id": "a1", "attempts": 2}
    status = [
        cls("boom", status_code=code, body={"api_id": "a1", "error": "boom"}, **common)
        for cls, code in [
            (zentrunk_async.BadRequestError, 400),
            (zentrunk_async.AuthenticationError, 401),
            (zentrunk_async.PermissionDeniedError, 403),
            (NotFoundError, 404),
            (zentrunk_async.MethodNotAllowedError, 405),
            (ServerError, 503),
            (APIStatusError, 409),
        ]
    ]
    errors: list[ZentrunkError] = [
        ZentrunkError("plain"),
        InvalidArgumentError("limit must be 1-20"),
        *status,
        RateLimitError("slow down", retry_after=2.0, status_code=429, **common),
        APIConnectionError("connection failed", method="GET", url=URL, attempts=4),
        APITimeoutError("timed out", method="POST", url=URL),
        ResponseDecodeError(
            "not JSON", endpoint="trunks.get", method="GET", url=URL, status_code=200, snippet="<"
        ),
        IncompleteExportError([], exported=3),
        CheckpointMismatchError("the checkpoint was written by another export"),
        zentrunk_async.TrunkInUseError("t1", ["14155550100"]),
        export.CheckpointError("the checkpoint's line 3 is not JSON"),
        export.CheckpointExistsError("calls.jsonl has a checkpoint: --resume or --restart"),
        export.ExportFileMismatchError("calls.jsonl.part is shorter than its checkpoint"),
        export.ExportInProgressError("another export is writing calls.jsonl"),
        export.IncompleteFileExportError(
            [],
            exported=3,
            summary=export.ExportSummary(
                records=3,
                pages=1,
                requests=1,
                elapsed=0.5,
                path=None,
                checkpoint_path=None,
                resumed=False,
            ),
        ),
    ]
    for error, outcome in zip(errors[2:], WriteOutcome, strict=False):
        error.outcome = outcome
    return errors


def test_every_public_error_class_is_covered() -> None:
    """A new exception class must join `every_error` (and so the pickling tests)."""
    public = {
        obj
        for module in (zentrunk_async, zentrunk_async.export)
        for name in module.__all__
        if isinstance(obj := getattr(module, name), type) and issubclass(obj, ZentrunkError)
    }
    assert public <= {type(error) for error in every_error()}


def _same(a: ZentrunkError, b: ZentrunkError) -> None:
    assert type(a) is type(b)
    assert str(a) == str(b)
    assert a.args == b.args
    assert vars(a) == vars(b)
    assert a.outcome is b.outcome


@pytest.mark.parametrize("error", every_error(), ids=lambda e: type(e).__name__)
def test_errors_pickle_and_copy(error: ZentrunkError) -> None:
    for clone in (
        pickle.loads(pickle.dumps(error)),
        copy.copy(error),
        copy.deepcopy(error),
    ):
        _same(error, clone)


def raise_in_worker(index: int) -> None:
    raise every_error()[index]


def test_errors_survive_a_process_pool_round_trip() -> None:
    """A worker's NotFoundError (or any SDK error) reaches the parent as itself."""
    errors = every_error()
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(raise_in_worker, i) for i in range(len(errors))]
        for future, error in zip(futures, errors, strict=True):
            raised = future.exception(timeout=60)
            assert isinstance(raised, ZentrunkError)
            _same(error, raised)


async def test_a_real_error_pickles_without_the_token(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    import base64

    router.post(ZT + "Trunk/").respond(401, json={"api_id": "a", "error": "Authentication failed"})
    with pytest.raises(zentrunk_async.AuthenticationError) as info:
        await zt.trunks.create(trunk_direction="outbound", ipacl_uuid=CALL)
    data = pickle.dumps(info.value)
    assert TOKEN.encode() not in data
    assert base64.b64encode(f"{AUTH_ID}:{TOKEN}".encode()) not in data
    assert pickle.loads(data).outcome is WriteOutcome.NOT_ACTED


def test_residue_is_exported() -> None:
    assert Residue  # IncompleteExportError's payload pickles with it
