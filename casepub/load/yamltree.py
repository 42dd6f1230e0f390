"""YAML to plain data with a source position for every key and value.

Built from parser events (libyaml when present) rather than PyYAML's composer
and constructor, so that what the author typed is what we get:

- every scalar stays the text it was (`0424`, `NO`, `1.10` are strings); the
  model's types decide what a value means, so YAML 1.1 guessing never does;
- aliases are refused where they stand (an alias bomb is stopped at its first `*`);
- nesting deeper than MAX_DEPTH is refused before the parser slows down
  (libyaml is quadratic in nesting depth: 100 000 brackets take 15 s);
- duplicate keys are reported (PyYAML silently keeps the last);
- nothing is constructed, so no tag can run code;
- a character YAML does not take for what it looks like (a no-break space after `alt:`, a zero-width space,
  a control character) is named where the parser fails because of it, instead of the parser's complaint
  about indentation; `invisible` finds them all, for the warnings (CP007).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casepub.diagnostics import Diagnostic, KeyPath, Location, Position, SourceMap

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml: same events, slower
    from yaml import BaseLoader as _Parser  # type: ignore[assignment]

MAX_DEPTH = 64
Mark = Any  # a libyaml or pure-Python position: .line and .column, 0-based
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

# Characters that look like an ordinary space, or like nothing, and are neither to YAML (docs/case-format.md,
# "Invisible characters"): every space separator but U+0020 (Zs), the line and paragraph separators (Zl, Zp),
# every format character (Cf: zero-width space, joiners, word joiner, byte order mark, soft hyphen, direction
# marks, embeddings, overrides and isolates ...) and every control character but tab and line feed (Cc, with
# U+0085 NEXT LINE). tests/test_invisible_characters.py holds the class to unicodedata's categories.
# By category: Cc, Zs, Zl and Zp, Cf (U+00AD SOFT HYPHEN apart: the body allows it), Cf beyond U+FFFF.
_CC = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
_ZS = r"\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_ZL_ZP = r"\u2028\u2029"
_CF = (r"\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
       r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb")
_CF_ASTRAL = (r"\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
              r"\U000e0001\U000e0020-\U000e007f")
INVISIBLE = re.compile(f"[{_CC}{_ZS}{_ZL_ZP}\\xad{_CF}{_CF_ASTRAL}]")
# In the Markdown body a no-break or thin space is typography ("5\u00a0mm") and a soft hyphen a place to
# hyphenate: only what hides inside a word or reorders the text is reported there.
INVISIBLE_IN_TEXT = re.compile(f"[{_CC}{_ZL_ZP}{_CF}{_CF_ASTRAL}]")
# The same without the characters beyond U+FFFF, for the many texts that have none: a class with astral ranges
# costs the matcher five times as much at every character.
_ASTRAL = re.compile(r"[\U00010000-\U0010ffff]")
_INVISIBLE_BMP = re.compile(f"[{_CC}{_ZS}{_ZL_ZP}\\xad{_CF}]")
_INVISIBLE_IN_TEXT_BMP = re.compile(f"[{_CC}{_ZL_ZP}{_CF}]")
_WITHIN_BMP = {INVISIBLE: _INVISIBLE_BMP, INVISIBLE_IN_TEXT: _INVISIBLE_IN_TEXT_BMP}
# libyaml breaks lines at these as well as at "\n"; read as spaces, every line and column stays case.md's.
SEPARATORS = "\x85\u2028\u2029"
_LINE_BREAKS = str.maketrans(dict.fromkeys(SEPARATORS, " "))
# A zero-width (non-)joiner between two letters of these scripts shapes the word (Persian, Hindi, Sinhala ...):
# it belongs there. The script is the first word of the characters' Unicode names.
_JOINING_SCRIPTS = frozenset({"ARABIC", "SYRIAC", "NKO", "MONGOLIAN", "DEVANAGARI", "BENGALI", "GURMUKHI",
                              "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "MYANMAR",
                              "KHMER"})
_SUSPECTS = 32  # the invisible characters before a syntax error that may be named as its cause
_CONTROL_NAMES = {"\x00": "NULL", "\x08": "BACKSPACE", "\x0b": "LINE TABULATION", "\x0c": "FORM FEED",
                  "\x1b": "ESCAPE", "\x7f": "DELETE", "\x85": "NEXT LINE"}


@dataclass(frozen=True)
class Document:
    data: Any  # dict | list | str | None, nested
    source: SourceMap


class _Frame:
    __slots__ = ("container", "key", "path")

    def __init__(self, container, path):
        self.container = container
        self.path = path      # None: a discarded subtree (the value of a duplicate key)
        self.key = None       # a mapping's pending key


class _Stop(Exception):
    """A problem after which the rest of the document cannot be read."""


class _Builder:
    def __init__(self, file: Path, first_line: int):
        self.file = file
        self.first_line = first_line
        self.values: dict[KeyPath, Position] = {}
        self.keys: dict[KeyPath, Position] = {}
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.problems: list[Diagnostic] = []
        self.seen_alias = False

    def position(self, mark: Mark) -> Position:
        return self.file, mark.line + self.first_line, mark.column + 1

    def problem(self, code: str, mark: Mark, message: str, hint: str, path: KeyPath = ()) -> None:
        location = Location(*self.position(mark), path)
        self.problems.append(Diagnostic(code, message, location, hint))

    def feed(self, event: Any) -> None:  # a parser event; dispatched on its exact type, the fast way
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self.scalar(event)
        elif kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
            self.start(event, {} if kind is yaml.MappingStartEvent else [])
        elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            self.stack.pop()
        elif kind is yaml.AliasEvent:
            self.alias(event)
        elif kind is yaml.DocumentStartEvent and self.values:
            raise self.stop(event.start_mark, "more than one YAML document", "remove the extra '---' line")

    def stop(self, mark: Mark, message: str, hint: str) -> _Stop:
        self.problem("CP003", mark, message, hint)
        return _Stop()

    def expecting_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return top is not None and isinstance(top.container, dict) and top.key is None

    def scalar(self, event: yaml.ScalarEvent) -> None:
        plain = not event.style  # '' from libyaml, None from the Python parser
        value = None if plain and event.value in _NULLS else event.value
        if self.expecting_key():
            self.key(event, event.value)
        else:
            self.attach(value, event.start_mark)

    def key(self, event: yaml.ScalarEvent, name: str) -> None:
        top = self.stack[-1]
        if top.path is None:
            top.key = name
            return
        path = top.path + (name,)
        if name in top.container:
            first = self.keys[path][1]
            self.problem("CP005", event.start_mark, f"duplicate key {name!r}",
                         f"{name!r} is already set at line {first}; keep one of them", path)
            top.key = _Discard(name)
            return
        top.key = name
        self.keys[path] = self.position(event.start_mark)

    def start(self, event: yaml.NodeEvent, container: dict[str, Any] | list[Any]) -> None:
        if self.expecting_key():
            raise self.stop(event.start_mark, "a key must be plain text, not a list or mapping",
                            "write keys as `name: value`")
        if len(self.stack) >= MAX_DEPTH:
            raise self.stop(event.start_mark, f"the front matter nests deeper than {MAX_DEPTH} levels",
                            "flatten the structure; no casepub key nests this deep")
        path = self.attach(container, event.start_mark)
        self.stack.append(_Frame(container, path))

    def alias(self, event: yaml.AliasEvent) -> None:
        if not self.seen_alias:
            self.seen_alias = True
            self.problem("CP004", event.start_mark, f"YAML aliases (*{event.anchor}) are not allowed",
                         "write the value out in full where it is needed")
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict):
            # an alias as a value: its key keeps no value, as if it were not written; as a key: its value is dropped
            top.key = None if top.key is not None else _Discard("")

    def attach(self, value: Any, mark: Mark) -> KeyPath | None:
        """Put a value under its parent; return its key path (None when it is discarded)."""
        if not self.stack:
            self.root = value
            path: KeyPath | None = ()
        else:
            top = self.stack[-1]
            if isinstance(top.container, list):
                path = None if top.path is None else top.path + (len(top.container),)
                top.container.append(value)
            else:
                key, top.key = top.key, None
                if top.path is None or isinstance(key, _Discard):
                    return None
                path = top.path + (key,)
                top.container[key] = value
        if path is not None:
            self.values[path] = self.position(mark)
        return path


class _Discard(str):
    """The key of a duplicate entry: its value is read but dropped."""


def parse(text: str, file: Path, first_line: int = 1) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one YAML document; `first_line` is the file line the text starts on."""
    builder = _Builder(file, first_line)
    try:
        _read(text.translate(_LINE_BREAKS) if any(c in text for c in SEPARATORS) else text, builder)
    except _Stop:
        return None, builder.problems
    except yaml.MarkedYAMLError as error:
        builder.problems.append(_syntax_error(error, text, file, first_line))
        return None, builder.problems
    except yaml.YAMLError as error:  # a reader error without a mark: a character YAML does not allow
        builder.problems.append(_unreadable(error, text, file, first_line))
        return None, builder.problems
    return Document(builder.root, SourceMap(file, builder.values, builder.keys)), builder.problems


