"""The root ``zentrunk`` app: global options, the shared state, and the one-line usage errors.

Global options mirror `ZentrunkClient`'s configuration and read the same
environment variables (``PLIVO_AUTH_ID``, ``PLIVO_AUTH_TOKEN``,
``ZENTRUNK_BASE_URL``), so a shell that works for the SDK works here too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Annotated, cast

import attrs
import typer

from .._client import ZentrunkClient
from .._config import ENV_AUTH_ID, ENV_AUTH_TOKEN, ENV_BASE_URL
from .._http import HTTP_BACKENDS, HttpBackend
from .._logging import RedactingFilter, redact
from .._version import __version__
from ._compat import NoArgsIsHelpError, click_exceptions
from ._errors import EXIT_INTERRUPTED, EXIT_USAGE, one_line

app = typer.Typer(
    name="zentrunk",
    help="Plivo Zentrunk from the shell: trunks, credentials, IP ACLs, URIs and call records.",
    no_args_is_help=True,
    add_completion=False,
    # Tracebacks are opt-in (--debug), and Typer's pretty ones would print local
    # variables, the auth token among them.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)


@attrs.define
class State:
    """What the global options resolved to; `auth_token` is never printed."""

    auth_id: str | None = None
    auth_token: str | None = attrs.field(default=None, repr=False)
    base_url: str | None = None
    json: bool = False
    debug: bool = False
    #: ``--http``: the client's HTTP I/O, "httpx" or "aiohttp" (None: the SDK's default).
    http: str | None = None

    def client(self, *, pace: bool = True) -> ZentrunkClient:
        """A client from the options; unset ones fall back to the environment, as in the SDK.

        ``pace=False`` switches client-side rate limiting off (the demo, against an
        emulator without a limit); everything else keeps the SDK's defaults.
        """
        http = cast("HttpBackend | None", self.http)
        if pace:
            return ZentrunkClient(self.auth_id, self.auth_token, base_url=self.base_url, http=http)
        return ZentrunkClient(
            self.auth_id, self.auth_token, base_url=self.base_url, rate_limit=None, http=http
        )


def state_of(ctx: typer.Context, json_flag: bool = False) -> State:
    """The root's `State`; a command's own ``--json`` counts as well as the global one."""
    state = ctx.find_object(State)
    if state is None:  # a command invoked without the root (not reachable from the shell)
        state = State()
    if json_flag:
        state.json = True
    return state


#: ``--json`` on every command that prints, so ``zentrunk trunks list --json`` works too.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zentrunk {__version__}")
        raise typer.Exit()


def _debug_logging(ctx: typer.Context) -> None:
    """SDK log records (requests, retries, 429s) on stderr, through the same secret scrubber."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    sdk_logger = logging.getLogger("zentrunk_async")
    previous = sdk_logger.level
    sdk_logger.addHandler(handler)
    sdk_logger.setLevel(logging.DEBUG)

    def restore() -> None:
        sdk_logger.removeHandler(handler)
        sdk_logger.setLevel(previous)

    ctx.call_on_close(restore)


@app.callback()
def root(
    ctx: typer.Context,
    auth_id: Annotated[
        str | None,
        typer.Option("--auth-id", envvar=ENV_AUTH_ID, help="Plivo Auth ID.", show_default=False),
    ] = None,
    auth_token: Annotated[
        str | None,
        typer.Option(
            "--auth-token",
            envvar=ENV_AUTH_TOKEN,
            help="Plivo Auth Token (prefer the environment variable: argv is visible to others).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar=ENV_BASE_URL,
            help="API root, e.g. http://127.0.0.1:8080 for a local emulator.",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = (
        False
    ),
    debug: Annotated[
        bool, typer.Option("--debug", help="Log requests and show tracebacks (secrets hidden).")
    ] = False,
    http: Annotated[
        str | None,
        typer.Option(
            "--http",
            help="HTTP I/O: httpx (default) or aiohttp (the aiohttp extra; less CPU per page).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Talk to Plivo's Zentrunk API, or to the local emulator (``zentrunk emulator``)."""
    if http is not None and http not in HTTP_BACKENDS:
        raise typer.BadParameter(
            f"{http!r} is not one of {', '.join(HTTP_BACKENDS)}", param_hint="'--http'"
        )
    ctx.obj = State(
        auth_id=auth_id,
        auth_token=auth_token,
        base_url=base_url,
        json=json_output,
        debug=debug,
        http=http,
    )
    if debug:
        _debug_logging(ctx)
        token = "***" if auth_token else f"(from {ENV_AUTH_TOKEN} if set)"
        typer.echo(
            f"debug: auth_id={auth_id or f'(from {ENV_AUTH_ID})'} auth_token={token} "
            f"base_url={base_url or f'(from {ENV_BASE_URL} or the default)'}",
            err=True,
        )


def _register() -> None:
    # Imported here so that each module can import `app`, `State` and friends from this one.
    from . import _calls, _demo, _emulator, _export, _fleet, _report, _resources, _sync

    _resources.register(app)
    _export.register(_calls.calls_app)
    _emulator.register(app)
    _demo.register(app)
    _sync.register(_calls.calls_app)
    _report.register(app)
    _fleet.register(app)


_register()


def run_main(argv: Sequence[str] | None = None) -> int:
    """Run the app without click's standalone handling, so usage errors stay one line."""
    command = typer.main.get_command(app)
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="zentrunk",
            standalone_mode=False,
        )
    except NoArgsIsHelpError as exc:
        # `zentrunk` or `zentrunk trunks` alone: the help is what was asked for.
        typer.echo(exc.format_message())
        return 0
    except click_exceptions.UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        message = one_line(redact(exc.format_message()))
        typer.echo(f"zentrunk: error: {message}{where}", err=True)
        return EXIT_USAGE
    except click_exceptions.ClickException as exc:
        typer.echo(f"zentrunk: error: {one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except typer.Abort:
        typer.echo("zentrunk: interrupted", err=True)
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else 0
