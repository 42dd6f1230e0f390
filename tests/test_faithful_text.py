"""Issue 9, "Faithful output": the printed words are the author's words.

URLs, DOIs, PMIDs, e-mail addresses and link texts are printed character for character in the HTML (text and
attributes) and in the PDF (read back with pypdf, the line breaks the renderer made removed, so that a hyphen it
added, or a dash or quote typography put in, fails); and asterisks between digits that Markdown reads as
emphasis (3*2*4 prints as 324) are a located warning, CP084, in every text printed as Markdown.
"""
from __future__ import annotations

import base64
import json
import re
import unicodedata
from pathlib import Path

import pytest
import tinyhtml5
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from casepub import check_case
from casepub.render import render_case
from casepub.render.markdown import plain_inline, render_body, render_inline

# The issue's examples.
GUIDELINE = "https://www.example.org/guidelines/2019-2021/osteoporosis"
TOKEN = base64.b64encode(b"casepub: a sixty-byte token that no line can hold whole, as").decode()
IMAGING = "https://imaging.example.org/view?token=" + TOKEN  # 80 base64 characters, none a place to break

CARE = """---
journal: care
article-type: case-report
title: {title}
keywords: [osteonecrosis, vertebroplasty]
authors:
  - given: Ingrid
    family: Berg
    affiliations: [oslo]
    disclosure: Nothing to disclose.
    corresponding: true
    email: {email}
affiliations:
  - id: oslo
    name: Oslo University Hospital
    city: Oslo
    country: Norway
abstract: {abstract}
consent-statement: The patient gave written informed consent for publication.
conflict-statement: The author declares no conflicts of interest.
funding: {funding}
figures: []
---

## Introduction

{body}

## Case presentation

A 70-year-old woman presented with back pain.

## Discussion

It matters.

## Conclusion

Follow patients after vertebroplasty.
"""


