"""The submission manuscript (casepub/docx.py): the bundled cases rendered to DOCX and read back with
python-docx: the title page in order, headings as Word headings, tables as Word tables with their header row
and caption, the references as the style numbers them, the statements, the figure legends, the figures as
files beside it (none embedded), the word counts the checks count, and hostile text that still opens."""
from __future__ import annotations

import dataclasses
import io
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
import tinyhtml5
from docx.oxml.ns import qn
from markupsafe import Markup, escape

from casepub.check import check_case, resolve_profile
from casepub.docx import article_docx, figure_files, write_manuscript
from casepub.load.case import load_case
from casepub.render import Prepared, prepare_article
from casepub.render.html import ArticleView, article_view, render_html
from casepub.xml.jats import clean
from conftest import REFERENCE, ROOT, edit

CARE = ROOT / "cases" / "kummell-care"


def view_of(folder: Path) -> ArticleView:
    """The case's view, made in this process (panels given file names), as tests/test_jats.py makes it."""
    checked = check_case(folder)
    assert checked.case is not None and checked.profile is not None and not checked.errors, checked.diagnostics
    case = checked.case
    panels = {(f, p): (f"figures/{f}-{p}.jpg", 600, 400)
              for f, figure in enumerate(case.meta.figures) for p in range(len(figure.panels))}
    return article_view(case, checked.profile, panels, f"{case.name}.pdf")


def opened(view: ArticleView) -> docx.document.Document:
    return docx.Document(io.BytesIO(article_docx(view)))


@pytest.fixture(scope="module")
def care() -> tuple[ArticleView, docx.document.Document]:
    view = view_of(CARE)
    return view, opened(view)


@pytest.fixture(scope="module")
def reference() -> tuple[ArticleView, docx.document.Document]:
    view = view_of(REFERENCE)
    return view, opened(view)


def lines(document, style: str | None = None) -> list[str]:
    return [p.text for p in document.paragraphs if style is None or p.style.name == style]


def test_the_title_page_in_order(care):
    _, document = care
    first = [(p.style.name, p.text) for p in document.paragraphs[:10]]
    assert first == [
        ("casepub Article Type", "CASE REPORT"),
        ("Title", "Kümmell disease after vertebroplasty of an L1 osteoporotic fracture in a 74-year-old woman, "
                  "a case report"),
        ("casepub Authors", "Marta Lindqvist, MD1,*, Tomasz Wójcik, MD, PhD1,2, Hana Okafor, MD2, "
                            "Pieter van Dijk, MD, PhD1"),
        ("casepub Affiliation", "1 Department of Orthopaedic and Spine Surgery, Example University Hospital, "
                                "1 Example Street, Exampleton 1234, Netherlands"),
        ("casepub Affiliation", "2 Department of Radiology, Example University Hospital, 1 Example Street, "
                                "Exampleton 1234, Netherlands"),
        ("casepub Corresponding Author", "*Corresponding author: Marta Lindqvist, Department of Orthopaedic and "
                                         "Spine Surgery, Example University Hospital, 1 Example Street, Exampleton "
                                         "1234, Netherlands. E-mail address: marta.lindqvist@example.org"),
        ("casepub Word Count", "Word count, abstract: 141 words"),
        ("casepub Word Count", "Word count, text: 677 words"),
        ("casepub Word Count", "Figures: 2"),
        ("casepub Word Count", "Tables: 1"),
    ]
    authors = document.paragraphs[2]
    assert [run.text for run in authors.runs if run.font.superscript] == ["1,*", "1,2", "2", "1"]
    assert document.paragraphs[10].paragraph_format.page_break_before  # the abstract starts a page


def test_the_reference_case_title_page_has_no_abstract_count(reference):
    _, document = reference
    assert lines(document, "casepub Authors") == ["Wentao Wang, MDa, Kun Duan, MDb, Qu Wei, MDa, Qining Wu, MDa, "
                                                  "Jijun Liu, MDa, Dingjun Hao, MDa"]
    assert lines(document, "casepub Word Count") == ["Word count, text: 174 words", "Figures: 1", "Tables: 0"]
    assert lines(document, "casepub Corresponding Author") == []


