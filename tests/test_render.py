"""Rendering, read back: the PDF's text, order, pages, fonts and metadata; the HTML's structure.

The reference case is rendered once per test session (it takes under a second).
"""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import tinyhtml5
from pypdf import PdfReader

from casepub.render import render_case
from conftest import REFERENCE, edit

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CASEPUB_UPDATE_FIXTURES") == "1"


@pytest.fixture(scope="module")
def reference_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    result = render_case(REFERENCE, out)
    assert result.ok, result.diagnostics
    return out / REFERENCE.name


def pdf_text(path: Path) -> str:
    """All pages' text, words hyphenated at line ends joined again, white space collapsed."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    text = re.sub("\u2010\\s*\n", "", text)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))


def html_tree(path: Path):
    return tinyhtml5.parse(path.read_text(encoding="utf-8"), namespace_html_elements=False)


REFERENCE_LINES = [  # in print the figure heads the page, under the title; then the text in two columns
    "IMAGES OF SPINE CARE",
    "Severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty",
    "Figure. (A) MRI T2-weighted images showed high signal intensity on the T12 vertebra with compression",
    "(B–C) A total of 4.5 mL of polymethylmethacrylate (PMMA) bone cement was injected",
    "(D) Plain radiograph showed T12 vertebra collapse, with kyphosis angle of 45° (white arrow).",
    "(F) MRI T2-weighted images demonstrated low signal intensity on T12 (white arrow).",
    "A 70-year-old woman complained of 2-week history of severe back pain",
    "(Figure B,C)",
    "We suggested percutaneous vertebroplasty for further treatment, but the patient refused.",
    "Wentao Wang, MDa", "Kun Duan, MDb", "Qu Wei, MDa", "Qining Wu, MDa", "Jijun Liu, MDa", "Dingjun Hao, MDa",
    "aDepartment of Spine Surgery Hong Hui Hospital Xi'an Jiaotong University Health Science Center "
    "No. 555 East Youyi Rd, Beilin District Xi'an 710054, Shan'xi, China",
    "bDepartment of General Surgery The 417th Hospital China National Nuclear Corporation (CNNC) "
    "No. 5 Kangfu Rd, Lintong District Xi'an 710061, Shan'xi, China",
    "FDA device/drug status: Not applicable.",
    "Author disclosures: WW: Nothing to disclose. KD: Nothing to disclose. QuW: Nothing to disclose. "
    "QiW: Nothing to disclose. JL: Nothing to disclose. DH: Nothing to disclose.",
    "The authors declare that they have no financial or other conflicts of interest in relation to this research "
    "and its publication.",
    "Dingjun Hao and Jijun Liu contributed equally to this work.",
]


def test_pdf_reads_like_the_reference_in_order(reference_build):
    text = pdf_text(reference_build / "t12-osteonecrosis.pdf").replace("\u00a0", " ")
    position = 0
    for line in REFERENCE_LINES:
        found = text.find(line, position)
        assert found >= 0, f"not found after position {position}: {line!r}\n{text[position:position + 300]!r}"
        position = found + len(line)


def test_pdf_pages_fonts_and_metadata(reference_build):
    reader = PdfReader(reference_build / "t12-osteonecrosis.pdf")
    assert len(reader.pages) == 1  # an Images of Spine Care article fits one page (tests/test_layout.py)
    assert reader.pages[0].mediabox.width == 612 and reader.pages[0].mediabox.height == 792  # letter
    meta = reader.metadata
    assert meta.title == "Severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty"
    assert meta.author == "Wentao Wang, Kun Duan, Qu Wei, Qining Wu, Jijun Liu, Dingjun Hao"
    assert meta.subject.startswith("Images of Spine Care: Severe vertebra collapse")
    assert "The Spine Journal" in meta["/Keywords"]
    fonts = _fonts(reader)
    assert fonts and all(embedded for embedded in fonts.values()), fonts
    assert any("Charis" in name for name in fonts) and any("Liberation-Sans" in name for name in fonts)


def _fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font the pages use -> whether its program is embedded."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def test_disclosure_initials_are_bold_and_running_header_and_page_numbers(reference_build):
    reader = PdfReader(reference_build / "t12-osteonecrosis.pdf")
    runs = []
    reader.pages[0].extract_text(visitor_text=lambda text, cm, tm, font, size: runs.append((text, font)))
    bold = {text.strip() for text, font in runs if font and "Bold" in str(font.get("/BaseFont"))}
    assert {"QuW:", "QiW:", "WW:"} <= bold
    text = reader.pages[0].extract_text()  # margin boxes come last in a page's text
    assert text.rstrip().endswith("The Spine Journal\n1")  # page 1: no running section label ...
    assert text.count("IMAGES OF SPINE CARE") == 1           # ... the article's own label, once


def test_html_is_semantic_with_scholar_tags_and_alt_texts(reference_build):
    tree = html_tree(reference_build / "index.html")
    assert tree.get("lang") == "en"
    article = tree.find(".//article")
    assert article.find("header/h1") is not None
    assert [fig.get("id") for fig in article.iter("figure") if "panel" in fig.get("class", "")] == [
        f"fig1-{label}" for label in "ABCDEF"]
    alts = [img.get("alt") for img in tree.iter("img")]
    assert alts[0] == "Sagittal T2-weighted MRI of the lumbar spine" and len(alts) == 6 and all(alts)
    meta = [(m.get("name"), m.get("content")) for m in tree.iter("meta") if m.get("name")]
    names = [name for name, _ in meta]
    assert names.count("citation_author") == 6 and names.count("citation_author_institution") == 6
    assert ("citation_journal_title", "The Spine Journal") in meta
    assert ("citation_pdf_url", "t12-osteonecrosis.pdf") in meta
    assert ("citation_title", "Severe vertebra collapse due to vertebra osteonecrosis after percutaneous "
                              "vertebroplasty") in meta
    caption = "".join(article.find(".//figcaption[@class='caption']").itertext())
    assert "(B–C) A total of 4.5\u00a0mL" in caption


def test_html_uses_nothing_from_the_network(reference_build):
    tree = html_tree(reference_build / "index.html")
    assert not list(tree.iter("script")) and not list(tree.iter("link"))
    for element in tree.iter():
        for attribute in ("src", "href"):
            value = element.get(attribute, "")
            assert not re.match(r"^(https?:)?//", value), value
    for img in tree.iter("img"):
        assert (reference_build / img.get("src")).is_file()


def test_citations_link_to_their_panels(reference_build):
    tree = html_tree(reference_build / "index.html")
    links = [("".join(a.itertext()), a.get("href")) for a in tree.iter("a") if "xref" in a.get("class", "")]
    assert links == [("Figure A", "#fig1-A"), ("Figure B", "#fig1-B"), ("C", "#fig1-C"), ("Figure D", "#fig1-D"),
                     ("Figure E", "#fig1-E"), ("Figure F", "#fig1-F")]
    ids = {element.get("id") for element in tree.iter() if element.get("id")}
    assert {href[1:] for _, href in links} <= ids


def test_golden_html_snapshot(reference_build):
    actual = (reference_build / "index.html").read_text(encoding="utf-8")
    # The reference case has no `date`: its publication date is the day it is rendered (test_render_date_...).
    actual, dated = re.subn(r'(<meta name="citation_publication_date" content=")\d{4}/\d{2}/\d{2}(">)',
                            r"\1RENDER-DATE\2", actual)
    assert dated == 1 and '<meta name="casepub-date-source" content="render-date">' in actual
    golden = GOLDEN / "t12-osteonecrosis.html"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


CARE_CASE = REFERENCE.parent / "kummell-care"


def test_golden_html_snapshot_of_the_care_case(tmp_path):
    """The second bundled case uses every key of the complete format; its page is pinned as a whole."""
    result = render_case(CARE_CASE, tmp_path, formats=("html",))
    assert result.ok, result.diagnostics
    actual = (tmp_path / CARE_CASE.name / "index.html").read_text(encoding="utf-8")
    assert '<meta name="casepub-date-source" content="case">' in actual  # dates.published: no render date
    golden = GOLDEN / f"{CARE_CASE.name}.html"
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_names_with_diacritics_print(reference_copy, tmp_path):
    names = {"Wentao Wang": ("José", "Núñez"), "Kun Duan": ("Łukasz", "Øster"), "Qu Wei": ("Văn Anh", "Nguyễn")}
    for old, (given, family) in names.items():
        edit(reference_copy, f"  - name: {old}\n", f"  - given: {given}\n    family: {family}\n")
    result = render_case(reference_copy, tmp_path / "out")
    assert result.ok, result.diagnostics
    text = pdf_text(result.outputs["pdf"])
    for given, family in names.values():
        assert f"{given} {family}, MD" in text
    assert "JN: Nothing to disclose. ŁØ: Nothing to disclose. VAN: Nothing to disclose." in text


def test_hostile_case_renders_with_nothing_active(reference_copy, tmp_path):
    edit(reference_copy, "title: Severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty",
         "title: \"{{ 7*7 }} <script>alert(1)</script> Severe vertebra collapse\"")
    edit(reference_copy, "treatment, but the patient refused.",
         "treatment, but the patient refused. <script>alert('x')</script> [click](javascript:alert(1)) "
         "![x](file:///etc/passwd) ![y](http://169.254.169.254/latest/meta-data) <img src=\"http://example.org/x.png\"> "
         "<link rel=\"attachment\" href=\"/proc/self/environ\"> <a rel=\"attachment\" href=\"/etc/passwd\">a</a>")
    edit(reference_copy, "    disclosure: Nothing to disclose.\n  - name: Kun",
         "    disclosure: \"<style>body{display:none}</style> Nothing to disclose.\"\n  - name: Kun")
    result = render_case(reference_copy, tmp_path / "out")
    assert result.ok, result.diagnostics
    html = result.outputs["html"].read_text(encoding="utf-8")
    tree = html_tree(result.outputs["html"])
    assert not list(tree.iter("script")) and not list(tree.iter("link"))
    assert len(list(tree.iter("style"))) == 1  # casepub's own
    assert [img.get("src").split("/")[0] for img in tree.iter("img")] == ["figures"] * 6
    assert "javascript:" not in " ".join(a.get("href", "") for a in tree.iter("a"))
    assert not any(a.get("rel") for a in tree.iter("a"))
    assert "{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt; Severe" in html
    pdf = result.outputs["pdf"].read_bytes()
    assert b"/EmbeddedFile" not in pdf and b"/EmbeddedFiles" not in pdf
    assert "{{ 7*7 }} <script>alert(1)</script> Severe" in PdfReader(result.outputs["pdf"]).metadata.title


def test_a_case_with_errors_is_not_rendered(reference_copy, tmp_path):
    edit(reference_copy, "(Figure F)", "(Figure G)")
    result = render_case(reference_copy, tmp_path / "out")
    assert not result.ok and not result.outputs
    assert [d.code for d in result.diagnostics if d.is_error] == ["CP053", "CP054"]
    assert not (tmp_path / "out" / "case").exists()


def test_html_only_does_not_import_weasyprint(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from casepub.render import render_case; "
            "r = render_case(Path(sys.argv[1]), Path(sys.argv[2]), formats=('html',)); "
            "assert r.ok and 'weasyprint' not in sys.modules and list(r.outputs) == ['html']")
    run = subprocess.run([sys.executable, "-c", code, str(REFERENCE), str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_user_templates_are_searched_first_and_can_extend_the_base(reference_copy, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "article.html.j2").write_text(
        '{% extends "base/article.html.j2" %}{% block header %}<p class="house">HOUSE STYLE</p>{{ super() }}'
        '{% endblock %}')
    result = render_case(reference_copy, tmp_path / "out", formats=("html",), templates=templates)
    tree = html_tree(result.outputs["html"])
    assert tree.find(".//header/p[@class='house']").text == "HOUSE STYLE"
    assert tree.find(".//header/h1") is not None


def test_panels_are_normalised_once_into_the_cache(reference_copy, tmp_path):
    out = tmp_path / "out"
    render_case(reference_copy, out, formats=("html",))
    cached = sorted((out / ".cache" / "panels").iterdir())
    stamps = [p.stat().st_mtime_ns for p in cached]
    shutil.copytree(reference_copy, tmp_path / "again")
    render_case(tmp_path / "again", out, formats=("html",))
    assert sorted((out / ".cache" / "panels").iterdir()) == cached
    assert [p.stat().st_mtime_ns for p in cached] == stamps
    from PIL import Image

    with Image.open(cached[0]) as panel:
        assert panel.format == "JPEG" and panel.width == 720 and panel.info["dpi"] == (300, 300)


def test_doi_and_date_reach_the_meta_tags_and_the_pdf(reference_copy, tmp_path):
    edit(reference_copy, "fda-status: not-applicable", "doi: 10.1016/j.spinee.2026.09.001\ndate: 2026-12-01\n"
                                                       "fda-status: not-applicable")
    result = render_case(reference_copy, tmp_path / "out")
    tree = html_tree(result.outputs["html"])
    meta = {(m.get("name"), m.get("content")) for m in tree.iter("meta")}
    assert {("citation_doi", "10.1016/j.spinee.2026.09.001"), ("citation_publication_date", "2026/12/01"),
            ("casepub-date-source", "case")} <= meta
    assert PdfReader(result.outputs["pdf"]).metadata.creation_date.date().isoformat() == "2026-12-01"


def test_a_case_without_a_date_is_published_on_the_render_date_and_says_so(reference_copy, tmp_path):
    import datetime

    before = datetime.date.today()
    result = render_case(reference_copy, tmp_path / "out", formats=("html",))
    after = datetime.date.today()
    meta = [(m.get("name"), m.get("content")) for m in html_tree(result.outputs["html"]).iter("meta")]
    dates = [content for name, content in meta if name == "citation_publication_date"]
    assert dates and dates[0] in {d.strftime("%Y/%m/%d") for d in (before, after)}  # Google Scholar requires one
    assert ("casepub-date-source", "render-date") in meta
    assert "dcterms.created" not in dict(meta)  # the PDF's creation date is not a draft's render date


def test_an_image_with_too_many_pixels_is_refused_before_rendering(reference_copy, tmp_path, capsys):
    from casepub.__main__ import main
    from test_bad_input import png_header_only

    (reference_copy / "figures" / "huge.png").write_bytes(png_header_only(10_000, 10_000))  # 100 megapixels
    edit(reference_copy, "image: figures/a-mri-t2.png", "image: figures/huge.png")
    assert main(["render", str(reference_copy), "-o", str(tmp_path / "out")]) == 1  # its time: bench/hostile_bench.py
    assert "100,000,000 pixels, more than the 40,000,000 allowed" in capsys.readouterr().out
    assert not (tmp_path / "out" / "case").exists()


@pytest.mark.parametrize(("key", "printed"), [("A", "A"), ("B-C", "B–C"), ("B – C", "B–C"), ("A, D", "A, D"),
                                              ("A,D", "A, D"), ("A and C-D", "A and C–D")])
def test_caption_keys_print_as_written_with_en_dashes_in_ranges(key, printed):
    from casepub.render.html import caption_label

    assert caption_label(key) == printed


def test_a_caption_for_two_separate_panels_is_not_printed_as_a_range(reference_copy, tmp_path):
    edit(reference_copy, "      B-C: A total", "      B, D: A total")
    edit(reference_copy, "      D: Plain radiograph", "      C: Plain radiograph")
    result = render_case(reference_copy, tmp_path / "out", formats=("html",))
    assert result.ok, result.diagnostics
    html = (tmp_path / "out" / "case" / "index.html").read_text()
    assert "(B, D) A total" in html and "B–D" not in html


def test_an_affiliation_without_a_city_prints_no_none(reference_copy, tmp_path):
    edit(reference_copy, "    city: Xi'an\n    postal-code: \"710054\"\n", "    postal-code: \"710054\"\n")
    edit(reference_copy, "    address: No. 5 Kangfu Rd, Lintong District\n    city: Xi'an\n    postal-code: \"710061\"\n"
         "    region: Shan'xi\n    country: China\n", "")
    result = render_case(reference_copy, tmp_path / "out", formats=("html",))
    assert result.ok, result.diagnostics
    html = (tmp_path / "out" / "case" / "index.html").read_text()
    assert "None" not in html
    assert "710054, Shan&#39;xi, China" in html or "710054, Shan'xi, China" in html


@pytest.mark.parametrize(("template", "kind", "line"), [
    ('{% extends "base/article.html.j2" %}\n{% block body %}{{ article.body }\n{% endblock %}\n', "has a syntax error", 2),
    ('{% extends "base/article.html.j2" %}\n{% block body %}\n{{ article.bdy }}{% endblock %}\n', "cannot be rendered", 3),
    ('{% extends "base/nothing.html.j2" %}\n', "is missing", 1),
])
def test_a_broken_template_is_a_located_diagnostic_not_a_crash(reference_copy, tmp_path, capsys, template, kind, line):
    from casepub.__main__ import main

    mine = tmp_path / "my-templates"
    mine.mkdir()
    (mine / "article.html.j2").write_text(template)
    assert main(["render", str(reference_copy), "-o", str(tmp_path / "out"), "--templates", str(mine)]) == 1
    out = capsys.readouterr().out
    [diagnostic] = [text for text in out.split("\n") if " CP104 " in text]
    assert f"error CP104 a template {kind}" in diagnostic and "CP999" not in out
    if kind != "is missing":
        assert f"my-templates/article.html.j2:{line}:1:" in diagnostic


@pytest.mark.parametrize(("typed", "printed"), [
    ("We excluded (a) infection, (b) metastasis and (c) osteonecrosis.",
     "We excluded (a) infection, (b) metastasis and (c) osteonecrosis."),
    ("Marks (R), (TM), (p); a +- b; one,, two; what???? no!!!!!", "Marks (R), (TM), (p); a +- b; one,, two; what???? no!!!!!"),
    ("Then... a pause -- and --- a break; 10-20 mg.", "Then… a pause – and — a break; 10–20\u00a0mg."),
])
def test_typography_never_turns_typed_letters_into_symbols(typed, printed):
    from casepub.render.markdown import render_body

    assert render_body(typed).strip() == f"<p>{printed}</p>"
