"""JATS 1.3 per article (casepub/xml/jats.py): valid by construction, proven on every bundled case and valid
fixture, on generated cases and on hostile text in every field family; the same words as the HTML; the
structure the issue lists (contributors, affiliations, notes, figures with their panels, citations, tables,
references, permissions)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tinyhtml5
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from casepub.__main__ import main
from casepub.check import check_case
from casepub.references import library
from casepub.render.html import article_view
from casepub.xml import schematron
from casepub.xml.jats import article_jats, clean
from casepub.xml.validate import validate_jats
from conftest import FIXTURES, REFERENCE, ROOT, edit

CARE = ROOT / "cases" / "kummell-care"
XLINK = "{http://www.w3.org/1999/xlink}"
ISSN = "issn: 1234-5679\npublisher: Example Medical Press\n"  # a well-formed ISSN, for the journal-neutral `care`
CASES = sorted([*(ROOT / "cases").glob("*/case.md"), *(FIXTURES / "valid").glob("*/case.md")])


def with_issn(folder: Path, tmp: Path) -> Path:
    """A copy of the case beside journals/care.yaml giving the `care` profile an ISSN (staff settings), and the
    fixtures' own journals/ settings."""
    copy = tmp / folder.name
    shutil.copytree(folder, copy)
    journals = tmp / "journals"
    if (folder.parent / "journals").is_dir() and not journals.exists():
        shutil.copytree(folder.parent / "journals", journals)
    journals.mkdir(exist_ok=True)
    (journals / "care.yaml").write_text(ISSN, encoding="utf-8")
    return copy


def made(folder: Path) -> tuple[bytes, str]:
    """The case's JATS and its HTML page, made in this process from its view (panels given file names)."""
    checked = check_case(folder)
    assert checked.case is not None and checked.profile is not None and not checked.errors, checked.diagnostics
    case = checked.case
    panels = {(f, p): (f"figures/{f}-{p}.jpg", 600, 400)
              for f, figure in enumerate(case.meta.figures) for p in range(len(figure.panels))}
    view = article_view(case, checked.profile, panels, f"{case.name}.pdf")
    found = library(case)
    from casepub.render.html import render_html
    return article_jats(view, found.items if found else None), render_html(view)


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False))


def jats4r_errors(data: bytes) -> list[str]:
    assert schematron.available(), "saxonche runs the JATS4R rules: it is in the test extra (pip install -e '.[test]')"
    return [f"{finding.message} at {finding.location}" for finding in schematron.jats4r(data)
            if finding.role == "error"]


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.parent.name)
def test_every_bundled_case_and_valid_fixture_gives_valid_jats(case, tmp_path):
    data, _ = made(with_issn(case.parent, tmp_path))
    assert validate_jats(data) == []
    assert jats4r_errors(data) == []
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE article PUBLIC "
                           b'"-//NLM//DTD JATS (Z39.96) Journal Publishing DTD with MathML3 v1.3 20210610//EN"')


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.replace("\u00ad", ""))


def html_parts(page: str) -> dict[str, str]:
    tree = tinyhtml5.parse(page, namespace_html_elements=False)

    def text(xpath: str) -> str:
        return " ".join(" ".join(node.itertext()) for node in tree.iterfind(xpath))

    return {"body": text(".//div[@class='article-body']"),
            "captions": text(".//figcaption[@class='caption']"),
            "statements": text(".//section[@class='statements']"),
            "references": text(".//ol[@class='reference-list']")}


def jats_parts(data: bytes) -> dict[str, str]:
    root = parse(data)

    def text(xpath: str) -> str:
        return " ".join(" ".join(node.itertext()) for node in root.xpath(xpath))

    return {"body": text("/article/body"),
            "captions": text("//fig/label | //fig/caption"),
            "statements": text("//custom-meta | //author-notes/fn | //funding-statement | "
                               "//back/fn-group | //contrib/role | //contrib/name | //contrib/string-name"),
            "references": text("//mixed-citation")}


@pytest.mark.parametrize("folder", [REFERENCE, CARE], ids=lambda path: path.name)
def test_the_words_of_the_page_are_the_words_of_the_jats(folder, tmp_path):
    """Every word of the body, the figure captions, the statements and the references on the page is in the
    JATS, and the reverse (labels the page prints, "Figure 1.", and the statements' headings aside)."""
    data, page = made(with_issn(folder, tmp_path))
    shown, written = html_parts(page), jats_parts(data)
    assert shown["references"] or folder == REFERENCE
    for part in ("body", "captions", "references"):
        assert sorted(words(shown[part])) == sorted(words(written[part])), part
    headings = {"CRediT", "authorship", "contribution", "statement", "Funding"}  # what JATS says with elements
    statement_words = set(words(shown["statements"])) - headings
    assert statement_words <= set(words(written["statements"]))


