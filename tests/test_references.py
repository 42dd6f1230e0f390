"""References: real authors' reference files formatted exactly in the journals' CSL styles, the bad inputs they
bring, located diagnostics, and citations rendered into real HTML and PDF."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import tinyhtml5
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from casepub.check import check_case
from casepub.references.cite import clusters, code_spans, first_cited, locator
from casepub.references.format import CitationForm, bibliography, citation_form, citation_html, numbers_text, safe_html
from casepub.references.load import MAX_REFERENCES_BYTES, load_library
from casepub.render import render_case
from conftest import FIXTURES, REFERENCE, edit

CARE = FIXTURES / "valid" / "care-case-report"

# Every kind the issue lists, as Zotero/Better BibTeX, JabRef, EndNote and PubMed export them.
BIB = r"""% Exported by JabRef
@comment{jabref-meta: databaseType:bibtex;}
@preamble{"\newcommand{\noopsort}[1]{}"}
@string{spj = "The Spine Journal"}
@string{eur = "European "}

@article{accents,
  author = {Fran{\c c}ois, Jos{\'e} and Garc{\'\i}a, Mar{\'\i}a and M{\"o}ller, Bj{\"o}rn},
  title = {Vertebral {MRI} findings in \textit{in vivo} $\alpha$-blockade: 50\% \& more},
  journal = spj,
  year = {2019},
  month = apr,
  volume = {19},
  number = {4},
  pages = {e1023--e1031},
  doi = {https://doi.org/10.1016/j.spinee.2019.01.002},
}

@article{corporate,
  author = {{World Health Organization} and {Barnes and Noble Clinical Group}},
  title = {{COVID-19} and spinal surgery},
  journal = eur # "Spine Journal",
  year = {2021},
  month = {September},
  volume = {30},
  pages = {S45--S52},
  doi = {doi:10.1007/s00586-021-06789-1},
}

@article{particles,
  author = {van der Berg, Jan AND Smith, Jr., John and de la Cruz, III, Pedro and others},
  title = {Cement leakage after vertebroplasty},
  journal = spj,
  year = {2020},
  volume = {20},
  pages = {100--110},
  pmid = {31986264},
}

@misc{webpage,
  author = {{National Institute for Health and Care Excellence}},
  title = {Osteoporosis: assessing the risk of fragility fracture},
  url = {https://www.nice.org.uk/guidance/cg146%20x_y~z},
  urldate = {2024-05-03},
  year = {2017},
}

@article{inpress,
  author = {Wang, Wentao and Duan, Kun},
  title = {Kümmell disease after vertebroplasty},
  journal = spj,
  year = {in press},
}

@book{handbook,
  editor = {Rothman, Richard H. and Simeone, Frederick A.},
  title = {The Spine},
  publisher = {Elsevier},
  address = {Philadelphia},
  edition = {7},
  year = {2018},
}

@incollection{chapter,
  crossref = {handbook},
  author = {Kim, David H.},
  title = {Vertebral augmentation},
  pages = {1201--1215},
}

@article{many,
  author = {One, A and Two, B and Three, C and Four, D and Five, E and Six, F and Seven, G and Eight, H},
  title = {A long author list},
  journal = spj,
  year = {2022},
  volume = {22},
  pages = {1--9},
}
"""

CSL_JSON = """[
  {"id": "markup", "type": "article-journal",
   "title": "Bone cement and <i>Staphylococcus aureus</i> in CO<sub>2</sub><img src=x onerror=alert(1)> <b>today</b>",
   "container-title": "Spine", "author": [{"family": "Berg", "given": "Jan", "non-dropping-particle": "van den"}],
   "issued": {"date-parts": [[2020, 4]]}, "volume": 45, "page": "12-19", "DOI": "10.1097/BRS.0000000000003333"},
  {"id": "nulldate", "type": "article-journal", "title": "No date", "container-title": "Spine",
   "author": [{"family": "Lee", "given": "Min"}], "issued": null},
  {"id": "partial", "type": "article-journal", "title": "Partial date", "container-title": "Spine",
   "author": [{"family": "Park", "given": "Ji"}], "issued": {"date-parts": [[2021, null]]}}
]
"""

VANCOUVER = [
    "François J, García M, Möller B. Vertebral MRI findings in <i>in vivo</i> α-blockade: 50% &amp; more. The Spine "
    "Journal 2019;19:e1023–31. https://doi.org/10.1016/j.spinee.2019.01.002.",
    "World Health Organization, Barnes and Noble Clinical Group. COVID-19 and spinal surgery. European Spine "
    "Journal 2021;30:S45–52. https://doi.org/10.1007/s00586-021-06789-1.",
    "van der Berg J, Smith J Jr., de la Cruz P III, et al. Cement leakage after vertebroplasty. The Spine Journal "
    "2020;20:100–10.",
    "National Institute for Health and Care Excellence. Osteoporosis: assessing the risk of fragility fracture "
    "2017. https://www.nice.org.uk/guidance/cg146%20x_y~z (accessed May 3, 2024).",
    "Wang W, Duan K. Kümmell disease after vertebroplasty. The Spine Journal In press.",
    "Rothman RH, Simeone FA, editors. The Spine. 7th ed. Philadelphia: Elsevier; 2018.",
    "Kim DH. Vertebral augmentation. In: Rothman RH, Simeone FA, editors. The Spine. 7th ed., Philadelphia: "
    "Elsevier; 2018, p. 1201–15.",
    "One A, Two B, Three C, Four D, Five E, Six F, et al. A long author list. The Spine Journal 2022;22:1–9.",
]

AMA = [
    "François J, García M, Möller B. Vertebral MRI findings in <i>in vivo</i> α-blockade: 50% &amp; more. <i>The Spine "
    "Journal</i>. 2019;19(4):e1023-e1031. doi:10.1016/j.spinee.2019.01.002",
    "World Health Organization, Barnes and Noble Clinical Group. COVID-19 and spinal surgery. <i>European Spine "
    "Journal</i>. 2021;30:S45-S52. doi:10.1007/s00586-021-06789-1",
    "van der Berg J, Smith J Jr., de la Cruz P III, et al. Cement leakage after vertebroplasty. <i>The Spine "
    "Journal</i>. 2020;20:100-110.",
    "National Institute for Health and Care Excellence. Osteoporosis: assessing the risk of fragility fracture. "
    "2017. Accessed May 3, 2024. https://www.nice.org.uk/guidance/cg146%20x_y~z",
    "Wang W, Duan K. Kümmell disease after vertebroplasty. <i>The Spine Journal</i>. In press.",
    "Rothman RH, Simeone FA, eds. <i>The Spine</i>. 7th ed. Elsevier; 2018.",
    "Kim DH. Vertebral augmentation. In: Rothman RH, Simeone FA, eds. <i>The Spine</i>. 7th ed. Elsevier; "
    "2018:1201-1215.",
    "One A, Two B, Three C, et al. A long author list. <i>The Spine Journal</i>. 2022;22:1-9.",
]


def _library(tmp_path: Path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return load_library(tmp_path, name)


def _formatted(library, style: str) -> list[str]:
    return [entry.html for entry in bibliography(style, library.items, tuple(library.items), library.digest)]


@pytest.mark.parametrize(("style", "expected"), [("elsevier-vancouver", VANCOUVER),
                                                 ("american-medical-association", AMA)])
def test_every_kind_of_bibtex_prints_exactly_in_the_style(tmp_path, style, expected):
    library = _library(tmp_path, "references.bib", BIB)
    assert library.problems == ()
    assert _formatted(library, style) == expected
    for text in expected:
        assert not re.search(r"[{}\\$]", text)


def test_bibtex_values_become_csl_json(tmp_path):
    items = _library(tmp_path, "references.bib", BIB).items
    assert items["accents"]["issued"] == {"date-parts": [[2019, 4]]}            # month macro
    assert items["corporate"]["issued"] == {"date-parts": [[2021, 9]]}          # full month name
    assert items["corporate"]["container-title"] == "European Spine Journal"    # @string and #
    assert items["corporate"]["author"] == [{"literal": "World Health Organization"},
                                            {"literal": "Barnes and Noble Clinical Group"}]
    assert items["corporate"]["DOI"] == "10.1007/s00586-021-06789-1"           # doi: prefix
    assert items["accents"]["DOI"] == "10.1016/j.spinee.2019.01.002"           # given as a URL
    assert items["particles"]["author"][0] == {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}
    assert items["particles"]["author"][1] == {"family": "Smith", "given": "John", "suffix": "Jr."}
    assert items["particles"]["author"][-1] == {"literal": "et al."}           # "and others"
    assert items["particles"]["PMID"] == "31986264"
    assert items["webpage"]["URL"] == "https://www.nice.org.uk/guidance/cg146%20x_y~z"
    assert items["webpage"]["accessed"] == {"date-parts": [[2024, 5, 3]]}
    assert items["chapter"]["container-title"] == "The Spine"                  # crossref: the book's title
    assert items["chapter"]["editor"][0] == {"family": "Rothman", "given": "Richard H."}
    assert items["inpress"]["issued"] == {"literal": "In press"} and items["inpress"]["status"] == "in press"


def test_a_doi_given_twice_prints_once(tmp_path):
    library = _library(tmp_path, "references.bib", "@article{a,\n  author = {Li, Wei},\n  title = {T},\n  journal = {J},\n"
                       "  year = 2020,\n  doi = {doi:10.1097/x},\n  url = {https://doi.org/10.1097/x}\n}\n")
    assert library.problems == () and "URL" not in library.items["a"]
    assert _formatted(library, "elsevier-vancouver") == ["Li W. T. J 2020. https://doi.org/10.1097/x."]


STYLED_BIB = r"""
@article{styled,
  author = {Berg, Jan},
  title = {\textit{Staphylococcus aureus} and {\em Candida} in \textbf{cement}: CO\textsubscript{2} and Ca\textsuperscript{2+}},
  journal = {Spine},
  year = {2020}, volume = {45}, pages = {12--19},
}
@article{hostile,
  author = {Lee, Min},
  title = {<script>alert(1)</script> \emph{<img src=x onerror=alert(1)>} and 5 < 6 \& 7 > 2},
  journal = {Spine},
  year = {2021},
}
@article{empty,
  author = {Park, Ji},
  title = {Nothing {\em} \textbf{} styled {MRI}},
  journal = {Spine},
  year = {2021},
}
"""

STYLED_VANCOUVER = [
    "Berg J. <i>Staphylococcus aureus</i> and <i>Candida</i> in <b>cement</b>: CO<sub>2</sub> and Ca<sup>2+</sup>. "
    "Spine 2020;45:12–9.",
    "Lee M. &lt;script&gt;alert(1)&lt;/script&gt; <i>&lt;img src=x onerror=alert(1)&gt;</i> and 5 &lt; 6 &amp; 7 "
    "&gt; 2. Spine 2021.",
    "Park J. Nothing styled MRI. Spine 2021.",
]

STYLED_AMA = [
    "Berg J. <i>Staphylococcus aureus</i> and <i>Candida</i> in <b>cement</b>: CO<sub>2</sub> and Ca<sup>2+</sup>. "
    "<i>Spine</i>. 2020;45:12-19.",
    "Lee M. &lt;script&gt;alert(1)&lt;/script&gt; <i>&lt;img src=x onerror=alert(1)&gt;</i> and 5 &lt; 6 &amp; 7 "
    "&gt; 2. <i>Spine</i>. Published online 2021.",
    "Park J. Nothing styled MRI. <i>Spine</i>. Published online 2021.",
]


@pytest.mark.parametrize(("style", "expected"), [("elsevier-vancouver", STYLED_VANCOUVER),
                                                 ("american-medical-association", STYLED_AMA)])
def test_bibtex_text_style_prints_as_italics_bold_and_scripts(tmp_path, style, expected):
    """\\textit, \\emph and {\\em ...} print in italics, \\textbf in bold, \\textsuperscript and \\textsubscript
    raised and lowered: CSL-JSON's rich text; "<script>" in the value stays text, an empty style prints nothing."""
    library = _library(tmp_path, "references.bib", STYLED_BIB)
    assert library.problems == ()
    entries = bibliography(style, library.items, tuple(library.items), library.digest)
    assert [entry.html for entry in entries] == expected
    assert entries[0].plain.startswith("Berg J. Staphylococcus aureus and Candida in cement: CO2 and Ca2+.")
    assert "<script>" in entries[1].plain  # the text as written: escaped in HTML, printed in the PDF


def test_text_style_macros_take_the_place_of_no_character(tmp_path):
    """A private-use character written in the value cannot pose as a style's mark."""
    library = _library(tmp_path, "references.bib", "@article{a, title = {\\textit{x}\ue001\ue002 y}, year = 2020}")
    assert library.items["a"]["title"] == "<i>x</i> y"


STYLE_PIECES = ["a", " ", "<", ">", "&", "{", "}", "\\", "$", "\ue000", "\ue005", "\\textit{", "\\emph{", "{\\em ",
                "{\\bf ", "\\textbf{", "\\textsuperscript{", "\\textsubscript{", "\\textit", "\\it "]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(STYLE_PIECES), max_size=30).map("".join))
def test_any_title_gives_only_the_four_tags_nested(text):
    """Whatever LaTeX a title holds, its markup is <i> <b> <sup> <sub>, each closed in order; the rest is text."""
    from casepub.references.bibtex import styled_text

    styled = safe_html(styled_text(text))  # as printed: the value's own "<" is text
    open_tags: list[str] = []
    for tag in re.findall(r"<[^<>]*>", styled):
        if tag.startswith("</"):
            assert open_tags and open_tags.pop() == tag[2:-1], styled
        else:
            assert tag[1:-1] in ("i", "b", "sup", "sub"), styled
            open_tags.append(tag[1:-1])
    assert open_tags == [] and not re.search(r"[{}\\$]", styled), styled


def test_csl_json_markup_particles_and_dates(tmp_path):
    library = _library(tmp_path, "references.json", CSL_JSON)
    assert library.problems == ()
    assert _formatted(library, "elsevier-vancouver") == [
        "van den Berg J. Bone cement and <i>Staphylococcus aureus</i> in CO<sub>2</sub> <b>today</b>. Spine "
        "2020;45:12–9. https://doi.org/10.1097/BRS.0000000000003333.",
        "Lee M. No date. Spine n.d.",
        "Park J. Partial date. Spine 2021.",
    ]


def test_csl_yaml_as_pandoc_writes_it(tmp_path):
    library = _library(tmp_path, "references.yaml", "references:\n- id: a\n  type: book\n  title: A <script>x</script>"
                       "book\n  publisher: Springer\n  issued: 2020-04\n")
    assert library.problems == ()
    assert _formatted(library, "elsevier-vancouver") == ["A xbook. Springer; 2020."]


def test_output_of_the_processor_is_escaped_except_four_tags():
    assert safe_html('<script>alert(1)</script><i>x</i> &amp; <a href="javascript:x">y</a>') == (
        "&lt;script&gt;alert(1)&lt;/script&gt;<i>x</i> &amp; &lt;a href=\"javascript:x\"&gt;y&lt;/a&gt;")


# Bad input: every kind is a located problem, never an exception.

def _problems(library) -> list[tuple[str, int]]:
    return [(problem.code, problem.line) for problem in library.problems]


def test_missing_outside_and_unknown_files(tmp_path):
    assert _problems(load_library(tmp_path, "nothere.bib")) == [("CP300", 1)]
    assert _problems(load_library(tmp_path, "../outside.bib")) == [("CP300", 1)]
    outside = tmp_path.parent / f"{tmp_path.name}-outside.bib"
    outside.write_text("@book{a, title={A}}")
    (tmp_path / "link.bib").symlink_to(outside)
    assert "outside the case folder" in load_library(tmp_path, "link.bib").problems[0].message
    assert _problems(_library(tmp_path, "refs.txt", "x")) == [("CP300", 1)]


def test_not_utf8_and_too_large(tmp_path):
    assert _problems(_library(tmp_path, "latin1.bib", "@book{a,\n title = {M\u00fcller}}".encode("latin-1"))) == [
        ("CP300", 2)]
    big = tmp_path / "big.bib"
    with big.open("wb") as handle:  # 50 MB, sparse: refused by its size before a byte is read
        handle.truncate(50 << 20)
    problem = load_library(tmp_path, "big.bib").problems[0]
    assert problem.code == "CP300" and "limit" in problem.message and MAX_REFERENCES_BYTES < 50 << 20


@pytest.mark.parametrize(("text", "expected"), [
    ("@article{a,\n  title = {Unbalanced,\n  year = 2020\n}\n", [("CP301", 5)]),
    ("@article{a,\n  title = {A},\n  journal = tsj,\n}\n", [("CP301", 3)]),
    ("@string{a = b}\n@string{b = a}\n@article{x, journal = a}\n", [("CP301", 1)]),
    ("@string{a = a # \"x\"}\n", [("CP301", 1)]),
    ("@article{a,\n  author = {Hao, Ding-Jun, Yang, Jun-Song, Wang},\n  title = {A}}\n", [("CP302", 2)]),
    ("@article{a, title = {First}}\n\n@article{a, title = {Second}}\n", [("CP303", 3)]),
    ("@article{a,\n  title = {A},\n  doi = {10.1016},\n  pmid = {PMC12}\n}\n", [("CP304", 3), ("CP304", 4)]),
    ("@misc{a,\n  title = {A},\n  url = {javascript:alert(1)}\n}\n", [("CP305", 3)]),
    ("@misc{a,\n  title = {A},\n  url = {file:///etc/passwd}\n}\n", [("CP305", 3)]),
])
def test_malformed_bibtex_is_located(tmp_path, text, expected):
    assert _problems(_library(tmp_path, "references.bib", text)) == expected


def test_duplicate_key_keeps_the_first(tmp_path):
    library = _library(tmp_path, "references.bib", "@article{a, title = {First}}\n@article{a, title = {Second}}\n")
    assert library.items["a"]["title"] == "First"


def test_refused_url_is_left_out(tmp_path):
    library = _library(tmp_path, "references.json", '[{"id": "a", "title": "A", "URL": "JavaScript:alert(1)"}]')
    assert "URL" not in library.items["a"] and _problems(library) == [("CP305", 1)]


def test_malformed_json_and_items_without_id(tmp_path):
    assert _problems(_library(tmp_path, "references.json", '[\n{"id": "a",\n')) == [("CP301", 3)]
    assert _problems(_library(tmp_path, "r.json", '[{"title": "no id"}]')) == [("CP301", 1)]
    assert _problems(_library(tmp_path, "r.yaml", "- id: a\n  title: [")) == [("CP301", 2)]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet='@{}()=,"#%\\$~ \nabc1-_:/', max_size=120),
       st.sampled_from(["r.bib", "r.json", "r.yaml"]))
