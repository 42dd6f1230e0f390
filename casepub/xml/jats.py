"""An article as JATS 1.3 Journal Publishing XML, built from what the HTML shows (its ArticleView).

Valid by construction: every element is made with lxml (text is text: nothing
in a case can add an element or an attribute), in the order the Journal
Publishing DTD asks for, and text is cleaned of what XML 1.0 cannot hold
(control characters, unpaired surrogates, U+FFFE/FFFF). The body, abstract and
captions are the HTML casepub renders, turned element by element into JATS
(body_jats): the same words in the same order, by construction; the citations
are the same links (a figure's panels, a table, a reference).

Where things go (see docs/jats.md):
- authors: one `contrib` each (name, degrees, ORCID, CRediT roles with NISO's
  vocabulary, an `xref` to every affiliation, equal-contrib, corresp); one
  `aff` per affiliation; `author-notes` with the correspondence, the
  equal-contribution note and one `fn fn-type="coi-statement"` (so JATS 1.3
  spells it) holding every author's disclosure and the conflict statement;
- the FDA device/drug status: `custom-meta` "fda-status" in article-meta (JATS
  has no element for it, and custom-meta is what JATS4R and PMC read for
  journal-specific metadata);
- funding: `funding-group/funding-statement`; the patient's consent:
  `back/fn-group/fn fn-type="other"` (id "consent");
- figures: one `fig` each in `floats-group`, its label and caption, one
  `graphic` per panel (the panel's letter as its label, its alt text); a
  citation of panels links to the panel's graphic;
- references: `back/ref-list`, each a `citation-alternatives` of an `element-citation` from its CSL-JSON
  and the `mixed-citation` the journal's style printed (the HTML's words, exactly).
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from lxml import etree, html

from casepub.diagnostics import Diagnostic
from casepub.naming import family_first, given_family
from casepub.render.html import ArticleView, join_names

XLINK = "http://www.w3.org/1999/xlink"
ALI = "http://www.niso.org/schemas/ali/1.0/"
MML = "http://www.w3.org/1998/Math/MathML"
NSMAP = {"xlink": XLINK, "ali": ALI, "mml": MML}
DOCTYPE = ('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD with MathML3 v1.3 20210610//EN" '
           '"JATS-journalpublishing1-3-mathml3.dtd">')
CREDIT = "https://credit.niso.org/"
# What XML 1.0 cannot hold: control characters but tab and line breaks, surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SPACES = re.compile(r"\s+")
URL_TEXT = re.compile(r"(?:https?|s?ftp)://", re.IGNORECASE)
URL_HOST = re.compile(r"https?://([^/?#\s]+)", re.IGNORECASE)
PAGES = re.compile(r"^\s*+([^-–—\s]++)\s*+(?:[-–—]++\s*+([^-–—\s]++))?+\s*+$")
MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
INLINE = {"i": "italic", "em": "italic", "b": "bold", "strong": "bold", "sup": "sup", "sub": "sub", "code": "monospace",
          "u": "underline", "s": "strike"}
PUBLICATION_TYPES = {"article-journal": "journal", "article": "journal", "article-magazine": "journal",
                     "article-newspaper": "newspaper", "book": "book", "chapter": "book", "paper-conference":
                     "confproc", "thesis": "thesis", "report": "report", "webpage": "webpage", "post-weblog":
                     "webpage", "dataset": "data", "patent": "patent", "software": "software"}


def clean(text: object) -> str:
    """Text XML 1.0 can hold."""
    return NOT_XML.sub("", str(text))


def article_jats(view: ArticleView, items: Mapping[str, Mapping[str, Any]] | None = None,
                 graphics: Mapping[tuple[int, int], tuple[str, int, int]] | None = None) -> bytes:
    """The article as JATS 1.3 (UTF-8, with its DOCTYPE). `items`: the CSL-JSON items of the cited
    references by key (their entries are in view.references); `graphics`: the file each panel's `graphic`
    links to, by (figure, panel) (render.place_originals), else the page's."""
    meta = view.case.meta
    article = etree.Element("article", nsmap=NSMAP)
    article.set("article-type", "case-report")
    article.set("dtd-version", "1.3")
    article.set("{http://www.w3.org/XML/1998/namespace}lang", clean(meta.lang or view.profile.lang or "en"))
    front = _sub(article, "front")
    _journal_meta(front, view)
    _article_meta(front, view)
    body = _sub(article, "body")
    _body(body, view)
    back = _back(view, items or {})
    if len(back):
        article.append(back)
    if view.figures:
        floats = _sub(article, "floats-group")
        for f, figure in enumerate(view.figures):
            hrefs = [(graphics or {}).get((f, p), (panel.src, 0, 0))[0] for p, panel in enumerate(figure.panels)]
            _figure(floats, figure, view, hrefs)
    if not len(body):
        article.remove(body)
    tree = etree.ElementTree(article)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", doctype=DOCTYPE, pretty_print=True)


