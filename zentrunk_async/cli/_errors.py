"""Failures as one line on stderr and an exit code, never a traceback unless ``--debug``.

A person at a shell needs to know what went wrong and what to do about it;
a script needs an exit code it can test. The SDK's exceptions already carry
the method, URL and ``api_id`` without secrets (see ``zentrunk_async._errors``),
so this module only picks the words and the code for each kind of failure.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import anyio
import typer

from .._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
)
from .._logging import redact

T = TypeVar("T")

EXIT_OK = 0
#: The API or the network failed: retrying later, or fixing the account, may help.
EXIT_FAILURE = 1
#: The command line itself is wrong (click's and Typer's own code for usage errors).
EXIT_USAGE = 2
#: 128 + SIGINT, what shells report for a Ctrl-C'd program.
EXIT_INTERRUPTED = 130


class CLIError(Exception):
    """A failure already phrased for the user, with its exit code and an optional next step."""

    def __init__(self, message: str, *, exit_code: int = EXIT_FAILURE, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.hint = hint


def one_line(text: str) -> str:
    """Collapse whitespace: a multi-line API message must not break the one-line promise."""
    return " ".join(text.split())


def describe(exc: BaseException) -> CLIError:
    """The user-facing line and exit code for any exception a command can end with."""
    if isinstance(exc, CLIError):
        return exc
    if isinstance(exc, InvalidArgumentError):
        return CLIError(f"invalid argument: {exc}", exit_code=EXIT_USAGE)
    if isinstance(exc, AuthenticationError):
        return CLIError(
            "authentication failed (401): the API refused this Auth ID / Auth Token; "
            "check --auth-id/--auth-token or PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN"
        )
    if isinstance(exc, PermissionDeniedError):
        return CLIError(f"permission denied (403): {exc.message} (is SIP trunking enabled?)")
    if isinstance(exc, NotFoundError):
        return CLIError(f"not found (404): {exc.message} ({exc.method} {exc.url})")
    if isinstance(exc, RateLimitError):
        return CLIError(f"rate limited (429) after retries: {exc}; try again in a few seconds")
    if isinstance(exc, APIStatusError):
        return CLIError(f"API error: {exc}")
    if isinstance(exc, APITimeoutError):
        return CLIError(f"network timeout: {exc}")
    if isinstance(exc, APIConnectionError):
        return CLIError(f"network failure: {exc} (is --base-url right and reachable?)")
    if isinstance(exc, ResponseDecodeError):
        return CLIError(f"unexpected response: {exc}")
    if isinstance(exc, OSError):
        return CLIError(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    return CLIError(f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")


def leaf(exc: BaseException) -> BaseException:
    """The first real exception inside (nested) exception groups from task groups."""
    while isinstance(getattr(exc, "exceptions", None), tuple) and exc.exceptions:  # type: ignore[attr-defined]
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    return exc


def fail(error: CLIError) -> NoReturn:
    """Print the error (and its hint) on stderr and leave with its exit code."""
    typer.echo(f"zentrunk: error: {one_line(redact(error.message))}", err=True)
    if error.hint:
        typer.echo(error.hint, err=True)
    raise typer.Exit(error.exit_code)


def print_traceback(exc: BaseException) -> None:
    """``--debug``: the full traceback, passed through the SDK's secret scrubber first."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    sys.stderr.write(redact(text))


def run_async(func: Callable[[], Awaitable[T]], *, debug: bool) -> T:
    """Run one command's coroutine on a fresh event loop, turning failures into `fail`."""
    try:
        return anyio.run(func)
    except KeyboardInterrupt:
        fail(CLIError("interrupted", exit_code=EXIT_INTERRUPTED))
    except typer.Exit:
        raise
    except Exception as exc:
        if debug:
            print_traceback(exc)
        fail(describe(leaf(exc)))
