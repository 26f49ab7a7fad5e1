"""SIP passwords: from an option, the environment, stdin (``--password-stdin``) or a prompt.

A prompt is only possible on a terminal. Without one (a script, CI, a
closed stdin) click's prompt would read end-of-file and end as
"interrupted", exit 130, which tells a script nothing true; here that case
is a usage error that names the two ways to pass the password.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ._errors import EXIT_INTERRUPTED, EXIT_USAGE, CLIError

ENV_SIP_PASSWORD = "ZENTRUNK_SIP_PASSWORD"

Password = Annotated[
    str | None,
    typer.Option(
        "--password",
        envvar=ENV_SIP_PASSWORD,
        help=f"SIP password (argv is visible to others: prefer {ENV_SIP_PASSWORD}, "
        "--password-stdin or the prompt). Never printed.",
        show_default=False,
    ),
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the SIP password from the first line of stdin."),
]


def sip_password(value: str | None, from_stdin: bool, *, confirm: bool) -> str:
    """The password, from wherever it was given; a clear usage error when it cannot be had."""
    if value and from_stdin:
        raise CLIError("give --password or --password-stdin, not both", exit_code=EXIT_USAGE)
    if value:
        return value
    if from_stdin:
        line = sys.stdin.readline() if sys.stdin is not None and not sys.stdin.closed else ""
        password = line.rstrip("\r\n")
        if not password:
            raise CLIError(
                "--password-stdin: stdin gave no password (empty or closed); "
                "pipe it in, e.g. printf '%s\\n' \"$PW\" | zentrunk ...",
                exit_code=EXIT_USAGE,
            )
        return password
    if sys.stdin is None or sys.stdin.closed or not sys.stdin.isatty():
        raise CLIError(
            "no SIP password, and stdin is not a terminal to ask on: pass --password-stdin "
            f"and pipe it in, or set {ENV_SIP_PASSWORD}",
            exit_code=EXIT_USAGE,
        )
    try:
        password = typer.prompt(
            "SIP password", hide_input=True, confirmation_prompt=confirm, err=True
        )
    except typer.Abort:
        raise CLIError("no password entered", exit_code=EXIT_INTERRUPTED) from None
    if not password:
        raise CLIError("the SIP password must not be empty", exit_code=EXIT_USAGE)
    return str(password)
