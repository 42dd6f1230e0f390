"""Validate JATS, Crossref and PubMed XML against the standards' own schemas, offline.

The schemas are casepub's package data (casepub/schemas/, see its README.md): a deposit is checked
against the same files on a laptop, in CI and on a server without a network. Each schema is compiled
on first use and kept for the process (compiling the JATS XSD takes seconds; importing this module
compiles nothing). A document is parsed without loading its DTD, fetching anything or expanding
entities, so a DOCTYPE or an external entity in it can make casepub read neither a file nor a URL:
validation sees the document's own bytes and nothing else.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from lxml import etree

from casepub.resources import as_folder

JATS_XSD = "JATS 1.3 XSD"
JATS_DTD = "JATS 1.3 DTD"
CROSSREF_XSD = "Crossref 5.3.1 XSD"
PUBMED_DTD = "PubMed 3.0 DTD"
WELL_FORMEDNESS = "well-formedness"

_NAMESPACE = re.compile(r"\{[a-z][a-z0-9+.-]*:[^{}\s]*\}", re.IGNORECASE)  # {http://...}name -> name
_WHERE = re.compile(r", line \d+, column \d+$")  # lxml repeats the position in a syntax error's text
_VALIDATING = threading.Lock()  # a schema's error_log belongs to its last run: one run at a time


@dataclass(frozen=True)
class XmlProblem:
    """One reason a document fails: lxml's message, where it is (when libxml2 knows), and which check said so."""

    message: str
    line: int | None
    column: int | None
    source: str


class _Refuse(etree.Resolver):
    """Answers any request to load something named by a document with nothing.

    The parser's flags already forbid loading; this makes a future lxml default change harmless."""

    def resolve(self, url: str, public_id: str, context: object) -> object:
        return self.resolve_string("", context)


def _schemas() -> Path:
    """The real folder of casepub's schemas: libxml2 follows their relative includes on disk."""
    return as_folder(files("casepub") / "schemas")


def _schema_parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False)


def _document_parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_Refuse())
    return parser


def _xsd(relative: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_schemas() / relative), _schema_parser()))


@cache
def jats_schema() -> etree.XMLSchema:
    """The JATS 1.3 Journal Publishing XSD with MathML 3, compiled once per process."""
    return _xsd("jats-1.3-xsd/JATS-journalpublishing1-3-mathml3.xsd")


@cache
def jats_dtd() -> etree.DTD:
    """The JATS 1.3 Journal Publishing MathML 3 DTD; its 61 modules load from beside the driver."""
    return etree.DTD(str(_schemas() / "jats-1.3-dtd" / "JATS-journalpublishing1-3-mathml3.dtd"))


@cache
def crossref_schema() -> etree.XMLSchema:
    """The Crossref 5.3.1 deposit XSD (its MathML import rewritten to the local copy: see the schemas' README)."""
    return _xsd("crossref-5.3.1/crossref5.3.1.xsd")


@cache
def pubmed_dtd() -> etree.DTD:
    """The PubMed 3.0 data-provider DTD with the 25 modules it loads."""
    return etree.DTD(str(_schemas() / "pubmed-3.0" / "PubMed.dtd"))


def validate_jats(data: bytes, *, xsd: bool = True) -> list[XmlProblem]:
    """An article against both JATS 1.3 schemas: the XSD and the DTD each catch what the other lets through.
    Without `xsd`, the DTD alone (loaded in 20 ms, where the XSD takes 3 s to compile): what one `casepub
    render --to jats` checks; tests, `casepub validate` and issue builds check both."""
    tree = _parse(data)
    if isinstance(tree, XmlProblem):
        return [tree]
    unexpanded = _unexpanded(tree)  # first: it takes the entities out, which the XSD validator cannot meet
    schema = _run(jats_schema(), tree, JATS_XSD) if xsd else []
    return unexpanded + schema + _run(jats_dtd(), tree, JATS_DTD)


def validate_crossref(data: bytes) -> list[XmlProblem]:
    """A Crossref deposit (doi_batch) against the 5.3.1 XSD."""
    tree = _parse(data)
    if isinstance(tree, XmlProblem):
        return [tree]
    return _unexpanded(tree) + _run(crossref_schema(), tree, CROSSREF_XSD)


def validate_pubmed(data: bytes) -> list[XmlProblem]:
    """A PubMed ArticleSet against its DTD, whatever DOCTYPE the file declares (it is never loaded)."""
    tree = _parse(data)
    if isinstance(tree, XmlProblem):
        return [tree]
    return _unexpanded(tree) + _run(pubmed_dtd(), tree, PUBMED_DTD)


def _parse(data: bytes) -> etree._ElementTree | XmlProblem:
    """The document's tree, or the first reason it is not XML at all (located, so it can be found)."""
    try:
        return etree.fromstring(data, _document_parser()).getroottree()
    except etree.XMLSyntaxError as error:
        line, column = error.position
        message = _WHERE.sub("", error.msg or str(error))
        return XmlProblem(_readable(message), line or None, column or None, WELL_FORMEDNESS)


def _unexpanded(tree: etree._ElementTree) -> list[XmlProblem]:
    """Report, then take out, each entity reference left in the tree (libxml2's schema validation fails on them).

    Their text lies in a DTD or a file that casepub does not read, so it is not validated either."""
    problems = []
    for entity in list(tree.iter(etree.Entity)):
        line = entity.sourceline or entity.getparent().sourceline
        problems.append(XmlProblem(f"Entity '{entity.name}' is not expanded: casepub reads no DTD or file named by a "
                                   "document; write the character itself or a numeric reference (&#233;)",
                                   line, None, WELL_FORMEDNESS))
        _drop(entity)
    return problems


def _drop(node: etree._Entity) -> None:
    """Remove a node but keep the text that follows it (lxml's remove() takes the tail along)."""
    parent, previous, tail = node.getparent(), node.getprevious(), node.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)


def _run(validator: etree.XMLSchema | etree.DTD, tree: etree._ElementTree, source: str) -> list[XmlProblem]:
    with _VALIDATING:
        if validator.validate(tree):
            return []
        entries = list(validator.error_log)
    return [XmlProblem(_readable(entry.message), entry.line or None, entry.column or None, source) for entry in entries]


def _readable(message: str) -> str:
    """lxml's text, with `{namespace-uri}name` shortened to `name` (the URIs drown the element names)."""
    return _NAMESPACE.sub("", message).strip()


KINDS = {"article": "JATS", "doi_batch": "Crossref", "ArticleSet": "PubMed"}  # by root element (local name)


def validate_document(data: bytes) -> tuple[str, list[XmlProblem]]:
    """Any file staff hand casepub (`casepub validate`): its kind, read from its root element (a JATS article,
    a Crossref doi_batch, a PubMed ArticleSet), and its problems against that kind's schemas; "XML" and one
    problem when it is none of them."""
    tree = _parse(data)
    if isinstance(tree, XmlProblem):
        return "XML", [tree]
    root = tree.getroot()
    kind = KINDS.get(etree.QName(root).localname, "XML")
    if kind == "JATS":
        return kind, validate_jats(data)
    if kind == "Crossref":
        return kind, validate_crossref(data)
    if kind == "PubMed":
        return kind, validate_pubmed(data)
    return kind, [XmlProblem(f"the root element is <{etree.QName(root).localname}>: not a JATS article, a Crossref "
                             "doi_batch or a PubMed ArticleSet", root.sourceline, None, WELL_FORMEDNESS)]
