"""Crash torture: SIGKILL a real exporting process at random moments, resume, exactly once.

Bounded (one trial of five kills per driver, well under a minute together);
``python -m benchmarks.export_torture --trials N`` is the soak. The kill
moments are random (seeded), but what is asserted is not: whatever moment
a kill lands on, the finished file must hold every call of the window,
each once, as the emulator's ground truth lists them.
"""

from __future__ import annotations

import signal
import sys

import pytest
from benchmarks_loader import load_benchmark

_torture = load_benchmark("export_torture")
Options, torture = _torture.Options, _torture.torture

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"
)


@pytest.mark.parametrize(
    ("driver", "backend"),
    [("cli", "asyncio"), ("library", "trio")],
    ids=["cli-asyncio", "library-trio"],
)
def test_sigkilled_exports_resume_to_every_call_exactly_once(driver: str, backend: str) -> None:
    options = Options(
        calls=1200,
        kills=5,
        max_shard_records=80,
        error_rate=0.03,
        drop_rate=0.02,
        decode_rate=0.005,
        drift_per_second=20.0,
        kill_window=0.8,
        driver=driver,
        backend=backend,
    )
    figures = torture(1, options, seed=7 if driver == "cli" else 8)
    assert figures.trials == 1
    assert figures.kills >= 1, figures.line()  # the trial did kill mid-export
    assert figures.calls == 1200
    assert figures.lost == 0, figures.line()
    assert figures.doubled == 0, figures.line()
    assert figures.foreign == 0, figures.line()
    assert figures.verify_failures == 0, figures.line()
