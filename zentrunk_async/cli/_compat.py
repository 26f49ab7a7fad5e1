"""Click's exception classes, wherever this Typer keeps them.

Typer up to 0.2x runs on ``click``; later releases vendor it as
``typer._click`` and no longer install click at all. Usage errors must be
caught from the copy Typer actually raises, or they would escape as
tracebacks.
"""

from __future__ import annotations

try:
    from typer._click import exceptions as click_exceptions
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - Typer that still runs on click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]
    from click.globals import get_current_context  # type: ignore[no-redef]

#: click < 8.2 prints the help itself for a bare group and has no such class.
NoArgsIsHelpError: tuple[type[click_exceptions.UsageError], ...] = tuple(
    getattr(click_exceptions, name)
    for name in ("NoArgsIsHelpError",)
    if hasattr(click_exceptions, name)
)

__all__ = ["NoArgsIsHelpError", "click_exceptions", "get_current_context"]


def shell_completion_source(shell: str) -> str:
    """Typer's completion script for `shell` (it calls ``zentrunk`` back with
    ``_ZENTRUNK_COMPLETE=complete_<shell>`` set), ending with a newline."""
    from typer._completion_shared import get_completion_script

    script: str = get_completion_script(
        prog_name="zentrunk", complete_var="_ZENTRUNK_COMPLETE", shell=shell
    )
    return script + "\n"


def enable_completion() -> None:
    """Register Typer's shell classes (``add_completion=False`` skips that): called only
    when a shell asks for completions, so ordinary runs do not pay for it."""
    from typer._completion_classes import completion_init

    completion_init()
