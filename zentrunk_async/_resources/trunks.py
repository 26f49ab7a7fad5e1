"""`zt.trunks`: Zentrunk/Trunk/ (zentrunk-api.md §3) and number routing (§12)."""

from __future__ import annotations

from .. import _validate as validate
from .._beside import Background
from .._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from .._errors import InvalidArgumentError, TrunkInUseError
from .._models import (
    Number,
    NumberUpdated,
    Trunk,
    TrunkCreated,
    TrunkDirection,
    TrunkStatus,
    TrunkUpdated,
    coerce_enum,
)
from .._pagination import Pager
from .._transport import Transport
from .base import Matching, Resource, compact, query_value, require_changes
from .numbers import Numbers


class Trunks(Resource):
    """``zt.trunks``: SIP trunks (reference §3)."""

    path = "Zentrunk/Trunk/"
    name = "trunks"

    def __init__(self, transport: Transport, background: Background | None = None) -> None:
        super().__init__(transport, background)
        self._numbers = Numbers(transport, background)

    async def create(
        self,
        *,
        trunk_direction: TrunkDirection | str,
        name: str | None = None,
        trunk_status: TrunkStatus | str | None = None,
        secure: bool | None = None,
        ipacl_uuid: str | None = None,
        credential_uuid: str | None = None,
        primary_uri_uuid: str | None = None,
        fallback_uri_uuid: str | None = None,
    ) -> TrunkCreated:
        """Create a trunk. The response has no `trunk_domain`: `get()` the trunk for it.

        Inbound trunks need `primary_uri_uuid` (and may have a fallback);
        outbound trunks need `ipacl_uuid` and/or `credential_uuid`.
        """
        direction = coerce_enum(TrunkDirection, trunk_direction, field="trunk_direction")
        body = _trunk_fields(
            name=name,
            trunk_status=trunk_status,
            secure=secure,
            ipacl_uuid=ipacl_uuid,
            credential_uuid=credential_uuid,
            primary_uri_uuid=primary_uri_uuid,
            fallback_uri_uuid=fallback_uri_uuid,
        )
        _check_direction_fields(direction, body, creating=True)
        body["trunk_direction"] = direction.value
        return await self._transport.call(
            "POST", self.path, body=body, into=TrunkCreated, endpoint="trunks.create"
        )

    async def get(self, trunk_id: str) -> Trunk:
        """One trunk (the live API wraps it in an `object` envelope; this unwraps it)."""
        return await self._transport.call(
            "GET",
            self._item_path(validate.trunk_id(trunk_id)),
            into=Trunk,
            endpoint="trunks.get",
        )

    def list(
        self,
        *,
        trunk_direction: TrunkDirection | str | None = None,
        trunk_status: TrunkStatus | str | None = None,
        secure: bool | None = None,
        ipacl_uuid: str | None = None,
        credential_uuid: str | None = None,
        primary_uri_uuid: str | None = None,
        fallback_uri_uuid: str | None = None,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
    ) -> Pager[Trunk]:
        """Every trunk matching the filters, streamed page by page."""
        filters = _trunk_fields(
            trunk_status=trunk_status,
            secure=secure,
            ipacl_uuid=ipacl_uuid,
            credential_uuid=credential_uuid,
            primary_uri_uuid=primary_uri_uuid,
            fallback_uri_uuid=fallback_uri_uuid,
        )
        if trunk_direction is not None:
            filters["trunk_direction"] = coerce_enum(
                TrunkDirection, trunk_direction, field="trunk_direction"
            ).value
        return self._pager(
            Trunk,
            {key: query_value(value) for key, value in filters.items()},
            limit=limit,
            offset=offset,
            max_items=max_items,
            concurrency=concurrency,
            ordered=ordered,
        )

    async def update(
        self,
        trunk_id: str,
        *,
        name: str | None = None,
        trunk_status: TrunkStatus | str | None = None,
        trunk_direction: TrunkDirection | str | None = None,
        secure: bool | None = None,
        ipacl_uuid: str | None = None,
        credential_uuid: str | None = None,
        primary_uri_uuid: str | None = None,
        fallback_uri_uuid: str | None = None,
    ) -> TrunkUpdated:
        """Change the given fields (updates are POSTs; `None` leaves a field alone).

        The live API answers 400 to an update without `trunk_direction`
        (zentrunk-api.md §3.6), so when the caller does not give it the
        trunk is read first and its current direction is sent along.
        """
        validate.trunk_id(trunk_id)
        body = _trunk_fields(
            name=name,
            trunk_status=trunk_status,
            secure=secure,
            ipacl_uuid=ipacl_uuid,
            credential_uuid=credential_uuid,
            primary_uri_uuid=primary_uri_uuid,
            fallback_uri_uuid=fallback_uri_uuid,
        )
        if trunk_direction is None:
            require_changes(body, what="trunks.update")
            current = await self.get(trunk_id)
            direction = coerce_enum(
                TrunkDirection, current.trunk_direction, field="trunk_direction"
            )
        else:
            direction = coerce_enum(TrunkDirection, trunk_direction, field="trunk_direction")
        _check_direction_fields(direction, body, creating=False)
        body["trunk_direction"] = direction.value
        return await self._transport.call(
            "POST",
            self._item_path(trunk_id),
            body=body,
            into=TrunkUpdated,
            endpoint="trunks.update",
        )

    async def delete(self, trunk_id: str, *, if_unrouted: bool = False) -> None:
        """Delete a trunk; the API detaches every number routed to it (§3.7).

        Calls to those numbers then stop reaching anyone, the mistake that
        real clients guard against. With ``if_unrouted=True`` the numbers are
        listed first (one request per 20 numbers) and, if any still routes to
        this trunk, `TrunkInUseError` is raised and nothing is deleted. The
        check and the delete are two steps: a number routed in between is
        still detached.
        """
        validate.trunk_id(trunk_id)
        if validate.boolean(if_unrouted, field="if_unrouted"):
            routed = [number.number for number in await self.numbers(trunk_id).collect()]
            if routed:
                raise TrunkInUseError(trunk_id, routed)
        await self._transport.call(
            "DELETE",
            self._item_path(validate.trunk_id(trunk_id)),
            into=None,
            endpoint="trunks.delete",
        )

    async def route_number(self, number: str, trunk_id: str) -> NumberUpdated:
        """Route a phone number's inbound calls to an inbound trunk (`POST Number/{digits}/`).

        An outbound trunk is refused: the API accepts it but the number then
        stops answering (zentrunk-api.md §12), so the trunk is read first.
        """
        digits = validate.phone_number(number, field="number")
        trunk = await self.get(trunk_id)
        if trunk.trunk_direction != TrunkDirection.INBOUND:
            raise InvalidArgumentError(
                f"trunk {trunk_id} is {trunk.trunk_direction!s}: only inbound trunks can "
                "receive a number's calls"
            )
        return await self._transport.call(
            "POST",
            f"Number/{digits}/",
            body={"app_id": trunk_id},
            into=NumberUpdated,
            endpoint="trunks.route_number",
        )

    async def unroute_number(self, number: str) -> NumberUpdated:
        """Detach a number from whatever trunk it routes to (``{"app_id": ""}``, §15a L8)."""
        digits = validate.phone_number(number, field="number")
        return await self._transport.call(
            "POST",
            f"Number/{digits}/",
            body={"app_id": ""},
            into=NumberUpdated,
            endpoint="trunks.unroute_number",
        )

    def numbers(self, trunk_id: str, *, concurrency: int = DEFAULT_CONCURRENCY) -> Matching[Number]:
        """The account's numbers that route to this trunk.

        The Number API has no filter for it, so every number is listed and
        checked here (`Number.trunk_id` reads ``app_id`` or ``application``).
        """
        wanted = validate.trunk_id(trunk_id)
        pager = self._numbers.list(concurrency=concurrency)
        return Matching(pager, lambda number: number.trunk_id == wanted)


