"""`zt.origination_uris`: Zentrunk/URI/ (zentrunk-api.md §6)."""

from __future__ import annotations

from .. import _validate as validate
from .._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from .._errors import InvalidArgumentError
from .._models import OriginationURI, OriginationURICreated, OriginationURIUpdated
from .._pagination import Pager
from .base import Resource, compact, require_changes


class OriginationURIs(Resource):
    """``zt.origination_uris``: where inbound calls are sent (reference §6)."""

    path = "Zentrunk/URI/"
    name = "origination_uris"

    async def create(
        self,
        *,
        uri: str,
        name: str | None = None,
        authentication_needed: bool | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> OriginationURICreated:
        """Where inbound trunk calls go: ``host[:port][;transport=udp|tcp|tls]`` or a sip: URI."""
        body = _uri_fields(
            uri=uri,
            name=name,
            authentication_needed=authentication_needed,
            username=username,
            password=password,
        )
        if body.get("authentication_needed") and not ("username" in body and "password" in body):
            raise InvalidArgumentError(
                "authentication_needed=True needs both username and password"
            )
        return await self._transport.call(
            "POST",
            self.path,
            body=body,
            into=OriginationURICreated,
            endpoint="origination_uris.create",
        )

    async def get(self, uri_uuid: str) -> OriginationURI:
        """The origination URI with this id."""
        return await self._transport.call(
            "GET",
            self._item_path(validate.resource_id(uri_uuid, field="uri_uuid")),
            into=OriginationURI,
            endpoint="origination_uris.get",
        )

    def list(
        self,
        *,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
    ) -> Pager[OriginationURI]:
        """Every origination URI, lazily, page by page (see :class:`Pager`)."""
        return self._pager(
            OriginationURI,
            {},
            limit=limit,
            offset=offset,
            max_items=max_items,
            concurrency=concurrency,
            ordered=ordered,
        )

    async def update(
        self,
        uri_uuid: str,
        *,
        uri: str | None = None,
        name: str | None = None,
        authentication_needed: bool | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> OriginationURIUpdated:
        """Change the given fields.

        When `password` is sent the live API demands `authentication_needed`
        and `username` beside it (zentrunk-api.md §6.5), and it refuses
        ``authentication_needed=True`` without a username (§15a L2). So when
        either is sent without `username`, the URI is read first (one extra
        request) and its stored username sent along; with none stored, the
        update is refused before it is sent.
        """
        validate.resource_id(uri_uuid, field="uri_uuid")
        body = _uri_fields(
            uri=uri,
            name=name,
            authentication_needed=authentication_needed,
            username=username,
            password=password,
        )
        require_changes(body, what="origination_uris.update")
        if "password" in body and "authentication_needed" not in body:
            raise InvalidArgumentError(
                "an origination URI update with password must also give authentication_needed"
            )
        if "username" not in body and (body.get("authentication_needed") or "password" in body):
            stored = (await self.get(uri_uuid)).username
            if not stored:
                raise InvalidArgumentError(
                    "this update needs a username (the API refuses authentication_needed=True "
                    f"or a password without one) and origination URI {uri_uuid} has none "
                    "stored: give username=..."
                )
            body["username"] = stored
        return await self._transport.call(
            "POST",
            self._item_path(uri_uuid),
            body=body,
            into=OriginationURIUpdated,
            endpoint="origination_uris.update",
        )

    async def delete(self, uri_uuid: str) -> None:
        """Delete a URI. The API also deletes every trunk that uses it (zentrunk-api.md §6.6)."""
        await self._transport.call(
            "DELETE",
            self._item_path(validate.resource_id(uri_uuid, field="uri_uuid")),
            into=None,
            endpoint="origination_uris.delete",
        )


def _uri_fields(
    *,
    uri: str | None,
    name: str | None,
    authentication_needed: bool | None,
    username: str | None,
    password: str | None,
) -> dict[str, object]:
    return compact(
        uri=None if uri is None else validate.origination_uri(uri),
        name=None if name is None else validate.text(name, field="name"),
        authentication_needed=None
        if authentication_needed is None
        else validate.boolean(authentication_needed, field="authentication_needed"),
        username=None if username is None else validate.text(username, field="username"),
        password=None if password is None else validate.secret(password, field="password"),
    )
