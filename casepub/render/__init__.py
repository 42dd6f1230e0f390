"""Render checked cases: HTML always, PDF when asked, written atomically under the output folder.

    build/<case>/index.html       the article page
    build/<case>/<case>.pdf       the print PDF
    build/<case>-blinded/         with --blind: the review copy (index.html, <case>-blinded.pdf), naming no
                                  author or institution
    build/<case>/<case>.docx      the submission manuscript (--to docx; casepub/docx.py), its figures beside it
                                  as <case>-figure-1A.<ext>
    build/<case>/<case>.xml       the article as JATS 1.3 (--to jats; casepub/xml/jats.py), validated; its
                                  figures are the panels' own files, figures/source-<digest>.<ext>
    build/<case>/figures/         the panels, normalised for print (content-addressed names)
    build/<case>/care-checklist.html, <case>.pages.json
                                  for an article type that follows CARE: the checklist filled in (casepub/care.py),
                                  and the page each part of the PDF starts on
    build/.cache/panels/          the normalisation cache, shared by all cases

The steps are public because issue builds run them apart: prepare_article
(check, then place the panels), then article_pdf.

An output that cannot be written (casepub/write.py: read-only, full, a file in
the way, no permission) is a CP102 diagnostic on the case, located at its
case.md; the files written before are left whole. The panel cache is only an
optimisation: when it cannot be written, panels are placed from memory.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import TemplateError

from casepub import limits
from casepub.check import check_case, out_of_time
from casepub.diagnostics import Diagnostic, Location, sort_key
from casepub.images import ImageProblem
from casepub.limits import RENDER_SECONDS, OutOfTime
from casepub.model import Case
from casepub.profiles import STORE, Profile, ProfileStore
from casepub.render.html import ArticleView, article_view, environment, render_html, template_problem
from casepub.render.panels import PrintSettings, prepare
from casepub.resources import TEMPLATES
from casepub.write import OutputError, copy_atomic, write_atomic

if TYPE_CHECKING:
    from casepub.render.pdf import Pdf

FORMATS = ("html", "pdf")
Panels = dict[tuple[int, int], tuple[str, int, int]]  # (figure, panel) -> (src, width, height)


@dataclass(frozen=True)
class Rendered:
    folder: Path
    diagnostics: list[Diagnostic]
    name: str = ""                  # the output folder's name: the case folder's real name
    outputs: dict[str, Path] = field(default_factory=dict)
    pages: int | None = None
    seconds: float = 0.0
    title: str = ""
    authors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.outputs) and not any(d.is_error for d in self.diagnostics)


@dataclass(frozen=True)
class Prepared:
    """A case that passed its checks, with its panels placed in its output folder."""
    case: Case
    profile: Profile
    diagnostics: list[Diagnostic]   # warnings
    panels: Panels
    target: Path                    # the case's output folder


def prepare_article(folder: Path, out: Path, *, name: str | None = None, profiles: ProfileStore = STORE,
                    print_panels: bool = True, blind: bool = False, draft: bool = False) -> Prepared | list[Diagnostic]:
    """Check a case and place its panels under out/<name>/figures (normalised for print and screen; with
    `print_panels` False, the panel files as given: for the JATS XML alone); its diagnostics when it has
    errors."""
    checked = check_case(folder, profiles, blind=blind)
    if (checked.errors and not draft) or checked.case is None or checked.profile is None:
        return checked.diagnostics
    case, profile = checked.case, checked.profile
    target = out / (name or (f"{case.name}-blinded" if blind else case.name))
    if target.resolve() == case.folder.resolve():
        return checked.diagnostics + [Diagnostic(
            "CP102", f"cannot write into {target}: it is the case folder itself, and the outputs (index.html, the "
            "PDF, figures/) would overwrite the case's own files", Location(case.file),
            "write the outputs somewhere else, e.g. -o build (the default)")]
    try:
        panels, problems = (place_panels(case, profile, target, out / ".cache" / "panels") if print_panels
                            else place_originals(case, profile, target))
        if draft:  # a panel that cannot be used prints as a grey stand-in (its problem is listed already)
            panels = {**_stand_ins(case, target), **panels}
    except OutputError as error:
        return sorted(checked.diagnostics + [unwritten(error, case)], key=sort_key)
    if problems and not draft:
        return sorted(checked.diagnostics + problems, key=sort_key)
    return Prepared(case, profile, checked.diagnostics, panels, target)


def article_pdf(prepared: Prepared, view: ArticleView, templates: Path | None, *,
                numbered: bool = True) -> Pdf | Diagnostic:
    """The article's PDF (imports WeasyPrint), or a diagnostic saying why it could not be made."""
    from casepub.render.pdf import RenderError, render_pdf

    roots = [prepared.target / "figures", TEMPLATES] + ([templates] if templates else [])
    try:
        return render_pdf(render_html(view, templates, for_print=True, numbered=numbered), prepared.target, roots)
    except RenderError as error:
        return Diagnostic("CP100", f"the PDF could not be made: {error}",
                          prepared.case.where(()), "see the message; the previous PDF was kept")


