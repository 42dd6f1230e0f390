"""The article as HTML: a view of the case for the templates, and the Jinja2 environments.

Content comes from the case, wording from the profile, layout from the
template: this module only arranges data (initials, labels, the order of
names, linked Markdown) and never writes a sentence of its own.
"""
from __future__ import annotations

import dataclasses
import datetime
import math
import re
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from markupsafe import Markup, escape

from casepub import licenses
from casepub.citations import FigureIndex
from casepub.diagnostics import Diagnostic, Location
from casepub.images import print_layout
from casepub.model import Affiliation, Author, Case, TimelineEntry
from casepub.naming import RIGHT_TO_LEFT, affiliation_labels, author_initials, script_lang
from casepub.profiles import STORE, Page, Profile, Wording
from casepub.references import ReferenceList, reference_list
from casepub.render.markdown import panel_anchor, plain_inline, render_body, render_inline
from casepub.resources import TEMPLATES

if TYPE_CHECKING:
    from casepub.issue.placement import Placement

_ID = re.compile(r"[^A-Za-z0-9_-]+")
# The body's block tags that nest (html is off in Markdown: every tag here is casepub's own). Linear: a tag's
# attributes stop at the next "<", so each "<" starts at most one scan up to the next.
_BLOCK_TAG = re.compile(r"<(/?+)(table|blockquote|ul|ol|div|section|figure|aside)\b[^<>]*+>")
Panels = dict[tuple[int, int], tuple[str, int, int]]  # (figure, panel) -> (src, width, height)


@dataclass(frozen=True)
class AuthorView:
    author: Author
    name: str
    initials: str
    labels: tuple[str, ...]
    degrees: str
    corresponding: bool = False

    @property
    def orcid(self) -> str | None:
        """The bare ORCID iD (0000-0002-1825-0097), whether the case wrote it so or as its URL."""
        written = (self.author.orcid or "").strip()
        return written.rsplit("/", 1)[-1] or None


@dataclass(frozen=True)
class CorrespondingView:
    """A corresponding author, as the footnote (PDF) and the note under the authors (HTML) print them."""
    name: str
    address: str                      # the first affiliation's postal address, on one line
    email: str
    address_parts: tuple[str, ...] = ()  # its parts, each isolated when printed (an Arabic city, its postal code)


@dataclass(frozen=True)
class AffiliationView:
    affiliation: Affiliation
    label: str

    @property
    def lang(self) -> str | None:
        """"ja" or "ko" where a line has kana or hangul: the whole affiliation then takes that language's Han
        forms (日本 in さいたま市立病院's, not only the line with kana)."""
        a = self.affiliation
        return script_lang(" ".join(part for part in (a.department, *a.name, a.address, a.city, a.region, a.country)
                                    if part))


@dataclass(frozen=True)
class PanelView:
    anchor: str
    label: str
    src: str
    alt: str
    width: int
    height: int
    print_width: float = 0.0  # points across in print (print_layout), rounded down: a row never overflows


@dataclass(frozen=True)
class CaptionView:
    labels: str          # "A", "B–C"
    html: Markup


@dataclass(frozen=True)
class FigureView:
    id: str
    number: int | None   # None when the case has one figure ("Figure.", "Figure A")
    panels: tuple[PanelView, ...]
    captions: tuple[CaptionView, ...]
    rows: tuple[tuple[PanelView, ...], ...] = ()  # the panels, row by row as they print
    print_width: float = 0.0  # points across the widest row in print, centred in the text width


