"""What every API command shares: one client per command, and generic get/list/delete.

Each command opens one `ZentrunkClient` for its lifetime (``async with``),
so connections and the rate limiter are shared by all the requests one
command makes, and nothing outlives it.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import attrs
import typer
from typer.core import TyperGroup

from .._client import ZentrunkClient
from .._config import ENV_AUTH_ID, ENV_AUTH_TOKEN
from ._app import State, state_of
from ._errors import EXIT_USAGE, CLIError, run_async
from ._output import print_json, show_record, show_records, stdout_console

T = TypeVar("T")


def open_client(state: State, *, pace: bool = True) -> ZentrunkClient:
    """The client, after checking credentials in the command line's own words."""
    if not (state.auth_id or os.environ.get(ENV_AUTH_ID)):
        raise CLIError(f"no Auth ID: pass --auth-id or set {ENV_AUTH_ID}", exit_code=EXIT_USAGE)
    if not (state.auth_token or os.environ.get(ENV_AUTH_TOKEN)):
        raise CLIError(
            f"no Auth Token: set {ENV_AUTH_TOKEN} (or pass --auth-token)", exit_code=EXIT_USAGE
        )
    return state.client(pace=pace)


def call_api(state: State, operation: Callable[[ZentrunkClient], Awaitable[T]]) -> T:
    """Run ``operation(client)`` with a client open for just this command."""

    async def main() -> T:
        async with open_client(state) as zt:
            return await operation(zt)

    return run_async(main, debug=state.debug)


#: Help lists commands in this order (reading first, then writing), not in definition order.
COMMAND_ORDER = ("list", "get", "insights", "export", "create", "update", "route-number", "delete")


class OrderedGroup(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        rank = {name: index for index, name in enumerate(COMMAND_ORDER)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(rank)))


def resource_app(help_text: str) -> typer.Typer:
    """A ``zentrunk <resource>`` group."""
    return typer.Typer(cls=OrderedGroup, help=help_text, no_args_is_help=True)


@attrs.frozen
class Spec:
    """How one configuration resource appears on the command line."""

    attribute: str  # the client's attribute: zt.<attribute>
    label: str  # "trunk", "IP ACL", ...
    id_field: str  # the API's id field, printed with delete
    columns: Sequence[str]  # what a list table shows (--json shows every field)
    title: str


def add_get_delete(sub: typer.Typer, spec: Spec) -> None:
    """``get ID`` and ``delete ID`` for a resource.

    Parameters are declared with default values rather than ``Annotated``
    here: annotations are strings under ``from __future__ import
    annotations`` and could not see this function's `spec`.
    """
    metavar = spec.id_field.upper()

    @sub.command("get", help=f"Show one {spec.label}.")
    def get(
        ctx: typer.Context,
        item_id: str = typer.Argument(..., metavar=metavar, show_default=False),
        json_flag: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    ) -> None:
        state = state_of(ctx, json_flag)
        record = call_api(state, lambda zt: getattr(zt, spec.attribute).get(item_id))
        show_record(record, title=f"{spec.label} {item_id}", as_json=state.json)

    @sub.command("delete", help=f"Delete one {spec.label}.")
    def delete(
        ctx: typer.Context,
        item_id: str = typer.Argument(..., metavar=metavar, show_default=False),
        json_flag: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    ) -> None:
        state = state_of(ctx, json_flag)
        call_api(state, lambda zt: getattr(zt, spec.attribute).delete(item_id))
        if state.json:
            print_json({"deleted": True, spec.id_field: item_id})
        else:
            stdout_console().print(f"Deleted {spec.label} {item_id}.", markup=False)


def add_list(sub: typer.Typer, spec: Spec) -> None:
    """``list`` for a resource the API lists without filters."""

    @sub.command("list", help=f"List every {spec.label} on the account.")
    def list_(
        ctx: typer.Context,
        max_items: int | None = typer.Option(
            None, "--max-items", min=1, help="Stop after this many.", show_default=False
        ),
        json_flag: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    ) -> None:
        state = state_of(ctx, json_flag)
        records = call_api(
            state, lambda zt: getattr(zt, spec.attribute).list(max_items=max_items).collect()
        )
        show_records(records, columns=spec.columns, title=spec.title, as_json=state.json)


def show_write(response: object, *, what: str, state: State) -> None:
    """A create/update response: its id, api_id and the API's message."""
    show_record(response, title=what, as_json=state.json)


def show_list(records: Sequence[object], spec: Spec, state: State) -> None:
    show_records(records, columns=spec.columns, title=spec.title, as_json=state.json)