def _trunk_fields(
    *,
    name: str | None = None,
    trunk_status: TrunkStatus | str | None = None,
    secure: bool | None = None,
    ipacl_uuid: str | None = None,
    credential_uuid: str | None = None,
    primary_uri_uuid: str | None = None,
    fallback_uri_uuid: str | None = None,
) -> dict[str, object]:
    return compact(
        name=None if name is None else validate.text(name, field="name"),
        trunk_status=None
        if trunk_status is None
        else coerce_enum(TrunkStatus, trunk_status, field="trunk_status").value,
        secure=None if secure is None else validate.boolean(secure, field="secure"),
        ipacl_uuid=_optional_id(ipacl_uuid, "ipacl_uuid"),
        credential_uuid=_optional_id(credential_uuid, "credential_uuid"),
        primary_uri_uuid=_optional_id(primary_uri_uuid, "primary_uri_uuid"),
        fallback_uri_uuid=_optional_id(fallback_uri_uuid, "fallback_uri_uuid"),
    )


def _optional_id(value: str | None, field: str) -> str | None:
    return None if value is None else validate.resource_id(value, field=field)


_INBOUND_ONLY = ("primary_uri_uuid", "fallback_uri_uuid")
_OUTBOUND_ONLY = ("ipacl_uuid", "credential_uuid")


def _check_direction_fields(
    direction: TrunkDirection, body: dict[str, object], *, creating: bool
) -> None:
    """Direction-specific rules of zentrunk-api.md §3.2."""
    if direction == TrunkDirection.INBOUND:
        misplaced = [field for field in _OUTBOUND_ONLY if field in body]
        if creating and "primary_uri_uuid" not in body:
            raise InvalidArgumentError("an inbound trunk needs primary_uri_uuid")
    else:
        misplaced = [field for field in _INBOUND_ONLY if field in body]
        if creating and not any(field in body for field in _OUTBOUND_ONLY):
            raise InvalidArgumentError("an outbound trunk needs ipacl_uuid or credential_uuid")
    if misplaced:
        raise InvalidArgumentError(
            f"{', '.join(misplaced)} cannot be set on an {direction.value} trunk"
        )