# --- front ------------------------------------------------------------------------------------------------------

def _journal_meta(front: etree._Element, view: ArticleView) -> None:
    profile = view.profile
    journal = _sub(front, "journal-meta")
    _sub(journal, "journal-id", profile.id, {"journal-id-type": "publisher-id"})
    if profile.short_name:
        _sub(journal, "journal-id", profile.short_name, {"journal-id-type": "nlm-ta"})
    titles = _sub(journal, "journal-title-group")
    _sub(titles, "journal-title", profile.name)
    if profile.short_name:
        _sub(titles, "abbrev-journal-title", profile.short_name, {"abbrev-type": "publisher"})
    if profile.issn:
        _sub(journal, "issn", profile.issn, {"pub-type": "ppub"})
    if profile.publisher:
        _sub(_sub(journal, "publisher"), "publisher-name", profile.publisher)


def _article_meta(front: etree._Element, view: ArticleView) -> None:
    meta, placement = view.case.meta, view.placement
    article = _sub(front, "article-meta")
    doi = (placement.doi if placement and placement.doi else None) or meta.doi
    if doi:
        _sub(article, "article-id", doi, {"pub-id-type": "doi"})
    if view.label:
        categories = _sub(article, "article-categories")
        _sub(_sub(categories, "subj-group", attrs={"subj-group-type": "heading"}), "subject", view.label)
    _inline_html(_sub(_sub(article, "title-group"), "article-title"), str(view.title))
    _contributors(article, view)
    _author_notes(article, view)
    if view.date:
        _date(article, "pub-date", view.date, {"publication-format": "electronic", "date-type": "pub"})
    if placement:
        _sub(article, "volume", str(placement.volume))
        _sub(article, "issue", str(placement.issue))
        _sub(article, "fpage", str(placement.first_page))
        _sub(article, "lpage", str(placement.last_page))
    _history(article, view)
    _permissions(article, view)
    _abstract(article, view)
    if meta.keywords:
        group = _sub(article, "kwd-group", attrs={"kwd-group-type": "author"})
        for keyword in meta.keywords:
            _sub(group, "kwd", keyword)
    if meta.funding:
        _sub(_sub(article, "funding-group"), "funding-statement", meta.funding)
    if view.fda_status is not None:
        custom = _sub(_sub(article, "custom-meta-group"), "custom-meta", attrs={"specific-use": "fda-status"})
        _sub(custom, "meta-name", view.profile.wording.fda_status_label)
        _sub(custom, "meta-value", _text_of(str(view.fda_status)))


