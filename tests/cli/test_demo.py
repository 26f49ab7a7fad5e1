"""``zentrunk demo`` as a new user runs it: a real process, no account, a summary at the end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def zentrunk_command() -> list[str]:
    """The installed console script when it sits beside this Python, else ``-m``."""
    script = shutil.which("zentrunk", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "zentrunk_async.cli"]


def test_demo_subprocess_prints_summary(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLIVO_", "ZENTRUNK_"))}
    completed = subprocess.run(
        [
            *zentrunk_command(),
            "demo",
            "--calls",
            "2000",
            "--latency-ms",
            "5",
            "--sample-pages",
            "10",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    stdout = completed.stdout
    assert "Zentrunk demo: a local emulator stands in for Plivo" in stdout
    assert f"Exported 2,000 calls to {out}" in stdout
    assert "Sequential pull (concurrency 1): 200 calls in" in stdout
    assert "Speed-up: " in stdout
    assert "Exporting" in completed.stderr  # the progress bar
    assert len(out.read_text().splitlines()) == 2000
