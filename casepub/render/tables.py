"""Numbered tables in the HTML, as a markdown-it plugin: the caption line becomes the table's <caption>
("Table 1. Laboratory values at admission"), the table takes its id, header cells their scope, and each table
citation in the text ("Table 1", "Tables 1–3") links to the tables it names.

Alignment from the pipe row is kept as a class (align-left, align-center, align-right) that article.css
honours, not as markdown-it's inline style: no style attribute reaches the page from a case. A table wider
than WIDE_COLUMNS columns, or captioned with `.wide`, takes the class `wide`: it spans both columns in print.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from casepub.tables import Caption, FoundTable, find_tables, number_spans, table_citations

TABLE_WORD = "Table"   # printed before the number; a renderer's env may give another ("table_word")
_ALIGN = {"text-align:left": "align-left", "text-align:center": "align-center", "text-align:right": "align-right"}
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]++")


def tables_plugin(md: MarkdownIt) -> None:
    """Number and caption the tables before inline parsing (the caption is parsed as inline Markdown like any
    text), and link table citations last, after typography and the figure citations."""
    md.core.ruler.before("inline", "casepub_tables", _number_tables)
    md.core.ruler.push("casepub_table_citations", _link_citations)
    md.add_render_rule("table_label", _render_label)


def _number_tables(state: StateCore) -> None:
    lines = state.src.split("\n")
    found = find_tables(state.tokens, lines)
    ids = _ids(found)
    state.env["tables"] = ids
    for number, table in reversed(list(enumerate(found, start=1))):  # from the last: indices stay valid
        _caption(state.tokens, table, number, ids[number - 1], state.env.get("table_word") or TABLE_WORD)


def _ids(found: Sequence[FoundTable]) -> list[str]:
    """Each table's id: the one its caption gives, else tbl-N; made safe and unique (the check reports both)."""
    ids: list[str] = []
    for number, table in enumerate(found, start=1):
        wanted = _SAFE_ID.sub("-", table.caption.id) if table.caption and table.caption.id else ""
        ident = wanted or f"tbl-{number}"
        ids.append(ident if ident not in ids else f"{ident}-{number}")
    return ids


def _caption(tokens: list[Token], table: FoundTable, number: int, ident: str, word: str) -> None:
    """Give the table its id, class and caption; drop the caption line from where it was written."""
    opened = tokens[table.open]
    opened.attrSet("id", ident)
    if table.wide():
        opened.attrSet("class", "wide")
    for token in tokens[table.open:table.close]:
        _cell(token)
    caption = [Token("caption_open", "caption", 1), _label(f"{word} {number}."), _inline(table.caption),
               Token("caption_close", "caption", -1)]
    if table.caption_tokens is not None:
        first, last = table.caption_tokens
        del tokens[first:last + 1]
        if tokens[first - 1].type == "tbody_open" and tokens[first].type == "tbody_close":
            del tokens[first - 1:first + 1]  # the caption was the only row of the body
    tokens[table.open + 1:table.open + 1] = caption


def _cell(token: Token) -> None:
    """Alignment as a class, and header cells as column headers."""
    if token.type not in ("th_open", "td_open"):
        return
    style = token.attrs.pop("style", None)
    if isinstance(style, str) and style in _ALIGN:
        token.attrSet("class", _ALIGN[style])
    if token.type == "th_open":
        token.attrSet("scope", "col")


def _label(text: str) -> Token:
    token = Token("table_label", "", 0)
    token.content = text
    return token


def _inline(caption: Caption | None) -> Token:
    """The caption's text as an inline token: the inline rule parses it (emphasis, links) like any text."""
    token = Token("inline", "", 0)
    token.content = caption.text if caption else ""
    token.children = []
    return token


def _render_label(_renderer: object, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    return f'<span class="table-label">{escapeHtml(tokens[index].content)}</span> '


def _link_citations(state: StateCore) -> None:
    ids: list[str] = state.env.get("tables") or []
    if not ids:
        return
    for token in state.tokens:
        if token.type == "inline" and token.children and "Table" in token.content:
            token.children = _linked(token.children, ids)


def _linked(children: list[Token], ids: list[str]) -> list[Token]:
    """Each number of a resolved table citation, outside links, as a link to its table: the first with the
    word before it ("Table 1", as figure citations link "Figure A"), the others alone ("Tables 1 and 2")."""
    out: list[Token] = []
    depth = 0
    for child in children:
        depth += (child.type == "link_open") - (child.type == "link_close")
        out += _citation_links(child, ids) if child.type == "text" and not depth else [child]
    return out


def _citation_links(token: Token, ids: list[str]) -> list[Token]:
    out, position, text = [], 0, token.content
    for citation in table_citations(text, len(ids)):
        if citation.problem:
            continue
        for written, (start, end, number) in enumerate(number_spans(citation.text)):
            start, end = citation.start + (start if written else 0), citation.start + end  # "Table 1" whole
            out += [_text(text[position:start]), Token("link_open", "a", 1, attrs={"href": f"#{ids[number - 1]}",
                                                                                     "class": "xref"}),
                    _text(text[start:end]), Token("link_close", "a", -1)]
            position = end
    if not out:
        return [token]
    out.append(_text(text[position:]))
    return [t for t in out if t.type != "text" or t.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token
