"""The ``zentrunk`` command line (install ``zentrunk-async[cli]``).

`main` is the console script. It runs the Typer app in non-standalone mode
so that every failure, a usage error included, ends as one line on stderr
and an exit code a script can test: 0 ok, 1 API or network error, 2 bad
usage or arguments, 130 interrupted (``zentrunk --help`` says more).

``zentrunk --version`` alone answers before Typer is even imported: it is
what scripts and installers run to probe for the tool.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``zentrunk`` with `argv` (default: the process arguments); returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from .._version import __version__

        print(f"zentrunk {__version__}")
        return 0
    try:
        from ._app import run_main
    except ImportError as exc:  # the extra is missing: say how to get it, not a traceback
        print(
            f"zentrunk: error: the command line needs the 'cli' extra ({exc.name} is missing):"
            " pip install 'zentrunk-async[cli]'",
            file=sys.stderr,
        )
        return 1
    return run_main(args)
