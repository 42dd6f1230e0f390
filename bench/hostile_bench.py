"""Benchmark hostile inputs: how long casepub takes to refuse each (the tests check that it does).

    .venv/bin/python bench/hostile_bench.py

Goals: each under a second (the alias bomb and the 100 000-bracket nesting stop
at the parser; the decompression bombs are refused from their headers, before
any decoding, in `check` and in `render`).
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_reference_speed import braced_value, faulty  # noqa: E402

from casepub import check_case  # noqa: E402
from casepub.render import render_case  # noqa: E402
from test_bad_input import png_header_only  # noqa: E402  (the tests' own hostile inputs)


def _case(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "case.md").write_text(text, encoding="utf-8")
    return folder


def alias_bomb(folder: Path) -> Path:
    bomb = ["---", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        previous = chr(ord("a") + level - 1)
        bomb.append(f"{chr(ord('a') + level)}: &{chr(ord('a') + level)} [{', '.join(['*' + previous] * 9)}]")
    return _case(folder, "\n".join(bomb + ["---", ""]))


def deep_nesting(folder: Path) -> Path:
    return _case(folder, "---\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n---\n")


def pixel_bomb(folder: Path) -> Path:
    shutil.copytree(ROOT / "cases" / "t12-osteonecrosis", folder)
    (folder / "figures" / "huge.png").write_bytes(png_header_only(10_000, 10_000))  # 100 megapixels, 1 kB
    case = folder / "case.md"
    case.write_text(case.read_text().replace("figures/a-mri-t2.png", "figures/huge.png"), encoding="utf-8")
    return folder


def _time(make: Callable[[Path], Path], work: Callable[[Path], object], runs: int = 5) -> float:
    times = []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            folder = make(Path(scratch) / f"case{run}")
            started = time.perf_counter()
            work(folder)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    check_case(ROOT / "cases" / "t12-osteonecrosis")  # imports and the profile, once
    figures = [
        ("check, alias bomb (9 levels of 9 aliases)", _time(alias_bomb, check_case)),
        ("check, 100 000 nested brackets", _time(deep_nesting, check_case)),
        ("check, a 100-megapixel PNG of 1 kB", _time(pixel_bomb, check_case)),
        ("render, a 100-megapixel PNG of 1 kB (refused before WeasyPrint)",
         _time(pixel_bomb, lambda folder: render_case(folder, folder.parent / "out"))),
    ]
    for name, seconds in figures:
        print(f"{name}: {seconds * 1000:.1f} ms (median of 5; goal < 1000 ms)")
    print_growth()


def _best(work: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def print_growth() -> None:
    """References files that were read in quadratic time: 4 times the input should take about 4 times as long
    (quadratic: 16 times)."""
    from casepub.references.bibtex import read_bibtex
    from casepub.references.load import _parsed

    inputs = [("a .bib value of {x} parts", lambda n: lambda: read_bibtex(braced_value(n)), 25_000)]
    inputs += [(f"a {kind} file of faulty entries", lambda n, kind=kind: lambda: _parsed(Path(f"r.{kind}"),
                                                                                      faulty(kind, n)), 1_000)
               for kind in ("json", "bib")]
    for name, make, small in inputs:
        ratio = _best(make(4 * small)) / _best(make(small))
        print(f"{name}: 4x the input takes {ratio:.1f}x as long (linear ~4; goal < 8)")


if __name__ == "__main__":
    main()