def _read(text: str, builder: _Builder) -> None:
    parser = _Parser(text)
    while True:
        event = parser.get_event()
        if isinstance(event, yaml.StreamEndEvent):
            return
        builder.feed(event)


def describe(char: str) -> str:
    """How messages name a character: "U+00A0 NO-BREAK SPACE" (control characters have no name in unicodedata)."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "CONTROL CHARACTER")
    return f"U+{ord(char):04X} {name}"


def is_space(char: str) -> bool:
    """Whether an invisible character stands for a space (or a line break), rather than for nothing."""
    return unicodedata.category(char) in ("Zs", "Zl", "Zp") or char == "\x85"


def remedy(char: str) -> str:
    """What the author does about an invisible character."""
    if char in SEPARATORS:
        return "replace it with an ordinary line break (or a space)"
    return "replace it with an ordinary space" if is_space(char) else "delete it"


def invisible(text: str, pattern: re.Pattern[str] = INVISIBLE) -> Iterator[int]:
    """The offsets of the invisible characters in `text`, in one pass, less the joiners a word needs."""
    if not _ASTRAL.search(text):
        pattern = _WITHIN_BMP.get(pattern, pattern)
    for match in pattern.finditer(text):
        at = match.start()
        if not (text[at] in "\u200c\u200d" and _joins(text, at)):
            yield at


def _joins(text: str, at: int) -> bool:
    """Whether the joiner at `at` shapes a word (between letters of a script that uses it) or an emoji
    sequence (a ZWJ between pictographs: woman, ZWJ, staff of Aesculapius is a health worker)."""
    before, after = text[at - 1: at], text[at + 1: at + 2]
    if not before or not after:
        return False
    if all(unicodedata.name(c, "").partition(" ")[0] in _JOINING_SCRIPTS for c in (before, after)):
        return True
    pictograph_before = unicodedata.category(before) in ("So", "Sk") or before == "\ufe0f"
    return text[at] == "\u200d" and pictograph_before and unicodedata.category(after) == "So"


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """0-based line and column of `offset`, as the parser counts them."""
    return text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1)


def _offset(text: str, line: int, column: int) -> int:
    """The offset of a 0-based line and column (the inverse of _line_column)."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if not start:
            return len(text)
    return start + column


