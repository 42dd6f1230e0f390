"""Benchmark casepub's regular expressions on adversarial text, and `check` on adversarial cases.

    .venv/bin/python bench/regex_bench.py [--timeout 30]

Prints, for every pattern casepub applies (found as tests/test_regex_budget.py finds them), the slowest of
its adversarial inputs (screened at 1 kB, the slowest timed at 1, 10 and 100 kB; a size is skipped when the
one before was already far too slow); then the longest `check_case` over the adversarial cases (each string
of the test's STRINGS planted at each of its PLACES, and the issue's caption key), each in a forked process
stopped after --timeout seconds; then the reference case's check time (median of 50).

Goals: every pattern under 50 ms at 100 kB; no case over 1 s; the reference check as fast as before.

To measure another checkout (e.g. the code before a change) with these same inputs:

    git worktree add /tmp/before HEAD
    cd /tmp && PYTHONPATH=/tmp/before /work/main/.venv/bin/python /work/main/bench/regex_bench.py
"""
from __future__ import annotations

import argparse
import inspect
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_regex_budget as budget  # noqa: E402  (the tests' patterns, inputs and cases)

import casepub  # noqa: E402
from casepub import check_case  # noqa: E402

BUDGET = 0.050  # seconds per pattern at 100 kB


def _ms(seconds: float) -> str:
    return budget._shown(seconds)


def patterns() -> None:
    print(f"patterns (casepub from {Path(casepub.__file__).parent}):")
    for problem in budget.PROBLEMS:
        print(f"  not measured: {problem}")
    over = 0
    for target in budget.TARGETS:
        allowed = budget.ALLOWED.get((target.module, target.pattern.pattern))
        measured = budget.measure(target)
        worst = max(measured, key=lambda m: (-len(m.times), list(m.times.values())[-1]))  # stopped soonest, slowest
        size, seconds = list(worst.times.items())[-1]
        verdict = "ok" if size == budget.LARGE and seconds < BUDGET else "OVER"
        over += verdict == "OVER"
        shape = str(worst.shape)
        shape = shape if len(shape) <= 48 else shape[:45] + "..."
        note = f"  (allowed: {allowed})" if allowed else ""
        growth = f"x{worst.growth:.1f}" if worst.large is not None else "-"
        print(f"  {verdict:4} {target.id:48} {worst.method:9} {_ms(seconds):>10} at {size // 1000:>3} kB"
              f"  growth {growth:<6} on {shape}{note}")
    print(f"  {len(budget.TARGETS)} patterns, {over} over {_ms(BUDGET)} at 100 kB")


def _child(folder: str, pipe) -> None:  # type: ignore[no-untyped-def]
    # the real time, not casepub's own time limit (CP103), where the checkout has one: --timeout stops it here
    unlimited = {"time_limit": None} if "time_limit" in inspect.signature(check_case).parameters else {}
    started = time.perf_counter()
    diagnostics = check_case(folder, **unlimited).diagnostics
    pipe.send((time.perf_counter() - started, sorted({d.code for d in diagnostics})))


def _check(folder: Path, timeout: float) -> tuple[float | None, list[str]]:
    """The check's time in a forked process (None: stopped after `timeout`), and the codes it reported."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(str(folder), send))
    process.start()
    result = receive.recv() if receive.poll(timeout) else (None, [])
    if process.is_alive():
        process.kill()
    process.join()
    return result


def cases(timeout: float) -> None:
    print(f"check_case on adversarial cases ({len(budget.STRINGS)} strings of {budget.N:,} characters "
          f"x {len(budget.PLACES)} places, and the issue's caption key):")
    reference = ROOT / "cases" / "t12-osteonecrosis"
    check_case(reference)  # imports and the profile, before the forks
    plants = [(place, name, text) for place in budget.PLACES for name, text in budget.STRINGS.items()]
    plants.insert(0, ("caption key", "the issue's: '1' + 6 000 spaces + 'x'", "1" + " " * 6000 + "x"))
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for number, (place, name, text) in enumerate(plants):
            folder = Path(scratch) / str(number)
            shutil.copytree(reference, folder)
            budget.plant(folder, place, text)
            seconds, codes = _check(folder, timeout)
            results.append((float("inf") if seconds is None else seconds, place, name, codes))
            shutil.rmtree(folder)
    results.sort(key=lambda r: -r[0])
    for seconds, place, name, codes in results[:8]:
        shown = f"> {timeout:.0f} s (stopped)" if seconds == float("inf") else _ms(seconds)
        print(f"  {shown:>18}  {place:12} {name:38} {' '.join(codes)}")
    longest = f"> {timeout:.0f} s" if results[0][0] == float("inf") else _ms(results[0][0])
    print(f"  longest: {longest}; {sum(r[0] > 1 for r in results)} of {len(results)} over 1 s")


def reference_check() -> None:
    reference = ROOT / "cases" / "t12-osteonecrosis"
    check_case(reference)
    times = []
    for _ in range(50):
        started = time.perf_counter()
        check_case(reference)
        times.append(time.perf_counter() - started)
    print(f"reference case check: {_ms(statistics.median(times))} (median of 50)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before an adversarial check is stopped")
    parser.add_argument("--skip-patterns", action="store_true")
    parser.add_argument("--skip-cases", action="store_true")
    args = parser.parse_args()
    if not args.skip_patterns:
        patterns()
    if not args.skip_cases:
        cases(args.timeout)
    reference_check()


if __name__ == "__main__":
    main()
