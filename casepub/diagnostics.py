"""Locations and diagnostics: what every stage reports, in one shape."""
from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """("authors", 1, "disclosure") -> "authors[1].disclosure"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


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


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    location: Location
    hint: str = ""
    rule: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self, relative_to: Path | None = None) -> str:
        """Compiler style: `file:line:col: error CP021 message` and the hint under it."""
        head = f"{self.location.display(relative_to)}: {self.severity.value} {self.code} {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head

    def to_dict(self, relative_to: Path | None = None) -> dict:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
            "file": _display_path(loc.file, relative_to),
            "line": loc.line,
            "column": loc.column,
            "key_path": format_key_path(loc.key_path),
        }


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
