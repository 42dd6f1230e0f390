"""One theme and one wording for every page casepub makes.

Theme: the article page, its print CSS, the issue's contents, the page-number stamps, the build index and
the build report all include theme.css (a journal's override of it) and hard-code no colour or font list.
Wording: every word casepub prints comes from the journal profile, so a journal in German is a profile
(journals/<id>.yaml with `extends:`), not a fork of the templates.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import tinyhtml5
from pypdf import PdfReader

from casepub.__main__ import main
from casepub.issue.build import build_issue
from casepub.profiles import STORE
from casepub.render import prepare_article
from casepub.render.html import article_view, environment, render_html
from casepub.resources import TEMPLATES
from conftest import FIXTURES, REFERENCE, edit

SPINE_ACCENT = "#005a8b"   # templates/the-spine-journal/theme.css
BASE_ACCENT = "#00558c"    # templates/base/theme.css
THEME_PROPERTIES = ("--text", "--muted", "--accent", "--serif", "--sans")


def tree_of(html: str):
    return tinyhtml5.parse(html, namespace_html_elements=False)


def styles(html: str) -> str:
    return "\n".join("".join(style.itertext()) for style in tree_of(html).iter("style"))


def custom_properties(css: str) -> dict[str, str]:
    """Each custom property's value, the last definition winning (as in the cascade, for :root rules)."""
    return {name: value.strip() for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;{}]+);", css)}


def manifest(folder: Path, journal: str, cases: list[str]) -> Path:
    path = folder / "issue.yaml"
    path.write_text(f"journal: {journal}\nvolume: 26\nissue: 12\ndate: 2026-12-01\nfirst-page: 1\narticles:\n"
                    + "".join(f"  - case: {case}\n" for case in cases))
    return path


# --- the theme -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """Every kind of page casepub makes, for the reference case (The Spine Journal), as rendered."""
    root = tmp_path_factory.mktemp("theme")
    cases = root / "cases"
    shutil.copytree(REFERENCE, cases / "t12")
    shutil.copytree(REFERENCE, cases / "broken")
    edit(cases / "broken", "(Figure F)", "(Figure G)")
    assert main(["build", str(cases), "-o", str(root / "build"), "--to", "html"]) == 1
    build = build_issue(manifest(cases, "the-spine-journal", ["t12"]), out=root / "issue", jobs=1)
    assert build.ok, build.outcomes
    prepared = prepare_article(cases / "t12", root / "print")
    view = article_view(prepared.case, prepared.profile, prepared.panels, "t12.pdf")
    stamp = environment("the-spine-journal").get_template("stamp.html.j2").render(  # as casepub/issue/work.py
        profile=prepared.profile, footer="Spine J 26 (2026) 1", first_page=1, pages=1)
    return {
        "article": (root / "build" / "t12" / "index.html").read_text(encoding="utf-8"),
        "print": render_html(view, for_print=True),
        "contents": (root / "issue" / "index.html").read_text(encoding="utf-8"),
        "stamp": stamp,
        "index": (root / "build" / "index.html").read_text(encoding="utf-8"),
        "report": (root / "issue" / "report.html").read_text(encoding="utf-8"),
    }


@pytest.mark.parametrize("page", ["article", "print", "contents", "stamp", "index", "report"])
def test_every_page_includes_the_journals_theme(pages, page):
    css = styles(pages[page])
    properties = custom_properties(css)
    assert set(THEME_PROPERTIES) <= set(properties), page
    assert properties["--accent"] == SPINE_ACCENT  # the journal's override, over the base theme
    assert "var(--" in css


def test_the_print_css_uses_the_theme(pages):
    tree = tree_of(pages["print"])
    print_css = "".join(list(tree.iter("style"))[-1].itertext())
    assert "@page" in print_css and "var(--sans)" in print_css and "var(--muted)" in print_css


def test_a_journal_without_its_own_theme_has_the_base_theme(tmp_path):
    shutil.copytree(FIXTURES / "valid" / "care-case-report", tmp_path / "care")
    prepared = prepare_article(tmp_path / "care", tmp_path / "out")
    view = article_view(prepared.case, prepared.profile, prepared.panels, "care.pdf")
    assert custom_properties(styles(render_html(view)))["--accent"] == BASE_ACCENT


HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
COLOUR_FUNCTION = re.compile(r"\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(", re.IGNORECASE)
NAMED_COLOUR = re.compile(r"\b(?:white|black|red|green|blue|gr[ae]y|silver|navy|maroon|teal|olive|purple|"
                          r"orange|yellow|aqua|fuchsia|lime)\b", re.IGNORECASE)
DECLARATION = re.compile(r"([\w-]+)\s*:\s*([^;{}]+)")
COLOURED = ("color", "background", "border", "outline", "box-shadow", "text-shadow", "text-decoration")


def hard_coded(css: str) -> list[str]:
    """Colours and font lists written in CSS instead of taken from the theme's custom properties."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", css, flags=re.DOTALL)  # Jinja: the profile's values
    found = []
    for name, value in DECLARATION.findall(css):
        value = value.strip()
        colour = HEX.search(value) or COLOUR_FUNCTION.search(value)
        font_list = name in ("font-family", "font") and "var(--" not in value and value != "inherit"
        named = name.endswith("color") or name.startswith(COLOURED)
        if not name.startswith("--") and (colour or font_list or (named and NAMED_COLOUR.search(value))):
            found.append(f"{name}: {value}")
    return found


def css_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":
        return text
    return "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", text, flags=re.DOTALL | re.IGNORECASE))


def test_the_theme_check_finds_hard_coded_colours_and_fonts():
    css = ('.a { color: #fff; } .b { background: rgba(0, 0, 0, 0.5); } .c { font-family: Georgia, serif; } '
           '.d { border-bottom: 1px solid gray; } .e { color: var(--text); font-family: var(--sans); }')
    assert hard_coded(css) == ["color: #fff", "background: rgba(0, 0, 0, 0.5)", "font-family: Georgia, serif",
                               "border-bottom: 1px solid gray"]


def test_no_template_hard_codes_a_colour_or_a_font_list_outside_theme_css():
    templates = [path for path in TEMPLATES.rglob("*") if path.suffix in (".css", ".j2")]
    assert {"article.css", "print.css", "toc.html.j2", "stamp.html.j2", "index.html.j2",
            "report.html.j2", "journal.css"} <= {path.name for path in templates}
    found = {str(path.relative_to(TEMPLATES)): hard_coded(css_of(path))
             for path in templates if path.name != "theme.css"}
    assert {name: problems for name, problems in found.items() if problems} == {}
    for theme in TEMPLATES.rglob("theme.css"):
        assert "var(--" not in custom_properties(theme.read_text()).get("--accent", "var(--")


# --- the wording: a journal in German is a profile -------------------------------------------------------------

GERMAN = """\
extends: the-spine-journal
id: wirbelsaeule
name: Zeitschrift für Wirbelsäulenchirurgie
short-name: Z Wirbelsäule
lang: de
article-types:
  images-of-spine-care:
    name: Bilder aus der Wirbelsäulenchirurgie
    label: BILDER AUS DER WIRBELSÄULENCHIRURGIE
wording:
  fda-status-label: FDA-Zulassungsstatus
  fda-status:
    not-applicable: Nicht zutreffend.
    approved: "Für diese Indikation zugelassen ({products})."
    off-label: "Für diese Indikation nicht zugelassen ({products})."
    investigational: "In Erprobung, nicht zugelassen ({products})."
  disclosures-label: Interessenkonflikte der Autoren
  equal-contribution: "{names} haben zu gleichen Teilen beigetragen."
  running-footer: "{journal} {volume} ({year}) {pages}"
  corresponding-author: Korrespondenzautor
  email: E-Mail
  abstract: Zusammenfassung
  keywords: Schlüsselwörter
  authors: Autoren
  statements: Erklärungen
  contents: Inhalt
  issue-line: "Band {volume}, Heft {issue}, {month} {year}"
  months: [Januar, Februar, März, April, Mai, Juni, Juli, August, September, Oktober, November, Dezember]
  figure: Abbildung
  figures: Abbildungen
  and: und
  pdf: PDF
  page-count: ["{n} Seite", "{n} Seiten"]
  error-count: ["{n} Fehler", "{n} Fehler"]
  not-rendered: nicht gesetzt
  first-error: Erster Fehler
  all-diagnostics: Alle Meldungen
  report-title: "Build-Bericht: {issue}"
  report-summary: "{articles} Artikel: {ok} gebaut, {failed} fehlgeschlagen; {rendered} gesetzt, {cached} alt; {seconds} s."
  report-manifest: Heftbeschreibung
  report-columns: ["#", Fall, Stand, Seiten, Zeit, Meldungen]
  report-status: {ok: fertig, failed: fehlgeschlagen, cached: zwischengespeichert}