def _contributors(article: etree._Element, view: ArticleView) -> None:
    if not view.authors:
        return
    labels = {affiliation.affiliation.id: affiliation.label for affiliation in view.affiliations}
    ids = {key: f"aff{n}" for n, key in enumerate(labels, start=1)}
    group = _sub(article, "contrib-group")
    corresponding = 0
    for author_view in view.authors:
        author = author_view.author
        attrs = {"contrib-type": "author"}
        if author.equal_contributor and len(view.equal_contributors) > 1:
            attrs["equal-contrib"] = "yes"
        if author_view.corresponding:
            attrs["corresp"] = "yes"
        contrib = _sub(group, "contrib", attrs=attrs)
        if author_view.orcid:
            _sub(contrib, "contrib-id", f"https://orcid.org/{author_view.orcid}",
                 {"contrib-id-type": "orcid", "authenticated": "false"})
        given, family = name_parts(author)
        if family:
            split = " ".join(part for part in (given, family) if part)
            whole = author.name and " ".join(author.name.split()) not in (split, " ".join((family, given)).strip())
            holder = _sub(contrib, "name-alternatives") if whole else contrib  # "Ming Li (李明)": both forms
            name = _sub(holder, "name", attrs={"name-style": "eastern" if family_first(given, family) else "western"})
            _sub(name, "surname", family)
            if given:
                _sub(name, "given-names", given)
            if whole:
                _sub(holder, "string-name", author_view.name)
        else:
            _sub(contrib, "string-name", author_view.name)
        if author_view.degrees:
            _sub(contrib, "degrees", author_view.degrees)
        for role in dict.fromkeys(author.roles):
            uri = f"{CREDIT}contributor-roles/{role}/"
            _sub(contrib, "role", view.profile.wording.credit_roles.get(role, role),
                 {"vocab": "credit", "vocab-identifier": CREDIT, "vocab-term": _credit_terms().get(uri, role),
                  "vocab-term-identifier": uri})
        for key in author.affiliations:
            if key in ids:
                _sub(contrib, "xref", labels[key], {"ref-type": "aff", "rid": ids[key]})
        if author_view.corresponding:
            corresponding += 1
            _sub(contrib, "xref", "*", {"ref-type": "corresp", "rid": f"cor{corresponding}"})
    for affiliation_view in view.affiliations:
        _affiliation(article, affiliation_view.affiliation, ids[affiliation_view.affiliation.id],
                     affiliation_view.label)


PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le",
                       "ter", "ten", "zu", "af", "al", "el", "bin", "ibn"})


def name_parts(author: Any) -> tuple[str, str]:
    """(given names, surname): as written in `given` and `family`; from `name`, split where casepub splits it
    (naming.given_family) with the lower-case particles before the last word kept in the surname ("Pieter van
    Dijk": Pieter / van Dijk)."""
    given, family = given_family(author)
    if author.given or author.family:
        return given, family
    words = given.split()
    while words and words[-1] in PARTICLES:
        family = f"{words.pop()} {family}"
    return " ".join(words), family


def _affiliation(article: etree._Element, affiliation: Any, identifier: str, label: str) -> None:
    aff = _sub(article, "aff", attrs={"id": identifier})
    _sub(aff, "label", label)
    if affiliation.department:
        _sub(aff, "institution", affiliation.department, {"content-type": "dept"})
    for name in affiliation.name:
        _sub(aff, "institution", name)
    if affiliation.address:
        _sub(aff, "addr-line", affiliation.address)
    if affiliation.city:
        _sub(aff, "city", affiliation.city)
    if affiliation.region:
        _sub(aff, "state", affiliation.region)
    if affiliation.postal_code:
        _sub(aff, "postal-code", affiliation.postal_code)
    if affiliation.country:
        _sub(aff, "country", affiliation.country, {"country": country_code(affiliation.country)})


@lru_cache(maxsize=1)
def _credit_terms() -> dict[str, str]:
    """The 14 CRediT terms by their URI, as the JATS4R rules spell them (credit-roles.xml)."""
    root = _jats4r_data("credit-roles.xml")
    return {node.get("uri", ""): node.get("term", "") for node in root.iter("item")}


def _jats4r_data(name: str) -> etree._Element:
    from importlib.resources import files

    source = files("casepub") / "schemas" / "jats4r" / "schematrons" / "1.0" / name
    return etree.fromstring(source.read_bytes(), etree.XMLParser(no_network=True, resolve_entities=False))


