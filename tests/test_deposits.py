"""Issue builds write JATS per article, a PMC-style package per article, and the issue's Crossref and PubMed
deposits, each validated (casepub/issue/deposits.py, casepub/xml/crossref.py, casepub/xml/pubmed.py)."""
from __future__ import annotations

import datetime
import json
import shutil
import zipfile
from dataclasses import replace
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from casepub.check import check_case
from casepub.issue.build import build_issue
from casepub.issue.deposits import (
    ArticleRecord,
    Cited,
    Contributor,
    Deposited,
    Institution,
    IssueFacts,
    article_record,
    landing_page,
    make_deposit,
)
from casepub.issue.manifest import load_issue
from casepub.references import library
from casepub.render.html import article_view
from casepub.xml.crossref import crossref_xml
from casepub.xml.jats import clean
from casepub.xml.pubmed import pubmed_xml
from casepub.xml.validate import XmlProblem, validate_crossref, validate_jats, validate_pubmed
from conftest import REFERENCE, ROOT, edit

CR = "{http://www.crossref.org/schema/5.3.1}"
XLINK = "{http://www.w3.org/1999/xlink}"
ORCID = "0000-0002-1825-0097"  # ORCID's documented example
DEPOSIT_KEYS = ("depositor: {name: Example Press, email: deposits@example.org}\nregistrant: Example Press\n"
                "url: https://journal.example.org/{doi}\n")


def manifest(folder: Path, cases: list[str], keys: str = DEPOSIT_KEYS, dois: bool = True) -> Path:
    lines = ["journal: the-spine-journal", "volume: 26", "issue: 12", "date: 2026-12-01", "first-page: 1901",
             keys.rstrip(), "articles:"]
    for n, name in enumerate(cases):
        lines.append(f"  - case: cases/{name}")
        if dois:
            lines.append(f"    doi: 10.1016/j.spinee.2026.{n:02d}")
    path = folder / "issue.yaml"
    path.write_text("\n".join(line for line in lines if line) + "\n", encoding="utf-8")
    return path


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """Three copies of the reference case (one with an ORCID, one broken) built as an issue with deposit keys."""
    root = tmp_path_factory.mktemp("deposits")
    for name in ("one", "two", "broken", "three"):
        shutil.copytree(REFERENCE, root / "cases" / name)
        edit(root / "cases" / name, "title: Severe vertebra", f"title: Case {name}, *severe* vertebra")
    edit(root / "cases" / "two", "  - name: Kun Duan\n", f"  - name: Kun Duan\n    orcid: {ORCID}\n")
    edit(root / "cases" / "broken", "(Figure F)", "(Figure G)")  # CP054: it fails its checks
    build = build_issue(manifest(root, ["one", "two", "broken", "three"]), out=root / "out", jobs=2)
    return build, root / "out"


def test_the_deposits_are_written_and_valid(built):
    _build, out = built
    crossref, pubmed = (out / "crossref.xml").read_bytes(), (out / "pubmed.xml").read_bytes()
    assert validate_crossref(crossref) == [] and validate_pubmed(pubmed) == []
    report = json.loads((out / "report.json").read_text())
    assert {file: d["status"] for file, d in report["deposits"].items()} == {"crossref.xml": "valid",
                                                                             "pubmed.xml": "valid"}
    assert report["validation"] == {"valid": 3 + 2, "invalid": 0}  # three articles' JATS, two deposits


