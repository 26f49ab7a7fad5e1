"""Every exception the SDK raises.

The hierarchy::

    ZentrunkError
    ├── APIStatusError            the API answered with an error status
    │   ├── BadRequestError       400 (and 422)
    │   ├── AuthenticationError   401
    │   ├── PermissionDeniedError 403
    │   ├── NotFoundError         404
    │   ├── MethodNotAllowedError 405
    │   ├── RateLimitError        429   .retry_after (seconds or None)
    │   └── ServerError           5xx
    ├── APIConnectionError        network failure (after retries, if any were safe)
    │   └── APITimeoutError
    └── ResponseDecodeError       a body that is not what the API promises (or too big)

    InvalidArgumentError(ZentrunkError, ValueError)
                                  bad input, raised before any request is sent
    TrunkInUseError               trunks.delete(..., if_unrouted=True) found numbers routed to it

Messages carry the method, the URL (never credentials), the ``api_id`` and the
API's own ``error`` text, because that is what a person needs to act on a
failure or to quote it to Plivo support.

Every error of a create, update or delete also says what became of the write
(`WriteOutcome`, the ``outcome`` attribute, repeated in the message; an
`InvalidArgumentError` is always ``NOT_ACTED``, which its name says); errors
of reads have ``outcome = None``. Every exception pickles and copies (for
process pools), and none holds a credential.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class WriteOutcome(enum.Enum):
    """What a failed create, update or delete did on the server: ``error.outcome``.

    * ``NOT_ACTED``: the server provably did not apply it (refused with a 4xx,
      throttled with 429, never reached, or an argument was invalid). Safe to
      send again once the cause is fixed.
    * ``MAY_HAVE_ACTED``: the answer was lost (a dropped connection, a timeout
      after the request went out) or was a 5xx. Look before you repeat it.
    * ``ACTED``: the server answered 2xx, so the write happened, but its body
      could not be read or decoded (cut off, oversized, not JSON). Do not repeat it.

    Reconciling a create whose outcome is not ``NOT_ACTED``: trunk names are
    unique per account, so look the trunk up by name before creating again::

        try:
            created = await zt.trunks.create(name="pbx-out", trunk_direction="outbound",
                                             ipacl_uuid=acl)
            trunk_id = created.trunk_id
        except ZentrunkError as exc:
            if exc.outcome is WriteOutcome.NOT_ACTED:
                raise
            found = [t async for t in zt.trunks.list() if t.name == "pbx-out"]
            if not found:  # it did not happen after all: creating again is safe
                raise
            trunk_id = found[0].trunk_id

    The same works for any record you give a unique name (credentials by
    ``username``, IP ACLs and URIs by ``name``). An update whose outcome is
    unknown is safe to repeat: it sets the same values again. A delete is
    retried by the SDK itself; a delete whose retry finds the record gone
    (404 after an attempt that may have deleted it) returns as deleted.
    """

    NOT_ACTED = "did not act"
    MAY_HAVE_ACTED = "may have acted"
    ACTED = "did act"

    def __str__(self) -> str:
        return self.value


_ADVICE = {
    WriteOutcome.NOT_ACTED: "the server did not act",
    WriteOutcome.MAY_HAVE_ACTED: "the server may have acted: check before repeating the write",
    WriteOutcome.ACTED: "the server did act: do not repeat the write",
}


class ZentrunkError(Exception):
    """Base of every exception raised by zentrunk_async.

    Attributes:
        outcome: For an error of a create, update or delete, what became of the
            write (`WriteOutcome`); None for errors of reads.
    """

    outcome: WriteOutcome | None = None

    def __str__(self) -> str:
        text = super().__str__()
        # Only an outcome stated for this error joins the message. A class
        # default (InvalidArgumentError's NOT_ACTED) is true of every such
        # error, as the class name says: its message stays the user's complaint.
        outcome = self.__dict__.get("outcome")
        if isinstance(outcome, WriteOutcome):
            return f"{text} ({_ADVICE[outcome]})"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # The default reduce calls cls(*args), which keyword-only constructors
        # refuse; rebuild from the message and attributes instead. No attribute
        # of an SDK error holds a credential, so the state is safe to copy.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type[ZentrunkError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class InvalidArgumentError(ZentrunkError, ValueError):
    """An argument was rejected before any request was sent (so nothing was changed)."""

    outcome: WriteOutcome | None = WriteOutcome.NOT_ACTED


class APIStatusError(ZentrunkError):
    """The API answered with a non-success HTTP status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str,
        url: str,
        api_id: str | None = None,
        attempts: int = 1,
        body: object = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.method = method
        self.url = url
        self.api_id = api_id
        self.attempts = attempts
        self.body = body
        super().__init__(self._describe())

    def _describe(self) -> str:
        details = [f"api_id={self.api_id}"] if self.api_id else []
        if self.attempts > 1:
            details.append(f"after {self.attempts} attempts")
        tail = f" ({', '.join(details)})" if details else ""
        return f"{self.method} {self.url} -> {self.status_code}: {self.message}{tail}"


