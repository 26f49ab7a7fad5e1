"""Profiles in a config file, merged under the options and the environment.

The file is TOML at the platform's config directory
(``~/.config/zentrunk/config.toml`` on Linux, honouring ``XDG_CONFIG_HOME``;
``~/Library/Application Support/zentrunk/config.toml`` on macOS;
``%APPDATA%\\zentrunk\\config.toml`` on Windows), or wherever
``ZENTRUNK_CONFIG`` points::

    default_profile = "prod"        # optional; else the profile named "default"

    [profiles.prod]
    auth_id = "MAXXXXXXXXXXXXXXXXXX"
    auth_token_env = "PROD_PLIVO_TOKEN"   # or auth_token = "..." (then chmod 600)
    rate_limit = 145                      # requests per 5 s: half the account's limit

    [profiles.local]
    auth_id = "MAEMULATOR0000000001"
    auth_token = "ZW11bGF0b3Itbm90LWEtcmVhbC10b2tlbi0wMDAx"
    base_url = "http://127.0.0.1:8080"

Each value is taken from the first of: the command-line option, its
environment variable (``PLIVO_AUTH_ID``, ``PLIVO_AUTH_TOKEN``,
``ZENTRUNK_BASE_URL``), the profile. A file holding a token must not be
readable by others, as ssh insists for its keys: a token that leaks from a
shared machine is the whole account.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ._errors import EXIT_USAGE, CLIError

if TYPE_CHECKING:
    from .._client import ZentrunkClient
    from .._http import HttpBackend

# The SDK's names (zentrunk_async._config), repeated so that --help does not import httpx;
# tests/cli/test_profiles.py checks that they match.
ENV_AUTH_ID = "PLIVO_AUTH_ID"
ENV_AUTH_TOKEN = "PLIVO_AUTH_TOKEN"
ENV_BASE_URL = "ZENTRUNK_BASE_URL"
ENV_CONFIG = "ZENTRUNK_CONFIG"
ENV_PROFILE = "ZENTRUNK_PROFILE"
ENV_RATE_LIMIT = "ZENTRUNK_RATE_LIMIT"

#: Plivo's documented account limit per 5 s (zentrunk-api.md §11.1): --rate-limit's ceiling.
MAX_RATE_LIMIT = 300

_KEYS = ("auth_id", "auth_token", "auth_token_env", "base_url", "rate_limit", "allow_insecure_http")


def config_path() -> Path:
    """Where the config file is (it need not exist)."""
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override).expanduser()
    from typer import get_app_dir

    return Path(get_app_dir("zentrunk")) / "config.toml"


@dataclass(frozen=True)
class Settings:
    """The merged configuration of one run; `auth_token` never appears in a repr."""

    auth_id: str | None
    auth_token: str | None = field(repr=False)
    base_url: str | None
    rate_limit: int | None
    allow_insecure_http: bool
    profile: str | None  # the profile used, if any
    sources: dict[str, str]  # field -> "option or environment" / "profile NAME" / "default"
    token_env: str | None = None  # the variable the profile reads its token from

    @classmethod
    def explicit(cls, auth_id: str, auth_token: str, base_url: str) -> Settings:
        """Settings that read no config file (the demo's own emulator account)."""
        given = "option or environment"
        return cls(
            auth_id=auth_id,
            auth_token=auth_token,
            base_url=base_url,
            rate_limit=None,
            allow_insecure_http=False,
            profile=None,
            sources={"auth_id": given, "auth_token": given, "base_url": given},
        )

    def require_credentials(self) -> tuple[str, str]:
        if not self.auth_id:
            raise CLIError(
                f"no Auth ID: pass --auth-id, set {ENV_AUTH_ID}, or add a profile to "
                f"{config_path()}",
                exit_code=EXIT_USAGE,
            )
        if not self.auth_token and self.token_env:
            raise CLIError(
                f"no Auth Token: profile {self.profile} reads it from ${self.token_env}, "
                f"which is not set (or set {ENV_AUTH_TOKEN})",
                exit_code=EXIT_USAGE,
            )
        if not self.auth_token:
            raise CLIError(
                f"no Auth Token: set {ENV_AUTH_TOKEN} (or pass --auth-token, or use a profile)",
                exit_code=EXIT_USAGE,
            )
        return self.auth_id, self.auth_token

    def client(
        self, *, pace: bool = True, http_client: Any = None, http: str | None = None
    ) -> ZentrunkClient:
        """The SDK client; `http_client` replaces the HTTP layer (``--dry-run``).

        `http` picks the HTTP I/O (``--http``: "httpx" or "aiohttp"; None: the SDK's default).
        """
        from .._client import ZentrunkClient
        from .._config import DEFAULT_RATE_PERIOD, RateLimit

        auth_id, auth_token = self.require_credentials()
        if not pace:
            limit: RateLimit | None = None
        elif self.rate_limit is not None:
            limit = RateLimit(requests=self.rate_limit, period=DEFAULT_RATE_PERIOD)
        else:
            limit = RateLimit()
        return ZentrunkClient(
            auth_id,
            auth_token,
            base_url=self.base_url,
            rate_limit=limit,
            allow_insecure_http=self.allow_insecure_http,
            http_client=http_client,
            http=cast("HttpBackend | None", http),
        )


def load_file(path: Path) -> dict[str, Any]:
    """The parsed file, or {} when there is none; every problem is a one-line `CLIError`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CLIError(
            f"cannot read config file {path}: {exc.strerror}", exit_code=EXIT_USAGE
        ) from None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CLIError(
            f"bad config file {path}: {exc}; fix the TOML (or point {ENV_CONFIG} elsewhere)",
            exit_code=EXIT_USAGE,
        ) from None
    _check(path, data)
    return data


def _check(path: Path, data: dict[str, Any]) -> None:
    profiles = data.get("profiles", {})
    unknown = sorted(set(data) - {"profiles", "default_profile"})
    if unknown or not isinstance(profiles, dict):
        raise CLIError(
            f"bad config file {path}: unknown top-level key(s) {', '.join(unknown)}; "
            "expected default_profile and [profiles.NAME] tables",
            exit_code=EXIT_USAGE,
        )
    has_token = False
    for name, profile in profiles.items():
        if not isinstance(profile, dict):
            raise CLIError(f"bad config file {path}: profiles.{name} is not a table", exit_code=2)
        bad = sorted(set(profile) - set(_KEYS))
        if bad:
            raise CLIError(
                f"bad config file {path}: unknown key {bad[0]!r} in [profiles.{name}] "
                f"(valid: {', '.join(_KEYS)})",
                exit_code=EXIT_USAGE,
            )
        for key in ("auth_id", "auth_token", "auth_token_env", "base_url"):
            if key in profile and not isinstance(profile[key], str):
                raise CLIError(
                    f"bad config file {path}: profiles.{name}.{key} must be a string",
                    exit_code=EXIT_USAGE,
                )
        if "rate_limit" in profile:
            check_rate_limit(profile["rate_limit"], f"profiles.{name}.rate_limit in {path}")
        if "allow_insecure_http" in profile and not isinstance(
            profile["allow_insecure_http"], bool
        ):
            raise CLIError(
                f"bad config file {path}: profiles.{name}.allow_insecure_http must be a boolean",
                exit_code=EXIT_USAGE,
            )
        has_token = has_token or "auth_token" in profile
    if has_token and os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise CLIError(
                f"config file {path} holds an auth_token and is readable by others "
                f'(mode {mode:04o}): run chmod 600 {path}, or use auth_token_env = "VAR"',
                exit_code=EXIT_USAGE,
            )


def check_rate_limit(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RATE_LIMIT:
        raise CLIError(
            f"{what} must be a whole number of requests per 5 s from 1 to {MAX_RATE_LIMIT} "
            f"(Plivo's account limit), got {value!r}",
            exit_code=EXIT_USAGE,
        )
    return value


def resolve(
    *,
    auth_id: str | None,
    auth_token: str | None,
    base_url: str | None,
    profile: str | None,
    rate_limit: int | None,
    allow_insecure_http: bool,
) -> Settings:
    """Options (which already include their environment variables) over the profile."""
    path = config_path()
    data = load_file(path)
    profiles: dict[str, dict[str, Any]] = data.get("profiles", {})
    chosen = profile or os.environ.get(ENV_PROFILE) or None
    if chosen is not None and chosen not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise CLIError(
            f"no profile {chosen!r} in {path} (profiles: {known})",
            exit_code=EXIT_USAGE,
        )
    if chosen is None:
        default = data.get("default_profile")
        if isinstance(default, str):
            if default not in profiles:
                raise CLIError(
                    f"bad config file {path}: default_profile {default!r} is not a profile",
                    exit_code=EXIT_USAGE,
                )
            chosen = default
        elif "default" in profiles:
            chosen = "default"
    values: dict[str, Any] = dict(profiles.get(chosen, {})) if chosen else {}
    token_env = values.pop("auth_token_env", None)
    if token_env and "auth_token" not in values:
        values["auth_token"] = os.environ.get(token_env)
    given = {
        "auth_id": auth_id,
        "auth_token": auth_token,
        "base_url": base_url,
        "rate_limit": rate_limit,
        "allow_insecure_http": allow_insecure_http or None,
    }
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, value in given.items():
        if value is not None:
            merged[key], sources[key] = value, "option or environment"
        elif values.get(key) is not None:
            merged[key], sources[key] = values[key], f"profile {chosen}"
        else:
            merged[key], sources[key] = None, "default"
    return Settings(
        auth_id=merged["auth_id"],
        auth_token=merged["auth_token"],
        base_url=merged["base_url"],
        rate_limit=merged["rate_limit"],
        allow_insecure_http=bool(merged["allow_insecure_http"]),
        profile=chosen,
        sources=sources,
        token_env=token_env if isinstance(token_env, str) else None,
    )