def care_case(folder: Path, body: str, *, title: str = "Osteonecrosis after vertebroplasty",
              abstract: str = "A woman developed vertebral osteonecrosis.", email: str = "ingrid.berg@example.org",
              funding: str = "None.") -> Path:
    """A CARE case report (no figures: quick to render) with the given texts; YAML values quoted as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    values = {key: json.dumps(value) for key, value in
              {"title": title, "abstract": abstract, "email": email, "funding": funding}.items()}
    (folder / "case.md").write_text(CARE.format(body=body, **values), encoding="utf-8")
    return folder


def rendered(folder: Path, out: Path) -> tuple[str, str, tinyhtml5.Element]:
    """(the article's HTML text, the PDF's text with the renderer's line breaks removed, the HTML tree)."""
    result = render_case(folder, out)
    assert result.ok, result.diagnostics
    tree = tinyhtml5.parse(result.outputs["html"].read_text(encoding="utf-8"), namespace_html_elements=False)
    return "".join(tree.find(".//article").itertext()), joined_pdf_text(result.outputs["pdf"]), tree


def joined_pdf_text(path: Path) -> str:
    """Every page's text with its line breaks removed: a word or URL broken across lines reads whole again
    only when the renderer added nothing at the break (a hyphen it added stays, and the text differs). Runs
    of spaces, which justified lines widen, read as one."""
    return joined("".join(page.extract_text() for page in PdfReader(path).pages))


def joined(text: str) -> str:
    return unicodedata.normalize("NFC", re.sub(" {2,}", " ", text.replace("\n", "")))


def html_text(markup: str) -> str:
    """The text of an HTML fragment, as a browser reads it (<wbr> is no character)."""
    tree = tinyhtml5.parse(f"<body>{markup}</body>", namespace_html_elements=False)
    return "".join(tree.find(".//body").itertext())


def links(markup: str) -> list[tuple[str, str]]:
    tree = tinyhtml5.parse(f"<body>{markup}</body>", namespace_html_elements=False)
    return [("".join(a.itertext()), a.get("href")) for a in tree.iter("a")]


# --- the issue's examples -------------------------------------------------------------------------------------

def test_an_autolink_prints_its_hyphens_not_an_en_dash():
    html = render_inline(f"<{GUIDELINE}>")
    assert links(html) == [(GUIDELINE, GUIDELINE)]
    assert "–" not in html  # nor in the attribute


def test_the_issues_urls_print_whole_in_html_and_pdf_with_nothing_added(tmp_path):
    body = (f"Guidelines: <{GUIDELINE}>. The images are at {IMAGING} and at "
            f"<{IMAGING}&page=2>, a bare one and a link.")
    text, pdf, tree = rendered(care_case(tmp_path / "case", body), tmp_path / "out")
    for url in (GUIDELINE, IMAGING, IMAGING + "&page=2"):
        assert url in text
        assert url in pdf, pdf[:3000]
    assert "\u2010" not in pdf and "\u00ad" not in pdf  # no hyphen added anywhere on the page (the prose is short)
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert GUIDELINE in hrefs and IMAGING + "&page=2" in hrefs


def test_the_pdf_comparison_fails_on_an_added_hyphen_or_dash():
    """The comparison the tests above make: a hyphen added at a line break, or an en dash, is a difference."""
    assert GUIDELINE in joined("see https://www.example.org/guide\nlines/2019-2021/osteoporosis.")
    assert GUIDELINE not in joined("see https://www.ex\u2010\nample.org/guidelines/2019-2021/osteoporosis.")
    assert GUIDELINE not in joined("see ht-\ntps://www.example.org/guidelines/2019-2021/osteoporosis.")
    assert GUIDELINE not in joined("see https://www.example.org/guidelines/2019–2021/osteoporosis.")


def test_emphasis_between_digits_prints_324_and_is_a_located_warning(tmp_path):
    assert html_text(render_inline("The cleft measured 3*2*4 cm.")) == "The cleft measured 324\u00a0cm."
    folder = care_case(tmp_path / "case", "Some text.\nThe cleft measured 3*2*4 cm.")
    found = [d for d in check_case(folder).diagnostics if d.code == "CP084"]
    assert [(d.location.line, d.location.column, d.severity.value) for d in found] == [(28, 21, "warning")]
    assert found[0].message == '"3*2*4" prints as "324": the asterisks are read as emphasis markers'
    assert found[0].hint == "write the multiplication sign, 3 × 2 × 4, or escape the asterisks: 3\\*2\\*4"


# --- every way an identifier reaches the output ----------------------------------------------------------------

@pytest.mark.parametrize(("typed", "printed", "hrefs"), [
    # autolinks: the text as typed (not %-decoded, no typography); the href as markdown-it encodes it
    ("<https://x.org/it's-a--b...c>", "https://x.org/it's-a--b...c", ["https://x.org/it's-a--b...c"]),
    ("<https://x.org/%E2%82%AC%20b>", "https://x.org/%E2%82%AC%20b", ["https://x.org/%E2%82%AC%20b"]),
    ("<jane--doe@x.org>", "jane--doe@x.org", ["mailto:jane--doe@x.org"]),
    ("<mailto:a--b@x.org>", "mailto:a--b@x.org", ["mailto:a--b@x.org"]),
    # a link's text, whatever it is: no dashes, minus signs, curly quotes or no-break spaces put in
    ('[the 2019-2021 "guide" -- 10 mg](https://x.org/a--b)', 'the 2019-2021 "guide" -- 10 mg', ["https://x.org/a--b"]),
    ("[*2019-2021* guide](https://x.org)", "2019-2021 guide", ["https://x.org"]),
    # bare URLs, DOIs, PMIDs and e-mail addresses in text
    ("see https://www.example.org/2019-2021/a--b...c?x=-3&y=4 mg.",  # 4 is the URL's: no no-break space after it
     "see https://www.example.org/2019-2021/a--b...c?x=-3&y=4 mg.", []),
    ("see www.example.org/1-2.", "see www.example.org/1-2.", []),
    ("(https://en.wikipedia.org/wiki/K%C3%BCmmell's_(disease)).",
     "(https://en.wikipedia.org/wiki/K%C3%BCmmell's_(disease)).", []),
    ("doi:10.1002/(SICI)1097-4636(199602)30:2<217::AID-JBM11>3.0.CO;2-B.",
     "doi:10.1002/(SICI)1097-4636(199602)30:2<217::AID-JBM11>3.0.CO;2-B.", []),
    ("https://doi.org/10.1016/j.spinee.2019-01.001", "https://doi.org/10.1016/j.spinee.2019-01.001", []),
    ("DOI 10.1016/S0140-6736(20)30183-5, PMID: 31986264-5", "DOI 10.1016/S0140-6736(20)30183-5, PMID: 31986264-5", []),
    ("mail jane--doe@x-y.org, or 'a.o-1@x.org'", "mail jane--doe@x-y.org, or ‘a.o-1@x.org’", []),
    # the prose around them is still set: quotes, dashes, ranges, minus signs
    ('"https://x.org/a" -- 10-20 mg, -3', "“https://x.org/a” – 10–20\u00a0mg, −3", []),
])
def test_identifiers_and_link_texts_keep_every_character(typed, printed, hrefs):
    for html in (render_inline(typed), render_body(typed)):
        assert html_text(html).strip() == printed
        assert [href for _, href in links(html)] == hrefs
    assert plain_inline(typed) == printed  # <title>, meta tags, PDF metadata


def test_typography_never_reaches_into_attributes():
    html = render_inline('[a -- b](https://x.org/1-2--3...4 "a title -- 1-2 ... \'q\'")')
    tree = tinyhtml5.parse(f"<body>{html}</body>", namespace_html_elements=False)
    link = tree.find(".//a")
    assert link.get("href") == "https://x.org/1-2--3...4"
    assert link.get("title") == "a title -- 1-2 ... 'q'"


def test_identifiers_break_after_slash_dot_query_ampersand_equals_in_the_markup_only():
    html = render_inline("https://a.example.org/path//x?q=1&r=" + "A" * 20)
    assert html == ('<span class="identifier">https://<wbr>a.<wbr>example.<wbr>org/<wbr>path//<wbr>x?<wbr>q=<wbr>1&amp;<wbr>'
                    'r=<wbr><span class="long">' + "A" * 20 + "</span></span>")


def test_in_title_caption_abstract_and_statements_too(tmp_path, reference_copy):
    from conftest import edit

    doi = "10.1016/S0140-6736(20)30183-5"
    edit(reference_copy, "title: Severe vertebra collapse", f"title: Severe (doi:{doi}) vertebra collapse")
    edit(reference_copy, "with kyphosis angle of 45° (white arrow).",
         f"with kyphosis angle of 45° (white arrow), see <{GUIDELINE}>.")
    edit(reference_copy, "conflict-statement: >-", f"funding: Registry {IMAGING}, 2019-2021.\nconflict-statement: >-")
    edit(reference_copy, "fda-status: not-applicable", f'fda-status: not-applicable\nabstract: "See {GUIDELINE}."')
    text, pdf, tree = rendered(reference_copy, tmp_path / "out")
    assert tree.find(".//title").text.startswith(f"Severe (doi:{doi}) vertebra")
    assert ("citation_title", f"Severe (doi:{doi}) vertebra collapse due to vertebra osteonecrosis after percutaneous "
            "vertebroplasty") in [(m.get("name"), m.get("content")) for m in tree.iter("meta")]
    for identifier in (doi, GUIDELINE, IMAGING):
        assert identifier in text
        assert identifier in pdf
    assert text.count(GUIDELINE) == 2  # the caption's and the abstract's
    assert pdf.count(GUIDELINE) == 2


def test_the_corresponding_authors_email_keeps_every_character(tmp_path):
    email = "ingrid--berg.2019-2021@long-hospital-name.example.org"
    text, pdf, tree = rendered(care_case(tmp_path / "case", "Text.", email=email), tmp_path / "out")
    assert email in text and email in pdf
    assert ("citation_author_email", email) in [(m.get("name"), m.get("content")) for m in tree.iter("meta")]


# --- emphasis between digits ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "printed", "warned"), [
    ("3*2*4 cm", "324\u00a0cm", True),
    ("3**2**4 cm", "324\u00a0cm", True),
    ("3***2***4", "324", True),
    ("x *2*4", "x 24", True),             # the closing marker is between digits
    ("2*3 mg then 4*5", "23\u00a0mg then 45", True),
    ("3_2_4 cm", "3_2_4\u00a0cm", False),  # an underscore between letters or digits is never emphasis
    ("3__2__4", "3__2__4", False),
    ("3\\*2\\*4 cm", "3*2*4\u00a0cm", False),
    ("`3*2*4`", "3*2*4", False),
    ("3 × 2 × 4 cm", "3 × 2 × 4\u00a0cm", False),
    ("3*2 cm", "3*2\u00a0cm", False),      # one asterisk is no emphasis: it prints
    ("*3* and 2*4*", "3 and 24", True),
    ("(3*2)*4*", "(3*2)4", False),         # the markers that vanish are not between digits
])
def test_a_warning_exactly_when_markers_between_digits_vanish(tmp_path, typed, printed, warned):
    assert html_text(render_inline(typed)) == printed
    folder = care_case(tmp_path / "case", f"Before.\n{typed} after.")
    found = [d for d in check_case(folder).diagnostics if d.code == "CP084"]
    assert len(found) == warned
    if warned:
        assert found[0].location.line == 28


