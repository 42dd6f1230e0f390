"""What the worker processes of an issue build do, one article at a time.

Two steps, because page numbers run on from article to article:
1. render_article: check, place the panels, make the PDF without page numbers,
   and keep it in the content cache with its page count;
2. finish_article: once every article's length is known, write its HTML (with
   its pages in the meta tags) and its PDF stamped with page numbers and the
   running footer: a small WeasyPrint document laid over the cached pages.

Both return plain dicts (they cross the process boundary and go into JSON);
neither lets an exception out, so one bad case never stops the others.
"""
from __future__ import annotations

import io
import resource
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from casepub.diagnostics import Diagnostic, Location, Severity
from casepub.issue.cache import ArticleCache
from casepub.write import write_atomic

from casepub.render import Prepared, article_pdf, prepare_article
from casepub.render.html import Placement, article_view, environment, render_html


@dataclass(frozen=True)
class RenderJob:
    folder: Path
    name: str               # the article's output folder name
    key: str                # render key: everything the unnumbered PDF depends on
    out: Path               # the issue's output folder
    templates: Path | None


@dataclass(frozen=True)
class FinishJob:
    folder: Path
    name: str
    key: str                # the render key, to find the cached PDF and panels
    out: Path
    templates: Path | None
    placement: Placement


def pack(diagnostic: Diagnostic) -> dict:
    loc = diagnostic.location
    return {"code": diagnostic.code, "severity": diagnostic.severity.value, "message": diagnostic.message,
            "hint": diagnostic.hint, "rule": diagnostic.rule, "file": str(loc.file), "line": loc.line,
            "column": loc.column, "path": list(loc.key_path)}


def unpack(data: dict) -> Diagnostic:
    location = Location(Path(data["file"]), data["line"], data["column"], tuple(data.get("path", ())))
    return Diagnostic(data["code"], Severity(data["severity"]), data["message"], location, data["hint"], data["rule"])


def render_article(job: RenderJob) -> dict:
    started = time.perf_counter()
    try:
        result = _render(job)
    except Exception as error:  # a bug: reported for this case, and the build goes on
        result = _crashed(job.folder, error)
    return {**result, "seconds": round(time.perf_counter() - started, 3), "worker_rss_kb": _rss()}


def _render(job: RenderJob) -> dict:
    cache = ArticleCache(job.out / ".cache" / "articles")
    prepared = prepare_article(job.folder, job.out, job.name)
    if not isinstance(prepared, Prepared):
        result = {"status": "failed", "diagnostics": [pack(d) for d in prepared]}
        cache.put(job.key, result)  # the same inputs fail the same way: no need to try again
        return result
    case = prepared.case
    view = article_view(case, prepared.profile, prepared.panels, f"{job.name}.pdf")
    pdf = article_pdf(prepared, view, job.templates, numbered=False)
    if isinstance(pdf, Diagnostic):
        return {"status": "failed", "diagnostics": [pack(d) for d in prepared.diagnostics + [pdf]]}
    label = prepared.profile.article_types[case.meta.article_type].label
    result = {"status": "ok", "pages": pdf.pages, "title": case.meta.title or case.name, "label": label,
              "authors": [a.display_name for a in case.meta.authors],
              "panels": [[f, p, *placed] for (f, p), placed in prepared.panels.items()],
              "diagnostics": [pack(d) for d in prepared.diagnostics]}
    cache.put(job.key, result, pdf.data)
    return result


def finish_article(job: FinishJob) -> dict:
    started = time.perf_counter()
    try:
        result = _finish(job)
    except Exception as error:
        result = _crashed(job.folder, error)
    return {**result, "seconds": round(time.perf_counter() - started, 3), "worker_rss_kb": _rss()}


def _finish(job: FinishJob) -> dict:
    from casepub import load_case, resolve_profile
    from casepub.render.pdf import RenderError

    cache = ArticleCache(job.out / ".cache" / "articles")
    rendered = cache.get(job.key)
    case = load_case(job.folder).case  # its render key vouches that it passed its checks
    profile = resolve_profile(case)[0] if case else None
    if rendered is None or profile is None:
        raise RuntimeError("the article changed while the issue was being built; build again")
    panels = {(f, p): (src, width, height) for f, p, src, width, height in rendered["panels"]}
    view = article_view(case, profile, panels, f"{job.name}.pdf", job.placement)
    target = job.out / job.name
    try:
        stamped = _stamp(cache.pdf(job.key), view, job)
    except RenderError as error:
        failure = Diagnostic("CP100", Severity.ERROR, f"the page numbers could not be printed: {error}",
                             case.where(()), "see the message; the previous PDF was kept")
        return {"status": "failed", "diagnostics": [pack(failure)]}
    write_atomic(target / f"{job.name}.pdf", stamped)
    write_atomic(target / "index.html", render_html(view, job.templates))
    return {"status": "ok"}


def _stamp(unnumbered: Path, view, job: FinishJob) -> bytes:
    """The cached PDF with page numbers and the running footer laid over each page."""
    import pikepdf

    from casepub.render.pdf import RenderError, render_pdf

    profile, placement = view.profile, job.placement
    footer = profile.wording.running_footer.format(
        journal=profile.short_name or profile.name, volume=placement.volume, issue=placement.issue,
        year=placement.date.year, pages=placement.pages)
    folder = view.profile.article_types[view.case.meta.article_type].template or profile.template
    html = environment(folder, job.templates).get_template("stamp.html.j2").render(
        profile=profile, footer=footer, first_page=placement.first_page,
        pages=placement.last_page - placement.first_page + 1)
    stamp = render_pdf(html, job.out, [])
    with pikepdf.open(unnumbered) as article, pikepdf.open(io.BytesIO(stamp.data)) as numbers:
        if len(article.pages) != len(numbers.pages):
            raise RenderError("the stamp and the article have different page counts")
        for page, overlay in zip(article.pages, numbers.pages):
            page.add_overlay(overlay)
        out = io.BytesIO()
        article.save(out, deterministic_id=True)
        return out.getvalue()


def render_contents(job: tuple[str, Path]) -> dict:
    """The issue PDF's contents pages, made in a worker, where WeasyPrint is loaded already."""
    from casepub.render.pdf import RenderError, render_pdf

    html, out = job
    try:
        pdf = render_pdf(html, out, [])
    except RenderError as error:
        return {"status": "failed", "error": str(error)}
    write_atomic(out / ".cache" / "contents.pdf", pdf.data)
    return {"status": "ok"}


def _crashed(folder: Path, error: Exception) -> dict:
    where = traceback.extract_tb(error.__traceback__)[-1]
    bug = Diagnostic("CP999", Severity.ERROR, f"internal error: {type(error).__name__}: {error}",
                     Location(folder / "case.md"),
                     f"this is a bug in casepub ({Path(where.filename).name}:{where.lineno}); please report it")
    return {"status": "failed", "diagnostics": [pack(bug)]}


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
