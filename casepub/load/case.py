"""Read a case folder: case.md's YAML front matter into the model, the rest as the Markdown body."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from casepub.diagnostics import Diagnostic, KeyPath, Location
from casepub.load import yamltree
from casepub.load.files import UnsafePath, read_inside
from casepub.load.validate import validate
from casepub.model import Body, Case, FrontMatter

CASE_FILE = "case.md"
MAX_CASE_BYTES = 1 << 20  # 1 MB: a case report is a few kB of text
_FENCES = ("---", "...")


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