def test_any_file_gives_problems_never_an_exception(tmp_path_factory, text, name):
    from casepub.references.load import _parsed
    library = _parsed(tmp_path_factory.getbasetemp() / name, text.encode("utf-8"))
    for entry in bibliography("elsevier-vancouver", library.items, tuple(library.items), library.digest):
        assert not re.search(r"<(?!/?(?:i|b|sup|sub)>)", entry.html)


# Citations

def test_citation_syntax():
    text = "Rare [@hao2019; @wang2020, p. 12] and [@li-2021], not `[@code]` nor [see @x] nor email@x.org."
    found = list(clusters(text, code_spans(text)))
    assert [[(item.key, item.locator) for item in cluster.items] for cluster in found] == [
        [("hao2019", None), ("wang2020", ("page", "12"))], [("li-2021", None)]]
    assert text[found[0].items[1].offset:].startswith("@wang2020")
    assert locator("chap. 3") == ("chapter", "3") and locator("12-14") == ("page", "12-14")
    assert first_cited(["b", "a", "b", "c"]) == {"b": 1, "a": 2, "c": 3}


def test_numbers_collapse_as_the_style_says():
    vancouver, ama = citation_form("elsevier-vancouver"), citation_form("american-medical-association")
    assert (vancouver.prefix, vancouver.suffix, vancouver.superscript) == ("[", "]", False)
    assert ama.superscript and ama.locators
    assert "".join(text for text, _ in numbers_text([3, 1, 2, 5], vancouver)) == "1–3,5"
    assert "".join(text for text, _ in numbers_text([1, 2], vancouver)) == "1,2"
    form = CitationForm()
    items = next(iter(clusters("[@a; @b; @c]"))).items
    assert citation_html(items, {"a": 1, "b": 2, "c": 3}, form) == (
        '<span class="citation">[<a href="#ref-1" class="citation-link">1</a>–'
        '<a href="#ref-3" class="citation-link">3</a>]</span>')


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="[]@;, p.`ab1\n-", max_size=60))
def test_any_text_gives_citations_that_are_in_it(text):
    for cluster in clusters(text, code_spans(text)):
        assert text[cluster.start] == "[" and text[cluster.end - 1] == "]"
        for item in cluster.items:
            assert text[item.offset] == "@" and text.startswith(item.key, item.offset + 1)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="<>/ibsupcrt&;\"' ", max_size=40))
