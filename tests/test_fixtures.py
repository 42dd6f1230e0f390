"""Fixture cases as data (black's tests/data/cases): every folder below tests/cases/valid and
tests/cases/invalid is checked, and what a user would read is compared with its expected.txt.

To write the expected files after a deliberate change: CASEPUB_UPDATE_FIXTURES=1 pytest tests/test_fixtures.py
and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from casepub import check_case
from conftest import FIXTURES, formatted

UPDATE = os.environ.get("CASEPUB_UPDATE_FIXTURES") == "1"


def _cases(kind: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / kind).iterdir() if (p / "case.md").exists())


def _compare(folder: Path, actual: str) -> None:
    expected_file = folder / "expected.txt"
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"{folder.name} has no expected.txt"
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", _cases("valid"), ids=lambda p: p.name)
def test_valid_case_has_no_errors(folder: Path):
    checked = check_case(folder)
    assert checked.case is not None
    assert not checked.errors, formatted(checked.errors, folder)
    _compare(folder, formatted(checked.warnings, folder))


@pytest.mark.parametrize("folder", _cases("invalid"), ids=lambda p: p.name)
def test_invalid_case_reports_exactly_the_expected_diagnostics(folder: Path):
    checked = check_case(folder, blind=folder.name.startswith("blind-"))  # blind-*: checked for a review copy
    assert checked.diagnostics, "an invalid fixture must have at least one diagnostic"
    _compare(folder, formatted(checked.diagnostics, folder))


def test_every_code_a_check_can_report_has_a_fixture():
    """A code that no fixture shows is a rule nobody has seen fire: each needs an expected.txt that has it."""
    from casepub.codes import CODES, Stage

    shown = {line.split()[2] for path in FIXTURES.glob("*/*/expected.txt")
             for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith(" ")}
    reportable = {code for code, entry in CODES.items() if entry.stage in (Stage.READ, Stage.RULE)}
    assert sorted(reportable - shown) == []
