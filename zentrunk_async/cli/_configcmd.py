"""``zentrunk config path|show``: where the profiles live and what was resolved (no tokens)."""

from __future__ import annotations

import typer

from ._output import show_record
from ._profiles import config_path, load_file
from ._state import JsonFlag, OutputFlag, state_of

config_app = typer.Typer(
    help="The config file and its profiles.", no_args_is_help=True, rich_markup_mode=None
)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("path")
def config_path_command() -> None:
    """Print the config file's path (set ZENTRUNK_CONFIG to use another)."""
    typer.echo(str(config_path()))


@config_app.command("show")
def config_show(ctx: typer.Context, output: OutputFlag = None, json_flag: JsonFlag = False) -> None:
    """What this run would use: profile, Auth ID, base URL, rate limit, and where each came from."""
    state = state_of(ctx, json_flag, output)
    settings = state.settings()
    path = config_path()
    profiles = sorted(load_file(path).get("profiles", {}))
    show_record(
        {
            "config_file": str(path),
            "config_file_exists": path.exists(),
            "profiles": profiles,
            "profile": settings.profile,
            "auth_id": settings.auth_id,
            "auth_token": "***" if settings.auth_token else None,
            "base_url": settings.base_url,
            "rate_limit": settings.rate_limit,
            "sources": settings.sources,
        },
        title="configuration",
        state=state,
        id_field="auth_id",
    )
