"""Accounts of a fleet: who to pull, and where each one's token is to be found.

An `Account` names an environment variable, never a token: it travels in work
units (to another task, process or Dask worker), and whoever pulls the
account reads the token there, at the last moment (`token_from_env`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from .._errors import InvalidArgumentError

#: Resolves an account's token where the account is pulled; may raise
#: `InvalidArgumentError` (that account then fails, the others go on).
CredentialProvider = Callable[["Account"], str]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _auth_id(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value or not value.isalnum():
        raise InvalidArgumentError(f"auth_id must be letters and digits, got {value!r}")


def _env_name(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not (isinstance(value, str) and _ENV_NAME.fullmatch(value)):
        raise InvalidArgumentError(
            f"auth_token_env must be an environment variable name, got {value!r}"
        )


@attrs.frozen
class Account:
    """One account of a fleet: its Auth ID and the environment variable holding its token.

    `auth_token_env` may be None when a custom `CredentialProvider` knows
    where the token is (a vault, a secrets manager).
    """

    auth_id: str = attrs.field(validator=_auth_id)
    auth_token_env: str | None = attrs.field(default=None, validator=_env_name)


def token_from_env(account: Account) -> str:
    """The default `CredentialProvider`: the token from ``account.auth_token_env``."""
    if account.auth_token_env is None:
        raise InvalidArgumentError(
            f"account {account.auth_id} names no auth_token_env (and no credential provider)"
        )
    token = os.environ.get(account.auth_token_env)
    if not token:
        raise InvalidArgumentError(
            f"account {account.auth_id}: environment variable {account.auth_token_env} is not set"
        )
    return token


def load_accounts(path: str | os.PathLike[str]) -> list[Account]:
    """Read a fleet's accounts file: JSON ``[{"auth_id": ..., "auth_token_env": ...}, ...]``.

    Every entry is checked before anything runs: a typo must not surface as
    one failed account an hour into a pull. A file that holds a token
    (``auth_token``) is refused: tokens belong in the environment.
    """
    file = Path(path)
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidArgumentError(f"cannot read accounts file {file}: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidArgumentError(f"accounts file {file} is not JSON: {exc}") from None
    return parse_accounts(raw, source=str(file))


def parse_accounts(raw: object, *, source: str = "accounts") -> list[Account]:
    """`Account`\\ s from decoded JSON (see `load_accounts`)."""
    if not isinstance(raw, list) or not raw:
        raise InvalidArgumentError(f"{source}: expected a non-empty JSON list of accounts")
    accounts = [_entry(item, index, source) for index, item in enumerate(raw)]
    check_unique(accounts, source=source)
    return accounts


def check_unique(accounts: Sequence[Account], *, source: str = "accounts") -> None:
    """Refuse an account listed twice: two pulls would share one account's rate limit."""
    seen: set[str] = set()
    for account in accounts:
        if account.auth_id in seen:
            raise InvalidArgumentError(f"{source}: account {account.auth_id} is listed twice")
        seen.add(account.auth_id)


def _entry(item: object, index: int, source: str) -> Account:
    where = f"{source}: entry {index}"
    if not isinstance(item, dict):
        raise InvalidArgumentError(f"{where} must be an object with auth_id and auth_token_env")
    if "auth_token" in item:
        raise InvalidArgumentError(
            f"{where} holds an auth_token: put tokens in environment variables "
            "and name them with auth_token_env"
        )
    unknown = set(item) - {"auth_id", "auth_token_env"}
    if unknown:
        raise InvalidArgumentError(f"{where} has unknown field(s): {', '.join(sorted(unknown))}")
    if "auth_id" not in item or "auth_token_env" not in item:
        raise InvalidArgumentError(f"{where} needs both auth_id and auth_token_env")
    try:
        return Account(auth_id=item["auth_id"], auth_token_env=item["auth_token_env"])
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"{where}: {exc}") from None