@dataclass(frozen=True)
class ArticleView:
    case: Case
    profile: Profile
    label: str                               # the article type's section label
    title: Markup
    plain_title: str                         # the title without markup: <title>, metadata, contents
    body: Markup
    abstract: Markup | None
    authors: tuple[AuthorView, ...]
    affiliations: tuple[AffiliationView, ...]
    fda_status: Markup | None    # HTML: each product isolated (a right-to-left name cannot reorder the list)
    equal_contributors: tuple[str, ...]
    figures: tuple[FigureView, ...]
    pdf_name: str
    meta: tuple[tuple[str, str], ...]        # (name, content) for <meta> tags
    placement: Placement | None = None       # in an issue build
    corresponding: tuple[CorrespondingView, ...] = ()
    date: datetime.date | None = None        # the publication date: the issue's, the case's, or the render date
    date_source: str = "render-date"         # which: "issue", "case" or "render-date"
    # The complete article (format 2), worded by the profile: _with_front fills them.
    abstract_sections: tuple[AbstractSectionView, ...] = ()
    history: tuple[str, ...] = ()            # "Received 2 March 2026", ... in the wording's order
    license: licenses.License | None = None
    rights: tuple[str, ...] = ()             # the copyright line, then the licence line
    credit: tuple[tuple[str, str], ...] = ()  # (author's name, "Conceptualization, Writing – original draft")
    consent: str | None = None               # the consent statement as printed
    timeline: tuple[TimelineEntry, ...] = ()
    references: ReferenceList | None = None  # the cited references in the profile's CSL style (casepub.references)
    disclosures: tuple[tuple[str, str], ...] = ()  # (the author's initials, or "Author 2" when blinded; disclosure)
    blinded: bool = False                    # a review copy: nothing names the authors or their institutions
    draft_errors: int = 0                    # a draft (render --draft): the errors the case still has


@dataclass(frozen=True)
class AbstractSectionView:
    key: str
    heading: str
    html: Markup


def publication_date(case: Case, placement: Placement | None,
                     today: datetime.date | None = None) -> tuple[datetime.date, str]:
    """The date an article is published on, and where it comes from: the issue's date in an issue build,
    else the case's `date`, else the day it is rendered (a standalone render is published when it is made)."""
    if placement:
        return placement.date, "issue"
    if case.meta.date:
        return case.meta.date, "case"
    if case.meta.dates and case.meta.dates.published:
        return case.meta.dates.published, "case"
    return today or datetime.date.today(), "render-date"


def article_view(case: Case, profile: Profile, panels: Panels, pdf_name: str, placement: Placement | None = None,
                 today: datetime.date | None = None, blind: bool = False) -> ArticleView:
    """Everything the templates show. `panels` maps (figure, panel) to (src, width, height); `today` is the
    render date, the publication date of a case without one (the real date unless given)."""
    meta = case.meta
    labels = affiliation_labels(meta.authors, meta.affiliations, profile.labels.affiliations)
    authors = _authors(meta.authors, labels)
    order = list(labels)
    affiliations = tuple(AffiliationView(a, labels[a.id]) for a in sorted(
        (a for a in meta.affiliations if a.id in labels), key=lambda a: order.index(a.id or "")) if a.id)
    figure_ids = [_ID.sub("-", figure.id or f"fig{index + 1}") for index, figure in enumerate(meta.figures)]
    index = FigureIndex(meta.figures)
    figures = tuple(_figure(case, f, figure_ids[f], index, panels, profile.page) for f in range(len(meta.figures)))
    references = reference_list(case, profile.citation_style)
    date, date_source = publication_date(case, placement, today)
    view = ArticleView(
        case=case, profile=profile, label=profile.article_types[meta.article_type].label,
        title=Markup(render_inline(meta.title or "")), plain_title=plain_inline(meta.title or ""),
        body=Markup(render_body(case.body.text, index, figure_ids, references, section_ids=True)),
        references=references,
        abstract=Markup(render_body(meta.abstract)) if meta.abstract else None,
        authors=authors, affiliations=affiliations, fda_status=_fda_status(case, profile),
        equal_contributors=_equal_contributors(meta.authors, profile),
        figures=figures, pdf_name=pdf_name, meta=(), placement=placement,
        corresponding=_corresponding(meta.authors, meta.affiliations), date=date, date_source=date_source,
    )
    view = _with_front(view)
    view = dataclasses.replace(view, disclosures=tuple((author.initials, author.author.disclosure or "")
                                                       for author in view.authors if author.author.disclosure))
    if blind:
        view = _blinded(view)
    view = _with_meta(view)
    return dataclasses.replace(view, meta=view.meta + _front_meta(view))


