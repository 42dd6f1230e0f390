"""The table of diagnostic codes: every code casepub reports is defined there once, documented, and explained."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from casepub.checks import RULES
from casepub.codes import CODES, Stage, as_markdown, lookup
from casepub.diagnostics import Diagnostic, Location, format_key_path, parse_key_path
from conftest import ROOT


def test_docs_diagnostics_is_generated_from_the_table():
    written = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert written == as_markdown(), "run: .venv/bin/python scripts/make_diagnostics_doc.py"


def test_every_code_in_the_source_is_in_the_table_and_every_entry_is_complete():
    used = {code for path in (ROOT / "casepub").rglob("*.py") if path.name != "codes.py"
            for code in re.findall(r'"(CP\d{3})"', path.read_text(encoding="utf-8"))}
    assert used - set(CODES) == set()
    for entry in CODES.values():
        assert entry.summary and entry.example and entry.fix, entry.code


def test_the_registered_rules_are_the_rule_entries():
    assert {rule.code for rule in RULES.values()} == {c for c, e in CODES.items() if e.stage is Stage.RULE}
    assert all(RULES[name].severity is CODES[RULES[name].code].severity for name in RULES)


def test_a_diagnostic_of_an_unknown_code_cannot_be_made():
    with pytest.raises(ValueError, match="unknown diagnostic code"):
        Diagnostic("CP123", "x", Location(Path("case.md")))


def test_lookup_by_code_or_name():
    assert lookup("CP021") is lookup("cp21") is lookup("author-disclosure") is CODES["CP021"]
    assert lookup("nothing") is None


@pytest.mark.parametrize("path", [(), ("title",), ("authors", 1, "disclosure"), ("figures", 0, "caption", "B-C"),
                                  ("figures", 0, "caption", "a.b"), ("x", "[weird]", 'q"uote', ""), ("2", 2)])
def test_diagnostics_round_trip_through_json(path):
    diagnostic = Diagnostic("CP021", "message", Location(Path("/c/case.md"), 3, 4, path), "hint")
    assert parse_key_path(format_key_path(path)) == path
    assert Diagnostic.from_json(diagnostic.to_json()) == diagnostic


@pytest.mark.parametrize("code", sorted(CODES))
def test_explain_prints_each_code(code, capsys):
    from casepub.__main__ import main

    assert main(["explain", code]) == 0
    out = capsys.readouterr().out
    entry = CODES[code]
    assert out.startswith(f"{code} {entry.name} ({entry.severity.value}, {entry.stage.value})")
    assert entry.summary in out and f"Fix: {entry.fix}" in out
