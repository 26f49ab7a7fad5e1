"""Turn cell summaries into the committed artefacts: JSON, the README table, a PNG chart.

The README keeps its hand-written intro; only the text between `START` and
`END` is regenerated, so a rerun never loses prose.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

START = "<!-- benchmark-results:start -->"
END = "<!-- benchmark-results:end -->"

# Issue 6 / issue 4 targets.
MIN_RAW_RATIO = 0.9
MIN_SEQUENTIAL_RATIO = 25.0
MIN_RATE = 0.98 * 60
MAX_RSS_MB = 150.0
FLAT_RSS_MB = 10.0  # "flat": the larger N may cost at most this much more


def _find(cells: list[dict[str, Any]], group: str, name: str) -> dict[str, Any] | None:
    return next((c for c in cells if c["group"] == group and c["name"] == name), None)


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None, key: str) -> float | None:
    if not a or not b or not b.get(key) or a.get(key) is None:
        return None
    return float(a[key]) / float(b[key])


def targets(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target of issues 6 and 4 with the figure measured and whether it is met."""
    out: list[dict[str, Any]] = []
    raw = _find(cells, "loopback", "raw httpx c=16")
    sdk = _find(cells, "loopback", "sdk httpx c=16")
    ratio = _ratio(sdk, raw, "cdrs_per_s")
    worst = min(
        (
            r
            for c in cells
            if c["group"] == "loopback" and c["name"].startswith("sdk httpx c=")
            if (
                r := _ratio(
                    c, _find(cells, "loopback", c["name"].replace("sdk", "raw")), "cdrs_per_s"
                )
            )
        ),
        default=None,
    )
    cpu = _ratio(sdk, raw, "cpu_s_per_1k_pages")
    out.append(
        {
            "target": "≥ 0.9× raw httpx fan-out, equal concurrency, no latency",
            "figure": f"{ratio:.2f}× at c=16 (lowest over the sweep {worst:.2f}×); "
            f"client CPU per page {cpu:.2f}× raw"
            if ratio and worst and cpu
            else "n/a",
            "met": bool(ratio and ratio >= MIN_RAW_RATIO),
        }
    )
    seq = _find(cells, "latency", "requests sequential")
    sdk32 = _find(cells, "latency", "sdk httpx c=32")
    ratio = _ratio(sdk32, seq, "cdrs_per_s")
    out.append(
        {
            "target": "≥ 25× the sequential requests loop, 50 ms, c=32, no limit",
            "figure": f"{ratio:.1f}× ({sdk32['cdrs_per_s']:,.0f} vs {seq['cdrs_per_s']:,.0f} CDR/s)"
            if ratio and sdk32 and seq
            else "n/a",
            "met": bool(ratio and ratio >= MIN_SEQUENTIAL_RATIO),
        }
    )
    sustained = next((c for c in cells if c["group"] == "sustained"), None)
    if sustained:
        rate, n429 = sustained["achieved_rate"], sustained.get("server_429", 0)
        out.append(
            {
                "target": "≥ 98 % of 60 req/s (≥ 58.8/s) with zero 429s, 300/5 s limit, 50 ms",
                "figure": f"{rate:.2f} req/s = {rate / 60:.1%} of 60/s over "
                f"{sustained['spec']['seconds']:g} s ({sustained['rate_incl_first']:.2f}/s "
                f"counting the lone first page); busiest 5 s window "
                f"{sustained['max_in_5s']:.0f} requests; 429s: {n429}",
                "met": rate >= MIN_RATE and n429 == 0,
            }
        )
    memory = sorted(
        (c for c in cells if c["group"] == "memory"), key=lambda c: c["spec"]["records"]
    )
    if len(memory) >= 2:
        small, big = memory[0], memory[-1]
        growth = big["rss_mb"] - small["rss_mb"]
        out.append(
            {
                "target": "peak RSS < 150 MB streaming 1,000,000 CDRs, flat as N grows",
                "figure": f"{big['rss_mb']:.1f} MB at {big['spec']['records']:,} CDRs, "
                f"{small['rss_mb']:.1f} MB at {small['spec']['records']:,} "
                f"(+{growth:.1f} MB)",
                # Quick mode streams fewer CDRs: flatness shows, the 1M figure does not.
                "met": (big["rss_mb"] < MAX_RSS_MB and growth < FLAT_RSS_MB)
                if big["spec"]["records"] >= 1_000_000
                else None,
            }
        )
    return out


def _verdict(met: bool | None) -> str:
    if met is None:
        return "n/a in quick mode (needs 1,000,000 CDRs: run full mode)"
    return "yes" if met else "**no**"


def _n(value: Any, fmt: str = ",.0f") -> str:
    return "–" if value is None else format(value, fmt)


