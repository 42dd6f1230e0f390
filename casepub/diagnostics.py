"""Locations and diagnostics: what every stage reports, in one shape."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casepub.codes import CODES, Severity

KeyPath = tuple[str | int, ...]


_PLAIN_KEY = re.compile(r"[^.\[\]\"]+")
_KEY_PART = re.compile(r'\[(\d+)\]|\[("(?:[^"\\]|\\.)*+")\]|\.?([^.\[\]"]+)')


def format_key_path(path: KeyPath) -> str:
    """("authors", 1, "disclosure") -> "authors[1].disclosure"; a key with dots or brackets is quoted: ["a.b"]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            out += f"[{json.dumps(part)}]"
        else:
            out += f".{part}" if out else part
    return out


def parse_key_path(text: str) -> KeyPath:
    """The inverse of format_key_path."""
    parts: list[str | int] = []
    for match in _KEY_PART.finditer(text):
        index, quoted, plain = match.groups()
        parts.append(int(index) if index is not None else json.loads(quoted) if quoted is not None else plain)
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class Location:
    file: Path
    line: int = 1          # 1-based
    column: int = 1        # 1-based, in characters
    key_path: KeyPath = ()

    def display(self, relative_to: Path | None = None) -> str:
        return f"{_display_path(self.file, relative_to)}:{self.line}:{self.column}"


def _display_path(path: Path, relative_to: Path | None) -> str:
    base = relative_to or Path.cwd()
    try:
        return os.path.relpath(path, base) if path.is_absolute() else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


Position = tuple[Path, int, int]  # file, line, column (1-based)


@dataclass(frozen=True)
class SourceMap:
    """Where each key path was written: the position of its value and of its key."""
    file: Path
    values: dict[KeyPath, Position]
    keys: dict[KeyPath, Position]

    def locate(self, path: KeyPath, key: bool = False) -> Location:
        """The location of `path` (its value, or its key with `key=True`; the key when its value was dropped),
        or of its nearest written ancestor when it was not written."""
        probe = tuple(path)
        found = (self.keys.get(probe) or self.values.get(probe)) if key else (self.values.get(probe) or self.keys.get(probe))
        while found is None and probe:
            probe = probe[:-1]
            found = self.values.get(probe)
        file, line, column = found or (self.file, 1, 1)
        return Location(file, line, column, tuple(path))

    def overlaid(self, overlay: SourceMap) -> SourceMap:
        """This map with `overlay`'s positions winning: for data merged from two files."""
        return SourceMap(overlay.file, {**self.values, **overlay.values}, {**self.keys, **overlay.keys})


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found, located. Its severity is the code's default (casepub/codes.py) unless given:
    a journal profile can make a rule's problems warnings or errors."""
    code: str
    message: str
    location: Location
    hint: str = ""
    severity: Severity = None  # type: ignore[assignment]  # filled from the code table

    def __post_init__(self) -> None:
        entry = CODES.get(self.code)
        if entry is None:
            raise ValueError(f"unknown diagnostic code {self.code!r}: add it to casepub/codes.py")
        object.__setattr__(self, "severity", Severity(self.severity or entry.severity))

    @property
    def rule(self) -> str:
        """The code's name, as profiles and `casepub explain` know it."""
        return CODES[self.code].name

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self, relative_to: Path | None = None) -> str:
        """Compiler style: `file:line:col: error CP021 message` and the hint under it."""
        head = f"{self.location.display(relative_to)}: {self.severity.value} {self.code} {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head

    def to_json(self, relative_to: Path | None = None) -> dict[str, Any]:
        """The one serialisation, for `--format json`, reports and the issue build's cache.
        `relative_to`: show the file relative to it; None keeps the path as it is."""
        loc = self.location
        file = _display_path(loc.file, relative_to) if relative_to is not None else str(loc.file)
        return {"code": self.code, "severity": self.severity.value, "rule": self.rule, "message": self.message,
                "hint": self.hint, "file": file, "line": loc.line, "column": loc.column,
                "key_path": format_key_path(loc.key_path)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        location = Location(Path(data["file"]), data["line"], data["column"], parse_key_path(data["key_path"]))
        return cls(data["code"], data["message"], location, data["hint"], Severity(data["severity"]))


def sort_key(diagnostic: Diagnostic) -> tuple:
    loc = diagnostic.location
    return (str(loc.file), loc.line, loc.column, diagnostic.code)


@dataclass(frozen=True, slots=True)
class Problem:
    """What a check finds, before the registry gives it a code, severity and location.

    It points into the front matter by key `path` (at the value, or at the key
    itself with `key=True`), or into case.md by `line` and `column`.
    """
    message: str
    hint: str = ""
    path: KeyPath = ()
    key: bool = False
    line: int | None = None
    column: int = 1
    file: Path | None = None  # another file of the case (its references file), which line and column are in
