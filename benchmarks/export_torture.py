"""Crash torture for file exports: SIGKILL a real exporting process again and again.

Each trial serves a fresh emulator (faults and drift on) and runs
``zentrunk calls export`` as a real subprocess into a temporary directory,
kills it with SIGKILL at random moments, resumes it with nothing but
``--out FILE --resume`` each time, and lets the last run finish. The file
is then checked against the emulator's ground truth: the calls of the
window as an unfaulted, sequential listing shows them, whose number must
equal the admin statistics' count of calls (all calls that are not drift,
which lands after the window). Lost and doubled calls are counted, not
assumed away; `verify_file` must agree.

    python -m benchmarks.export_torture --trials 20 --kills 6      # a soak
    python -m benchmarks.export_torture --trials 2 --driver library --backend trio

``tests/export/test_torture.py`` runs a bounded version of the same thing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from tempfile import TemporaryDirectory

import anyio
import attrs
import httpx

import zentrunk_async
from zentrunk_async import RetryPolicy, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig, Faults, serve_in_thread
from zentrunk_async.export import verify_file

#: Where the zentrunk_async this process runs comes from (the tree, or an installed
#: wheel under test): the children must run the same one.
PACKAGE_HOME = Path(zentrunk_async.__file__).resolve().parents[1]
#: Runs of one trial after its kills, before the trial counts as stuck.
MAX_FINISHING_RUNS = 40
#: Seconds one run may take before it is killed as hung (and the trial fails).
RUN_TIMEOUT = 120.0


@attrs.define
class Figures:
    trials: int = 0
    kills: int = 0
    failed_runs: int = 0
    runs: int = 0
    calls: int = 0
    lost: int = 0
    doubled: int = 0
    foreign: int = 0
    verify_failures: int = 0
    elapsed: float = 0.0

    def line(self) -> str:
        return (
            f"trials {self.trials}, SIGKILLs {self.kills}, runs {self.runs} "
            f"({self.failed_runs} ended by faults), calls {self.calls:,}, "
            f"lost {self.lost}, doubled {self.doubled}, foreign {self.foreign}, "
            f"verify failures {self.verify_failures}, {self.elapsed:.1f} s"
        )


@attrs.frozen
class Options:
    calls: int = 1500
    kills: int = 4
    max_shard_records: int = 100
    concurrency: int = 4
    error_rate: float = 0.03
    drop_rate: float = 0.02
    decode_rate: float = 0.0
    #: Pages that come back one record short while total_count stays (the runner re-pulls).
    short_page_rate: float = 0.01
    drift_per_second: float = 20.0
    latency_ms: float = 2.0
    #: Seconds after the checkpoint appears within which a kill lands (uniformly).
    kill_window: float = 1.0
    driver: str = "cli"
    backend: str = "asyncio"


def child_env(token: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_HOME), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env["PLIVO_AUTH_TOKEN"] = token
    for name in ("ZENTRUNK_BASE_URL", "ZENTRUNK_LOG"):
        env.pop(name, None)
    return env


def command(
    options: Options,
    base_url: str,
    auth_id: str,
    out: Path,
    window: tuple[datetime, datetime],
    first: bool,
) -> list[str]:
    if options.driver == "library":
        # By path, not ``-m benchmarks...``: the child needs no repository on its path,
        # only the package under test (PYTHONPATH, see child_env).
        return [
            sys.executable,
            str(Path(__file__).resolve()),
            "child",
            base_url,
            auth_id,
            str(out),
            window[0].isoformat(),
            window[1].isoformat(),
            options.backend,
            str(options.max_shard_records),
        ]
    argv = [
        sys.executable,
        "-m",
        "zentrunk_async.cli",
        "--base-url",
        base_url,
        "--auth-id",
        auth_id,
    ]
    argv += ["calls", "export", "--out", str(out), "--resume"]
    argv += ["--max-shard-records", str(options.max_shard_records)]
    argv += ["--concurrency", str(options.concurrency)]
    if first:
        argv += ["--since", window[0].isoformat(), "--until", window[1].isoformat()]
    return argv


def run_once(
    argv: list[str], env: dict[str, str], checkpoint: Path, kill_after: float | None
) -> str:
    """One run: "killed", "ok" or "failed". A kill lands `kill_after` s after the checkpoint
    appears (so during the export itself, not during interpreter start-up)."""
    process = subprocess.Popen(
        argv, env=env, cwd=checkpoint.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        started = time.monotonic()
        if kill_after is not None:
            seen: float | None = None
            while process.poll() is None:
                now = time.monotonic()
                if seen is None and checkpoint.exists():
                    seen = now
                if seen is not None and now - seen >= kill_after:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    return "killed"
                if now - started > RUN_TIMEOUT:
                    break
                time.sleep(0.005)
        _, err = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise RuntimeError(f"an export run hung for {RUN_TIMEOUT} s") from None
    if process.returncode == 0:
        return "ok"
    text = err.decode(errors="replace").strip().splitlines()
    last = text[-2:] if text else ["(no output)"]
    if process.returncode == 2:  # a refusal: the torture found a state resume cannot take
        raise RuntimeError(f"resume refused: {' '.join(last)}")
    return "failed"


def ground_truth(emulator: Emulator, base_url: str, window: tuple[datetime, datetime]) -> set[str]:
    """The window's calls, listed one page after another with every fault off."""
    saved = emulator.faults.as_dict()
    emulator.clear_faults()

    async def listing() -> set[str]:
        async with ZentrunkClient(
            emulator.auth_id, emulator.auth_token, base_url=base_url, rate_limit=None
        ) as zt:
            return {
                c.call_uuid
                async for c in zt.calls.list(
                    end_time__gte=window[0], end_time__lt=window[1], concurrency=1
                )
            }

    try:
        truth = anyio.run(listing)
        stats = httpx.get(f"{base_url}/__emulator__/stats").json()
        if len(truth) != stats["calls"] - stats["drifted_calls"]:
            raise RuntimeError(f"ground truth {len(truth)} disagrees with the admin stats {stats}")
        return truth
    finally:
        emulator.set_faults(**saved)


