"""``python -m benchmarks.cli_startup``: how long ``zentrunk --version`` and ``--help`` take.

Each command runs as a fresh process, as a person's shell runs it, ``--runs``
times (after one unmeasured warm-up run that fills the OS file cache); the
table shows the median and the fastest run in milliseconds. ``--tree DIR``
puts another checkout first on ``PYTHONPATH`` (a before/after comparison:
``git archive OLD | tar -x -C /tmp/before``), and ``--imports`` lists which
heavy modules a command loaded.

The target (issue 13) is under 0.3 s for ``--version`` and ``--help`` on the
lab machine: rich, httpx and the emulator are imported only by the commands
that use them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = (
    ("--version",),
    ("--help",),
    ("trunks", "--help"),
    ("calls", "list", "--help"),
)
HEAVY = ("rich", "httpx", "cattrs", "anyio", "starlette", "uvicorn", "zentrunk_async._client")


def zentrunk(tree: Path | None) -> tuple[list[str], dict[str, str]]:
    """The console script beside this Python (else ``-m``), and its environment."""
    script = shutil.which("zentrunk", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "zentrunk_async.cli"]
    env = dict(os.environ)
    root = tree or Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    return command, env


def time_command(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    where = tempfile.gettempdir()
    subprocess.run(command, env=env, capture_output=True, check=False, cwd=where)  # warm-up
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=False, cwd=where)
        seconds.append(time.perf_counter() - started)
    return seconds


def loaded_heavy(args: tuple[str, ...], env: dict[str, str]) -> list[str]:
    """Which heavy modules the command imported (run in-process under a fresh interpreter)."""
    probe = (
        "import sys\n"
        "from zentrunk_async.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    # cwd: not this checkout, which `python -c` would put first on sys.path.
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tempfile.gettempdir(),
    )
    lines = done.stderr.strip().splitlines()
    return [name for name in (lines[-1].split(",") if lines else []) if name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli_startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="measured runs per command")
    parser.add_argument("--tree", type=Path, default=None, help="checkout to measure instead")
    parser.add_argument("--imports", action="store_true", help="list heavy modules loaded")
    args = parser.parse_args(argv)
    base, env = zentrunk(args.tree)
    print(
        f"{'command':<28} {'median ms':>10} {'min ms':>8}"
        + ("  heavy imports" if args.imports else "")
    )
    # The floor: an interpreter that does nothing, and one that only imports Typer.
    for label, code in (("python -c pass", "pass"), ("python -c 'import typer'", "import typer")):
        seconds = time_command([sys.executable, "-c", code], env, args.runs)
        print(f"{label:<28} {statistics.median(seconds) * 1e3:>10.0f} {min(seconds) * 1e3:>8.0f}")
    for words in COMMANDS:
        seconds = time_command([*base, *words], env, args.runs)
        line = (
            f"{'zentrunk ' + ' '.join(words):<28} {statistics.median(seconds) * 1e3:>10.0f} "
            f"{min(seconds) * 1e3:>8.0f}"
        )
        if args.imports:
            line += "  " + (", ".join(loaded_heavy(words, env)) or "none")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