def test_every_markdown_field_is_read_and_located_at_its_first_marker(tmp_path):
    folder = care_case(tmp_path / "case", "Text.", title="A cleft of 3*2*4 cm",
                       abstract="One line.\n\nThe cleft: 12**8**10 mm.", funding="Grant 3*2*4.")
    found = [(d.location.line, d.location.column) for d in check_case(folder).diagnostics if d.code == "CP084"]
    # title: "A cleft of 3*2*4 cm" (quoted: the quote is column 8); the abstract, one double-quoted line with
    # escapes: "One line.\n\nThe cleft: 12**8**10 mm."; the funding statement is plain text: it prints as typed.
    assert found == [(4, 21), (18, 38)]


def test_a_folded_value_is_located_on_its_own_line(tmp_path):
    folder = care_case(tmp_path / "case", "Text.")
    case = folder / "case.md"
    case.write_text(case.read_text().replace('abstract: "A woman developed vertebral osteonecrosis."',
                                             "abstract: >-\n  A woman developed\n    osteonecrosis, 3*2*4 cm."))
    [found] = [d for d in check_case(folder).diagnostics if d.code == "CP084"]
    assert (found.location.line, found.location.column) == (20, 21)


def test_the_hint_for_a_double_quoted_value_prints_as_typed(tmp_path):
    folder = care_case(tmp_path / "case", "Text.", title="A cleft of 3*2*4 cm")
    [found] = [d for d in check_case(folder).diagnostics if d.code == "CP084"]
    assert found.hint.endswith("escape the asterisks: 3\\\\*2\\\\*4")
    case = folder / "case.md"
    case.write_text(case.read_text().replace("3*2*4", "3\\\\*2\\\\*4"))
    checked = check_case(folder)
    assert not [d for d in checked.diagnostics if d.code == "CP084"]
    assert checked.case is not None and checked.case.meta.title == "A cleft of 3\\*2\\*4 cm"
    assert html_text(render_inline(checked.case.meta.title)) == "A cleft of 3*2*4\u00a0cm"


