"""Run background work beside a consumer that is an async generator.

An async generator must not yield inside a task group: if its consumer
stops early without closing it, the generator is closed later, from another
task, and the task group's cancel scope is exited in the wrong task (anyio
and trio both refuse). So the work runs in a task group that is *not* on the
generator's stack: the client's own, opened by ``async with ZentrunkClient()``.
Closing the generator then only cancels a scope — allowed from any task —
and waits until the work has stopped. Without an open client the work runs
in a task group of the generator after all, which is safe as long as the
consumer closes it in its own task (``async with`` / full consumption).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskGroup

#: Where background work may run: the client's task group while it is open.
Background = Callable[[], TaskGroup | None]

Job = Callable[[], Coroutine[Any, Any, None]]


@asynccontextmanager
async def running_beside(background: Background | None, job: Job) -> AsyncGenerator[None, None]:
    """Run `job` while the block runs; on exit cancel it and wait until it has stopped.

    `job` should deliver its own failures to the consumer (a stream); an
    exception that escapes it anyway is re-raised when the block exits, so it
    neither disappears nor brings down the client's task group.
    """
    scope = anyio.CancelScope()
    escaped: list[Exception] = []

    async def guarded() -> None:
        with scope:
            try:
                await job()
            except Exception as exc:
                escaped.append(exc)

    host = background() if background is not None else None
    try:
        if host is not None:
            finished = anyio.Event()

            async def run_then_signal() -> None:
                try:
                    await guarded()
                finally:
                    finished.set()

            host.start_soon(run_then_signal)
            try:
                yield
            finally:
                scope.cancel()
                with anyio.CancelScope(shield=True):
                    await finished.wait()
        else:
            async with anyio.create_task_group() as tg:
                tg.start_soon(guarded)
                try:
                    yield
                finally:
                    scope.cancel()
    finally:
        if escaped:
            raise escaped[0]
