"""Read a case folder: case.md's YAML front matter into the model, the rest as the Markdown body."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from casepub.diagnostics import Diagnostic, KeyPath, Location
from casepub.load import yamltree
from casepub.load.files import UnsafePath, read_inside
from casepub.load.validate import validate
from casepub.model import Body, Case, FrontMatter
from casepub.words import counted

CASE_FILE = "case.md"
MAX_CASE_BYTES = 1 << 20  # 1 MB: a case report is a few kB of text
MAX_INVISIBLE = 25  # invisible characters listed per case; the rest are counted (as the rules do)
_FENCES = ("---", "...")
_DIRECTION = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Loaded:
    """A case as far as it could be read: `case` is None when the front matter could not be read."""
    folder: Path
    case: Case | None
    diagnostics: list[Diagnostic]
    pruned: frozenset[KeyPath] = frozenset()


def load_case(folder: Path) -> Loaded:
    folder = Path(folder)
    file = folder / CASE_FILE
    text, problem = _read_text(folder, file)
    if problem:
        return Loaded(folder, None, [problem])
    split = _split_front_matter(text, file)
    if isinstance(split, Diagnostic):
        return Loaded(folder, None, [split])
    front, body = split
    document, diagnostics = yamltree.parse(front, file, first_line=2)
    diagnostics = invisible_characters(front, body, file, named=diagnostics) + diagnostics
    if document is None:
        return Loaded(folder, None, diagnostics)
    if not isinstance(document.data, dict):
        what = "empty" if document.data is None else "not a mapping of keys"
        diagnostics.append(_error("CP006", Location(file, 2, 1), f"the front matter is {what}",
                                  "write `key: value` lines between the two '---' lines"))
        return Loaded(folder, None, diagnostics)
    validated = validate(FrontMatter, document)
    diagnostics += validated.diagnostics
    if validated.model is None:
        return Loaded(folder, None, diagnostics, validated.pruned)
    case = Case(folder, file, validated.model, body, document.source, front)
    return Loaded(folder, case, diagnostics, validated.pruned)


def invisible_characters(front: str, body: Body, file: Path, named: Sequence[Diagnostic] = ()) -> list[Diagnostic]:
    """A warning (CP007) at each invisible character: in the front matter every one (YAML reads none of them as
    the space it looks like), in the body those that hide inside words or reorder the text. The first
    MAX_INVISIBLE are listed and the rest counted; one a syntax error already names (`named`) is not repeated."""
    taken = {(d.location.line, d.location.column) for d in named if d.code == "CP003"}
    found = [d for d in _invisible_in(front, 2, file, in_front=True) if (d.location.line, d.location.column) not in taken]
    found += _invisible_in(body.text, body.first_line, file, in_front=False)
    if len(found) <= MAX_INVISIBLE:
        return found
    more = len(found) - MAX_INVISIBLE
    return found[:MAX_INVISIBLE] + [Diagnostic(
        "CP007", f"{counted(more, 'more invisible character')} from here on (only the first {MAX_INVISIBLE} are "
        "listed)", found[MAX_INVISIBLE].location, "replace or delete those listed, then check again")]


def _invisible_in(text: str, first_line: int, file: Path, in_front: bool) -> list[Diagnostic]:
    """One pass over `text` (which starts on case.md's line `first_line`); lines are counted as it goes."""
    found = []
    line, line_start, counted_to = first_line, 0, 0
    pattern = yamltree.INVISIBLE if in_front else yamltree.INVISIBLE_IN_TEXT
    for at in yamltree.invisible(text, pattern):
        breaks = text.count("\n", counted_to, at)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", counted_to, at) + 1
        counted_to = at
        char, column = text[at], at - line_start
        before = _shown(text[line_start:at])
        where = f'after "{before}"' if before else "at the start of the line"
        found.append(Diagnostic("CP007", f"{yamltree.describe(char)} {where}: {_effect(char, in_front)}",
                                Location(file, line, column + 1), yamltree.remedy(char)))
    return found


def _shown(line: str, width: int = 24) -> str:
    """The end of a line up to a character, as a message quotes it: whole words, and any invisible character
    in it escaped (a direction override would otherwise turn the message around)."""
    shown = line[-width:].lstrip()
    if len(line) > width and " " in shown:
        shown = "…" + shown[shown.index(" "):]
    return yamltree.INVISIBLE.sub(_escaped, shown)


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def _effect(char: str, in_front: bool) -> str:
    """What the character does where it is, said in the author's terms."""
    if char in yamltree.SEPARATORS:
        return "it is read as a space, not as a line break"
    if char in _DIRECTION:
        return "it changes the order in which the text around it is shown"
    if not in_front:
        return "it is invisible, but it splits the word it is in: a figure citation or a date across it is not found"
    if yamltree.is_space(char):
        return "YAML does not read it as a space, so the key or value around it is not what it looks like"
    return "it is invisible, but YAML keeps it in the key or value"


def _error(code: str, location: Location, message: str, hint: str) -> Diagnostic:
    return Diagnostic(code, message, location, hint)


def _read_text(folder: Path, file: Path) -> tuple[str, Diagnostic | None]:
    try:
        data = read_inside(folder, CASE_FILE, MAX_CASE_BYTES)
    except UnsafePath as error:
        return "", _error("CP001", Location(file), error.reason, error.hint)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "", _error("CP001", Location(file), "case.md is saved as UTF-16", "save the file with UTF-8 encoding")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return "", _error("CP001", Location(file, line, column),
                          f"case.md is not valid UTF-8 (byte 0x{data[error.start]:02x})",
                          "save the file with UTF-8 encoding")
    if not text.strip():
        return "", _error("CP002", Location(file), "case.md is empty",
                          "start with '---', the front matter keys, '---', then the case text")
    # NFC: "é" typed as e + combining accent reads as the one letter (initials, matching, fonts).
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")), None


def _split_front_matter(text: str, file: Path) -> tuple[str, Body] | Diagnostic:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return _error("CP002", Location(file), "case.md has no front matter",
                      "begin the file with a line '---', then the YAML keys, then another '---'")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FENCES:
            front = "\n".join(lines[1:index]) + "\n"
            return front, Body("\n".join(lines[index + 1:]), first_line=index + 2)
    return _error("CP002", Location(file), "the front matter is not closed",
                  "end the front matter with a line '---' before the case text")
