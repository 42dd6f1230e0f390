"""The article as HTML: a view of the case for the templates, and the Jinja2 environments.

Content comes from the case, wording from the profile, layout from the
template: this module only arranges data (initials, labels, the order of
names, linked Markdown) and never writes a sentence of its own.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined
from markupsafe import Markup

from casepub.citations import FigureIndex
from casepub.model import Affiliation, Author, Case
from casepub.naming import affiliation_labels, author_initials
from casepub.profiles import Profile
from casepub.render.markdown import panel_anchor, plain_inline, render_body, render_inline
from casepub.resources import TEMPLATES

if TYPE_CHECKING:
    from casepub.issue.placement import Placement

_ID = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class AuthorView:
    author: Author
    name: str
    initials: str
    labels: tuple[str, ...]
    degrees: str


@dataclass(frozen=True)
class AffiliationView:
    affiliation: Affiliation
    label: str


@dataclass(frozen=True)
class PanelView:
    anchor: str
    label: str
    src: str
    alt: str
    width: int
    height: int


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
    fda_status: str | None
    equal_contributors: tuple[str, ...]
    figures: tuple[FigureView, ...]
    pdf_name: str
    meta: tuple[tuple[str, str], ...]        # (name, content) for <meta> tags
    placement: Placement | None = None       # in an issue build


def article_view(case: Case, profile: Profile, panels: dict[tuple[int, int], tuple[str, int, int]],
                 pdf_name: str, placement: Placement | None = None) -> ArticleView:
    """Everything the templates show. `panels` maps (figure, panel) to (src, width, height)."""
    meta = case.meta
    labels = affiliation_labels(meta.authors, meta.affiliations, profile.labels.affiliations)
    authors = _authors(meta.authors, labels)
    affiliations = tuple(AffiliationView(a, labels[a.id]) for a in sorted(
        (a for a in meta.affiliations if a.id in labels), key=lambda a: list(labels).index(a.id)))
    figure_ids = [_ID.sub("-", figure.id or f"fig{index + 1}") for index, figure in enumerate(meta.figures)]
    index = FigureIndex(meta.figures)
    figures = tuple(_figure(case, f, figure_ids[f], index, panels) for f in range(len(meta.figures)))
    view = ArticleView(
        case=case, profile=profile, label=profile.article_types[meta.article_type].label,
        title=Markup(render_inline(meta.title or "")), plain_title=plain_inline(meta.title or ""),
        body=Markup(render_body(case.body.text, index, figure_ids)),
        abstract=Markup(render_body(meta.abstract)) if meta.abstract else None,
        authors=authors, affiliations=affiliations, fda_status=_fda_status(case, profile),
        equal_contributors=_equal_contributors(meta.authors, profile),
        figures=figures, pdf_name=pdf_name, meta=(), placement=placement,
    )
    return _with_meta(view)


def _authors(authors, labels: dict[str, str]) -> tuple[AuthorView, ...]:
    initials = author_initials(authors)
    return tuple(
        AuthorView(author, author.display_name, initials[i],
                   tuple(labels[a] for a in author.affiliations if a in labels), ", ".join(author.degrees))
        for i, author in enumerate(authors))


def _fda_status(case: Case, profile: Profile) -> str | None:
    status = case.meta.fda_status
    if status is None:
        return None
    wording = profile.wording.fda_status.get(status.status, status.status)
    return wording.replace("{products}", ", ".join(status.products))


def _equal_contributors(authors, profile: Profile) -> tuple[str, ...]:
    flagged = [a for a in authors if a.equal_contributor]
    if profile.order.equal_contributors == "family-name":
        flagged.sort(key=lambda a: (a.given_family[1].casefold(), a.given_family[0].casefold()))
    return tuple(a.display_name for a in flagged)


def _figure(case: Case, f: int, figure_id: str, index: FigureIndex, panels) -> FigureView:
    figure = case.meta.figures[f]
    labels = index.labels[f]
    views = []
    for p, panel in enumerate(figure.panels):
        src, width, height = panels[(f, p)]
        views.append(PanelView(panel_anchor(figure_id, labels[p]), labels[p], src, panel.alt or "", width, height))
    order = {label: position for position, label in enumerate(labels)}
    keyed = sorted(figure.caption.items(), key=lambda item: order[index.caption_key(f, item[0])[0]])
    captions = tuple(CaptionView(_range_label(index.caption_key(f, key)), Markup(render_inline(text)))
                     for key, text in keyed)
    return FigureView(figure_id, f + 1 if len(case.meta.figures) > 1 else None, tuple(views), captions)


def _range_label(labels: tuple[str, ...]) -> str:
    """(B, C) -> "B–C"; (A,) -> "A"."""
    return labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"


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
    date = placement.date if placement else meta.date
    if date:
        tags.append(("citation_publication_date", date.strftime("%Y/%m/%d")))
        tags.append(("dcterms.created", date.isoformat()))
    if placement:
        tags += [("citation_volume", str(placement.volume)), ("citation_issue", str(placement.issue)),
                 ("citation_firstpage", str(placement.first_page)), ("citation_lastpage", str(placement.last_page))]
    doi = (placement.doi if placement else None) or meta.doi
    if doi:
        tags.append(("citation_doi", doi))
    tags.append(("citation_pdf_url", view.pdf_name))
    tags.append(("citation_language", meta.lang))
    tags += [("citation_keywords", keyword) for keyword in meta.keywords]
    tags += [("author", author.name) for author in view.authors]
    article_type = profile.article_types[meta.article_type].name
    tags.append(("description", f"{article_type}: {view.plain_title}"))
    tags.append(("keywords", ", ".join(meta.keywords or (article_type, profile.name))))
    return dataclasses.replace(view, meta=tuple(tags))


def _institution(affiliation: Affiliation) -> str:
    parts = [affiliation.department, *affiliation.name, affiliation.city, affiliation.country]
    return ", ".join(part for part in parts if part)


def join_names(names, and_word: str = "and") -> str:
    """("A", "B") -> "A and B"; ("A", "B", "C") -> "A, B, and C"."""
    names = list(names)
    if len(names) <= 2:
        return f" {and_word} ".join(names)
    return f"{', '.join(names[:-1])}, {and_word} {names[-1]}"


def css_string(text: str) -> Markup:
    """A CSS string literal: quotes, backslashes and line breaks escaped, nothing else can close it."""
    escaped = "".join(c if c.isalnum() or c in " .,:;-'()&" else f"\\{ord(c):06x}" for c in str(text))
    return Markup(f'"{escaped}"')


@lru_cache(maxsize=16)
def environment(template: str, user_templates: Path | None = None) -> Environment:
    """The Jinja2 environment for a journal's template folder, made once per process.

    Search path: the user's --templates folder, templates/<journal>/, templates/base/;
    an override extends the template it replaces as "base/<name>". Autoescape is on
    for every template, whatever its name (select_autoescape would skip *.html.j2).
    """
    search = [FileSystemLoader(str(user_templates))] if user_templates else []
    search += [FileSystemLoader(str(TEMPLATES / template)), FileSystemLoader(str(TEMPLATES / "base")),
               PrefixLoader({"base": FileSystemLoader(str(TEMPLATES / "base"))})]
    env = Environment(loader=ChoiceLoader(search), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["join_names"] = join_names
    env.filters["css_string"] = css_string
    return env


def render_html(view: ArticleView, user_templates: Path | None = None, for_print: bool = False,
                numbered: bool = True) -> str:
    """The article page; `for_print` adds print.css, the paged media only WeasyPrint reads (page size,
    running header, page numbers), which the published HTML leaves out so that it validates.
    Issue builds render `numbered=False` and stamp the issue's page numbers on afterwards."""
    print_css = None
    if for_print:
        print_css = Markup(_template(view, "print.css", user_templates).render(article=view, numbered=numbered))
    return _template(view, "article.html.j2", user_templates).render(article=view, print_css=print_css)


def _template(view: ArticleView, name: str, user_templates: Path | None):
    folder = view.profile.article_types[view.case.meta.article_type].template or view.profile.template
    return environment(folder, user_templates).get_template(name)
