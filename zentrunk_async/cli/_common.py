"""What every API command shares: one client per command, lists, deletes, dry runs.

Each command opens one `ZentrunkClient` for its lifetime (``async with``),
so connections and the rate limiter are shared by all the requests one
command makes, and nothing outlives it.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import typer
from typer.core import TyperGroup

from ._console import note
from ._errors import EXIT_FAILURE, EXIT_USAGE, CLIError, run_async
from ._output import print_json, resolve_format, show_record, show_records
from ._state import OutputFormat, State

if TYPE_CHECKING:
    from .._client import ZentrunkClient
    from .._pagination import Pager

T = TypeVar("T")

#: A list stops here unless told otherwise (--max N or --all): a screenful that spends
#: a handful of the account's 300 requests per 5 s, not thousands.
DEFAULT_LIST_MAX = 50


def open_client(state: State, *, pace: bool = True) -> ZentrunkClient:
    """The client, after checking credentials in the command line's own words."""
    return state.client(pace=pace)


def call_api(state: State, operation: Callable[[ZentrunkClient], Awaitable[T]]) -> T:
    """Run ``operation(client)`` with a client open for just this command."""

    async def main() -> T:
        async with open_client(state) as zt:
            return await operation(zt)

    return run_async(main, debug=state.debug)


@attrs.frozen
class Listed:
    """The records a list command got, and how many the API said there were."""

    records: list[Any]
    total: int | None


async def take(pager: Pager[Any], limit: int | None) -> Listed:
    """Up to `limit` records of a pager (None: all), and the first page's ``total_count``."""
    records: list[Any] = []
    total: int | None = None
    async with aclosing(pager.pages()) as pages:
        async for page in pages:
            if total is None:
                total = page.meta.total_count
            records.extend(page.objects)
            if limit is not None and len(records) >= limit:
                del records[limit:]
                break
    return Listed(records, total)


def note_cut(listed: Listed, limit: int | None, what: str, *, more: str = "") -> None:
    """On stderr, when a list stopped before the end: how many of how many, how to get all."""
    shown = len(listed.records)
    if limit is None or shown < limit or listed.total is None or listed.total <= shown:
        return
    extra = f", or {more}" if more else ""
    note(
        f"showing the first {shown:,} of {listed.total:,} {what} (--max {limit}); "
        f"--all lists every one{extra}"
    )


def list_limit(max_items: int | None, all_items: bool) -> int | None:
    if all_items and max_items is not None:
        raise CLIError("give --max or --all, not both", exit_code=EXIT_USAGE)
    return None if all_items else (max_items or DEFAULT_LIST_MAX)


#: Help lists commands in this order (reading first, then writing), not in definition order.
COMMAND_ORDER = (
    "list",
    "get",
    "insights",
    "export",
    "verify",
    "sync",
    "create",
    "update",
    "route-number",
    "delete",
)


class OrderedGroup(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        rank = {name: index for index, name in enumerate(COMMAND_ORDER)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(rank)))


def resource_app(help_text: str) -> typer.Typer:
    """A ``zentrunk <resource>`` group."""
    return typer.Typer(
        cls=OrderedGroup, help=help_text, no_args_is_help=True, rich_markup_mode=None
    )


@attrs.frozen
class Spec:
    """How one resource appears on the command line."""

    attribute: str  # the client's attribute: zt.<attribute>
    label: str  # "trunk", "IP ACL", ...
    id_field: str  # the API's id field: -o ids prints it, a table never cuts it
    columns: Sequence[str]  # what a table shows (the other formats show every field)
    title: str
    record: type  # the record class: its fields are the csv/tsv header


def show_list(records: Sequence[object], spec: Spec, state: State) -> None:
    show_records(
        records,
        columns=spec.columns,
        title=spec.title,
        state=state,
        id_field=spec.id_field,
        record_type=spec.record,
    )


def show_one(record: object, spec: Spec, state: State, title: str) -> None:
    show_record(record, title=title, state=state, id_field=spec.id_field)


def show_write(response: object, *, what: str, state: State, id_field: str | None = None) -> None:
    """A create/update response: its id, api_id and the API's message."""
    show_record(response, title=what, state=state, id_field=id_field)


def write(
    state: State,
    dry: bool,
    operation: Callable[[ZentrunkClient], Awaitable[object]],
    *,
    what: str,
    id_field: str,
) -> None:
    """Send a create/update (or only print it, with --dry-run) and show the response."""
    if dry:
        dry_run(state, operation)
        return
    show_write(call_api(state, operation), what=what, state=state, id_field=id_field)


# --- confirmation and dry runs --------------------------------------------------------------


def confirm(state: State, yes: bool, question: str) -> None:
    """Ask on a terminal; refuse, with one line, where nobody can answer (unless --yes)."""
    if yes or state.yes:
        return
    if not sys.stdin.isatty():
        raise CLIError(
            f"{question.rstrip('?')}: refusing without --yes, as stdin is not a terminal "
            "(nobody to ask)",
            exit_code=EXIT_USAGE,
        )
    try:
        answer = typer.confirm(question, default=False, err=True)
    except typer.Abort:
        answer = False
    if not answer:
        raise CLIError("not confirmed: nothing was changed", exit_code=EXIT_FAILURE)