# --- property tests -------------------------------------------------------------------------------------------

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
_host = st.builds(lambda labels, tld: ".".join(labels + [tld]), st.lists(_label, min_size=1, max_size=3),
                  st.sampled_from(["org", "com", "no", "example"]))
# In a bare URL: what Markdown leaves alone in text (no * _ ~ [ ] < > ` \ and no ; after & for entities), with
# what typography would change: -- ... 1-2 -3 ' "
_segment = st.text(ALNUM + "-.'+,:@!$%=", min_size=1, max_size=14)
_end = st.sampled_from(list(ALNUM))


@st.composite
def urls(draw) -> str:
    scheme = draw(st.sampled_from(["https://", "http://", "https://www.", "www."]))
    path = "".join("/" + draw(_segment) for _ in range(draw(st.integers(0, 4))))
    query = "&".join(f"{draw(_label)}={draw(_segment)}" for _ in range(draw(st.integers(0, 3))))
    return scheme + draw(_host) + path + (("?" + query) if query else "") + ("/" + draw(_end) if path or query else "")


@st.composite
def dois(draw) -> str:
    prefix = draw(st.sampled_from(["", "doi:", "https://doi.org/"]))
    suffix = draw(st.text(ALNUM + "-._;:/()", min_size=1, max_size=30)).replace("(", "").replace(")", "")
    return f"{prefix}10.{draw(st.integers(1000, 999999999))}/{suffix}{draw(_end)}"


