"""Serving an `Emulator` with uvicorn over a real loopback socket.

`serve_in_thread` gives tests (asyncio or trio alike) a real server without
sharing their event loop: uvicorn runs on its own asyncio loop in a daemon
thread. The socket is bound before the thread starts, so the port is known
and free-port races cannot happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn

from ._answer_faults import droppable_protocol
from ._emulator import Emulator
from ._faults import ConnectionDropped

#: Long enough for a cold start on a loaded CI machine, short enough to fail a stuck test.
STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0


class _QuietDrops(logging.Filter):
    """An injected dropped connection is not a server bug: keep it out of the error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_filter_installed = False


def install_log_filter() -> None:
    global _filter_installed
    if not _filter_installed:
        logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
        _filter_installed = True


class _Server(uvicorn.Server):
    """A uvicorn server that tells its owner when it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    async def main_loop(self) -> None:
        """uvicorn's tick loop, but woken at once by `request_exit`.

        uvicorn polls ``should_exit`` every 0.1 s; tests start and stop a
        server per test, and those tenths added up to most of the suite's time.
        """
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        """Thread-safe: ask the server to finish in-flight requests and stop."""
        self.should_exit = True
        loop = getattr(self, "_loop", None)
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake.set)


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
    # proto says TCP, and without it every response waits ~40 ms on a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_server(
    emulator: Emulator, on_ready: Callable[[], None], log_level: str = "warning", **options: Any
) -> _Server:
    install_log_filter()
    options.setdefault("http", droppable_protocol())  # for the acted_drop fault
    config = uvicorn.Config(
        emulator.app, lifespan="off", log_level=log_level, access_log=False, **options
    )
    return _Server(config, on_ready)


@contextlib.contextmanager
def serve_in_thread(emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``emulator`` on loopback in a background thread; yields the base URL.

    On exit the server stops accepting, finishes in-flight requests and the
    thread is joined, so no socket or loop outlives the ``with`` block.
    """
    sock = bind(host, port)
    ready = threading.Event()
    server = make_server(emulator, ready.set)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # surfaced in the caller's thread below
            failure.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=run, name="zentrunk-emulator", daemon=True)
    thread.start()
    try:
        if not ready.wait(STARTUP_TIMEOUT) or failure or not server.started:
            raise RuntimeError("the emulator server did not start") from (
                failure[0] if failure else None
            )
        yield base_url_of(sock)
    finally:
        server.request_exit()
        thread.join(SHUTDOWN_TIMEOUT)
        sock.close()