def test_the_deposits_say_what_the_articles_say(built):
    build, out = built
    pages = {o.name: (o.placement.first_page, o.placement.last_page) for o in build.outcomes if o.ok}
    assert pages == {"one": (1901, 1901), "two": (1902, 1902), "three": (1903, 1903)}
    dois = {"one": "10.1016/j.spinee.2026.00", "two": "10.1016/j.spinee.2026.01", "three": "10.1016/j.spinee.2026.03"}
    batch = parse((out / "crossref.xml").read_bytes())
    articles = batch.findall(f".//{CR}journal_article")
    assert [a.findtext(f"{CR}doi_data/{CR}doi") for a in articles] == list(dois.values())
    assert [a.findtext(f"{CR}doi_data/{CR}resource") for a in articles] == [
        f"https://journal.example.org/{doi}" for doi in dois.values()]
    assert [a.findtext(f"{CR}pages/{CR}first_page") for a in articles] == ["1901", "1902", "1903"]
    title = articles[1].find(f"{CR}titles/{CR}title")
    assert "".join(title.itertext()).startswith("Case two, severe vertebra") and title.find(f"{CR}i").text == "severe"
    people = articles[1].findall(f"{CR}contributors/{CR}person_name")
    assert [p.get("sequence") for p in people] == ["first"] + ["additional"] * 5
    assert [(p.findtext(f"{CR}given_name"), p.findtext(f"{CR}surname")) for p in people][:2] == [
        ("Wentao", "Wang"), ("Kun", "Duan")]
    assert people[1].findtext(f"{CR}ORCID") == f"https://orcid.org/{ORCID}"
    assert people[0].findtext(f"{CR}affiliations/{CR}institution/{CR}institution_department") == (
        "Department of Spine Surgery")
    assert batch.findtext(f".//{CR}journal_metadata/{CR}issn") == "1529-9430"
    assert batch.findtext(f".//{CR}journal_issue/{CR}journal_volume/{CR}volume") == "26"
    assert batch.findtext(f".//{CR}depositor/{CR}email_address") == "deposits@example.org"
    pubmed = parse((out / "pubmed.xml").read_bytes())
    assert [a.findtext("ELocationID") for a in pubmed.iter("Article")] == list(dois.values())
    assert [(a.findtext("FirstPage"), a.findtext("LastPage")) for a in pubmed.iter("Article")] == [
        ("1901", "1901"), ("1902", "1902"), ("1903", "1903")]
    two = list(pubmed.iter("Article"))[1]
    assert two.findtext("PublicationType") == "Case Reports"
    assert two.findtext("Journal/Issn") == "1529-9430" and two.findtext("Journal/Volume") == "26"
    assert "".join(two.find("ArticleTitle").itertext()).startswith("Case two, severe vertebra")
    assert two.find("ArticleTitle/i").text == "severe"
    assert two.findtext("AuthorList/Author[2]/Identifier[@Source='ORCID']") == f"https://orcid.org/{ORCID}"
    assert [a.get("EqualContrib") for a in two.iter("Author")][-2:] == ["Y", "Y"]  # Liu and Hao
    assert "Nothing to disclose" in two.findtext("CoiStatement")


def test_each_article_has_its_jats_with_its_place_in_the_issue(built):
    _build, out = built
    for name, page, doi in (("one", "1901", "10.1016/j.spinee.2026.00"), ("three", "1903", "10.1016/j.spinee.2026.03")):
        data = (out / name / f"{name}.xml").read_bytes()
        assert validate_jats(data) == []
        meta = parse(data).find("front/article-meta")
        assert (meta.findtext("volume"), meta.findtext("issue"), meta.findtext("fpage"), meta.findtext("lpage")) == (
            "26", "12", page, page)
        assert meta.findtext("article-id[@pub-id-type='doi']") == doi
        assert meta.find("pub-date").get("iso-8601-date") == "2026-12-01"
    report = json.loads((out / "report.json").read_text())
    assert {a["name"]: a["jats"] for a in report["articles"]} == {"one": "valid", "two": "valid", "broken": "not made",
                                                                  "three": "valid"}


def test_the_package_holds_the_xml_the_pdf_and_every_graphic(built):
    _, out = built
    with zipfile.ZipFile(out / "two" / "two.zip") as package:
        names = set(package.namelist())
        assert {"two.xml", "two.pdf"} <= names
        xml = package.read("two.xml")
        assert xml == (out / "two" / "two.xml").read_bytes()
        assert package.read("two.pdf") == (out / "two" / "two.pdf").read_bytes()
        graphics = [g.get(f"{XLINK}href") for g in parse(xml).iter("graphic")]
        assert len(graphics) == 6
        for href in graphics:  # every graphic resolves to a file in the zip, the file the article shows
            assert href in names
            assert package.read(href) == (out / "two" / href).read_bytes()


def test_a_failed_article_is_left_out_of_both_deposits_and_named(built):
    build, out = built
    assert not build.ok and [o.name for o in build.outcomes if not o.ok] == ["broken"]
    assert not (out / "broken" / "broken.xml").exists()
    for file in ("crossref.xml", "pubmed.xml"):
        assert b"Case broken" not in (out / file).read_bytes()
    report = json.loads((out / "report.json").read_text())
    for file in ("crossref.xml", "pubmed.xml"):
        deposit = report["deposits"][file]
        assert deposit["articles"] == ["one", "two", "three"]
        assert [d["name"] for d in deposit["left_out"]] == ["broken"]
    page = (out / "report.html").read_text()
    assert "crossref.xml" in page and "broken: the article failed" in page


