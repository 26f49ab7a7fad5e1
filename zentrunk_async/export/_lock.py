"""One export per file at a time: an advisory lock beside it (``<file>.lock``).

Two runs on one checkpoint (a nightly job that overlaps the previous one)
would both append to the partial file. The lock is the kernel's (`flock`),
so a run killed with SIGKILL releases it by dying; the file itself is
removed when the run ends. After locking, the path must still name the
locked file: otherwise another run removed it meanwhile and locked a new
one, and this run stops too.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._errors import InvalidArgumentError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, no protection
    fcntl = None  # type: ignore[assignment]


class ExportInProgressError(InvalidArgumentError):
    """Another export is writing the same file right now."""


class ExportLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino != os.stat(self.path).st_ino:
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):  # held, or removed by its holder
            os.close(fd)
            raise ExportInProgressError(
                f"another export is writing {self.path.name.removesuffix('.lock')} right now "
                f"(it holds {self.path}); wait for it to end"
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None
