"""The long fuzz run (`make fuzz`): the suite's fuzz targets (tests/fuzz_targets.py) fed random inputs for a
while, then the count, the rate and the slowest case printed. A failing input is printed and the run exits 1.

    .venv/bin/python bench/fuzz.py [--minutes 10] [--seed N]

The suite runs the same targets a few dozen times each (tests/test_fuzz.py); this runs them for minutes.
Hypothesis draws each input from random bytes (fuzz_one_input), without shrinking: a failure is reported
as drawn; run the suite's test with CASEPUB_FUZZ_SEED to shrink it.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import test_fuzz

TARGETS: dict[str, Callable[..., object]] = {
    "front matter": test_fuzz.test_front_matter_values_give_diagnostics_in_time,
    "body": test_fuzz.test_bodies_give_diagnostics_in_time_and_safe_html,
    "front matter and body": test_fuzz.test_front_matter_and_body_together,
    "manifest": test_fuzz.test_manifests_give_diagnostics,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.minutes * 60
    counts = dict.fromkeys(TARGETS, 0)
    slowest = (0.0, "")
    started = time.monotonic()
    while time.monotonic() < deadline:
        for name, target in TARGETS.items():
            data = rng.randbytes(rng.choice((64, 256, 1024, 4096)))
            began = time.perf_counter()
            try:
                target.hypothesis.fuzz_one_input(data)  # type: ignore[attr-defined]
            except Exception:
                print(f"FAILED on a {name} input after {sum(counts.values())} inputs:")
                traceback.print_exc()
                return 1
            seconds = time.perf_counter() - began
            slowest = max(slowest, (seconds, name))
            counts[name] += 1
    total, elapsed = sum(counts.values()), time.monotonic() - started
    print(f"fuzz: {total} inputs in {elapsed:.0f} s ({total / elapsed:.1f} inputs/s), no failure; "
          + ", ".join(f"{name} {count}" for name, count in counts.items()))
    print(f"slowest input: {slowest[0]:.2f} s ({slowest[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