def test_a_rebuild_with_nothing_changed_keeps_the_deposits(built, tmp_path):
    build, out = built
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    stamps = {p.name: p.stat().st_mtime_ns for p in copy.glob("*.xml")}
    again = build_issue(build.issue.file, out=copy, jobs=2)
    assert {p.name: p.stat().st_mtime_ns for p in copy.glob("*.xml")} == stamps
    assert {file: d.status for file, d in again.deposits.items()} == {"crossref.xml": "valid", "pubmed.xml": "valid"}
    assert all(o.jats == "valid" for o in again.outcomes if o.ok)


def test_a_manifest_without_deposit_keys_warns_where_and_still_builds(tmp_path):
    shutil.copytree(REFERENCE, tmp_path / "cases" / "one")
    issue = manifest(tmp_path, ["one"], keys="registrant: Example Press\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "crossref.xml").write_text("<old/>")  # from a build that had the keys
    build = build_issue(issue, out=tmp_path / "out", jobs=1)
    assert build.ok and [o.name for o in build.outcomes if o.ok] == ["one"]
    assert validate_jats((tmp_path / "out" / "one" / "one.xml").read_bytes()) == []
    [warning] = [d for d in build.diagnostics if d.code == "CP206"]
    assert not warning.is_error and warning.location.file == issue and warning.location.line == 1
    assert "the manifest has no `depositor` or `url`" in warning.message
    assert not (tmp_path / "out" / "crossref.xml").exists() and not (tmp_path / "out" / "pubmed.xml").exists()
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["deposits"]["crossref.xml"]["status"] == "not written"
    assert report["deposits"]["crossref.xml"]["reason"] == "the manifest has no `depositor` or `url`"


@pytest.mark.parametrize("key, value, line, column", [
    ("url", "journal.example.org/{doi}", 6, 6),          # not http(s)
    ("url", "https://journal.example.org/{issn}", 6, 6),  # an unknown placeholder
    ("depositor", "{name: Example Press, email: nobody}", 6, 41),
])
def test_wrong_deposit_keys_are_located(tmp_path, key, value, line, column):
    shutil.copytree(REFERENCE, tmp_path / "cases" / "one")
    issue = manifest(tmp_path, ["one"], keys=f"{key}: {value}\n")
    loaded, problems = load_issue(issue)
    assert loaded is None
    assert [(d.location.line, d.location.column) for d in problems] == [(line, column)]


def test_landing_pages_fill_the_template():
    assert landing_page("https://j.example.org/{doi}", "10.1000/a b<c>", "x") == "https://j.example.org/10.1000/a%20b%3Cc%3E"
    assert landing_page("https://j.example.org/articles/{name}", None, "t12") == "https://j.example.org/articles/t12"
    assert landing_page("https://j.example.org/{doi}", None, "t12") is None
    assert landing_page(None, "10.1000/a", "t12") is None


# --- from views, without renders ----------------------------------------------------------------------------------

FACTS = IssueFacts("The Spine Journal", "1529-9430", 26, 12, datetime.date(2026, 12, 1), "Spine J", "Elsevier", "en",
                   "Example Press", "deposits@example.org", "Example Press", "issue-20261201000000", 20261201000000)


@pytest.fixture(scope="module")
def records() -> dict[str, ArticleRecord]:
    """The records of two bundled cases, from their views: the reference case and the complete CARE case."""
    found = {}
    for folder in (REFERENCE, ROOT / "cases" / "kummell-care"):
        checked = check_case(folder)
        case = checked.case
        assert case is not None and checked.profile is not None
        panels = {(f, p): (f"figures/{f}-{p}.jpg", 600, 400)
                  for f, figure in enumerate(case.meta.figures) for p in range(len(figure.panels))}
        items = library(case)
        view = article_view(case, checked.profile, panels, "x.pdf")
        found[folder.name] = article_record(view, items.items if items else None)
    return found


def deposited(record: ArticleRecord, name: str = "a", doi: str = "10.1016/j.spinee.2026.09.001") -> Deposited:
    return Deposited(name, record, 101, 104, doi, landing_page("https://journal.example.org/{doi}", doi, name))


def test_a_complete_case_gives_its_abstract_history_licence_and_references(records):
    record = records["kummell-care"]
    assert ArticleRecord.from_json(json.loads(json.dumps(record.to_json()))) == record  # as the cache keeps it
    crossref, pubmed = crossref_xml(FACTS, [deposited(record)]), pubmed_xml(FACTS, [deposited(record)])
    assert validate_crossref(crossref) == [] and validate_pubmed(pubmed) == []
    article = parse(pubmed).find("Article")
    assert [p.get("PubStatus") for p in article.findall("History/PubDate")] == [kind for kind, _ in record.history]
    assert [t.get("Label") for t in article.findall("Abstract/AbstractText")] == [
        label.upper() for label, _ in record.abstract]
    assert [o.findtext("Param") for o in article.findall("ObjectList/Object")] == list(record.keywords)
    assert article.findtext("CopyrightInformation") and article.findtext("CoiStatement")
    batch = parse(crossref)
    ai = "{http://www.crossref.org/AccessIndicators.xsd}"
    assert batch.findtext(f".//{ai}program/{ai}license_ref") == record.license_url
    citations = batch.findall(f".//{CR}citation_list/{CR}citation")
    assert len(citations) == len(record.references) > 0
    for citation, cited in zip(citations, record.references):
        assert (citation.findtext(f"{CR}doi") or citation.findtext(f"{CR}unstructured_citation")) == (
            cited.doi or cited.text)


def test_an_article_whose_names_crossref_refuses_is_left_out_of_crossref_only(records):
    record = records["t12-osteonecrosis"]
    long = replace(record, authors=(replace(record.authors[0], family="W" * 70), *record.authors[1:]))
    articles = [deposited(record, "fine"), deposited(long, "long", "10.1016/j.spinee.2026.09.002")]
    here = {"long": "cases/long/case.md"}
    from casepub.diagnostics import Location

    where = {name: Location(Path(path)) for name, path in here.items()}
    valid, invalid, result, problems = make_deposit("crossref.xml", FACTS, articles, crossref_xml, validate_crossref,
                                                    "journal_article", where, Location(Path("issue.yaml")))
    assert valid is not None and invalid is None and validate_crossref(valid) == []
    assert result.articles == ["fine"] and [d["name"] for d in result.left_out] == ["long"]
    [warning] = problems
    assert warning.code == "CP208" and warning.location.file == Path("cases/long/case.md")
    assert "surname" in warning.message
    valid, _, result, problems = make_deposit("pubmed.xml", FACTS, articles, pubmed_xml, validate_pubmed, "Article",
                                              where, Location(Path("issue.yaml")))
    assert valid is not None and result.articles == ["fine", "long"] and problems == []


def test_a_deposit_that_the_issue_makes_invalid_is_not_written_but_kept_beside(records, tmp_path):
    from casepub.diagnostics import Location
    from casepub.issue.deposits import write_deposit

    bad = replace(FACTS, issn="1529-943")  # Crossref's pattern wants 4 digits, a hyphen, 4 digits
    valid, invalid, result, problems = make_deposit("crossref.xml", bad, [deposited(records["t12-osteonecrosis"])],
                                                    crossref_xml, validate_crossref, "journal_article", {},
                                                    Location(Path("issue.yaml"), 1, 1))
    assert valid is None and invalid is not None and result.status == "invalid"
    [error] = problems
    assert error.code == "CP207" and error.is_error and error.location.file == Path("issue.yaml")
    (tmp_path / "crossref.xml").write_text("<old/>")
    write_deposit(tmp_path, "crossref.xml", valid, invalid)
    assert not (tmp_path / "crossref.xml").exists()
    assert (tmp_path / "crossref.xml.invalid").read_bytes() == invalid


def test_an_article_whose_jats_does_not_validate_fails_with_cp105(built, tmp_path):
    """What the build does with the validator's answer (valid JATS cannot be made invalid from a case)."""
    from casepub.issue.build import _validated
    from casepub.issue.cache import State

    build, out = built
    outcome = replace(next(o for o in build.outcomes if o.name == "one"))
    folder = tmp_path / "one"
    shutil.copytree(out / "one", folder)
    state = State(tmp_path / ".state.json")
    _validated(outcome, [XmlProblem("Element 'x': This element is not expected.", 7, 3, "JATS 1.3 XSD")],
               tmp_path, state, True)
    assert not outcome.ok and outcome.jats == "invalid" and "one" not in state.finished
    error = outcome.diagnostics[-1]
    assert error.code == "CP105" and error.location.file.name == "case.md"
    assert "line 7: Element 'x'" in error.message
    assert not (folder / "one.xml").exists() and not (folder / "one.zip").exists() and (folder / "one.pdf").exists()


# --- hostile text --------------------------------------------------------------------------------------------------

HOSTILE = ["]]>", "&", "<", "<b>", "&amp;", "\x00", "\x0b", "\x1f", "\ud800", "\ufffe", "\u202e", "\u200f", "\u061c",
           "\"", "'", "<!--", "<?xml", "</title>", "{doi}", "\r\n", " ", "\t", "Ünïcødé", "王", "ال"]
text = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=8), max_size=12).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(title=text, given_name=text, family=text, place=text, reference=text, words=text)
def test_hostile_text_in_every_field_gives_valid_xml_or_a_located_diagnostic(records, title, given_name, family,
                                                                             place, reference, words):
    from casepub.diagnostics import Location

    base = records["kummell-care"]
    institution = Institution(place, place, place, place)
    record = replace(base, title=f"<em>{escape(title)}</em> {escape(title)}", authors=(
        Contributor(given_name, family, ORCID, (institution,), True), *base.authors[1:]),
        abstract=((words, words), ("Case", words)), keywords=(words, "x"), copyright=words, coi=words,
        references=(Cited(reference, None, None), Cited(reference, "10.1000/" + (reference or "x"), None)))
    where = {"a": Location(Path("cases/a/case.md"))}
    hostile_facts = replace(FACTS, depositor=f"Press {words}"[:130], registrant=f"Press {words}"[:255])
    for file, make, validate, tag in (("crossref.xml", crossref_xml, validate_crossref, "journal_article"),
                                      ("pubmed.xml", pubmed_xml, validate_pubmed, "Article")):
        valid, _invalid, result, problems = make_deposit(file, hostile_facts, [deposited(record), deposited(base, "b")],
                                                        make, validate, tag, where, Location(Path("issue.yaml")))
        if valid is None:  # only what the issue gives can make a whole deposit invalid: here the depositor's name
            assert [d.code for d in problems] == ["CP207"] and file == "crossref.xml"
            assert validate(make(FACTS, [deposited(base, "b")])) == []
            continue
        assert validate(valid) == []
        root = parse(valid)
        if "a" in result.articles:  # nothing in the text became an element or attribute: the text is the text
            first = root.find(f".//{CR}journal_article/{CR}titles/{CR}title" if tag == "journal_article"
                              else "Article/ArticleTitle")
            assert " ".join("".join(first.itertext()).split()) == " ".join(clean(f"{title} {title}").split())
            assert {child.tag.split("}")[-1] for child in first} <= {"i"}
        else:  # left out where it is written, with the schema's reason
            assert file == "crossref.xml" and [d.code for d in problems] == ["CP208"]
            assert problems[0].location == where["a"]
        assert "b" in result.articles


