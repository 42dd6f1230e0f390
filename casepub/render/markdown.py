"""Markdown to HTML for publication: safe, typographically careful, with figure citations linked.

Safety: raw HTML is off (markdown-it's "commonmark" preset would pass it
through), Markdown images are off (a case's images are its declared panels,
nothing else), and links are limited to http, https and mailto (markdown-it's
own validation lets `/etc/passwd`, `../` and `http://169.254.169.254` through).

Typography: smart quotes and markdown-it's replacements, a non-breaking space
between a number and its unit (4.5 mL), an en dash in numeric and panel ranges
(10–20 mg, Figures 1B–D), a minus sign before a negative number (−3.4).
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.smartquotes import QUOTE_RE, process_inlines
from markdown_it.token import Token

from casepub.citations import DASHES, Citation, FigureIndex

LINK_SCHEMES = ("http://", "https://", "mailto:")
UNITS = ("mL|mg|µg|μg|mcg|g|kg|mm|cm|µm|μm|nm|m|L|dL|mmol|µmol|mol|mEq|IU|U|Hz|kHz|MHz|T|Gy|cGy|mGy|mSv|Sv"
         "|mmHg|bpm|°C|°F|%|h|hrs?|min|ms|s|wk|mo|kPa|MPa|N|Nm|kcal|cc|mg/kg|mg/day|mg/d")
# Possessive quantifiers (*+, ++, ?+) where what follows cannot match the same characters: the same matches,
# without giving characters back one by one when a match fails (tests/test_regex_budget.py).
NUMBER_UNIT = re.compile(rf"(\d)[ \t]++(?=(?:{UNITS})(?![\w]))")
NUMBER_RANGE = re.compile(r"(?<![\w.\-–])(\d++(?:\.\d++)?+)[ ]?+-[ ]?+(\d++(?:\.\d++)?+)(?![\w.\-])")
MINUS = re.compile(r"(?<![\w)\]])-(?=\d)")
DOTS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
EM_DASH = re.compile(r"(?<!-)---(?!-)")
EN_DASH = re.compile(r"(?<!-)--(?!-)")
DEGREE = re.compile(r"(\d)[ \t]++°")


def is_safe_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def typeset(text: str) -> str:
    """The typographic changes casepub makes to prose, none of which can change what the author meant:
    "..." to an ellipsis, "---" and "--" to em and en dashes, an en dash in number ranges (10–20), a minus
    sign before a negative number, no space before a degree sign, a no-break space between a number and its
    unit. markdown-it's own replacements are off: they turn "(c)" into "©", "(r)" into "®", "+-" into "±" and
    ",," into ",", which changes what was typed (an "(a), (b), (c)" list)."""
    text = DOTS.sub("…", text)
    text = EM_DASH.sub("—", text)
    text = EN_DASH.sub("–", text)
    text = NUMBER_RANGE.sub("\\1–\\2", text)
    text = MINUS.sub("−", text)
    text = DEGREE.sub("\\1°", text)
    return NUMBER_UNIT.sub("\\1\u00a0", text)


def panel_anchor(figure_id: str, label: str) -> str:
    return f"{figure_id}-{label}"


def _typography(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline":
            for child in token.children or ():
                if child.type == "text":
                    child.content = typeset(child.content)


def _citations(state: StateCore) -> None:
    """Turn each resolved figure citation in the text into links to the panels it names."""
    index: FigureIndex | None = state.env.get("figures")
    ids: list[str] = state.env.get("figure_ids", [])
    if index is None:
        return
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = [new for child in token.children for new in _link_citations(child, index, ids)]


_CITING_WORD = re.compile(r"(?:[Ff]igures?|[Ff]igs?\.)\s*+")
_CITED = re.compile(r"(\d{1,3})?([A-Z])?")
_CITED_DASH = re.compile(rf"(?<=[A-Z0-9])[ ]?[{DASHES}][ ]?(?=[0-9]*+[A-Z])")  # "1B - D" -> "1B–D"


def _link_citations(token: Token, index: FigureIndex, ids: list[str]) -> list[Token]:
    """Each panel label a citation names links to its panel: "Figure B,C" is two links (B, C), "Figures 1B–D"
    two (1B, D: the labels written); a figure cited without a panel ("Figure 2") links to the figure."""
    if token.type != "text":
        return [token]
    out, position, text = [], 0, token.content
    for found in index.citations(text):
        if not isinstance(found, Citation):
            continue
        out.append(_text(text[position:found.start]))
        out += _cited_links(_CITED_DASH.sub("–", found.text),
                            found, index, ids)
        position = found.start + len(found.text)
    if not out:
        return [token]
    out.append(_text(text[position:]))
    return [t for t in out if t.type != "text" or t.content]


def _cited_links(text: str, found: Citation, index: FigureIndex, ids: list[str]) -> list[Token]:
    """The tokens of one resolved citation: a link per label written, the words between as text."""
    word = _CITING_WORD.match(text)
    start = word.end() if word else 0
    out: list[Token] = []
    position, figure = 0, found.panels[0][0]
    for item in _CITED.finditer(text, start):
        number, label = item.groups()
        if not item.group(0):
            continue
        if number:
            figure = int(number) - 1
        if label and (figure, label) in found.panels:
            href = panel_anchor(ids[figure], label)
        elif not label:
            href = ids[figure]
        else:  # cannot happen for a resolved citation; leave the text as written
            continue
        link_start = position if not out else item.start()
        out.append(_text(text[position:link_start]))
        out += [Token("link_open", "a", 1, attrs={"href": f"#{href}", "class": "xref"}),
                _text(text[link_start:item.end()]), Token("link_close", "a", -1)]
        position = item.end()
    out.append(_text(text[position:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


MAX_SMART_QUOTES = 500  # quote marks in one paragraph beyond which they are left straight


def _bounded_smartquotes(state: StateCore) -> None:
    """markdown-it's smart quotes, but not in a paragraph with hundreds of quote marks: pairing them is
    quadratic in their number (a paragraph of 50 000 apostrophes took 1.3 s; of 1 MB, minutes)."""
    for token in state.tokens:
        if token.type == "inline" and token.children and QUOTE_RE.search(token.content) \
                and token.content.count("'") + token.content.count('"') <= MAX_SMART_QUOTES:
            process_inlines(token.children, state)


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "linkify": False})
    md.enable(["table", "strikethrough", "smartquotes"])  # not "replacements": see typeset
    md.core.ruler.at("smartquotes", _bounded_smartquotes)
    md.disable(["image", "html_inline", "html_block"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]  # markdown-it's documented hook
    md.core.ruler.push("casepub_typography", _typography)
    md.core.ruler.push("casepub_citations", _citations)
    return md


PARSER = make_parser()


def render_body(text: str, figures: FigureIndex | None = None, figure_ids: list[str] | None = None) -> str:
    return PARSER.render(text, {"figures": figures, "figure_ids": figure_ids or []})


def render_inline(text: str) -> str:
    """One line of Markdown (a title, a caption): emphasis and links, no blocks."""
    return PARSER.renderInline(text, {})


def plain_inline(text: str) -> str:
    """The text of one line of Markdown as a reader sees it, without markup: for every place that takes
    plain text (<title>, meta tags, PDF metadata, contents). `7*7` stays `7*7`; `*MRI*` becomes `MRI`."""
    tokens = PARSER.parseInline(text, {})
    words = []
    for token in tokens[0].children or () if tokens else ():
        if token.type in ("text", "code_inline"):
            words.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return "".join(words)