def _blinded(view: ArticleView) -> ArticleView:
    """The review copy: no byline, affiliations, correspondence, equal contribution or CRediT statement (so no
    author in the page's metadata either), each disclosure under "Author 1", "Author 2" instead of initials.
    What the text itself still says is the blind-names rule's to point out."""
    disclosures = tuple((fill(view.profile.wording.blinded_author, n=n), text)
                        for n, (_, text) in enumerate(view.disclosures, 1))
    return dataclasses.replace(view, authors=(), affiliations=(), corresponding=(), equal_contributors=(), credit=(),
                               disclosures=disclosures, blinded=True)


def _with_front(view: ArticleView) -> ArticleView:
    """The complete article's front and back matter: abstract sections, history, rights, CRediT, consent."""
    meta, wording = view.case.meta, view.profile.wording
    sections = tuple(AbstractSectionView(key, wording.abstract_sections.get(key, key), Markup(render_body(text)))
                     for key, text in meta.abstract_sections)
    return dataclasses.replace(
        view, abstract_sections=sections, history=_history(view), license=licenses.find(meta.license),
        rights=_rights(view), credit=_credit(view), consent=_consent(view), timeline=meta.timeline)


def _history(view: ArticleView) -> tuple[str, ...]:
    """The dates the profile prints, in its order, each as its wording says ("Received 2 March 2026")."""
    dates, wording = view.case.meta.dates, view.profile.wording
    if dates is None:
        return ()
    lines = []
    for name, text in wording.dates.items():
        day = getattr(dates, name, None)
        if isinstance(day, datetime.date) and text:  # an empty wording: a date the journal does not print
            lines.append(fill(text, date=dated(wording.date_format, day, wording)))
    return tuple(lines)


def _rights(view: ArticleView) -> tuple[str, ...]:
    """The copyright line ("© 2026 The Authors.") and the licence's, with its name and URL."""
    meta, wording = view.case.meta, view.profile.wording
    lines = []
    if meta.copyright and meta.copyright.holder and meta.copyright.year:
        lines.append(fill(wording.copyright_line, year=meta.copyright.year, holder=meta.copyright.holder))
    found = licenses.find(meta.license)
    if found:
        lines.append(fill(wording.license_line, name=found.name, short=found.short, url=found.url, spdx=found.spdx))
    return tuple(lines)


def _credit(view: ArticleView) -> tuple[tuple[str, str], ...]:
    """Each author with roles and their roles, as the CRediT statement prints them (Elsevier's form)."""
    names = view.profile.wording.credit_roles
    return tuple((author.name, ", ".join(names.get(role, role) for role in dict.fromkeys(author.author.roles)))
                 for author in view.authors if author.author.roles)


def _consent(view: ArticleView) -> str | None:
    """The consent as printed: its statement, and for a waived consent the reason, worded by the profile."""
    consent = view.case.meta.consent_given
    if consent is None:
        return None
    parts = [consent.statement or ""]
    if consent.status == "waived" and consent.reason:
        parts.append(fill(view.profile.wording.consent_waived, reason=consent.reason))
    return " ".join(part for part in parts if part) or None


def _front_meta(view: ArticleView) -> tuple[tuple[str, str], ...]:
    """Dublin Core's rights: the licence's URL (a machine can read which licence it is)."""
    return (("DC.rights", view.license.url),) if view.license else ()