# Names written for a country that the ISO list (JATS4R's countries.xml) spells otherwise.
COUNTRY_ALIASES = {"usa": "US", "u.s.a.": "US", "united states of america": "US", "uk": "GB", "u.k.": "GB",
                   "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB", "great britain": "GB",
                   "the netherlands": "NL", "holland": "NL", "south korea": "KR", "korea": "KR",
                   "republic of korea": "KR", "people's republic of china": "CN", "pr china": "CN", "p.r. china": "CN",
                   "russia": "RU", "iran": "IR", "vietnam": "VN", "taiwan": "TW", "czech republic": "CZ",
                   "turkey": "TR", "türkiye": "TR"}


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """ISO 3166-1 codes by country name (lower case), from the country list packaged with the JATS4R rules."""
    root = _jats4r_data("countries.xml")
    codes = {(node.text or "").strip().lower(): node.get("country", "") for node in root.iter("country")}
    return {**codes, **{code.lower(): code for code in codes.values()}, **COUNTRY_ALIASES}


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country as an author writes it ("Norway", "USA", "NO"), or None."""
    return _countries().get(" ".join(name.split()).lower().rstrip("."))


def _author_notes(article: etree._Element, view: ArticleView) -> None:
    meta, wording = view.case.meta, view.profile.wording
    disclosures = [(a.initials, a.author.disclosure) for a in view.authors if a.author.disclosure]
    if not (view.corresponding or view.equal_contributors or disclosures or meta.conflict_statement):
        return
    notes = _sub(article, "author-notes")
    for n, person in enumerate(view.corresponding, start=1):
        corresp = _sub(notes, "corresp", attrs={"id": f"cor{n}"})
        _sub(corresp, "label", "*")
        address = "".join(f", {part}" for part in person.address_parts)
        _tail(corresp, f"{wording.corresponding_author}: {person.name}{address}. ")
        if person.email:
            _tail(corresp, f"{wording.email}: ")
            _sub(corresp, "email", person.email)
    if len(view.equal_contributors) > 1:
        names = _text_of(str(join_names(view.equal_contributors, wording.and_)))
        text = wording.equal_contribution.replace("{names}", names)
        _sub(_sub(notes, "fn", attrs={"fn-type": "equal"}), "p", text)
    if disclosures or meta.conflict_statement:
        coi = _sub(notes, "fn", attrs={"fn-type": "coi-statement", "id": "coi"})
        if disclosures:
            p = _sub(coi, "p", f"{wording.disclosures_label}:")
            for initials, disclosure in disclosures:
                _tail(p, " ")
                _sub(p, "bold", f"{initials}:")
                _tail(p, f" {disclosure}")
        if meta.conflict_statement:
            _sub(coi, "p", meta.conflict_statement)


def _history(article: etree._Element, view: ArticleView) -> None:
    dates = view.case.meta.dates
    kinds = (("received", "received"), ("revised", "rev-recd"), ("accepted", "accepted"))
    found = [(kind, getattr(dates, name)) for name, kind in kinds if dates and getattr(dates, name)]
    if found:
        history = _sub(article, "history")
        for kind, day in found:
            _date(history, "date", day, {"date-type": kind})


def _permissions(article: etree._Element, view: ArticleView) -> None:
    meta = view.case.meta
    copyright_ = meta.copyright if meta.copyright and meta.copyright.holder and meta.copyright.year else None
    permissions = _sub(article, "permissions")  # always (JATS4R); empty when the case states neither
    if copyright_:
        _sub(permissions, "copyright-statement", view.rights[0] if view.rights else f"© {copyright_.year} "
             f"{copyright_.holder}")
        _sub(permissions, "copyright-year", str(copyright_.year))
        _sub(permissions, "copyright-holder", copyright_.holder)
    if view.license:
        license_ = _sub(permissions, "license")
        _sub(license_, f"{{{ALI}}}license_ref", view.license.url)
        _sub(license_, "license-p", view.rights[-1] if view.rights else view.license.name)


def _abstract(article: etree._Element, view: ArticleView) -> None:
    if view.abstract_sections:
        abstract = _sub(article, "abstract")
        for section in view.abstract_sections:
            sec = _sub(abstract, "sec", attrs={"sec-type": section.key})
            _sub(sec, "title", section.heading)
            _blocks(sec, str(section.html))
    elif view.abstract is not None:
        _blocks(_sub(article, "abstract"), str(view.abstract))


# --- body -------------------------------------------------------------------------------------------------------

def _body(body: etree._Element, view: ArticleView) -> None:
    """The text as sections nested by their headings; the timeline after it, as the page prints it."""
    _blocks(body, str(view.body), sections=True)
    if view.timeline:
        parent = body
        while len(parent) and parent[-1].tag == "sec":  # the last section, innermost: after its own text
            parent = parent[-1]
        wording = view.profile.wording
        wrap = _sub(parent, "table-wrap", attrs={"id": "timeline", "content-type": "timeline"})
        _sub(wrap, "label", wording.timeline)
        table = _sub(wrap, "table")
        row = _sub(_sub(table, "thead"), "tr")
        for heading in wording.timeline_columns:
            _sub(row, "th", heading)
        rows = _sub(table, "tbody")
        for entry in view.timeline:
            row = _sub(rows, "tr")
            _sub(row, "td", entry.when)
            _sub(row, "td", entry.event)


def _blocks(parent: etree._Element, markup: str, sections: bool = False) -> None:
    """HTML block content (casepub's own rendering) as JATS blocks under `parent`; with `sections`, each
    heading opens a `sec` nested by its level."""
    stack: list[tuple[int, etree._Element]] = [(1, parent)]
    for node in _fragments(markup):
        if isinstance(node, str):
            if node.strip():
                _tail(_sub(stack[-1][1], "p"), node)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if sections and tag in SECTION_HEADINGS:
            level = int(tag[1])
            while len(stack) > 1 and stack[-1][0] >= level:
                stack.pop()
            attrs = {"id": node.get("id")} if node.get("id") else {}
            sec = _sub(stack[-1][1], "sec", attrs=attrs)
            _inline_children(_sub(sec, "title"), node)
            stack.append((level, sec))
        else:
            _block(stack[-1][1], node)
        if node.tail and node.tail.strip():  # text between blocks (not made by casepub's renderer): a paragraph
            _tail(_sub(stack[-1][1], "p"), node.tail)


def _block(parent: etree._Element, node: Any) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag == "p":
        _inline_children(_sub(parent, "p"), node)
    elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):  # a heading where sections are not nested: bold
        _inline_children(_sub(_sub(parent, "p"), "bold"), node)
    elif tag in ("ul", "ol"):
        items = _sub(parent, "list", attrs={"list-type": "order" if tag == "ol" else "bullet"})
        for child in node:
            if child.tag == "li":
                _list_item(items, child)
    elif tag == "blockquote":
        quote = _sub(parent, "disp-quote")
        _children_blocks(quote, node)
        if not len(quote):
            _sub(quote, "p")
    elif tag == "pre":
        _sub(parent, "preformat", node.text_content())
    elif tag == "table":
        _table(parent, node)
    elif tag in ("div", "section", "article", "aside"):
        _children_blocks(parent, node)
    elif tag == "hr":
        return
    elif tag:  # inline content at block level
        p = _sub(parent, "p")
        _inline_node(p, node)


def _children_blocks(parent: etree._Element, node: Any) -> None:
    """A node's children as blocks: loose text and inline elements gathered into paragraphs."""
    loose: list[Any] = []

    def flush() -> None:
        if any(not isinstance(part, str) or part.strip() for part in loose):
            p = _sub(parent, "p")
            for part in loose:
                _tail(p, part) if isinstance(part, str) else _inline_node(p, part)
        loose.clear()

    if node.text:
        loose.append(node.text)
    for child in node:
        if isinstance(child.tag, str) and child.tag in BLOCK_TAGS:
            flush()
            _block(parent, child)
        else:
            loose.append(child)
        if child.tail:
            loose.append(child.tail)
    flush()


SECTION_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})  # each opens a `sec` (h1 is the title)
BLOCK_TAGS = frozenset({"p", "ul", "ol", "blockquote", "pre", "table", "div", "section", "h1", "h2", "h3", "h4", "h5",
                        "h6", "hr", "article", "aside", "figure"})


