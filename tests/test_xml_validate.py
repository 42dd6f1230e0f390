"""Validation of JATS, Crossref and PubMed XML against the schemas packaged in casepub/schemas/.

The samples (tests/xml/samples/, copied from the standards folder with their expected results) pass or
fail as the standards' README says. A document cannot make casepub read a file or open a connection:
its DOCTYPE and its external entities point at files that would break validation if they were read,
and at a socket on this machine that would see the connection."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.request import url2pathname

import pytest
from lxml import etree

from casepub.xml.validate import (
    CROSSREF_XSD,
    JATS_DTD,
    JATS_XSD,
    PUBMED_DTD,
    WELL_FORMEDNESS,
    XmlProblem,
    crossref_schema,
    jats_dtd,
    jats_schema,
    pubmed_dtd,
    validate_crossref,
    validate_jats,
    validate_pubmed,
)
from conftest import ROOT

SAMPLES = Path(__file__).resolve().parent / "xml" / "samples"
SCHEMAS = ROOT / "casepub" / "schemas"
Validator = Callable[[bytes], list[XmlProblem]]
VALIDATORS: dict[str, Validator] = {"jats-1.3": validate_jats, "crossref-5.3.1": validate_crossref,
                                    "pubmed-3.0": validate_pubmed}
# Each standard's sample: its root element, and an element holding text where an entity can be put
ROOTS = {"jats-1.3": ("valid-article.xml", "article", "publisher-name"),
         "crossref-5.3.1": ("valid-journal-article.xml", "doi_batch", "depositor_name"),
         "pubmed-3.0": ("valid-articleset.xml", "ArticleSet", "PublisherName")}

# What the standards' README quotes for each invalid sample (namespaces shortened to local names)
EXPECTED = {
    "jats-1.3/invalid-article-missing-issn.xml": [
        (JATS_XSD, 14, "Element 'publisher': This element is not expected. Expected is one of ( journal-title-group, "
                       "contrib-group, aff, aff-alternatives, issn )."),
        (JATS_DTD, 9, "Element journal-meta content does not follow the DTD, expecting (journal-id+ , journal-title-group* "
                      ", (contrib-group | aff | aff-alternatives)* , issn+ , issn-l? , isbn* , publisher? , notes* , "
                      "self-uri*), got (journal-id journal-title-group publisher )"),
    ],
    "crossref-5.3.1/invalid-missing-doi-data.xml": [
        (CROSSREF_XSD, 35, "Element 'journal_article': Missing child element(s). Expected is one of ( publisher_item, "
                           "program, crossmark, program, program, program, archive_locations, scn_policies, doi_data )."),
    ],
    "crossref-5.3.1/invalid-orcid-without-url.xml": [
        (CROSSREF_XSD, 44, "Element 'ORCID': [facet 'pattern'] The value '0000-0002-1825-0097' is not accepted by the "
                           "pattern 'https?://orcid.org/[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[X0-9]{1}'."),
    ],
    "pubmed-3.0/invalid-articleset-missing-issn.xml": [
        (PUBMED_DTD, 9, "Element Journal content does not follow the DTD, expecting (PublisherName , JournalTitle , Issn , "
                        "Volume? , Issue? , PubDate), got (PublisherName JournalTitle Volume Issue PubDate )"),
    ],
}


def _samples(prefix: str) -> list[str]:
    return sorted(str(path.relative_to(SAMPLES)) for path in SAMPLES.glob(f"*/{prefix}-*.xml"))


def _validator(sample: str) -> Validator:
    return VALIDATORS[sample.split("/")[0]]


@pytest.mark.parametrize("sample", _samples("valid"))
def test_a_valid_sample_has_no_problems(sample: str):
    assert _validator(sample)((SAMPLES / sample).read_bytes()) == []


def test_every_invalid_sample_has_its_expected_problems():
    assert _samples("invalid") == sorted(EXPECTED)


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_an_invalid_sample_fails_with_the_message_the_standard_quotes(sample: str):
    problems = _validator(sample)((SAMPLES / sample).read_bytes())
    assert [(p.source, p.line, p.message) for p in problems] == EXPECTED[sample]
    assert not any("{http" in p.message for p in problems)


@pytest.mark.parametrize("standard", sorted(VALIDATORS))
def test_xml_that_is_not_well_formed_gives_one_located_problem(standard: str):
    [problem] = VALIDATORS[standard](b'<?xml version="1.0"?>\n<root>\n  <a>text</b>\n</root>\n')
    assert (problem.source, problem.line) == (WELL_FORMEDNESS, 3)
    assert problem.message == "Opening and ending tag mismatch: a line 3 and b"
    assert problem.column  # libxml2 points past the closing tag (column 14 with libxml2 2.14)


@pytest.mark.parametrize("standard", sorted(VALIDATORS))
def test_no_bytes_at_all_give_a_located_problem(standard: str):
    [problem] = VALIDATORS[standard](b"")
    assert (problem.source, problem.line) == (WELL_FORMEDNESS, 1)
    assert "empty" in problem.message


def _sample(standard: str) -> tuple[bytes, bytes, bytes]:
    """A valid sample without its DOCTYPE, split after the XML declaration; and the element holding text."""
    name, _root, text_element = ROOTS[standard]
    data = re.sub(rb"<!DOCTYPE[^>]*>", b"", (SAMPLES / standard / name).read_bytes())
    declaration, rest = data.split(b"?>", 1)
    return declaration + b"?>\n", rest, text_element.encode()


def _with_doctype(standard: str, doctype: str) -> bytes:
    declaration, rest, _ = _sample(standard)
    return declaration + doctype.replace("ROOT", ROOTS[standard][1]).encode() + rest


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket on this machine that a fetch of http://127.0.0.1:<port>/ would reach."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield server


def _nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


@pytest.fixture
def traps(tmp_path: Path) -> Path:
    """A DTD that is not well-formed and an entity file holding an element no schema allows: reading either shows."""
    (tmp_path / "broken.dtd").write_text("<!ELEMENT broken\n", encoding="utf-8")
    (tmp_path / "secret.xml").write_text("<secret-MARKER>read</secret-MARKER>", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("standard", sorted(VALIDATORS))
def test_a_doctype_naming_a_file_is_not_read(standard: str, traps: Path):
    for system_id in (str(traps / "broken.dtd"), (traps / "broken.dtd").as_uri()):
        assert VALIDATORS[standard](_with_doctype(standard, f'<!DOCTYPE ROOT SYSTEM "{system_id}">')) == []


@pytest.mark.parametrize("standard", sorted(VALIDATORS))
def test_a_doctype_naming_a_url_is_not_fetched(standard: str, listener: socket.socket):
    port = listener.getsockname()[1]
    doctype = f'<!DOCTYPE ROOT PUBLIC "-//Example//DTD Trap//EN" "http://127.0.0.1:{port}/trap.dtd">'
    assert VALIDATORS[standard](_with_doctype(standard, doctype)) == []
    assert _nobody_connected(listener)


def test_a_schema_location_in_a_crossref_deposit_is_not_fetched(listener: socket.socket):
    port = listener.getsockname()[1]
    data = (SAMPLES / "crossref-5.3.1" / "valid-journal-article.xml").read_bytes()
    data, count = re.subn(rb'xsi:schemaLocation="[^"]*"',
                          f'xsi:schemaLocation="http://www.crossref.org/schema/5.3.1 http://127.0.0.1:{port}/x.xsd"'
                          .encode(), data)
    assert count == 1
    assert validate_crossref(data) == []
    assert _nobody_connected(listener)


@pytest.mark.parametrize("standard", sorted(VALIDATORS))
def test_external_entities_are_neither_read_nor_fetched(standard: str, traps: Path, listener: socket.socket):
    port = listener.getsockname()[1]
    declaration, rest, text_element = _sample(standard)
    doctype = (f'<!DOCTYPE {ROOTS[standard][1]} SYSTEM "http://127.0.0.1:{port}/trap.dtd" [\n'
               '  <!ENTITY passwd SYSTEM "file:///etc/passwd">\n'
               f'  <!ENTITY secret SYSTEM "{(traps / "secret.xml").as_uri()}">\n'
               f'  <!ENTITY fetched SYSTEM "http://127.0.0.1:{port}/entity.xml">\n]>\n')
    body = rest.replace(b"<%s>" % text_element, b"<%s>&passwd;&secret;&fetched;" % text_element, 1)
    assert body != rest
    problems = VALIDATORS[standard](declaration + doctype.encode() + body)
    assert [(p.source, p.message.split(":")[0]) for p in problems] == [
        (WELL_FORMEDNESS, f"Entity '{name}' is not expanded") for name in ("passwd", "secret", "fetched")]
    assert all(p.line for p in problems)
    assert not any("root:" in p.message or "MARKER" in p.message for p in problems)
    assert _nobody_connected(listener)


def test_a_named_entity_from_the_dtd_is_reported_where_it_stands():
    """`&eacute;` is defined only in the PubMed DTD, which is never loaded from a document: the author learns where."""
    data = (SAMPLES / "pubmed-3.0" / "valid-articleset.xml").read_bytes()
    lines = data.split(b"\n")
    line = next(i for i, text in enumerate(lines, 1) if b"<PublisherName>" in text)
    problems = validate_pubmed(data.replace(b"<PublisherName>", b"<PublisherName>&eacute;", 1))
    assert [(p.source, p.line) for p in problems] == [(WELL_FORMEDNESS, line)]
    assert "'eacute'" in problems[0].message


def test_importing_the_module_compiles_nothing():
    code = ("import casepub.xml.validate as v; "
            "print(sum(f.cache_info().currsize for f in (v.jats_schema, v.jats_dtd, v.crossref_schema, v.pubmed_dtd)))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"


def test_each_schema_is_compiled_once():
    assert jats_schema() is jats_schema()
    assert jats_dtd() is jats_dtd()
    assert crossref_schema() is crossref_schema()
    assert pubmed_dtd() is pubmed_dtd()


class _Log(etree.Resolver):
    """Notes every file a DTD loads, and lets it load."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def resolve(self, url: str, public_id: str, context: object) -> None:
        self.loaded.append(url)