@st.composite
def emails(draw) -> str:
    local = draw(st.text(ALNUM + ".+-", min_size=0, max_size=16))
    return f"{draw(_end)}{local}{draw(_end)}@{draw(_host)}".replace("..", ".-")


identifiers = st.one_of(urls(), dois(), emails(), st.integers(1, 99999999).map(lambda n: f"PMID: {n}"))


@settings(max_examples=300, deadline=None)
@given(identifiers, st.sampled_from(["{} mg -- 1-2...", "see ({}).", '"{}"', "'{}', -3", "{}"]))
def test_identifiers_survive_in_the_html(identifier, sentence):
    typed = sentence.format(identifier)
    autolinked = [render_inline(f"<{identifier}>")] if identifier.startswith("http") else []
    for html in [render_inline(typed), render_body(typed), *autolinked]:
        assert identifier in html_text(html), html
    assert identifier in plain_inline(typed)


@settings(max_examples=200, deadline=None)
@given(st.text(ALNUM + "-._~:/?#[]@!$&'()*+,;=%\\`_", min_size=1, max_size=40))
def test_autolink_text_is_printed_as_typed(rest):
    """Inside <...> nothing is Markdown: not \\, `, *, _ or &entity; (and no %-decoding of the text)."""
    url = "https://x.org/" + rest
    [(text, _)] = links(render_inline(f"<{url}>"))
    assert text == url


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(identifiers, min_size=4, max_size=8), urls(), emails())
def test_identifiers_survive_in_the_pdf(tmp_path_factory, found, in_title, email):
    out = tmp_path_factory.mktemp("render")
    body = "\n\n".join(f"Paragraph {n}: {identifier}, and -- some 1-2 text." for n, identifier in enumerate(found))
    folder = care_case(out / "case", body, title=f"Case at {in_title}", abstract=f"See <{found[0]}>."
                       if found[0].startswith("http") else f"See {found[0]}.", email=email)
    text, pdf, _ = rendered(folder, out / "out")
    for identifier in [*found, in_title, email]:
        assert identifier in text
        assert identifier in pdf, (identifier, pdf)
    assert not re.search(r"[\u200b\u00ad]", pdf)  # no zero-width space (<wbr>) or soft hyphen in the text


def test_body_headings_get_unique_ids():
    from casepub.render.markdown import render_body

    html = render_body("## Case\n\n## Case 2\n\n## Case\n\n## *Émile*'s view\n", section_ids=True)
    ids = [part.split(">")[0] for part in html.replace("<h2 ", "\x00").split("\x00")[1:]]
    assert ids == ['id="sec-case"', 'id="sec-case-2"', 'id="sec-case-3"', 'id="sec-émile-s-view"']
    assert "id=" not in render_body("## Case\n")  # an abstract's Markdown: no ids
