"""Failures as one line on stderr and an exit code, never a traceback unless ``--debug``.

A person at a shell needs to know what went wrong and what to do about it;
a script needs an exit code it can test. The SDK's exceptions already carry
the method, URL and ``api_id`` without secrets (see ``zentrunk_async._errors``),
so this module only picks the words and the code for each kind of failure.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NoReturn, TypeVar

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

T = TypeVar("T")

EXIT_OK = 0
#: The API or the network failed: retrying later, or fixing the account, may help.
EXIT_FAILURE = 1
#: The command line itself is wrong (click's and Typer's own code for usage errors).
EXIT_USAGE = 2
#: 128 + SIGINT, what shells report for a Ctrl-C'd program.
EXIT_INTERRUPTED = 130

#: The exit codes, as ``zentrunk --help`` prints them.
EXIT_CODES_HELP = """Exit codes: 0 done (also when a reader such as head closes the pipe early);
1 the API or the network failed (refused token, not found, 429 after retries, 5xx, timeout),
or a confirmation was declined; 2 bad usage: unknown option,
bad value, bad config file, missing credentials, a delete without --yes when stdin is not a
terminal; 130 interrupted (Ctrl-C). Plivo's own CLI documents no codes of its own: these are
click's and gh's 0/1/2 plus the shell's 130."""

#: SDK words that are not the name of any option: what the user typed instead.
_SDK_WORDS = {
    "allow_insecure_http=True": "--allow-insecure-http",
    "end_time__lt/__lte": "--until",
    "end_time__gt/__gte": "--since",
    "end_time__gte": "--since",
    "end_time__gt": "--since",
    "end_time__lt": "--until",
    "end_time__lte": "--until",
    "calls.export()": "zentrunk calls export",
    "calls.list()": "zentrunk calls list",
    "max_items": "--max",
    "auth_id/auth_token": "--auth-id/--auth-token",
    "auth_id": "--auth-id",
    "auth_token": "--auth-token",
    "base_url": "--base-url",
    "rate_limit": "--rate-limit",
}
_SPACE_TIME = re.compile(r"\b(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)(?![\d.+Z-])")
_SUBJECT = re.compile(r"(?<![\w.-])([a-z]+)( must | cannot | is required)")
_SNAKE = re.compile(r"(?<![\w.-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?:\(\))?(=True|=False)?(?![\w-])")


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


def option_names(ctx: Any) -> dict[str, str]:
    """Python parameter name -> the long option a user types, for a context and its parents."""
    names: dict[str, str] = {}
    while ctx is not None:
        for param in getattr(ctx.command, "params", ()):
            opts = [opt for opt in getattr(param, "opts", ()) if opt.startswith("--")]
            if param.name and opts:
                names.setdefault(param.name, opts[0])
        ctx = ctx.parent
    return names


def in_cli_words(message: str, options: Mapping[str, str] | None = None) -> str:
    """An SDK message with API parameters and Python spellings replaced by the CLI's flags.

    ``options`` maps the running command's parameter names to its flags (they
    are the API's names, ``trunk_direction`` -> ``--trunk-direction``); words of
    the SDK's own vocabulary (``end_time__gte``, ``calls.export()``) map to
    what the user typed.
    """
    for word, flag in _SDK_WORDS.items():
        if "(" in word or "=" in word or "/" in word:
            message = message.replace(word, flag)
    known = {**_SDK_WORDS, **(options or {})}

    def swap(match: re.Match[str]) -> str:
        flag = known.get(match.group(1))
        if flag is None:
            return match.group(0)
        suffix = match.group(2)
        return f"--no-{flag[2:]}" if suffix == "=False" and flag.startswith("--") else flag

    message = _SNAKE.sub(swap, message)
    # The SDK echoes CDR-format times (UTC, with a space); the CLI has one spelling.
    message = _SPACE_TIME.sub(r"\1T\2Z", message)
    # One-word names ("username must be ...") only where they are the subject of a rule:
    # the word alone is too common to replace anywhere else.
    return _SUBJECT.sub(lambda m: known.get(m.group(1), m.group(1)) + m.group(2), message)


def _current_options() -> dict[str, str]:
    from ._compat import get_current_context

    return option_names(get_current_context(silent=True))


def describe(exc: BaseException) -> CLIError:
    """The user-facing line and exit code for any exception a command can end with."""
    if isinstance(exc, CLIError):
        return exc
    if isinstance(exc, InvalidArgumentError):
        return CLIError(
            f"invalid argument: {in_cli_words(str(exc), _current_options())}",
            exit_code=EXIT_USAGE,
        )
    if isinstance(exc, AuthenticationError):
        return CLIError(
            "authentication failed (401): the API refused this Auth ID / Auth Token; "
            "check --auth-id/--auth-token, PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN or the profile "
            "(zentrunk config show)"
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
    if isinstance(exc, ValueError):  # the SDK's config checks (RateLimit, ...)
        return CLIError(f"invalid value: {in_cli_words(str(exc), _current_options())}", exit_code=2)
    return CLIError(f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")


def leaf(exc: BaseException) -> BaseException:
    """The first real exception inside (nested) exception groups from task groups."""
    while isinstance(getattr(exc, "exceptions", None), tuple) and exc.exceptions:  # type: ignore[attr-defined]
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    return exc


def redact(text: str) -> str:
    """The SDK's secret scrubber, once the SDK is loaded (before, no secret is registered)."""
    if "zentrunk_async._logging" not in sys.modules:
        return text
    from .._logging import redact as sdk_redact

    return sdk_redact(text)


def fail(error: CLIError) -> NoReturn:
    """Print the error (and its hint) on stderr and leave with its exit code."""
    typer.echo(f"zentrunk: error: {one_line(redact(error.message))}", err=True)
    if error.hint:
        typer.echo(redact(error.hint), err=True)
    raise typer.Exit(error.exit_code)


def print_traceback(exc: BaseException) -> None:
    """``--debug``: the full traceback, passed through the SDK's secret scrubber first."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    sys.stderr.write(redact(text))


def run_async(func: Callable[[], Awaitable[T]], *, debug: bool) -> T:
    """Run one command's coroutine on a fresh event loop, turning failures into `fail`."""
    import anyio

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