@pytest.mark.parametrize("folder", [REFERENCE, CARE], ids=lambda path: path.name)
def test_the_word_counts_are_the_checks_counts(folder, tmp_path):
    """With limits of one word, the checks say how many words they count: the title page says the same."""
    case = load_case(folder).case
    assert case is not None
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    (tmp_path / "journals").mkdir()
    (tmp_path / "journals" / f"{case.meta.journal}.yaml").write_text(
        f"article-types:\n  {case.meta.article_type}:\n    limits:\n      words: 1\n      abstract-words: 1\n",
        encoding="utf-8")
    said = {d.message.split()[1]: d.message.split()[3] for d in check_case(copy).diagnostics
            if d.code in ("CP070", "CP080")}
    assert said["text"].isdigit()
    counts = lines(opened(view_of(folder)), "casepub Word Count")
    assert f"Word count, text: {said['text']} words" in counts
    if "abstract" in said:
        assert f"Word count, abstract: {said['abstract']} words" in counts
    else:
        assert not any("abstract" in line for line in counts)


def test_the_abstract_by_sections_then_the_keywords(care):
    _, document = care
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    start = texts.index(("Heading 1", "Abstract"))
    headings = [text for style, text in texts[start + 1:start + 13] if style == "Heading 2"]
    assert headings == ["Introduction", "Case presentation", "Diagnoses", "Interventions", "Outcomes", "Conclusion"]
    assert texts[start + 2] == ("Normal", "Delayed collapse of a cemented vertebra with an intravertebral cleft "
                                          "(Kümmell disease) is an uncommon cause of recurrent back pain after "
                                          "percutaneous vertebroplasty.")
    assert texts[start + 13] == ("casepub Keywords", "Keywords: Kümmell disease; vertebroplasty; osteonecrosis; "
                                                     "intravertebral cleft; case report")
    keywords = document.paragraphs[start + 13]
    assert keywords.runs[0].text == "Keywords:" and keywords.runs[0].style.name == "Strong"


def test_the_body_s_headings_are_word_headings(care):
    _, document = care
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    body = headings[headings.index(("Heading 1", "Introduction"), 1):]
    assert body == [
        ("Heading 1", "Introduction"), ("Heading 1", "Case presentation"), ("Heading 2", "Patient information"),
        ("Heading 2", "Clinical findings"), ("Heading 2", "Diagnostic assessment"),
        ("Heading 2", "Therapeutic intervention"), ("Heading 2", "Follow-up and outcomes"),
        ("Heading 1", "Discussion"), ("Heading 1", "Conclusion"), ("Heading 1", "Patient perspective"),
        ("Heading 1", "Statements"), ("Heading 1", "References"), ("Heading 1", "Figure legends")]
    starts = {p.text for p in document.paragraphs if p.paragraph_format.page_break_before}
    assert {"Abstract", "Introduction", "Statements", "References", "Figure legends"} <= starts


def test_citations_are_printed_as_superscripts(care):
    _, document = care
    paragraph = next(p for p in document.paragraphs if p.text.startswith("Percutaneous vertebroplasty"))
    assert [run.text for run in paragraph.runs if run.font.superscript] == ["1–3", "4(p211-213)", "5,6"]
    assert "over conservative care 1–3. Kümmell disease" in paragraph.text


