"""Pandoc citations in the body: `[@key]`, `[@a; @b]`, `[@key, p. 12]`, never inside a code span.

The check reads them from case.md's text blocks with their line and column;
rendering finds them in markdown-it's text tokens (a code span is its own
token there). References are numbered in order of first citation.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# A cluster: brackets around items that each start with @ (or -@, "suppress author": the same in numbered styles).
# The inside is one possessive run of characters other than brackets and line breaks: linear.
CLUSTER = re.compile(r"\[(?=[ \t]*+-?@)([^\[\]\n]++)\]")
# An item: @key, then an optional ", locator". Pandoc's key: a letter, digit or _, then those and :.#$%&-+?<>~/
ITEM = re.compile(r"[ \t]*+-?@(\w[\w:.#$%&+?<>~/-]*+)(?:[ \t]*+,[ \t]*+([^;]*+))?+[ \t]*+")
KEY_END = ":.#$%&+?<>~/-"  # punctuation that ends a sentence after a key, not part of it ([@a.] is a)
BACKTICKS = re.compile(r"`++")
LOCATOR = re.compile(r"(?:(pp?|pages?|chap|chapters?|ch|sec|sections?|fig|figures?|tbl|tables?|vol|volumes?|para"
                     r"|paragraphs?|l|lines?)\.?+)?+[ \t]*+(\S.*+)?+", re.IGNORECASE)
LABELS = {"p": "page", "pp": "page", "page": "page", "pages": "page", "chap": "chapter", "chapter": "chapter",
          "chapters": "chapter", "ch": "chapter", "sec": "section", "section": "section", "sections": "section",
          "fig": "figure", "figure": "figure", "figures": "figure", "tbl": "table", "table": "table",
          "tables": "table", "vol": "volume", "volume": "volume", "volumes": "volume", "para": "paragraph",
          "paragraph": "paragraph", "paragraphs": "paragraph", "l": "line", "line": "line", "lines": "line"}


@dataclass(frozen=True)
class Cited:
    """One cited reference in a cluster: its key, and the locator written after it (label, value) if any."""
    key: str
    locator: tuple[str, str] | None = None
    offset: int = 0  # of the @ in the text searched


@dataclass(frozen=True)
class Cluster:
    """A bracketed citation: where it starts and ends in the text searched, and what it cites."""
    start: int
    end: int
    items: tuple[Cited, ...]


def clusters(text: str, skip: Iterable[tuple[int, int]] = ()) -> Iterator[Cluster]:
    """Every citation cluster in `text` that does not start inside one of the `skip` spans (code spans)."""
    spans = sorted(skip)
    starts = [start for start, _ in spans]
    for found in CLUSTER.finditer(text):
        index = bisect_right(starts, found.start()) - 1
        if index >= 0 and spans[index][0] <= found.start() < spans[index][1]:
            continue
        items = _items(found.group(1), found.start(1))
        if items:
            yield Cluster(found.start(), found.end(), items)


def _items(inside: str, offset: int) -> tuple[Cited, ...]:
    """The items of a cluster; a cluster any part of which is not an item is not a citation (Pandoc: text)."""
    items, position = [], 0
    for part in inside.split(";"):
        item = ITEM.fullmatch(part)
        if item is None:
            return ()
        key = item.group(1).rstrip(KEY_END)
        items.append(Cited(key, locator(item.group(2)), offset + position + part.index("@")))
        position += len(part) + 1
    return tuple(items)


def locator(text: str | None) -> tuple[str, str] | None:
    """"p. 12" -> ("page", "12"); "chap. 3" -> ("chapter", "3"); a bare "12" is a page."""
    if not text or not text.strip():
        return None
    found = LOCATOR.fullmatch(text.strip())
    if found is None or not found.group(2):
        return ("page", text.strip())
    return (LABELS.get((found.group(1) or "p").lower(), "page"), found.group(2).strip())


def code_spans(source: str) -> list[tuple[int, int]]:
    """(start, end) of each code span in a block's inline Markdown: a run of n backticks to the next run of n."""
    runs = [(found.start(), found.end()) for found in BACKTICKS.finditer(source)]
    spans, index = [], 0
    while index < len(runs):
        start, end = runs[index]
        length = end - start
        closing = next((j for j in range(index + 1, len(runs)) if runs[j][1] - runs[j][0] == length), None)
        if closing is None:
            index += 1
            continue
        spans.append((start, runs[closing][1]))
        index = closing + 1
    return spans


def first_cited(keys: Iterable[str]) -> dict[str, int]:
    """Key -> its reference number: 1, 2, 3 ... in order of first citation."""
    numbers: dict[str, int] = {}
    for key in keys:
        numbers.setdefault(key, len(numbers) + 1)
    return numbers
