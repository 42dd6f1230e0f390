"""JATS4R's Schematron checks on one JATS article, offline.

The rules (casepub/schemas/jats4r/schematrons/1.0/jats4r.sch, JATS4R 0.0.16) use queryBinding xslt2 with
xsl:functions, so lxml's XSLT 1.0 Schematron cannot run them. They are compiled to an XSLT 2 stylesheet with
the ISO Schematron skeleton (casepub/schemas/jats4r/iso-schematron-xslt2/: iso_dsdl_include.xsl, then
iso_abstract_expand.xsl, then iso_svrl_for_xslt2.xsl) and run with SaxonC-HE (PyPI `saxonche`, an optional
dependency: `available()` says whether it is installed). The three compiling steps and the stylesheet's own
compilation take a few tenths of a second, once per process; an article then takes milliseconds.

The article is parsed by lxml first (no network, no DTD, no external entity) and handed to Saxon without its
DOCTYPE, so that nothing is read but the bytes given and the package's rule files (the rules look up
credit-roles.xml, countries.xml, clinical-trial-registries.xml and lang.xml beside the .sch files).
"""

from __future__ import annotations

import functools
import importlib
import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

_SVRL = "http://purl.oclc.org/dsdl/svrl"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_STEPS = ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*+")  # an element name without a namespace
_lock = threading.Lock()  # a compiled Saxon stylesheet is not thread-safe


@dataclass(frozen=True)
class Finding:
    """One failed assertion or successful report of the JATS4R rules."""

    role: str  # "error", "warning" or "info" (an assertion without a role counts as an error)
    message: str  # the assertion's text, whitespace collapsed
    location: str  # the XPath of the node in the article, as SVRL gives it
    test: str  # the assertion's XPath test


def available() -> bool:
    """Whether the Schematron engine (SaxonC-HE, PyPI saxonche, an optional dependency) can be loaded here."""
    try:
        importlib.import_module("saxonche")
    except (ImportError, OSError):
        return False
    return True


def _root() -> Path:
    return Path(str(resources.files("casepub") / "schemas" / "jats4r"))


@functools.cache
def _engine() -> tuple[Any, Any]:
    """(Saxon processor, compiled JATS4R stylesheet), built once per process."""
    from saxonche import PySaxonProcessor  # type: ignore[import-not-found]  # a compiled module without stubs

    root = _root()
    rules = root / "schematrons" / "1.0"
    skeleton = root / "iso-schematron-xslt2"
    proc = PySaxonProcessor(license=False)
    xslt = proc.new_xslt30_processor()
    # Step 1 reads jats4r.sch and its <include>s from their folder; steps 2 and 3 work on the text.
    text: str = xslt.compile_stylesheet(stylesheet_file=str(skeleton / _STEPS[0])).transform_to_string(
        source_file=str(rules / "jats4r.sch"))
    for step in _STEPS[1:]:
        text = xslt.compile_stylesheet(stylesheet_file=str(skeleton / step)).transform_to_string(
            xdm_node=proc.parse_xml(xml_text=text, encoding="UTF-8"))
    # The rules call document('credit-roles.xml') and the like, resolved against the stylesheet's base URI:
    # compiled from text, it has none, so xml:base points it at the rules' folder (read in place, nothing written).
    stylesheet = etree.fromstring(text.encode("utf-8"), etree.XMLParser(no_network=True, resolve_entities=False))
    stylesheet.set(_XML_BASE, rules.as_uri() + "/")
    executable = xslt.compile_stylesheet(stylesheet_text=etree.tostring(stylesheet, encoding="unicode"), encoding="UTF-8")
    return proc, executable


def _parse(data: bytes, resolve_entities: bool | str) -> Any:
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=resolve_entities, huge_tree=False)
    return etree.fromstring(data, parser)


def _without_doctype(data: bytes) -> str:
    """The article as text without its DOCTYPE, parsed with no network, no DTD and no external entity.

    Entities declared with their text in the DOCTYPE's internal subset are expanded; a reference to any other
    (one that a DTD or an external file defines) is a ValueError, since neither is read.
    """
    try:
        root = _parse(data, False)
    except etree.XMLSyntaxError as e:
        raise ValueError(f"not well-formed XML: {e}") from e
    unresolved = sorted({str(node.name) for node in root.iter(etree.Entity)})
    if unresolved:
        try:
            root = _parse(data, "internal")  # an external or undeclared one fails here
        except etree.XMLSyntaxError as e:
            names = ", ".join(f"&{name};" for name in unresolved)
            raise ValueError(f"entity references that only a DTD or an external file could resolve: {names} ({e})") from e
    return _id_types(root) + etree.tostring(root, encoding="unicode")


def _id_types(root: Any) -> str:
    """A DOCTYPE whose internal subset declares `id` an ID and `rid` IDREFS on the elements that carry them, as
    the JATS DTD does: the rules' id() and idref() find nothing in a document whose attributes are untyped (every
    "no xref points to this aff" would be an error). Read by Saxon's parser; no DTD file is named."""
    ids = sorted({str(node.tag) for node in root.iter() if isinstance(node.tag, str) and "id" in node.attrib})
    rids = sorted({str(node.tag) for node in root.iter() if isinstance(node.tag, str) and "rid" in node.attrib})
    declarations = [f"<!ATTLIST {tag} id ID #IMPLIED>" for tag in ids if _NAME.fullmatch(tag)]
    declarations += [f"<!ATTLIST {tag} rid IDREFS #IMPLIED>" for tag in rids if _NAME.fullmatch(tag)]
    name = root.tag if isinstance(root.tag, str) and _NAME.fullmatch(root.tag) else "article"
    return f"<!DOCTYPE {name} [\n" + "\n".join(declarations) + "\n]>\n" if declarations else ""


def _findings(svrl: str) -> list[Finding]:
    report = etree.fromstring(svrl.encode("utf-8"), etree.XMLParser(no_network=True, resolve_entities=False))
    found = []
    for node in report.iter(f"{{{_SVRL}}}failed-assert", f"{{{_SVRL}}}successful-report"):
        text = node.find(f"{{{_SVRL}}}text")
        message = " ".join("".join(text.itertext()).split()) if text is not None else ""
        found.append(Finding(role=node.get("role") or "error", message=message,
                             location=node.get("location", ""), test=node.get("test", "")))
    return found


def jats4r(data: bytes) -> list[Finding]:
    """The JATS4R findings for one article (errors, warnings and infos, in document order of the rules' output).

    Raises ValueError if `data` is not well-formed XML or uses entities that only a DTD or external file defines,
    and ImportError if saxonche is not installed (see `available()`).
    """
    article = _without_doctype(data)
    with _lock:
        proc, executable = _engine()
        node = proc.parse_xml(xml_text=article, encoding="UTF-8")
        svrl: str = executable.transform_to_string(xdm_node=node)
    return _findings(svrl)
