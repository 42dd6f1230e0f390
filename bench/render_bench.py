"""Benchmark rendering the reference case (six PNG panels) to HTML and PDF.

    .venv/bin/python bench/render_bench.py

Prints: the cold CLI (a new process, empty panel cache), the cold CLI with the
panel cache filled by an earlier run, and warm per-case times in one process
(WeasyPrint, fonts and templates already loaded). Goal: cold CLI <= 2.0 s.
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "t12-osteonecrosis"
CLI = Path(sys.executable).with_name("casepub")


def cli_seconds(out: Path, clear_cache: bool, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        if clear_cache:
            shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([str(CLI), "render", str(CASE), "-o", str(out)], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def warm_seconds(out: Path, runs: int = 10) -> tuple[float, float]:
    from casepub.render import render_case

    render_case(CASE, out)  # loads WeasyPrint, fonts, templates, profile
    pdf, html = [], []
    for formats, times in ((("html", "pdf"), pdf), (("html",), html)):
        for _ in range(runs):
            started = time.perf_counter()
            assert render_case(CASE, out, formats=formats).ok
            times.append(time.perf_counter() - started)
    return statistics.median(pdf), statistics.median(html)


def main() -> None:
    from casepub.render.pdf import subsetting_falls_back

    with tempfile.TemporaryDirectory(prefix="casepub-render-bench-") as tmp:
        out = Path(tmp) / "build"
        cold = cli_seconds(out, clear_cache=True)
        cold_cached = cli_seconds(out, clear_cache=False)
        warm_pdf, warm_html = warm_seconds(Path(tmp) / "warm")
    print(f"render reference case, cold CLI, empty panel cache: {cold:.2f} s (median of 5; goal <= 2.0 s)")
    print(f"render reference case, cold CLI, panel cache filled: {cold_cached:.2f} s (median of 5)")
    print(f"render reference case, warm in one process: {warm_pdf:.3f} s with PDF, {warm_html:.3f} s HTML only")
    print(f"font subsetting: {'fontTools fallback (slow)' if subsetting_falls_back() else 'HarfBuzz'}")


if __name__ == "__main__":
    main()
