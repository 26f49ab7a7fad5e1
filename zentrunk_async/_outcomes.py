"""One attempt's result, and what a failed attempt of a write did on the server.

The transport's retry loop reads these; they are apart from it only to keep
each module small. The rule of `attempt_outcome`: a 2xx means the write
happened, a 4xx (429 included) that it was refused, a request that never left
(refused connection, still waiting for a rate-limit slot) that it was not
made; anything else (a 5xx, a lost or timed-out answer) that it may have been.
"""

from __future__ import annotations

from typing import NamedTuple

import httpx

from ._body import Body, Problem
from ._errors import WriteOutcome
from ._retry import Failure, classify_httpx_error


class Failed(NamedTuple):
    """An attempt that got no HTTP answer; `sent` is False when it never left the limiter."""

    error: httpx.HTTPError
    sent: bool = True


Result = Body | Failed


class Progress:
    """How far one attempt got, read when a deadline cuts it short."""

    __slots__ = ("response", "sent")

    def __init__(self) -> None:
        self.sent = False
        self.response: httpx.Response | None = None


def cut_short(request: httpx.Request, progress: Progress, why: str) -> Result:
    """What an attempt that a deadline cancelled amounts to, by how far it got."""
    if progress.response is not None:  # the status arrived: it says whether a write acted
        return Body(progress.response, b"", Problem.LATE, f"{why} while the body arrived")
    if not progress.sent:
        return Failed(httpx.PoolTimeout(f"{why} before the request was sent"), sent=False)
    return Failed(httpx.ReadTimeout(why, request=request))


def attempt_outcome(result: Result) -> WriteOutcome:
    """What one failed attempt of a write did on the server."""
    if isinstance(result, Failed):
        if not result.sent or classify_httpx_error(result.error) is Failure.CONNECT:
            return WriteOutcome.NOT_ACTED
        return WriteOutcome.MAY_HAVE_ACTED
    status = result.response.status_code
    if 200 <= status < 300:
        return WriteOutcome.ACTED
    if 400 <= status < 500:  # refused (429 included: the limiter runs before any handler)
        return WriteOutcome.NOT_ACTED
    return WriteOutcome.MAY_HAVE_ACTED  # a 5xx may come after the change was made
