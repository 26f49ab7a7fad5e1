"""``--debug``: the SDK's log records on stderr, through the same secret scrubber."""

from __future__ import annotations

import logging
import sys

import typer

from ._profiles import ENV_AUTH_ID, ENV_AUTH_TOKEN, ENV_BASE_URL
from ._state import State


def debug_logging(ctx: typer.Context, state: State) -> None:
    """Log requests, retries and 429s on stderr for this command, and say what was given."""
    from .._logging import RedactingFilter

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
    token = "***" if state.auth_token else f"(from {ENV_AUTH_TOKEN} or the profile if set)"
    typer.echo(
        f"debug: auth_id={state.auth_id or f'(from {ENV_AUTH_ID} or the profile)'} "
        f"auth_token={token} "
        f"base_url={state.base_url or f'(from {ENV_BASE_URL}, the profile or the default)'}",
        err=True,
    )
