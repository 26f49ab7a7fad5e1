"""``python -m zentrunk_async.cli``: the same as the ``zentrunk`` script, when it is not on PATH."""

from __future__ import annotations

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
