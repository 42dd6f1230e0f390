"""Markdown to HTML for publication: safe, typographically careful, with figure citations linked.

Safety: raw HTML is off (markdown-it's "commonmark" preset would pass it
through), Markdown images are off (a case's images are its declared panels,
nothing else), and links are limited to http, https and mailto (markdown-it's
own validation lets `/etc/passwd`, `../` and `http://169.254.169.254` through).

Typography: smart quotes and the meaning-safe changes of `typeset` (a non-breaking
space between a number and its unit, 4.5 mL; an en dash in numeric and panel ranges,
10–20 mg, Figures 1B–D; a minus sign before a negative number, −3.4).

Verbatim text: link texts, bare URLs, DOIs, PMIDs and e-mail addresses are printed
character for character (no smart quotes, no typography, an autolink's text as typed),
and where they may break is marked in the markup only: <wbr> after / . ? & =, and a
part too long for a line in a span that may break anywhere (article.css).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.smartquotes import QUOTE_RE, process_inlines
from markdown_it.rules_core.text_join import text_join
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from casepub.citations import DASHES, Citation, FigureIndex
from casepub.references import ReferenceList
from casepub.references.cite import clusters as citation_clusters
from casepub.render.tables import tables_plugin

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
# What is printed character for character where it stands in the text: a bare URL, an e-mail address, a DOI, a
# PMID. Each alternative starts where its run of characters starts (the lookbehinds) and takes the run whole
# (possessive): no position of a long run is tried twice. A URL or DOI's trailing punctuation is trimmed after.
IDENTIFIER = re.compile(
    r"(?<![\w.+-])(?:https?://|www\.)\S++"
    r"|(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++"
    r"|(?<![\w./])10\.\d{4,9}+/\S++"
    r"|\bPMID:?+[ \u00a0]?+\d++")
# An identifier's parts: each ends after its run of / . ? & =, where the identifier may break (not inside "//").
PIECE = re.compile(r"[^/.?&=]*+[/.?&=]*+")
LONG_PIECE = 12  # characters: a part longer than this may break anywhere (it may not fit on a narrow line)
_CLOSING = {")": "(", "]": "[", "}": "{"}
_TRAILING = frozenset(".,;:!?'\"’”*_)]}")  # after an identifier: the sentence's, not the identifier's


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


def identifiers(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL, e-mail address, DOI and PMID in `text`, without the punctuation that ends a
    sentence or closes a parenthesis around it ("(see https://x.org/a)." keeps "https://x.org/a")."""
    return [(match.start(), match.start() + _trimmed_length(match.group(0))) for match in IDENTIFIER.finditer(text)]


def _trimmed_length(candidate: str) -> int:
    """The length of `candidate` less its trailing punctuation; a closing bracket stays when it closes one
    opened inside (https://en.wikipedia.org/wiki/Kümmell_(disease)). Counted once: linear in its length."""
    opened = {close: candidate.count(open_) - candidate.count(close) for close, open_ in _CLOSING.items()}
    end = len(candidate)
    while end > 1 and candidate[end - 1] in _TRAILING:
        last = candidate[end - 1]
        if last in _CLOSING:
            if opened[last] >= 0:
                break
            opened[last] += 1
        end -= 1
    return end


def breakable(text: str) -> str:
    """`text` as HTML, each identifier in it marked up where it may break: <wbr> after / . ? & = (not
    between the slashes of "//"), and each part longer than LONG_PIECE in a span that may break anywhere; a
    PMID ("PMID: 31986264") not at all. The text content is unchanged: no character is added or replaced."""
    out, position = [], 0
    for start, end in identifiers(text):
        out.append(escapeHtml(text[position:start]))
        out.append(_breakable_identifier(text[start:end]))
        position = end
    out.append(escapeHtml(text[position:]))
    return "".join(out)


def _breakable_identifier(identifier: str) -> str:
    if identifier.startswith("PMID"):  # short, and its space is part of it: a line break there would lose it
        return f'<span class="identifier nowrap">{escapeHtml(identifier)}</span>'
    pieces = [escapeHtml(piece) if len(piece) <= LONG_PIECE else f'<span class="long">{escapeHtml(piece)}</span>'
              for piece in PIECE.findall(identifier) if piece]
    return f'<span class="identifier">{"<wbr>".join(pieces)}</span>'


def _verbatim(state: StateCore) -> None:
    """Mark what is printed character for character as `verbatim` tokens, before smart quotes and typography
    (which change only `text` tokens): every text inside a link, and each identifier in other text."""
    text_join(state)  # escapes (\*) joined to their text first, so that an identifier is found whole
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _split_verbatim(token.children)


def _split_verbatim(children: list[Token]) -> list[Token]:
    out: list[Token] = []
    depth = 0
    for child in children:
        depth += (child.type == "link_open") - (child.type == "link_close")
        if child.type != "text":
            out.append(child)
        elif depth:
            child.type = "verbatim"
            out.append(child)
        else:
            out += _identifier_tokens(child)
    return out


def _identifier_tokens(token: Token) -> list[Token]:
    """A text token split into text and a verbatim token per identifier."""
    spans = identifiers(token.content)
    if not spans:
        return [token]
    out, position, text = [], 0, token.content
    for start, end in spans:
        out += [_text(text[position:start]), _text(text[start:end], "verbatim")]
        position = end
    out.append(_text(text[position:]))
    return [t for t in out if t.content]


