"""The results as a table on the terminal and as JSON under ``bench/results/``."""

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from .runner import Result

RESULTS = Path(__file__).parent / "results"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _target(result: Result) -> str:
    parts = []
    if result.target_ms is not None:
        parts.append(f"p95≤{result.target_ms:g}")
    if result.target_rps is not None:
        parts.append(f"≥{result.target_rps:g}/s")
    if result.floor_factor is not None:
        parts.append(f"≤{result.floor_factor:g}×")
    return " ".join(parts)


def _width(text: str) -> int:
    """Columns on a terminal: CJK and full-width characters take two."""
    return sum(2 if ord(c) >= 0x1100 and not 0x2000 <= ord(c) <= 0x206F else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def table(results: list[Result], *, http: bool) -> str:
    head = ["route", "user", "q", "median", "p95", "floor", "real fl.", "ratio"]
    if http:
        head += ["http med", "http p95", "req/s"]
    head += ["target", "verdict"]
    rows = [head]
    for r in results:
        real = _ms(r.real_floor_ms) + ("!" if r.real_floor_ok is False else "")
        if r.hand_floor_ms is not None and r.real_floor_ms == r.floor_ms:
            real += "="  # the page's own SQL was faster than the hand-written queries
        queries = f"{r.queries}" + ("" if r.fixed else "*")
        row = [r.label, r.username or "-", queries, _ms(r.median_ms), _ms(r.p95_ms)]
        row += [_ms(r.floor_ms), real, "—" if r.ratio is None else f"{r.ratio:.1f}"]
        if http:
            rps = "—" if r.rps is None else f"{r.rps:.0f}"
            row += [_ms(r.http_median_ms), _ms(r.http_p95_ms), rps]
        row += [_target(r), r.verdict()]
        rows.append(row)
    widths = [max(_width(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for row in rows:
        cells = [_pad(row[0], widths[0]), _pad(row[1], widths[1])]
        cells += [c.rjust(w) for c, w in zip(row[2:-2], widths[2:-2], strict=True)]
        cells += [_pad(row[-2], widths[-2]), row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def summary(results: list[Result]) -> str:
    judged = [r for r in results if r.verdict()]
    passed = sum(1 for r in judged if r.verdict() == "PASS")
    return f"targets: {passed} of {len(judged)} routes pass"


def write_json(meta: dict[str, Any], results: list[Result]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{meta['database']}-{meta['dataset']}-{stamp}.json"
    document = {
        **meta,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": [r.as_json() for r in results],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    return path


def baseline_queries(path: Path) -> dict[str, int]:
    """Route label → query count from an earlier result file (``--baseline``)."""
    document = json.loads(path.read_text())
    return {r["label"]: r["queries"] for r in document["results"]}
