"""The printed page, read back as a reader sees it: what is on which page, in what order, where on the page
(pdftotext -bbox), and how it looks (pdftoppm's pixels); and the HTML's links.

- an Images of Spine Care article fits one page: figure at the top, then the text in two columns;
  a longer one fills page 1 before it flows onto page 2; the section label is printed once on page 1;
- panel letters are legible on a white panel;
- the corresponding author is a footnote on page 1 (PDF) and a note with a mailto: link (HTML);
- affiliation labels "a,b" link to their affiliations; each panel a citation names is a link;
- product names with parentheses print with brackets inside the FDA wording's parentheses.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
import tinyhtml5
from PIL import Image
from pypdf import PdfReader

from casepub.render import prepare_article, render_case
from casepub.render.html import article_view, render_html
from conftest import FIXTURES, REFERENCE, edit

LONGER = "article-types:\n  images-of-spine-care:\n    limits:\n      words: 5000\n"
FILLER = ("The patient was seen again in clinic and the findings were unchanged on every visit; the radiographs "
          "showed no further collapse, the brace was worn as advised, and the pain scores were recorded at each visit "
          "by the same examiner, who also noted the neurological status, which remained normal throughout. ")
CORRESPONDING = ("  - name: Wentao Wang\n    degrees: [MD]\n    affiliations: [spine, surgery]\n"
                 "    corresponding: true\n    email: wentao.wang@example.org\n")


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float   # from the top of the page
    x1: float
    y1: float


def words(pdf: Path, page: int) -> tuple[list[Word], float, float]:
    """The words of page `page` (1-based) with their boxes in points, and the page's width and height."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r'<page width="([\d.]+)" height="([\d.]+)"', out).groups())
    found = [Word(text, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]
    return found, width, height


def first(found: list[Word], text: str) -> Word:
    return next(word for word in found if word.text == text)


def rasterise(pdf: Path, page: int, dpi: int, stem: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    return Image.open(stem.with_suffix(".png")).convert("L")


def inked_rows(image: Image.Image) -> list[int]:
    """The rows of pixels with some ink on them (anti-aliased small print included)."""
    return [y for y in range(image.height) if image.crop((0, y, image.width, y + 1)).getextrema()[0] < 200]


def percentile(image: Image.Image, share: float) -> int:
    """The grey level below which `share` of the image's pixels are."""
    histogram, total, seen = image.histogram(), image.width * image.height, 0
    for level, count in enumerate(histogram):
        seen += count
        if seen >= share * total:
            return level
    return 255


def page_texts(pdf: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]


def longer(folder: Path, paragraphs: int) -> None:
    """More text (`paragraphs` x 50 words), and the word limit raised by staff settings beside the case."""
    journals = folder.parent / "journals"
    journals.mkdir(exist_ok=True)
    (journals / "the-spine-journal.yaml").write_text(LONGER)
    extra = "".join(f"\n\nParagraph {n}. {FILLER}" for n in range(1, paragraphs + 1))
    edit(folder, "treatment, but the patient refused.", "treatment, but the patient refused." + extra)


@pytest.fixture(scope="module")
def reference_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("layout")
    result = render_case(REFERENCE, out, formats=("pdf",))
    assert result.ok, result.diagnostics
    return result.outputs["pdf"]


@pytest.fixture(scope="module")
def long_case(tmp_path_factory) -> Path:
    """The reference case with ~600 more words and a corresponding author with two affiliations: two pages."""
    root = tmp_path_factory.mktemp("long")
    folder = root / "cases" / "long"
    shutil.copytree(REFERENCE, folder)
    longer(folder, 12)
    edit(folder, "  - name: Wentao Wang\n    degrees: [MD]\n    affiliations: [spine]\n", CORRESPONDING)
    result = render_case(folder, root / "out")
    assert result.ok, result.diagnostics
    return result.outputs["pdf"]


# --- one page when it fits; the figure at the top; the next page only once this one is full -----------------

def test_the_reference_case_is_one_page_with_the_figure_at_the_top(reference_pdf):
    reader = PdfReader(reference_pdf)
    assert len(reader.pages) == 1
    assert len(reader.pages[0].images) == 6  # the six panels are on page 1 with the text
    found, width, height = words(reference_pdf, 1)
    label, title = first(found, "IMAGES"), first(found, "Severe")
    caption = first(found, "Figure.")
    body = first(found, "70-year-old")
    refused = first(found, "refused.")
    author = first(found, "Wentao")
    statements = first(found, "FDA")
    assert label.y0 < title.y0 < caption.y0 < body.y0  # label, title, the figure and its caption, the text
    assert caption.y0 < height / 2  # the figure is at the top, near its first citation
    assert body.x1 < width / 2 < refused.x0 and width / 2 < author.x0  # the text runs on into column 2 ...
    assert refused.y1 < author.y0 < statements.y0  # ... and the back matter follows it there
    text = page_texts(reference_pdf)[0]
    assert text.index("Figure. (A) MRI") < text.index("A 70-year-old woman") < text.index("Wentao Wang, MD")


def test_the_section_label_is_printed_once_on_page_1_and_heads_page_2(long_case):
    first_page, second_page = page_texts(long_case)
    assert first_page.count("IMAGES OF SPINE CARE") == 1
    assert first_page.endswith("The Spine Journal 1")  # running header without the label, then the page number
    assert second_page.endswith("The Spine Journal IMAGES OF SPINE CARE 2")


def test_a_longer_case_fills_page_1_before_it_flows_onto_page_2(long_case):
    assert len(PdfReader(long_case).pages) == 2
    found, width, _ = words(long_case, 1)
    footnote = first(found, "Corresponding")
    text = [w for w in found if first(found, "70-year-old").y0 <= w.y0 < footnote.y0 - 12]
    left = max(w.y1 for w in text if w.x1 < width / 2)
    right = max(w.y1 for w in text if w.x0 > width / 2)
    assert abs(left - right) < 12  # both columns run to the same line ...
    assert footnote.y0 - right < 40  # ... down to the footnote: page 1 is full
    first_page, second_page = page_texts(long_case)
    assert "Paragraph 12." not in first_page and "Paragraph 12." in second_page
    body_end = first_page.split("Corresponding author:")[0].rstrip()  # the footnote comes after the text
    assert not body_end.endswith("throughout.")  # page 1 ends mid-paragraph ...
    assert second_page[:1].islower() and second_page.index("Wentao Wang") > 0  # ... page 2 carries on


def test_the_pages_look_like_a_journal_page(reference_pdf, long_case, tmp_path):
    """The ink is where a journal page has it: a page of the reference is not 40% empty; page 1 of the longer
    case is inked down to its footnote in both columns."""
    image = rasterise(reference_pdf, 1, 30, tmp_path / "reference")
    rows = inked_rows(image)
    inked = (max(rows) - min(rows)) / image.height
    assert inked > 0.85  # from the running header to the page number
    body_rows = [y for y in rows if y < image.height * 0.9]  # without the page number
    assert max(body_rows) > image.height * 0.6  # the text reaches well down the page
    page = rasterise(long_case, 1, 30, tmp_path / "long")
    for left, right in ((0, page.width // 2), (page.width // 2, page.width)):
        gaps = [b - a for a, b in pairwise(inked_rows(page.crop((left, 0, right, page.height))))]
        assert max(gaps) < page.height * 0.08, (left, max(gaps))  # no empty band in either column


# --- panel letters ---------------------------------------------------------------------------------------------

def _white_panel_case(root: Path) -> Path:
    folder = root / "case"
    shutil.copytree(REFERENCE, folder)
    Image.new("L", (900, 1200), 255).save(folder / "figures" / "a-mri-t2.png")
    return folder


def _relative_luminance(value: float) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _panel_letter(pdf: Path) -> tuple[int, Word]:
    """The page and box of panel A's letter: the word "A" followed by the word "B" (the next panel's letter)."""
    found = [(page, word) for page in range(1, len(PdfReader(pdf).pages) + 1) for word in words(pdf, page)[0]]
    for (page, word), (_, following) in pairwise(found):  # the next panel may be on the next page
        if (word.text, following.text) == ("A", "B"):
            return page, word
    raise AssertionError("no panel letter A found")


def _letter_contrast(pdf: Path, tmp_path: Path, name: str) -> tuple[float, float]:
    """The contrast ratio (WCAG) between the letter A on the white panel and what is right around it, and the
    median brightness of the panel beside the letter's box (to show the panel is white)."""
    page, letter = _panel_letter(pdf)
    dpi = 200
    image = rasterise(pdf, page, dpi, tmp_path / name)
    scale = dpi / 72
    box = image.crop((round((letter.x0 - 1) * scale), round((letter.y0 - 1) * scale),
                      round((letter.x1 + 1) * scale), round((letter.y1 + 1) * scale)))
    dark, light = percentile(box, 0.05), percentile(box, 0.95)
    ratio = (_relative_luminance(light) + 0.05) / (_relative_luminance(dark) + 0.05)
    beside = image.crop((round((letter.x1 + 25) * scale), round((letter.y1 + 20) * scale),
                         round((letter.x1 + 45) * scale), round((letter.y1 + 40) * scale)))
    return ratio, percentile(beside, 0.5)


def test_a_panel_letter_is_legible_on_a_white_panel_in_print(tmp_path):
    folder = _white_panel_case(tmp_path)
    result = render_case(folder, tmp_path / "out", formats=("pdf",))
    assert result.ok, result.diagnostics
    ratio, panel = _letter_contrast(result.outputs["pdf"], tmp_path, "print")
    assert panel > 250  # the panel around the letter is white ...
    assert ratio > 7, ratio  # ... and the letter stands out all the same (WCAG AAA for text: 7:1)


def test_a_panel_letter_is_legible_on_a_white_panel_on_screen(tmp_path):
    """The published HTML's own CSS (no print.css), laid out by WeasyPrint in place of a browser."""
    from casepub.render.pdf import render_pdf

    folder = _white_panel_case(tmp_path)
    prepared = prepare_article(folder, tmp_path / "out")
    view = article_view(prepared.case, prepared.profile, prepared.panels, "case.pdf")
    pdf = tmp_path / "screen.pdf"
    pdf.write_bytes(render_pdf(render_html(view), prepared.target, [prepared.target]).data)
    ratio, panel = _letter_contrast(pdf, tmp_path, "screen")
    assert panel > 250 and ratio > 7, (panel, ratio)


# --- the corresponding author ------------------------------------------------------------------------------------

def test_the_corresponding_author_is_a_footnote_on_page_1_and_a_mailto_link_in_html(long_case):
    found, _, height = words(long_case, 1)
    note = first(found, "Corresponding")
    assert note.y0 > height * 0.85  # at the foot of page 1, though the authors are printed on page 2
    first_page, second_page = page_texts(long_case)
    assert ("Corresponding author: Wentao Wang, Department of Spine Surgery, Hong Hui Hospital, Xi'an Jiaotong "
            "University Health Science Center, No. 555 East Youyi Rd, Beilin District, Xi'an 710054, Shan'xi, "
            "China. E-mail address: wentao.wang@example.org") in first_page
    assert "Wentao Wang, MDa,b,*" in second_page and "Corresponding author" not in second_page
    html = long_case.with_name("index.html")
    tree = tinyhtml5.parse(html.read_text(encoding="utf-8"), namespace_html_elements=False)
    section = tree.find(".//section[@class='contributors']")
    note = section.find(".//div[@class='corresponding']")
    assert note is not None and note.get("id") == "corresponding"
    assert " ".join("".join(note.itertext()).split()).startswith("Corresponding author: Wentao Wang, Department")
    assert [a.get("href") for a in note.iter("a")] == ["mailto:wentao.wang@example.org"]
    children = list(section)
    assert children.index(section.find("ul[@class='authors']")) < children.index(note)  # under the authors


def test_the_corresponding_authors_note_keeps_a_one_page_article_on_one_page(reference_copy, tmp_path):
    """The note takes a band at the foot of page 1, under the text and above the page number, overlapping
    neither. (WeasyPrint's float: footnote spilled such an article onto a second page.)"""
    edit(reference_copy, "  - name: Wentao Wang\n    degrees: [MD]\n    affiliations: [spine]\n", CORRESPONDING)
    result = render_case(reference_copy, tmp_path / "out", formats=("pdf",))
    assert result.ok, result.diagnostics
    pdf = result.outputs["pdf"]
    assert len(PdfReader(pdf).pages) == 1
    found, _, height = words(pdf, 1)
    note = first(found, "Corresponding")
    number = next(w for w in found if w.text == "1" and w.y0 > note.y0)
    above = [w for w in found if w.y1 < note.y0 + 1]
    below_note = [w for w in found if w.y0 > note.y0 + 1 and w is not number]
    assert max(w.y1 for w in above) < note.y0 and number.y0 > max(w.y1 for w in below_note)
    assert height * 0.85 < note.y0 < number.y0


# --- affiliation labels and citation links ----------------------------------------------------------------------

def test_affiliation_labels_are_comma_separated_and_link_to_their_affiliations(long_case):
    tree = tinyhtml5.parse(long_case.with_name("index.html").read_text(encoding="utf-8"), namespace_html_elements=False)
    author = tree.find(".//li[@class='author']")
    sup = author.find("sup")
    assert "".join(sup.itertext()) == "a,b,*"
    assert [a.get("href") for a in sup.iter("a")] == ["#aff-a", "#aff-b", "#corresponding"]
    ids = {element.get("id") for element in tree.iter()}
    assert {"aff-a", "aff-b", "corresponding"} <= ids
    assert "Kun Duan, MDb" in page_texts(long_case)[1]


@pytest.mark.parametrize("case, cited, expected", [
    ("reference", "(Figure B,C)", [("Figure B", "#fig1-B"), ("C", "#fig1-C")]),
    ("reference", "(Figure B and C)", [("Figure B", "#fig1-B"), ("C", "#fig1-C")]),
    ("reference", "(Figure B-D)", [("Figure B", "#fig1-B"), ("D", "#fig1-D")]),
    ("two-figures", "(Figures 1B–D)", [("Figures 1B", "#fig1-B"), ("D", "#fig1-D")]),
    ("two-figures", "(Figures 1B, 1C & 2A)", [("Figures 1B", "#fig1-B"), ("1C", "#fig1-C"), ("2A", "#fig2-A")]),
    ("two-figures", "(Figure 2)", [("Figure 2", "#fig2")]),
])
def test_each_panel_a_citation_names_is_a_link(tmp_path, case, cited, expected):
    folder = tmp_path / "cases" / case
    shutil.copytree(FIXTURES / "valid" / case, folder)
    shutil.copytree(FIXTURES / "valid" / "journals", tmp_path / "cases" / "journals")
    before = "(Figure A)" if case == "reference" else "(Figure 1A)"
    edit(folder, before, f"{before} {cited}")
    result = render_case(folder, tmp_path / "out", formats=("html",))
    assert result.ok, result.diagnostics
    tree = tinyhtml5.parse(result.outputs["html"].read_text(encoding="utf-8"), namespace_html_elements=False)
    paragraph = next(p for p in tree.iter("p") if before[1:-1] in "".join(p.itertext()))
    links = [("".join(a.itertext()), a.get("href")) for a in paragraph.iter("a")]
    assert links[1:1 + len(expected)] == expected  # right after the citation it was written after
    text = " ".join("".join(paragraph.itertext()).split())
    assert cited.replace("-", "–") in text  # the text reads as written (a hyphen in a range set as a dash)
    ids = {element.get("id") for element in tree.iter()}
    assert {href[1:] for _, href in links} <= ids


# --- the FDA status ----------------------------------------------------------------------------------------------

def test_products_in_parentheses_print_with_brackets_inside_the_wordings_parentheses(reference_copy, tmp_path):
    edit(reference_copy, "fda-status: not-applicable",
         "fda-status: {status: off-label, products: [vancomycin beads (Stimulan), gentamicin (Septopal)]}")
    result = render_case(reference_copy, tmp_path / "out")
    assert result.ok, result.diagnostics
    expected = ("FDA device/drug status: Not approved for this indication (vancomycin beads [Stimulan], "
                "gentamicin [Septopal]).")
    tree = tinyhtml5.parse(result.outputs["html"].read_text(encoding="utf-8"), namespace_html_elements=False)
    assert "".join(tree.find(".//p[@class='fda-status']").itertext()) == expected
    text = " ".join(page_texts(result.outputs["pdf"])).replace("‐ ", "")
    assert expected in text and "((" not in text and "))" not in text
