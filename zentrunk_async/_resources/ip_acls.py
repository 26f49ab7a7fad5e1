"""`zt.ip_acls`: Zentrunk/IPAccessControlList/ (zentrunk-api.md §5)."""

from __future__ import annotations

from collections.abc import Iterable

from .. import _validate as validate
from .._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from .._models import IPAccessControlList, IPAccessControlListCreated, IPAccessControlListUpdated
from .._pagination import Pager
from .base import Resource, compact, require_changes


class IPAccessControlLists(Resource):
    """``zt.ip_acls``: IP access control lists of outbound trunks (reference §5)."""

    path = "Zentrunk/IPAccessControlList/"
    name = "ip_acls"

    async def create(
        self, *, ip_addresses: Iterable[str], name: str | None = None
    ) -> IPAccessControlListCreated:
        """An allow-list of source addresses (IPs or CIDRs) for outbound trunks."""
        body = compact(
            name=None if name is None else validate.text(name, field="name"),
            ip_addresses=validate.ip_addresses(ip_addresses),
        )
        return await self._transport.call(
            "POST", self.path, body=body, into=IPAccessControlListCreated, endpoint="ip_acls.create"
        )

    async def get(self, ipacl_uuid: str) -> IPAccessControlList:
        """The IP access control list with this id."""
        return await self._transport.call(
            "GET",
            self._item_path(validate.resource_id(ipacl_uuid, field="ipacl_uuid")),
            into=IPAccessControlList,
            endpoint="ip_acls.get",
        )

    def list(
        self,
        *,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
    ) -> Pager[IPAccessControlList]:
        """Every IP access control list, lazily, page by page (see :class:`Pager`)."""
        return self._pager(
            IPAccessControlList,
            {},
            limit=limit,
            offset=offset,
            max_items=max_items,
            concurrency=concurrency,
            ordered=ordered,
        )

    async def update(
        self,
        ipacl_uuid: str,
        *,
        ip_addresses: Iterable[str] | None = None,
        name: str | None = None,
    ) -> IPAccessControlListUpdated:
        """Rename and/or replace the whole address list (the API does not merge)."""
        validate.resource_id(ipacl_uuid, field="ipacl_uuid")
        body = compact(
            name=None if name is None else validate.text(name, field="name"),
            ip_addresses=None if ip_addresses is None else validate.ip_addresses(ip_addresses),
        )
        require_changes(body, what="ip_acls.update")
        return await self._transport.call(
            "POST",
            self._item_path(ipacl_uuid),
            body=body,
            into=IPAccessControlListUpdated,
            endpoint="ip_acls.update",
        )

    async def delete(self, ipacl_uuid: str) -> None:
        """Delete an IP ACL (a trunk that uses it loses that authentication)."""
        await self._transport.call(
            "DELETE",
            self._item_path(validate.resource_id(ipacl_uuid, field="ipacl_uuid")),
            into=None,
            endpoint="ip_acls.delete",
        )
