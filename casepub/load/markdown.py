"""The Markdown parser, built once per process, and the body read as prose blocks with line maps.

Raw HTML is off: markdown-it's default "commonmark" preset would pass it through.
Emphasis markers note where they stand in their inline source (markdown-it's inline
tokens have no positions), for the check that finds markers between digits.
"""
from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.emphasis import tokenize as emphasis_tokenize
from markdown_it.token import Token

from casepub.model import Body
from casepub.tables import Caption, find_tables

_EMPHASIS = {"em_open": True, "strong_open": True, "em_close": False, "strong_close": False}  # type -> opens
_MARKERS = "*_"


def _located_emphasis(state: StateInline, silent: bool) -> bool:
    """markdown-it's emphasis rule, each marker's token noting its offset in the inline source (meta["offset"]):
    the token of an opening or closing marker keeps it when the pairing turns it into em_open or em_close."""
    start = state.pos
    if not emphasis_tokenize(state, silent):
        return False
    for index, token in enumerate(state.tokens[len(state.tokens) - (state.pos - start):]):
        token.meta["offset"] = start + index
    return True


# The rules the published page is rendered with (render/markdown.py), less typography: the checks read the
# text the reader will see (Markdown images are off there, so `![x](y)` is text and a link here too).
PARSER = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"]).disable(
    ["image", "html_inline", "html_block"])
PARSER.inline.ruler.at("emphasis", _located_emphasis)


@dataclass(frozen=True)
class Emphasis:
    """An emphasis the parser found: its opening and closing runs of markers, as (start, end) offsets in the
    inline source. Its markers are not printed."""
    opening: tuple[int, int]
    closing: tuple[int, int]


def emphasis_in(children: list[Token], source: str) -> tuple[Emphasis, ...]:
    """Every emphasis (and strong emphasis) among an inline token's children, paired as they nest."""
    found, opened = [], []
    for token in children:
        offset = token.meta.get("offset") if token.meta else None
        if offset is None or token.type not in _EMPHASIS:
            continue
        if _EMPHASIS[token.type]:
            opened.append(_run(source, offset))
        elif opened:
            found.append(Emphasis(opened.pop(), _run(source, offset)))
    return tuple(sorted(dict.fromkeys(found), key=lambda emphasis: emphasis.opening))  # ***x***: em and strong, once


def _run(source: str, offset: int) -> tuple[int, int]:
    """The run of * and _ around the marker at `offset` (a strong marker's token stands on one of its two)."""
    start, end = offset, offset + 1
    while start > 0 and source[start - 1] in _MARKERS:
        start -= 1
    while end < len(source) and source[end] in _MARKERS:
        end += 1
    return start, end


def inline_emphasis(text: str) -> tuple[Emphasis, ...]:
    """The emphasis in one line of Markdown (a title, a caption), as render_inline reads it."""
    tokens = PARSER.parseInline(text, {})
    return emphasis_in(tokens[0].children or [], tokens[0].content) if tokens else ()


_PROSE_PARENTS = {"paragraph_open", "heading_open", "th_open", "td_open"}


@dataclass(frozen=True)
class TextBlock:
    """One paragraph, heading or table cell: its inline source, where each of its lines starts in case.md."""
    kind: str            # paragraph | heading | cell
    level: int           # heading level (h2 -> 2); 0 otherwise
    source: str          # inline Markdown source, lines joined by "\n"
    plain: str           # its text without Markdown syntax
    starts: tuple[tuple[int, int], ...]  # (file line, column) of each source line's first character
    emphasis: tuple[Emphasis, ...] = ()  # where its emphasis markers are in `source`

    @cached_property
    def _breaks(self) -> list[int]:
        """The offsets of the line breaks in `source`, found once."""
        return [end - 1 for end in itertools.accumulate(len(line) + 1 for line in self.source.split("\n")[:-1])]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) in case.md of the character at `offset` in `source`: the offset is placed among the
        line breaks by bisection, so that thousands of findings in a long block cost no more than one pass."""
        index = bisect_left(self._breaks, offset)  # the line breaks before the offset
        line, column = self.starts[min(index, len(self.starts) - 1)]
        return line, column + offset - (self._breaks[index - 1] + 1 if index else 0)


def body_blocks(body: Body) -> list[TextBlock]:
    lines = body.text.split("\n")
    tokens = PARSER.parse(body.text)
    blocks = []
    for opener, token in itertools.pairwise(tokens):
        if token.type != "inline" or opener.type not in _PROSE_PARENTS or not token.map:
            continue
        kind = {"paragraph_open": "paragraph", "heading_open": "heading"}.get(opener.type, "cell")
        level = int(opener.tag[1]) if kind == "heading" else 0
        plain = "".join(_plain(child) for child in token.children or ())
        starts = _starts(token.content, lines, token.map[0], body)
        emphasis = emphasis_in(token.children or [], token.content)
        blocks.append(TextBlock(kind, level, token.content, plain, starts, emphasis))
    return blocks


def _plain(token: Token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    return " " if token.type in ("softbreak", "hardbreak") else ""


def _starts(content: str, lines: list[str], first: int, body: Body) -> tuple[tuple[int, int], ...]:
    """Where each line of a block's inline content stands in the file (markers and indentation skipped)."""
    starts = []
    for offset, part in enumerate(content.split("\n")):
        index = min(first + offset, len(lines) - 1)
        source = lines[index] if lines else ""
        column = source.find(part) if part else -1
        starts.append((body.file_line(index), column + 1 if column >= 0 else 1))
    return tuple(starts)


@dataclass(frozen=True)
class TableInfo:
    """A pipe table of the body, for the table rules: where it and its caption line are written in case.md."""
    number: int                       # 1, 2, 3 ... in the order of the body
    line: int                         # file line of its header row
    column: int
    columns: int
    caption: Caption | None
    caption_at: tuple[int, int] | None  # (file line, column) of its caption line


def body_tables(body: Body) -> tuple[TableInfo, ...]:
    """The body's tables, in order (none without a "|" in the text: the common case costs no parse)."""
    if "|" not in body.text:
        return ()
    lines = body.text.split("\n")
    tokens = PARSER.parse(body.text)
    found = []
    for number, table in enumerate(find_tables(tokens, lines), start=1):
        start = (tokens[table.open].map or [0])[0]
        caption_at = None
        if table.caption_line is not None:
            caption_at = (body.file_line(table.caption_line), _indent(lines[table.caption_line]) + 1)
        found.append(TableInfo(number, body.file_line(start), _indent(lines[start]) + 1, table.columns, table.caption,
                               caption_at))
    return tuple(found)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t>"))
