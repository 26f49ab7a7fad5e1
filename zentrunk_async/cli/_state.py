"""What the global options resolved to, shared by every command module (a leaf: no CLI imports).

Command modules import `State` from here, never from ``_app``: ``_app``
loads the command modules, so importing back from it would be a cycle.

Importing this module must stay cheap (``zentrunk --help`` imports it):
the SDK's client, httpx and the config file are loaded only when a command
asks for a client.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from .._client import ZentrunkClient
    from ._profiles import Settings


class OutputFormat(str, enum.Enum):
    """``-o/--output`` values."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    ids = "ids"


# A dataclass, not attrs: attrs costs tens of milliseconds of `zentrunk --help`.
@dataclass
class State:
    """What the global options resolved to; `auth_token` is never printed.

    `json` is True when JSON was asked for (``--json`` or ``-o json``); `output`
    is the explicit ``-o`` choice, None meaning "pick by whether stdout is a
    terminal" (see ``_output.resolve_format``).
    """

    auth_id: str | None = None
    auth_token: str | None = field(default=None, repr=False)
    base_url: str | None = None
    json: bool = False
    debug: bool = False
    output: OutputFormat | None = None
    profile: str | None = None
    rate_limit: int | None = None
    allow_insecure_http: bool = False
    yes: bool = False
    #: ``--http``: the client's HTTP I/O, "httpx" or "aiohttp" (None: the SDK's default).
    http: str | None = None
    #: The merged settings, once resolved (or given: the demo's own account).
    resolved: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """Options, environment and profile merged (the config file is read once, here)."""
        if self.resolved is None:
            from ._profiles import resolve

            self.resolved = resolve(
                auth_id=self.auth_id,
                auth_token=self.auth_token,
                base_url=self.base_url,
                profile=self.profile,
                rate_limit=self.rate_limit,
                allow_insecure_http=self.allow_insecure_http,
            )
        return self.resolved

    def client(self, *, pace: bool = True) -> ZentrunkClient:
        """A client from the settings (options, then environment, then profile).

        ``pace=False`` switches client-side rate limiting off (the demo, against an
        emulator without a limit); otherwise the SDK's default pace, or
        ``--rate-limit N`` requests per 5 s when given.
        """
        return self.settings().client(pace=pace, http=self.http)


def state_of(
    ctx: typer.Context, json_flag: bool = False, output: OutputFormat | None = None
) -> State:
    """The root's `State`; a command's own ``--json``/``-o`` count as well as the global ones."""
    state = ctx.find_object(State)
    if state is None:  # a command invoked without the root (not reachable from the shell)
        state = State()
        ctx.obj = state
    if output is not None:
        state.output = output
        state.json = output is OutputFormat.json
    elif json_flag:
        state.output = OutputFormat.json
        state.json = True
    return state


#: ``--json`` on every command that prints, so ``zentrunk trunks list --json`` works too.
JsonFlag = Annotated[bool, typer.Option("--json", help="Same as -o json.")]

#: ``-o/--output`` on every list and get (and on writes, for their response).
OutputFlag = Annotated[
    OutputFormat | None,
    typer.Option(
        "--output",
        "-o",
        case_sensitive=False,
        help="table, json, jsonl, csv, tsv or ids (default: table on a terminal, tsv otherwise).",
        show_default=False,
    ),
]

#: ``--yes`` on deletes.
YesFlag = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (needed in scripts).")
]

#: ``--dry-run`` on writes.
DryRunFlag = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Print the request that would be sent (secrets hidden); send nothing."
    ),
]
