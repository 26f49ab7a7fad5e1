"""Running ``zentrunk`` in a real child process, against an emulator served by the test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from zentrunk_async.testing import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]


def zentrunk_process(server: EmulatorServer, *args: str, **popen: Any) -> subprocess.Popen[str]:
    """``python -m zentrunk_async --base-url ... <args>`` with the token in its environment."""
    env = {
        **os.environ,
        "PLIVO_AUTH_TOKEN": server.auth_token,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("PLIVO_AUTH_ID", None)
    command = [
        sys.executable,
        "-m",
        "zentrunk_async",
        "--base-url",
        server.base_url,
        "--auth-id",
        server.auth_id,
        *args,
    ]
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
