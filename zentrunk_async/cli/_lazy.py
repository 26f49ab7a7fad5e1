"""Command groups that import a command's module only when the command is used.

``zentrunk --help`` must not import rich, httpx or the emulator (issue 13:
under 0.3 s), yet the help lists every command. A `LazyGroup` knows each
lazy command's name, module and one help line from a table; the module is
imported when the command is looked up to run (or to show its own help).
A module has ``register(app)``, which adds its commands to the Typer app
it is given, so the same module works eagerly or lazily.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

import typer
from typer.core import TyperGroup

from ._errors import CLIError, fail


def _placeholder() -> None:
    """(makes Typer build a group even when a module adds a single command)"""


class LazyGroup(TyperGroup):
    """A Typer group whose `lazy` commands (name -> (module, help line)) load on first use."""

    lazy: ClassVar[dict[str, tuple[str, str]]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        eager = super().list_commands(ctx)
        return [*eager, *(name for name in self.lazy if name not in eager)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands or cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module = importlib.import_module(self.lazy[cmd_name][0], __package__)
        holder = typer.Typer(rich_markup_mode=None)
        holder.callback()(_placeholder)
        module.register(holder)
        loaded = typer.main.get_command(holder)
        for name, command in getattr(loaded, "commands", {}).items():
            self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: Any) -> Any:
        # A CLIError raised outside run_async (bad --max/--all, a refused confirmation, a
        # config problem) ends the same way as one raised inside: one line, its exit code.
        try:
            return super().invoke(ctx)
        except CLIError as exc:
            fail(exc)
        except BrokenPipeError:
            # `zentrunk calls list | head -1`: the reader has what it wanted; not a failure.
            # stdout goes to /dev/null so that the interpreter's last flush stays quiet.
            _silence_stdout()
            raise typer.Exit(0) from None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # Eager commands by their own help, lazy ones by the table's line: listing the
        # commands must not import them all.
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy and name not in self.commands:
                rows.append((name, self.lazy[name][1]))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append(
                    (name, command.get_short_help_str(limit=formatter.width - 6 - len(name)))
                )
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _silence_stdout() -> None:
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - no real stdout (in-process tests)
        pass
