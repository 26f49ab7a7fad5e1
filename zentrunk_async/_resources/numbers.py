"""`zt.numbers`: the account's phone numbers (``Number/``, outside ``Zentrunk/``; reference §12).

Read-only here: routing a number to a trunk and back is
`zt.trunks.route_number` / `zt.trunks.unroute_number`, next to the trunks
it concerns.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import _validate as validate
from .._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from .._errors import InvalidArgumentError
from .._models import Number
from .._pagination import Pager
from .base import Resource

#: The Number API's ``type`` values (Plivo's "list all numbers").
NUMBER_TYPES = ("local", "tollfree", "mobile", "national", "fixed")
SERVICES = ("voice", "sms", "mms")


class Numbers(Resource):
    """`zt.numbers`: the account's phone numbers, as far as trunk routing needs them (§12)."""

    path = "Number/"
    name = "numbers"

    async def get(self, number: str) -> Number:
        """One number; ``"+14155551234"`` and ``"14155551234"`` are the same number.

        The path carries digits only, the form the API documents (§12); a
        ``+`` would reach the wire as ``%2B``, whose live outcome is unknown.
        """
        return await self._transport.call(
            "GET",
            self._item_path(validate.phone_number(number, field="number")),
            into=Number,
            endpoint="numbers.get",
        )

    def list(
        self,
        *,
        number_startswith: str | None = None,
        type: str | None = None,  # the API's own parameter name
        alias: str | None = None,
        services: Iterable[str] | None = None,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
    ) -> Pager[Number]:
        """The account's numbers, streamed page by page, with the Number API's filters.

        ``services`` keeps numbers that have every listed service
        (``["voice"]``, ``["voice", "sms"]``).
        """
        filters: dict[str, str] = {}
        if number_startswith is not None:
            filters["number_startswith"] = validate.phone_number(
                number_startswith, field="number_startswith"
            )
        if type is not None:
            if type not in NUMBER_TYPES:
                raise InvalidArgumentError(
                    f"type must be one of {', '.join(map(repr, NUMBER_TYPES))}; got {type!r}"
                )
            filters["type"] = type
        if alias is not None:
            filters["alias"] = validate.text(alias, field="alias")
        if services is not None:
            filters["services"] = _services(services)
        return self._pager(
            Number,
            filters,
            limit=limit,
            offset=offset,
            max_items=max_items,
            concurrency=concurrency,
            ordered=ordered,
        )


def _services(values: Iterable[str]) -> str:
    if isinstance(values, str):
        values = [values]
    chosen = list(values)
    if not chosen or any(value not in SERVICES for value in chosen):
        raise InvalidArgumentError(
            f"services must be a non-empty list of {', '.join(map(repr, SERVICES))}; got {chosen!r}"
        )
    return ",".join(chosen)
