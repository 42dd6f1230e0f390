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