@pytest.mark.parametrize(("folder", "driver"), [("jats-1.3-dtd", "JATS-journalpublishing1-3-mathml3.dtd"),
                                                ("pubmed-3.0", "PubMed.dtd")])
def test_a_packaged_dtd_folder_holds_exactly_the_files_its_driver_loads(folder: str, driver: str):
    log = _Log()
    parser = etree.XMLParser(load_dtd=True, no_network=True, resolve_entities=True)
    parser.resolvers.add(log)
    etree.fromstring(f'<!DOCTYPE x SYSTEM "{(SCHEMAS / folder / driver).as_uri()}"><x/>'.encode(), parser)
    loaded = sorted(str(Path(url2pathname(url.removeprefix("file://"))).relative_to(SCHEMAS / folder)) for url in log.loaded)
    on_disk = sorted(str(path.relative_to(SCHEMAS / folder)) for path in (SCHEMAS / folder).rglob("*") if path.is_file())
    assert loaded == on_disk
    assert len(loaded) == {"jats-1.3-dtd": 62, "pubmed-3.0": 26}[folder]


@pytest.mark.parametrize("folder", ["jats-1.3-xsd", "crossref-5.3.1"])
def test_a_packaged_xsd_includes_and_imports_only_files_beside_it(folder: str):
    """A schemaLocation left as a URL is skipped offline with a warning, and the schema silently lacks that part."""
    for path in (SCHEMAS / folder).rglob("*.xsd"):
        for reference in etree.parse(str(path)).iterfind("{http://www.w3.org/2001/XMLSchema}*[@schemaLocation]"):
            target = (path.parent / reference.get("schemaLocation")).resolve()
            assert target.is_file() and (SCHEMAS / folder).resolve() in target.parents, (path, reference.attrib)