def test_table_1_is_a_word_table_with_its_header_row_and_caption(care):
    _, document = care
    table = document.tables[0]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == ["Test", "Value", "Reference range"]
    assert cells[1:4] == [["Haemoglobin", "128\u00a0g/L", "120–160\u00a0g/L"],  # casepub's no-break spaces
                          ["White cell count", "7.2 × 10⁹/L", "4.0–10.0 × 10⁹/L"],
                          ["C-reactive protein", "4\u00a0mg/L", "< 5\u00a0mg/L"]]
    assert len(table.rows) == 7
    header = table.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    assert all(run.font.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert table.rows[1].cells[1].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[1].cells[0].paragraphs[0].style.name == "casepub Table Text"
    caption = docx.text.paragraph.Paragraph(table._tbl.getprevious(), document._body)
    assert (caption.style.name, caption.text) == ("Caption", "Table 1. Laboratory values at admission")
    assert caption.runs[0].style.name == "Strong" and caption.runs[0].text == "Table 1."
    timeline = document.tables[1]
    assert [cell.text for cell in timeline.rows[0].cells] == ["Date", "Event"]
    assert [cell.text for cell in timeline.rows[1].cells] == ["Day 1", "Fall at home; acute L1 compression "
                                                              "fracture on radiograph and MRI"]


def test_the_references_are_numbered_as_the_style_prints_them(care):
    view, document = care
    references = lines(document, "casepub Reference")
    assert view.references is not None
    assert [line.split("\t")[0] for line in references] == [f"{n}." for n in range(1, 9)]
    assert references == [f"{entry.label}\t{entry.plain}" for entry in view.references.entries]
    first = document.paragraphs[[p.text for p in document.paragraphs].index(references[0])]
    assert [run.text for run in first.runs if run.font.italic] == ["N Engl J Med"]


def test_the_statements_with_the_profile_s_labels(care, reference):
    _, document = care
    assert lines(document, "casepub Statement") == [
        "Disclosures: ML: Nothing to disclose. TW: Nothing to disclose. HO: Nothing to disclose. PvD: Consultant "
        "for an example spinal implant manufacturer, unrelated to this work.",
        "Conflict of interest: Pieter van Dijk is a consultant for a spinal implant manufacturer whose products "
        "were not used in this case. The other authors declare no conflicts of interest.",
        "Funding: This work received no external funding.",
        "Patient consent: Written informed consent was obtained from the patient for the publication of this case "
        "report and the accompanying images.",
        "CRediT authorship contribution statement",
        "Marta Lindqvist: Conceptualization, Investigation, Writing – original draft. Tomasz Wójcik: Investigation, "
        "Visualization, Writing – review & editing. Hana Okafor: Formal analysis, Visualization. Pieter van Dijk: "
        "Supervision, Writing – review & editing."]
    _, document = reference
    assert lines(document, "casepub Statement") == [
        "FDA device/drug status: Not applicable.",
        "Author disclosures: WW: Nothing to disclose. KD: Nothing to disclose. QuW: Nothing to disclose. QiW: "
        "Nothing to disclose. JL: Nothing to disclose. DH: Nothing to disclose.",
        "Conflict of interest: The authors declare that they have no financial or other conflicts of interest in "
        "relation to this research and its publication.",
        "Dingjun Hao and Jijun Liu contributed equally to this work."]


def test_the_figure_legends(care, reference):
    _, document = care
    legends = lines(document, "Caption")[-2:]
    assert legends[0] == ("Figure 1. (A) Lateral radiograph at admission, with a wedge compression fracture of L1 "
                          "(white arrow). (B) Sagittal short-tau inversion recovery (STIR) MRI, with bone marrow "
                          "oedema throughout L1 (white arrow). (C) Lateral radiograph on Day 2, after vertebroplasty, "
                          "with a compact cement mass in L1 (white arrow).")
    assert legends[1].startswith("Figure 2. (A) Lateral radiograph 3 months later")
    _, document = reference
    assert lines(document, "Caption") == [
        "Figure. (A) MRI T2-weighted images showed high signal intensity on the T12 vertebra with compression (white "
        "arrow). (B–C) A total of 4.5\u00a0mL of polymethylmethacrylate (PMMA) bone cement was injected, and cement "
        "diffusion occurred evenly and was achieved end plate-to-end plate (white arrow). (D) Plain radiograph "
        "showed T12 vertebra collapse, with kyphosis angle of 45° (white arrow). (E) CT reconstruction shows the T12 "
        "vertebral body collapse with intravertebral vacuum (white arrow). (F) MRI T2-weighted images demonstrated "
        "low signal intensity on T12 (white arrow)."]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.replace("\u00ad", ""))