def verified(emulator: Emulator, base_url: str, out: Path) -> bool:
    saved = emulator.faults.as_dict()
    emulator.clear_faults()

    async def check() -> bool:
        async with ZentrunkClient(
            emulator.auth_id, emulator.auth_token, base_url=base_url, rate_limit=None
        ) as zt:
            return (await verify_file(zt, out)).ok

    try:
        return anyio.run(check)
    finally:
        emulator.set_faults(**saved)


@contextmanager
def served(options: Options, seed: int) -> Iterator[tuple[Emulator, str]]:
    faults = Faults(
        error_rate=options.error_rate,
        drop_rate=options.drop_rate,
        truncate_rate=options.decode_rate,
        html_rate=options.decode_rate,
        drift_per_second=options.drift_per_second,
        latency_ms=options.latency_ms,
        seed=seed,
    )
    emulator = Emulator(
        EmulatorConfig(calls=options.calls, seed=seed, rate_limit_requests=None), faults=faults
    )
    emulator.set_faults(short_page_rate=options.short_page_rate)
    with serve_in_thread(emulator) as base_url:
        yield emulator, base_url


def trial(options: Options, seed: int, figures: Figures) -> None:
    rng = random.Random(seed)
    with served(options, seed) as (emulator, base_url), TemporaryDirectory() as tmp:
        out = Path(tmp) / "calls.jsonl"
        checkpoint = Path(tmp) / "calls.jsonl.checkpoint.json"
        until = datetime.now(timezone.utc).replace(microsecond=0)
        window = (until - timedelta(days=89, hours=23), until)
        env = child_env(emulator.auth_token)
        first = True
        for _ in range(options.kills):
            argv = command(options, base_url, emulator.auth_id, out, window, first)
            outcome = run_once(argv, env, checkpoint, rng.uniform(0.0, options.kill_window))
            figures.runs += 1
            first = first and not checkpoint.exists()
            figures.kills += outcome == "killed"
            figures.failed_runs += outcome == "failed"
            if outcome == "ok":
                break
        for _ in range(MAX_FINISHING_RUNS):
            argv = command(options, base_url, emulator.auth_id, out, window, first)
            outcome = run_once(argv, env, checkpoint, None)
            figures.runs += 1
            first = first and not checkpoint.exists()
            if outcome == "ok":
                break
            figures.failed_runs += 1
        else:
            raise RuntimeError(f"trial {seed}: no run finished in {MAX_FINISHING_RUNS} attempts")
        if not out.exists() or out.with_name(out.name + ".part").exists():
            raise RuntimeError(f"trial {seed}: the export finished without its final file")
        lines = [json.loads(line)["call_uuid"] for line in out.read_text().splitlines()]
        truth = ground_truth(emulator, base_url, window)
        found = set(lines)
        figures.trials += 1
        figures.calls += len(truth)
        figures.lost += len(truth - found)
        figures.doubled += len(lines) - len(found)
        figures.foreign += len(found - truth)
        figures.verify_failures += not verified(emulator, base_url, out)


def torture(trials: int, options: Options, seed: int = 0) -> Figures:
    figures = Figures()
    started = time.monotonic()
    for number in range(trials):
        trial(options, seed + number, figures)
    figures.elapsed = time.monotonic() - started
    return figures


def child(argv: list[str]) -> int:
    """The library driver: `export_to_file` (resuming when a checkpoint exists) on a backend."""
    base_url, auth_id, out, since, until, backend, shard = argv
    from zentrunk_async.export import export_to_file

    async def main() -> None:
        async with ZentrunkClient(
            auth_id, base_url=base_url, retry=RetryPolicy(max_retries=4)
        ) as zt:
            await export_to_file(
                zt,
                out,
                since=datetime.fromisoformat(since),
                until=datetime.fromisoformat(until),
                resume=True,
                max_shard_records=int(shard),
                concurrency=4,
            )

    try:
        anyio.run(main, backend=backend)
    except Exception as exc:
        print(f"child: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["child"]:
        return child(args[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--kills", type=int, default=6, help="SIGKILLs attempted per trial")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--decode-rate", type=float, default=0.0, help="truncated and HTML bodies")
    parser.add_argument("--short-page-rate", type=float, default=0.01)
    parser.add_argument("--kill-window", type=float, default=1.5)
    parser.add_argument("--driver", choices=["cli", "library"], default="cli")
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    ns = parser.parse_args(args)
    options = Options(
        calls=ns.calls,
        kills=ns.kills,
        decode_rate=ns.decode_rate,
        short_page_rate=ns.short_page_rate,
        kill_window=ns.kill_window,
        driver=ns.driver,
        backend=ns.backend,
    )
    figures = torture(ns.trials, options, seed=ns.seed)
    print(figures.line())
    bad = figures.lost or figures.doubled or figures.foreign or figures.verify_failures
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
