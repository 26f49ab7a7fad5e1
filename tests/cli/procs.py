"""The real ``zentrunk`` console script in a child process: through a pipe, or on a pty."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import attrs

from zentrunk_async.testing import EmulatorServer

#: Long enough for a loaded 2-core CI machine; a hung child fails the test instead of the run.
TIMEOUT = 60.0


def zentrunk_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m``."""
    script = shutil.which("zentrunk", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "zentrunk_async.cli"]


def clean_env(server: EmulatorServer | None = None, **extra: str) -> dict[str, str]:
    """The test's environment without the developer's settings, aimed at `server`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLIVO_", "ZENTRUNK_"))}
    env["ZENTRUNK_CONFIG"] = os.devnull + ".absent.toml"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parents[2]), *filter(None, [env.get("PYTHONPATH")])]
    )
    if server is not None:
        env.update(
            ZENTRUNK_BASE_URL=server.base_url,
            PLIVO_AUTH_ID=server.auth_id,
            PLIVO_AUTH_TOKEN=server.auth_token,
        )
    env.update(extra)
    return env


@attrs.frozen
class Run:
    code: int
    out: str
    err: str


def run_pipe(
    *args: str, env: dict[str, str], stdin: str | None = None, close_stdin: bool = False
) -> Run:
    """stdout and stderr are pipes (not a terminal); stdin is `stdin`, /dev/null, or closed."""
    done = subprocess.run(
        [*zentrunk_command(), *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        # close_stdin: no fd 0 at all, as under some CI runners and `cmd <&-`.
        preexec_fn=(lambda: os.close(0)) if close_stdin else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def run_tty(
    *args: str,
    env: dict[str, str],
    columns: int = 80,
    answer: str | None = None,
    replies: list[tuple[str, str]] | None = None,
) -> Run:
    """stdin and stdout on a pseudo-terminal of `columns` columns; stderr a pipe.

    `answer` is typed at a ``[y/N]`` prompt; `replies` are (prompt text, what to
    type) pairs, each typed once its prompt has appeared on stderr, in order.
    """
    pending = list(replies or [])
    if answer is not None:
        pending.append(("[y/N]", answer))
    import fcntl  # POSIX only, like pty: imported here so the pipe tests run anywhere
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**env, "COLUMNS": str(columns), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    child = subprocess.Popen(
        [*zentrunk_command(), *args],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
        close_fds=True,
        # No controlling terminal: getpass then reads the pty on stdin, not the runner's tty.
        start_new_session=True,
    )
    os.close(slave)
    assert child.stderr is not None
    out, err = b"", b""
    deadline = time.monotonic() + TIMEOUT
    err_open = True
    replied = 0  # stderr up to here has had its prompts answered
    while True:
        if time.monotonic() > deadline:
            child.kill()
            raise AssertionError(f"zentrunk {' '.join(args)} did not finish")
        readable, _, _ = select.select([master, *([child.stderr] if err_open else [])], [], [], 0.5)
        if child.stderr in readable:
            chunk = os.read(child.stderr.fileno(), 65536)
            err_open = bool(chunk)
            err += chunk
            while pending and pending[0][0].encode() in err[replied:]:
                prompt, text = pending.pop(0)
                replied = err.index(prompt.encode(), replied) + len(prompt)
                os.write(master, text.encode())
        if master in readable:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed its side of the pty
                chunk = b""
            if not chunk:
                break
            out += chunk
    if err_open:
        err += child.stderr.read()
    child.stderr.close()  # here, not by the GC during some later test
    code = child.wait(timeout=TIMEOUT)
    os.close(master)
    return Run(code, out.decode("utf-8", "replace").replace("\r\n", "\n"), err.decode())
