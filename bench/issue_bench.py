"""Benchmark issue builds: a realistic 50-case issue on this machine.

    .venv/bin/python bench/issue_bench.py [--cases 50] [--long 500] [--no-deposits]

Generates an issue (varied names with diacritics, 3-8 authors, 1-3 figures of
2-6 PNG panels of 800-1600 px, every panel a file of its own), then measures,
each as a whole `casepub build ISSUE.yaml` process:
  - the cold build (empty output folder)                          goal <= 12 s
  - a rebuild with nothing changed: the process, and the build's
    own work after start-up (report.json's seconds)               goals <= 0.5 s, <= 0.1 s
  - a rebuild after editing one case                              goal <= 2 s
    (a word changed; and the first case made longer, so that every
    article after it is renumbered)
  - peak memory per worker (report.json, ru_maxrss)               goal <= 250 MiB
The manifest has the deposit keys (depositor, registrant, url), so the builds
also write and validate each article's JATS and package and the issue's
crossref.xml and pubmed.xml (report.json's "validation" counts them); with
--no-deposits it has not, and only the JATS is made. Compare with a checkout
from before JATS to see what the XML costs (issue 11: JATS for a 50-case issue
adds at most 10% to the cold build).
With --long N, also builds an issue of N cases and prints the workers' peak
memory over the run, in tenths, to show whether it stays flat.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import JOURNAL_SETTINGS, make_case, make_images

CLI = Path(sys.executable).with_name("casepub")


DEPOSIT_KEYS = ["depositor: {name: Example Press, email: deposits@example.org}", "registrant: Example Press",
                "url: https://journal.example.org/{doi}"]


def make_issue(root: Path, count: int, rng: random.Random, pool: list[Path], unique: bool,
               deposits: bool = True) -> Path:
    cases = root / "cases"
    (cases / "journals").mkdir(parents=True)
    (cases / "journals" / "the-spine-journal.yaml").write_text(JOURNAL_SETTINGS)
    lines = ["journal: the-spine-journal", "volume: 26", "issue: 12", "date: 2026-12-01", "first-page: 1901",
             *(DEPOSIT_KEYS if deposits else []), "articles:"]
    for index in range(count):
        make_case(cases / f"case-{index:03d}", index, pool, rng, max_figures=3, unique_images=unique)
        lines += [f"  - case: cases/case-{index:03d}", f"    doi: 10.1016/j.spinee.2026.{index:03d}"]
    manifest = root / "issue.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def build(manifest: Path, out: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    run = subprocess.run([str(CLI), "build", str(manifest), "-o", str(out), "-q"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"the build failed:\n{run.stdout}\n{run.stderr}")
    return seconds, json.loads((out / "report.json").read_text())


def xml_summary(report: dict) -> str:
    """The JATS and deposits the build validated, as report.json counts them (an older casepub has none)."""
    counts = report.get("validation")
    if counts is None:
        return "none (this casepub writes no XML)"
    deposits = ", ".join(f"{file} {d['status']}" for file, d in report.get("deposits", {}).items())
    return f"{counts['valid']} valid, {counts['invalid']} invalid ({deposits})"


def peak_mib(report: dict) -> list[float]:
    return [a["worker_rss_kb"] / 1024 for a in report["articles"] if a["worker_rss_kb"]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--long", type=int, default=0, metavar="N")
    parser.add_argument("--no-deposits", action="store_true", help="a manifest without the deposit keys")
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="casepub-issue-bench-") as tmp:
        root = Path(tmp)
        pool = make_images(root / "pool", 24, rng)
        manifest = make_issue(root / "issue", args.cases, rng, pool, unique=True, deposits=not args.no_deposits)
        out = root / "out"
        cold, report = build(manifest, out)
        pages = report["issue"]["last_page"] - report["issue"]["first_page"] + 1
        print(f"cold build, {args.cases} cases ({report['summary']['ok']} built, {pages} pages): {cold:.2f} s "
              f"(goal <= 12 s)")
        print(f"peak memory per worker: {max(peak_mib(report)):.0f} MiB (goal <= 250 MiB)")
        print(f"XML validated: {xml_summary(report)}")
        noop, report = build(manifest, out)
        print(f"no-op rebuild: {noop:.2f} s as a whole process (goal <= 0.5 s), {report['summary']['seconds']:.3f} s "
              f"of work after start-up (goal <= 0.1 s); rendered {report['summary']['rendered']}")
        case = manifest.parent / "cases" / "case-025" / "case.md"
        case.write_text(case.read_text().replace("the patient", "the woman", 1))
        edit, report = build(manifest, out)
        print(f"rebuild after editing one case: {edit:.2f} s (goal <= 2 s); rendered "
              f"{report['summary']['rendered']}, renumbered {report['summary']['numbered']}")
        first = manifest.parent / "cases" / "case-000" / "case.md"
        last_page = report["issue"]["last_page"]
        first.write_text(first.read_text().rstrip() + "\n\n" + "The follow-up went on for a year. " * 400 + "\n")
        longer, report = build(manifest, out)
        print(f"rebuild after making the first case longer: {longer:.2f} s (goal <= 2 s); rendered "
              f"{report['summary']['rendered']}, renumbered {report['summary']['numbered']}, the issue now ends on "
              f"page {report['issue']['last_page']} (was {last_page})")
        if args.long:
            long_manifest = make_issue(root / "long", args.long, rng, pool, unique=False)
            seconds, report = build(long_manifest, root / "long-out")
            peaks = peak_mib(report)
            tenths = [max(peaks[i * len(peaks) // 10:(i + 1) * len(peaks) // 10]) for i in range(10)]
            print(f"{args.long} cases: {seconds:.1f} s; workers' peak memory by tenth of the run (MiB): "
                  + ", ".join(f"{t:.0f}" for t in tenths))


if __name__ == "__main__":
    main()
