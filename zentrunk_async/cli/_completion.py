"""``zentrunk completion SHELL [--install]``: tab completion for bash, zsh and fish.

The script is Typer's (it calls ``zentrunk`` back with
``_ZENTRUNK_COMPLETE`` set), so completion always knows the installed
commands and options. ``--install`` appends one ``eval`` line to
``~/.bashrc`` or ``~/.zshrc``, once, or writes fish's completion file.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import Annotated

import typer

from ._errors import EXIT_USAGE, CLIError, fail


class Shell(str, enum.Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


#: Where each shell reads its interactive start-up commands, and the line that loads completion.
RC_FILES = {
    Shell.bash: ("~/.bashrc", 'eval "$(zentrunk completion bash)"'),
    Shell.zsh: ("~/.zshrc", 'eval "$(zentrunk completion zsh)"'),
    Shell.fish: ("~/.config/fish/completions/zentrunk.fish", "zentrunk completion fish | source"),
}


def register(app: typer.Typer) -> None:
    app.command("completion")(completion)


def completion(
    shell: Annotated[Shell, typer.Argument(case_sensitive=False, help="bash, zsh or fish.")],
    install: Annotated[
        bool, typer.Option("--install", help="Add the loading line to the shell's start-up file.")
    ] = False,
) -> None:
    """Print the completion script for SHELL, or --install it (then open a new shell)."""
    from ._compat import shell_completion_source

    if not install:
        typer.echo(shell_completion_source(shell.value), nl=False)
        return
    target_name, line = RC_FILES[shell]
    target = Path(os.path.expanduser(target_name))
    try:
        existing = target.read_text(encoding="utf-8") if target.exists() else ""
        if line in existing:
            typer.echo(f"completion already installed in {target}")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(("\n" if existing and not existing.endswith("\n") else "") + line + "\n")
    except OSError as exc:
        fail(CLIError(f"cannot write {target}: {exc.strerror}", exit_code=EXIT_USAGE))
    typer.echo(f"completion installed in {target}: open a new {shell.value} to use it")
