"""Which HTTP I/O a client runs on: stock httpx, or httpx's API over aiohttp (``http=``).

``http="aiohttp"`` (the ``aiohttp`` extra) keeps every request, response and
exception an httpx one, so the transport, retries and tests above it do not
change; it spends about a third less client CPU per page (issue 17). It is a
choice, never automatic when the extra happens to be installed:

* aiohttp runs on asyncio only, and a client is often built before the event
  loop it will serve is known (module level, a FastAPI dependency);
* respx and other httpx-level mocks do not see aiohttp's sockets, so a test
  suite would stop mocking the moment some other package pulled the extra in;
* proxies, certificates and environment variables are read by different code.

httpx-aiohttp maps every `aiohttp.ClientConnectionError` to
`httpx.ConnectTimeout`, a server that hung up after reading a request
included. The retry policy resends a write only after a connect failure
(the server provably did not act), so that mapping would resend a create:
`_AiohttpTransport` maps aiohttp's errors again, by what they say about the
request, before anything above sees them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

import httpx

from ._config import DEFAULT_MAX_CONNECTIONS
from ._errors import InvalidArgumentError

#: The values of ``ZentrunkClient(http=...)`` and of the CLI's ``--http``.
HttpBackend = Literal["httpx", "aiohttp"]
HTTP_BACKENDS: tuple[HttpBackend, ...] = ("httpx", "aiohttp")

_MISSING_EXTRA = "http='aiohttp' needs the aiohttp extra: pip install 'zentrunk-async[aiohttp]'"
_NOT_ASYNCIO = (
    "http='aiohttp' runs on asyncio only, and this client is used under {library}: "
    "use http='httpx' (the default), which runs on both"
)


def make_http_client(
    http: str, timeout: float | httpx.Timeout, *, trust_env: bool = True
) -> httpx.AsyncClient:
    """The client's own connection pool, on the I/O `http` names (checked here).

    `trust_env` False ignores proxies and certificate settings from the environment.
    """
    if timeout is None:
        raise InvalidArgumentError("timeout cannot be None: a hung socket would hang forever")
    limits = httpx.Limits(
        max_connections=DEFAULT_MAX_CONNECTIONS,
        max_keepalive_connections=DEFAULT_MAX_CONNECTIONS,
    )
    if http == "httpx":
        return _Client(timeout=timeout, limits=limits, trust_env=trust_env)
    if http == "aiohttp":
        return _Client(timeout=timeout, transport=_aiohttp_transport(limits), trust_env=trust_env)
    raise InvalidArgumentError(f"http must be one of {', '.join(HTTP_BACKENDS)}; got {http!r}")


class _Jar(httpx.Cookies):
    """Cookies that skip a response without ``Set-Cookie``.

    httpx hands every response to the jar, which wraps it and its request in
    urllib's shapes (parsing the URL again) only to find no cookie: about 25 µs
    a page, the largest cost httpx's client adds above its transport. What
    the jar holds and sends is unchanged (the default policy reads no
    ``Set-Cookie2``).
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class _Client(httpx.AsyncClient):
    """The client's own `httpx.AsyncClient`, keeping its cookies in a `_Jar`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cookies = kwargs.get("cookies")  # into a _Jar (see the setter)

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._jar = _Jar(cookies)


def _aiohttp_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    try:
        import aiohttp
        from httpx_aiohttp import AiohttpTransport
    except ImportError:
        raise InvalidArgumentError(_MISSING_EXTRA) from None

    class _AiohttpTransport(AiohttpTransport):
        """httpx-aiohttp with the event loop checked and aiohttp's errors mapped by meaning."""

        _checked = False

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if not self._checked:
                require_asyncio()
                self._checked = True
            with _remap(aiohttp):
                response: httpx.Response = await super().handle_async_request(request)
            # Swapped in place: building a second Response per page costs CPU on the fast path.
            assert isinstance(response.stream, httpx.AsyncByteStream)
            response.stream = _RemappedStream(response.stream, aiohttp)
            return response

    return _AiohttpTransport(limits=limits)


def require_asyncio() -> None:
    """Raise `InvalidArgumentError` unless running on asyncio (aiohttp's only loop)."""
    import sniffio

    library = sniffio.current_async_library()
    if library != "asyncio":
        raise InvalidArgumentError(_NOT_ASYNCIO.format(library=library))


class _RemappedStream(httpx.AsyncByteStream):
    """A response body whose read errors are mapped as the request's are."""

    def __init__(self, inner: httpx.AsyncByteStream, aiohttp: Any) -> None:
        self._inner = inner
        self._aiohttp = aiohttp

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _remap(self._aiohttp):
            async for chunk in self._inner:
                yield chunk

    async def aclose(self) -> None:
        with _remap(self._aiohttp):
            await self._inner.aclose()


@contextlib.contextmanager
def _remap(aiohttp: Any) -> Iterator[None]:
    try:
        yield
    except httpx.TransportError as exc:
        cause = exc.__cause__
        if not isinstance(cause, aiohttp.ClientError):
            raise
        mapped = _httpx_error_for(cause, aiohttp)
        if type(exc) is mapped:
            raise
        # No request here: httpx's client attaches it as the error passes up.
        raise mapped(str(exc) or type(cause).__name__) from cause


def _httpx_error_for(cause: BaseException, aiohttp: Any) -> type[httpx.TransportError]:
    """The httpx error an aiohttp one means; only "never connected" may read as a connect error."""
    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout  # connect, or waiting for a pooled connection
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx.ConnectError  # no TCP connection was made
    if isinstance(cause, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout
    if isinstance(cause, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError  # the server hung up: it may have acted
    return httpx.ReadError