def test_hostile_text_in_a_case_reaches_valid_deposits_through_its_view(tmp_path):
    """A 10 000-character title with `]]>`, `&`, `<` and right-to-left marks, and the same in names and
    affiliations, written in case.md: the deposits are valid and hold the text as text."""
    from casepub.check import resolve_profile
    from casepub.load.case import load_case

    folder = tmp_path / "case"
    shutil.copytree(REFERENCE, folder)
    nasty = "A & B <i>c</i> ]]> \u202eevil\u202c \u200f"
    edit(folder, "title: Severe vertebra collapse", "title: " + "Severe & <vertebra> ]]> \u200f" * 400 + "collapse")
    edit(folder, "  - name: Wentao Wang", f'  - given: "{nasty}"\n    family: "Wang ]]> &"')
    edit(folder, "    department: Department of Spine Surgery", f'    department: "{nasty}"')
    case = load_case(folder).case
    assert case is not None and len(case.meta.title or "") > 10_000
    profile, _ = resolve_profile(case)
    panels = {(0, p): (f"figures/{p}.jpg", 600, 400) for p in range(6)}
    record = article_record(article_view(case, profile, panels, "x.pdf"))
    crossref, pubmed = crossref_xml(FACTS, [deposited(record)]), pubmed_xml(FACTS, [deposited(record)])
    assert validate_crossref(crossref) == [] and validate_pubmed(pubmed) == []
    title = "".join(parse(pubmed).find("Article/ArticleTitle").itertext())
    assert title.startswith("Severe & <vertebra> ]]> \u200fSevere") and len(title) > 10_000
    person = parse(crossref).find(f".//{CR}person_name")
    assert person.findtext(f"{CR}given_name") == " ".join(nasty.split())
    assert person.findtext(f"{CR}surname") == "Wang ]]> &"
    assert person.findtext(f".//{CR}institution_department") == nasty
