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

GIVEN = ["Wentao", "Kun", "Qu", "Qining", "José", "Łukasz", "Søren", "Văn Anh", "Aoife", "Chidi", "Émilie", "Jürgen",
         "Priya", "Tomás", "Zoë", "Hiroshi", "Olúwaseun", "Małgorzata", "Nguyễn Thị", "Ana"]
FAMILY = ["Wang", "Duan", "Wei", "Wu", "Núñez", "Nowak", "Øster", "Nguyễn", "O'Brien", "Okafor", "Lefèvre", "Müller",
          "Raman", "Álvarez", "Dvořák", "Tanaka", "Adébáyọ̀", "Wójcik", "Trần", "Silva"]
CITIES = [("Xi'an", "China", "710054"), ("Kraków", "Poland", "31-008"), ("São Paulo", "Brazil", "01310-100"),
          ("Århus", "Denmark", "8000"), ("Hà Nội", "Vietnam", "100000"), ("Zürich", "Switzerland", "8091")]
WORDS = ("the patient reported pain after the fall and imaging showed a fracture of the vertebral body with "
         "edema and the treatment was conservative for several weeks before surgery was considered").split()


def make_images(folder: Path, count: int, rng: random.Random) -> list[Path]:
    from PIL import Image, ImageDraw, ImageFilter

    folder.mkdir(parents=True)
    paths = []
    for index in range(count):
        width = rng.randint(800, 1600)
        height = int(width * rng.uniform(1.0, 1.4))
        image = Image.effect_noise((width, height), 30).filter(ImageFilter.GaussianBlur(3))
        ImageDraw.Draw(image).rounded_rectangle((width // 4, height // 5, width * 3 // 4, height // 2), 20, fill=200)
        path = folder / f"pool-{index}.png"
        image.save(path)
        paths.append(path)
    return paths


def make_case(folder: Path, index: int, pool: list[Path], rng: random.Random) -> None:
    (folder / "figures").mkdir(parents=True)
    affiliations = rng.randint(1, 3)
    lines = ["---", "journal: the-spine-journal", "article-type: images-of-spine-care",
             f"title: Synthetic case {index} of vertebral collapse after vertebroplasty", "authors:"]
    flagged = rng.sample(range(3), 2) if rng.random() < 0.3 else []
    names = rng.sample([(g, f) for g in GIVEN for f in FAMILY], rng.randint(3, 8))
    for author, (given, family) in enumerate(names):
        lines += [f"  - given: {given}", f"    family: \"{family}\"",
                  "    degrees: [MD]", f"    affiliations: [aff{author % affiliations}]",
                  "    disclosure: Nothing to disclose."]
        if author in flagged:
            lines.append("    equal-contributor: true")
    lines.append("affiliations:")
    for a in range(affiliations):
        city, country, postal = rng.choice(CITIES)
        lines += [f"  - id: aff{a}", "    department: Department of Spine Surgery",
                  f"    name: [University Hospital {a}]", f"    city: \"{city}\"", f"    postal-code: \"{postal}\"",
                  f"    country: {country}"]
    lines += ["fda-status: not-applicable", "conflict-statement: The authors declare no conflicts of interest.",
              "figures:", "  - id: fig1", "    panels:"]
    labels = "ABCDEF"[: rng.randint(2, 6)]
    for label in labels:
        shutil.copyfile(rng.choice(pool), folder / "figures" / f"{label.lower()}.png")
        lines.append(f"      - {{label: {label}, image: figures/{label.lower()}.png, alt: Panel {label} of the case}}")
    lines.append("    caption:")
    lines += [f"      {label}: Image {label} shows the finding (white arrow)." for label in labels]
    words = rng.randint(120, 450)
    body = [rng.choice(WORDS) for _ in range(words)]
    for position, label in zip(sorted(rng.sample(range(words), len(labels))), labels):
        body[position] += f" (Figure {label})"
    body[0] = body[0][0].upper() + body[0][1:]
    lines += ["---", "", " ".join(body) + ".", ""]
    (folder / "case.md").write_text("\n".join(lines), encoding="utf-8")


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