def _authors(authors: Sequence[Author], labels: dict[str, str]) -> tuple[AuthorView, ...]:
    initials = author_initials(authors)
    return tuple(
        AuthorView(author, author.display_name, initials[i],
                   tuple(labels[a] for a in author.affiliations if a in labels), ", ".join(author.degrees),
                   author.corresponding and bool(author.email))
        for i, author in enumerate(authors))


def _corresponding(authors: Sequence[Author], affiliations: Sequence[Affiliation]) -> tuple[CorrespondingView, ...]:
    by_id = {a.id: a for a in affiliations}
    views = []
    for author in authors:
        if not (author.corresponding and author.email):
            continue
        first = next((by_id[a] for a in author.affiliations if a in by_id), None)
        parts = _postal_address(first) if first else ()
        views.append(CorrespondingView(author.display_name, ", ".join(parts), author.email, parts))
    return tuple(views)


def _postal_address(affiliation: Affiliation) -> tuple[str, ...]:
    """Department, institution, street, "City Postcode", region, country: printed on one line, comma-separated."""
    city = " ".join(part for part in (affiliation.city, affiliation.postal_code) if part)
    parts = [affiliation.department, *affiliation.name, affiliation.address, city, affiliation.region,
             affiliation.country]
    return tuple(part for part in parts if part)


def _fda_status(case: Case, profile: Profile) -> Markup | None:
    status = case.meta.fda_status
    if status is None:
        return None
    wording = profile.wording.fda_status.get(status.status, status.status)
    before = wording.split("{products}")[0]
    inside = before.count("(") > before.count(")")  # the wording puts the products in parentheses: brackets inside
    products = Markup(", ").join(isolate(p.translate(_BRACKETS) if inside else p) for p in status.products)
    return escape(wording).replace("{products}", products)


# Parentheses inside parentheses print as brackets (AMA Manual of Style 8.5.1; Chicago 6.101):
# "Approved for this indication (vancomycin beads [Stimulan])."
_BRACKETS = str.maketrans("()", "[]")


def _equal_contributors(authors: Sequence[Author], profile: Profile) -> tuple[str, ...]:
    flagged = [a for a in authors if a.equal_contributor]
    if profile.order.equal_contributors == "family-name":
        flagged.sort(key=lambda a: (a.given_family[1].casefold(), a.given_family[0].casefold()))
    return tuple(a.display_name for a in flagged)


def _figure(case: Case, f: int, figure_id: str, index: FigureIndex, panels: Panels, page: Page) -> FigureView:
    figure = case.meta.figures[f]
    labels = index.labels[f]
    placed = [panels[(f, p)] for p in range(len(figure.panels))]
    layout = print_layout([(width, height) for _, width, height in placed], page)
    views = []
    for p, panel in enumerate(figure.panels):
        src, width, height = placed[p]
        views.append(PanelView(panel_anchor(figure_id, labels[p]), labels[p], src, panel.alt or "", width, height,
                               _floor(layout.places[p].width)))
    order = {label: position for position, label in enumerate(labels)}
    keyed = sorted(figure.caption.items(), key=lambda item: order[index.caption_key(f, item[0])[0]])
    captions = tuple(CaptionView(caption_label(key), Markup(render_inline(text)))
                     for key, text in keyed)
    rows = tuple(tuple(views[p] for p in row) for row in layout.rows)
    return FigureView(figure_id, f + 1 if len(case.meta.figures) > 1 else None, tuple(views), captions,
                      rows, math.ceil(layout.width * 100) / 100)


def _floor(points: float) -> float:
    """Points to two decimals, rounded down: a row of panels never adds up to more than the text width."""
    return math.floor(points * 100) / 100


# The spaces before a dash or separator from the start of their run only ((?<!\s)): `\s*` would read a long
# run of spaces again from each of its spaces (quadratic); the matches are the same.
_KEY_RANGE = re.compile(r"(?:(?<!\s)\s++)?[-–—]\s*+")
_KEY_LIST = re.compile(r"(?:(?<!\s)\s++)?(,|&|\band\b)\s*+")


