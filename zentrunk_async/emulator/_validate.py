"""Parameter rules of the live API (zentrunk-api.md §3-§6), each failure an `ApiError`.

Kept apart from the store so the rules read as a list, next to their sources.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

_USERNAME = re.compile(r"[A-Za-z0-9]{5,20}")
#: §4.2: 5-20 characters, alphanumeric plus ~!@#$%^&*()_+, at least one special.
_PASSWORD = re.compile(r"[A-Za-z0-9~!@#$%^&*()_+]{5,20}")
_PASSWORD_SPECIAL = re.compile(r"[~!@#$%^&*()_+]")
#: RFC 3261 hostname: dot-separated labels of letters, digits and inner hyphens.
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)
_USERPART = re.compile(r"[A-Za-z0-9_.!~*'()&=+$,;?/%-]+")
TRANSPORTS = ("udp", "tcp", "tls")


class ApiError(Exception):
    """An error response: the status and the free-text ``error`` of the body (§9.1)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad(message: str) -> ApiError:
    return ApiError(400, message)


def string(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad(f"{key} must be a string")
    return value


def boolean(body: dict[str, Any], key: str) -> bool | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise bad(f"{key} must be a boolean")
    return value


def choice(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    value = string(body, key)
    if value is not None and value not in allowed:
        raise bad(f"invalid {key}: must be one of {', '.join(allowed)}")
    return value


def username(value: str) -> str:
    if not _USERNAME.fullmatch(value):
        raise bad("username must be 5-20 alphanumeric characters")
    return value


def password(value: str) -> str:
    if not _PASSWORD.fullmatch(value) or not _PASSWORD_SPECIAL.search(value):
        raise bad(
            "password must be 5-20 characters, alphanumeric or ~!@#$%^&*()_+, "
            "with at least one special character"
        )
    return value


def ip_addresses(value: Any) -> list[str]:
    """IP addresses or CIDR blocks, IPv4 or IPv6, stored verbatim.

    §5.2: the CLI and Plivo's guides send ``/32`` blocks. §15a L9: Plivo's
    CLI sends IPv6 entries verbatim and the live answer is unknown; the SDK
    accepts them too, so the emulator does, and the live API has the last word.
    """
    if not isinstance(value, list) or not value:
        raise bad("ip_addresses must be a non-empty list of IP addresses")
    for item in value:
        if not isinstance(item, str):
            raise bad("ip_addresses must be a non-empty list of IP addresses")
        try:
            ipaddress.ip_network(item, strict=True)
        except ValueError:
            raise bad(f"invalid IP address: {item}") from None
    return list(value)


def _host(host: str) -> bool:
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    return _HOSTNAME.fullmatch(host) is not None


def sip_uri(value: str) -> str:
    """The shapes of §6.2 and §15a L10: host[:port], ``sip:``/``sips:`` URIs, ``;transport=``."""
    if "://" in value or not value or value != value.strip():
        raise bad(f"invalid uri: {value}")
    scheme, colon, after = value.partition(":")
    rest = after if colon and scheme.lower() in ("sip", "sips") else value
    rest, _, params = rest.partition(";")
    if params:
        for param in params.split(";"):
            name, _, arg = param.partition("=")
            if name.lower() != "transport" or arg.lower() not in TRANSPORTS:
                raise bad(f"invalid uri: {value}")
    if "@" in rest:
        user, _, rest = rest.rpartition("@")
        if not _USERPART.fullmatch(user):
            raise bad(f"invalid uri: {value}")
    host, port = rest, ""
    if rest.startswith("["):
        end = rest.find("]")
        host, port = rest[: end + 1], rest[end + 1 :].removeprefix(":")
        if end < 0 or (rest[end + 1 :] and not rest[end + 1 :].startswith(":")):
            raise bad(f"invalid uri: {value}")
    elif ":" in rest:
        host, _, port = rest.partition(":")
    if not _host(host):
        raise bad(f"invalid uri: {value}")
    if port and (not port.isdigit() or not 1 <= int(port) <= 65535):
        raise bad(f"invalid uri: {value}")
    return value
