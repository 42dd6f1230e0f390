"""No character of any page lies outside the text area (issue 9, "Faithful output": a long URL ran past the
right edge of the page and was cut off).

Every page of every bundled case (cases/) and of every fixture case that renders (tests/cases/: the valid ones
and those with warnings only) is rendered and read back with pdfminer.six, which gives each character's box.
The text area is the page (the PDF's media box) less the margins of the @page rule WeasyPrint was given: the
print CSS is rendered for the case as for its PDF and read, so that nothing here can drift from print.css or the
profile. The running header (@top-left, @top-right) and the page number (@bottom-center) are in the margins by
design: a line of the top margin may be the journal's name or the section label, one of the bottom margin the
page number, and nothing else. A case with the issue's URLs, and generated ones, are read the same way.
"""
from __future__ import annotations

import base64
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTComponent, LTTextLine

from casepub import check_case
from casepub.render import render_case
from casepub.render.html import article_view, render_html
from conftest import FIXTURES, REFERENCE, ROOT, edit

TOLERANCE = 0.5  # points: rounding in the PDF's numbers
# A character's box is its advance across and, up and down, the font's nominal ascent and descent, which can be
# taller than the line that holds it (Charis SIL's are 1.6 em, its lines 1.3 em here): a line at the edge of the
# text area has boxes that stand past it by a fraction of the type size. Overflow is a whole line or more.
NOMINAL = 0.25
POINTS = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
PAGE_RULE = re.compile(r"@page\s*\{([^@}]*)")  # the first @page rule's own declarations (before its margin boxes)
LENGTH = re.compile(r"([+-]?)\s*(\d+(?:\.\d+)?)(pt|px|mm|cm|in)")
SIDES = ("top", "right", "bottom", "left")


@dataclass(frozen=True)
class Margins:
    top: float
    right: float
    bottom: float
    left: float


def points(value: str) -> float:
    """A CSS length, or a calc() sum of lengths, in points: "18mm", "calc(18mm + 6mm)"."""
    lengths = LENGTH.findall(value)
    assert lengths, f"not a length: {value!r}"
    return sum((-1 if sign == "-" else 1) * float(number) * POINTS[unit] for sign, number, unit in lengths)


def page_margins(print_html: str) -> Margins:
    """The margins of the first @page rule in the print HTML: `margin` (one to four values), then `margin-<side>`."""
    declarations = PAGE_RULE.search(print_html)
    assert declarations, "the print CSS has no @page rule"
    values: dict[str, float] = {}
    for name, value in re.findall(r"(margin(?:-\w+)?)\s*:\s*([^;]+);", declarations.group(1)):
        if name == "margin":
            parts = [points(part) for part in re.findall(r"calc\([^)]*\)|\S+", value)]
            parts = {1: parts * 4, 2: parts * 2, 3: parts + parts[1:2]}.get(len(parts), parts)  # top right bottom left
            values.update(zip(SIDES, parts))
        else:
            values[name.removeprefix("margin-")] = points(value)
    return Margins(**values)


def print_html(folder: Path) -> tuple[str, list[str]]:
    """The case's HTML as its PDF is rendered (print.css included), and the words its page margins may hold:
    the running header's journal name and section label."""
    checked = check_case(folder)
    assert checked.case is not None and checked.profile is not None
    case, profile = checked.case, checked.profile
    panels = {(f, p): ("figures/x.jpg", 100, 100) for f, figure in enumerate(case.meta.figures)
              for p in range(len(figure.panels))}
    view = article_view(case, profile, panels, "x.pdf")
    return render_html(view, for_print=True), [profile.name, view.label]


def outside(pdf: Path, margins: Margins, header: list[str]) -> list[str]:
    """Each character of the PDF whose box is outside the text area, as "page N: 'c' at (x0, y0, x1, y1) in
    'its line'"; the running header's and the page number's lines are allowed in the top and bottom margins."""
    found = []
    for number, page in enumerate(extract_pages(pdf), start=1):
        left, right = margins.left - TOLERANCE, page.width - margins.right + TOLERANCE
        bottom, top = margins.bottom - TOLERANCE, page.height - margins.top + TOLERANCE
        for line, char in _chars(page):
            text = line.get_text().strip() if line else char.get_text()
            x0, y0, x1, y1 = char.bbox
            slack = NOMINAL * char.size
            if left <= x0 and x1 <= right and (
                    (bottom - slack <= y0 and y1 <= top + slack)
                    or (y0 > top and text in header)
                    or (y1 < bottom and text == str(number))):
                continue
            found.append(f"page {number}: {char.get_text()!r} at {tuple(round(v, 1) for v in char.bbox)} in {text[:80]!r}")
    return found


def _chars(item: LTComponent, line: LTTextLine | None = None):
    """Every character under a layout item, with the text line it is in."""
    if isinstance(item, LTChar):
        yield line, item
        return
    for child in item if hasattr(item, "__iter__") else ():
        yield from _chars(child, item if isinstance(item, LTTextLine) else line)