def test_safe_html_lets_no_other_tag_through(text):
    assert not re.search(r"<(?!/?(?:i|b|sup|sub)>)", safe_html(text))


# Whole cases: check, and render to HTML and PDF read back.

def _care_case(tmp_path: Path, body: str, bib: str = BIB) -> Path:
    folder = tmp_path / "care"
    shutil.copytree(CARE, folder)
    (folder / "expected.txt").unlink(missing_ok=True)
    edit(folder, "funding: This work received no external funding.\n",
         "funding: This work received no external funding.\nreferences: references.bib\n")
    edit(folder, "## Case presentation\n", f"## Case presentation\n\n{body}\n")
    (folder / "references.bib").write_text(bib, encoding="utf-8")
    return folder


ALL_CITED = ("Rare [@particles; @accents, p. 12], see [@corporate; @webpage; @inpress; @handbook] and "
             "[@chapter] [@many] but not `[@nothing]`.")


def test_check_locates_keys_and_uncited_references(tmp_path):
    folder = _care_case(tmp_path, "Rare [@acents] and [@many].")
    found = [(d.code, d.location.file.name, d.location.line, d.location.column) for d in check_case(folder).diagnostics]
    line = next(number for number, text in enumerate((folder / "case.md").read_text().split("\n"), 1)
                if text.startswith("Rare"))
    assert ("CP306", "case.md", line, 7) in found
    assert sorted(code for code, name, *_ in found if name == "references.bib") == ["CP307"] * 7
    message = next(d for d in check_case(folder).diagnostics if d.code == "CP306")
    assert "did you mean 'accents'" in message.hint


