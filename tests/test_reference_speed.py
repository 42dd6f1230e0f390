"""What makes checking references fast and a cold render quick, tested for what it must not change: the
BibTeX scan reads exactly what pybtex reads, in linear time; the check never formats, nor imports the
formatter; WeasyPrint loads the same libraries when it is imported without ctypes' find_library."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_references import ALL_CITED, BIB, _care_case

from casepub.references.bibtex import _scanner, read_bibtex
from casepub.references.load import load_library

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


# The scan: pybtex's own scanner and rules, without building what the check does not need.

def _low_level(text: str, scanner: type) -> tuple[list, list]:
    from pybtex.database.input.bibtex import month_names
    from pybtex.utils import CaseInsensitiveDict

    errors: list[Exception] = []
    commands = [(command, repr(body)) for command, body in scanner(text, macros=CaseInsensitiveDict(month_names),
                                                                    handle_error=errors.append)]
    return commands, [(type(error).__name__, getattr(error, "lineno", None), str(error)) for error in errors]


VALUES = st.sampled_from(['{A {B} c}', '"x {y} z"', "spj", "2020", '{Hao, Ding-Jun and Wang, Jun}',
                          '{Hao, Ding, Jun, Song}', '{{World Health Organization}}', '"un {balanced"', "{}", "apr",
                          '{10.1016/j.x}', "{a}}", '"q" # spj'])
FIELD_NAMES = st.sampled_from(["author", "editor", "title", "Title", "doi", "url", "year", "month", "crossref"])
ENTRIES = st.lists(st.tuples(st.sampled_from(["article", "book", "string", "comment", "misc"]),
                             st.sampled_from(["a", "A", "b", "c d", ""]),
                             st.lists(st.tuples(FIELD_NAMES, VALUES), max_size=4)), max_size=5)


def _bibtex(entries: list) -> str:
    parts = []
    for kind, key, fields in entries:
        if kind == "string":
            parts.append('@string{spj = "The Spine Journal"}')
        else:
            parts.append(f"@{kind}{{{key},\n" + ",\n".join(f"  {name} = {value}" for name, value in fields) + "\n}")
    return "\n".join(parts) + "\n"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(alphabet='@{}()=,"#%\\$~ \nabc1-_:/', max_size=150), ENTRIES.map(_bibtex)))
def test_the_scanner_reads_exactly_as_pybtex_does(text):
    from pybtex.database.input.bibtex import LowLevelParser

    assert _low_level(text, _scanner()) == _low_level(text, LowLevelParser)


@settings(max_examples=150, deadline=None)
@given(ENTRIES.map(_bibtex))
def test_keys_and_name_problems_are_pybtex_parsers(text):
    """The entries kept, and the names with too many commas, are those pybtex's full Parser finds."""
    from pybtex import errors
    from pybtex.database.input.bibtex import Parser

    with errors.capture() as captured:
        data = Parser().parse_string(text)
    parsed = read_bibtex(text)
    assert list(parsed.lines) == [key for key in data.entries if not key.startswith("unnamed-")]  # no key: an error
    assert sum(type(error).__name__ == "InvalidNameString" for error in captured) == sum(
        problem.code == "CP302" for problem in parsed.problems)
    for key in parsed.lines:  # the names as pybtex's Parser splits them, in the items
        entry = data.entries[key]
        for role in ("author", "editor"):
            assert len(parsed.items[key].get(role, [])) == len(entry.persons.get(role, []))


def braced_value(parts: int) -> str:
    """A title of many braced parts: pybtex's skip_to searched for each of `"`, `{` and `}` from the same place,
    quadratic when the closing quote is far away (a 600 kB title took 17 s). bench/hostile_bench.py times it."""
    return '@misc{a, title = "' + "{x}" * parts + '"}\n'


def test_a_value_of_many_braced_parts_is_read():
    assert read_bibtex(braced_value(100_000)).problems == ()


def faulty(kind: str, count: int) -> bytes:
    """`count` entries, each with a malformed DOI: each problem's line was counted from the file's start (8 000
    items of CSL-JSON took 12 s). bench/hostile_bench.py times it."""
    if kind == "json":
        return json.dumps([{"id": f"k{n}", "title": "T", "DOI": "bad"} for n in range(count)], indent=1).encode()
    return "".join(f"@article{{k{n},\n  author = {{A, B, C, D}},\n  title = {{T}},\n  doi = {{bad}}\n}}\n"
                   for n in range(count)).encode()


