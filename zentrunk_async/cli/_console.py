"""Where the CLI writes for people: rich consoles on stdout/stderr, and one-line notes.

A leaf (no CLI imports), so that the table printer and the output formats can
both use it without importing each other.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def stdout_console() -> Console:
    """A console per command, writing to whatever ``sys.stdout`` is now (tests swap it)."""
    from rich.console import Console

    return Console(file=sys.stdout, soft_wrap=False, highlight=False)


def stderr_console() -> Console:
    """A console on ``sys.stderr`` for progress and remarks (stdout stays parseable)."""
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False)


def note(message: str) -> None:
    """A remark for the person, on stderr, so that stdout stays parseable."""
    sys.stderr.write(f"zentrunk: {message}\n")