class DryRunRequest(Exception):
    """Raised from inside the HTTP client in place of sending: carries the request."""

    def __init__(self, request: Any) -> None:
        super().__init__("dry run")
        self.request = request


#: Body fields that carry secrets (SIP passwords); shown as *** in a dry run.
SECRET_FIELDS = frozenset({"password", "auth_token"})


def dry_run(state: State, operation: Callable[[ZentrunkClient], Awaitable[object]]) -> None:
    """Run `operation` against a client that stops at the first request and prints it."""
    import httpx

    def refuse(request: httpx.Request) -> httpx.Response:
        raise DryRunRequest(request)

    async def main() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
        try:
            async with state.settings().client(http_client=http) as zt:
                await operation(zt)
        except DryRunRequest as stopped:
            return stopped.request
        finally:
            await http.aclose()
        return None

    request = run_async(main, debug=state.debug)
    if request is None:  # pragma: no cover - every write sends a request
        raise CLIError("the dry run sent nothing")
    print_request(request, state)


def print_request(request: Any, state: State) -> None:
    import json

    body: Any = None
    if request.content:
        try:
            body = json.loads(request.content)
        except ValueError:
            body = request.content.decode("utf-8", "replace")
    if isinstance(body, dict):
        body = {k: "***" if k in SECRET_FIELDS and v else v for k, v in body.items()}
    headers = {
        name: "***" if name.lower() == "authorization" else value
        for name, value in request.headers.items()
        if name.lower() in ("authorization", "content-type", "user-agent")
    }
    if state.json or state.output in (OutputFormat.json, OutputFormat.jsonl):
        print_json(
            {"method": request.method, "url": str(request.url), "headers": headers, "body": body}
        )
        return
    lines = [f"{request.method} {request.url}", *(f"{k}: {v}" for k, v in headers.items())]
    if body is not None:
        lines += ["", json.dumps(body, indent=2, ensure_ascii=False)]
    sys.stdout.write("\n".join(lines) + "\n")
    note("dry run: nothing was sent")


#: -o/--output for the commands built here (a module-level default: see add_get_delete).
_OUTPUT_OPTION = typer.Option(
    None, "--output", "-o", case_sensitive=False, help="table, json, jsonl, csv, tsv, ids."
)


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
        output: OutputFormat | None = _OUTPUT_OPTION,
        json_flag: bool = typer.Option(False, "--json", help="Same as -o json."),
    ) -> None:
        from ._state import state_of

        state = state_of(ctx, json_flag, output)
        record = call_api(state, lambda zt: getattr(zt, spec.attribute).get(item_id))
        show_one(record, spec, state, f"{spec.label} {item_id}")

    @sub.command("delete", help=f"Delete one {spec.label} (asks first on a terminal).")
    def delete(
        ctx: typer.Context,
        item_id: str = typer.Argument(..., metavar=metavar, show_default=False),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (needed in scripts)."),
        dry: bool = typer.Option(False, "--dry-run", help="Print the request; send nothing."),
        output: OutputFormat | None = _OUTPUT_OPTION,
        json_flag: bool = typer.Option(False, "--json", help="Same as -o json."),
    ) -> None:
        from ._state import state_of

        state = state_of(ctx, json_flag, output)
        operation = lambda zt: getattr(zt, spec.attribute).delete(item_id)  # noqa: E731
        if dry:
            dry_run(state, operation)
            return
        confirm(state, yes, f"Delete {spec.label} {item_id}?")
        call_api(state, operation)
        if resolve_format(state) is OutputFormat.table:
            sys.stdout.write(f"Deleted {spec.label} {item_id}.\n")
        else:
            show_record(
                {"deleted": True, spec.id_field: item_id},
                title="deleted",
                state=state,
                id_field=spec.id_field,
            )


def add_list(sub: typer.Typer, spec: Spec) -> None:
    """``list`` for a resource the API lists without filters."""

    @sub.command(
        "list", help=f"List the {spec.title.lower()} of the account (50 unless --max/--all)."
    )
    def list_(
        ctx: typer.Context,
        max_items: int | None = typer.Option(
            None,
            "--max",
            "--max-items",
            min=1,
            help="Stop after this many (default 50).",
            show_default=False,
        ),
        all_items: bool = typer.Option(False, "--all", help="Every one, however many."),
        output: OutputFormat | None = _OUTPUT_OPTION,
        json_flag: bool = typer.Option(False, "--json", help="Same as -o json."),
    ) -> None:
        from ._state import state_of

        state = state_of(ctx, json_flag, output)
        limit = list_limit(max_items, all_items)
        listed = call_api(
            state, lambda zt: take(getattr(zt, spec.attribute).list(max_items=limit), limit)
        )
        show_list(listed.records, spec, state)
        note_cut(listed, limit, spec.title.lower())