def _list_item(items: etree._Element, node: Any) -> None:
    item = _sub(items, "list-item")
    _children_blocks(item, node)
    if not len(item):
        _sub(item, "p")


def _table(parent: etree._Element, node: Any) -> None:
    attrs = {"id": node.get("id")} if node.get("id") else {}
    wrap = _sub(parent, "table-wrap", attrs=attrs)
    caption = node.find("caption")
    if caption is not None:
        label = caption.find("span[@class='table-label']")
        if label is not None:
            _sub(wrap, "label", label.text_content().strip().rstrip("."))
            rest, label.tail = label.tail or "", None
            label.drop_tree()
            caption.text = ((caption.text or "") + rest).lstrip()
        if caption.text_content().strip():
            _inline_children(_sub(_sub(wrap, "caption"), "p"), caption)
    table = _sub(wrap, "table")
    for part in node:
        if part.tag in ("thead", "tbody", "tfoot"):
            group = _sub(table, part.tag)
            for row in part:
                if row.tag == "tr":
                    _row(group, row)
        elif part.tag == "tr":
            _row(_sub(table, "tbody"), part)


def _row(group: etree._Element, row: Any) -> None:
    tr = _sub(group, "tr")
    for cell in row:
        if cell.tag not in ("th", "td"):
            continue
        attrs = {name: cell.get(name) for name in ("scope", "colspan", "rowspan") if cell.get(name)}
        classes = (cell.get("class") or "").split()
        for align in ("left", "center", "right"):
            if f"align-{align}" in classes:
                attrs["align"] = align
        _inline_children(_sub(tr, cell.tag, attrs=attrs), cell)


