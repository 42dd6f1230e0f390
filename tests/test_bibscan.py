"""The fast BibTeX reading (casepub/references/bibscan.py) against pybtex's own scanner: on every file it reads,
the same commands, keys, fields, values and places; on every file pybtex finds a fault in, it gives up."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pybtex.database.input.bibtex import LowLevelParser, month_names
from pybtex.utils import CaseInsensitiveDict
from test_references import BIB

from casepub.references import bibscan
from casepub.references.bibtex import read_bibtex

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pybtex_commands(text: str) -> tuple[list[tuple[str, object, int, int]], list[Exception]]:
    errors: list[Exception] = []
    scanner = LowLevelParser(text, macros=CaseInsensitiveDict(month_names), handle_error=errors.append)
    commands = [(command, body, scanner.command_start, scanner.pos) for command, body in scanner]
    return commands, errors


def agrees(text: str) -> bool:
    """bibscan gives pybtex's commands, or gives up where pybtex finds a fault; True when it read the file."""
    expected, errors = pybtex_commands(text)
    try:
        found = bibscan.scan(text, month_names)
    except bibscan.Unread:
        return False
    assert not errors, f"bibscan read a file pybtex finds faults in: {errors}"
    assert found == expected
    return True


# Well-formed BibTeX as exporters write it, and as BibTeX allows it: values braced (nested braces, quotes
# inside), quoted (braces inside), numbers, macros (months, @string) joined with #, parenthesised entries,
# @comment and @preamble, text between entries, any whitespace.
SPACE = st.sampled_from(["", " ", "\n", "  ", "\t", "\r\n", " \n  ", "\u00a0"])
NAME = st.from_regex(r"[a-z][a-z0-9_\-:.]{0,8}", fullmatch=True)
WORDS = st.text(st.sampled_from(list("ab cD%~\\'\"=,#@()\u00e9\u4e2d\n")), max_size=12)


@st.composite
def braced(draw: st.DrawFn, depth: int = 0) -> str:
    parts = draw(st.lists(WORDS if depth >= 3 else st.one_of(WORDS, braced(depth + 1)), max_size=3))
    return "{" + "".join(parts) + "}"


@st.composite
def quoted(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(WORDS.map(lambda w: w.replace('"', "'")), braced()), max_size=3))
    return '"' + "".join(parts) + '"'


@st.composite
def value(draw: st.DrawFn, macros: list[str]) -> str:
    part = st.one_of(braced(), quoted(), st.from_regex(r"[0-9]{1,4}", fullmatch=True),
                     st.sampled_from(["jan", "Apr", "DEC", *macros]))
    parts = draw(st.lists(part, min_size=1, max_size=3))
    return draw(st.sampled_from([" # ", "#", " #\n "])).join(parts)


@st.composite
def bib_file(draw: st.DrawFn) -> str:
    pieces: list[str] = []
    macros: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["entry", "entry", "entry", "string", "comment", "preamble", "junk"]))
        s = draw(SPACE)
        if kind == "string":
            name = draw(NAME)
            pieces.append(f"@string{{{s}{name}{s}={s}{draw(value(macros))}{s}}}")
            macros.append(name)
        elif kind == "comment":
            pieces.append("@comment{" + draw(WORDS).replace("@", "at") + "}")
        elif kind == "preamble":
            pieces.append(f"@preamble{s}{{{s}{draw(value(macros))}{s}}}")
        elif kind == "junk":
            pieces.append(draw(WORDS).replace("@", "at"))
        else:
            paren = draw(st.booleans())
            fields = [f"{draw(NAME)}{s}={s}{draw(value(macros))}" for _ in range(draw(st.integers(0, 4)))]
            body = f",{s}".join([draw(NAME) + draw(st.sampled_from(["", "2019", ":x"])), *fields])
            body += draw(st.sampled_from([" ", ",", ",\n"] if paren else ["", ",", f",{s}"]))  # a key takes a ")"
            kind_name = draw(st.sampled_from(["article", "Book", "misc", "inCollection"]))
            pieces.append(f"@{kind_name}{s}{'(' if paren else '{'}{s}{body}{s}{')' if paren else '}'}")
    return draw(st.sampled_from(["\n", "\n\n", " ", ""])).join(pieces)


@SETTINGS
@given(bib_file())
def test_well_formed_files_are_read_as_pybtex_reads_them(text: str) -> None:
    assert agrees(text), "a well-formed file went to pybtex"


@SETTINGS
@given(bib_file(), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(list('{}"@#,=()\\ ') + [""])),
                            min_size=1, max_size=3))
def test_damaged_files_are_read_as_pybtex_reads_them_or_left_to_it(text: str,
                                                                   edits: list[tuple[int, str]]) -> None:
    for at, character in edits:  # insert a character, or (empty) delete one
        at = at % (len(text) + 1)
        text = text[:at] + character + text[at + (not character):]
    agrees(text)


@pytest.mark.parametrize("text", [
    BIB,
    "@article{k, title = {x}}",
    "@article{k title = {x}}",                       # no comma after the key: pybtex reads it
    "@article(k, title = {x} )",
    "@article{k,\n title = \"a {b \"c\"} d\",\n}",   # a quote inside braces inside quotes
    "@string{a = \"x\"} @article{k, title = a # {y} # A}",
    "@comment{ @article{inside, title={read}} }",    # pybtex reads an entry inside a comment
    "text before @ article { k , year = 2019 } after",
    "@article{k, title = {\u00e9\u4e2d}}",
    "@article{k, title = {x}}}",                     # a brace too many: the } is text between entries
])
def test_examples_agree(text: str) -> None:
    assert agrees(text)


@pytest.mark.parametrize("text", [
    "@article{k, title = {x}",                       # the file ends inside the entry
    "@article{k, title = undefined}",                # an undefined macro
    "@article{k, title = \"a } b\"}",                # unbalanced braces in quotes
    "@article{k, title = {x} # }",
    "@string{a = \"x\",}",
    "@article{k, title = " + "{" * 120 + "}" * 120 + "}",
    "user@example.com\n@article{k, title={x}}",      # an @ in the text between entries
])
def test_faults_go_to_pybtex(text: str) -> None:
    agrees(text)
    problems = read_bibtex(text).problems
    _, errors = pybtex_commands(text)
    assert bool(errors) == any(problem.code == "CP301" for problem in problems)


def test_the_name_characters_are_pybtex_s() -> None:
    from pybtex.database.input.bibtex import NAME_CHARS

    assert bibscan.NAME_CHARS == NAME_CHARS


def test_every_bib_file_of_the_tests_and_cases_agrees() -> None:
    root = Path(__file__).resolve().parents[1]
    files = sorted([*root.glob("tests/**/*.bib"), *root.glob("cases/**/*.bib")])
    assert files
    read = [file for file in files if agrees(file.read_text(encoding="utf-8", errors="replace"))]
    assert root / "cases" / "kummell-care" / "references.bib" in read
