"""Reading a response body under our bounds, and parsing it without surprises.

The server decides how much it sends and how; we decide how much we read.
`read_body` streams the body and stops at the client's byte cap, and turns
every way a body can fail to arrive (cut off, bad ``Content-Encoding``,
oversized) into a `Body` with a `Problem` instead of an exception, so the
transport decides what each means for the request (retry a read, report a
write as done). `loads_json` parses with orjson's speed and the stdlib's
answers, refusing what JSON data from the API never holds (NaN, infinities).
"""

from __future__ import annotations

import contextlib
import enum
import json
import math
import zlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, NamedTuple, cast

import httpx

try:  # an optional speed-up, never a requirement: stdlib json is the reference
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised where orjson is absent
    _orjson = None  # type: ignore[assignment]

#: Characters of a body quoted in error messages.
SNIPPET = 120

# Every digit becomes "0", everything else a space: a run of 19 zeros in the
# translation marks a number orjson might read differently (see `loads_json`).
_DIGITS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGIT_RUN = b"0" * 19

#: What parsing a hostile body may raise besides ValueError: nesting deeper
#: than the interpreter's recursion limit (about 1,000 levels) and numbers too
#: big for a float or a date.
PARSE_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    UnicodeDecodeError,
    RecursionError,
    OverflowError,
)


class Problem(enum.Enum):
    """Why a body could not be read whole."""

    TOO_BIG = "too big"  # deterministic: retrying would fetch the same flood
    BROKEN = "broken"  # cut off or undecodable: a read may succeed next time
    LATE = "late"  # the attempt's deadline passed while it arrived


class Body(NamedTuple):
    """A response with its body as read: `content` is complete unless `problem` is set."""

    response: httpx.Response
    content: bytes
    problem: Problem | None = None
    reason: str = ""


async def read_body(response: httpx.Response, limit: int) -> Body:
    """The decoded body, or a `Problem` once it passes `limit` bytes or fails to arrive."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return _too_big(response, limit, f"declares {declared} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        # Decoded bytes are counted, not wire bytes: a compressed bomb is what
        # memory holds after decompression.
        async with contextlib.aclosing(_decoded(response, limit)) as decoded:
            async for chunk in decoded:
                size += len(chunk)
                if size > limit:
                    return _too_big(response, limit, f"passed {limit} bytes and was still coming")
                chunks.append(chunk)
    except httpx.DecodingError as exc:
        encoding = response.headers.get("content-encoding", "")
        return Body(
            response, b"", Problem.BROKEN, f"cannot undo Content-Encoding {encoding!r} ({exc})"
        )
    except httpx.TransportError as exc:
        return Body(
            response, b"", Problem.BROKEN, f"the body was cut off: {type(exc).__name__}: {exc}"
        )
    return Body(response, b"".join(chunks))


def _decoded(response: httpx.Response, limit: int) -> AsyncGenerator[bytes, None]:
    """The body's decoded bytes; gzip is inflated at most ``limit + 1`` bytes per step.

    httpx inflates each network chunk whole, and 64 KB of gzip can hold 64 MB:
    for gzip (what servers send) we inflate ourselves, with a bound, so the
    cap is hit before memory is. Other encodings go through httpx; without
    any, the raw bytes are the body. httpx's generators are returned as they
    are, for `read_body` to close in its own task when it stops early: left to
    the garbage collector they would be finalised outside any loop.
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if not encoding and not response.is_stream_consumed:  # consumed: built from bytes, read
        return _generator(response.aiter_raw())
    if encoding not in ("gzip", "x-gzip"):
        return _generator(response.aiter_bytes())
    return _inflated(response, limit)


async def _inflated(response: httpx.Response, limit: int) -> AsyncGenerator[bytes, None]:
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        async with contextlib.aclosing(_generator(response.aiter_raw())) as raws:
            async for raw in raws:
                data = raw
                while data:
                    yield inflater.decompress(data, limit + 1)
                    data = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(str(exc)) from None


def _generator(chunks: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    """httpx's body iterators are async generators, typed as iterators."""
    return cast("AsyncGenerator[bytes, None]", chunks)


def _too_big(response: httpx.Response, limit: int, how: str) -> Body:
    return Body(
        response,
        b"",
        Problem.TOO_BIG,
        f"the body {how}, over the client's max_response_bytes={limit}",
    )


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number the API sends")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is too large for a float")
    return value


def loads_json(content: bytes) -> Any:
    """``json.loads(content)``, with orjson's speed (about 2.3×) when orjson is installed.

    orjson reads every body the same as the stdlib except two kinds. Bodies it
    rejects (``NaN``, ``1e400``, lone surrogates, a BOM, UTF-16, nesting past
    1,024 levels) fall back to ``json.loads``. Integers beyond 64 bits it
    silently turns into floats; they need 19 digits or more, so a body holding
    such a digit run anywhere (even inside a string) goes to ``json.loads``
    too. The check costs about 12 µs per 16 KB page, orjson saves about 35.

    Either way ``NaN``, ``Infinity`` and numbers that overflow a float raise
    ValueError: the API sends none, and a NaN metric would poison every sum.
    Nesting deeper than the recursion limit raises RecursionError (see
    `PARSE_ERRORS`).
    """
    if _orjson is not None and _LONG_DIGIT_RUN not in content.translate(_DIGITS):
        try:
            return _orjson.loads(content)
        except _orjson.JSONDecodeError:
            pass  # let the stdlib accept it, or raise its own error
    return json.loads(content, parse_constant=_refuse_constant, parse_float=_finite_float)


def error_details(response: httpx.Response, content: bytes) -> tuple[str | None, str, object]:
    """api_id, the API's `error` text and the parsed body of an error response.

    Plivo's REST error body is ``{"api_id", "error"}`` (zentrunk-api.md §9.1);
    other Plivo services use `message`, so that is read too. A body that is not
    JSON (an HTML page from a proxy) still yields a useful message.
    """
    try:
        body: object = loads_json(content) if content else None
    except PARSE_ERRORS:
        text = content[:SNIPPET].decode("utf-8", "replace").strip()
        return None, text or response.reason_phrase, text
    if isinstance(body, dict):
        api_id = body.get("api_id")
        message = body.get("error") or body.get("message") or response.reason_phrase
        return (api_id if isinstance(api_id, str) else None), _text(message), body
    return None, response.reason_phrase, body


def _text(value: object) -> str:
    if isinstance(value, str):
        return value[:1000]
    try:
        return repr(value)[:200]
    except (ValueError, RecursionError):  # a 5,000-digit int; nesting near the limit
        return f"(an unprintable {type(value).__name__})"
