"""Numbered tables: the caption line after a pipe table (": caption {#tbl-id .wide}", Quarto's form) and table
citations in the text ("Table 1", "Tables 1 and 2", "Tables 1–3", "(Table 2)").

Shared by the check (casepub/load/markdown.py `body_tables`, casepub/checks/tables.py) and the renderer
(casepub/render/tables.py), so that both find the same tables, captions and numbers in the same tokens.
A caption line directly under the table (no blank line) is read by markdown-it as one more row; it is a
caption all the same, as Pandoc reads it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

WIDE_COLUMNS = 4      # a table with more columns than this spans both columns in print, as `.wide` asks
CLASSES = ("wide",)   # the caption classes casepub knows; others are ignored
TABLE_ID = re.compile(r"tbl-[A-Za-z0-9_-]++")   # Quarto's cross-reference prefix; fullmatch
_CAPTION_PREFIXES = (":", "Table:")
_QUOTES = "'\""

DASHES = "-–—"
# Linear time (tests/test_regex_budget.py): every quantifier is possessive, and each repetition of the list
# takes at least one digit. A number followed by a letter or a decimal part ("Table 1a", "Table 1.5") is no
# citation: the possessive list cannot give it back, so the match fails as a whole.
_NUMBERS = rf"\d{{1,3}}+(?:\s*+[{DASHES}]\s*+\d{{1,3}}+)?+"
TABLE_CITATION = re.compile(
    rf"\bTables?+\s*+(?P<items>{_NUMBERS}(?:\s*+(?:,\s*+(?:and\s++)?+|and\s++|&\s*+){_NUMBERS})*+)"
    r"(?![\w])(?![.,]\d)")
_ITEM = re.compile(rf"(\d++)(?:\s*+[{DASHES}]\s*+(\d++))?+")
_NUMBER = re.compile(r"\d++")


@dataclass(frozen=True)
class Caption:
    """A table's caption line, read."""
    text: str                       # the caption, without ": " and the attributes
    id: str | None = None           # the `#id` written, without "#"
    classes: tuple[str, ...] = ()   # the `.class`es written, without "."


def caption_line(line: str) -> Caption | None:
    """The caption a line (or a paragraph, its lines joined) writes, or None when it is not a caption line.
    Read with string methods, not a regular expression: one pass over the line, whatever it holds."""
    text = line.strip()
    prefix = next((p for p in _CAPTION_PREFIXES if text.startswith(p)), None)
    if prefix is None or (prefix == ":" and text[1:2] not in ("", " ", "\t")):
        return None  # ":-" and ":x" are no caption lines (Pandoc's own rule: a space after the colon)
    text = text[len(prefix):].strip()
    ident, classes = None, []
    if text.endswith("}") and "{" in text:
        start = text.rfind("{")
        for word in text[start + 1:-1].split():
            if word.startswith("#") and ident is None:
                ident = word[1:].strip(_QUOTES)
            elif word.startswith("."):
                classes.append(word[1:])
        text = text[:start].rstrip()
    return Caption(" ".join(text.split()), ident, tuple(classes))


@dataclass(frozen=True)
class FoundTable:
    """A pipe table among markdown-it's block tokens: where its tokens are, its caption and where that is."""
    open: int                    # index of table_open
    close: int                   # index of table_close
    columns: int
    caption: Caption | None
    caption_tokens: tuple[int, int] | None  # (first, last) token indices of the caption's row or paragraph
    caption_line: int | None     # 0-based line of the caption in the source

    def wide(self) -> bool:
        return self.columns > WIDE_COLUMNS or bool(self.caption and "wide" in self.caption.classes)


def find_tables(tokens: Sequence[Token], lines: Sequence[str]) -> list[FoundTable]:
    """Every pipe table in `tokens` (from markdown-it's block parser, with `lines` its source), in order."""
    found = []
    for index, token in enumerate(tokens):
        if token.type != "table_open":
            continue
        close = next(i for i in range(index, len(tokens)) if tokens[i].type == "table_close")
        columns = _columns(tokens, index, close)
        caption = _row_caption(tokens, index, close, lines) or _paragraph_caption(tokens, close)
        if caption is None:
            found.append(FoundTable(index, close, columns, None, None, None))
        else:
            found.append(FoundTable(index, close, columns, *caption))
    return found


def _columns(tokens: Sequence[Token], start: int, close: int) -> int:
    count = 0
    for token in tokens[start:close]:
        if token.type == "th_open":
            count += 1
        elif token.type == "thead_close":
            break
    return count


def _row_caption(tokens: Sequence[Token], start: int, close: int,
                 lines: Sequence[str]) -> tuple[Caption, tuple[int, int], int] | None:
    """A caption line written directly under the table, which markdown-it reads as its last row."""
    last = next((i for i in range(close, start, -1) if tokens[i].type == "tr_open"), None)
    where = tokens[last].map if last is not None else None
    if last is None or where is None or not any(t.type == "tbody_open" for t in tokens[start:last]):
        return None
    line = where[0]
    caption = caption_line(_unquoted(lines[line])) if line < len(lines) else None
    if caption is None:
        return None
    end = next(i for i in range(last, close) if tokens[i].type == "tr_close")
    return caption, (last, end), line


def _paragraph_caption(tokens: Sequence[Token], close: int) -> tuple[Caption, tuple[int, int], int] | None:
    """A caption line after the table and a blank line: a paragraph of its own."""
    where = tokens[close + 1].map if close + 3 <= len(tokens) else None
    if where is None or tokens[close + 1].type != "paragraph_open":
        return None
    caption = caption_line(tokens[close + 2].content)
    if caption is None:
        return None
    return caption, (close + 1, close + 3), where[0]


def _unquoted(line: str) -> str:
    """A line without the block quote markers and indentation before it."""
    return line.lstrip(" \t>")


@dataclass(frozen=True)
class TableCitation:
    text: str                    # as written, e.g. "Tables 1–3"
    start: int                   # offset in the text it was found in
    numbers: tuple[int, ...]     # the tables cited, 1-based
    problem: str | None = None   # why it does not resolve; None when it does


def table_citations(text: str, count: int) -> Iterator[TableCitation]:
    """Each table citation in `text`, resolved against a case of `count` tables."""
    if "Table" not in text:
        return
    for match in TABLE_CITATION.finditer(text):
        numbers, problem = _resolve(match.group("items"), count)
        yield TableCitation(match.group(0), match.start(), numbers, problem)


def _resolve(items: str, count: int) -> tuple[tuple[int, ...], str | None]:
    numbers: list[int] = []
    for item in _ITEM.finditer(items):
        first, last = int(item.group(1)), int(item.group(2) or item.group(1))
        if last < first:
            return (), f"the range {first}–{last} runs backwards"
        for number in (first, last):
            if not 1 <= number <= count:
                has = f"the case has {count}" if count else "the case has no tables"
                return (), f"there is no table {number} ({has})"
        numbers += range(first, last + 1)
    return tuple(numbers), None


def number_spans(citation: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, number) of each number written in a citation's text: what the renderer links."""
    for match in _NUMBER.finditer(citation):
        yield match.start(), match.end(), int(match.group(0))