def test_the_structure_a_deposit_reads(tmp_path):
    data, _ = made(with_issn(CARE, tmp_path))
    root = parse(data)
    assert root.get("article-type") == "case-report" and root.get("dtd-version") == "1.3"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    meta = root.find("front/article-meta")
    contribs = meta.findall("contrib-group/contrib")
    assert [c.findtext("name/surname") for c in contribs] == ["Lindqvist", "Wójcik", "Okafor", "van Dijk"]
    assert contribs[0].get("corresp") == "yes" and contribs[0].find("xref[@ref-type='corresp']") is not None
    assert contribs[0].findtext("contrib-id[@contrib-id-type='orcid']") == "https://orcid.org/0000-0002-1825-0097"
    roles = contribs[0].findall("role")
    assert [r.text for r in roles] == ["Conceptualization", "Investigation", "Writing – original draft"]
    assert {r.get("vocab") for r in roles} == {"credit"}
    assert roles[0].get("vocab-term-identifier") == "https://credit.niso.org/contributor-roles/conceptualization/"
    affiliations = {aff.get("id"): aff for aff in meta.findall("aff")}
    for contrib in contribs:
        for xref in contrib.findall("xref[@ref-type='aff']"):
            assert xref.get("rid") in affiliations
    assert [aff.findtext("label") for aff in affiliations.values()] == ["1", "2"]
    assert all(aff.find("country").get("country") == "NL" for aff in affiliations.values())
    coi = meta.find("author-notes/fn[@fn-type='coi-statement']")
    assert "PvD:" in "".join(coi.itertext()) and "Consultant" in "".join(coi.itertext())
    assert meta.find("author-notes/corresp/email").text == "marta.lindqvist@example.org"
    assert [d.get("date-type") for d in meta.findall("history/date")] == ["received", "rev-recd", "accepted"]
    assert meta.findtext("permissions/license/{http://www.niso.org/schemas/ali/1.0/}license_ref") == \
        "https://creativecommons.org/licenses/by/4.0/"
    assert meta.findtext("permissions/copyright-year") == "2026"
    assert [s.get("sec-type") for s in meta.findall("abstract/sec")][:2] == ["introduction", "case-presentation"]
    assert meta.findtext("kwd-group/kwd") == "Kümmell disease"
    assert meta.findtext("funding-group/funding-statement").startswith("This work received no external funding")
    # Body: sections by heading, figure citations to the panels, references, the table.
    assert [s.findtext("title") for s in root.findall("body/sec")][:2] == ["Introduction", "Case presentation"]
    graphics = {g.get("id"): g for g in root.iterfind(".//floats-group/fig/graphic")}
    figure_links = root.findall(".//body//xref[@ref-type='fig']")
    assert figure_links and all(x.get("rid") in graphics for x in figure_links)
    references = {r.get("id") for r in root.iterfind(".//ref-list/ref")}
    assert len(references) == 8
    assert {x.get("rid") for x in root.iterfind(".//body//xref[@ref-type='bibr']")} <= references
    table = root.find(".//body//table-wrap[@id='tbl-labs']")
    assert table.findtext("label") == "Table 1" and table.find("table/thead/tr/th") is not None
    # Figures: one fig each, never nested, a graphic per panel with its letter and alt text.
    figures = root.findall("floats-group/fig")
    assert [f.findtext("label") for f in figures] == ["Figure 1", "Figure 2"]
    assert not root.findall(".//fig//fig")
    first = figures[0].findall("graphic")
    assert [g.findtext("label") for g in first] == ["A", "B", "C"] and all(g.findtext("alt-text") for g in first)
    assert first[0].get(f"{XLINK}href") == "figures/0-0.jpg"
    # References: structured, with DOI and PMID, and as printed.
    ref = root.find(".//ref-list/ref[@id='ref-1']/citation-alternatives")
    cited = ref.find("element-citation")
    assert cited.get("publication-type") == "journal"
    assert cited.findtext("pub-id[@pub-id-type='doi']") == "10.1056/NEJMoa0900429"
    assert cited.findtext("pub-id[@pub-id-type='pmid']")
    assert "".join(ref.find("mixed-citation").itertext()).startswith("Buchbinder R, Osborne RH")
    chapter = [c for c in root.iterfind(".//element-citation") if c.get("publication-type") == "book"
               and c.find("chapter-title") is not None]
    assert chapter and chapter[0].find("person-group[@person-group-type='editor']") is not None


