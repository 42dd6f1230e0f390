"""What the worker processes of an issue build do, one article at a time.

Two steps, because page numbers run on from article to article:
1. render_article: check, place the panels, make the PDF without page numbers,
   and keep it in the content cache with its page count;
2. finish_article: once every article's length is known, write its HTML (with
   its pages in the meta tags) and its PDF stamped with page numbers and the
   running footer: a small WeasyPrint document laid over the cached pages; and,
   when the issue's journal has an ISSN, its JATS XML (with its volume, issue,
   pages and DOI; checked_jats, against the DTD) and its PMC-style package,
   <name>.zip: the XML, the PDF and every figure file the XML names (the
   panels' own files). The JATS goes back to the build, which validates it
   against the XSD and DTD with schemas compiled once in its own process
   (compiling the XSD takes seconds: not in every worker); an article whose
   JATS does not validate fails there, and its XML and package are removed.

Both return typed results (casepub/issue/results.py) and never let an
exception out, so one bad case never stops the others. An output or cache file
that cannot be written (casepub/write.py) is a CP102 on the case, at its
case.md; such a failure is never kept in the cache, since the case's inputs are
not to blame for it.
"""
from __future__ import annotations

import io
import resource
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from lxml import etree

from casepub.check import bug, resolve_profile
from casepub.diagnostics import Diagnostic, Location
from casepub.issue.cache import ArticleCache
from casepub.issue.deposits import article_record
from casepub.issue.placement import Placement
from casepub.issue.results import ContentsPages, Finishing, PlacedPanel, Rendering
from casepub.load.case import CASE_FILE, load_case
from casepub.render import Prepared, article_pdf, prepare_article
from casepub.render.html import ArticleView, article_view, environment, render_html, template_problem
from casepub.write import OutputError, write_atomic


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
    jats: bool = True       # write its JATS XML and package (the issue's journal has an ISSN)


@dataclass(frozen=True)
class ContentsJob:
    html: str
    out: Path


def render_article(job: RenderJob) -> Rendering:
    started = time.perf_counter()
    try:
        result = _render(job)
    except OutputError as error:  # not expected here (_render reports its own), but never a CP999
        result = Rendering(ok=False, diagnostics=(_unwritten(error, job.folder),))
    except TemplateError as error:  # a template of the journal's or of --templates
        result = Rendering(ok=False, diagnostics=(template_problem(error),))
    except Exception as error:  # a bug: reported for this case, and the build goes on
        result = Rendering(ok=False, diagnostics=(bug(job.folder, error),))
    return replace(result, seconds=round(time.perf_counter() - started, 3), worker_rss_kb=_rss())


def _render(job: RenderJob) -> Rendering:
    cache = ArticleCache(job.out / ".cache" / "articles")
    prepared = prepare_article(job.folder, job.out, name=job.name)
    if not isinstance(prepared, Prepared):
        result = Rendering(ok=False, diagnostics=tuple(prepared))
        if any(d.code == "CP102" for d in prepared):  # the output folder failed, not the case: try again next time
            return result
        try:
            cache.put(job.key, result)  # the same inputs fail the same way: no need to try again
        except OutputError as error:
            return replace(result, diagnostics=(*result.diagnostics, _unwritten(error, job.folder)))
        return result
    case = prepared.case
    view = article_view(case, prepared.profile, prepared.panels, f"{job.name}.pdf")
    pdf = article_pdf(prepared, view, job.templates, numbered=False)
    if isinstance(pdf, Diagnostic):
        return Rendering(ok=False, diagnostics=(*prepared.diagnostics, pdf))
    result = Rendering(
        ok=True, diagnostics=tuple(prepared.diagnostics), pages=pdf.pages, title=view.plain_title or case.name,
        label=view.label, authors=tuple(a.display_name for a in case.meta.authors),
        panels=tuple(PlacedPanel(f, p, *placed) for (f, p), placed in prepared.panels.items()), places=pdf.places,
        record=article_record(view, _items(view)))
    try:
        cache.put(job.key, result, pdf.data)  # the numbering step reads the PDF from the cache
    except OutputError as error:
        return Rendering(ok=False, diagnostics=(*prepared.diagnostics, _unwritten(error, job.folder)))
    return result


def finish_article(job: FinishJob) -> Finishing:
    started = time.perf_counter()
    try:
        result = _finish(job)
    except OutputError as error:  # its numbered PDF or HTML: the previous ones are left whole
        result = Finishing(ok=False, diagnostics=(_unwritten(error, job.folder),))
    except TemplateError as error:
        result = Finishing(ok=False, diagnostics=(template_problem(error),))
    except Exception as error:
        result = Finishing(ok=False, diagnostics=(bug(job.folder, error),))
    return replace(result, seconds=round(time.perf_counter() - started, 3))


def _finish(job: FinishJob) -> Finishing:
    from casepub.render.pdf import RenderError

    cache = ArticleCache(job.out / ".cache" / "articles")
    rendered = cache.get(job.key)
    case = load_case(job.folder).case  # its render key vouches that it passed its checks
    profile = resolve_profile(case)[0] if case else None
    if rendered is None or case is None or profile is None:
        raise RuntimeError("the article changed while the issue was being built; build again")
    panels = {(p.figure, p.panel): (p.src, p.width, p.height) for p in rendered.panels}
    view = article_view(case, profile, panels, f"{job.name}.pdf", job.placement)
    target = job.out / job.name
    jats = _jats(view, target) if job.jats else None
    if isinstance(jats, Diagnostic):  # no ISSN in the article's profile (CP106), a panel's file (CP101), a bug (CP105)
        return Finishing(ok=False, diagnostics=(jats,))
    try:
        stamped = _stamp(cache.pdf(job.key), view, job)
    except RenderError as error:
        failure = Diagnostic("CP100", f"the page numbers could not be printed: {error}", case.where(()),
                             "see the message; the previous PDF was kept")
        return Finishing(ok=False, diagnostics=(failure,))
    write_atomic(target / f"{job.name}.pdf", stamped)
    write_atomic(target / "index.html", render_html(view, job.templates))
    if profile.article_types[case.meta.article_type].checklist == "care":
        _care_checklist(view, rendered.places, stamped, target / f"{job.name}.pdf", job)
    if jats is not None:
        write_atomic(target / f"{job.name}.xml", jats)
        write_atomic(target / f"{job.name}.zip", package(target, job.name, jats, stamped))
    return Finishing(ok=True, jats=jats)