def caption_label(key: str) -> str:
    """A caption key as printed: as written, with an en dash in ranges ("B-C" -> "B–C", "A, D" -> "A, D",
    "A and C-D" -> "A and C–D"): never a range the author did not write."""
    listed = _KEY_LIST.sub(lambda m: ", " if m.group(1) == "," else f" {m.group(1)} ", key.strip())
    return _KEY_RANGE.sub("–", listed)


def _with_meta(view: ArticleView) -> ArticleView:
    """Google Scholar / Highwire Press tags, and the plain tags WeasyPrint reads for PDF metadata."""
    meta, profile, tags = view.case.meta, view.profile, []
    tags.append(("citation_title", view.plain_title))
    affiliations = {a.label: a.affiliation for a in view.affiliations}
    for author in view.authors:
        tags.append(("citation_author", author.name))
        tags += [("citation_author_institution", _institution(affiliations[label])) for label in author.labels]
        if author.author.orcid:
            tags.append(("citation_author_orcid", author.author.orcid))
        if author.author.corresponding and author.author.email:
            tags.append(("citation_author_email", author.author.email))
    tags.append(("citation_journal_title", profile.name))
    tags += [(name, value) for name, value in (("citation_journal_abbrev", profile.short_name),
                                               ("citation_issn", profile.issn),
                                               ("citation_publisher", profile.publisher)) if value]
    placement = view.placement
    if view.date:  # Google Scholar requires it; the template says where it comes from (casepub-date-source)
        tags.append(("citation_publication_date", f"{view.date.year:04d}/{view.date.month:02d}/{view.date.day:02d}"))
    if view.date and view.date_source != "render-date":  # the PDF's creation date: not the day of a draft render
        tags.append(("dcterms.created", view.date.isoformat()))
    if placement:
        tags += [("citation_volume", str(placement.volume)), ("citation_issue", str(placement.issue)),
                 ("citation_firstpage", str(placement.first_page)), ("citation_lastpage", str(placement.last_page))]
    doi = (placement.doi if placement else None) or meta.doi
    if doi:
        tags.append(("citation_doi", doi))
    tags.append(("citation_pdf_url", view.pdf_name))
    tags.append(("citation_language", meta.lang))
    tags += [("citation_keywords", keyword) for keyword in meta.keywords]
    tags += [("citation_reference", entry.plain) for entry in (view.references.entries if view.references else ())]
    tags += [("author", author.name) for author in view.authors]
    article_type = profile.article_types[meta.article_type].name
    tags.append(("description", f"{article_type}: {view.plain_title}"))
    tags.append(("keywords", ", ".join(meta.keywords or (article_type, profile.name))))
    return dataclasses.replace(view, meta=tuple(tags))


def _institution(affiliation: Affiliation) -> str:
    parts = [affiliation.department, *affiliation.name, affiliation.city, affiliation.country]
    return ", ".join(part for part in parts if part)


def join_names(names: Iterable[str], and_word: str = "and") -> Markup:
    """("A", "B") -> "A and B"; ("A", "B", "C") -> "A, B, and C"; each name isolated (`isolate`), so that two
    right-to-left names cannot swap places around the comma between them."""
    isolated = [isolate(name) for name in names]
    if len(isolated) <= 2:
        return escape(f" {and_word} ").join(isolated)
    return Markup("{}, {} {}").format(Markup(", ").join(isolated[:-1]), and_word, isolated[-1])