def with_body(folder: Path, body: str) -> Path:
    """A copy of the reference case (under `folder`) with another body, citing each panel."""
    copy = folder / "case"
    shutil.copytree(REFERENCE, copy)
    head, _, _ = (copy / "case.md").read_text(encoding="utf-8").rpartition("---\n")
    (copy / "case.md").write_text(f"{head}---\n{body}\n\n(Figure A) (Figure B,C) (Figure D) (Figure E) (Figure F)\n",
                                  encoding="utf-8")
    return copy


EVERYTHING = """## Heading two

Text with `code`, *emphasis*, **strong**, a [link](https://example.org/?a=1&b=2), 5 < 6 & 7 > 2.
A line\\
broken.

### Heading three

#### Heading four

##### Heading five

> A quote
>
> > in a quote
>
> - with a list

```
code block
  indented <kept>
```

1. an item

   with two paragraphs
2. and
   - a nested
     1. deeper list

| A | B |
|---|--:|
| *x* | 1 |

: A caption {#tbl-a}

See Table 1.
"""


@pytest.mark.parametrize("folder", [REFERENCE, CARE, "everything"], ids=lambda path: getattr(path, "name", path))
def test_the_words_of_the_page_s_body_are_the_words_of_the_manuscript_s(folder, tmp_path):
    """The body on the page (its text, tables and timeline) and in the DOCX (the part of it that starts a
    page before the statements) have the same words; for a body with every construct too."""
    view = view_of(with_body(tmp_path, EVERYTHING) if folder == "everything" else folder)
    page = tinyhtml5.parse(render_html(view), namespace_html_elements=False)
    shown = " ".join(" ".join(node.itertext()) for node in page.iterfind(".//div[@class='article-body']"))
    document = opened(view)
    texts: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            paragraph = docx.text.paragraph.Paragraph(element, document._body)
            if paragraph.paragraph_format.page_break_before:
                if paragraph.text == "Statements":
                    break
                texts = []
            texts.append(paragraph.text)
        elif element.tag == qn("w:tbl"):
            texts += [cell.text for row in docx.table.Table(element, document._body).rows for cell in row.cells]
    assert sorted(words(shown)) == sorted(words(" ".join(texts)))


def test_the_figures_are_files_beside_it_and_none_is_embedded(tmp_path):
    prepared = prepare_article(CARE, tmp_path, print_panels=False)
    assert isinstance(prepared, Prepared)
    case = prepared.case
    view = article_view(case, prepared.profile, prepared.panels, f"{case.name}.pdf")
    written = write_manuscript(view, prepared.panels, prepared.target, case.name)
    names = [path.name for path in written]
    assert names == ["kummell-care.docx", "kummell-care-figure-1A.jpg", "kummell-care-figure-1B.jpg",
                     "kummell-care-figure-1C.jpg", "kummell-care-figure-2A.jpg", "kummell-care-figure-2B.jpg",
                     "kummell-care-figure-2C.jpg"]
    assert len(written) - 1 == sum(len(figure.panels) for figure in case.meta.figures)
    for path, panel in zip(written[1:], [panel for figure in case.meta.figures for panel in figure.panels]):
        assert path.parent == prepared.target
        assert path.read_bytes() == (CARE / (panel.image or "")).read_bytes()
    package = zipfile.ZipFile(written[0])
    assert not [name for name in package.namelist() if name.startswith("word/media/") or "thumbnail" in name]
    document_xml = package.read("word/document.xml")
    assert b"<w:drawing" not in document_xml and b"<w:pict" not in document_xml


def test_one_figure_s_files_are_named_by_their_letters(reference):
    view, _ = reference
    originals = {(0, p): (f"figures/source-{p}.png", 10, 10) for p in range(6)}
    assert [name for name, _ in figure_files(view, originals, "t12")] == [
        f"t12-figure-{letter}.png" for letter in "ABCDEF"]


