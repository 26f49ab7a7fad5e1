"""State of the four configuration resources and of number routing (§3-§6, §12, §15.5, §15a).

Records live in insertion-ordered dicts (an account has tens of them, not
millions). Secrets are stored, so tests can check what the API did with
them (the credential-blanking quirk), but never returned. All ids come from
one seeded ``random.Random``: the same seed and calls give the same ids.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from . import _validate as v
from ._numbers import NumberBook
from ._validate import ApiError

DIRECTIONS = ("inbound", "outbound")
STATUSES = ("enabled", "disabled")
TRUNK_REFS = ("ipacl_uuid", "credential_uuid", "primary_uri_uuid", "fallback_uri_uuid")
#: Update bodies that may omit trunk_direction (plivo-cli changelog v1.1.1, §3.6).
TRUNK_UPDATE_WITHOUT_DIRECTION = frozenset({"trunk_status", "secure"})


def _iso(epoch: float) -> str:
    """Trunk timestamps are ISO-8601 with ``Z`` (§2.4), unlike CDR timestamps."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in record.items() if not k.startswith("_")}


class ConfigStore:
    """Trunks, credentials, IP ACLs, origination URIs and number bindings of one account."""

    def __init__(
        self,
        seed: int,
        clock: Callable[[], float],
        missing_status: int,
        numbers: Iterable[str] = (),
    ) -> None:
        self._rng = random.Random(f"zentrunk-emulator-store-{seed}")
        self._clock = clock
        self.missing_status = missing_status
        self._lock = threading.RLock()
        self.trunks: dict[str, dict[str, Any]] = {}
        self.credentials: dict[str, dict[str, Any]] = {}
        self.ipacls: dict[str, dict[str, Any]] = {}
        self.uris: dict[str, dict[str, Any]] = {}
        #: The account's rented numbers and the trunk each routes to.
        self.numbers = NumberBook(numbers)

    # -- helpers ------------------------------------------------------------------------

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _trunk_id(self) -> str:
        """§15.3: 17-digit numeric strings, like the production samples."""
        while True:
            trunk_id = str(self._rng.randrange(10**16, 10**17))
            if trunk_id not in self.trunks:
                return trunk_id

    def _missing(self, *names: str) -> ApiError:
        return ApiError(self.missing_status, f"missing required parameter: {' or '.join(names)}")

    def _get(self, table: dict[str, dict[str, Any]], key: str, kind: str) -> dict[str, Any]:
        record = table.get(key)
        if record is None:
            raise ApiError(404, f"{kind} not found")
        return record

    @staticmethod
    def _page(
        items: list[dict[str, Any]], offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        return len(items), [_public(r) for r in items[offset : offset + limit]]

    # -- trunks -------------------------------------------------------------------------

    def _check_trunk(self, trunk: dict[str, Any]) -> None:
        tables = {
            "ipacl_uuid": self.ipacls,
            "credential_uuid": self.credentials,
            "primary_uri_uuid": self.uris,
            "fallback_uri_uuid": self.uris,
        }
        for key, table in tables.items():
            if trunk[key] is not None and trunk[key] not in table:
                raise v.bad(f"invalid {key}: no such resource")
        if trunk["trunk_direction"] == "inbound" and trunk["primary_uri_uuid"] is None:
            raise self._missing("primary_uri_uuid")
        if (
            trunk["trunk_direction"] == "outbound"
            and trunk["ipacl_uuid"] is None
            and trunk["credential_uuid"] is None
        ):
            raise self._missing("ipacl_uuid", "credential_uuid")
        # §15a L3: names are unique per account (a live integration hit this error).
        name = trunk["name"]
        if name and any(
            other["name"] == name and other_id != trunk["trunk_id"]
            for other_id, other in self.trunks.items()
        ):
            raise v.bad(f"A trunk with the same name '{name}' already exists.")

    def _trunk_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for key, value in (
            ("name", v.string(body, "name")),
            ("trunk_status", v.choice(body, "trunk_status", STATUSES)),
            ("trunk_direction", v.choice(body, "trunk_direction", DIRECTIONS)),
            ("secure", v.boolean(body, "secure")),
        ):
            if value is not None:
                fields[key] = value
        for key in TRUNK_REFS:
            if key in body:
                fields[key] = v.string(body, key) or None
        return fields

    def create_trunk(self, body: dict[str, Any]) -> str:
        with self._lock:
            fields = self._trunk_fields(body)
            if "trunk_direction" not in fields:
                raise self._missing("trunk_direction")
            trunk_id = self._trunk_id()
            now = _iso(self._clock())
            trunk: dict[str, Any] = {
                "trunk_id": trunk_id,
                "name": fields.get("name", ""),
                "trunk_status": fields.get("trunk_status", "enabled"),
                "secure": fields.get("secure", False),
                "trunk_domain": f"{trunk_id}.zt.plivo.com",
                "trunk_direction": fields["trunk_direction"],
                **{key: fields.get(key) for key in TRUNK_REFS},
                "created_at": now,
                "updated_at": now,
            }
            self._check_trunk(trunk)
            self.trunks[trunk_id] = trunk
            return trunk_id

    def get_trunk(self, trunk_id: str) -> dict[str, Any]:
        with self._lock:
            return _public(self._get(self.trunks, trunk_id, "trunk"))

    def list_trunks(
        self, filters: dict[str, str], offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """§3.5 filters; ``secure`` compares as the lower-case JSON literal."""

        def keep(trunk: dict[str, Any]) -> bool:
            for key, wanted in filters.items():
                value = trunk[key]
                shown = ("true" if value else "false") if isinstance(value, bool) else value
                if shown != wanted:
                    return False
            return True

        with self._lock:
            return self._page([t for t in self.trunks.values() if keep(t)], offset, limit)

    def update_trunk(self, trunk_id: str, body: dict[str, Any]) -> None:
        with self._lock:
            trunk = self._get(self.trunks, trunk_id, "trunk")
            if "trunk_direction" not in body and not set(body) <= TRUNK_UPDATE_WITHOUT_DIRECTION:
                raise v.bad("trunk_direction is required")
            merged = {**trunk, **self._trunk_fields(body)}
            self._check_trunk(merged)
            merged["updated_at"] = _iso(self._clock())
            self.trunks[trunk_id] = merged

    def delete_trunk(self, trunk_id: str) -> None:
        with self._lock:
            self._get(self.trunks, trunk_id, "trunk")
            self._drop_trunks({trunk_id})

    def _drop_trunks(self, trunk_ids: set[str]) -> None:
        """Deleting a trunk detaches every number routed to it (§3.7)."""
        for trunk_id in trunk_ids:
            self.trunks.pop(trunk_id, None)
        self.numbers.detach(trunk_ids)

    def _detach(self, key: str, value: str) -> None:
        for trunk in self.trunks.values():
            if trunk[key] == value:
                trunk[key] = None

    # -- credentials --------------------------------------------------------------------

    def create_credential(self, body: dict[str, Any]) -> str:
        with self._lock:
            name = v.string(body, "name")
            user = v.string(body, "username")
            secret = v.string(body, "password")
            if user is None or secret is None:
                raise self._missing(*(k for k in ("username", "password") if body.get(k) is None))
            credential_uuid = self._uuid()
            self.credentials[credential_uuid] = {
                "credential_uuid": credential_uuid,
                "name": name or "",
                "username": v.username(user),
                "_password": v.password(secret),
            }
            return credential_uuid

    def get_credential(self, credential_uuid: str) -> dict[str, Any]:
        with self._lock:
            return _public(self._get(self.credentials, credential_uuid, "credential"))

    def list_credentials(self, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        with self._lock:
            return self._page(list(self.credentials.values()), offset, limit)

    def update_credential(self, credential_uuid: str, body: dict[str, Any]) -> None:
        with self._lock:
            record = self._get(self.credentials, credential_uuid, "credential")
            name = v.string(body, "name")
            user = v.string(body, "username")
            secret = v.string(body, "password")
            # §15a L1: the live API refuses a password that comes without its username.
            if secret is not None and user is None:
                raise v.bad("username is required when password is given")
            changes: dict[str, Any] = {}
            if name is not None:
                changes["name"] = name
            if user is not None:
                changes["username"] = v.username(user)
            # §4.5: the API rewrites the password on every update; none given blanks it.
            changes["_password"] = v.password(secret) if secret is not None else ""
            record.update(changes)

    def delete_credential(self, credential_uuid: str) -> None:
        """Trunks that used it keep running without it (the docs only warn, §4.6)."""
        with self._lock:
            self._get(self.credentials, credential_uuid, "credential")
            del self.credentials[credential_uuid]
            self._detach("credential_uuid", credential_uuid)

    # -- IP access control lists ----------------------------------------------------------

    def create_ipacl(self, body: dict[str, Any]) -> str:
        with self._lock:
            name = v.string(body, "name")
            if body.get("ip_addresses") is None:
                raise self._missing("ip_addresses")
            addresses = v.ip_addresses(body["ip_addresses"])
            ipacl_uuid = self._uuid()
            self.ipacls[ipacl_uuid] = {
                "ipacl_uuid": ipacl_uuid,
                "name": name or "",
                "ip_addresses": addresses,
            }
            return ipacl_uuid

    def get_ipacl(self, ipacl_uuid: str) -> dict[str, Any]:
        with self._lock:
            return _public(self._get(self.ipacls, ipacl_uuid, "IP access control list"))

    def list_ipacls(self, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        with self._lock:
            return self._page(list(self.ipacls.values()), offset, limit)

    def update_ipacl(self, ipacl_uuid: str, body: dict[str, Any]) -> None:
        """§5.5: ``ip_addresses`` replaces the whole list."""
        with self._lock:
            record = self._get(self.ipacls, ipacl_uuid, "IP access control list")
            name = v.string(body, "name")
            addresses = (
                v.ip_addresses(body["ip_addresses"])
                if body.get("ip_addresses") is not None
                else None
            )
            if name is not None:
                record["name"] = name
            if addresses is not None:
                record["ip_addresses"] = addresses

    def delete_ipacl(self, ipacl_uuid: str) -> None:
        with self._lock:
            self._get(self.ipacls, ipacl_uuid, "IP access control list")
            del self.ipacls[ipacl_uuid]
            self._detach("ipacl_uuid", ipacl_uuid)

    # -- origination URIs -----------------------------------------------------------------

    def create_uri(self, body: dict[str, Any]) -> str:
        with self._lock:
            name = v.string(body, "name")
            target = v.string(body, "uri")
            needed = v.boolean(body, "authentication_needed") or False
            user = v.string(body, "username")
            secret = v.string(body, "password")
            if target is None:
                raise self._missing("uri")
            if needed and (not user or not secret):
                raise self._missing(*(k for k in ("username", "password") if not body.get(k)))
            uri_uuid = self._uuid()
            self.uris[uri_uuid] = {
                "uri_uuid": uri_uuid,
                "name": name or "",
                "uri": v.sip_uri(target),
                "authentication_needed": needed,
                "username": user if needed else None,
                "_password": secret if needed else None,
            }
            return uri_uuid

    def get_uri(self, uri_uuid: str) -> dict[str, Any]:
        with self._lock:
            return _public(self._get(self.uris, uri_uuid, "origination uri"))

    def list_uris(self, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        with self._lock:
            return self._page(list(self.uris.values()), offset, limit)

    def update_uri(self, uri_uuid: str, body: dict[str, Any]) -> None:
        with self._lock:
            record = self._get(self.uris, uri_uuid, "origination uri")
            name = v.string(body, "name")
            target = v.string(body, "uri")
            needed = v.boolean(body, "authentication_needed")
            user = v.string(body, "username")
            secret = v.string(body, "password")
            # §6.5: a password must travel with authentication_needed and the username.
            if secret is not None and (needed is None or user is None):
                raise v.bad("password requires authentication_needed and username")
            # §15a L2: turning authentication on needs the username in the same body.
            if needed and user is None:
                raise v.bad("authentication_needed requires username")
            merged = dict(record)
            if name is not None:
                merged["name"] = name
            if target is not None:
                merged["uri"] = v.sip_uri(target)
            if needed is not None:
                merged["authentication_needed"] = needed
            if user is not None:
                merged["username"] = user
            if secret is not None:
                merged["_password"] = secret
            if merged["authentication_needed"] and (
                not merged["username"] or not merged["_password"]
            ):
                raise v.bad("authentication_needed requires username and password")
            if not merged["authentication_needed"]:
                merged["username"] = None
                merged["_password"] = None
            record.update(merged)

    def delete_uri(self, uri_uuid: str) -> None:
        """§6.6: every trunk using the URI as primary or fallback is deleted with it."""
        with self._lock:
            self._get(self.uris, uri_uuid, "origination uri")
            del self.uris[uri_uuid]
            self._drop_trunks(
                {
                    trunk_id
                    for trunk_id, trunk in self.trunks.items()
                    if uri_uuid in (trunk["primary_uri_uuid"], trunk["fallback_uri_uuid"])
                }
            )

    # -- numbers --------------------------------------------------------------------------

    def update_number(self, number: str, body: dict[str, Any]) -> None:
        """§12: ``app_id`` = an existing trunk id routes the number, ``""`` unroutes it."""
        with self._lock:
            self.numbers.update(number, body, self.trunks)

    #: The name this had before numbers could be unrouted or renamed.
    route_number = update_number

    def get_number(self, number: str, auth_id: str) -> dict[str, Any]:
        with self._lock:
            return self.numbers.get(number, auth_id)

    def list_numbers(
        self, params: list[tuple[str, str]], offset: int, limit: int, auth_id: str
    ) -> tuple[int, list[dict[str, Any]]]:
        with self._lock:
            return self.numbers.page(params, offset, limit, auth_id)