def assert_inside(folder: Path, out: Path) -> int:
    """Render the case and assert every character of every page is inside the text area; the page count."""
    html, header = print_html(folder)
    result = render_case(folder, out)
    assert result.ok, result.diagnostics
    problems = outside(result.outputs["pdf"], page_margins(html), header)
    assert not problems, "\n".join(problems[:20])
    assert result.pages
    return result.pages


def _renderable() -> list[Path]:
    folders = sorted(p.parent for p in (ROOT / "cases").glob("*/case.md"))
    folders += sorted(p.parent for p in FIXTURES.glob("*/*/case.md"))
    return [folder for folder in folders if not check_case(folder).errors]


RENDERABLE = _renderable()


def test_the_cases_read_are_the_bundled_and_valid_ones_and_more():
    names = {folder.relative_to(ROOT).as_posix() for folder in RENDERABLE}
    assert "cases/t12-osteonecrosis" in names
    valid = {p.parent.relative_to(ROOT).as_posix() for p in FIXTURES.glob("valid/*/case.md")}
    assert valid and valid <= names


@pytest.mark.parametrize("folder", RENDERABLE, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_character_lies_outside_the_text_area(folder: Path, tmp_path: Path):
    assert_inside(folder, tmp_path / "out")


def test_the_margins_are_read_from_the_print_css():
    html, header = print_html(REFERENCE)
    margins = page_margins(html)
    profile = check_case(REFERENCE).profile
    assert profile is not None
    margin = points(profile.page.margin)  # the profile's margin; the top one holds the running header too
    assert (margins.right, margins.bottom, margins.left) == pytest.approx((margin, margin, margin))
    assert margins.top > margin
    assert header == ["The Spine Journal", "IMAGES OF SPINE CARE"]
    assert page_margins("@page { margin: 1in 2cm; @top-left { margin: 0 } }") == pytest.approx(
        Margins(72, 72 / 2.54 * 2, 72, 72 / 2.54 * 2))


def test_a_character_past_the_margin_is_found(tmp_path: Path):
    """The check can fail: with a right margin 20 pt wider than the page's, the justified text is outside it."""
    result = render_case(REFERENCE, tmp_path / "out")
    html, header = print_html(REFERENCE)
    margins = page_margins(html)
    wider = Margins(margins.top, margins.right + 20, margins.bottom, margins.left)
    assert outside(result.outputs["pdf"], wider, header)
    assert not outside(result.outputs["pdf"], margins, header)
    assert outside(result.outputs["pdf"], margins, [])  # the running header is allowed only by name


TOKEN = base64.b64encode(b"casepub: a sixty-byte token that no line can hold whole, as").decode()


def test_the_issues_urls_stay_inside_the_page(reference_copy: Path, tmp_path: Path):
    """In the right-hand column too (the statements): 80 digits can be neither hyphenated nor broken at a word,
    and before issue 9 ran 30 pt past the page's edge."""
    long_url = "https://imaging.example.org/view?token=" + TOKEN
    digits = "https://imaging.example.org/view?token=" + "0123456789" * 8
    edit(reference_copy, "We suggested percutaneous vertebroplasty",
         f"Guidelines: <https://www.example.org/guidelines/2019-2021/osteoporosis>. The images: {long_url} "
         f"and <{long_url}>, {digits}, doi:10.1002/(SICI)1097-4636(199602)30:2<217::AID-JBM11>3.0.CO;2-B. "
         "We suggested percutaneous vertebroplasty")
    edit(reference_copy, "on T12 (white arrow).", f"on T12 (white arrow), {long_url}.")
    edit(reference_copy, "    disclosure: Nothing to disclose.\n",  # a corresponding author, with an address no line holds
         f"    disclosure: Nothing to disclose.\n    corresponding: true\n    email: wentao{'0123456789' * 12}@example.org\n")
    edit(reference_copy, "conflict-statement: >-", f"funding: Registry {digits}, {long_url}.\nconflict-statement: >-")
    assert assert_inside(reference_copy, tmp_path / "out") >= 1


_part = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=60)


@st.composite
def long_identifiers(draw) -> str:
    kind = draw(st.sampled_from(["url", "doi", "email"]))
    parts = draw(st.lists(_part, min_size=1, max_size=4))
    if kind == "url":
        return "https://" + draw(_part) + ".org/" + "/".join(parts) + "x"
    if kind == "doi":
        return "doi:10.1016/" + ".".join(parts) + "x"
    return "x" + ".".join(parts) + "x@" + draw(_part) + ".example.org"


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(long_identifiers(), min_size=3, max_size=6))
def test_generated_long_identifiers_stay_inside_the_page(tmp_path_factory, found):
    folder = tmp_path_factory.mktemp("case") / "case"
    shutil.copytree(REFERENCE, folder)
    edit(folder, "We suggested percutaneous vertebroplasty", " ".join(found) + " We suggested percutaneous vertebroplasty")
    assert_inside(folder, tmp_path_factory.mktemp("out"))
