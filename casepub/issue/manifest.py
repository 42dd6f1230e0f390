"""The issue manifest: which cases make an issue, in order, with the issue's numbers.

    journal: the-spine-journal
    volume: 26
    issue: 12
    date: 2026-12-01
    first-page: 1901
    depositor: {name: Elsevier, email: deposits@example.org}   # for OUT/crossref.xml
    registrant: Elsevier
    url: https://journal.example.org/{doi}                     # each article's landing page
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


# A landing page's address: http(s), no spaces, and no braces but the placeholders {doi} and {name}.
URL_TEMPLATE = r"^https?://[^\s{}]*(\{(doi|name)\}[^\s{}]*)*$"
DEPOSIT_KEYS = ("depositor", "registrant", "url")


class ArticleEntry(Node):
    """One article of the issue."""
    case: str
    """The case folder (the folder holding case.md), relative to the manifest, e.g. ../cases/t12-osteonecrosis."""
    doi: str | None = Field(None, pattern=r"^10\.\d{4,9}/\S+$", examples=["10.1016/j.spinee.2026.09.001"])
    """The article's DOI, e.g. 10.1016/j.spinee.2026.09.001; it is used instead of a doi in the case."""
    url: str | None = Field(None, pattern=URL_TEMPLATE, max_length=2048,
                            examples=["https://journal.example.org/articles/t12"])
    """The article's landing page, deposited with its DOI; instead of the manifest's `url` for this article
    (it may use {doi} and {name} too)."""


class Depositor(Node):
    """Who sends the deposits: Crossref writes to this address about them."""
    name: str = Field(min_length=1, max_length=130)
    """The depositing organisation's name, e.g. Elsevier (at most 130 characters)."""
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", min_length=6, max_length=200,
                       examples=["deposits@example.org"])
    """The address Crossref sends the deposit's results to, e.g. deposits@example.org."""


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
    depositor: Depositor | None = None
    """For the deposits (OUT/crossref.xml, OUT/pubmed.xml, written only with depositor, registrant and url): who
    sends them, `{name: ..., email: ...}`."""
    registrant: str | None = Field(None, min_length=1, max_length=255)
    """For the deposits: the organisation responsible for the DOIs' metadata, e.g. Elsevier."""
    url: str | None = Field(None, pattern=URL_TEMPLATE, max_length=2048,
                            examples=["https://journal.example.org/{doi}"])
    """The articles' landing pages, as a template: {doi} is replaced by the article's DOI, {name} by its folder's
    name, e.g. https://journal.example.org/{doi}; an article's own `url` is used instead."""
    articles: tuple[ArticleEntry, ...] = Field(min_length=1)
    """The articles, in the order they are printed; at least one."""

    @property
    def missing_deposit_keys(self) -> tuple[str, ...]:
        """The keys a Crossref deposit needs that the manifest does not give (`url` counts as given when every
        article has its own)."""
        given = {"depositor": self.depositor is not None, "registrant": self.registrant is not None,
                 "url": self.url is not None or all(a.url for a in self.articles)}
        return tuple(key for key in DEPOSIT_KEYS if not given[key])


@dataclass(frozen=True)
class Article:
    index: int              # position in the manifest
    folder: Path            # the case folder, resolved against the manifest
    doi: str | None
    location: Location      # where the manifest names it
    url: str | None = None  # its landing page's template, when the manifest gives it one of its own


@dataclass(frozen=True)
class Issue:
    file: Path
    manifest: Manifest
    profile: Profile                # the journal's
    articles: tuple[Article, ...]   # those whose folder holds a case
    diagnostics: list[Diagnostic]   # problems with the manifest, and articles left out

    source: SourceMap | None = None  # where each key of the manifest is written

    @property
    def name(self) -> str:
        return self.file.stem

    def where(self, *path: str | int) -> Location:
        """The location of a key of the manifest (or of its nearest written parent)."""
        return self.source.locate(tuple(path)) if self.source else Location(self.file)


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
            articles.append(Article(index, folder, entry.doi, where, entry.url))
    return Issue(file, manifest, profile, tuple(articles), diagnostics, document.source), diagnostics


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