def test_the_reference_case_equal_contribution_and_fda_status(tmp_path):
    data, _ = made(REFERENCE)
    meta = parse(data).find("front/article-meta")
    assert [c.get("equal-contrib") for c in meta.findall("contrib-group/contrib")][-2:] == ["yes", "yes"]
    assert "contributed equally" in "".join(meta.find("author-notes/fn[@fn-type='equal']").itertext())
    custom = meta.find("custom-meta-group/custom-meta[@specific-use='fda-status']")
    assert custom.findtext("meta-name") == "FDA device/drug status" and custom.findtext("meta-value")
    assert meta.findtext("../journal-meta/issn") == "1529-9430"


def test_render_to_jats_writes_the_xml_alone_without_weasyprint(tmp_path):
    code = ("import sys, casepub.__main__ as m; rc = m.main(['render', sys.argv[1], '-o', sys.argv[2], '--to', "
            "'jats']); assert 'weasyprint' not in sys.modules, 'weasyprint imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(REFERENCE), str(tmp_path)], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    written = tmp_path / REFERENCE.name / f"{REFERENCE.name}.xml"
    assert validate_jats(written.read_bytes()) == []
    assert not (tmp_path / REFERENCE.name / "index.html").exists()
    root = parse(written.read_bytes())
    for graphic in root.iterfind(".//graphic"):  # every panel the XML names is beside it
        assert (written.parent / graphic.get(f"{XLINK}href")).is_file()


def test_a_journal_without_an_issn_cannot_have_jats(tmp_path, capsys):
    assert main(["render", str(CARE), "-o", str(tmp_path), "--to", "jats"]) == 1
    out = capsys.readouterr().out
    assert "case.md:2:10: error CP106 JATS needs the journal's ISSN" in out and "journals/care.yaml" in out
    copy = with_issn(CARE, tmp_path / "with")
    assert main(["render", str(copy), "-o", str(tmp_path / "out"), "--to", "html,jats"]) == 0
    assert (tmp_path / "out" / copy.name / f"{copy.name}.xml").is_file()


def test_xml_cannot_hold_control_characters_or_lone_surrogates():
    assert clean("a\x00b\x1fc\ud800d\ufffee\tf\n") == "abcde\tf\n"
    assert clean("]]> & < \u202e") == "]]> & < \u202e"


# Hostile text in every field family: valid XML, no element or attribute added, the text kept.
HOSTILE = st.lists(st.sampled_from(["]]>", "&amp;", "&", "<", ">", "<script>alert(1)</script>", "\"", "'",
                                    "\u202e", "\u200f", "\u0000", "\u0007", "\ud800", "\ufffe", "<![CDATA[x",
                                    "<!-- c -->", "&#0;", "\u05e9\u05dc\u05d5\u05dd", " ", "x", "é"]),
                   min_size=1, max_size=8).map("".join)
FIELDS = {  # (the line as written, the value in it to replace)
    "title": ("title: Severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty",
              "Severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty"),
    "name": ("  - name: Wentao Wang", "Wentao Wang"),
    "degree": ("    degrees: [MD]\n    affiliations: [spine]\n    disclosure: Nothing to disclose.\n  - name: Kun",
               "MD"),
    "department": ("    department: Department of Spine Surgery", "Department of Spine Surgery"),
    "city": ("    city: Xi'an\n    postal-code: \"710054\"", "Xi'an"),
    "disclosure": ("    disclosure: Nothing to disclose.\n  - name: Kun Duan", "Nothing to disclose."),
    "alt": ("alt: Sagittal T2-weighted MRI of the lumbar spine", "Sagittal T2-weighted MRI of the lumbar spine"),
    "caption": ("      A: MRI T2-weighted images showed high signal intensity on the T12 vertebra with compression "
                "(white arrow).", "MRI T2-weighted images showed high signal intensity on the T12 vertebra with "
                "compression (white arrow)."),
    "conflict": ("  The authors declare that they have no financial or other conflicts of\n  interest in relation to "
                 "this research and its publication.", None),
}


MARKDOWN = {"title", "caption"}


def _yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted string (escapes for what YAML cannot hold as it is)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() and c not in "\ufeff\ufffe" else f"\\u{ord(c):04x}" for c in escaped) + '"'


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(sorted(FIELDS)), text=HOSTILE)
def test_hostile_text_in_any_field_gives_valid_jats_and_no_new_element(tmp_path_factory, field, text):
    """Whatever the text, the XML is well-formed and valid (or the check refuses the case, located), it holds
    the text, and it has no element or attribute the plain case's XML does not (but `string-name` and
    `name-alternatives` for a name that is not just its given and family names)."""
    folder = tmp_path_factory.mktemp("hostile") / "case"
    shutil.copytree(REFERENCE, folder)
    line, value = FIELDS[field]
    if value is None:  # a folded block: the whole value replaced
        edit(folder, "conflict-statement: >-\n" + line, "conflict-statement: " + _yaml_string(text))
    else:
        assert value in line
        edit(folder, line, line.replace(value, _yaml_string(text), 1))
    checked = check_case(folder)
    if checked.errors:  # refused with a located diagnostic: nothing to write
        assert all(d.location.line for d in checked.errors), checked.errors
        return
    data, _ = made(folder)
    assert validate_jats(data) == []
    plain, _ = made(REFERENCE)
    tags, attributes = _vocabulary(data)
    plain_tags, plain_attributes = _vocabulary(plain)
    assert tags <= plain_tags | {"string-name", "name-alternatives"} and attributes <= plain_attributes
    kept = " ".join(clean(text).split())
    written = " ".join("".join(parse(data).itertext()).split())
    if kept and field == "name":  # its parts: the surname comes first in <name>
        assert all(part in written for part in kept.split())
    elif kept and field not in MARKDOWN:  # (a title or caption is Markdown: `&amp;` in it is "&" on the page too)
        assert kept in written


