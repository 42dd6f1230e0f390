"""References formatted by a CSL processor (citeproc-py) in a packaged CSL style; citations as the style prints them.

Styles are the .csl files in casepub/references/styles/ (CC BY-SA 3.0, see its
README), loaded once per process. citeproc-py does not collapse numbers, so
citations are put together here from the style's own citation layout: its
prefix and suffix ([1]), delimiter, superscript (vertical-align="sup"), and
ranges collapsed as `collapse="citation-number"` asks (1–3). A formatted list
is cached per style and content, so that rendering a case again costs nothing.

citeproc-py passes text through unescaped: its output is unescaped once,
escaped, and only the tags <i> <b> <sup> <sub> are let through again.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from lxml import etree

from casepub.references.cite import Cited
from casepub.references.load import ALLOWED_TAG, Item

STYLES = Path(str(files("casepub.references") / "styles"))
CSL = "{http://purl.org/net/xbiblio/csl}"
LABEL = re.compile(r"^\s*+(\[\d++\]|\d++\.)\s*+")  # the number a style puts before an entry: [1] or 1.
SHORT_LABELS = {"page": "p", "chapter": "chap", "section": "sec", "figure": "fig", "table": "tbl",
                "volume": "vol", "paragraph": "para", "line": "l"}


@dataclass(frozen=True)
class CitationForm:
    """How a style prints a citation: [1–3] (Vancouver) or superscript 1–3 (AMA)."""
    prefix: str = "["
    suffix: str = "]"
    delimiter: str = ","
    superscript: bool = False
    collapse: bool = True
    locators: bool = False  # the layout prints a locator: AMA's 2(p12)


@dataclass(frozen=True)
class Entry:
    """One formatted reference: its number, key, the HTML of its text, its label as the style writes it."""
    number: int
    key: str
    html: str
    plain: str
    label: str


def style_path(name: str) -> Path:
    return STYLES / f"{name}.csl"


def available_styles() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in STYLES.glob("*.csl")))


@lru_cache(maxsize=8)
def citation_form(name: str) -> CitationForm:
    """The style's citation layout, read from its .csl once."""
    root = etree.parse(str(style_path(name))).getroot()
    citation = root.find(f"{CSL}citation")
    layout = citation.find(f"{CSL}layout") if citation is not None else None
    if citation is None or layout is None:
        return CitationForm()
    return CitationForm(layout.get("prefix", ""), layout.get("suffix", ""), layout.get("delimiter", ","),
                        layout.get("vertical-align") == "sup", citation.get("collapse") == "citation-number",
                        any(node.get("variable") == "locator" for node in layout.iter(f"{CSL}text")))


@lru_cache(maxsize=8)
def _style(name: str) -> Any:
    from citeproc import CitationStylesStyle

    from casepub.references import citeproc_fixes
    citeproc_fixes.apply()
    return CitationStylesStyle(str(style_path(name)), locale="en-US", validate=False)


def numbers_text(numbers: list[int], form: CitationForm) -> list[tuple[str, int | None]]:
    """The pieces of a citation's numbers in order: (text, number it links to or None for a separator):
    runs of three or more collapsed to first–last when the style collapses, as CSL says."""
    ordered = sorted(dict.fromkeys(numbers)) if form.collapse else list(dict.fromkeys(numbers))
    runs: list[list[int]] = []
    for number in ordered:
        if runs and form.collapse and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    pieces: list[tuple[str, int | None]] = []
    for run in runs:
        if pieces:
            pieces.append((form.delimiter, None))
        if len(run) >= 3:
            pieces += [(str(run[0]), run[0]), ("\u2013", None), (str(run[-1]), run[-1])]
        else:
            for index, number in enumerate(run):
                if index:
                    pieces.append((form.delimiter, None))
                pieces.append((str(number), number))
    return pieces


def citation_html(items: tuple[Cited, ...], numbers: dict[str, int], form: CitationForm, anchor: str = "ref") -> str:
    """A citation cluster as HTML: each number a link to its entry, in the style's form."""
    cited = [numbers[item.key] for item in items if item.key in numbers]
    parts = [f'<a href="#{anchor}-{number}" class="citation-link">{number_text}</a>' if number is not None
             else html.escape(number_text) for number_text, number in numbers_text(cited, form)]
    locator = next((item.locator for item in items if item.locator), None) if form.locators else None
    if locator:
        label = SHORT_LABELS.get(locator[0], "p")
        parts.append(html.escape(f"({label}{locator[1]})"))
    text = html.escape(form.prefix) + "".join(parts) + html.escape(form.suffix)
    tag = "sup" if form.superscript else "span"
    return f'<{tag} class="citation">{text}</{tag}>'


_CACHE: dict[tuple[str, str, tuple[str, ...]], tuple[Entry, ...]] = {}  # (style, digest, order) -> entries
MAX_CACHED = 256


def bibliography(style: str, items: Mapping[str, Item], order: tuple[str, ...], digest: str) -> tuple[Entry, ...]:
    """The cited references, formatted, in order of first citation; cached by style, file content and order."""
    key = (style, digest, order)
    if key not in _CACHE:
        if len(_CACHE) >= MAX_CACHED:
            _CACHE.clear()
        _CACHE[key] = _format(style, [(name, items[name]) for name in order if name in items])
    return _CACHE[key]