def isolate(text: str) -> Markup:
    """A value printed among other words, as HTML: right-to-left text (Arabic, Hebrew) in <bdi>, so that it
    cannot reorder what is around it (a comma and the next name, a degree, a postal code); text with kana or
    hangul tagged lang="ja" or "ko", so that its Han characters take that language's forms. Anything else is
    only escaped. (WeasyPrint lays out each inline element on its own, so the element isolates in the PDF
    as <bdi> does in a browser.)"""
    text = str(text)
    right_to_left = not text.isascii() and RIGHT_TO_LEFT.search(text) is not None
    lang = script_lang(text)
    if not (right_to_left or lang):
        return escape(text)
    tag = "bdi" if right_to_left else "span"
    if lang:
        return Markup('<{0} lang="{1}">{2}</{0}>').format(Markup(tag), lang, text)
    return Markup("<{0}>{1}</{0}>").format(Markup(tag), text)


@dataclass(frozen=True)
class ColumnRun:
    """A part of the body in print: a top-level wide table (`wide`) or the text between them; `continued` when
    text came before it (its section numbers count on, its first paragraph is indented). `figures`: the ids of
    the figures printed after it, across both columns (those first cited in it; the last run also takes those
    never cited)."""
    html: Markup
    wide: bool = False
    continued: bool = False
    figures: tuple[str, ...] = ()


_LINK_TARGET = re.compile(r'href="#([^"]++)"')
_TOP_BLOCK = re.compile(r"<(/?+)(p|h[1-6]|table|blockquote|ul|ol|dl|div|section|figure|aside|pre)\b[^<>]*+>")


def column_runs(body: str, split: bool = True, figures: Sequence[str] = ()) -> list[ColumnRun]:
    """The body cut for print: around each of its top-level wide tables, and after the top-level block (a
    paragraph, a list, a table) that first cites each of `figures` (by a link to it or to one of its panels),
    which prints there. Each run is a direct child of the two-column box, so that a wide table's or a figure's
    `column-span: all` works: WeasyPrint spans only a multicol box's own children (Kozea/WeasyPrint#980). The
    last run is never wide. A body not `split` (on screen, one column) is one run, itself; a wide table in a
    quote or a list stays in its column."""
    if not split:
        return [ColumnRun(Markup(body))]
    cited = dict.fromkeys(figures, len(body))  # never cited: after the last run
    for link in _LINK_TARGET.finditer(body):  # the first link to the figure or to one of its panels (<id>-<letter>)
        target = link.group(1)
        for figure, at in cited.items():
            if at == len(body) and (target == figure or target.startswith(figure + "-")):
                cited[figure] = link.start()
    parts: list[tuple[str, bool, tuple[str, ...]]] = []
    depth, start, block_start, wide = 0, 0, 0, False
    for match in _TOP_BLOCK.finditer(body):
        if not match.group(1):
            if depth == 0:
                block_start = match.start()
                wide = match.group(2) == "table" and 'class="wide"' in match.group(0)
            depth += 1
            continue
        depth = max(0, depth - 1)
        if depth:
            continue
        end = match.end()
        placed = tuple(figure for figure, at in cited.items() if at < end)
        if wide:
            block_start = block_start if body[start:block_start].strip() else start  # no run of white space alone
            parts += [(body[start:block_start], False, ()), (body[block_start:end], True, placed)]
        elif placed:
            parts.append((body[start:end], False, placed))
        else:
            continue
        start = end
        for figure in placed:
            del cited[figure]
    parts = [part for part in parts if part[0] or part[2]] + [(body[start:], False, tuple(cited))]
    return [ColumnRun(Markup(html), wide, not wide and any(not w and h.strip() for h, w, _ in parts[:n]), placed)
            for n, (html, wide, placed) in enumerate(parts)]


def css_string(text: str) -> Markup:
    """A CSS string literal: quotes, backslashes and line breaks escaped, nothing else can close it."""
    escaped = "".join(c if c.isalnum() or c in " .,:;-'()&" else f"\\{ord(c):06x}" for c in str(text))
    return Markup(f'"{escaped}"')


@dataclass(frozen=True)
class House:
    """What a journal's pages other than its articles share: its wording, its template folder (and so its
    theme.css) and its language; for the build index and the issue build's report."""
    wording: Wording
    template: str = "base"
    lang: str = "en"


