"""`casepub new DIR`: a case folder to fill in, made from the journal profile's article type.

case.md holds every key the article type requires, left empty, each with a short
comment on what it expects (the structured ones with a commented example to copy),
and the optional keys commented out; the body has the required and recommended
sections as headings. So `casepub check` on the new folder lists exactly what is
left to fill in, in the order of the file: each empty required key (CP019) and
each section without text (CP086), and nothing else. The front matter's first line
points YAML language servers at the JSON Schema of the front matter, written
beside the cases (`.casepub/case.schema.json`), so editors complete and check keys.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from casepub.profiles import STORE, ArticleType, Profile, ProfileStore
from casepub.write import write_atomic

SCHEMA = Path(".casepub") / "case.schema.json"  # beside the case folders: one for all of them


class NewError(Exception):
    """Why the folder cannot be made (a usage error: exit 2)."""


@dataclass(frozen=True)
class Key:
    """A front-matter key as `casepub new` writes it: empty when required, else commented out."""
    name: str
    comment: str
    example: str = ""    # an example to copy: a value on the key's line, or lines under it (starting with "\n")
    empty: str = ""      # what a required key holds until it is filled in ("", "[]")


KEYS = (
    Key("title", "the article's title{title_limit}", " A 70-year-old woman with ..."),
    Key("running-title", "a short title for the page headers", " Vertebral collapse after vertebroplasty"),
    Key("date", "the publication date, YYYY-MM-DD (an issue build uses the issue's)", " 2026-12-01"),
    Key("doi", "the article's DOI, when it has one", " 10.1016/j.spinee.2026.09.001"),
    Key("abstract", "the abstract{abstract_limit}", " One paragraph, or keyed sections."),
    Key("keywords", "keywords{keyword_limit}", " [vertebroplasty, osteonecrosis]", "[]"),
    Key("authors", "one entry per author, in the order of the byline",
        "\n  - name: Given Family            # or given: and family:, for names written family first"
        "\n    degrees: [MD, PhD]"
        "\n    affiliations: [spine]         # ids from `affiliations:` below"
        "\n    disclosure: Nothing to disclose."
        "\n    corresponding: true           # with email: for the corresponding author"
        "\n    email: given.family@example.org"
        "\n    orcid: 0000-0002-1825-0097"
        "\n    roles: [conceptualization, writing-original-draft]   # CRediT roles"),
    Key("affiliations", "each institution once, with an id the authors name",
        "\n  - id: spine"
        "\n    department: Department of Spine Surgery"
        "\n    name: [Example University Hospital]"
        "\n    address: 1 Example Street"
        "\n    city: Exampleton"
        "\n    postal-code: \"1234\""
        "\n    country: Netherlands"),
    Key("fda-status", "the FDA status of the devices and drugs used: not-applicable, approved, off-label or "
        "investigational (with products:)", " not-applicable"),
    Key("conflict-statement", "the authors' conflict of interest statement",
        " The authors declare no conflicts of interest."),
    Key("funding", "who funded the work, or that nobody did", " This work received no external funding."),
    Key("consent", "the patient's consent to publication",
        "\n  status: obtained                # or waived, with reason:"
        "\n  statement: Written informed consent was obtained from the patient."),
    Key("dates", "the article's history, YYYY-MM-DD", "\n  received: 2026-03-02\n  accepted: 2026-06-01"),
    Key("license", "the licence, as an SPDX identifier", " CC-BY-4.0"),
    Key("copyright", "the copyright holder and year", " {holder: The Authors, year: 2026}"),
    Key("references", "the references file in this folder (BibTeX, CSL-JSON or CSL-YAML); cite as [@key]",
        " references.bib"),
    Key("timeline", "the case's timeline (CARE item 7)", "\n  - {when: Day 1, event: Admission}"),
    Key("figures", "the figures, each with its lettered panels (image files in figures/) and their captions",
        "\n  - id: fig1"
        "\n    panels:"
        "\n      - {label: A, image: figures/a.png, alt: What panel A shows, for readers who cannot see it}"
        "\n    caption:"
        "\n      A: What panel A shows."),
)


def new_case(folder: Path, journal: str = "care", article_type: str | None = None,
             profiles: ProfileStore = STORE) -> Path:
    """Make the case folder `folder` for `journal`'s `article_type` (its first type when None): case.md,
    figures/README.md, and the front matter's JSON Schema beside the cases. NewError when the folder exists
    and is not empty, or the journal or type is unknown."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise NewError(f"{folder} exists and is not an empty folder: casepub new does not overwrite")
    profile = profiles.get(journal, folder.parent).profile
    if profile is None:
        raise NewError(f"unknown journal {journal!r} (known: {', '.join(profiles.available(folder.parent))})")
    chosen = article_type or next(iter(profile.article_types))
    if chosen not in profile.article_types:
        raise NewError(f"the journal {journal!r} has no article type {chosen!r} (its types: "
                       f"{', '.join(profile.article_types)})")
    schema = folder.parent / SCHEMA
    write_atomic(schema, _schema_text())
    write_atomic(folder / "case.md", case_text(profile, chosen))
    write_atomic(folder / "figures" / "README.md", FIGURES_README)
    return folder / "case.md"