@pytest.mark.parametrize("kind", ["json", "bib"])
def test_each_of_many_faulty_entries_is_reported_at_its_line(kind):
    from casepub.references.load import _parsed

    data = faulty(kind, 4_000)
    library = _parsed(Path(f"r.{kind}"), data)
    lines = sorted(problem.line for problem in library.problems if "DOI" in problem.message)
    marker = b"DOI" if kind == "json" else b"doi"
    expected = [n + 1 for n, line in enumerate(data.split(b"\n")) if marker in line]
    assert lines == expected


def test_a_key_written_again_in_other_case_is_a_duplicate(tmp_path):
    (tmp_path / "r.bib").write_text("@article{Smith, title = {First}}\n@article{smith, title = {Second}}\n")
    library = load_library(tmp_path, "r.bib")
    assert [(problem.code, problem.line) for problem in library.problems] == [("CP303", 2)]
    assert list(library.items) == ["Smith"] and library.items["Smith"]["title"] == "First"


def test_a_field_given_twice_is_located_at_the_second(tmp_path):
    (tmp_path / "r.bib").write_text("@article{a,\n  title = {First},\n  year = 2020,\n  Title = {Second}\n}\n")
    library = load_library(tmp_path, "r.bib")
    assert [(problem.code, problem.line) for problem in library.problems] == [("CP301", 4)]
    assert library.items["a"]["title"] == "First"


# The check needs keys, lines and problems; it never formats, nor converts the entries.

def test_the_items_are_made_only_when_printed(tmp_path):
    from casepub.references.load import _parse_cached

    (tmp_path / "r.bib").write_text(BIB + "\n% distinct\n")
    library = load_library(tmp_path, "r.bib")
    assert "accents" in library.items and len(library.items) == 8 and next(iter(library.items)) == "accents"
    parsed = _parse_cached(".bib", (tmp_path / "r.bib").read_bytes(), library.digest)
    assert "items" not in vars(parsed)  # the check's questions answered without a CSL-JSON item
    assert library.items["accents"]["author"][0] == {"family": "François", "given": "José"}
    assert "items" in vars(parsed)


def test_check_imports_neither_the_formatter_nor_weasyprint(tmp_path):
    folder = _care_case(tmp_path, ALL_CITED)
    found = json.loads(_run(
        "import json, sys\n"
        "from casepub.check import check_case\n"
        f"codes = [d.code for d in check_case({str(folder)!r}).diagnostics]\n"
        "from casepub.references.load import _parse_cached\n"
        "print(json.dumps({'codes': codes, 'modules': sorted(m for m in sys.modules if m.split('.')[0] in "
        "('citeproc', 'pylatexenc', 'lxml', 'weasyprint') or m == 'casepub.references.format'), "
        "'pybtex': 'pybtex.database.input.bibtex' in sys.modules}))\n"))
    assert found == {"codes": [], "modules": [], "pybtex": True}


def test_a_check_without_references_imports_no_pybtex(reference_copy):
    assert _run(f"import sys\nfrom casepub.check import check_case\ncheck_case({str(reference_copy)!r})\n"
                "print(sorted(m for m in sys.modules if m.startswith('pybtex')))\n").strip() == "[]"


# WeasyPrint imported without find_library's ldconfig, gcc and ld runs: the same libraries, and every one.

LIBRARIES = ("libgobject-2.0", "libpango-1.0", "libpangoft2-1.0", "libharfbuzz.", "libharfbuzz-subset",
             "libfontconfig")


def _loaded(module: str) -> dict:
    return json.loads(_run(
        f"import ctypes.util, json, {module}\n"
        "from weasyprint.text import ffi\n"
        "maps = open('/proc/self/maps').read().split()\n"
        f"names = {{name: sorted({{p for p in maps if '/' + name in p}}) for name in {LIBRARIES!r}}}\n"
        "print(json.dumps({'libraries': names, 'subset': ffi.harfbuzz_subset is not None,"
        " 'find_library': ctypes.util.find_library.__module__ + '.' + ctypes.util.find_library.__qualname__}))\n"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is taken on Linux only")
def test_weasyprint_loads_the_same_libraries():
    ours, plain = _loaded("casepub.render.pdf"), _loaded("weasyprint")
    assert ours == plain
    assert all(ours["libraries"].values()) and ours["subset"]
    assert ours["find_library"] == "ctypes.util.find_library"  # put back
