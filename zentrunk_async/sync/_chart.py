"""Charts of calls, ASR and cost per day: a PNG, or an HTML page with the PNG embedded.

matplotlib is an optional extra (``pip install 'zentrunk-async[report]'``),
imported only here and only when a chart is asked for; the Agg backend
draws without a display, so this works on servers and in CI.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ._report import ReportRow

CHART_SUFFIXES = (".png", ".html", ".htm")


def render_png(rows: Sequence[ReportRow], *, title: str = "Zentrunk calls per day") -> bytes:
    """Three stacked panels over the days of `rows` (a report grouped by day only)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("charts need matplotlib: pip install 'zentrunk-async[report]'") from exc
    days = [date.fromisoformat(r.day) for r in rows if r.day is not None]
    figure, (calls_ax, asr_ax, cost_ax) = plt.subplots(3, 1, figsize=(10, 8), sharex=True)
    try:
        figure.suptitle(title)
        calls_ax.bar(days, [r.calls for r in rows], color="#4c72b0", label="calls")
        calls_ax.bar(days, [r.answered for r in rows], color="#55a868", label="answered")
        calls_ax.set_ylabel("calls")
        calls_ax.legend(loc="upper left")
        asr_ax.plot(days, [100 * r.asr for r in rows], color="#c44e52", marker=".")
        asr_ax.set_ylabel("ASR %")
        asr_ax.set_ylim(0, 100)
        cost_ax.plot(days, [float(r.cost) for r in rows], color="#8172b2", marker=".")
        cost_ax.set_ylabel("cost (USD)")
        figure.autofmt_xdate()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
    finally:
        plt.close(figure)
    return buffer.getvalue()


def render_html(rows: Sequence[ReportRow], *, title: str = "Zentrunk calls per day") -> str:
    """A self-contained page: the chart (embedded PNG) and the numbers under it."""
    png = base64.b64encode(render_png(rows, title=title)).decode("ascii")
    cells = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                r.day,
                r.calls,
                r.answered,
                f"{100 * r.asr:.1f}%",
                "" if r.acd is None else f"{r.acd:.0f}",
                f"{r.billed_minutes:,.0f}",
                r.cost,
            )
        )
        + "</tr>"
        for r in rows
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("day", "calls", "answered", "ASR", "ACD (s)", "billed minutes", "cost (USD)")
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<img alt='calls, ASR and cost per day' src='data:image/png;base64,{png}'>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"
        "</body></html>\n"
    )


def write_chart(rows: Sequence[ReportRow], path: str | os.PathLike[str]) -> Path:
    """Write a PNG or an HTML chart, chosen by the file's suffix."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ValueError(f"a chart is a .png or .html file, got {out.name!r}")
    if suffix == ".png":
        out.write_bytes(render_png(rows))
    else:
        out.write_text(render_html(rows), encoding="utf-8")
    return out
