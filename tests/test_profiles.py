"""Journal profiles are data: built-in ones load; journals/<id>.yaml overrides or adds; rules switch."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casepub import check_case
from casepub.profiles import BUILTIN, ProfileStore
from conftest import REFERENCE, edit


@pytest.mark.parametrize("journal", sorted(p.stem for p in BUILTIN.glob("*.yaml")))
def test_builtin_profiles_are_valid(journal):
    resolved = ProfileStore().get(journal)
    assert resolved.profile is not None, resolved.diagnostics
    assert resolved.profile.id == journal


def test_every_rule_named_in_a_builtin_profile_exists():
    from casepub.checks import RULES

    names = set(RULES) | {r.code for r in RULES.values()}
    for journal in (p.stem for p in BUILTIN.glob("*.yaml")):
        profile = ProfileStore().get(journal).profile
        tables = [profile.rules] + [a.rules for a in profile.article_types.values()]
        assert {name for table in tables for name in table} <= names


def cases_with_local_profile(tmp_path: Path, yaml: str, name: str = "the-spine-journal") -> Path:
    shutil.copytree(REFERENCE, tmp_path / "cases" / "ref")
    (tmp_path / "cases" / "journals").mkdir()
    (tmp_path / "cases" / "journals" / f"{name}.yaml").write_text(yaml)
    return tmp_path / "cases" / "ref"


def test_local_override_is_merged_over_the_builtin_profile(tmp_path):
    folder = cases_with_local_profile(tmp_path, "article-types:\n  images-of-spine-care:\n    limits:\n      words: 100\n")
    [error] = check_case(folder, ProfileStore()).errors
    assert error.code == "CP070" and "allows at most 100" in error.message
    assert error.message.startswith("the text has 174 words")  # wc -w of the body


def test_a_rule_can_be_switched_off_or_made_a_warning(tmp_path):
    folder = cases_with_local_profile(tmp_path, "rules:\n  author-disclosure: warning\n  panel-cited: off\n")
    edit(folder, "    affiliations: [surgery]\n    disclosure: Nothing to disclose.\n", "    affiliations: [surgery]\n")
    edit(folder, "(Figure F)", "")
    checked = check_case(folder, ProfileStore())
    assert not checked.errors
    assert [(d.code, d.severity.value) for d in checked.warnings] == [("CP021", "warning")]


def test_a_new_journal_extends_a_builtin_one(tmp_path):
    folder = cases_with_local_profile(
        tmp_path, "extends: care\nid: spine-care-local\nname: Local Spine Care\n"
                  "article-types:\n  images-of-spine-care:\n    name: Images\n    label: IMAGES\n"
                  "    required: [title]\n", name="spine-care-local")
    edit(folder, "journal: the-spine-journal", "journal: spine-care-local")
    checked = check_case(folder, ProfileStore())
    assert checked.profile.id == "spine-care-local"
    assert set(checked.profile.article_types) == {"case-report", "images-of-spine-care"}
    assert checked.profile.labels.affiliations == "numeric"  # from care
    assert not checked.errors


def test_a_broken_profile_is_reported_at_its_own_line(tmp_path):
    folder = cases_with_local_profile(
        tmp_path, "labels:\n  affiliations: roman\narticle-types:\n  images-of-spine-care:\n    required: [titel]\n")
    errors = check_case(folder, ProfileStore()).errors
    assert [(e.code, e.location.file.name, e.location.line) for e in errors] == [
        ("CP090", "the-spine-journal.yaml", 2), ("CP090", "the-spine-journal.yaml", 5)]
    assert "alpha, numeric, symbols" in errors[0].message
    assert "did you mean 'title'" in errors[1].message


def test_profiles_are_loaded_once_per_process(tmp_path):
    store = ProfileStore()
    first = store.get("the-spine-journal", tmp_path)
    assert store.get("the-spine-journal", tmp_path) is first


def test_unknown_rules_options_and_article_types_are_reported_with_a_suggestion(tmp_path):
    folder = cases_with_local_profile(
        tmp_path, "rules:\n  panel-citd: off\n  abbreviation-defined:\n    knwon: [VAS]\n"
                  "article-types:\n  images-of-spine-car:\n    limits:\n      words: 100\n"
                  "  images-of-spine-care:\n    rules:\n      CP999: off\n")
    checked = check_case(folder, ProfileStore())
    assert checked.case is not None and checked.profile is None  # nothing is checked, or built, with it
    assert [(e.code, e.location.line, e.message) for e in checked.errors] == [
        ("CP090", 2, "journal profile: unknown rule 'panel-citd'"),
        ("CP090", 4, "journal profile: rule 'abbreviation-defined' has no option 'knwon'"),
        ("CP090", 6, "journal profile: unknown article type 'images-of-spine-car'"),
        ("CP090", 11, "journal profile: unknown rule 'CP999'")]
    hints = [e.hint for e in checked.errors]
    assert hints[0].startswith("did you mean 'panel-cited'?")
    assert hints[1].startswith("did you mean 'known'?")
    assert hints[2].startswith("did you mean 'images-of-spine-care'?")


def test_rules_are_named_by_name_or_code_in_profiles(tmp_path):
    folder = cases_with_local_profile(tmp_path, "rules:\n  CP053: warning\n  author-degrees: off\n")
    checked = check_case(folder, ProfileStore())
    assert checked.profile is not None and not checked.errors


@pytest.mark.parametrize("journal", ["../../etc/passwd", "x" * 5000, "a/b", ".hidden", "the-spine-journal.yaml"])
def test_a_journal_that_cannot_be_a_profile_name_is_unknown_and_opens_nothing(tmp_path, journal):
    folder = cases_with_local_profile(tmp_path, "rules: {}\n")
    edit(folder, "journal: the-spine-journal", f"journal: {journal!r}".replace("'", '"'))
    [error] = check_case(folder, ProfileStore()).errors
    assert error.code == "CP015" and error.location.line == 2


def test_an_unknown_key_inside_a_named_article_type_gets_a_suggestion(tmp_path):
    folder = cases_with_local_profile(tmp_path, "article-types:\n  images-of-spine-care:\n    limts:\n      words: 100\n")
    [error] = check_case(folder, ProfileStore()).errors
    assert (error.code, error.location.line, error.message) == ("CP090", 3, "journal profile: unknown key 'limts'")
    assert error.hint.startswith("did you mean 'limits'?")


def test_keys_are_suggested_through_mappings_and_lists_of_models():
    from casepub.load.validate import _keys_at
    from casepub.model import FrontMatter
    from casepub.profiles import Profile

    assert "words" in _keys_at(Profile, ("article-types", "any-name", "limits"))
    assert "label" in _keys_at(Profile, ("article-types", "any-name"))
    assert "alt" in _keys_at(FrontMatter, ("figures", 0, "panels", 1))
    assert "status" in _keys_at(FrontMatter, ("fda-status",))
    assert _keys_at(FrontMatter, ("authors", "not-an-index")) == []


@pytest.mark.parametrize("yaml, line, word, guess", [
    ("template: the-spine-jurnal\n", 1, "the-spine-jurnal", "the-spine-journal"),
    ("article-types:\n  images-of-spine-care:\n    template: bse\n", 3, "bse", "base"),
])
def test_a_template_folder_casepub_lacks_is_reported(tmp_path, yaml, line, word, guess):
    folder = cases_with_local_profile(tmp_path, yaml)
    [error] = check_case(folder, ProfileStore()).errors
    assert (error.code, error.location.line) == ("CP090", line)
    assert error.message == f"journal profile: unknown template folder {word!r}"
    assert error.hint.startswith(f"did you mean {guess!r}? casepub's template folders: base, the-spine-journal")


def test_a_profile_may_name_any_of_casepubs_template_folders(tmp_path):
    folder = cases_with_local_profile(tmp_path, "template: base\narticle-types:\n  images-of-spine-care:\n"
                                                "    template: the-spine-journal\n")
    checked = check_case(folder, ProfileStore())
    assert checked.profile is not None and checked.profile.template == "base" and not checked.errors


def test_extending_no_profile_is_one_error_not_three_missing_keys(tmp_path):
    folder = cases_with_local_profile(tmp_path, "extends: the-spine-jurnal\nid: local\nname: Local\n", name="local")
    edit(folder, "journal: the-spine-journal", "journal: local")
    [error] = check_case(folder, ProfileStore()).errors
    assert (error.code, error.location.file.name, error.location.line, error.location.column) == (
        "CP090", "local.yaml", 1, 10)
    assert error.message == ("journal profile: extends 'the-spine-jurnal', which is no profile "
                             "(available: care, the-spine-journal)")
    assert error.hint.startswith("did you mean 'the-spine-journal'?")


@pytest.mark.parametrize("yaml, line, message", [
    ("extends: care\nid: spine-care\nname: Local\n", 2,
     "journal profile: the id 'spine-care' is not the file's name 'local'"),
    ("extends: care\nname: Local\n", 1,  # the id would be care's
     "journal profile: local.yaml has no id of its own (it would be 'care', from the profile it extends)"),
])
def test_a_local_profiles_id_is_its_file_name(tmp_path, yaml, line, message):
    folder = cases_with_local_profile(tmp_path, yaml, name="local")
    edit(folder, "journal: the-spine-journal", "journal: local")
    [error] = check_case(folder, ProfileStore()).errors
    assert (error.code, error.location.file.name, error.location.line, error.message) == (
        "CP090", "local.yaml", line, message)
    assert error.hint.startswith("write `id: local` in local.yaml")


def test_an_override_may_repeat_its_id(tmp_path):
    folder = cases_with_local_profile(tmp_path, "id: the-spine-journal\n")
    assert not check_case(folder, ProfileStore()).errors


def test_an_unknown_wording_placeholder_is_reported_where_it_is_written(tmp_path):
    folder = cases_with_local_profile(
        tmp_path, 'wording:\n  fda-status:\n    approved: "Approved ({product})."\n'
                  '  contents: "Contents of {issue}"\n  page-count: ["{n} page", "{count} pages"]\n'
                  '  running-footer: "{journal} {volume ({year}) {pages}"\n  running-foter: "{journal}"\n')
    errors = check_case(folder, ProfileStore()).errors
    assert [(e.code, e.location.line, e.message) for e in errors] == [
        ("CP090", 3, "journal profile: unknown placeholder {product} in wording fda-status.approved"),
        ("CP090", 4, "journal profile: unknown placeholder {issue} in wording contents"),
        ("CP090", 5, "journal profile: unknown placeholder {count} in wording page-count[1]"),
        ("CP090", 6, "journal profile: wording running-footer cannot be filled: unexpected '{' in field name"),
        ("CP090", 7, "journal profile: unknown key 'running-foter'")]  # not also its placeholder
    assert errors[0].hint == "did you mean {products}? fda-status takes: {products}"
    assert errors[1].hint == "contents takes no placeholders; remove the braces"
    assert errors[2].hint == "page-count takes: {n}"


def test_the_wording_placeholders_are_those_casepub_fills():
    """Wording.PLACEHOLDERS lists, for each wording, the names its callers fill: kept equal to the templates'
    `| fill(...)` and `| dated(...)` calls, the Python callers, and the defaults' own placeholders."""
    import re

    from casepub.profiles import Wording
    from casepub.render.html import fill
    from casepub.resources import TEMPLATES
    from conftest import ROOT

    known = {key.replace("-", "_"): set(names) for key, names in Wording.PLACEHOLDERS.items()}
    sources = "\n".join(path.read_text(encoding="utf-8")
                         for path in [*TEMPLATES.rglob("*.j2"), *(ROOT / "casepub").rglob("*.py")])
    calls = [(m["name"], m["how"], m["arguments"]) for pattern in (
        r"wording\.(?P<name>\w+) \| (?P<how>fill|dated)\((?P<arguments>[^)]*)\)",            # {{ wording.x | fill(n=1) }}
        r"(?P<how>fill|dated)\([\w.]*wording\.(?P<name>\w+),(?P<arguments>[^)]*)\)",        # dated(profile.wording.x, ...)
        r"wording\.(?P<name>\w+)\.(?P<how>format)\((?P<arguments>[^)]*)\)",                 # wording.x.format(n=1)
        r"wording\.(?P<name>\w+) \| (?P<how>replace)\(\"\{(?P<arguments>\w+)\}\"",          # wording.x | replace("{n}"
    ) for m in re.finditer(pattern, sources)]
    assert {name for name, _, _ in calls} == {"issue_line", "build_title", "report_title", "report_summary",
                                              "running_footer", "equal_contribution", "date_format",
                                              "copyright_line", "license_line", "consent_waived", "draft_note", "blinded_author",
                                              "care_page_title", "care_text_title", "care_found", "care_unsure",
                                              "care_not_found", "care_line", "care_page", "care_section", "care_key",
                                              "care_pages_from", "care_text_missing", "care_text_summary",
                                              "care_legend", "care_no_pages", "care_source", "care_no_pdf",
                                              "care_old_pdf", "care_likely_in", "care_keyword_count", "care_waived",
                                              "care_add_key", "care_add_section"}
    for name, how, arguments in calls:
        given = (set(re.findall(r"(\w+)=", arguments)) if how != "replace" else {arguments}) | (
            {"month", "year", "day"} if how == "dated" else set())
        assert given == known[name], name
    for name, field in Wording.model_fields.items():
        default = field.default
        texts = list(default.values()) if isinstance(default, dict) else (
            list(default) if isinstance(default, tuple) else [default])
        for text in texts:
            names = set(re.findall(r"\{(\w+)\}", text))
            assert names <= known.get(name, set()), name
            assert "{" not in fill(text, **dict.fromkeys(known.get(name, ()), "x")), name


