"""`zt.credentials`: Zentrunk/Credential/ (zentrunk-api.md §4)."""

from __future__ import annotations

from .. import _validate as validate
from .._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from .._errors import InvalidArgumentError
from .._models import Credential, CredentialCreated, CredentialUpdated
from .._pagination import Pager
from .base import Resource, compact


class Credentials(Resource):
    """``zt.credentials``: SIP digest credentials of outbound trunks (reference §4)."""

    path = "Zentrunk/Credential/"
    name = "credentials"

    async def create(
        self, *, username: str, password: str, name: str | None = None
    ) -> CredentialCreated:
        """A SIP digest credential for outbound trunks (the API never returns the password)."""
        body = compact(
            name=None if name is None else validate.text(name, field="name"),
            username=validate.sip_username(username),
            password=validate.sip_password(password),
        )
        return await self._transport.call(
            "POST", self.path, body=body, into=CredentialCreated, endpoint="credentials.create"
        )

    async def get(self, credential_uuid: str) -> Credential:
        """The credential with this id (its password is never returned)."""
        return await self._transport.call(
            "GET",
            self._item_path(validate.resource_id(credential_uuid, field="credential_uuid")),
            into=Credential,
            endpoint="credentials.get",
        )

    def list(
        self,
        *,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
    ) -> Pager[Credential]:
        """Every credential, lazily, page by page (see :class:`Pager`)."""
        return self._pager(
            Credential,
            {},
            limit=limit,
            offset=offset,
            max_items=max_items,
            concurrency=concurrency,
            ordered=ordered,
        )

    async def update(
        self,
        credential_uuid: str,
        *,
        password: str | None = None,
        username: str | None = None,
        name: str | None = None,
    ) -> CredentialUpdated:
        """Change a credential; `password` is required every time.

        The live API rewrites the password on every update, so an update
        without one would blank it (zentrunk-api.md §4.5): refused here. It
        also refuses a password without its username (§15a L1), so when
        `username` is not given the credential is read first and its stored
        username sent along: a password rotation costs one extra request.
        """
        validate.resource_id(credential_uuid, field="credential_uuid")
        if password is None:
            raise InvalidArgumentError(
                "credentials.update needs password: the API blanks the password of an "
                "update that does not carry one"
            )
        body = compact(
            name=None if name is None else validate.text(name, field="name"),
            username=None if username is None else validate.sip_username(username),
            password=validate.sip_password(password),
        )
        if username is None:
            stored = (await self.get(credential_uuid)).username
            if not stored:
                raise InvalidArgumentError(
                    f"credential {credential_uuid} has no stored username: give username=..."
                )
            body["username"] = stored
        return await self._transport.call(
            "POST",
            self._item_path(credential_uuid),
            body=body,
            into=CredentialUpdated,
            endpoint="credentials.update",
        )

    async def delete(self, credential_uuid: str) -> None:
        """Delete a credential (a trunk that uses it loses that authentication)."""
        await self._transport.call(
            "DELETE",
            self._item_path(validate.resource_id(credential_uuid, field="credential_uuid")),
            into=None,
            endpoint="credentials.delete",
        )
