"""Benchmark `check` with references: cases per second in one process, each case citing 30 references.

    .venv/bin/python bench/references_bench.py [--cases 300] [--shared]

Prints the rate of check_case in this process (one core), and of the command `casepub check` over the same
cases as a user runs it (its workers use every core; Python's start-up counted).

The synthetic cases of check_bench.py, each given a BibTeX file of 30 references
(journal articles with DOI and PMID, books, crossref'd chapters, web pages, LaTeX
accents and @string macros) and a paragraph citing all of them. By default every
case's file differs (its titles carry the case's number), so each is parsed;
--shared gives every case the same file, which is then parsed once (the parse is
cached by content). Also times reading one file of 30 references as the check
does (pybtex's scanner and our rules; the CSL-JSON items are made only when
rendering), pybtex's scanner alone (what the check reads instead: bibscan.py), and formatting the
30 references in the CSL style, cold and cached. Goal: >= 300 cases/s.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import make_case, make_images

REFERENCES = 30


def bib(case: int) -> str:
    """30 references of the kinds authors export, their titles marked with the case's number."""
    entries = ['@string{spj = "The Spine Journal"}']
    for n in range(REFERENCES):
        kind = n % 5
        title = f"Vertebral osteonecrosis {{MRI}} study {n} of case {case}"
        if kind == 0:
            entries.append(f"@article{{ref{n},\n  author = {{Fran{{\\c c}}ois, Jos{{\\'e}} and van der Berg, Jan and "
                           f"others}},\n  title = {{{title}}},\n  journal = spj,\n  year = {{2019}},\n  month = apr,\n"
                           f"  volume = {{19}},\n  pages = {{e1023--e1031}},\n  doi = {{10.1016/j.spinee.2019.{n:02d}}},"
                           f"\n  pmid = {{3198{n:04d}}}\n}}")
        elif kind == 1:
            entries.append(f"@book{{ref{n},\n  editor = {{Rothman, Richard H. and Simeone, Frederick A.}},\n"
                           f"  title = {{{title}}},\n  publisher = {{Elsevier}},\n  year = {{2018}}\n}}")
        elif kind == 2:
            entries.append(f"@incollection{{ref{n},\n  crossref = {{ref{n - 1}}},\n  author = {{Kim, David H.}},\n"
                           f"  title = {{{title}}},\n  pages = {{1201--1215}}\n}}")
        elif kind == 3:
            entries.append(f"@misc{{ref{n},\n  author = {{{{World Health Organization}}}},\n  title = {{{title}}},\n"
                           f"  url = {{https://www.who.int/news/item/{n}%20a_b~c}},\n  urldate = {{2024-05-03}},\n"
                           f"  year = {{2017}}\n}}")
        else:
            entries.append(f"@article{{ref{n},\n  author = {{Wang, Wentao and Duan, Kun}},\n  title = {{{title}}},\n"
                           f"  journal = {{European Spine Journal}},\n  year = {{2021}},\n  volume = {{30}},\n"
                           f"  pages = {{S45--S52}}\n}}")
    return "\n\n".join(entries) + "\n"


def add_references(folder: Path, text: str) -> None:
    case = folder / "case.md"
    source = case.read_text(encoding="utf-8")
    source = source.replace("\nfda-status:", "\nreferences: references.bib\nfda-status:", 1)
    cited = "; ".join(f"@ref{n}" for n in range(REFERENCES))
    case.write_text(f"{source.rstrip()}\n\nThese findings agree with earlier reports [{cited}].\n", encoding="utf-8")
    (folder / "references.bib").write_text(text, encoding="utf-8")


def rate(cases: list[Path]) -> tuple[float, int]:
    from casepub import check_case

    check_case(cases[0])
    started = time.perf_counter()
    errors = sum(len(check_case(case).errors) for case in cases)
    return len(cases) / (time.perf_counter() - started), errors


def command_rate(folder: Path, runs: int = 3) -> float:
    """Cases per second of the command `casepub check FOLDER` (the best of `runs`), start-up included."""
    cases = sum(1 for _ in folder.glob("*/case.md"))
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "casepub", "check", str(folder)], check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return cases / best


def formatting() -> tuple[float, float]:
    """Seconds to format 30 references in the CSL style: the first time in the process, then from the cache."""
    from casepub.references.format import bibliography
    from casepub.references.load import _parsed

    library = _parsed(Path("references.bib"), bib(-1).encode("utf-8"))
    started = time.perf_counter()
    bibliography("elsevier-vancouver", library.items, tuple(library.items), library.digest)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    bibliography("elsevier-vancouver", library.items, tuple(library.items), library.digest)
    return cold, time.perf_counter() - started


def reading(files: int = 200) -> tuple[float, float]:
    """Milliseconds to read one distinct file of 30 references as the check does, and pybtex's scanner alone."""
    from pybtex.database.input.bibtex import LowLevelParser, month_names
    from pybtex.utils import CaseInsensitiveDict

    from casepub.references.bibtex import read_bibtex

    texts = [bib(10_000 + n) for n in range(files)]
    read_bibtex(texts[0])
    started = time.perf_counter()
    for text in texts[1:]:
        read_bibtex(text)
    ours = (time.perf_counter() - started) / (files - 1)
    started = time.perf_counter()
    for text in texts[1:]:
        list(LowLevelParser(text, macros=CaseInsensitiveDict(month_names)))
    return ours * 1000, (time.perf_counter() - started) / (files - 1) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--shared", action="store_true", help="every case has the same references file")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="casepub-refbench-") as tmp:
        root = Path(tmp)
        pool = make_images(root / "pool", 12, rng)
        plain, cited = [], []
        for index in range(args.cases):
            for kind, into in (("plain", plain), ("cited", cited)):
                folder = root / kind / f"case-{index:04d}"
                make_case(folder, index, pool, random.Random(index))
                if kind == "cited":
                    add_references(folder, bib(0 if args.shared else index))
                into.append(folder)
        without, _ = rate(plain)
        with_references, errors = rate(cited)
        command = command_rate(root / "cited")
    cold, warm = formatting()
    ours, scanner = reading()
    files = "one shared file" if args.shared else "a different file each"
    print(f"check without references: {without:.0f} cases/s")
    print(f"check with {REFERENCES} references ({files}): {with_references:.0f} cases/s ({errors} errors; goal >= 300)")
    print(f"`casepub check` of those {args.cases} cases, as a user runs it ({os.cpu_count()} cores, so "
          f"{os.cpu_count()} workers; the time includes starting Python): {command:.0f} cases/s (goal >= 300)")
    print(f"that is {1000 / with_references - 1000 / without:.1f} ms a case for its references; reading a file of "
          f"{REFERENCES} as the check does: {ours:.1f} ms (pybtex's scanner alone: {scanner:.1f} ms)")
    print(f"formatting {REFERENCES} references (elsevier-vancouver): {cold * 1000:.0f} ms cold, {warm * 1e6:.0f} µs cached")


if __name__ == "__main__":
    main()