def _vocabulary(data: bytes) -> tuple[set[str], set[str]]:
    root = parse(data)
    return ({str(node.tag) for node in root.iter() if isinstance(node.tag, str)},
            {str(name) for node in root.iter() if isinstance(node.tag, str) for name in node.attrib})


def test_a_ten_thousand_character_title_is_valid_xml(tmp_path):
    """The check refuses such a title (the journal's word limit); the JATS writer still makes valid XML of it."""
    from casepub.check import resolve_profile
    from casepub.load.case import load_case

    folder = tmp_path / "case"
    shutil.copytree(REFERENCE, folder)
    edit(folder, "title: Severe vertebra collapse", "title: " + "Severe & <vertebra> ]]> " * 420 + "collapse")
    case = load_case(folder).case
    assert case is not None and len(case.meta.title or "") > 10_000
    profile, _ = resolve_profile(case)
    panels = {(0, p): (f"figures/{p}.jpg", 600, 400) for p in range(6)}
    data = article_jats(article_view(case, profile, panels, "x.pdf"))
    assert validate_jats(data) == []
    title = "".join(parse(data).find("front/article-meta/title-group/article-title").itertext())
    assert title.startswith("Severe & <vertebra> ]]> Severe") and len(title) > 10_000


def test_validate_reads_any_file_and_locates_its_problems(tmp_path, capsys):
    """`casepub validate` for staff: the kind from the root element; errors located at file:line; JATS4R too."""
    good, _ = made(REFERENCE)
    (tmp_path / "good.xml").write_bytes(good)
    (tmp_path / "bad.xml").write_bytes(good.replace(b"<issn pub-type=\"ppub\">1529-9430</issn>", b""))
    (tmp_path / "other.xml").write_bytes(b"<html/>")
    samples = ROOT / "tests" / "xml" / "samples"
    assert main(["validate", str(tmp_path / "good.xml")]) == 0
    assert capsys.readouterr().out.strip().endswith("validated 1 file: 0 errors, 0 warnings")
    assert main(["validate", str(tmp_path / "bad.xml"), str(tmp_path / "other.xml"),
                 str(samples / "crossref-5.3.1" / "invalid-orcid-without-url.xml")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{tmp_path / 'bad.xml'}:13:1: error JATS 1.3 XSD: Element 'publisher': This "
                               "element is not expected") for line in lines)
    assert any("error JATS 1.3 DTD" in line for line in lines)
    assert any("other.xml:1:1: error well-formedness: the root element is <html>" in line for line in lines)
    assert any("invalid-orcid-without-url.xml:44:1: error Crossref 5.3.1 XSD" in line for line in lines)
    assert main(["validate", "--format", "json", str(samples / "pubmed-3.0" / "valid-articleset.xml")]) == 0
    assert capsys.readouterr().out.strip() == "[]"


