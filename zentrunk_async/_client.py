"""`ZentrunkClient`: resolve configuration, own the connection lifecycle, expose resources."""

from __future__ import annotations

import ipaddress
import math
import os
import platform
import re
from types import TracebackType

import anyio
import httpx
from anyio.abc import TaskGroup

from ._config import (
    DEFAULT_ATTEMPT_TIMEOUT,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_TIMEOUT,
    ENV_AUTH_ID,
    ENV_AUTH_TOKEN,
    ENV_BASE_URL,
    RateLimit,
)
from ._errors import InvalidArgumentError
from ._http import HttpBackend, make_http_client
from ._logging import configure_from_env, register_secret
from ._ratelimit import Limiter, LimiterSnapshot
from ._redact import Secret, redact_url
from ._resources import Calls, Credentials, IPAccessControlLists, Numbers, OriginationURIs, Trunks
from ._retry import RetryPolicy
from ._transport import Transport, basic_auth_header
from ._version import __version__

#: The documented limit, paced client-side unless the caller says otherwise.
DEFAULT_RATE_LIMIT = RateLimit()

# The Auth ID goes into every URL path: ASCII letters and digits only (str.isalnum
# would take any script's letters, and a trailing newline fails it only by luck).
_AUTH_ID = re.compile(r"[A-Za-z0-9]+")


class ZentrunkClient:
    """An async client for one Plivo account's Zentrunk API.

    One client holds one connection pool and one rate limiter: share it
    across all tasks of a program (asyncio or trio) rather than creating one
    per request. Use it as ``async with ZentrunkClient() as zt:`` or call
    `aclose()` when done.

    Credentials come from the arguments, else from ``PLIVO_AUTH_ID`` and
    ``PLIVO_AUTH_TOKEN``. The token is never shown by `repr`, logs or errors.

    ``http="aiohttp"`` (the ``aiohttp`` extra, asyncio only) runs the same
    requests over aiohttp's I/O for about a third less CPU per page: the
    fast path for bulk pulls and many accounts in one process. The default,
    ``"httpx"``, runs on asyncio and trio.

    Bounds the server cannot move: an answer body over `max_response_bytes`
    (decoded; default 4 MiB, about 250 full pages) is refused with
    `ResponseDecodeError`, and each HTTP attempt, from sending to the last
    body byte, has `attempt_timeout` seconds (default 60; None turns it off)
    beside httpx's per-read `timeout`, which restarts on every byte.

    Proxies: `trust_env` (default True) lets the built-in HTTP client read
    ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY`` and ``SSL_CERT_FILE`` from the
    environment; False ignores them. A plain-http `base_url` (a loopback
    emulator, or a host allowed with `allow_insecure_http`) never goes
    through a proxy from the environment: the proxy would read the Basic
    credentials in clear. An injected `http_client` is used as it is.
    """

    def __init__(
        self,
        auth_id: str | None = None,
        auth_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        allow_insecure_http: bool = False,
        http: HttpBackend | None = None,
        trust_env: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        attempt_timeout: float | None = DEFAULT_ATTEMPT_TIMEOUT,
    ) -> None:
        configure_from_env()
        self.auth_id = _resolve_auth_id(auth_id)
        token = Secret(_resolve_auth_token(auth_token))
        register_secret(token.reveal())
        register_secret(basic_auth_header(self.auth_id, token))
        self.base_url = _resolve_base_url(base_url, allow_insecure_http=allow_insecure_http)
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise InvalidArgumentError("rate_limit must be a RateLimit(...) or None")
        self.rate_limit = rate_limit
        if retry is None:
            retry = RetryPolicy(max_retries=max_retries)
        elif max_retries != DEFAULT_MAX_RETRIES:
            raise InvalidArgumentError("give max_retries or retry=RetryPolicy(...), not both")
        if not isinstance(trust_env, bool):
            raise InvalidArgumentError(f"trust_env must be True or False, got {trust_env!r}")
        if http_client is not None and not trust_env:
            raise InvalidArgumentError(
                "trust_env applies to the built-in HTTP client; build your http_client "
                "with httpx.AsyncClient(trust_env=False) instead"
            )
        owns_http = http_client is None
        self._transport = Transport(
            # Plain http: an environment proxy would see the Authorization header.
            http=_http_client(
                http,
                http_client,
                timeout,
                trust_env=trust_env and self.base_url.startswith("https:"),
            ),
            owns_http=owns_http,
            base_url=self.base_url,
            auth_id=self.auth_id,
            auth_token=token,
            user_agent=user_agent(),
            limiter=Limiter(rate_limit),
            retry=retry,
            max_retry_after=(
                rate_limit.max_retry_after if rate_limit is not None else DEFAULT_MAX_RETRY_AFTER
            ),
            max_response_bytes=_max_response_bytes(max_response_bytes),
            attempt_timeout=_attempt_timeout(attempt_timeout),
        )
        self._task_group: TaskGroup | None = None
        self.trunks = Trunks(self._transport, self._background)
        self.credentials = Credentials(self._transport, self._background)
        self.ip_acls = IPAccessControlLists(self._transport, self._background)
        self.origination_uris = OriginationURIs(self._transport, self._background)
        self.calls = Calls(self._transport, self._background)
        self.numbers = Numbers(self._transport, self._background)

    def __repr__(self) -> str:
        return f"<ZentrunkClient auth_id={self.auth_id!r} base_url={self.base_url!r}>"

    __str__ = __repr__

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in force: how many attempts, which backoff (read only)."""
        return self._transport.retry

    def limiter_snapshot(self) -> LimiterSnapshot:
        """The pacing limiter's state now: rates, requests in flight and waiting, 429s seen."""
        return self._transport.limiter.snapshot()

    def _background(self) -> TaskGroup | None:
        """Where list fan-outs and exports run their requests: this client's task group."""
        return self._task_group

    async def aclose(self) -> None:
        """Close the connection pool (an injected `http_client` is left to its owner)."""
        await self._transport.aclose()

    async def __aenter__(self) -> ZentrunkClient:
        if self._task_group is not None:
            raise RuntimeError("this ZentrunkClient is already open in an `async with` block")
        # A task group for the lifetime of the block: concurrent list fetches
        # run here, so abandoning a list early (a plain `break`) stays safe.
        task_group = anyio.create_task_group()
        await task_group.__aenter__()
        self._task_group = task_group
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task_group, self._task_group = self._task_group, None
        try:
            if task_group is not None:
                task_group.cancel_scope.cancel()
                await task_group.__aexit__(None, None, None)
        finally:
            await self.aclose()