def _items(view: ArticleView) -> Mapping[str, Mapping[str, Any]] | None:
    """The CSL-JSON of the article's references by key (their DOIs and PMIDs), when it cites any."""
    from casepub.references import library

    found = library(view.case) if view.references else None
    return found.items if found else None


def _jats(view: ArticleView, target: Path) -> bytes | Diagnostic:
    """The article's JATS as `casepub render --to jats` makes it: its figures are the panels' own files, copied
    beside it (figures/source-<digest>.<ext>), and it is checked against the JATS DTD here (loaded in
    milliseconds); the build checks it against the XSD too, compiled once in its own process."""
    from casepub.render import place_originals
    from casepub.xml.jats import checked_jats

    if not view.profile.issn:  # CP106, before any file is copied
        return checked_jats(view)
    graphics, problems = place_originals(view.case, view.profile, target)
    return problems[0] if problems else checked_jats(view, graphics)


def package(folder: Path, name: str, jats: bytes, pdf: bytes) -> bytes:
    """The PMC-style package: <name>.xml, <name>.pdf and every file a `graphic` of the XML names, under the
    name it names (figures/<digest>.jpg, relative to the article's folder), so that each one resolves inside
    the zip. A name that would leave the article's folder is refused (casepub never writes one)."""
    from casepub.xml.jats import XLINK

    root = etree.fromstring(jats, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                  huge_tree=True))
    names = dict.fromkeys(g.get(f"{{{XLINK}}}href") or "" for g in root.iter("graphic", "inline-graphic"))
    buffer = io.BytesIO()
    stamp = (1980, 1, 1, 0, 0, 0)  # the same bytes for the same files: a rebuild changes nothing
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(f"{name}.xml", stamp), jats, zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo(f"{name}.pdf", stamp), pdf, zipfile.ZIP_STORED)
        for href in names:
            source = (folder / href).resolve()
            if not href or href.startswith("/") or not source.is_relative_to(folder.resolve()):
                raise ValueError(f"a figure outside the article's folder: {href!r}")
            archive.writestr(zipfile.ZipInfo(href, stamp), source.read_bytes(), zipfile.ZIP_STORED)
    return buffer.getvalue()


def _care_checklist(view: ArticleView, places: dict[str, int], pdf: bytes, pdf_path: Path, job: FinishJob) -> None:
    """care-checklist.html beside the article, with the pages as the issue prints them (and recorded beside the
    PDF, for `casepub care`)."""
    from casepub import care

    first = job.placement.first_page
    write_atomic(pdf_path.with_name(pdf_path.stem + care.PAGES_SUFFIX), care.pages_record(view.case, pdf, places, first))
    found = care.checklist(view.case, view.profile, places=places, pdf=pdf_path, first_page=first)
    write_atomic(pdf_path.parent / "care-checklist.html", care.render_checklist(view, found, job.templates))


def _stamp(unnumbered: Path, view: ArticleView, job: FinishJob) -> bytes:
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
    stamp = render_pdf(html, job.out, [], tagged=False)  # not a document: drawn into the article's pages
    with pikepdf.open(unnumbered) as article, pikepdf.open(io.BytesIO(stamp.data)) as numbers:
        if len(article.pages) != len(numbers.pages):
            raise RenderError("the stamp and the article have different page counts")
        for page, overlay in zip(article.pages, numbers.pages):
            # pikepdf's add_overlay, with the stamp marked as a pagination artifact: drawn outside any marked
            # content, it would break the tagged article's PDF/UA (each page: UA-01-003)
            form = article.copy_foreign(overlay.as_form_xobject())
            name = page.add_resource(form, pikepdf.Name.XObject, prefix="Fx")
            draw = page.calc_form_xobject_placement(form, name, pikepdf.Rectangle(page.trimbox), allow_expand=True)
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n" + draw + b"\nEMC\n")
        out = io.BytesIO()
        article.save(out, deterministic_id=True)
        return out.getvalue()


def render_contents(job: ContentsJob) -> ContentsPages:
    """The issue PDF's contents pages, made in a worker, where WeasyPrint is loaded already."""
    from casepub.render.pdf import RenderError, render_pdf

    try:
        pdf = render_pdf(job.html, job.out, [])  # tagged: the articles' trees are merged into it (assemble.py)
    except RenderError as error:
        return ContentsPages(ok=False, error=str(error))
    except Exception as error:  # a bug: the issue PDF is reported as not made (CP204), the articles stand
        return ContentsPages(ok=False, error=f"internal error: {type(error).__name__}: {error}")
    try:
        write_atomic(job.out / ".cache" / "contents.pdf", pdf.data)
    except OutputError as error:
        return ContentsPages(ok=False, error=error.message, unwritten=True, hint=error.hint)
    return ContentsPages(ok=True)


def _unwritten(error: OutputError, folder: Path) -> Diagnostic:
    """An output of the case (or its cache entry) that could not be written: CP102, at its case.md."""
    return error.diagnostic(Location(folder / CASE_FILE))


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