def case_text(profile: Profile, article_type: str) -> str:
    """case.md for the article type: required keys empty with their comment and example, the others commented
    out, then the sections as headings."""
    article = profile.article_types[article_type]
    limits = _limits(article)
    lines = ["---", f"# yaml-language-server: $schema=../{SCHEMA.as_posix()}",
             f"# {article.name} for {profile.name}. Fill in every key below that is not commented out; remove the",
             "# # of an optional key to use it. `casepub check` lists what is left; docs/case-format.md explains "
             "every key.",
             f"journal: {profile.id}", f"article-type: {article_type}"]
    required = set(article.required) | ({"affiliations"} if "authors" in article.required else set())
    for key in KEYS:
        comment = key.comment.format(**limits)
        if key.name in required:
            lines += _required(key, comment, article)
        else:
            lines += [f"# {key.name}:{_one_line(key.example)}   # optional: {comment}"]
            lines += [f"# {line}" for line in key.example.split("\n")[1:]]
    lines += ["---", ""]
    for section in article.sections:  # the required and the recommended ones, in order
        lines += [f"## {section.name}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _required(key: Key, comment: str, article: ArticleType) -> list[str]:
    if key.name == "abstract" and article.abstract_sections:
        return [f"abstract:   # {comment}, in these sections (each a paragraph):",
                *(f"  {name}:" for name in article.abstract_sections)]
    lines = [f"{key.name}:{' ' + key.empty if key.empty else ''}   # {comment}"]
    if key.example.startswith("\n"):
        lines += ["#   for example:"] + [f"# {line}" for line in key.example.split("\n")[1:]]
    elif key.example:
        lines[-1] += f"; e.g.{key.example}"
    return lines


def _one_line(example: str) -> str:
    return example if not example.startswith("\n") else ""


def _limits(article: ArticleType) -> dict[str, str]:
    limits = article.limits
    keywords = ""
    if limits.keywords_min and limits.keywords_max:
        keywords = f", {limits.keywords_min} to {limits.keywords_max}"
    elif limits.keywords_max:
        keywords = f", at most {limits.keywords_max}"
    return {"title_limit": f", at most {limits.title_words} words" if limits.title_words else "",
            "abstract_limit": f", at most {limits.abstract_words} words" if limits.abstract_words else "",
            "keyword_limit": keywords}


def _schema_text() -> str:
    from casepub.__main__ import json_schema

    return json.dumps(json_schema("case"), indent=2, ensure_ascii=False) + "\n"


FIGURES_README = """\
# Figures

Put the panel images of the case's figures here (PNG, JPEG or TIFF), one file per
panel, and name them in case.md under `figures:` (`image: figures/a.png`). Give each
panel its `alt` text. `casepub check` says when an image is too small, damaged or
carries metadata that could identify the patient. This file is not read by casepub.
"""
