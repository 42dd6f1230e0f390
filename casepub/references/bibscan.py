"""A fast reading of well-formed BibTeX, by pybtex's grammar; anything else is left to pybtex itself.

pybtex's LowLevelParser makes a Token object per token, tries its patterns one
by one and nests a generator per brace: 1.6 ms for a file of 30 references,
more than the rest of a case's check. This reads the same grammar (its name
characters are pybtex's own constants) with one regular expression per field
and a search per brace, in about a fifth of the time, and gives up (Unread) at
the first thing that is not plainly well-formed: a syntax error, an undefined
macro, braces nested deeper than MAX_DEPTH, a file ending early. bibtex.py
then reads the whole file with pybtex, whose errors (and their lines) are the
ones reported. So pybtex decides every file with a problem, and for a file
without one both give the same commands, keys, fields and values:
tests/test_bibscan.py compares them on generated and damaged files.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from string import ascii_letters, digits

MAX_DEPTH = 50  # pybtex refuses more than 100 nested braces; deeper ones are read by pybtex
Value = list[str]  # a field's parts, as written between `#`
Fields = list[tuple[str, Value]]
Command = tuple[str, tuple[object, ...], int, int]  # (command, its body as pybtex yields it, start, end)


class Unread(Exception):
    """The fast reading stops: pybtex reads the file."""


# pybtex's name characters (NAME_CHARS in pybtex.database.input.bibtex; tests/test_bibscan.py checks they are the
# same) and its tokens, each with the whitespace its scanner skips before it (`\s`).
NAME_CHARS = ascii_letters + "@!$&*+-./:;<>?[\\]^_`|~\x7f"
_NAME = f"[{re.escape(NAME_CHARS)}][{re.escape(NAME_CHARS + digits)}]*+"
HEAD = re.compile(rf"\s*+({_NAME})\s*+([{{(])")
KEY_IN_BRACES = re.compile(r"\s*+([^\s,}]++)")
KEY_IN_PARENTHESES = re.compile(r"\s*+([^\s,]++)")
FIELD = re.compile(rf"\s*+({_NAME})\s*+=")
# a field whose value is one part without inner braces, followed by a comma or the end: the usual case
SIMPLE_FIELD = re.compile(rf'\s*+({_NAME})\s*+=\s*+(?:\{{([^{{}}]*+)\}}|"([^"{{}}]*+)"|([{digits}]++)|({_NAME}))'
                          r"(?=\s*+[,})])")
COMMA = re.compile(r"\s*+,")
HASH = re.compile(r"\s*+#")
PART = re.compile(rf'\s*+(?:(")|(\{{)|([{digits}]++)|({_NAME}))')
CLOSING_BRACE = re.compile(r"\s*+\}")
CLOSING_PARENTHESIS = re.compile(r"\s*+\)")
BRACED = re.compile(r"[^{}]*+\}")  # a braced value without inner braces, the usual case
QUOTED = re.compile(r'[^"{}]*+"')
BRACE = re.compile(r"[{}]")
BRACE_OR_QUOTE = re.compile(r'["{}]')


def scan(text: str, months: Mapping[str, str]) -> list[Command]:
    """Every command of a well-formed file, as pybtex's LowLevelParser yields it, with where it starts and
    ends; Unread when the file is not plainly well-formed."""
    return list(_Reader(text, {name.lower(): value for name, value in months.items()}).commands())


class _Reader:
    def __init__(self, text: str, macros: dict[str, str]):
        self.text = text
        self.macros = macros  # by lower-case name: pybtex's are case-insensitive
        self.pos = 0

    def take(self, match: Callable[[str, int], re.Match[str] | None]) -> re.Match[str] | None:
        """A token here (`match`: a pattern's match method), the position moved past it; or None."""
        found = match(self.text, self.pos)
        if found:
            self.pos = found.end()
        return found

    def need(self, match: Callable[[str, int], re.Match[str] | None]) -> re.Match[str]:
        found = self.take(match)
        if found is None:
            raise Unread(f"no token at {self.pos}")
        return found

    def commands(self) -> Iterator[Command]:
        text = self.text
        while True:
            at = text.find("@", self.pos)
            if at < 0:
                return
            self.pos = at + 1
            head = self.need(HEAD.match)
            command, opening = head.group(1), head.group(2)
            lower = command.lower()
            if lower == "comment":  # pybtex skips only the word and its brace: the text after is between entries
                continue
            if lower == "string":
                name = self.need(FIELD.match).group(1)
                value = self.value()
                self.macros[name.lower()] = "".join(value)
                body: tuple[object, ...] = (name, value)
            elif lower == "preamble":
                body = (self.value(),)
            else:
                body = (self.need(KEY_IN_BRACES.match if opening == "{" else KEY_IN_PARENTHESES.match).group(1), self.fields())
            self.need(CLOSING_BRACE.match if opening == "{" else CLOSING_PARENTHESIS.match)
            yield command, body, at, self.pos

    def fields(self) -> Fields:
        """pybtex's loop: a field or none, then a comma or the end (`@a{k title={x}}` is read as it reads it)."""
        fields: Fields = []
        simple, comma, text = SIMPLE_FIELD.match, COMMA.match, self.text
        while True:
            found = simple(text, self.pos)
            if found:
                self.pos = found.end()
                name, braced, quoted, number, macro = found.groups()
                value = braced if braced is not None else quoted if quoted is not None else number
                fields.append((name, [self.macro(macro) if value is None else value]))
            else:
                found = self.take(FIELD.match)
                if found:
                    fields.append((found.group(1), self.value()))
            found = comma(text, self.pos)
            if not found:
                return fields
            self.pos = found.end()

    def value(self) -> Value:
        parts = [self.part()]
        while self.take(HASH.match):
            parts.append(self.part())
        return parts

    def part(self) -> str:
        found = self.need(PART.match)
        quote, _, number, name = found.groups()
        if number is not None:
            return number
        if name is not None:
            return self.macro(name)
        return self.string(quoted=quote is not None)

    def macro(self, name: str) -> str:
        try:
            return self.macros[name.lower()]
        except KeyError:
            raise Unread(f"undefined macro {name}") from None

    def string(self, *, quoted: bool) -> str:
        """The text up to the closing quote or brace, inner braces balanced."""
        start = self.pos
        simple = self.take(QUOTED.match if quoted else BRACED.match)
        if simple:
            return self.text[start:self.pos - 1]
        search = (BRACE_OR_QUOTE if quoted else BRACE).search
        depth = 0
        while True:
            found = search(self.text, self.pos) if depth == 0 else BRACE.search(self.text, self.pos)
            if found is None:
                raise Unread("the file ends inside a value")
            self.pos = found.end()
            mark = found.group()
            if mark == "{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise Unread("braces nested too deep")
            elif depth:
                depth -= 1
            elif mark == "}" and quoted:
                raise Unread("unbalanced braces")
            else:  # the closing quote, or the closing brace
                return self.text[start:self.pos - 1]