def _unreadable(error: yaml.YAMLError, text: str, file: Path, first_line: int) -> Diagnostic:
    """A character the YAML reader refuses (controls, U+FFFE ...): named where it is."""
    character = getattr(error, "character", None)
    at = text.find(chr(character)) if isinstance(character, int) else -1
    if at < 0:
        return Diagnostic("CP003", f"YAML cannot be read: {error}", Location(file, first_line, 1),
                          "check the file's characters")
    line, column = _line_column(text, at)
    return Diagnostic("CP003", f"YAML cannot read the {describe(text[at])} at line {line + first_line}, column "
                      f"{column + 1}: it allows no control characters", Location(file, line + first_line, column + 1),
                      "delete it")


def _syntax_error(error: yaml.MarkedYAMLError, text: str, file: Path, first_line: int) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    problem = error.problem or "invalid YAML"
    culprit = _culprit(text, line, column)
    if culprit is not None:
        char = text[culprit]
        line, column = _line_column(text, culprit)
        what = ("is not a line break to YAML" if char in SEPARATORS else "is not a space to YAML"
                if is_space(char) else "is invisible, but YAML counts it as a character")
        return Diagnostic("CP003", f"YAML syntax error: the {describe(char)} at line {line + first_line}, column "
                          f"{column + 1} {what}", Location(file, line + first_line, column + 1),
                          f"{remedy(char)}; then this line reads as it looks")
    lines = text.split("\n")
    source_line = lines[line] if line < len(lines) else ""
    location = Location(file, line + first_line, column + 1)
    return Diagnostic("CP003", f"YAML syntax error: {problem}", location,
                      _syntax_hint(problem, source_line, column))