# Sections (issue 10, item 4): required by name or a synonym, recommended ones a warning, numbered as the profile says

CARE_CASE = Path(__file__).resolve().parent / "cases" / "valid" / "care-case-report"


def care_with_local_profile(tmp_path: Path, yaml: str | None = None) -> Path:
    shutil.copytree(CARE_CASE, tmp_path / "cases" / "care-case")
    if yaml is not None:
        (tmp_path / "cases" / "journals").mkdir()
        (tmp_path / "cases" / "journals" / "care.yaml").write_text(yaml)
    return tmp_path / "cases" / "care-case"


def _section_findings(folder: Path) -> list[tuple[str, str, str]]:
    return [(d.code, d.severity.value, d.message) for d in check_case(folder, ProfileStore()).diagnostics
            if d.code in ("CP078", "CP329")]


def test_sections_are_found_by_their_synonyms(tmp_path):
    folder = care_with_local_profile(tmp_path)
    for old, new in [("## Introduction", "## Background"), ("## Case presentation", "## 2. Case report"),
                     ("## Conclusion", "## CONCLUSIONS"), ("## Patient perspective", "## Patient\u2019s  perspective")]:
        edit(folder, old, new)
    assert _section_findings(folder) == []


def test_a_missing_required_section_is_an_error_naming_its_synonyms(tmp_path):
    folder = care_with_local_profile(tmp_path)
    edit(folder, "## Case presentation\n", "## Case history\n")
    assert _section_findings(folder) == [
        ("CP078", "error", "the section 'Case presentation' (or 'Case report', 'Case description') is missing; "
                           "Case report has: Introduction, Case presentation, Discussion, Conclusion")]


