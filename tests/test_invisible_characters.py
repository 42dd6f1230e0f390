"""Invisible characters (issue 9, item 6): a no-break, zero-width or other non-ASCII space, a format or a control
character in the front matter is reported at its own line and column, named ("U+00A0 NO-BREAK SPACE"); where
the YAML parser fails because of one, the syntax error names it; where it makes a wrong key or value, the
schema error names it. In the body only those that hide inside a word or reorder the text are reported.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casepub import check_case, load_case
from casepub.diagnostics import Diagnostic
from casepub.load import yamltree
from conftest import REFERENCE, edit

SOURCE = (REFERENCE / "case.md").read_text(encoding="utf-8")
FRONT_START = SOURCE.index("\n") + 1                  # the front matter starts on line 2
FRONT_END = SOURCE.index("\n---\n", FRONT_START) + 1  # the closing fence's line
BODY_START = FRONT_END + len("---\n")
FOLDER = Path(tempfile.mkdtemp(prefix="casepub-invisible-")) / "case"
shutil.copytree(REFERENCE, FOLDER)

ALL = "".join(map(chr, range(sys.maxunicode + 1)))
CATEGORIES = [unicodedata.category(c) for c in ALL]
SPACES = [c for c, cat in zip(ALL, CATEGORIES, strict=True) if cat == "Zs" and c != " "]
FORMATS = [c for c, cat in zip(ALL, CATEGORIES, strict=True) if cat == "Cf" and c not in "\u200c\u200d"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def at(diagnostics: list[Diagnostic], code: str, line: int, column: int) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code and (d.location.line, d.location.column) == (line, column)]


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` in case.md's text."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def with_inserted(char: str, offset: int) -> tuple[list[Diagnostic], tuple[int, int]]:
    """Load the reference case with `char` inserted at `offset` of case.md; its diagnostics and where it is."""
    text = SOURCE[:offset] + char + SOURCE[offset:]
    (FOLDER / "case.md").write_text(text, encoding="utf-8")
    return load_case(FOLDER).diagnostics, position(text, offset)


# --- the set of characters ------------------------------------------------------------------------------------

def test_the_front_matter_set_is_every_space_format_separator_and_control_but_space_tab_newline():
    expected = {i for i, cat in enumerate(CATEGORIES) if cat in ("Zs", "Cf", "Zl", "Zp", "Cc")} - {0x20, 0x09, 0x0A}
    assert {m.start() for m in yamltree.INVISIBLE.finditer(ALL)} == expected


def test_the_body_set_leaves_out_spaces_and_the_soft_hyphen():
    expected = {i for i, cat in enumerate(CATEGORIES) if cat in ("Cf", "Zl", "Zp", "Cc")} - {0x09, 0x0A, 0xAD}
    assert {m.start() for m in yamltree.INVISIBLE_IN_TEXT.finditer(ALL)} == expected


def test_the_fast_path_for_texts_within_the_bmp_finds_the_same():
    bmp = ALL[:0x10000]
    for pattern, fast in yamltree._WITHIN_BMP.items():
        assert [m.start() for m in fast.finditer(bmp)] == [m.start() for m in pattern.finditer(bmp)]
    text = "a\u00a0b\u200bc"
    assert list(yamltree.invisible(text)) == list(yamltree.invisible(text + "\U0001f600")) == [1, 3]


def test_characters_are_named_as_unicode_names_them():
    assert yamltree.describe("\u00a0") == "U+00A0 NO-BREAK SPACE"
    assert yamltree.describe("\u200b") == "U+200B ZERO WIDTH SPACE"
    assert yamltree.describe("\x0b") == "U+000B LINE TABULATION"   # control characters have no unicodedata name
    assert yamltree.describe("\x85") == "U+0085 NEXT LINE"
    assert yamltree.describe("\x01") == "U+0001 CONTROL CHARACTER"
    assert yamltree.describe("\U000e0041") == "U+E0041 TAG LATIN CAPITAL LETTER A"


# --- the example --------------------------------------------------------------------------------------

def test_a_no_break_space_after_alt_is_named_not_reported_as_missing_alt_text(reference_copy):
    edit(reference_copy, "alt: Lateral radiograph", "alt:\u00a0Lateral radiograph")
    diagnostics = check_case(reference_copy).diagnostics
    [warning] = at(diagnostics, "CP007", 58, 57)  # the character itself: `alt:` ends at column 56
    assert warning.message.startswith("U+00A0 NO-BREAK SPACE after \"… alt:\": YAML does not read it as a space")
    assert warning.hint == "replace it with an ordinary space" and not warning.is_error
    [unknown] = [d for d in diagnostics if d.code == "CP010"]
    assert unknown.message.endswith("it holds a U+00A0 NO-BREAK SPACE")
    assert "YAML then reads `alt: Lateral radiograph after cement injection`" in unknown.hint
    assert not [d for d in diagnostics if d.code == "CP059"]  # not "panel C has no alt text": it has, hidden
    assert [d.code for d in diagnostics] == ["CP010", "CP007"]


def test_the_warnings_come_out_when_validation_fails(reference_copy):
    edit(reference_copy, "journal: the-spine-journal\n", "")
    edit(reference_copy, "title: Severe vertebra", "title: Severe\u2009vertebra")
    checked = check_case(reference_copy)
    assert checked.case is None
    assert [(d.code, d.location.line, d.location.column) for d in checked.diagnostics] == [
        ("CP013", 2, 1), ("CP007", 3, 14)]
    assert checked.diagnostics[1].message.startswith("U+2009 THIN SPACE after \"title: Severe\"")


# --- syntax errors name the character -------------------------------------------------------------------------

def test_a_syntax_error_caused_by_a_no_break_space_names_it(reference_copy):
    edit(reference_copy, "title: Severe", "title:\u00a0Severe")
    diagnostics = check_case(reference_copy).diagnostics
    [error] = diagnostics
    assert error.code == "CP003" and (error.location.line, error.location.column) == (4, 7)
    assert error.message == ("YAML syntax error: the U+00A0 NO-BREAK SPACE at line 4, column 7 is not a space "
                             "to YAML")
    assert "indentation" not in error.hint and error.hint.startswith("replace it with an ordinary space")


def test_the_first_character_that_breaks_the_line_is_named_not_a_harmless_one_after_it(reference_copy):
    edit(reference_copy, "title: Severe vertebra", "title:\u00a0Severe\u00a0vertebra")
    [error, harmless] = check_case(reference_copy).diagnostics
    assert error.code == "CP003" and "at line 4, column 7" in error.message
    assert harmless.code == "CP007" and (harmless.location.line, harmless.location.column) == (4, 14)


def test_a_syntax_error_with_another_cause_keeps_the_parsers_words(reference_copy):
    edit(reference_copy, "title: Severe vertebra collapse", "title: Severe\u00a0vertebra: collapse")
    diagnostics = check_case(reference_copy).diagnostics
    [error] = [d for d in diagnostics if d.code == "CP003"]
    assert "mapping values are not allowed" in error.message
    assert at(diagnostics, "CP007", 4, 14)  # the no-break space is still reported, at its place


def test_an_indentation_of_no_break_spaces_is_named(reference_copy):
    edit(reference_copy, "  - name: Kun Duan", "\u00a0 - name: Kun Duan")
    [error] = check_case(reference_copy).diagnostics
    assert error.code == "CP003" and (error.location.line, error.location.column) == (10, 1)
    assert "U+00A0 NO-BREAK SPACE at line 10, column 1" in error.message


def test_a_byte_order_mark_at_the_start_of_a_line_is_named(reference_copy):
    edit(reference_copy, "fda-status: not-applicable", "\ufefffda-status: not-applicable")
    [error] = check_case(reference_copy).diagnostics
    assert error.code == "CP003" and (error.location.line, error.location.column) == (49, 1)
    assert "U+FEFF ZERO WIDTH NO-BREAK SPACE" in error.message and error.hint.startswith("delete it")


def test_a_control_character_is_named_where_it_is(reference_copy):
    edit(reference_copy, "name: Kun Duan", "name: Kun\x0bDuan")  # a Word line break, pasted
    [error] = check_case(reference_copy).diagnostics
    assert error.code == "CP003" and (error.location.line, error.location.column) == (10, 14)
    assert error.message == ("YAML cannot read the U+000B LINE TABULATION at line 10, column 14: it allows no "
                             "control characters")


def test_a_line_separator_is_reported_and_every_line_after_it_keeps_its_number(reference_copy):
    edit(reference_copy, "title: Severe vertebra", "title: Severe\u2028vertebra")
    edit(reference_copy, "    city: Xi'an", "    cty: Xi'an")
    diagnostics = check_case(reference_copy).diagnostics
    [separator] = at(diagnostics, "CP007", 4, 14)
    assert separator.message.startswith("U+2028 LINE SEPARATOR") and "line break" in separator.hint
    [typo] = [d for d in diagnostics if d.code == "CP010"]
    assert typo.location.line == 37  # libyaml alone counts U+2028 as a line break: it would say 38


# --- characters that belong ----------------------------------------------------------------------------------

def test_joiners_a_script_needs_are_silent_and_others_are_reported(reference_copy):
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"   # ZWNJ inside a Persian word
    hindi = "\u0915\u094d\u200d\u0937"                           # ZWJ after a Devanagari virama
    emoji = "\U0001f469\u200d\u2695\ufe0f"                       # woman + ZWJ + medical symbol
    edit(reference_copy, "city: Xi'an\n    postal-code: \"710054\"",
         f"city: {persian} {hindi} {emoji} Xi\u200c'an\n    postal-code: \"710054\"")
    warnings = [d for d in check_case(reference_copy).diagnostics if d.code == "CP007"]
    assert [(d.location.line, d.location.column, d.message.split(" after")[0]) for d in warnings] == [
        (37, 32, "U+200C ZERO WIDTH NON-JOINER")]  # between Latin letters it only hides


# --- the body ------------------------------------------------------------------------------------------------

def test_in_the_body_a_zero_width_space_in_a_citation_is_reported_and_typography_is_not(reference_copy):
    edit(reference_copy, "(Figure A)", "(Figure\u200bA)")
    edit(reference_copy, "4.5 mL of\npolymethylmethacrylate", "4.5\u00a0mL of\npoly\u00admethylmethacrylate")
    diagnostics = check_case(reference_copy).diagnostics
    [warning] = [d for d in diagnostics if d.code == "CP007"]
    assert (warning.location.line, warning.location.column) == (72, 55)
    assert warning.message.startswith('U+200B ZERO WIDTH SPACE after "… fracture (Figure"')
    assert "citation" in warning.message
    assert [d.code for d in diagnostics if d.is_error] == ["CP053"]  # the citation is lost: panel A uncited


def test_a_direction_override_in_the_body_is_reported_and_not_copied_into_the_message(reference_copy):
    edit(reference_copy, "treatment, but the patient refused.", "treatment, but \u202edesufer\u202c the patient.")
    warnings = [d for d in check_case(reference_copy).diagnostics if d.code == "CP007"]
    assert [d.message.split(" after")[0] for d in warnings] == ["U+202E RIGHT-TO-LEFT OVERRIDE",
                                                               "U+202C POP DIRECTIONAL FORMATTING"]
    assert "changes the order" in warnings[0].message
    assert "\\u202e" in warnings[1].message and "\u202e" not in warnings[1].message


# --- many -----------------------------------------------------------------------------------------------------

def test_many_are_capped_at_25_and_the_rest_counted(reference_copy):
    edit(reference_copy, "treatment, but the patient refused.", "treatment" + "\u200b," * 30)
    warnings = [d for d in check_case(reference_copy).diagnostics if d.code == "CP007"]
    assert len(warnings) == 26
    assert warnings[-1].message == "5 more invisible characters from here on (only the first 25 are listed)"
    assert warnings[-1].location.column == warnings[-2].location.column + 2


# --- properties: every member of the kind, at any place -------------------------------------------------------

def reported_at(diagnostics: list[Diagnostic], char: str, where: tuple[int, int]) -> bool:
    # casepub reads case.md normalised (NFC): U+2000 EN QUAD and U+2001 EM QUAD are their equivalents U+2002, U+2003
    named = yamltree.describe(unicodedata.normalize("NFC", char))
    return any((d.location.line, d.location.column) == where and d.code in ("CP007", "CP003") and named in d.message
               for d in diagnostics)


@SETTINGS
@given(st.sampled_from(SPACES), st.integers(FRONT_START, FRONT_END - 1))
def test_any_unicode_space_anywhere_in_the_front_matter_is_reported_there(char, offset):
    diagnostics, where = with_inserted(char, offset)
    assert reported_at(diagnostics, char, where), [d.format() for d in diagnostics]


@SETTINGS
@given(st.sampled_from(FORMATS + ["\u2028", "\u2029", "\x85", "\x07", "\x1b", "\x7f"]),
       st.integers(FRONT_START, FRONT_END - 1))
def test_any_format_separator_or_control_anywhere_in_the_front_matter_is_reported_there(char, offset):
    diagnostics, where = with_inserted(char, offset)
    assert reported_at(diagnostics, char, where), [d.format() for d in diagnostics]


@SETTINGS
@given(st.sampled_from([c for c in FORMATS if c != "\xad"]), st.integers(BODY_START, len(SOURCE) - 1))
def test_any_format_character_but_the_soft_hyphen_anywhere_in_the_body_is_reported_there(char, offset):
    diagnostics, where = with_inserted(char, offset)
    assert reported_at(diagnostics, char, where), [d.format() for d in diagnostics]


@SETTINGS
@given(st.sampled_from(SPACES), st.integers(BODY_START, len(SOURCE) - 1))
def test_no_unicode_space_in_the_body_is_reported(char, offset):
    diagnostics, _ = with_inserted(char, offset)
    assert not [d for d in diagnostics if d.code == "CP007"]