def _render_verbatim(_renderer: object, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType) -> str:
    """The renderer's rule for verbatim tokens (markdown-it binds it to the renderer: hence `_renderer`)."""
    return breakable(tokens[index].content)


def _reference_citations(state: StateCore) -> None:
    """Each Pandoc citation ([@key], [@a; @b], [@key, p. 12]) in the text as the style prints it, linked to its
    entry; a code span is its own token, so `[@key]` there stays text. Without a references list: left as typed."""
    references: ReferenceList | None = state.env.get("casepub_references")
    if references is None:
        return
    for token in state.tokens:
        if token.type == "inline" and token.children and "@" in token.content:
            token.children = [new for child in token.children for new in _citation_tokens(child, references)]


def _citation_tokens(token: Token, references: ReferenceList) -> list[Token]:
    if token.type != "text" or "@" not in token.content:
        return [token]
    out, position, text = [], 0, token.content
    for cluster in citation_clusters(text):
        out.append(_text(text[position:cluster.start]))
        citation = _text(text[cluster.start:cluster.end], "reference_citation")
        citation.meta = {"html": references.citation(cluster)}
        out.append(citation)
        position = cluster.end
    if not out:
        return [token]
    out.append(_text(text[position:]))
    return [t for t in out if t.content]


def _render_reference_citation(_renderer: object, tokens: Sequence[Token], index: int, options: OptionsDict,
                               env: EnvType) -> str:
    """The citation's HTML, made by casepub.references from escaped numbers and the style's affixes."""
    return str(tokens[index].meta["html"])


def panel_anchor(figure_id: str, label: str) -> str:
    return f"{figure_id}-{label}"


def _typography(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline":
            after_word = False  # the text follows a verbatim token that ends in a letter or digit
            for child in token.children or ():
                if child.type == "text":
                    child.content = typeset("a" + child.content)[1:] if after_word else typeset(child.content)
                after_word = child.type == "verbatim" and child.content[-1:].isalnum()


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


def _text(content: str, kind: str = "text") -> Token:
    token = Token(kind, "", 0)
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

SLUG_WORDS = re.compile(r"\w++")


def section_id(heading: str) -> str:
    """A body heading's id: "sec-" and its words, lower case, joined by hyphens ("Case presentation" ->
    sec-case-presentation); the CARE checklist links to it. A repeated heading's id gets -2, -3 ..."""
    return "sec-" + ("-".join(SLUG_WORDS.findall(heading.casefold())) or "section")


def _section_ids(state: StateCore) -> None:
    if not state.env.get("section_ids"):
        return
    used: set[str] = set()
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            base = section_id("".join(child.content for child in tokens[i + 1].children or ()))
            name, n = base, 1
            while name in used:  # "Case", "Case 2", "Case": sec-case, sec-case-2, sec-case-3
                n += 1
                name = f"{base}-{n}"
            used.add(name)
            token.attrSet("id", name)


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "linkify": False})
    md.enable(["table", "strikethrough", "smartquotes"])  # not "replacements": see typeset
    md.core.ruler.before("smartquotes", "casepub_verbatim", _verbatim)
    md.core.ruler.after("casepub_verbatim", "casepub_references", _reference_citations)  # [@key] -> [1]
    md.core.ruler.at("smartquotes", _bounded_smartquotes)
    md.disable(["image", "html_inline", "html_block"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]  # markdown-it's documented hook
    md.normalizeLinkText = _as_typed  # type: ignore[method-assign,assignment]  # an autolink's text: as typed, not %-decoded
    md.add_render_rule("verbatim", _render_verbatim)
    md.add_render_rule("reference_citation", _render_reference_citation)
    md.core.ruler.push("casepub_typography", _typography)
    md.core.ruler.push("casepub_citations", _citations)
    md.core.ruler.push("casepub_section_ids", _section_ids)
    md.use(tables_plugin)  # numbered, captioned tables and their citations (render/tables.py)
    return md


def _as_typed(text: str) -> str:
    return text


PARSER = make_parser()


def render_body(text: str, figures: FigureIndex | None = None, figure_ids: list[str] | None = None,
                references: ReferenceList | None = None, section_ids: bool = False) -> str:
    """Block Markdown as HTML; `section_ids` gives each heading its id (section_id), for the article's body."""
    return PARSER.render(text, {"figures": figures, "figure_ids": figure_ids or [], "casepub_references": references,
                                "section_ids": section_ids})



def render_inline(text: str) -> str:
    """One line of Markdown (a title, a caption): emphasis and links, no blocks."""
    return PARSER.renderInline(text, {})


def plain_inline(text: str) -> str:
    """The text of one line of Markdown as a reader sees it, without markup: for every place that takes
    plain text (<title>, meta tags, PDF metadata, contents). `7*7` stays `7*7`; `*MRI*` becomes `MRI`."""
    tokens = PARSER.parseInline(text, {})
    words = []
    for token in tokens[0].children or () if tokens else ():
        if token.type in ("text", "code_inline", "verbatim"):
            words.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return "".join(words)