def _throughput_table(cells: list[dict[str, Any]], group: str) -> list[str]:
    seq = _find(cells, group, "requests sequential")
    lines = [
        "| client | CDR/s (min–max) | pages/s | client CPU s / 1k pages | × raw httpx same c "
        "| × requests loop | peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for cell in (c for c in cells if c["group"] == group):
        name = cell["name"]
        raw_name = re_concurrency_raw(name)
        raw = _find(cells, group, raw_name) if raw_name else None
        lo, hi = cell.get("cdrs_per_s_range", [None, None])
        lines.append(
            f"| {name} | {_n(cell.get('cdrs_per_s'))} ({_n(lo)}–{_n(hi)}) "
            f"| {_n(cell.get('pages_per_s'))} | {_n(cell.get('cpu_s_per_1k_pages'), '.2f')} "
            f"| {_n(_ratio(cell, raw, 'cdrs_per_s'), '.2f')} "
            f"| {_n(_ratio(cell, seq, 'cdrs_per_s'), '.1f')} | {_n(cell.get('rss_mb'), '.1f')} |"
        )
    return lines


def re_concurrency_raw(name: str) -> str | None:
    """The raw-httpx cell at the same concurrency as `name` (None for the raw cell itself)."""
    match = re.search(r"c=(\d+)", name)
    if not match or name.startswith("raw httpx c="):
        return None
    return f"raw httpx c={match.group(1)}"


def _overhead_table(cells: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| client | µs per request | client CPU µs per request | SDK overhead vs raw |",
        "|---|---|---|---|",
    ]
    for cell in (c for c in cells if c["group"] == "overhead"):
        raw = _find(cells, "overhead", cell["name"].replace("sdk", "raw", 1))
        extra = "–"
        if cell["name"].startswith("sdk") and raw:
            extra = (
                f"{cell['us_per_request'] - raw['us_per_request']:+.0f} µs wall, "
                f"{cell['cpu_us_per_request'] - raw['cpu_us_per_request']:+.0f} µs CPU"
            )
        lines.append(
            f"| {cell['name']} | {cell['us_per_request']:.0f} "
            f"| {cell['cpu_us_per_request']:.0f} | {extra} |"
        )
    return lines


def _limited_table(cells: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| server | client | requests/s sent | CDR/s | 429s (server) | busiest 5 s window |",
        "|---|---|---|---|---|---|",
    ]
    for cell in cells:
        if cell["group"] not in ("limited", "limited_latency", "sustained"):
            continue
        server = "300/5 s, no latency" if cell["group"] == "limited" else "300/5 s, 50 ms"
        rate = cell.get("achieved_rate") or cell.get("server_requests", 0) / cell["wall"]
        lines.append(
            f"| {server} | {cell['name']} | {rate:.2f} | {_n(cell.get('cdrs_per_s'))} "
            f"| {cell.get('server_429', 0)} | {_n(cell.get('max_in_5s'))} |"
        )
    return lines


def _memory_table(cells: list[dict[str, Any]]) -> list[str]:
    lines = ["| pull | peak RSS MB | CDR/s | wall s |", "|---|---|---|---|"]
    for cell in (c for c in cells if c["group"] == "memory"):
        lines.append(
            f"| {cell['name']} | {cell['rss_mb']:.1f} | {_n(cell.get('cdrs_per_s'))} "
            f"| {cell['wall']:.1f} |"
        )
    return lines


def markdown(result: dict[str, Any]) -> str:
    cells = result["cells"]
    meta = result["meta"]
    out = [
        f"Generated by `python -m benchmarks {meta['argv']}` "
        f"({meta['mode']} mode, {meta['rounds']} round(s), medians) on {meta['date']}: "
        f"{meta['cpus']} CPUs, Python {meta['python']}, {meta['versions']}; "
        f"suite wall time {meta['seconds']:.0f} s.",
        "",
        "### Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        *(f"| {t['target']} | {t['figure']} | {_verdict(t['met'])} |" for t in result["targets"]),
        "",
        "### Loopback, no latency, no limit (client CPU is the limit)",
        "",
        *_throughput_table(cells, "loopback"),
        "",
        "### 50 ms emulated latency, no limit (requests in flight are the limit)",
        "",
        *_throughput_table(cells, "latency"),
        "",
        "### Per-request overhead (sequential `calls.get`, no latency)",
        "",
        *_overhead_table(cells),
        "",
        "### Under the emulator's 300/5 s limit (time-boxed pulls)",
        "",
        *_limited_table(cells),
        "",
        "### Memory: a fresh process streaming CDRs to a JSONL file",
        "",
        *_memory_table(cells),
        "",
        "![CDR/s against concurrency](results/throughput_vs_concurrency.png)",
    ]
    return "\n".join(out)


def write_readme(readme: Path, table: str) -> None:
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Latest results\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def write_json(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def chart(path: Path, cells: list[dict[str, Any]]) -> bool:
    """CDR/s against concurrency, one panel per latency; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, group, title in zip(
        axes, ("loopback", "latency"), ("loopback, no latency", "50 ms latency"), strict=True
    ):
        for prefix in ("raw httpx", "sdk httpx", "sdk httpx-aiohttp"):
            points = sorted(
                (c["spec"]["concurrency"], c["cdrs_per_s"])
                for c in cells
                if c["group"] == group and re.fullmatch(rf"{prefix} c=\d+", c["name"])
            )
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, marker="o", label=prefix.replace("sdk", "zentrunk_async on"))
        seq = _find(cells, group, "requests sequential")
        if seq:
            ax.axhline(
                seq["cdrs_per_s"], color="grey", linestyle="--", label="requests, sequential"
            )
        ax.set_xscale("log", base=2)
        ax.set_xlabel("concurrency (requests in flight)")
        ax.set_ylabel("CDR/s")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
