"""What the worker processes of an issue build report back: typed, picklable, and stored as JSON in the cache.

A job that the pool gave up on (it crashed twice, or took too long) comes back
as a JobFailure instead of its result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from casepub.diagnostics import Diagnostic
from casepub.issue.deposits import ArticleRecord


@dataclass(frozen=True)
class PlacedPanel:
    """A panel as placed in the article's output folder."""
    figure: int
    panel: int
    src: str        # relative to the article's folder: figures/<content-addressed name>.jpg
    width: int
    height: int


@dataclass(frozen=True)
class Rendering:
    """An article rendered without page numbers (or why it was not); the cache keeps it beside the PDF."""
    ok: bool
    diagnostics: tuple[Diagnostic, ...] = ()
    pages: int = 0
    title: str = ""
    label: str = ""                             # the article type's section label
    authors: tuple[str, ...] = ()
    panels: tuple[PlacedPanel, ...] = ()
    seconds: float = 0.0
    worker_rss_kb: int = 0
    places: dict[str, int] = field(default_factory=dict)  # the page (from 1) each id starts on: place_pages
    record: ArticleRecord | None = None         # what the issue's deposits need from it (deposits.py)

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "diagnostics": [d.to_json() for d in self.diagnostics], "pages": self.pages,
                "title": self.title, "label": self.label, "authors": list(self.authors),
                "panels": [[p.figure, p.panel, p.src, p.width, p.height] for p in self.panels],
                "seconds": self.seconds, "worker_rss_kb": self.worker_rss_kb, "places": self.places,
                "record": self.record.to_json() if self.record else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rendering:
        return cls(ok=bool(data["ok"]), diagnostics=tuple(Diagnostic.from_json(d) for d in data["diagnostics"]),
                   pages=int(data["pages"]), title=str(data["title"]), label=str(data["label"]),
                   authors=tuple(data["authors"]), panels=tuple(PlacedPanel(*p) for p in data["panels"]),
                   seconds=float(data["seconds"]), worker_rss_kb=int(data["worker_rss_kb"]),
                   places={str(k): int(v) for k, v in data.get("places", {}).items()},
                   record=ArticleRecord.from_json(data["record"]) if data.get("record") else None)


@dataclass(frozen=True)
class Finishing:
    """An article numbered and written (or why it was not); `jats`: its JATS XML as written beside it, for the
    build to validate (with the schemas it compiles once)."""
    ok: bool
    diagnostics: tuple[Diagnostic, ...] = ()
    seconds: float = 0.0
    jats: bytes | None = None


@dataclass(frozen=True)
class ContentsPages:
    """The issue PDF's contents pages, made by a worker; `unwritten` when they were made but could not be
    written (then `error` and `hint` are the CP102's, which the build reports at the manifest)."""
    ok: bool
    error: str = ""
    unwritten: bool = False
    hint: str = ""


@dataclass(frozen=True)
class JobFailure:
    """A job the pool gave up on."""
    reason: Literal["crashed", "timed_out"]
    message: str