def user_agent() -> str:
    return (
        f"zentrunk-async/{__version__} httpx/{httpx.__version__} Python/{platform.python_version()}"
    )


def _http_client(
    http: str | None,
    http_client: httpx.AsyncClient | None,
    timeout: float | httpx.Timeout,
    *,
    trust_env: bool,
) -> httpx.AsyncClient:
    """The injected client, else one of our own on the I/O `http` names (``"httpx"`` default)."""
    if http_client is None:
        return make_http_client("httpx" if http is None else http, timeout, trust_env=trust_env)
    if http is not None:
        raise InvalidArgumentError("give http=... or http_client=..., not both")
    return http_client


def _resolve_auth_id(auth_id: str | None) -> str:
    value = auth_id if auth_id is not None else os.environ.get(ENV_AUTH_ID)
    if not value:
        raise InvalidArgumentError(
            f"no Auth ID: pass auth_id=... or set the {ENV_AUTH_ID} environment variable"
        )
    if not _AUTH_ID.fullmatch(value):
        raise InvalidArgumentError("auth_id must be letters and digits (it goes into URL paths)")
    return value


def _max_response_bytes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"max_response_bytes must be a positive integer, got {value!r}")
    return value


def _attempt_timeout(value: object) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidArgumentError(
            f"attempt_timeout must be a positive number of seconds or None, got {value!r}"
        )
    return float(value)


def _resolve_auth_token(auth_token: str | None) -> str:
    value = auth_token if auth_token is not None else os.environ.get(ENV_AUTH_TOKEN)
    if not value:
        raise InvalidArgumentError(
            f"no Auth Token: pass auth_token=... or set the {ENV_AUTH_TOKEN} environment variable"
        )
    return value


def _resolve_base_url(base_url: str | None, *, allow_insecure_http: bool) -> str:
    value = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise InvalidArgumentError(f"base_url {value!r} is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise InvalidArgumentError(f"base_url must be an http(s) URL, got {redact_url(url)!r}")
    if url.userinfo:
        raise InvalidArgumentError("base_url must not carry credentials; use auth_id/auth_token")
    if url.scheme == "http" and not (allow_insecure_http or _is_loopback(url.host)):
        raise InvalidArgumentError(
            f"refusing plain http to {url.host!r}: credentials would cross the network "
            "unencrypted; use https, or pass allow_insecure_http=True if you mean it"
        )
    return str(url).rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
