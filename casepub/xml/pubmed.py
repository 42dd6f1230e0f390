"""An issue's PubMed deposit: an `ArticleSet` in PubMed's data-provider format (the "in" DTD, 3.0), one `Article`
per built article (casepub/issue/deposits.py gathers what goes in, validates it against the DTD and writes
OUT/pubmed.xml).

Elements in the DTD's order: Journal (PublisherName, JournalTitle, Issn, Volume, Issue, PubDate), ArticleTitle,
FirstPage, LastPage, ELocationID (doi), Language, AuthorList (FirstName, LastName, AffiliationInfo, an ORCID
Identifier; EqualContrib), PublicationType "Case Reports", ArticleIdList (doi), History (received, revised,
accepted), Abstract (an AbstractText per section, with its Label), CopyrightInformation, CoiStatement, ObjectList
(the keywords, as PubMed's `Object Type="keyword"`), ReferenceList (each reference's text, with its DOI and PMID).

Built with lxml, text cleaned of what XML 1.0 cannot hold (casepub.xml.jats.clean): nothing in a case can add an
element or attribute. The DOCTYPE names the DTD by its public id; validation never loads it from there.
"""
from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from lxml import etree

from casepub.issue.deposits import Deposited, IssueFacts
from casepub.xml.crossref import face_markup
from casepub.xml.jats import clean

DOCTYPE = '<!DOCTYPE ArticleSet PUBLIC "-//NLM//DTD PubMed 3.0//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/in/PubMed.dtd">'
FACES = {"i": "i", "em": "i", "b": "b", "strong": "b", "sup": "sup", "sub": "sub", "u": "u"}
HISTORY = {"received": "received", "revised": "revised", "accepted": "accepted"}
STATUS = "ppublish"  # the issue's date is its print issue's (its pages), as in crossref.xml


def pubmed_xml(facts: IssueFacts, articles: Sequence[Deposited]) -> bytes:
    """The ArticleSet, UTF-8 with its DOCTYPE. PubMed needs the publisher's name: the profile's `publisher`,
    else the manifest's registrant, else the journal's name."""
    root = etree.Element("ArticleSet")
    for article in articles:
        _article(root, article, facts)
    return etree.tostring(etree.ElementTree(root), xml_declaration=True, encoding="UTF-8", doctype=DOCTYPE,
                          pretty_print=True)


def _article(root: etree._Element, article: Deposited, facts: IssueFacts) -> None:
    record = article.record
    element = _sub(root, "Article")
    journal = _sub(element, "Journal")
    _sub(journal, "PublisherName", facts.publisher or facts.registrant or facts.journal)
    _sub(journal, "JournalTitle", facts.journal)
    _sub(journal, "Issn", facts.issn)
    _sub(journal, "Volume", str(facts.volume))
    _sub(journal, "Issue", str(facts.issue))
    _date(journal, facts.date, STATUS)
    face_markup(_sub(element, "ArticleTitle"), record.title, FACES, str)
    _sub(element, "FirstPage", str(article.first_page), {"LZero": "save"})
    _sub(element, "LastPage", str(article.last_page))
    if article.doi:
        _sub(element, "ELocationID", article.doi, {"EIdType": "doi"})
    _sub(element, "Language", language(record.lang))
    if record.authors:
        authors = _sub(element, "AuthorList")
        for person in record.authors:
            author = _sub(authors, "Author", attrs={"EqualContrib": "Y"} if person.equal else None)
            given, family = _name(person.given), _name(person.family)
            if not family:  # a single name: PubMed's LastName is required
                given, family = "", given
            if given:
                _sub(author, "FirstName", given)
            else:
                _sub(author, "FirstName", attrs={"EmptyYN": "Y"})
            _sub(author, "LastName", family)
            for place in person.affiliations:
                _sub(_sub(author, "AffiliationInfo"), "Affiliation", place.line)
            if person.orcid:
                _sub(author, "Identifier", f"https://orcid.org/{person.orcid}", {"Source": "ORCID"})
    _sub(element, "PublicationType", "Case Reports")
    if article.doi:
        _sub(_sub(element, "ArticleIdList"), "ArticleId", article.doi, {"IdType": "doi"})
    if record.history:
        history = _sub(element, "History")
        for kind, day in record.history:
            if kind in HISTORY:
                _date(history, datetime.date.fromisoformat(day), HISTORY[kind])
    if record.abstract:
        abstract = _sub(element, "Abstract")
        if any(label for label, _ in record.abstract):
            for label, text in record.abstract:
                _sub(abstract, "AbstractText", text, {"Label": (label or "ABSTRACT").upper()})
        else:
            abstract.text = clean(" ".join(text for _, text in record.abstract))
    if record.copyright:
        _sub(element, "CopyrightInformation", record.copyright)
    if record.coi:
        _sub(element, "CoiStatement", record.coi)
    if record.keywords:
        objects = _sub(element, "ObjectList")
        for keyword in record.keywords:
            _sub(_sub(objects, "Object", attrs={"Type": "keyword"}), "Param", keyword, {"Name": "value"})
    if record.references:
        references = _sub(element, "ReferenceList")
        for cited in record.references:
            reference = _sub(references, "Reference")
            _sub(reference, "Citation", cited.text)
            ids = [(kind, value) for kind, value in (("doi", cited.doi), ("pubmed", cited.pmid)) if value]
            if ids:
                listed = _sub(reference, "ArticleIdList")
                for kind, value in ids:
                    _sub(listed, "ArticleId", value, {"IdType": kind})


def language(lang: str) -> str:
    """PubMed's language: the case's primary language subtag in capitals (EN)."""
    primary = clean(lang).split("-")[0].strip()
    return primary.upper() or "EN"


def _date(parent: etree._Element, day: datetime.date, status: str) -> None:
    date = _sub(parent, "PubDate", attrs={"PubStatus": status})
    _sub(date, "Year", str(day.year))
    _sub(date, "Month", f"{day.month:02d}")
    _sub(date, "Day", f"{day.day:02d}")


def _name(text: str) -> str:
    return " ".join(clean(text).split())


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         attrs: Mapping[str, str] | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for name, value in (attrs or {}).items():
        element.set(name, clean(value))
    if text is not None:
        element.text = clean(text)
    return element