def house(journal: str | None = None, beside: str | Path | None = None) -> House:
    """The house of the journal profile `journal`; `beside` is a case folder or a manifest, whose folder may
    hold journals/<id>.yaml. casepub's own wording (English) for no journal or one that cannot be loaded."""
    if journal:
        local = Path(beside) if beside else None
        if local is not None and local.is_file():
            local = local.parent
        profile = STORE.get(journal, local).profile
        if profile is not None:
            return House(profile.wording, profile.template, profile.lang)
    return House(Wording())


def fill(text: str, **values: object) -> str:
    """A wording with its placeholders filled: "Volume {volume}" -> "Volume 26". Only the names given
    are replaced (no str.format: a profile's text cannot reach attributes)."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def dated(text: str, date: datetime.date, wording: Wording, **values: object) -> str:
    """A wording with a date in it: {month} by name from the wording (never the locale's strftime("%B")),
    {year} and {day}, and the other placeholders given."""
    return fill(text, month=wording.month(date), year=date.year, day=date.day, **values)


@lru_cache(maxsize=16)
def environment(template: str, user_templates: Path | None = None) -> Environment:
    """The Jinja2 environment for a journal's template folder, made once per process.

    Search path: the user's --templates folder, templates/<journal>/, templates/base/;
    an override extends the template it replaces as "base/<name>". Autoescape is on
    for every template, whatever its name (select_autoescape would skip *.html.j2).
    """
    search: list[BaseLoader] = [FileSystemLoader(str(user_templates))] if user_templates else []
    folders = {folder.name: FileSystemLoader(str(folder)) for folder in TEMPLATES.iterdir() if folder.is_dir()}
    search += [FileSystemLoader(str(TEMPLATES / template)), FileSystemLoader(str(TEMPLATES / "base")),
               PrefixLoader(folders)]  # "base/article.html.j2"; "<journal>/theme.css" for the report's theme
    env = Environment(loader=ChoiceLoader(search), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["join_names"] = join_names
    env.filters["isolate"] = isolate
    env.filters["css_string"] = css_string
    env.filters["column_runs"] = column_runs
    env.globals["house"] = house
    env.filters["fill"] = fill
    env.filters["dated"] = dated
    return env


def render_html(view: ArticleView, user_templates: Path | None = None, for_print: bool = False,
                numbered: bool = True) -> str:
    """The article page; `for_print` adds print.css, the paged media only WeasyPrint reads (page size,
    running header, page numbers), which the published HTML leaves out so that it validates.
    Issue builds render `numbered=False` and stamp the issue's page numbers on afterwards."""
    print_css = None
    if for_print:
        print_css = Markup(_template(view, "print.css", user_templates).render(article=view, numbered=numbered))
    return _template(view, "article.html.j2", user_templates).render(article=view, print_css=print_css,
                                                                     for_print=for_print)


def _template(view: ArticleView, name: str, user_templates: Path | None) -> Template:
    folder = view.profile.article_types[view.case.meta.article_type].template or view.profile.template
    return environment(folder, user_templates).get_template(name)


def template_problem(error: TemplateError) -> Diagnostic:
    """A template that cannot be used, as a diagnostic at its file and line: from the error for a syntax
    error, else from the innermost template frame of the traceback (Jinja2 names its frames after them)."""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not filename:
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.endswith((".j2", ".css")):
                filename, line = frame.filename, frame.lineno
                break
    kind = ("has a syntax error" if isinstance(error, TemplateSyntaxError) else "is missing"
            if isinstance(error, TemplateNotFound) else "cannot be rendered")
    return Diagnostic("CP104", f"a template {kind}: {error.message or type(error).__name__}",
                      Location(Path(filename or "templates"), line or 1),
                      "correct the template; a folder given with --templates is searched before casepub's own")
