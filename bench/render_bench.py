"""Benchmark rendering to HTML and PDF: the reference case (six PNG panels) and a CARE case.

    .venv/bin/python bench/render_bench.py

Prints: the cold CLI (a new process, empty panel cache; median of 7), the cold
CLI with the panel cache filled by an earlier run, and warm per-case times in
one process (WeasyPrint, fonts and templates already loaded); then the cold CLI
for the CARE case of tests/cases/valid (every front-matter key). Goals: cold
CLI <= 2.0 s for the reference case, <= 1.2 s for the CARE case.

Where a cold render's time goes: `python -X importtime -m casepub render ...`
and `python -m cProfile -s cumtime -m casepub render ...`.
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
CARE = ROOT / "tests" / "cases" / "valid" / "care-case-report"
CLI = Path(sys.executable).with_name("casepub")


def cli_seconds(out: Path, clear_cache: bool, runs: int = 7, case: Path = CASE) -> float:
    times = []
    for _ in range(runs):
        if clear_cache:
            shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([str(CLI), "render", str(case), "-o", str(out)], check=True, capture_output=True)
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
        care = cli_seconds(Path(tmp) / "care", clear_cache=True, case=CARE)
    print(f"render reference case, cold CLI, empty panel cache: {cold:.2f} s (median of 7; goal <= 2.0 s)")
    print(f"render reference case, cold CLI, panel cache filled: {cold_cached:.2f} s (median of 7)")
    print(f"render reference case, warm in one process: {warm_pdf:.3f} s with PDF, {warm_html:.3f} s HTML only")
    print(f"render CARE case ({CARE.relative_to(ROOT)}), cold CLI, empty panel cache: {care:.2f} s "
          "(median of 7; goal <= 1.2 s)")
    print(f"font subsetting: {'fontTools fallback (slow)' if subsetting_falls_back() else 'HarfBuzz'}")


if __name__ == "__main__":
    main()
