"""Benchmark `check`: cases per second in one process, and the cold CLI on 50 cases.

    .venv/bin/python bench/check_bench.py [--cases 300]

Generates varied synthetic cases (3-8 authors with diacritics, 1-3 affiliations,
2-6 panels of 800-1600 px PNG, 120-450 words citing every panel) in a temporary
folder, then prints its figures. Goals: >= 300 cases/s in one process; the cold
CLI on 50 cases well under a few seconds; `check` never imports WeasyPrint.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import make_case, make_images


def bench_in_process(cases: list[Path]) -> tuple[float, int]:
    from casepub import check_case

    check_case(cases[0])  # start-up: imports and the profile, once per process
    started = time.perf_counter()
    errors = sum(len(check_case(case).errors) for case in cases)
    return len(cases) / (time.perf_counter() - started), errors


def bench_cold_cli(folder: Path, runs: int = 5) -> float:
    casepub = Path(sys.executable).with_name("casepub")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(casepub), "check", str(folder)], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="casepub-bench-") as tmp:
        root = Path(tmp)
        pool = make_images(root / "pool", 12, rng)
        cases = []
        for index in range(args.cases):
            folder = root / "cases" / f"case-{index:04d}"
            make_case(folder, index, pool, rng)
            cases.append(folder)
        fifty = root / "fifty"
        fifty.mkdir()
        for case in cases[:50]:
            shutil.copytree(case, fifty / case.name)
        rate, errors = bench_in_process(cases)
        imported = "weasyprint" in sys.modules
        cold = bench_cold_cli(fifty)
    print(f"check, one process: {rate:.0f} cases/s over {args.cases} cases ({errors} errors; goal >= 300 cases/s)")
    print(f"casepub check on 50 cases, cold CLI: {cold:.2f} s (median of 5 runs)")
    print(f"weasyprint imported by check: {'yes' if imported else 'no'}")


if __name__ == "__main__":
    main()
