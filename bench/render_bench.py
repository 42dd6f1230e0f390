"""Benchmark rendering to HTML and PDF: the reference case (six PNG panels) and a CARE case.

    .venv/bin/python bench/render_bench.py

Prints: the cold CLI (a new process, empty panel cache; median of 7), the cold
CLI with the panel cache filled by an earlier run, and warm per-case times in
one process (WeasyPrint, fonts and templates already loaded); then the cold CLI
for the CARE case of tests/cases/valid (every front-matter key). Goals: cold
CLI <= 2.0 s for the reference case, <= 1.2 s for the CARE case.

Then what tagging the PDF costs (PDF/UA-1, casepub/render/pdf.py; issue 12's budget: +15%): the cold CLI
with and without tags (each in a new process that sets render_pdf's `tagged`, alternating, empty output
folder; median of 7), and warm per case in one process (render_case, PDF and HTML; median of 10), for the
reference case and the bundled CARE case (cases/kummell-care: four pages, two figures, tables).

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
BUNDLED_CARE = ROOT / "cases" / "kummell-care"
CLI = Path(sys.executable).with_name("casepub")
# The CLI in a new process with render_pdf's `tagged` set: tags are always on in casepub, so the untagged
# figure needs this; the tagged run goes through the same launcher, so that both import the same modules.
LAUNCH = ("import functools, sys; import casepub.render.pdf as pdf; "
          "pdf.render_pdf = functools.partial(pdf.render_pdf, tagged={tagged}); "
          "from casepub.__main__ import main; sys.exit(main(sys.argv[1:]))")


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


def tagging_cold(out: Path, case: Path, runs: int = 7) -> tuple[float, float]:
    """Median seconds of the cold CLI render (HTML and PDF, empty output folder), tagged and untagged,
    the two alternating so that both see the same machine."""
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(runs):
        for tagged in (True, False):
            shutil.rmtree(out, ignore_errors=True)
            command = [sys.executable, "-c", LAUNCH.format(tagged=tagged), "render", str(case), "-o", str(out)]
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[tagged].append(time.perf_counter() - started)
    return statistics.median(times[True]), statistics.median(times[False])


def tagging_warm(out: Path, case: Path, runs: int = 10) -> tuple[float, float]:
    """Median seconds of render_case (HTML and PDF) in one process, tagged and untagged, alternating."""
    import functools

    import casepub.render.pdf as pdf
    from casepub.render import render_case

    original = pdf.render_pdf
    times: dict[bool, list[float]] = {True: [], False: []}
    try:
        for tagged in (True, False, *[t for _ in range(runs) for t in (True, False)]):
            pdf.render_pdf = functools.partial(original, tagged=tagged)  # type: ignore[assignment]
            started = time.perf_counter()
            assert render_case(case, out).ok
            times[tagged].append(time.perf_counter() - started)
    finally:
        pdf.render_pdf = original  # type: ignore[assignment]
    return statistics.median(times[True][1:]), statistics.median(times[False][1:])  # the first loads everything


def print_tagging(label: str, tagged: float, untagged: float, unit: str = "s", scale: float = 1.0) -> None:
    print(f"tagging cost, {label}: {tagged * scale:.3f} {unit} tagged, {untagged * scale:.3f} {unit} untagged, "
          f"{(tagged / untagged - 1) * 100:+.1f}% (budget +15%)")


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
    with tempfile.TemporaryDirectory(prefix="casepub-tagging-bench-") as tmp:
        for case in (CASE, BUNDLED_CARE):
            print_tagging(f"{case.name}, cold CLI (median of 7)", *tagging_cold(Path(tmp) / "cold", case))
        for case in (CASE, BUNDLED_CARE):
            print_tagging(f"{case.name}, warm in one process (median of 10)", *tagging_warm(Path(tmp) / "warm", case))


if __name__ == "__main__":
    main()
