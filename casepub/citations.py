"""Figure citations as journals print them ("Figure A", "Figure B,C", "Figures 1B–D", "Fig. 2C")
and caption keys ("A", "B-C"), resolved against the case's figures and panels."""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from casepub.model import Figure

DASHES = "-–—"
# Linear time on any text (tests/test_regex_budget.py): a quantifier whose characters cannot be what follows
# it is possessive (*+, ++, ?+), so a failing match never gives characters back to try them elsewhere; and
# the whitespace before a separator is taken only from the start of its run ((?<!\s)), not from every space
# of a long run again.
_ITEM = rf"\d{{0,3}}[A-Z](?:\s*+[{DASHES}]\s*+\d{{0,3}}[A-Z])?(?![A-Za-z0-9])|\d{{1,3}}(?![\d.,]\d)(?![A-Za-z])"
CITATION = re.compile(
    rf"\b(?:[Ff]igures?|[Ff]igs?\.)\s*+(?P<items>(?:{_ITEM})(?:\s*+(?:,|and|&)\s*+(?:{_ITEM}))*)"
)
_PARTS = re.compile(rf"\s*+(\d*+)\s*+([A-Z]?+)\s*+(?:[{DASHES}]\s*+(\d*+)\s*+([A-Z]))?+\s*+")
_SPLIT = re.compile(r"(?:(?<!\s)\s++)?(?:,|\band\b|&)\s*+")


class Unresolved(ValueError):
    """A citation or caption key that names no panel; the message says why."""


@dataclass(frozen=True)
class Citation:
    text: str                   # as written, e.g. "Figure B,C"
    start: int                  # offset in the text it was found in
    panels: tuple[tuple[int, str], ...]  # (figure index, label) cited


def panel_labels(figure: Figure) -> tuple[str, ...]:
    """Each panel's label: as written, else A, B, C ... by position."""
    return tuple(panel.label or chr(ord("A") + index % 26) for index, panel in enumerate(figure.panels))


class FigureIndex:
    """The case's figures, for resolving what a citation or a caption key names."""

    def __init__(self, figures: Sequence[Figure]):
        self.figures = tuple(figures)
        self.labels = tuple(panel_labels(figure) for figure in figures)

    def citations(self, text: str) -> Iterator[Citation | tuple[int, str, Unresolved]]:
        """Each citation in `text`, resolved; an unresolved one as (offset, text, error)."""
        for match in CITATION.finditer(text):
            try:
                yield Citation(match.group(0), match.start(), self._resolve_items(match.group("items")))
            except Unresolved as error:
                yield (match.start(), match.group(0), error)

    def caption_key(self, figure: int, key: str) -> tuple[str, ...]:
        """The labels a caption key covers: "A" -> (A,), "B-C" -> (B, C)."""
        labels: list[str] = []
        for item in _SPLIT.split(key.strip()):
            number, first, end_number, last = _parts(item)
            if number or end_number or not first:
                raise Unresolved("it should be a panel label or a range such as B-C")
            labels += self._span(figure, first, last or first)
        return tuple(labels)

    def _resolve_items(self, items: str) -> tuple[tuple[int, str], ...]:
        cited: list[tuple[int, str]] = []
        current: int | None = None
        for item in _SPLIT.split(items.strip()):
            number, first, end_number, last = _parts(item)
            if end_number and end_number != number:
                raise Unresolved(f"a range cannot span figures ({_shown(item)})")
            current = self._figure(number, current)
            if not first:
                cited += [(current, label) for label in self.labels[current]]
                continue
            cited += [(current, label) for label in self._span(current, first, last or first)]
        return tuple(cited)

    def _figure(self, number: str, current: int | None) -> int:
        count = len(self.figures)
        if not count:
            raise Unresolved("the case has no figures")
        if number:
            if not 1 <= int(number) <= count:
                raise Unresolved(f"there is no figure {number} (the case has {count})")
            return int(number) - 1
        if current is not None:
            return current
        if count == 1:
            return 0
        raise Unresolved("the case has several figures: say which, e.g. \"Figure 1B\"")

    def _span(self, figure: int, first: str, last: str) -> list[str]:
        labels = self.labels[figure]
        for label in (first, last):
            if label not in labels:
                raise Unresolved(f"{self._name(figure)} has no panel {label} (its panels: {_range(labels)})")
        start, end = labels.index(first), labels.index(last)
        if end < start:
            raise Unresolved(f"the range {first}–{last} runs backwards")
        return list(labels[start:end + 1])

    def _name(self, figure: int) -> str:
        return "the figure" if len(self.figures) == 1 else f"figure {figure + 1}"


def _parts(item: str) -> tuple[str, str, str, str]:
    match = _PARTS.fullmatch(item)
    if not match:
        raise Unresolved(f"{_shown(item)} is not a panel reference")
    return match.groups(default="")  # type: ignore[return-value]


def _shown(item: str, most: int = 24) -> str:
    """An item as a message quotes it: as written, or its start and its length when it is long."""
    return repr(item) if len(item) <= most else f"{item[:most]!r}… ({len(item):,} characters)"


def _range(labels: Sequence[str]) -> str:
    if not labels:
        return "none"
    return f"{labels[0]}–{labels[-1]}" if len(labels) > 2 else ", ".join(labels)
