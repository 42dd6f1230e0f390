"""Benchmark JATS: `casepub render --to jats` cold, the writer and each validator in one process.

    .venv/bin/python bench/jats_bench.py

Prints: the cold CLI for the reference case with `--to jats` (a new process, empty output folder; median of 7;
goal <= 0.5 s, and WeasyPrint is not imported), then in one process for each bundled case: making its JATS
(the view and the XML), and validating it against the DTD (what render checks), the XSD and the JATS4R rules,
each compiled once per process (the compile times are printed too).
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
ISSN = "issn: 1234-5679\n"  # the journal-neutral `care` profile has none: staff set one (docs/jats.md)


def cold_cli(out: Path, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([str(CLI), "render", str(CASE), "-o", str(out), "--to", "jats"], check=True,
                       capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def timed(function, runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(folder: Path) -> str:
    """One case in this process: making its view and JATS, and validating it each way."""
    from casepub.check import check_case
    from casepub.references import library
    from casepub.render.html import article_view
    from casepub.xml import schematron, validate
    from casepub.xml.jats import article_jats

    checked = check_case(folder)
    case, profile = checked.case, checked.profile
    assert case is not None and profile is not None
    panels = {(f, p): (f"figures/{f}-{p}.jpg", 600, 400)
              for f, figure in enumerate(case.meta.figures) for p in range(len(figure.panels))}
    found = library(case)

    def make() -> bytes:
        return article_jats(article_view(case, profile, panels, "x.pdf"), found.items if found else None)

    data = make()
    made = timed(make)
    dtd = timed(lambda: validate.validate_jats(data, xsd=False))
    both = timed(lambda: validate.validate_jats(data))
    rules = timed(lambda: schematron.jats4r(data), runs=5) if schematron.available() else float("nan")
    return (f"{folder.name}: view and JATS {made * 1000:.1f} ms ({len(data) / 1024:.0f} kB); validate DTD "
            f"{dtd * 1000:.1f} ms, XSD+DTD {both * 1000:.1f} ms, JATS4R {rules * 1000:.0f} ms")


def main() -> None:
    from casepub.xml import schematron, validate

    with tempfile.TemporaryDirectory(prefix="casepub-jats-bench-") as tmp:
        cold = cold_cli(Path(tmp) / "build")
        print(f"render --to jats, reference case, cold CLI: {cold:.2f} s (median of 7; goal <= 0.5 s)")
        for label, compile_ in (("DTD", validate.jats_dtd), ("XSD", validate.jats_schema)):
            started = time.perf_counter()
            compile_()
            print(f"compile the JATS 1.3 {label}: {time.perf_counter() - started:.2f} s (once per process)")
        if schematron.available():
            started = time.perf_counter()
            schematron.jats4r(b"<article/>")
            print(f"compile the JATS4R rules: {time.perf_counter() - started:.2f} s (once per process)")
        (Path(tmp) / "journals").mkdir()
        (Path(tmp) / "journals" / "care.yaml").write_text(ISSN, encoding="utf-8")
        for case_md in sorted((ROOT / "cases").glob("*/case.md")):
            folder = Path(tmp) / case_md.parent.name
            shutil.copytree(case_md.parent, folder)
            print(measure(folder))


if __name__ == "__main__":
    main()