def test_citations_without_a_references_file(tmp_path):
    folder = tmp_path / "care"
    shutil.copytree(CARE, folder)
    edit(folder, "## Case presentation\n", "## Case presentation\n\nRare [@hao2019].\n")
    assert [d.code for d in check_case(folder).diagnostics] == ["CP306"]


@pytest.fixture(scope="module")
def care_build(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("refs")
    folder = _care_case(tmp, ALL_CITED)
    result = render_case(folder, tmp / "out")
    assert result.ok, result.diagnostics
    return tmp / "out" / folder.name


def test_html_lists_the_references_in_order_of_first_citation(care_build):
    tree = tinyhtml5.parse((care_build / "index.html").read_text(encoding="utf-8"), namespace_html_elements=False)
    items = tree.findall(".//ol[@class='reference-list']/li")
    assert [item.get("id") for item in items] == [f"ref-{n}" for n in range(1, 9)]
    first = "".join(items[0].itertext())
    assert first.startswith("van der Berg J, Smith J Jr., de la Cruz P III, et al.")
    sups = [("".join(sup.itertext()), [a.get("href") for a in sup.iter("a")])
            for sup in tree.iter("sup") if sup.get("class") == "citation"]
    assert sups == [("1,2(p12)", ["#ref-1", "#ref-2"]), ("3–6", ["#ref-3", "#ref-6"]), ("7", ["#ref-7"]),
                    ("8", ["#ref-8"])]
    code = [node.text for node in tree.iter("code")]
    assert "[@nothing]" in code
    metas = [meta.get("content") for meta in tree.iter("meta") if meta.get("name") == "citation_reference"]
    assert len(metas) == 8 and metas[1].startswith("François J, García M, Möller B. Vertebral MRI findings")


def test_pdf_prints_the_numbered_list(care_build):
    text = "\n".join(page.extract_text() for page in PdfReader(care_build / f"{care_build.name}.pdf").pages)
    flat = re.sub(r"\s+", " ", text)
    assert "References" in flat
    assert flat.index("van der Berg J") < flat.index("François J") < flat.index("World Health Organization")
    assert "doi:10.1016/j.spinee.2019.01.002" in flat.replace("doi: ", "doi:")
    assert not re.search(r"[{}\\$]", flat[flat.index("References"):])


def test_the_spine_journal_prints_bracketed_ranges(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(REFERENCE, folder)
    text = (folder / "case.md").read_text(encoding="utf-8")
    text = text.replace("\n---\n", "\nreferences: references.bib\n---\n", 1) if text.startswith("---\n") else text
    head, body = text.split("\n---\n", 1)
    (folder / "case.md").write_text(f"{head}\n---\n{body.replace('.', ' [@accents; @corporate; @particles].', 1)}",
                                    encoding="utf-8")
    (folder / "references.bib").write_text(BIB.split("@misc{webpage")[0], encoding="utf-8")
    result = render_case(folder, tmp_path / "out", formats=("html",))
    assert result.ok, result.diagnostics
    html = (tmp_path / "out" / "case" / "index.html").read_text(encoding="utf-8")
    assert '<span class="citation">[<a href="#ref-1" class="citation-link">1</a>–<a href="#ref-3"' in html
    assert html.count('<li id="ref-') == 3


def test_a_case_citing_every_kind_checks_clean(tmp_path):
    folder = _care_case(tmp_path, ALL_CITED)
    assert [d.code for d in check_case(folder).diagnostics] == []


PLAIN_BIB = r"""
@book{plain,
  author = {Berg, Jan},
  title = {Infections by \textit{Staphylococcus aureus} in \textsc{Mri}, \texttt{code}, \textsf{sans}, \mbox{box},
           \textup{up}, \textmd{md} and \underline{under}: see \url{https://x.org/a_b} and \href{https://y.org}{the atlas}},
  publisher = {Springer},
  year = {2020},
}
@article{broken,
  author = {Lee, Min},
  title = {Ends early \texttt},
  journal = {Acta \textit{Orthopaedica}},
  year = {2021}, volume = {3}, pages = {1--2},
}
"""


def test_latex_text_macros_print_their_text_and_italics_in_italics_print_upright(tmp_path, capfd):
    """pylatexenc drops \\texttt{..}, \\textsf, \\textup, \\textmd and \\mbox with their text and fails on \\href:
    each prints its text here. In the AMA style's italic book title, a species in italics prints upright and
    keeps its lower case (title case leaves words in italics and web addresses as written); a macro without its
    argument prints
    nothing, and nothing is written to the terminal."""
    library = _library(tmp_path, "references.bib", PLAIN_BIB)
    assert library.problems == ()
    assert library.items["plain"]["title"] == (
        "Infections by <i>Staphylococcus aureus</i> in Mri, code, sans, box, up, md and under: see https://x.org/a_b "
        "and the atlas")
    assert _formatted(library, "american-medical-association") == [
        "Berg J. <i>Infections by </i>Staphylococcus aureus<i> in Mri, Code, Sans, Box, Up, Md and Under: See "
        "https://x.org/a_b and the Atlas</i>. Springer; 2020.",
        "Lee M. Ends early. <i>Acta </i>Orthopaedica. 2021;3:1-2.",
    ]
    assert _formatted(library, "elsevier-vancouver")[1] == "Lee M. Ends early. Acta <i>Orthopaedica</i> 2021;3:1–2."
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", " b", "<i>", "</i>", "<b>", "</b>", "<sup>", "</sup>"]), max_size=14).map("".join))
def test_italics_within_italics_print_upright_and_the_markup_stays_well_formed(markup):
    from casepub.references.format import plain, upright_in_italics

    flipped = upright_in_italics(markup)
    assert plain(flipped) == plain(markup)
    stack: list[str] = []
    for closing, tag in re.findall(r"<(/?)(\w+)>", flipped):
        if closing:
            assert stack and stack.pop() == tag, flipped
        else:
            assert tag not in stack, flipped  # never <i> in <i>, <b> in <b>
            stack.append(tag)
    assert stack == []