class BadRequestError(APIStatusError):
    """400 or 422: a parameter is missing or invalid (the API's text says which, sometimes)."""


class AuthenticationError(APIStatusError):
    """401: the Auth ID / Auth Token pair was refused."""


class PermissionDeniedError(APIStatusError):
    """403: the account may not do this (e.g. SIP trunking not enabled)."""


class NotFoundError(APIStatusError):
    """404: no resource with that id on this account."""


class MethodNotAllowedError(APIStatusError):
    """405: the endpoint does not accept this HTTP method."""


class RateLimitError(APIStatusError):
    """429: the account's request rate (300 requests per 5 s) was exceeded."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class ServerError(APIStatusError):
    """5xx: the service failed; a write may or may not have been applied."""

    def _describe(self) -> str:
        text = super()._describe()
        collection = _unknown_zentrunk_collection(self.url) if self.status_code == 503 else None
        if collection is None:
            return text
        # zentrunk-api.md §15a L4: the live API answers a misspelled collection
        # with 503, not 404, so without this hint it reads as an outage.
        return (
            f"{text}; Zentrunk answers 503 to a collection it does not know, and "
            f"{collection!r} is not one of {', '.join(ZENTRUNK_COLLECTIONS)}: check the path"
        )


#: The collections under ``/v1/Account/{id}/Zentrunk/`` (zentrunk-api.md §1).
ZENTRUNK_COLLECTIONS = ("Trunk", "Credential", "IPAccessControlList", "URI", "Call")


def _unknown_zentrunk_collection(url: str) -> str | None:
    _, marker, rest = url.partition("/Zentrunk/")
    name = rest.split("/", 1)[0].split("?", 1)[0]
    return name if marker and name and name not in ZENTRUNK_COLLECTIONS else None


class TrunkInUseError(ZentrunkError):
    """A guarded trunk delete found numbers still routed to the trunk; nothing was deleted."""

    def __init__(self, trunk_id: str, numbers: list[str]) -> None:
        self.trunk_id = trunk_id
        self.numbers = numbers
        shown = ", ".join(numbers[:5]) + (
            f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
        )
        super().__init__(
            f"trunk {trunk_id} still has {len(numbers)} number(s) routed to it ({shown}); "
            "unroute them (trunks.unroute_number) or delete without if_unrouted=True"
        )


class APIConnectionError(ZentrunkError):
    """The request could not be completed over the network."""

    def __init__(self, message: str, *, method: str, url: str, attempts: int = 1) -> None:
        self.message = message
        self.method = method
        self.url = url
        self.attempts = attempts
        suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
        super().__init__(f"{method} {url}: {message}{suffix}")


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool)."""


class ResponseDecodeError(ZentrunkError):
    """The body is not what the API promises: HTML from a proxy, truncated JSON, wrong shape.

    Also raised for a body larger than the client's ``max_response_bytes`` or
    one whose ``Content-Encoding`` cannot be undone. For a read it comes after
    the retries; a write is never resent for it (a 2xx means the write happened).
    """

    def __init__(
        self,
        reason: str,
        *,
        endpoint: str,
        method: str,
        url: str,
        status_code: int,
        api_id: str | None = None,
        snippet: str = "",
        attempts: int = 1,
    ) -> None:
        self.reason = reason
        self.endpoint = endpoint
        self.method = method
        self.url = url
        self.status_code = status_code
        self.api_id = api_id
        self.snippet = snippet
        self.attempts = attempts
        api = f", api_id={api_id}" if api_id else ""
        tries = f", after {attempts} attempts" if attempts > 1 else ""
        body = f"; body starts {snippet!r}" if snippet else ""
        super().__init__(
            f"cannot decode the {endpoint} response to {method} {url} "
            f"(status {status_code}{api}{tries}): {reason}{body}"
        )


STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    422: BadRequestError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an error status (5xx → ServerError, unknown → APIStatusError)."""
    if status_code >= 500:
        return ServerError
    return STATUS_ERRORS.get(status_code, APIStatusError)