# --- inline -----------------------------------------------------------------------------------------------------

def _fragments(markup: str) -> list[Any]:
    if not markup.strip():
        return []
    return list(html.fragments_fromstring(markup))


def _inline_html(target: etree._Element, markup: str) -> None:
    """Inline HTML (a title, a caption) into `target`."""
    for node in _fragments(markup):
        if isinstance(node, str):
            _tail(target, node)
        else:
            _inline_node(target, node)
            if node.tail:
                _tail(target, node.tail)


def _inline_children(target: etree._Element, node: Any) -> None:
    if node.text:
        _tail(target, node.text)
    for child in node:
        _inline_node(target, child)
        if child.tail:
            _tail(target, child.tail)


def _inline_node(target: etree._Element, node: Any) -> None:
    """One HTML inline element (with its content, not its tail) into `target`."""
    tag = node.tag if isinstance(node.tag, str) else ""
    if not tag:  # a comment or processing instruction: nothing
        return
    if tag in INLINE:
        _inline_children(_sub(target, INLINE[tag]), node)
    elif tag == "a":
        _link(target, node)
    elif tag in ("br",):
        _tail(target, " ")
    elif tag in ("wbr", "img"):  # void, but libxml2's HTML parser may hang what follows a <wbr> inside it
        _inline_children(target, node)
    elif tag in BLOCK_TAGS:  # a block inside inline content (not made by casepub): its text
        _tail(target, node.text_content())
    else:  # span, bdi, abbr, ...: their content
        _inline_children(target, node)


def _link(target: etree._Element, node: Any) -> None:
    href = node.get("href") or ""
    classes = (node.get("class") or "").split()
    if href.startswith("#"):
        rid = href[1:]
        kind = ("bibr" if "citation-link" in classes else "table" if rid.startswith("tbl-") else
                "sec" if rid.startswith("sec-") else "fig" if "xref" in classes else "other")
        _inline_children(_sub(target, "xref", attrs={"ref-type": kind, "rid": rid}), node)
    elif href.startswith("mailto:"):
        _sub(target, "email", node.text_content())
    elif href.startswith(("http://", "https://")):
        link = _sub(target, "ext-link", attrs={"ext-link-type": "uri", f"{{{XLINK}}}href": href})
        _inline_children(link, node)
        text = "".join(link.itertext()).strip()
        if not text or text == href or URL_TEXT.match(text):  # the address is not a description of what it links to
            link.set(f"{{{XLINK}}}title", clean(link_title(href)))
    else:
        _inline_children(target, node)


# --- figures ----------------------------------------------------------------------------------------------------