def test_styles_spacing_line_numbers_and_properties(care):
    _, document = care
    names = {style.name for style in document.styles}
    assert {"casepub Authors", "casepub Affiliation", "casepub Reference", "casepub Statement", "casepub Keywords",
            "casepub Word Count", "casepub Corresponding Author", "casepub Table Text"} <= names
    assert document.styles["Normal"].paragraph_format.line_spacing == 2.0
    numbers = document.sections[0]._sectPr.find(qn("w:lnNumType"))
    assert numbers is not None and numbers.get(qn("w:countBy")) == "1"
    properties = document.core_properties
    assert properties.title.startswith("Kümmell disease after vertebroplasty")
    assert properties.author == "Marta Lindqvist; Tomasz Wójcik; Hana Okafor; Pieter van Dijk"
    assert properties.language == "en"
    assert properties.created.isoformat() == "2026-07-15T00:00:00+00:00"


def test_the_same_case_gives_the_same_bytes(care, reference):
    for view, _ in (care, reference):
        assert article_docx(view) == article_docx(view)
    package = zipfile.ZipFile(io.BytesIO(article_docx(reference[0])))
    assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = package.read("docProps/core.xml")
    assert b"dcterms:created" not in core  # the reference case has no date: none, rather than the clock's


def test_every_construct_has_its_style(tmp_path):
    document = opened(view_of(with_body(tmp_path, EVERYTHING)))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    body = styled[styled.index(("Heading 1", "Heading two")):styled.index(("Heading 1", "Statements"))]
    assert body == [
        ("Heading 1", "Heading two"),
        ("Normal", "Text with code, emphasis, strong, a link, 5 < 6 & 7 > 2. A line\nbroken."),
        ("Heading 2", "Heading three"), ("Heading 3", "Heading four"), ("Heading 3", "Heading five"),
        ("Quote", "A quote"), ("Quote", "in a quote"), ("List Bullet", "with a list"),
        ("casepub Preformatted", "code block\n  indented <kept>"),
        ("List Number", "an item"), ("List Continue", "with two paragraphs"), ("List Number", "and"),
        ("List Bullet 2", "a nested"), ("List Number 3", "deeper list"),
        ("Caption", "Table 1. A caption"), ("Normal", "See Table 1."),
        ("Normal", "(Figure A) (Figure B,C) (Figure D) (Figure E) (Figure F)")]
    code = next(p for p in document.paragraphs if p.text.startswith("Text with"))
    assert [run.style.name for run in code.runs if run.text == "code"] == ["casepub Code"]
    assert [[cell.text for cell in row.cells] for row in document.tables[0].rows] == [["A", "B"], ["x", "1"]]


def test_lists_and_emphasis_in_the_body(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(REFERENCE, folder)
    text = (folder / "case.md").read_text(encoding="utf-8")
    head, _, _ = text.rpartition("---\n")
    body = ("A *severe* and **sudden** pain, see [the registry](https://example.org/a?b=1&c=2).\n\n1. first\n2. second\n\n"
            "- a bullet\n  - a nested bullet\n\nBetween.\n\n3. third\n4. fourth\n\n> Quoted *words*.\n\n"
            "(Figure A) (Figure B,C) (Figure D) (Figure E) (Figure F)\n")
    (folder / "case.md").write_text(head + "---\n" + body, encoding="utf-8")
    document = opened(view_of(folder))
    paragraphs = {p.text: p for p in document.paragraphs}
    emphasis = paragraphs["A severe and sudden pain, see the registry."]
    assert [(run.text, run.font.italic, run.font.bold) for run in emphasis.runs][:4] == [
        ("A ", None, None), ("severe", True, None), (" and ", None, None), ("sudden", None, True)]
    assert [(link.text, link.address) for link in emphasis.hyperlinks] == [
        ("the registry", "https://example.org/a?b=1&c=2")]
    styles = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("List", "Quote"))]
    assert styles == [("List Number", "first"), ("List Number", "second"), ("List Bullet", "a bullet"),
                      ("List Bullet 2", "a nested bullet"), ("List Number", "third"), ("List Number", "fourth"),
                      ("Quote", "Quoted words.")]
    first, third = paragraphs["first"], paragraphs["third"]
    first_list, second_list = (p._p.pPr.numPr.numId.val for p in (first, third))
    assert first_list != second_list  # the second list has its own numbering, which starts at 3
    numbering = document.part.numbering_part.element
    start = numbering.num_having_numId(second_list).find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
    assert start is not None and start.get(qn("w:val")) == "3"


