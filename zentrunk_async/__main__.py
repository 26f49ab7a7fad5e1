"""``python -m zentrunk_async``: the ``zentrunk`` command line, wherever pip put its scripts."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