def _figure(floats: etree._Element, figure: Any, view: ArticleView, hrefs: list[str]) -> None:
    fig = _sub(floats, "fig", attrs={"id": figure.id, "position": "float", "fig-type": "figure"})
    words = view.profile.wording.figure
    _sub(fig, "label", f"{words} {figure.number}" if figure.number else words)
    title = view.case.meta.figures[(figure.number or 1) - 1].title
    if figure.captions or title:
        caption = _sub(fig, "caption")
        if title:
            _inline_html(_sub(caption, "title"), title)
        if figure.captions:
            p = _sub(caption, "p")
            for n, part in enumerate(figure.captions):
                _tail(p, f"{' ' if n else ''}({part.labels}) ")
                _inline_html(p, str(part.html))
    for panel, href in zip(figure.panels, hrefs, strict=True):
        graphic = _sub(fig, "graphic", attrs={"id": panel.anchor, f"{{{XLINK}}}href": href})
        if panel.alt:
            _sub(graphic, "alt-text", panel.alt)
        _sub(graphic, "label", panel.label)


# --- back -------------------------------------------------------------------------------------------------------

def _back(view: ArticleView, items: Mapping[str, Mapping[str, Any]]) -> etree._Element:
    back = etree.Element("back")
    if view.consent:
        group = _sub(back, "fn-group")
        fn = _sub(group, "fn", attrs={"fn-type": "other", "id": "consent"})
        _sub(fn, "p", f"{view.profile.wording.consent_label}: {view.consent}")
    if view.references and view.references.entries:
        refs = _sub(back, "ref-list")
        _sub(refs, "title", view.profile.wording.references)
        for entry in view.references.entries:
            ref = _sub(refs, "ref", attrs={"id": f"ref-{entry.number}"})
            _sub(ref, "label", str(entry.number))
            alternatives = _sub(ref, "citation-alternatives")  # the structured reference, and as printed
            item = items.get(entry.key, {})
            _citation(alternatives, item, entry)
            kind = PUBLICATION_TYPES.get(str(item.get("type", "")), "other")
            _inline_html(_sub(alternatives, "mixed-citation", attrs={"publication-type": kind}), entry.html)
    return back


def _citation(ref: etree._Element, item: Mapping[str, Any], entry: Any) -> None:
    """A reference as `element-citation`, from its CSL-JSON (none when the item is unknown)."""
    kind = str(item.get("type", ""))
    if not item:
        return
    citation = _sub(ref, "element-citation", attrs={"publication-type": PUBLICATION_TYPES.get(kind, "other")})
    for role in ("author", "editor"):
        names = item.get(role) or []
        if names:
            group = _sub(citation, "person-group", attrs={"person-group-type": role})
            for name in names:
                _person(group, name)
    title, container = item.get("title"), item.get("container-title")
    if kind in ("book", "report", "thesis") and title:
        _styled(_sub(citation, "source"), str(title))
    else:
        if title:
            _styled(_sub(citation, "chapter-title" if kind == "chapter" else "article-title"), str(title))
        if container:
            _styled(_sub(citation, "source"), str(container))
    edition = item.get("edition")
    if edition:
        _sub(citation, "edition", str(edition))
    if item.get("publisher-place"):
        _sub(citation, "publisher-loc", str(item["publisher-place"]))
    if item.get("publisher"):
        _sub(citation, "publisher-name", str(item["publisher"]))
    issued = _date_parts(item.get("issued"))
    if issued:
        _sub(citation, "year", str(issued[0]))
        if len(issued) > 1:
            _sub(citation, "month", f"{issued[1]:02d}")
    elif isinstance(item.get("issued"), Mapping) and item["issued"].get("literal"):
        _sub(citation, "year", str(item["issued"]["literal"]))
    for field, element in (("volume", "volume"), ("issue", "issue")):
        if item.get(field):
            _sub(citation, element, str(item[field]))
    pages = PAGES.match(str(item.get("page", "")))
    if pages:
        _sub(citation, "fpage", pages.group(1))
        if pages.group(2):
            _sub(citation, "lpage", pages.group(2))
    accessed = _date_parts(item.get("accessed"))
    if accessed:
        _sub(citation, "date-in-citation", "-".join(f"{part:02d}" if n else str(part)
                                                     for n, part in enumerate(accessed)),
             {"content-type": "access-date", "iso-8601-date": "-".join(
                 f"{part:02d}" if n else str(part) for n, part in enumerate(accessed))})
    if item.get("DOI"):
        _sub(citation, "pub-id", str(item["DOI"]), {"pub-id-type": "doi"})
    if item.get("PMID"):
        _sub(citation, "pub-id", str(item["PMID"]), {"pub-id-type": "pmid"})
    if item.get("URL"):
        url = str(item["URL"])
        _sub(citation, "ext-link", url, {"ext-link-type": "uri", f"{{{XLINK}}}href": url,
                                         f"{{{XLINK}}}title": _text_of(str(item.get("title") or "")) or link_title(url)})


