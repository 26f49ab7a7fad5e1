"""Keep credentials out of reprs, URLs and messages.

The auth token is wrapped in `Secret` from the moment the client reads it, so
that no accidental `repr()`, f-string or debugger dump of a client, transport
or exception can show it; only the transport unwraps it, to build the
Authorization header.
"""

from __future__ import annotations

import httpx


class Secret:
    """A string that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> str:
        # Pickling would copy the token into a byte stream nobody audits.
        raise TypeError("a Secret cannot be pickled")


def redact_url(url: httpx.URL | str) -> str:
    """The URL as safe to show: any user:password part is dropped."""
    parsed = httpx.URL(url)
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    return str(parsed)
