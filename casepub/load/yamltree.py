"""YAML to plain data with a source position for every key and value.

Built from parser events (libyaml when present) rather than PyYAML's composer
and constructor, so that what the author typed is what we get:

- every scalar stays the text it was (`0424`, `NO`, `1.10` are strings); the
  model's types decide what a value means, so YAML 1.1 guessing never does;
- aliases are refused where they stand (an alias bomb is stopped at its first `*`);
- nesting deeper than MAX_DEPTH is refused before the parser slows down
  (libyaml is quadratic in nesting depth: 100 000 brackets take 15 s);
- duplicate keys are reported (PyYAML silently keeps the last);
- nothing is constructed, so no tag can run code.
"""
from __future__ import annotations

import re
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
    parser = _Parser(text)
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            builder.feed(event)
    except _Stop:
        return None, builder.problems
    except yaml.MarkedYAMLError as error:
        builder.problems.append(_syntax_error(error, text, file, first_line))
        return None, builder.problems
    except yaml.YAMLError as error:  # a reader error without a mark
        builder.problems.append(Diagnostic("CP003", f"YAML cannot be read: {error}",
                                           Location(file, first_line, 1), "check the file's characters"))
        return None, builder.problems
    return Document(builder.root, SourceMap(file, builder.values, builder.keys)), builder.problems


def _syntax_error(error: yaml.MarkedYAMLError, text: str, file: Path, first_line: int) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line, mark.column) if mark else (0, 0)
    problem = error.problem or "invalid YAML"
    lines = text.splitlines()
    source_line = lines[line] if line < len(lines) else ""
    location = Location(file, line + first_line, column + 1)
    return Diagnostic("CP003", f"YAML syntax error: {problem}", location,
                      _syntax_hint(problem, source_line, column))


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
