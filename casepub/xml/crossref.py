"""An issue's Crossref deposit: a schema 5.3.1 `doi_batch` with one `journal_issue` and a `journal_article` per
built article (casepub/issue/deposits.py gathers what goes in, validates it and writes OUT/crossref.xml).

Every element is made with lxml and every text cleaned of what XML 1.0 cannot hold (casepub.xml.jats.clean):
nothing in a case can add an element or an attribute. Titles keep their italics, bold, superscripts and
subscripts as Crossref's face markup; names, affiliations and references are plain text, as Crossref asks.

    head: doi_batch_id, timestamp, depositor, registrant
    body/journal: journal_metadata (full_title, abbrev_title, issn), journal_issue (publication_date,
    journal_volume, issue), journal_article* (titles, contributors, jats:abstract, publication_date, pages,
    ai:program with the licence, doi_data with the landing page, citation_list)
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lxml import etree, html

from casepub.issue.deposits import Deposited, IssueFacts
from casepub.xml.jats import clean

CR = "http://www.crossref.org/schema/5.3.1"
JATS = "http://www.ncbi.nlm.nih.gov/JATS1"
AI = "http://www.crossref.org/AccessIndicators.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {None: CR, "jats": JATS, "ai": AI, "xsi": XSI}
SCHEMA_LOCATION = f"{CR} https://www.crossref.org/schemas/crossref5.3.1.xsd"
FACES = {"i": "i", "em": "i", "b": "b", "strong": "b", "sup": "sup", "sub": "sub", "u": "u", "code": "tt"}
MEDIA = "print"  # the issue's date is its print issue's (its pages); JATS gives the same date


def crossref_xml(facts: IssueFacts, articles: Sequence[Deposited]) -> bytes:
    """The deposit, UTF-8. Articles without a DOI are the caller's to leave out (doi_data is required)."""
    batch = etree.Element(_cr("doi_batch"), nsmap=NSMAP)
    batch.set("version", "5.3.1")
    batch.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    head = _sub(batch, "head")
    _sub(head, "doi_batch_id", facts.batch_id)
    _sub(head, "timestamp", str(facts.timestamp))
    depositor = _sub(head, "depositor")
    _sub(depositor, "depositor_name", facts.depositor)
    _sub(depositor, "email_address", facts.email)
    _sub(head, "registrant", facts.registrant)
    journal = _sub(_sub(batch, "body"), "journal")
    metadata = _sub(journal, "journal_metadata", attrs=_language(facts.lang))
    _sub(metadata, "full_title", facts.journal)
    if facts.abbrev:
        _sub(metadata, "abbrev_title", facts.abbrev)
    _sub(metadata, "issn", facts.issn, {"media_type": MEDIA})
    issue = _sub(journal, "journal_issue")
    _date(issue, facts)
    _sub(_sub(issue, "journal_volume"), "volume", str(facts.volume))
    _sub(issue, "issue", str(facts.issue))
    for article in articles:
        _article(journal, article, facts)
    return etree.tostring(batch, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _article(journal: etree._Element, article: Deposited, facts: IssueFacts) -> None:
    record = article.record
    element = _sub(journal, "journal_article", attrs={"publication_type": "full_text", **_language(record.lang)})
    face_markup(_sub(_sub(element, "titles"), "title"), record.title, FACES, _cr)
    if record.authors:
        contributors = _sub(element, "contributors")
        for n, author in enumerate(record.authors):
            person = _sub(contributors, "person_name",
                          attrs={"sequence": "additional" if n else "first", "contributor_role": "author"})
            given, family = _name(author.given), _name(author.family)
            if not family:  # a single name: Crossref's surname is the one it requires
                given, family = "", given
            if given:
                _sub(person, "given_name", given)
            _sub(person, "surname", family)
            if author.affiliations:
                affiliations = _sub(person, "affiliations")
                for place in author.affiliations:
                    institution = _sub(affiliations, "institution")
                    _sub(institution, "institution_name", place.name or place.department or place.line)
                    if place.place:
                        _sub(institution, "institution_place", place.place)
                    if place.department and place.name:
                        _sub(institution, "institution_department", place.department)
            if author.orcid:
                _sub(person, "ORCID", f"https://orcid.org/{author.orcid}", {"authenticated": "false"})
    if record.abstract:  # in JATS, as Crossref takes it: a paragraph, or a titled section per part
        abstract = etree.SubElement(element, f"{{{JATS}}}abstract")
        sectioned = any(label for label, _ in record.abstract)
        for label, text in record.abstract:
            section = etree.SubElement(abstract, f"{{{JATS}}}sec") if sectioned else abstract
            if sectioned and label:
                etree.SubElement(section, f"{{{JATS}}}title").text = clean(label)
            etree.SubElement(section, f"{{{JATS}}}p").text = clean(text)
    _date(element, facts)
    pages = _sub(element, "pages")
    _sub(pages, "first_page", str(article.first_page))
    if article.last_page != article.first_page:
        _sub(pages, "last_page", str(article.last_page))
    if record.license_url:
        program = etree.SubElement(element, f"{{{AI}}}program", name="AccessIndicators")
        etree.SubElement(program, f"{{{AI}}}license_ref", applies_to="vor").text = clean(record.license_url)
    doi_data = _sub(element, "doi_data")
    _sub(doi_data, "doi", article.doi or "")
    _sub(doi_data, "resource", article.url or "")
    if record.references:
        citations = _sub(element, "citation_list")
        for n, cited in enumerate(record.references, start=1):
            citation = _sub(citations, "citation", attrs={"key": f"ref-{n}"})
            if cited.doi:
                _sub(citation, "doi", cited.doi)
            else:
                _sub(citation, "unstructured_citation", cited.text)


def face_markup(target: etree._Element, markup: str, faces: Mapping[str, str], tag: Callable[[str], str]) -> None:
    """Inline HTML (a title as casepub renders it) into `target`: the elements `faces` names become that face
    (`tag` gives its qualified name), any other element only its text. Markup in the text stays text: the HTML
    was made by casepub from Markdown, where a case's `<` is already `&lt;`."""
    markup = clean(markup)
    if not markup.strip():
        return
    for node in html.fragments_fromstring(markup):
        if isinstance(node, str):
            _append(target, node)
        else:
            _face(target, node, faces, tag)


def _face(target: etree._Element, node: Any, faces: Mapping[str, str], tag: Callable[[str], str]) -> None:
    name = node.tag if isinstance(node.tag, str) else ""
    if name in faces:
        inner = etree.SubElement(target, tag(faces[name]))
        if node.text:
            inner.text = clean(node.text)
        for child in node:
            _face(inner, child, faces, tag)
    elif name:
        _append(target, node.text or "")
        for child in node:
            _face(target, child, faces, tag)
    if node.tail:
        _append(target, node.tail)


def _append(element: etree._Element, text: str) -> None:
    """Text after what `element` holds so far."""
    text = clean(text)
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _date(parent: etree._Element, facts: IssueFacts) -> None:
    date = _sub(parent, "publication_date", attrs={"media_type": MEDIA})
    _sub(date, "month", f"{facts.date.month:02d}")
    _sub(date, "day", f"{facts.date.day:02d}")
    _sub(date, "year", str(facts.date.year))


def _language(lang: str) -> dict[str, str]:
    """Crossref's `language` takes ISO 639-1 codes: the primary subtag of the case's language, when it is one."""
    primary = clean(lang).split("-")[0].strip().lower()
    return {"language": primary} if len(primary) == 2 and primary.isascii() and primary.isalpha() else {}


def _name(text: str) -> str:
    return " ".join(clean(text).split())


def _cr(tag: str) -> str:
    return f"{{{CR}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         attrs: Mapping[str, str] | None = None) -> etree._Element:
    element = etree.SubElement(parent, _cr(tag))
    for name, value in (attrs or {}).items():
        element.set(name, clean(value))
    if text is not None:
        element.text = clean(text)
    return element