HOSTILE = {"controls": "Title & <b>bold</b> ]]> \x00\x07\x1b end",
           "right-to-left": "\u200f\u05e9\u05dc\u05d5\u05dd \u202eReversed name & <x>",
           "entities": "&amp; &#0; <!-- c --> <![CDATA[x",
           "long": "x" * 300 + " & <long>"}


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted string (escapes for what YAML cannot hold as it is)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() and c not in "\ufeff\ufffe" else f"\\u{ord(c):04x}" for c in escaped) + '"'


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_text_in_a_title_and_a_name_gives_a_docx_that_opens(kind, tmp_path):
    """The check may refuse such a case; the manuscript writer still makes a DOCX that opens, with the text
    kept as text (less what XML cannot hold), and a right-to-left name in a right-to-left run."""
    text = HOSTILE[kind]
    folder = tmp_path / "case"
    shutil.copytree(REFERENCE, folder)
    edit(folder, "title: Severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty",
         f"title: {yaml_string(text)}")
    edit(folder, "  - name: Wentao Wang", f"  - name: {yaml_string(text)}")
    case = load_case(folder).case
    assert case is not None
    profile, _ = resolve_profile(case)
    assert profile is not None
    panels = {(0, p): (f"figures/{p}.jpg", 600, 400) for p in range(6)}
    view = article_view(case, profile, panels, "x.pdf")
    document = opened(view)
    styles = [p.style.name for p in document.paragraphs]
    name = document.paragraphs[styles.index("casepub Authors")]
    assert name.text.startswith(" ".join(clean(text).split()) + ", MDa")
    assert name.runs[0].font.rtl == (True if kind == "right-to-left" else None)
    assert document.paragraphs[styles.index("Title")].text == " ".join(clean(view.plain_title).split())
    properties = document.core_properties
    assert properties.title == " ".join(clean(view.plain_title).split())[:255]
    assert properties.author.startswith(" ".join(clean(text).split())[:255])


def test_what_xml_cannot_hold_is_left_out(reference):
    """A lone surrogate, U+FFFE and control characters (which no case file can hold, but a view can) are left
    out of every part: the DOCX opens."""
    view, _ = reference
    hostile = "a\x00b\ud800c\ufffed\x1b & <e>"
    author = dataclasses.replace(view.authors[0], name=hostile)
    changed = dataclasses.replace(view, title=Markup(escape(hostile)), plain_title=hostile,
                                  authors=(author, *view.authors[1:]))
    document = opened(changed)
    assert document.paragraphs[1].text == "abcd & <e>"
    assert document.paragraphs[2].text.startswith("abcd & <e>, MDa, Kun Duan")
    assert document.core_properties.title == "abcd & <e>"


def test_render_to_docx_writes_the_manuscript_and_its_figures_alone(tmp_path):
    from casepub.__main__ import main

    case = ROOT / "cases" / "kummell-care"
    assert main(["render", str(case), "-o", str(tmp_path), "--to", "docx"]) == 0
    folder = tmp_path / case.name
    written = sorted(path.name for path in folder.iterdir() if path.is_file())
    assert written == ["kummell-care-figure-1A.jpg", "kummell-care-figure-1B.jpg", "kummell-care-figure-1C.jpg",
                       "kummell-care-figure-2A.jpg", "kummell-care-figure-2B.jpg", "kummell-care-figure-2C.jpg",
                       "kummell-care.docx"]
    document = docx.Document(str(folder / "kummell-care.docx"))
    assert document.core_properties.title.startswith("Kümmell disease after vertebroplasty")
    for name in written[:-1]:  # each figure file is the panel's own image
        from PIL import Image

        with Image.open(folder / name) as image:
            image.verify()
