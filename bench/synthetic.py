"""Synthetic cases for the benchmarks: varied names (with diacritics), 3-8 authors, 1-3 affiliations,
1-3 figures of 2-6 panels (PNG, 800-1600 px), 120-450 words citing every panel."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

GIVEN = ["Wentao", "Kun", "Qu", "Qining", "José", "Łukasz", "Søren", "Văn Anh", "Aoife", "Chidi", "Émilie", "Jürgen",
         "Priya", "Tomás", "Zoë", "Hiroshi", "Olúwaseun", "Małgorzata", "Nguyễn Thị", "Ana"]
FAMILY = ["Wang", "Duan", "Wei", "Wu", "Núñez", "Nowak", "Øster", "Nguyễn", "O'Brien", "Okafor", "Lefèvre", "Müller",
          "Raman", "Álvarez", "Dvořák", "Tanaka", "Adébáyọ̀", "Wójcik", "Trần", "Silva"]
CITIES = [("Xi'an", "China", "710054"), ("Kraków", "Poland", "31-008"), ("São Paulo", "Brazil", "01310-100"),
          ("Århus", "Denmark", "8000"), ("Hà Nội", "Vietnam", "100000"), ("Zürich", "Switzerland", "8091")]
WORDS = ["the", "patient", "reported", "pain", "after", "the", "fall", "and", "imaging", "showed", "a", "fracture",
         "of", "the", "vertebral", "body", "with", "edema", "and", "the", "treatment", "was", "conservative", "for",
         "several", "weeks", "before", "surgery", "was", "considered"]
# Staff settings for a synthetic issue: several figures per article.
JOURNAL_SETTINGS = ("article-types:\n  images-of-spine-care:\n    limits:\n      figures: 3\n      panels: 18\n"
                    "      words: 9000\n")


def make_images(folder: Path, count: int, rng: random.Random) -> list[Path]:
    """A pool of grey-scale scans to draw panels from."""
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


def _panel(source: Path, target: Path, mark: str, unique: bool) -> None:
    """A panel: a copy of a pool image, or (unique) one with its own mark, so no two cases share a file."""
    if not unique:
        shutil.copyfile(source, target)
        return
    from PIL import Image, ImageDraw

    with Image.open(source) as image:
        image = image.copy()
    ImageDraw.Draw(image).text((20, 20), mark, fill=255)
    image.save(target, compress_level=1)


def make_case(folder: Path, index: int, pool: list[Path], rng: random.Random, max_figures: int = 1,
              unique_images: bool = False) -> None:
    (folder / "figures").mkdir(parents=True)
    affiliations = rng.randint(1, 3)
    lines = ["---", "journal: the-spine-journal", "article-type: images-of-spine-care",
             f"title: Synthetic case {index} of vertebral collapse after vertebroplasty", "authors:"]
    names = rng.sample([(g, f) for g in GIVEN for f in FAMILY], rng.randint(3, 8))
    flagged = rng.sample(range(3), 2) if rng.random() < 0.3 else []
    for author, (given, family) in enumerate(names):
        lines += [f"  - given: {given}", f"    family: \"{family}\"", "    degrees: [MD]",
                  f"    affiliations: [aff{author % affiliations}]", "    disclosure: Nothing to disclose."]
        if author in flagged:
            lines.append("    equal-contributor: true")
    lines.append("affiliations:")
    for a in range(affiliations):
        city, country, postal = rng.choice(CITIES)
        lines += [f"  - id: aff{a}", "    department: Department of Spine Surgery",
                  f"    name: [University Hospital {a}]", f"    city: \"{city}\"", f"    postal-code: \"{postal}\"",
                  f"    country: {country}"]
    lines += ["fda-status: not-applicable", "conflict-statement: The authors declare no conflicts of interest.",
              "figures:"]
    figures = rng.randint(1, max_figures)
    citations = []
    for f in range(figures):
        labels = "ABCDEF"[: rng.randint(2, 6)]
        lines += [f"  - id: fig{f + 1}", "    panels:"]
        for label in labels:
            name = f"{f + 1}{label.lower()}.png"
            _panel(rng.choice(pool), folder / "figures" / name, f"case {index} {f + 1}{label}", unique_images)
            lines.append(f"      - {{label: {label}, image: figures/{name}, alt: Panel {label} of the case}}")
        lines.append("    caption:")
        lines += [f"      {label}: Image {label} shows the finding (white arrow)." for label in labels]
        number = f"{f + 1}" if figures > 1 else ""
        citations += [f"(Figure {number}{label})" for label in labels]
    words = rng.randint(120, 450)
    body = [rng.choice(WORDS) for _ in range(words)]
    for position, citation in zip(sorted(rng.sample(range(words), len(citations))), citations):
        body[position] += f" {citation}"
    body[0] = body[0][0].upper() + body[0][1:]
    lines += ["---", "", " ".join(body) + ".", ""]
    (folder / "case.md").write_text("\n".join(lines), encoding="utf-8")
