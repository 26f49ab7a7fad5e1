"""The one seam where requests are built, paced, sent, retried and decoded.

Resources describe *what* to call (method, path, arguments, record type);
only this module knows *how*: it is the only module doing I/O and the one
boundary where httpx exceptions become ours. Steps, each its own method::

    call → _send (retry loop) → _send_once (deadlines, pace) → _exchange (send, read)
         → _decode, or _judge (error, wait, what a write did)

Bounds are ours, not the server's: a body is read as a stream up to
``max_response_bytes`` and each attempt, from sending to the last byte, has
``attempt_timeout`` seconds. A read whose body is broken (cut off, not JSON,
the wrong shape) is retried like a 5xx; a write never is, and every error of
a write says what the server did (`WriteOutcome`).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, overload
from urllib.parse import urlencode

import anyio
import httpx

from ._body import PARSE_ERRORS, SNIPPET, Body, Problem, error_details, loads_json, read_body
from ._config import DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRY_AFTER
from ._convert import DECODE_ERRORS, converter
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    ResponseDecodeError,
    WriteOutcome,
    ZentrunkError,
    status_error_class,
)
from ._logging import log_deleted_on_retry, log_retry, log_throttled, logger
from ._outcomes import Failed, Progress, Result, attempt_outcome, cut_short
from ._ratelimit import Limiter
from ._redact import Secret, redact_url
from ._retry import SAFE_METHODS, Failure, RetryPolicy, classify_httpx_error, parse_retry_after

__all__ = ["Transport", "basic_auth_header", "loads_json"]

T = TypeVar("T")

#: Everything structuring a parsed body may raise on hostile input.
_STRUCTURE_ERRORS: tuple[type[Exception], ...] = (*DECODE_ERRORS, OverflowError, RecursionError)


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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        attempt_timeout: float | None = DEFAULT_ATTEMPT_TIMEOUT,
    ) -> None:
        self._http = http
        self._owns_http = owns_http
        self.auth_id = auth_id
        self._account_url = f"{base_url.rstrip('/')}/v1/Account/{auth_id}/"
        # Held wrapped, so that no vars()/repr() walk of the client reaches it.
        self._authorization = Secret(basic_auth_header(auth_id, auth_token))
        self._user_agent = user_agent
        self.limiter = limiter
        self.retry = retry
        self._clock = clock
        self._sleep = sleep
        self._max_retry_after = max_retry_after
        self.max_response_bytes = max_response_bytes
        self.attempt_timeout = attempt_timeout

    def __repr__(self) -> str:
        return f"<Transport {self._account_url}>"

    def use_time(
        self, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        """Measure and wait with these (tests: see `zentrunk_async.testing.FakeTime`)."""
        self._clock = clock
        self._sleep = sleep
        self.limiter.use_time(clock, sleep)

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
        the operation in errors (``trunks.get``). `body` values may be `Secret`
        (SIP passwords): they are unwrapped only here, into the request bytes.
        """
        url = self._account_url + path
        if params and all(type(value) is str for value in params.values()):
            # What httpx's params= encodes for strings (urllib's urlencode of the items),
            # parsed once: params= parses the URL a second time, ~40 µs per page.
            url += "?" + urlencode(list(params.items()))
            params = None
        request = self._http.build_request(
            method,
            url,
            params=params,
            json=None if body is None else _unwrap(body),
            headers={
                "Authorization": self._authorization.reveal(),
                "User-Agent": self._user_agent,
                "Accept": "application/json",
            },
        )
        return await self._send(request, into, endpoint)

    async def _send(self, request: httpx.Request, into: type[T] | None, endpoint: str) -> T | None:
        """Send until an answer decodes, or the retry policy says stop (then raise)."""
        method = request.method
        write = method not in SAFE_METHODS
        started = self._clock()
        attempt = 0
        maybe_acted = False
        while True:
            attempt += 1
            result = await self._send_once(request, started)
            elapsed = self._clock() - started
            if isinstance(result, Body) and result.response.is_success:
                self.limiter.on_success()
                if into is None:  # nothing to decode: the 2xx says it all
                    return None
                try:
                    return self._decode(result, into, endpoint, attempt)
                except ResponseDecodeError as undecodable:
                    delay = None
                    if result.problem is not Problem.TOO_BIG:  # the same flood again: no
                        delay = self.retry.delay(
                            method=method,
                            attempt=attempt,
                            failure=Failure.BAD_BODY,
                            elapsed=elapsed,
                        )
                    if delay is None:
                        if write:
                            undecodable.outcome = WriteOutcome.ACTED
                        raise
                    reason = f"undecodable body: {undecodable.reason}"
            else:
                if (
                    maybe_acted
                    and method == "DELETE"
                    and isinstance(result, Body)
                    and result.response.status_code == 404
                ):
                    # An earlier attempt may have deleted it, and it is gone now:
                    # the caller's wish holds, and a NotFoundError would lie.
                    log_deleted_on_retry(redact_url(request.url), attempt)
                    return None
                error, delay = self._judge(request, result, attempt, elapsed)
                if write:
                    outcome = attempt_outcome(result)
                    maybe_acted = maybe_acted or outcome is WriteOutcome.MAY_HAVE_ACTED
                    if delay is None:
                        if maybe_acted and outcome is WriteOutcome.NOT_ACTED:
                            outcome = WriteOutcome.MAY_HAVE_ACTED  # an earlier attempt may have
                        error.outcome = outcome
                if delay is None:
                    raise error
                reason = _reason(result)
            log_retry(method, redact_url(request.url), attempt, reason, delay)
            await self._sleep(delay)

    async def _send_once(self, request: httpx.Request, started: float) -> Result:
        """One attempt: a send slot, then the send and the body within `attempt_timeout`.

        The retry deadline, if the policy has one, bounds all of it. One cancel
        scope holds both bounds (a scope costs CPU on every request): the
        deadline's from the start, the earlier of that and the attempt's once
        a slot is won (the wait for a slot is not part of the attempt).
        """
        progress = Progress()
        deadline = self.retry.deadline
        timeout = self.attempt_timeout
        attempt_bound = False  # the attempt's bound, not the deadline, is the scope's
        with anyio.CancelScope() as scope:
            if deadline is not None:
                scope.deadline = anyio.current_time() + deadline - (self._clock() - started)
            async with self.limiter.slot():
                progress.sent = True
                if timeout is not None:
                    attempt_ends = anyio.current_time() + timeout
                    if attempt_ends < scope.deadline:
                        scope.deadline = attempt_ends
                        attempt_bound = True
                result = await self._exchange(request, progress)
        if not scope.cancelled_caught:
            return self._logged(request, result)
        if attempt_bound:
            why = f"no complete answer within attempt_timeout={timeout} s"
            return self._logged(request, cut_short(request, progress, why))
        return cut_short(request, progress, f"the retry deadline of {deadline} s passed")

    def _logged(self, request: httpx.Request, result: Result) -> Result:
        if logger.isEnabledFor(logging.DEBUG):  # redact_url is per-request work otherwise
            _log_exchange(request, result)
        return result

    async def _exchange(self, request: httpx.Request, progress: Progress) -> Result:
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            return Failed(exc)
        progress.response = response
        try:
            return await read_body(response, self.max_response_bytes)
        finally:
            # Read to the end, httpx has closed it (and released the connection).
            if not response.is_closed:
                # Shielded: a deadline cutting the read must still release the connection.
                with anyio.CancelScope(shield=True):
                    await response.aclose()

    def _judge(
        self, request: httpx.Request, result: Result, attempt: int, elapsed: float
    ) -> tuple[ZentrunkError, float | None]:
        """The error this result means, and how long to wait before retrying (None: don't)."""
        if isinstance(result, Failed):
            failure = classify_httpx_error(result.error) if result.sent else Failure.CONNECT
            error: ZentrunkError = self._connection_error(request, result, failure, attempt)
            delay = self.retry.delay(
                method=request.method, attempt=attempt, failure=failure, elapsed=elapsed
            )
            return error, delay
        status_error = self._status_error(result, attempt)
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
            status_code=result.response.status_code,
            retry_after=retry_after,
            elapsed=elapsed,
        )
        return status_error, delay

    def _decode(self, body: Body, into: type[T], endpoint: str, attempt: int) -> T:
        if body.problem is not None:
            raise self._decode_error(body, endpoint, body.reason, None, attempt)
        try:
            payload = loads_json(body.content)
        except PARSE_ERRORS as exc:
            raise self._decode_error(
                body, endpoint, f"not JSON ({_describe(exc)})", None, attempt
            ) from None
        try:
            return converter.structure(payload, into)
        except _STRUCTURE_ERRORS as exc:
            raise self._decode_error(
                body, endpoint, f"unexpected shape: {_describe(exc)}", payload, attempt
            ) from exc

    def _decode_error(
        self, body: Body, endpoint: str, reason: str, payload: Any, attempt: int
    ) -> ResponseDecodeError:
        api_id = payload.get("api_id") if isinstance(payload, dict) else None
        response = body.response
        return ResponseDecodeError(
            reason,
            endpoint=endpoint,
            method=response.request.method,
            url=redact_url(response.request.url),
            status_code=response.status_code,
            api_id=api_id if isinstance(api_id, str) else None,
            snippet=body.content[:SNIPPET].decode("utf-8", "replace"),
            attempts=attempt,
        )

    def _status_error(self, body: Body, attempt: int) -> APIStatusError:
        response = body.response
        api_id, message, parsed = error_details(response, body.content)
        cls = status_error_class(response.status_code)
        common: dict[str, Any] = {
            "status_code": response.status_code,
            "method": response.request.method,
            "url": redact_url(response.request.url),
            "api_id": api_id,
            "attempts": attempt,
            "body": parsed,
        }
        if cls is RateLimitError:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RateLimitError(message, retry_after=retry_after, **common)
        return cls(message, **common)

    def _connection_error(
        self, request: httpx.Request, failed: Failed, failure: Failure, attempt: int
    ) -> APIConnectionError:
        exc = failed.error
        timed_out = isinstance(exc, httpx.TimeoutException)
        cls = APITimeoutError if timed_out else APIConnectionError
        what = "timed out" if timed_out else "connection failed"
        if failure is not Failure.CONNECT and request.method not in SAFE_METHODS:
            what += " after the request may have reached the server"
            if request.method != "DELETE":
                what += " (not retried: not idempotent)"
        return cls(
            f"{what}: {_describe(exc)}",
            method=request.method,
            url=redact_url(request.url),
            attempts=attempt,
        )


def _unwrap(body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value.reveal() if isinstance(value, Secret) else value for key, value in body.items()
    }


def _log_exchange(request: httpx.Request, result: Result) -> None:
    what = result.response.status_code if isinstance(result, Body) else _describe(result.error)
    logger.debug("%s %s -> %s", request.method, redact_url(request.url), what)


def basic_auth_header(auth_id: str, auth_token: Secret) -> str:
    pair = f"{auth_id}:{auth_token.reveal()}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _reason(result: Result) -> str:
    if isinstance(result, Body):
        return f"status {result.response.status_code}"
    return _describe(result.error)


def _describe(exc: BaseException) -> str:
    try:
        text = str(exc)
    except (ValueError, RecursionError):
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
