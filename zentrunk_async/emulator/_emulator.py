"""`Emulator`: the handle that owns the emulated account(s) and the ASGI app serving them.

Tests hold this object to reach everything a live account hides. It *is*
the first account (``emulator.store``, ``emulator.set_faults(...)``, ...),
and ``emulator.accounts`` lists every account when ``EmulatorConfig(accounts=N)``
asks for several. The Starlette app is built by `_app.build_app` from the
accounts it serves; the same state is reachable over HTTP through the admin
routes, so a test can drive either an in-process app or a server in another
process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from ._account import Account, Stats
from ._app import build_app
from ._config import EmulatorConfig, Faults, account_credentials

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["Emulator", "Stats", "create_app"]


class Emulator(Account):
    """The emulated service: its first account, the others, and the app serving them all.

    ``faults`` applies to the first account; every other account starts with
    faults off and has its own (``emulator.account(auth_id).set_faults(...)``).
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        faults: Faults | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        config = config or EmulatorConfig()
        super().__init__(config, faults=faults, clock=clock)
        self.accounts: list[Account] = [self]
        for position, (auth_id, token) in enumerate(account_credentials(config)[1:], start=1):
            own = attrs.evolve(
                config, auth_id=auth_id, auth_token=token, seed=config.seed + position, accounts=1
            )
            self.accounts.append(Account(own, clock=clock))
        self._app: Starlette | None = None

    def account(self, auth_id: str) -> Account:
        """The account with this auth id (KeyError if the emulator serves none)."""
        for account in self.accounts:
            if account.auth_id == auth_id:
                return account
        raise KeyError(auth_id)

    @property
    def app(self) -> Starlette:
        """The Starlette app, built on first use (so building an Emulator stays cheap)."""
        if self._app is None:
            self._app = build_app(self.accounts, handle=self)
        return self._app


def create_app(
    config: EmulatorConfig | None = None,
    *,
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """An ASGI app for the emulated account(s); its `Emulator` is ``app.state.emulator``."""
    return Emulator(config, faults=faults, clock=clock).app
