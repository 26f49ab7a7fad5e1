"""Argument checks that run before any request is sent.

Every failure raises `InvalidArgumentError` (a `ValueError`) naming the
argument, so a bad call costs no request, no rate-limit budget and no
half-applied change on the server.

Patterns are applied with ``fullmatch``: ``re.match(r"^...$")`` accepts a
trailing newline (``$`` matches before it), and an id ending in ``\n`` would
reach the URL (issue 12).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime, timezone

from ._config import MAX_PAGE_SIZE
from ._errors import InvalidArgumentError
from ._redact import Secret

# Ids go into URL paths: anything beyond these characters could change the path.
_UUID_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
_TRUNK_ID = re.compile(r"^[0-9]{1,32}$")
# zentrunk-api.md §4.2 (limits from Plivo's own CLI skill).
_SIP_USERNAME = re.compile(r"^[A-Za-z0-9]{5,20}$")
_SIP_PASSWORD_CHARS = re.compile(r"^[A-Za-z0-9~!@#$%^&*()_+]{5,20}$")
_SIP_PASSWORD_SPECIAL = re.compile(r"[~!@#$%^&*()_+]")
# zentrunk-api.md §6.2, the checks Plivo's CLI applies in sip_uri.go.
_HOSTNAME = re.compile(
    r"^(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_SIP_URI = re.compile(r"^sips?:[^\s@/]+(?:@[^\s/]+)?$", re.IGNORECASE)
_TRANSPORTS = ("udp", "tcp", "tls")
_API_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?$")
_DIGITS = re.compile(r"^[0-9]{1,15}$")

API_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def resource_id(value: object, *, field: str) -> str:
    if not isinstance(value, str) or not _UUID_LIKE.fullmatch(value):
        raise InvalidArgumentError(f"{field} must be an id such as a UUID, got {value!r}")
    return value


def trunk_id(value: object, *, field: str = "trunk_id") -> str:
    if not isinstance(value, str) or not _TRUNK_ID.fullmatch(value):
        raise InvalidArgumentError(f"{field} must be a numeric string, got {value!r}")
    return value


def page_size(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(
            f"limit must be an integer from 1 to {MAX_PAGE_SIZE}, got {limit!r}"
        )
    return limit


def positive_int(value: int | None, *, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{field} must be a positive integer, got {value!r}")
    return value


def non_negative_int(value: int, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(f"{field} must be a non-negative integer, got {value!r}")
    return value


def boolean(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{field} must be True or False, got {value!r}")
    return value


def text(value: object, *, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(f"{field} must be a non-empty string, got {value!r}")
    return value


def sip_username(value: object, *, field: str = "username") -> str:
    if not isinstance(value, str) or not _SIP_USERNAME.fullmatch(value):
        raise InvalidArgumentError(f"{field} must be 5-20 letters or digits")
    return value


def sip_password(value: object, *, field: str = "password") -> Secret:
    """The password, checked and wrapped: it stays a `Secret` until the transport
    writes the request body, so no repr, log or traceback of a body shows it."""
    plain = value.reveal() if isinstance(value, Secret) else value
    # The value itself never goes into the message: it is a secret.
    if (
        not isinstance(plain, str)
        or not _SIP_PASSWORD_CHARS.fullmatch(plain)
        or not _SIP_PASSWORD_SPECIAL.search(plain)
    ):
        raise InvalidArgumentError(
            f"{field} must be 5-20 characters of letters, digits and ~!@#$%^&*()_+, "
            "with at least one of those special characters"
        )
    return value if isinstance(value, Secret) else Secret(plain)


def secret(value: object, *, field: str) -> Secret:
    """A non-empty password of any form, wrapped until the transport writes the body."""
    plain = value.reveal() if isinstance(value, Secret) else value
    if not isinstance(plain, str) or not plain:
        raise InvalidArgumentError(f"{field} must be a non-empty string")
    return value if isinstance(value, Secret) else Secret(plain)


def ip_addresses(values: Iterable[str], *, field: str = "ip_addresses") -> list[str]:
    if isinstance(values, str):
        raise InvalidArgumentError(f"{field} must be a list of addresses, not one string")
    checked = []
    for value in values:
        if not isinstance(value, str):
            raise InvalidArgumentError(f"{field} items must be strings, got {value!r}")
        try:
            if "/" in value:
                ipaddress.ip_network(value, strict=True)
            else:
                ipaddress.ip_address(value)
        except ValueError as exc:
            raise InvalidArgumentError(
                f"{field}: {value!r} is not an IP address or CIDR: {exc}"
            ) from None
        checked.append(value)
    if not checked:
        raise InvalidArgumentError(f"{field} must hold at least one address")
    return checked


def origination_uri(value: object, *, field: str = "uri") -> str:
    """host or IP, optional :port, optional ;transport=udp|tcp|tls, or a sip: URI."""
    if not isinstance(value, str) or not value or value != value.strip():
        raise InvalidArgumentError(f"{field} must be a non-empty string without spaces")
    if "://" in value:
        raise InvalidArgumentError(f"{field} must be a SIP host or sip: URI, not a URL: {value!r}")
    if _SIP_URI.fullmatch(value):
        return value
    hostport, _, params = value.partition(";")
    if params:
        name, _, transport = params.partition("=")
        if name.lower() != "transport" or transport.lower() not in _TRANSPORTS:
            raise InvalidArgumentError(
                f"{field}: only ;transport=udp|tcp|tls may follow the host, got {value!r}"
            )
    host, port = _split_host_port(hostport, field=field, original=value)
    if port is not None and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise InvalidArgumentError(f"{field}: port must be 1-65535, got {value!r}")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise InvalidArgumentError(f"{field}: bad IPv6 address in {value!r}") from None
    elif not _is_ipv4(host) and (not _HOSTNAME.fullmatch(host) or host.replace(".", "").isdigit()):
        raise InvalidArgumentError(f"{field}: {host!r} is not a hostname or IP address")
    return value


def _split_host_port(hostport: str, *, field: str, original: str) -> tuple[str, str | None]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise InvalidArgumentError(f"{field}: unclosed IPv6 bracket in {original!r}")
        rest = hostport[end + 1 :]
        if rest and not rest.startswith(":"):
            raise InvalidArgumentError(
                f"{field}: unexpected text after IPv6 address in {original!r}"
            )
        return hostport[: end + 1], (rest[1:] if rest else None)
    host, sep, port = hostport.partition(":")
    return host, (port if sep else None)


def _is_ipv4(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def api_time(value: datetime | str, *, field: str) -> str:
    """An aware datetime (converted to UTC) or a string already in the API's format."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidArgumentError(
                f"{field} must be timezone-aware (the API works in UTC); got naive {value!r}"
            )
        return value.astimezone(timezone.utc).strftime(API_TIME_FORMAT)
    if isinstance(value, str) and _API_TIME.fullmatch(value):
        return value
    raise InvalidArgumentError(
        f"{field} must be an aware datetime or 'YYYY-MM-DD HH:MM[:SS]' in UTC, got {value!r}"
    )


def aware_datetime(value: object, *, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{field} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgumentError(f"{field} must be timezone-aware, got naive {value!r}")
    return value.astimezone(timezone.utc)


def phone_number(value: object, *, field: str) -> str:
    """Digits without '+': the CDR filters match nothing with it (zentrunk-api.md §7.3)."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{field} must be a string of digits, got {value!r}")
    digits = value.strip().removeprefix("+").replace(" ", "").replace("-", "")
    if not _DIGITS.fullmatch(digits):
        raise InvalidArgumentError(
            f"{field} must be a phone number (prefix) of digits, got {value!r}"
        )
    return digits