"""

GERMAN_BODY = """
Eine 70-jährige Frau klagte nach einem Verkehrsunfall über starke Rückenschmerzen; die Magnetresonanztomographie
zeigte eine Kompressionsfraktur von T12 (Figure A). Nach der beidseitigen Vertebroplastie (Figure B,C) war sie
schmerzfrei. Am 86. Tag kam es zum Einbruch des Wirbelkörpers (Figure D) mit einem Vakuumspalt in der
Computertomographie (Figure E) und in der Magnetresonanztomographie (Figure F). Sie lehnte eine weitere
Behandlung ab.
"""

# What casepub would print in English: none of it may show in the German pages. (The case's own text may
# say "Figure A": citations are the author's words; the caption's label is casepub's.)
ENGLISH = ["Abstract", "Keywords", "Corresponding author", "E-mail address", "Figure.", "FDA device/drug status",
           "Not applicable", "Author disclosures", "contributed equally", "Contents", "Volume", "Issue", "December",
           "not rendered", "page", "error", "First error", "All diagnostics", "Build report", "articles:", "built",
           "from the cache", "Manifest", "diagnostics"]


def german_case(folder: Path) -> None:
    shutil.copytree(REFERENCE, folder)
    text = (folder / "case.md").read_text(encoding="utf-8")
    front, _body = text.split("\n---\n", 1)
    front = front.replace("journal: the-spine-journal", "journal: wirbelsaeule\nlang: de\ndate: 2026-12-01\n"
                          "abstract: Eine Osteonekrose nach Vertebroplastie.\nkeywords: [Osteonekrose, Vertebroplastie]")
    front = front.replace("    affiliations: [spine]\n    disclosure: Nothing to disclose.\n  - name: Kun Duan",
                          "    affiliations: [spine]\n    corresponding: true\n    email: wentao.wang@example.org\n"
                          "    disclosure: Nothing to disclose.\n  - name: Kun Duan", 1)
    (folder / "case.md").write_text(front + "\n---\n" + GERMAN_BODY, encoding="utf-8")


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> Path:
    """cases/ with journals/wirbelsaeule.yaml, a German case, a broken one, and an issue of the German case:
    build/ is `casepub build cases/`, issue/ the issue build."""
    root = tmp_path_factory.mktemp("german")
    cases = root / "cases"
    (cases / "journals").mkdir(parents=True)
    (cases / "journals" / "wirbelsaeule.yaml").write_text(GERMAN, encoding="utf-8")
    german_case(cases / "fall")
    german_case(cases / "kaputt")
    edit(cases / "kaputt", "(Figure F)", "(Figure G)")
    assert main(["build", str(cases), "-o", str(root / "build")]) == 1
    build = build_issue(manifest(cases, "wirbelsaeule", ["fall"]), out=root / "issue", jobs=1)
    assert build.ok, [o.diagnostics for o in build.outcomes]
    return root


def visible_text(html: Path, leave_out: tuple[str, ...] = ()) -> str:
    """The page's text and its aria-labels, the links of figure citations (the case's own words) and the
    elements `leave_out` left out."""
    tree = tree_of(html.read_text(encoding="utf-8"))
    for parent in tree.iter():
        for child in list(parent):
            if child.tag in ("style", "script", *leave_out) or "xref" in (child.get("class") or ""):
                child.text = ""
                for grandchild in list(child):
                    child.remove(grandchild)
    labels = " ".join(element.get("aria-label") for element in tree.iter() if element.get("aria-label"))
    return " ".join(("".join(tree.itertext()) + " " + labels).split())


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if re.search(rf"(?<!\w){re.escape(word)}", text)]


def test_the_profile_is_german(german):
    profile = STORE.get("wirbelsaeule", german / "cases").profile
    assert profile.wording.months[11] == "Dezember" and profile.template == "the-spine-journal"


def test_the_article_page_speaks_the_profiles_language(german):
    html = german / "build" / "fall" / "index.html"
    tree = tree_of(html.read_text(encoding="utf-8"))
    assert tree.get("lang") == "de"
    assert tree.find(".//h2[@id='abstract-heading']").text == "Zusammenfassung"
    assert "".join(tree.find(".//p[@class='keywords']").itertext()) == "Schlüsselwörter: Osteonekrose; Vertebroplastie"
    assert "".join(tree.find(".//figcaption[@class='caption']/b").itertext()) == "Abbildung."
    note = " ".join("".join(tree.find(".//div[@class='corresponding']").itertext()).split())
    assert note.startswith("Korrespondenzautor: Wentao Wang, Department of Spine Surgery")
    assert note.endswith("E-Mail: wentao.wang@example.org")
    text = visible_text(html)
    for words in ("FDA-Zulassungsstatus: Nicht zutreffend.", "Interessenkonflikte der Autoren: WW:",
                  "Dingjun Hao und Jijun Liu haben zu gleichen Teilen beigetragen.", "Autoren", "Erklärungen"):
        assert words in text
    assert english_in(text) == []


def test_the_article_pdf_speaks_the_profiles_language(german):
    reader = PdfReader(german / "build" / "fall" / "fall.pdf")
    assert len(reader.pages) == 1
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for words in ("Zusammenfassung", "Abbildung. (A)", "Korrespondenzautor: Wentao Wang", "E-Mail:",
                  "FDA-Zulassungsstatus: Nicht zutreffend.", "BILDER AUS DER WIRBELSÄULENCHIRURGIE"):
        assert words in text
    assert english_in(re.sub(r"\(Figures? [A-Z,]+\)", "", text)) == []


def test_the_contents_and_the_issue_pdf_speak_the_profiles_language(german):
    contents = german / "issue" / "index.html"
    tree = tree_of(contents.read_text(encoding="utf-8"))
    assert tree.get("lang") == "de"
    assert tree.find(".//p[@class='issue-line']").text == "Band 26, Heft 12, Dezember 2026"
    assert tree.find(".//main/h2").text == "Inhalt" and tree.find(".//title").text.endswith(": Inhalt")
    assert english_in(visible_text(contents)) == []
    issue_pdf = PdfReader(german / "issue" / "issue.pdf")
    assert issue_pdf.metadata.subject == "Band 26, Heft 12, Dezember 2026"
    assert issue_pdf.outline[0].title == "Inhalt"
    assert "Dezember 2026" in issue_pdf.pages[0].extract_text()


def test_the_report_speaks_the_profiles_language(german):
    report = german / "issue" / "report.html"
    tree = tree_of(report.read_text(encoding="utf-8"))
    assert tree.get("lang") == "de" and tree.find(".//h1").text == "Build-Bericht: issue"
    assert [th.text for th in tree.iter("th")] == ["#", "Fall", "Stand", "Seiten", "Zeit", "Meldungen", "JATS"]
    text = visible_text(report)
    assert "1 Artikel: 1 gebaut, 0 fehlgeschlagen" in text and "fertig" in text
    assert english_in(text) == []
    assert custom_properties(styles(report.read_text(encoding="utf-8")))["--accent"] == SPINE_ACCENT


def test_the_build_index_speaks_the_profiles_language(german):
    index = german / "build" / "index.html"
    tree = tree_of(index.read_text(encoding="utf-8"))
    assert tree.get("lang") == "de"
    text = visible_text(index)
    assert "kaputt: nicht gesetzt (2 Fehler) Erster Fehler:" in text and "Alle Meldungen: casepub check" in text
    assert "(PDF, 1 Seite)" in text
    assert "error CP053" in tree.find(".//pre").text  # the diagnostic as the command line prints it, in English
    text = visible_text(index, leave_out=("pre", "title", "h1"))  # the title is the command's (casepub/__main__.py)
    assert english_in(text) == []


def test_no_template_formats_a_month_with_the_locale():
    for path in TEMPLATES.rglob("*"):
        if path.suffix in (".j2", ".css"):
            assert "strftime" not in path.read_text(encoding="utf-8"), path
