"""The one seam where requests are built, paced, sent, retried and decoded.

Resources describe *what* to call (method, path, arguments, record type);
only this module knows *how*: it is the only module doing I/O and the one
boundary where httpx exceptions become ours. Steps, each its own method::

    call → _send (pace + retry loop) → _send_once → _decode or _status_error
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, overload

import anyio
import httpx

from ._config import DEFAULT_MAX_RETRY_AFTER
from ._convert import DECODE_ERRORS, converter
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    ResponseDecodeError,
    ZentrunkError,
    status_error_class,
)
from ._logging import log_retry, log_throttled, logger
from ._ratelimit import Limiter
from ._redact import Secret, redact_url
from ._retry import Failure, RetryPolicy, classify_httpx_error, parse_retry_after

try:  # an optional speed-up, never a requirement: stdlib json is the reference
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised where orjson is absent
    _orjson = None  # type: ignore[assignment]

T = TypeVar("T")

_SNIPPET = 120

# Every digit becomes "0", everything else a space: a run of 19 zeros in the
# translation marks a number orjson might read differently (see `loads_json`).
_DIGITS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGIT_RUN = b"0" * 19


class Transport:
    """Sends API calls for one account over one `httpx.AsyncClient`."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        owns_http: bool,
        base_url: str,
        auth_id: str,
        auth_token: Secret,
        user_agent: str,
        limiter: Limiter,
        retry: RetryPolicy,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    ) -> None:
        self._http = http
        self._owns_http = owns_http
        self.auth_id = auth_id
        self._account_url = f"{base_url.rstrip('/')}/v1/Account/{auth_id}/"
        self._headers = {
            "Authorization": basic_auth_header(auth_id, auth_token),
            "User-Agent": user_agent,
            "Accept": "application/json",
        }
        self.limiter = limiter
        self.retry = retry
        self._clock = clock
        self._sleep = sleep
        self._max_retry_after = max_retry_after

    def __repr__(self) -> str:
        return f"<Transport {self._account_url}>"

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    @overload
    async def call(
        self,
        method: str,
        path: str,
        *,
        into: type[T],
        endpoint: str,
        params: Mapping[str, str] | None = ...,
        body: Mapping[str, Any] | None = ...,
    ) -> T: ...

    @overload
    async def call(
        self,
        method: str,
        path: str,
        *,
        into: None,
        endpoint: str,
        params: Mapping[str, str] | None = ...,
        body: Mapping[str, Any] | None = ...,
    ) -> None: ...

    async def call(
        self,
        method: str,
        path: str,
        *,
        into: type[T] | None,
        endpoint: str,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> T | None:
        """Send one API call (with retries where safe) and decode its answer into `into`.

        `path` is relative to the account (``Zentrunk/Trunk/``); `endpoint` names
        the operation in errors (``trunks.get``).
        """
        request = self._http.build_request(
            method,
            self._account_url + path,
            params=params,
            json=body,
            headers=self._headers,
        )
        response = await self._send(request)
        if into is None:
            return None
        return self._decode(response, into, endpoint)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Send until success, or until the retry policy says stop (then raise)."""
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            outcome = await self._send_once(request, started)
            if isinstance(outcome, httpx.Response) and outcome.is_success:
                self.limiter.on_success()
                return outcome
            error, delay = self._judge(request, outcome, attempt, self._clock() - started)
            if delay is None:
                raise error
            log_retry(request.method, redact_url(request.url), attempt, _reason(outcome), delay)
            await self._sleep(delay)

    async def _send_once(
        self, request: httpx.Request, started: float
    ) -> httpx.Response | httpx.TransportError:
        """One paced attempt; a network failure is returned, not raised, for `_judge`."""
        deadline = self.retry.deadline
        if deadline is None:
            # No deadline, no cancel scope: entering and leaving one per request
            # cost about 4 % of a list pull's client CPU (benchmarks/README.md).
            return await self._attempt(request)
        with anyio.move_on_after(deadline - (self._clock() - started)) as scope:
            return await self._attempt(request)
        assert scope.cancelled_caught
        return httpx.ReadTimeout(f"the retry deadline of {deadline} s passed", request=request)

    async def _attempt(self, request: httpx.Request) -> httpx.Response | httpx.TransportError:
        try:
            async with self.limiter.slot():
                response = await self._http.send(request)
        except httpx.TransportError as exc:
            return exc
        if logger.isEnabledFor(logging.DEBUG):  # redact_url is per-request work otherwise
            logger.debug(
                "%s %s -> %s", request.method, redact_url(request.url), response.status_code
            )
        return response

    def _judge(
        self,
        request: httpx.Request,
        outcome: httpx.Response | httpx.TransportError,
        attempt: int,
        elapsed: float,
    ) -> tuple[ZentrunkError, float | None]:
        """The error this outcome means, and how long to wait before retrying (None: don't)."""
        if isinstance(outcome, httpx.TransportError):
            failure = classify_httpx_error(outcome)
            error: ZentrunkError = self._connection_error(request, outcome, failure, attempt)
            delay = self.retry.delay(
                method=request.method, attempt=attempt, failure=failure, elapsed=elapsed
            )
            return error, delay
        status_error = self._status_error(outcome, attempt)
        retry_after = None
        if isinstance(status_error, RateLimitError):
            if status_error.retry_after is not None:
                # A server asking for an hour must not park every task for an hour.
                retry_after = min(status_error.retry_after, self._max_retry_after)
            self.limiter.on_throttled(retry_after)
            log_throttled(
                request.method,
                status_error.url,
                retry_after,
                self.limiter.snapshot().current_rate,
            )
        delay = self.retry.delay(
            method=request.method,
            attempt=attempt,
            status_code=outcome.status_code,
            retry_after=retry_after,
            elapsed=elapsed,
        )
        return status_error, delay

    def _decode(self, response: httpx.Response, into: type[T], endpoint: str) -> T:
        payload = self._json(response, endpoint)
        try:
            return converter.structure(payload, into)
        except DECODE_ERRORS as exc:
            raise self._decode_error(
                response, endpoint, f"unexpected shape: {_describe(exc)}", payload
            ) from exc

    def _json(self, response: httpx.Response, endpoint: str) -> Any:
        try:
            return loads_json(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise self._decode_error(response, endpoint, f"not JSON ({exc})", None) from None

    def _decode_error(
        self, response: httpx.Response, endpoint: str, reason: str, payload: Any
    ) -> ResponseDecodeError:
        api_id = payload.get("api_id") if isinstance(payload, dict) else None
        return ResponseDecodeError(
            reason,
            endpoint=endpoint,
            method=response.request.method,
            url=redact_url(response.request.url),
            status_code=response.status_code,
            api_id=api_id if isinstance(api_id, str) else None,
            snippet=response.content[:_SNIPPET].decode("utf-8", "replace"),
        )

    def _status_error(self, response: httpx.Response, attempt: int) -> APIStatusError:
        api_id, message, body = _error_details(response)
        cls = status_error_class(response.status_code)
        common: dict[str, Any] = {
            "status_code": response.status_code,
            "method": response.request.method,
            "url": redact_url(response.request.url),
            "api_id": api_id,
            "attempts": attempt,
            "body": body,
        }
        if cls is RateLimitError:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RateLimitError(message, retry_after=retry_after, **common)
        return cls(message, **common)

    def _connection_error(
        self, request: httpx.Request, exc: httpx.TransportError, failure: Failure, attempt: int
    ) -> APIConnectionError:
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        what = "timed out" if cls is APITimeoutError else "connection failed"
        if failure is not Failure.CONNECT and request.method == "POST":
            what += " after the request may have reached the server (not retried: not idempotent)"
        return cls(
            f"{what}: {_describe(exc)}",
            method=request.method,
            url=redact_url(request.url),
            attempts=attempt,
        )


def loads_json(content: bytes) -> Any:
    """``json.loads(content)``, with orjson's speed (about 2.3×) when orjson is installed.

    orjson reads every body the same as the stdlib except two kinds. Bodies it
    rejects (``NaN``, ``1e400``, lone surrogates, a BOM, UTF-16) fall back to
    ``json.loads``, which accepts or raises exactly as before. Integers beyond
    64 bits it silently turns into floats; they need 19 digits or more, so a
    body holding such a digit run anywhere (even inside a string) goes to
    ``json.loads`` too. The check costs about 12 µs per 16 KB page, orjson
    saves about 35.
    """
    if _orjson is not None and _LONG_DIGIT_RUN not in content.translate(_DIGITS):
        try:
            return _orjson.loads(content)
        except _orjson.JSONDecodeError:
            pass  # let the stdlib accept it, or raise its own error
    return json.loads(content)


def basic_auth_header(auth_id: str, auth_token: Secret) -> str:
    pair = f"{auth_id}:{auth_token.reveal()}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _error_details(response: httpx.Response) -> tuple[str | None, str, object]:
    """api_id, the API's `error` text and the parsed body of an error response.

    Plivo's REST error body is ``{"api_id", "error"}`` (zentrunk-api.md §9.1);
    other Plivo services use `message`, so that is read too. A body that is not
    JSON (an HTML page from a proxy) still yields a useful message.
    """
    try:
        body: object = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        text = response.content[:_SNIPPET].decode("utf-8", "replace").strip()
        return None, text or response.reason_phrase, text
    if isinstance(body, dict):
        api_id = body.get("api_id")
        message = body.get("error") or body.get("message") or response.reason_phrase
        return (api_id if isinstance(api_id, str) else None), str(message), body
    return None, response.reason_phrase, body


def _reason(outcome: httpx.Response | httpx.TransportError) -> str:
    if isinstance(outcome, httpx.Response):
        return f"status {outcome.status_code}"
    return _describe(outcome)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