def test_a_missing_recommended_section_is_a_warning(tmp_path):
    folder = care_with_local_profile(tmp_path)
    edit(folder, "## Patient perspective\n", "")
    checked = check_case(folder, ProfileStore())
    assert not checked.errors
    assert _section_findings(folder) == [
        ("CP329", "warning", "the section 'Patient perspective' (or \"Patient's perspective\") is missing; "
                             "Case report recommends it")]


def test_sections_out_of_order_are_reported_with_their_synonyms(tmp_path):
    folder = care_with_local_profile(tmp_path)
    edit(folder, "## Discussion\n\nIt matters.\n\n## Conclusion\n\nFollow patients after vertebroplasty.\n",
         "## Conclusions\n\nFollow patients after vertebroplasty.\n\n## Discussion\n\nIt matters.\n")
    [(code, severity, message)] = _section_findings(folder)
    assert (code, severity) == ("CP078", "error")
    assert message.startswith("the section 'Conclusion' is out of order")


def test_a_profile_may_still_list_sections_by_name(tmp_path):
    folder = care_with_local_profile(tmp_path, "article-types:\n  case-report:\n    sections: [Introduction, Methods]\n")
    assert _section_findings(folder) == [
        ("CP078", "error", "the section 'Methods' is missing; Case report has: Introduction, Methods")]