def _culprit(text: str, line: int, column: int) -> int | None:
    """The offset of the invisible character the parser failed on (None: they are not the cause): the first
    of those up to the end of the error's line (the parser points at the start of the token it could not
    read) that, with it and those before it made what they look like (an ordinary space, a line break or
    nothing) or else deleted (a space too many in an indentation), the text reads past the error. Found by
    bisection over the last _SUSPECTS of them: a few parses, on failure only."""
    error_at = _offset(text, line, column)
    line_end = text.find("\n", error_at)
    before = [at for at in invisible(text) if line_end < 0 or at < line_end]
    suspects = before[-_SUSPECTS:]
    deleting = next((mode for mode in (False, True) if suspects and _reads_past(text, before, error_at, mode)), None)
    if deleting is None:
        return None
    low, high = len(before) - len(suspects), len(before)  # the first `high` made plain reads past; `low` does not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if _reads_past(text, before[:middle], error_at, deleting) else (middle, high)
    return before[high - 1]


def _reads_past(text: str, offsets: list[int], error_at: int, deleting: bool) -> bool:
    """Whether `text` parses further than `error_at` with the characters at `offsets` made what they look like:
    an ordinary space (or line break), or nothing (a format or control character); or all deleted."""
    parts, deleted, start = [], [], 0
    for at in offsets:
        parts.append(text[start:at])
        char = text[at]
        if is_space(char) and not deleting:
            parts.append("\n" if char in SEPARATORS else " ")
        else:
            deleted.append(at)
        start = at + 1
    plain = "".join(parts) + text[start:]
    try:
        _read(plain, _Builder(Path(), 0))
    except _Stop:
        return False
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is None:
            return False
        reached = _offset(plain, mark.line, mark.column)
        for gone in deleted:  # back to an offset in `text`
            reached += gone <= reached
        return reached > error_at
    except yaml.YAMLError:
        return False
    return True


_TYPOGRAPHIC_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


def _syntax_hint(problem: str, source_line: str, column: int) -> str:
    if any(quote in source_line for quote in "“”„«»") or re.search(r":\s*+‘", source_line):
        straight = source_line.translate(_TYPOGRAPHIC_QUOTES).strip()
        return f"typographic quotes (“ ”) are not YAML quotes, so the value is not quoted: write {straight}"
    if "\t" in source_line[: column + 1]:
        return "indent with spaces: YAML does not allow tab characters"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. title: \"Spine: a case\""
    if "could not find expected ':'" in problem or "did not find expected key" in problem:
        return "check the indentation: the keys of one mapping must start in the same column"
    if "nesting depth" in problem:
        return "flatten the structure; no casepub key nests this deep"
    if "found unexpected end of stream" in problem or "did not find expected node content" in problem:
        return "a bracket or quote is not closed"
    return "check the quoting and indentation around this line"