def render_case(folder: Path, out: Path, *, formats: Sequence[str] = FORMATS, templates: Path | None = None,
                profiles: ProfileStore = STORE, time_limit: float | None = RENDER_SECONDS,
                blind: bool = False, draft: bool = False) -> Rendered:
    """Check a case and, when it has no errors, write its HTML (and PDF) under out/<case name>/; `blind`: the
    review copy, under out/<case name>-blinded/, naming no author or institution (html and pdf only); `draft`:
    a case with errors is rendered too, marked DRAFT on every page (its errors are still reported).
    Work stops after `time_limit` seconds with a CP103 diagnostic (the outputs written before are whole)."""
    started = time.perf_counter()
    folder, out = Path(folder), Path(out)
    try:
        with limits.time_limit(time_limit):
            return _render_case(folder, out, formats, templates, profiles, started, blind, draft)
    except OutOfTime as stop:
        return Rendered(folder, [out_of_time(folder, stop.during("rendering"), "rendering")],
                        folder.resolve().name, seconds=time.perf_counter() - started)


def _render_case(folder: Path, out: Path, formats: Sequence[str], templates: Path | None, profiles: ProfileStore,
                 started: float, blind: bool = False, draft: bool = False) -> Rendered:
    with limits.step("checking the case and preparing its panels"):
        prepared = prepare_article(folder, out, profiles=profiles, print_panels=bool({"html", "pdf"} & set(formats)),
                                   blind=blind, draft=draft)
    if not isinstance(prepared, Prepared):
        return Rendered(folder, prepared, folder.resolve().name, seconds=time.perf_counter() - started)
    case = prepared.case
    pdf_name = f"{prepared.target.name}.pdf"
    errors = sum(d.is_error for d in prepared.diagnostics)
    try:
        view = article_view(case, prepared.profile, prepared.panels, pdf_name, blind=blind)
    except Exception as error:
        if not errors:
            raise  # a bug: reported as such by the caller
        stop = Diagnostic("CP107", f"the draft could not be made: {type(error).__name__}: {error}", case.where(()),
                          "correct the errors listed, then render the draft again")
        return Rendered(case.folder, prepared.diagnostics + [stop], case.name)
    if errors:
        view = dataclasses.replace(view, draft_errors=errors)
    outputs, pages, made = {}, None, None
    try:
        if "pdf" in formats:
            with limits.step("making the PDF"):
                pdf = article_pdf(prepared, view, templates)
            if isinstance(pdf, Diagnostic):
                return Rendered(case.folder, prepared.diagnostics + [pdf], case.name)
            outputs["pdf"], pages, made = write_atomic(prepared.target / pdf_name, pdf.data), pdf.pages, pdf
        if "jats" in formats:
            from casepub.xml.jats import checked_jats

            with limits.step("making the JATS XML"):
                graphics, problems = (place_originals(case, prepared.profile, prepared.target) if
                                      {"html", "pdf"} & set(formats) else (prepared.panels, []))
                jats = problems[0] if problems else checked_jats(view, graphics)
            if isinstance(jats, Diagnostic):
                return Rendered(case.folder, prepared.diagnostics + [jats], case.name, outputs, pages)
            outputs["jats"] = write_atomic(prepared.target / f"{case.name}.xml", jats)
        if "docx" in formats:
            from casepub.docx import write_manuscript

            with limits.step("making the DOCX"):
                originals, problems = (place_originals(case, prepared.profile, prepared.target) if
                                       {"html", "pdf"} & set(formats) else (prepared.panels, []))
                if problems:
                    return Rendered(case.folder, prepared.diagnostics + problems[:1], case.name, outputs, pages)
                outputs["docx"] = write_manuscript(view, originals, prepared.target, case.name)[0]
        if "html" in formats:
            with limits.step("making the HTML"):
                html = render_html(view, templates)
            outputs["html"] = write_atomic(prepared.target / "index.html", html)
        if (prepared.profile.article_types[case.meta.article_type].checklist == "care" and not blind
                and {"html", "pdf"} & set(formats)):
            with limits.step("making the CARE checklist"):
                outputs["care"] = _care_checklist(prepared, view, made, templates)
    except OutputError as error:
        return Rendered(case.folder, prepared.diagnostics + [unwritten(error, case)], case.name,
                        seconds=time.perf_counter() - started)
    except TemplateError as error:  # a template of the journal's or of --templates
        return Rendered(case.folder, prepared.diagnostics + [template_problem(error)], case.name,
                        seconds=time.perf_counter() - started)
    return Rendered(case.folder, prepared.diagnostics, case.name, outputs, pages, time.perf_counter() - started,
                    view.plain_title or case.name, tuple(a.display_name for a in case.meta.authors))