@pytest.mark.parametrize(("yaml", "line", "words"), [
    ("article-types:\n  case-report:\n    sections:\n      - {name: Introduction, synonym: [Background]}\n", 4,
     "synonym"),
    ("article-types:\n  case-report:\n    sections:\n      - {name: Introduction, synonyms: [Background]}\n"
     "      - {name: Background}\n", 4, "the heading 'Background' is given for two sections"),
    ("article-types:\n  case-report:\n    numbered-sections: sometimes\n", 3, "numbered-sections"),
])
def test_a_broken_sections_setting_is_a_profile_error_at_its_line(tmp_path, yaml, line, words):
    folder = care_with_local_profile(tmp_path, yaml)
    errors = check_case(folder, ProfileStore()).errors
    assert [(e.code, e.location.file.name, e.location.line) for e in errors] == [("CP090", "care.yaml", line)]
    assert words in errors[0].message


@pytest.mark.parametrize("yaml", ["numbered-sections: true\n",
                                  "article-types:\n  case-report:\n    numbered-sections: true\n"])
def test_numbered_sections_print_their_numbers(tmp_path, yaml):
    from pypdf import PdfReader

    from casepub.render import render_case

    folder = care_with_local_profile(tmp_path, yaml)
    result = render_case(folder, tmp_path / "out", profiles=ProfileStore())
    assert result.ok, result.diagnostics
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(result.outputs["pdf"]).pages).split())
    for heading in ("1. Introduction", "2. Case presentation", "3. Discussion", "4. Conclusion",
                    "5. Patient perspective"):
        assert heading in text
    assert "1. Abstract" not in text and "Abstract" in text  # only the body's sections are numbered
    assert 'class="article-body numbered-sections"' in result.outputs["html"].read_text(encoding="utf-8")


def test_sections_are_not_numbered_unless_the_profile_says_so(tmp_path):
    from pypdf import PdfReader

    from casepub.render import render_case

    folder = care_with_local_profile(tmp_path)
    result = render_case(folder, tmp_path / "out", profiles=ProfileStore())
    assert result.ok, result.diagnostics
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(result.outputs["pdf"]).pages).split())
    assert "Introduction" in text and "1. Introduction" not in text