# Generated bodies: every block and inline form Markdown and casepub give, nested in each other.
INLINE_PIECES = ["text ", "*italic* ", "**bold** ", "`code` ", "H~2~O ", "10^9^ ", "<https://example.org/a_b> ",
                 "[a link](https://example.org) ", "mail@example.org ", "(Figure 1A) ", "(Figures 1B-C) ", "& < > ",
                 "\\* ", "x<sup>2</sup> ", "Table 1 "]
BLOCK_PIECES = ["## Heading {n}", "### Sub {n}", "#### Deeper {n}", "- item {inline}\n- item two", "1. one {inline}\n2. two",
                "> quoted {inline}\n>\n> - in a quote", "```\ncode <b> & {n}\n```", "- outer\n  - inner {inline}",
                "| A | B |\n|---|---|\n| {inline} | 2 |\n\n: A table {{#tbl-t{n}}}", "---", "Plain paragraph {inline}.",
                "> ## heading in a quote"]


@st.composite
def bodies(draw) -> str:
    blocks = []
    for n in range(draw(st.integers(1, 8))):
        inline = "".join(draw(st.lists(st.sampled_from(INLINE_PIECES), max_size=4)))
        blocks.append(draw(st.sampled_from(BLOCK_PIECES)).format(n=n, inline=inline))
    return "\n\n".join(blocks) + "\n\nThe figure (Figure 1A-F) and Table 1.\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies())
def test_generated_bodies_give_valid_jats(tmp_path_factory, body):
    """Whatever the text's structure (headings at any level, lists in lists, quotes, code, tables, rules),
    the JATS is valid: blocks where JATS allows them, sections nested by their headings."""
    from casepub.check import resolve_profile
    from casepub.load.case import load_case

    folder = tmp_path_factory.mktemp("body") / "case"
    shutil.copytree(REFERENCE, folder)
    source = (folder / "case.md").read_text(encoding="utf-8")
    front = source.split("\n---\n", 1)[0]
    (folder / "case.md").write_text(front + "\n---\n\n" + body, encoding="utf-8")
    case = load_case(folder).case
    assert case is not None
    profile, _ = resolve_profile(case)
    panels = {(0, p): (f"figures/{p}.jpg", 600, 400) for p in range(6)}
    view = article_view(case, profile, panels, "x.pdf")
    data = article_jats(view)
    assert validate_jats(data) == [], body
    from casepub.render.html import render_html
    shown = html_parts(render_html(view))["body"]
    assert sorted(words(shown)) == sorted(words(jats_parts(data)["body"])), body


# The complete article's field families (the CARE case): each a YAML line and the value in it.
CARE_FIELDS = {
    "keyword": ("keywords: [Kümmell disease,", "Kümmell disease"),
    "copyright": ("copyright: {holder: The Authors, year: 2026}", "The Authors"),
    "funding": ("funding: This work received no external funding.", "This work received no external funding."),
    "timeline": ("  - {when: Day 1, event: Fall at home; acute L1 compression fracture on radiograph and MRI}",
                 "Fall at home; acute L1 compression fracture on radiograph and MRI"),
}
BIB_TITLE = "A Randomized Trial of Vertebroplasty for Painful Osteoporotic Vertebral Fractures"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from([*sorted(CARE_FIELDS), "reference"]), text=HOSTILE)
def test_hostile_text_in_the_complete_article_s_fields_gives_valid_jats(tmp_path_factory, field, text):
    """Keywords, copyright, funding, the timeline and a reference's title (from the .bib file) with hostile
    text: valid XML with no element or attribute added, or refused by the check with a located diagnostic."""
    tmp = tmp_path_factory.mktemp("care-hostile")
    folder = with_issn(CARE, tmp)
    if field == "reference":
        bib = (folder / "references.bib").read_text(encoding="utf-8")
        braced = text.replace("{", "").replace("}", "").replace("\\", "").replace("@", "")
        (folder / "references.bib").write_text(bib.replace(BIB_TITLE, braced or "x", 1), encoding="utf-8",
                                               errors="surrogatepass")  # a lone surrogate: a file that is not UTF-8
    else:
        line, value = CARE_FIELDS[field]
        edit(folder, line, line.replace(value, _yaml_string(text), 1))
    checked = check_case(folder)
    if checked.errors:
        assert all(d.location.line for d in checked.errors), checked.errors
        return
    data, _ = made(folder)
    assert validate_jats(data) == []
    plain, _ = made(with_issn(CARE, tmp / "plain"))
    tags, attributes = _vocabulary(data)
    plain_tags, plain_attributes = _vocabulary(plain)
    assert tags <= plain_tags | {"string-name", "name-alternatives"} and attributes <= plain_attributes
