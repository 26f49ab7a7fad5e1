"""The root ``zentrunk`` app: global options, lazily loaded commands, one-line usage errors.

Command modules are loaded only when one of their commands runs: ``zentrunk
--help`` and ``--version`` then cost Typer alone, not rich, httpx or the
emulator (``benchmarks/cli_startup.py`` measures it). A command module has
``register(app)``, which adds its commands to the Typer app it is given; to
add one, put one line in `COMMANDS` (commands under ``calls``: `_calls.CALLS_COMMANDS`).

Global options mirror `ZentrunkClient`'s configuration and read the same
environment variables (``PLIVO_AUTH_ID``, ``PLIVO_AUTH_TOKEN``,
``ZENTRUNK_BASE_URL``), so a shell that works for the SDK works here too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Annotated

import typer

from .._version import __version__
from ._compat import NoArgsIsHelpError, click_exceptions
from ._errors import EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_USAGE, CLIError, one_line, redact
from ._lazy import LazyGroup
from ._profiles import ENV_AUTH_ID, ENV_AUTH_TOKEN, ENV_BASE_URL, ENV_PROFILE, ENV_RATE_LIMIT
from ._state import JsonFlag, OutputFlag, OutputFormat, State, state_of

# Command modules import these from ._state; the names stay importable from here for
# modules written before the move (no cycle now: this module imports no command module).
__all__ = ["COMMANDS", "JsonFlag", "State", "app", "run_main", "state_of"]

#: ``zentrunk NAME`` -> (the module whose ``register(app)`` adds it, its line in ``--help``).
COMMANDS: dict[str, tuple[str, str]] = {
    "trunks": ("._resources", "SIP trunks (Zentrunk/Trunk/)."),
    "credentials": ("._resources", "SIP digest credentials for outbound trunks."),
    "ip-acls": ("._resources", "IP access control lists for outbound trunks."),
    "uris": ("._resources", "Origination URIs: where inbound calls go."),
    "calls": ("._calls", "Call detail records (read only), call quality, bulk export."),
    "auth": ("._auth", "Check the credentials: who am I, which base URL, does the token work."),
    "config": ("._configcmd", "Profiles in the config file: where it is, what it holds."),
    "completion": ("._completion", "Print or install shell completion (bash, zsh, fish)."),
    "emulator": ("._emulator", "Serve the local emulator (options: zentrunk emulator --help)."),
    "demo": ("._demo", "Run the bulk export against a local emulator: no account needed."),
    "fleet": ("._fleet", "Many accounts: sync or export each, in this process or on Dask."),
    "report": ("._report", "Calls, ASR, ACD, minutes and cost per day and trunk from a store."),
}

HELP = f"""Plivo Zentrunk from the shell: trunks, credentials, IP ACLs, URIs and call records.

Output: a table on a terminal; tab-separated values with a header line when stdout is a
pipe or a file; -o json|jsonl|csv|tsv|ids|table to choose. Times are ISO 8601 UTC ('Z').

Settings: options, then environment ({ENV_AUTH_ID}, {ENV_AUTH_TOKEN}, {ENV_BASE_URL}),
then the profile (--profile, {ENV_PROFILE}, or "default") in the config file
(zentrunk config path).

{EXIT_CODES_HELP}"""


class RootGroup(LazyGroup):
    lazy = COMMANDS


app = typer.Typer(
    name="zentrunk",
    cls=RootGroup,
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    # Tracebacks are opt-in (--debug), and Typer's pretty ones would print local
    # variables, the auth token among them.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zentrunk {__version__}")
        raise typer.Exit()


def _rate_limit(value: int | None) -> int | None:
    if value is None:
        return None
    from ._errors import CLIError
    from ._profiles import check_rate_limit

    try:
        return check_rate_limit(value, "--rate-limit")
    except CLIError as exc:
        raise typer.BadParameter(exc.message.removeprefix("--rate-limit ")) from None


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
            help="Plivo Auth Token (prefer the environment or a profile: others can read argv).",
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
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile", envvar=ENV_PROFILE, help="Profile of the config file.", show_default=False
        ),
    ] = None,
    rate_limit: Annotated[
        int | None,
        typer.Option(
            "--rate-limit",
            envvar=ENV_RATE_LIMIT,
            callback=_rate_limit,
            metavar="N",
            help="Requests per 5 s for this process (default 295 of Plivo's 300): give a share "
            "when other programs use the same account.",
            show_default=False,
        ),
    ] = None,
    allow_insecure_http: Annotated[
        bool,
        typer.Option(
            "--allow-insecure-http", help="Allow an http:// --base-url that is not loopback."
        ),
    ] = False,
    output: OutputFlag = None,
    json_output: Annotated[bool, typer.Option("--json", help="Same as -o json.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (deletes).")
    ] = False,
    http: Annotated[
        str | None,
        typer.Option(
            "--http",
            metavar="httpx|aiohttp",
            help="HTTP I/O: httpx (default) or aiohttp (asyncio only; the aiohttp extra).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Log requests and show tracebacks (secrets hidden).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Talk to Plivo's Zentrunk API, or to the local emulator (``zentrunk emulator``)."""
    if http is not None and http not in ("httpx", "aiohttp"):
        raise typer.BadParameter(f"{http!r} is not one of httpx, aiohttp", param_hint="'--http'")
    state = State(
        auth_id=auth_id,
        auth_token=auth_token,
        base_url=base_url,
        json=json_output or output is OutputFormat.json,
        output=output if output is not None else (OutputFormat.json if json_output else None),
        debug=debug,
        profile=profile,
        rate_limit=rate_limit,
        allow_insecure_http=allow_insecure_http,
        yes=yes,
        http=http,
    )
    ctx.obj = state
    if debug:
        from ._debug import debug_logging

        debug_logging(ctx, state)


def run_main(argv: Sequence[str] | None = None) -> int:
    """Run the app without click's standalone handling, so usage errors stay one line."""
    command = typer.main.get_command(app)
    if "_ZENTRUNK_COMPLETE" in os.environ:  # a shell asking for completions (zentrunk completion)
        from ._compat import enable_completion

        enable_completion()
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
        typer.echo(f"zentrunk: error: {one_line(redact(exc.format_message()))}{where}", err=True)
        return EXIT_USAGE
    except click_exceptions.ClickException as exc:
        typer.echo(f"zentrunk: error: {one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except typer.Abort:
        typer.echo("zentrunk: interrupted", err=True)
        return EXIT_INTERRUPTED
    except CLIError as exc:  # raised by a command before or after its requests
        typer.echo(f"zentrunk: error: {one_line(redact(exc.message))}", err=True)
        if exc.hint:
            typer.echo(exc.hint, err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("zentrunk: interrupted", err=True)
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else 0
