"""One measurement in a fresh process: ``python -m benchmarks._cell '<json spec>'``.

A fresh process per cell gives each its own ``ru_maxrss`` (peak RSS is a
high-water mark: it never goes down within a process) and its own
``time.process_time``, and keeps one cell's warm caches out of the next.
Only stdlib imports at the top: with ``"sniffio": false`` the spec hides
sniffio before httpx/httpcore are imported.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import resource
import sys
import time
from typing import Any


class _NoSniffio(importlib.abc.MetaPathFinder):
    """Behave as if sniffio were not installed, at the same cost as a real miss.

    A missing module costs a scan of every ``sys.path`` entry before the
    ImportError; httpcore pays it on every lock it creates
    (performance-lab.md §2). Looking up a name that does not exist reproduces
    that scan; simply raising would make "absent" look cheaper than it is.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "sniffio" or name.startswith("sniffio."):
            importlib.machinery.PathFinder.find_spec("sniffio_is_not_installed", path)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run(spec: dict[str, Any]) -> dict[str, Any]:
    import anyio

    from . import baselines, pulls

    kind = spec["kind"]
    url, auth = spec["base_url"], (spec["auth_id"], spec["auth_token"])
    deadline = time.monotonic() + spec.get("max_seconds", 120)
    transport = spec.get("transport", "httpx")
    if kind in ("raw_get", "sdk_get"):
        uuids = anyio.run(baselines.first_uuids, url, auth, 20)
        fn = baselines.raw_gets if kind == "raw_get" else pulls.sdk_gets
        wall, cpu = anyio.run(fn, url, auth, uuids, spec["n"], transport)
        return {"requests": spec["n"], "wall": wall, "cpu": cpu}
    wall, cpu = time.perf_counter(), time.process_time()
    if kind == "requests":
        out = baselines.sequential_requests(url, auth, spec["pages"], deadline)
    elif kind == "raw":
        out = anyio.run(
            lambda: baselines.raw_fanout(
                url,
                auth,
                pages=spec["pages"],
                concurrency=spec["concurrency"],
                deadline=deadline,
                transport=transport,
            )
        )
    elif kind == "sdk":
        out = anyio.run(
            lambda: pulls.sdk_list(
                url,
                auth,
                pages=spec["pages"],
                concurrency=spec["concurrency"],
                deadline=deadline,
                transport=transport,
                limited=spec.get("limited", False),
            )
        )
    elif kind == "file":
        out = anyio.run(
            lambda: pulls.stream_to_file(
                url,
                auth,
                records=spec["records"],
                concurrency=spec["concurrency"],
                path=spec["path"],
            )
        )
    elif kind == "sustained":
        out = anyio.run(
            lambda: pulls.sustained(
                url, auth, seconds=spec["seconds"], concurrency=spec["concurrency"]
            )
        )
    else:
        raise ValueError(f"unknown cell kind {kind!r}")
    return {**out, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def main() -> None:
    spec = json.loads(sys.argv[1])
    if spec.get("sniffio") is False:
        sys.meta_path.insert(0, _NoSniffio())
    result = run(spec)
    result["rss_mb"] = round(_rss_mb(), 1)
    result["sniffio_loaded"] = "sniffio" in sys.modules
    print(json.dumps(result))


if __name__ == "__main__":
    main()
