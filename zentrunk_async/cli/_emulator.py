"""``zentrunk emulator``: serve the local emulator, with exactly its own options.

Every argument after ``emulator`` (``--help`` included) goes to
``python -m zentrunk_async.emulator``'s parser unchanged, so the two entry
points cannot drift apart and its documentation holds for both.
"""

from __future__ import annotations

import typer

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


def emulator(ctx: typer.Context) -> None:
    """Serve a local emulator of the Zentrunk API until Ctrl-C (never contacts Plivo)."""
    from ..emulator.__main__ import main as emulator_main

    raise typer.Exit(emulator_main(ctx.args))
