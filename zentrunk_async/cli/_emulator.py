"""``zentrunk emulator``: serve the local emulator, with exactly its own options.

Every argument after ``emulator`` (``--help`` included) goes to
``python -m zentrunk_async.emulator``'s parser unchanged, so the two entry
points cannot drift apart and its documentation holds for both. What this
wrapper adds is the CLI's failure shape: a busy port or a missing extra is
one line with what to do, not a traceback.
"""

from __future__ import annotations

import errno

import typer

from ._errors import EXIT_FAILURE, CLIError, fail

_PASS_THROUGH = {
    "allow_extra_args": True,
    "ignore_unknown_options": True,
    # Let the emulator's own parser answer --help: it knows its options.
    "help_option_names": [],
}


def register(app: typer.Typer) -> None:
    app.command(
        "emulator",
        context_settings=_PASS_THROUGH,
        add_help_option=False,
        help="Serve the local emulator (options: zentrunk emulator --help).",
    )(emulator)


def _port_of(args: list[str]) -> str:
    for index, arg in enumerate(args):
        if arg == "--port" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--port="):
            return arg.split("=", 1)[1]
    return "8080"


def emulator(ctx: typer.Context) -> None:
    """Serve a local emulator of the Zentrunk API until Ctrl-C (never contacts Plivo)."""
    try:
        from ..emulator.__main__ import main as emulator_main
    except ImportError as exc:
        fail(
            CLIError(
                f"the emulator needs the 'emulator' extra ({exc.name} is missing): "
                "pip install 'zentrunk-async[emulator]'"
            )
        )
    try:
        code = emulator_main(ctx.args)
    except OSError as exc:
        port = _port_of(ctx.args)
        if exc.errno == errno.EADDRINUSE:
            fail(
                CLIError(
                    f"port {port} is already in use: stop what listens there, or pick another "
                    "with --port N (--port 0 picks a free one)",
                    exit_code=EXIT_FAILURE,
                )
            )
        if exc.errno in (errno.EACCES, errno.EPERM):
            fail(CLIError(f"not allowed to listen on port {port}: use a port above 1023"))
        fail(CLIError(f"cannot serve on port {port}: {exc.strerror or exc}"))
    raise typer.Exit(code)
