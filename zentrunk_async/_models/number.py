"""A phone number of the account, as far as trunk routing needs it (reference §12, §15a)."""

import re
from typing import Any

import attrs

__all__ = ["Number"]

# The path Plivo puts in `application` for a number routed to a trunk (§12).
_TRUNK_APPLICATION = re.compile(r"/Zentrunk/Trunk/([0-9]+)/?$")


@attrs.define(slots=True, frozen=True, kw_only=True)
class Number:
    """A number rented on the account (``GET Number/{digits}/``, outside ``Zentrunk/``).

    ``number`` is digits without ``+``, as the Number API spells it. Only
    the fields routing needs are typed; the rest of Plivo's number object
    (``alias``, ``number_type``, rates, ...) stays in ``extra``.
    """

    number: str
    application: str | None = None
    app_id: str | None = None
    active: bool | None = None
    voice_enabled: bool | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, hash=False)

    @property
    def trunk_id(self) -> str | None:
        """The trunk this number routes to, or ``None``.

        Plivo fills ``app_id`` on some endpoints and embeds the trunk id in
        ``application`` (``/v1/Account/{id}/Zentrunk/Trunk/{trunk_id}/``) on
        others (§15a L7), so both are read. An ``application`` path that is
        not a trunk's (a Voice application) means no trunk, whatever ``app_id`` says.
        """
        if self.application:
            found = _TRUNK_APPLICATION.search(self.application)
            return found.group(1) if found else None
        return self.app_id or None