def _care_checklist(prepared: Prepared, view: ArticleView, pdf: Pdf | None, templates: Path | None) -> Path:
    """care-checklist.html beside the article, with the pages of the PDF just made (recorded beside it, for
    `casepub care`), or of the one made before when it is still current (--to html)."""
    from casepub import care

    case, pdf_path = prepared.case, prepared.target / view.pdf_name
    if pdf is not None:
        write_atomic(pdf_path.with_name(pdf_path.stem + care.PAGES_SUFFIX), care.pages_record(case, pdf.data, pdf.places))
        found = care.checklist(case, prepared.profile, places=pdf.places, pdf=pdf_path)
    else:
        found = care.checklist(case, prepared.profile, prepared.target.parent)
    return write_atomic(prepared.target / "care-checklist.html", care.render_checklist(view, found, templates))


def place_panels(case: Case, profile: Profile, target: Path, cache: Path) -> tuple[Panels, list[Diagnostic]]:
    """Normalise each panel (once, cached) and place it in the case's output folder."""
    images = profile.images
    settings = PrintSettings(images.print_width, images.print_dpi, images.jpeg_quality, images.max_pixels,
                             images.max_bytes)
    placed, problems = {}, []
    for f, figure in enumerate(case.meta.figures):
        for p, panel in enumerate(figure.panels):
            try:
                prepared = prepare(case.folder, panel.image or "", settings, cache, panel.levels)
            except ImageProblem as problem:
                where = case.where(("figures", f, "panels", p, "image"))
                problems.append(Diagnostic("CP101", f"panel image: {problem.reason}", where, problem.hint))
                continue
            source = prepared.path or prepared.data  # the data when the cache could not be written (panels.py)
            assert source is not None
            copy_atomic(source, target / "figures" / prepared.name)
            placed[(f, p)] = (f"figures/{prepared.name}", prepared.width, prepared.height)
    return placed, problems


def _stand_ins(case: Case, target: Path) -> Panels:
    """A grey panel for every panel of a draft: what prints where a panel could not be placed."""
    import io

    from PIL import Image

    data = io.BytesIO()
    Image.new("L", (600, 400), 200).save(data, format="PNG")
    name = "draft-missing-panel.png"
    copy_atomic(data.getvalue(), target / "figures" / name)
    return {(f, p): (f"figures/{name}", 600, 400)
            for f, figure in enumerate(case.meta.figures) for p in range(len(figure.panels))}


def place_originals(case: Case, profile: Profile, target: Path) -> tuple[Panels, list[Diagnostic]]:
    """Each panel's own file, as the author gave it (the check verified it), copied into the case's output
    folder under a name from its content (figures/source-<digest>.<ext>): what the JATS XML links to, at full
    resolution for an archive. Reads only what the check read: no decoding, so JATS alone is quick."""
    import hashlib

    from casepub.images import identify
    from casepub.load.files import UnsafePath, read_inside

    placed, problems = {}, []
    for f, figure in enumerate(case.meta.figures):
        for p, panel in enumerate(figure.panels):
            where = case.where(("figures", f, "panels", p, "image"))
            try:
                data = read_inside(case.folder, panel.image or "", profile.images.max_bytes)
                info = identify(data, panel.image or "", profile.images.max_pixels)
            except (UnsafePath, ImageProblem) as problem:
                reason = getattr(problem, "reason", str(problem))
                problems.append(Diagnostic("CP101", f"panel image: {reason}", where, getattr(problem, "hint", "")))
                continue
            suffix = Path(panel.image or "").suffix.lower() or ".img"
            name = f"source-{hashlib.sha256(data).hexdigest()[:20]}{suffix if suffix.isascii() else '.img'}"
            copy_atomic(data, target / "figures" / name)
            placed[(f, p)] = (f"figures/{name}", info.width, info.height)
    return placed, problems


def unwritten(error: OutputError, case: Case) -> Diagnostic:
    """An output of the case that could not be written: CP102, at its case.md."""
    return error.diagnostic(Location(case.file))


def render_index(results: Sequence[Rendered], out: Path, source: Path) -> Path:
    """build/index.html: every case, linked, with its status; a case that was not rendered with its error
    count, its first error and the command that lists them all (a folder build writes no report). In the
    words and theme of the cases' journal when they share one, else casepub's own. OutputError when it
    cannot be written."""
    from casepub.load.case import load_case
    from casepub.render.html import house

    journals: set[tuple[str, Path] | None] = set()
    for result in results:
        loaded = load_case(result.folder)
        journals.add((loaded.case.meta.journal, result.folder.parent) if loaded.case else None)
    common = journals.pop() if len(journals) == 1 else None
    look = house(*common) if common else house()
    template = environment(look.template).get_template("index.html.j2")
    page = template.render(source=str(source), results=results, out=out, look=look)
    return write_atomic(out / "index.html", page)