def link_title(href: str) -> str:
    """What a link whose text is its own address points to, in words: "a page at www.who.int"."""
    host = URL_HOST.match(href)
    return f"a page at {host.group(1)}" if host else "a web page"


def _person(group: etree._Element, name: Mapping[str, Any]) -> None:
    if name.get("literal") == "et al.":
        _sub(group, "etal")
    elif name.get("literal"):
        _sub(group, "collab", str(name["literal"]))
    else:
        person = _sub(group, "name")
        family = " ".join(str(name[part]) for part in ("non-dropping-particle", "family") if name.get(part))
        _sub(person, "surname", family or "")
        given = " ".join(str(name[part]) for part in ("given", "dropping-particle") if name.get(part))
        if given:
            _sub(person, "given-names", given)
        if name.get("suffix"):
            _sub(person, "suffix", str(name["suffix"]))


def _styled(target: etree._Element, text: str) -> None:
    """A CSL-JSON value with its <i> <b> <sup> <sub> as JATS styles; any other markup is text."""
    from casepub.references.format import safe_html

    _inline_html(target, safe_html(text))


def _date_parts(value: object) -> list[int] | None:
    if not isinstance(value, Mapping):
        return None
    parts = value.get("date-parts")
    if not parts or not isinstance(parts, list) or not parts[0]:
        return None
    numbers = []
    for part in parts[0]:
        if not isinstance(part, int | str) or not str(part).isdigit():
            break
        numbers.append(int(part))
    return numbers or None


# --- helpers ----------------------------------------------------------------------------------------------------

def _date(parent: etree._Element, tag: str, day: datetime.date, attrs: dict[str, str]) -> None:
    date = _sub(parent, tag, attrs={**attrs, "iso-8601-date": day.isoformat()})
    _sub(date, "day", f"{day.day:02d}")
    _sub(date, "month", f"{day.month:02d}")
    _sub(date, "year", str(day.year))


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         attrs: Mapping[str, str | None] | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for name, value in (attrs or {}).items():
        if value is not None:
            element.set(name, clean(value))
    if text is not None:
        element.text = clean(text)
    return element


def _tail(element: etree._Element, text: str) -> None:
    """Text after what `element` holds so far: its last child's tail, or its own text."""
    text = clean(text)
    if not text:
        return
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def _text_of(markup: str) -> str:
    """The text of a piece of HTML."""
    return SPACES.sub(" ", "".join(part if isinstance(part, str) else part.text_content()
                                   for part in _fragments(markup))).strip()


def checked_jats(view: ArticleView, graphics: Mapping[tuple[int, int], tuple[str, int, int]] | None = None, *,
                 xsd: bool = False) -> bytes | Diagnostic:
    """The article's JATS, validated against the JATS 1.3 Journal Publishing DTD (and the XSD, with `xsd`: it
    takes 3 s to compile, once per process); or the diagnostic saying why it cannot be made (the profile gives
    no ISSN: CP106) or did not validate (CP105, a bug)."""
    from casepub.references import library
    from casepub.xml.validate import validate_jats

    case = view.case
    if not view.profile.issn:
        return Diagnostic("CP106", f"JATS needs the journal's ISSN, and the journal profile {view.profile.id!r} "
                          "gives none", case.where(("journal",)),
                          f"set `issn:` in journals/{view.profile.id}.yaml beside the cases (merged over the "
                          "built-in profile), or render without jats")
    found = library(case) if view.references else None
    data = article_jats(view, found.items if found else None, graphics)
    problems = validate_jats(data, xsd=xsd)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Diagnostic("CP105", f"the JATS XML did not validate ({first.source}, line {first.line}: "
                          f"{first.message}){more}; it was not written", case.where(()),
                          "this is a bug in casepub: please report it with this case")
    return data
