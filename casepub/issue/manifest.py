"""The issue manifest: which cases make an issue, in order, with the issue's numbers.

    journal: the-spine-journal
    volume: 26
    issue: 12
    date: 2026-12-01
    first-page: 1901
    articles:
      - case: cases/t12-osteonecrosis
        doi: 10.1016/j.spinee.2026.09.001

Paths are relative to the manifest. It is read like a case's front matter:
located YAML, the typed model below, every problem reported with its line.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from casepub.diagnostics import Diagnostic, Location, SourceMap, sort_key
from casepub.load import yamltree
from casepub.load.case import CASE_FILE
from casepub.load.validate import validate
from casepub.model import Node
from casepub.profiles import STORE, Profile, ProfileStore, did_you_mean

MAX_MANIFEST_BYTES = 1 << 20


class ArticleEntry(Node):
    """One article of the issue."""
    case: str
    """The case folder (the folder holding case.md), relative to the manifest, e.g. ../cases/t12-osteonecrosis."""
    doi: str | None = Field(None, pattern=r"^10\.\d{4,9}/\S+$", examples=["10.1016/j.spinee.2026.09.001"])
    """The article's DOI, e.g. 10.1016/j.spinee.2026.09.001; it is used instead of a doi in the case."""


class Manifest(Node):
    """An issue manifest: the journal, the issue's numbers and date, and its articles in order."""
    journal: str
    """The journal profile's id, e.g. the-spine-journal: built in, or journals/<id>.yaml beside the manifest."""
    volume: int = Field(ge=1)
    """The volume number, e.g. 26."""
    issue: int = Field(ge=1)
    """The issue number within the volume, e.g. 12."""
    date: datetime.date
    """The issue's date, YYYY-MM-DD, e.g. 2026-12-01; printed as its month and year."""
    first_page: int = Field(1, ge=1)
    """The page number the issue's first article starts on (default 1); pages run on across the issue."""
    title: str | None = None
    """A title for the issue, e.g. a theme, printed on the contents page."""
    articles: tuple[ArticleEntry, ...] = Field(min_length=1)
    """The articles, in the order they are printed; at least one."""


@dataclass(frozen=True)
class Article:
    index: int              # position in the manifest
    folder: Path            # the case folder, resolved against the manifest
    doi: str | None
    location: Location      # where the manifest names it


@dataclass(frozen=True)
class Issue:
    file: Path
    manifest: Manifest
    profile: Profile                # the journal's
    articles: tuple[Article, ...]   # those whose folder holds a case
    diagnostics: list[Diagnostic]   # problems with the manifest, and articles left out

    @property
    def name(self) -> str:
        return self.file.stem


def load_issue(file: Path, profiles: ProfileStore = STORE) -> tuple[Issue | None, list[Diagnostic]]:
    """Read a manifest; None when it cannot be used at all (its diagnostics say why)."""
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8-sig") if file.stat().st_size <= MAX_MANIFEST_BYTES else None
    except (OSError, UnicodeDecodeError) as error:
        return None, [_error("CP200", Location(file), f"the issue manifest cannot be read: {error}", "check the path")]
    if text is None:
        return None, [_error("CP200", Location(file), "the issue manifest is larger than 1 MB", "is this the right file?")]
    document, problems = yamltree.parse(text, file)
    if document is None or problems:
        return None, problems
    validated = validate(Manifest, document, root="the manifest")
    if validated.model is None or validated.diagnostics:
        return None, sorted(validated.diagnostics, key=sort_key)
    manifest = validated.model
    profile = profiles.get(manifest.journal, file.parent).profile
    if profile is None:
        return None, _journal_problems(manifest, document.source, file, profiles)
    diagnostics: list[Diagnostic] = []
    articles: list[Article] = []
    for index, entry in enumerate(manifest.articles):
        where = document.source.locate(("articles", index, "case"))
        folder, problem = _case_folder(file.parent, entry.case, where, {a.folder for a in articles})
        diagnostics += [problem] if problem else []
        if folder is not None:
            articles.append(Article(index, folder, entry.doi, where))
    return Issue(file, manifest, profile, tuple(articles), diagnostics), diagnostics


def _case_folder(base: Path, path: str, where: Location, seen: set[Path]) -> tuple[Path | None, Diagnostic | None]:
    folder = (base / path).resolve()
    if not (folder / CASE_FILE).is_file():
        what = "does not exist" if not folder.exists() else f"has no {CASE_FILE}"
        return None, _error("CP201", where, f"the case folder {path!r} {what}",
                            "write the case folder's path relative to the manifest")
    if folder in seen:
        return None, _error("CP202", where, f"the case {path!r} is listed twice", "list each case once")
    return folder, None


def _journal_problems(manifest: Manifest, source: SourceMap, file: Path, profiles: ProfileStore) -> list[Diagnostic]:
    resolved = profiles.get(manifest.journal, file.parent)
    choices = profiles.available(file.parent)
    hint = did_you_mean(manifest.journal, choices) + f"available: {', '.join(choices)}"
    return list(resolved.diagnostics) or [_error("CP203", source.locate(("journal",)),
                                                 f"unknown journal {manifest.journal!r}", hint)]


def _error(code: str, location: Location, message: str, hint: str) -> Diagnostic:
    return Diagnostic(code, message, location, hint)
