"""Many accounts from one process: exports and syncs for a fleet of Plivo accounts.

    accounts = load_accounts("accounts.json")      # [{"auth_id", "auth_token_env"}, ...]
    work = [AccountWork(a, since=since, until=until) for a in accounts]
    summary = await run_fleet(work, ExportJob(out_dir="cdrs"), max_accounts=8)
    for result in summary.failed:
        print(result.auth_id, result.error)

Work units (`AccountWork`), jobs and `ClientOptions` are plain attrs
records holding no token; tokens come from a `CredentialProvider` (by
default the environment variable each `Account` names) at the moment an
account is pulled. `zentrunk_async.distributed` runs the same units on Dask.
"""

from ._accounts import (
    Account,
    CredentialProvider,
    load_accounts,
    parse_accounts,
    token_from_env,
)
from ._runner import (
    DEFAULT_ATTEMPTS,
    DEFAULT_MAX_ACCOUNTS,
    AccountProgress,
    AccountResult,
    FleetSummary,
    is_transient,
    run_account,
    run_fleet,
)
from ._work import (
    AccountRun,
    AccountWork,
    ClientOptions,
    ExportJob,
    IncompleteSyncError,
    Job,
    SyncJob,
)

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_MAX_ACCOUNTS",
    "Account",
    "AccountProgress",
    "AccountResult",
    "AccountRun",
    "AccountWork",
    "ClientOptions",
    "CredentialProvider",
    "ExportJob",
    "FleetSummary",
    "IncompleteSyncError",
    "Job",
    "SyncJob",
    "is_transient",
    "load_accounts",
    "parse_accounts",
    "run_account",
    "run_fleet",
    "token_from_env",
]