def _format(style: str, pairs: list[tuple[str, Item]]) -> tuple[Entry, ...]:
    """The entries in the style; an item the processor fails on is printed from its own fields (never an error:
    the item is untrusted data, and its problems were reported by the check)."""
    texts = _processed(style, [item for _, item in pairs])
    if texts is None:
        texts = [(_processed(style, [item]) or [_fallback(item)])[0] for _, item in pairs]
    entries = []
    for number, ((key, _), text) in enumerate(zip(pairs, texts, strict=True), start=1):
        markup = safe_html(text)
        found = LABEL.match(markup)
        label = found.group(1) if found else f"{number}."
        markup = markup[found.end():] if found else markup
        entries.append(Entry(number, key, markup, plain(markup), label))
    return tuple(entries)


def _processed(style: str, items: list[Item]) -> list[str] | None:
    """citeproc-py's entries for `items` (given ids by position: keys are matched without case there)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    try:
        source = CiteProcJSON([_for_citeproc(item, f"item{index}") for index, item in enumerate(items)])
        processor = CitationStylesBibliography(_style(style), source, formatter.html)
        for index in range(len(items)):
            processor.register(Citation([CitationItem(f"item{index}")]))
        texts = [str(text) for text in processor.bibliography()]
    except Exception:
        return None
    return texts if len(texts) == len(items) else None


def _fallback(item: Item) -> str:
    return html.escape(". ".join(str(item[key]) for key in ("title", "container-title") if item.get(key)) + ".")


def _for_citeproc(item: Item, identifier: str) -> dict[str, Any]:
    """A copy citeproc-py can take: its id by position; numbers as text; words in italics kept as written."""
    copy = {key: (str(value) if isinstance(value, (int, float)) and key not in ("issued", "accessed") else value)
            for key, value in item.items()}
    for key, value in copy.items():
        if isinstance(value, str) and ("<i>" in value or "://" in value or "www." in value):
            copy[key] = _keep_case(value)
    copy["id"] = identifier
    return copy


# Text in italics in a title (a species, a gene, a Latin phrase) and web addresses keep their case when a style
# sets titles in title case: "Staphylococcus aureus" must not print "Staphylococcus Aureus", nor a URL "Https://".
# citeproc-py capitalises a word by upper-casing its first character, so each such word starts with this
# private-use mark, which has no upper case; safe_html takes the marks out.
KEEP_CASE = "\ue008"
ITALIC_TAG = re.compile(r"<(/?)i>")
WORD_START = re.compile(r"(?:(?<=\s)|^)(?=[^\s<])")
ADDRESS = re.compile(r"(?<!\S)(?=(?:https?://|www\.)\S)", re.IGNORECASE)


def _keep_case(value: str) -> str:
    value = value.replace(KEEP_CASE, "")
    out: list[str] = []
    depth = position = 0
    for tag in [*ITALIC_TAG.finditer(value), None]:
        text = value[position:tag.start() if tag else len(value)]
        out.append(WORD_START.sub(KEEP_CASE, text) if depth else text)
        if tag is None:
            break
        depth = max(0, depth + (-1 if tag.group(1) else 1))
        out.append(tag.group())
        position = tag.end()
    return ADDRESS.sub(KEEP_CASE, "".join(out))


def safe_html(text: str) -> str:
    """citeproc-py's output as safe HTML: everything escaped, then <i> <b> <sup> <sub> restored, and italics
    within italics set upright."""
    escaped = html.escape(html.unescape(text.replace(KEEP_CASE, "")), quote=False)
    return upright_in_italics(ALLOWED_TAG.sub(r"<\1\2>", escaped))


STYLE_TAG = re.compile(r"<(/?)(i|b|sup|sub)>")
TAG_ORDER = ("i", "b", "sup", "sub")


def upright_in_italics(markup: str) -> str:
    """Italics within italics print upright, as CSL's flip-flop rule has it: a species name in a book title the
    style sets in italics stands out in roman. Markup that is well-formed without nested italics is returned as
    it is; any other (nested italics, or tags a CSL-JSON value left open or closed unopened) is written again
    from its runs of text, each tag opened and closed in order."""
    if _plain_nesting(markup):
        return markup
    runs: list[tuple[str, tuple[str, ...]]] = []
    open_tags: list[str] = []
    position = 0
    for tag in [*STYLE_TAG.finditer(markup), None]:
        text = markup[position:tag.start() if tag else len(markup)]
        if text:
            italic = open_tags.count("i") % 2 == 1
            runs.append((text, tuple(name for name in TAG_ORDER if (italic if name == "i" else name in open_tags))))
        if tag is None:
            break
        if not tag.group(1):
            open_tags.append(tag.group(2))
        elif tag.group(2) in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(tag.group(2))]
        position = tag.end()
    out: list[str] = []
    current: tuple[str, ...] = ()
    for text, style in runs:
        kept = 0
        while kept < min(len(current), len(style)) and current[kept] == style[kept]:
            kept += 1
        out += [f"</{name}>" for name in reversed(current[kept:])] + [f"<{name}>" for name in style[kept:]]
        current = style
        out.append(text)
    return "".join(out + [f"</{name}>" for name in reversed(current)])


def _plain_nesting(markup: str) -> bool:
    """Every tag closed in order, and no tag inside another of its kind."""
    stack: list[str] = []
    for tag in STYLE_TAG.finditer(markup):
        name = tag.group(2)
        if tag.group(1):
            if not stack or stack.pop() != name:
                return False
        elif name in stack:
            return False
        else:
            stack.append(name)
    return not stack


TAG = re.compile(r"<[^<>]*+>")


def plain(markup: str) -> str:
    """The text of an entry without its tags: for citation_reference and PDF text."""
    return html.unescape(TAG.sub("", markup))
