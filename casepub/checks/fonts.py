"""Fonts: every character the PDF prints is in some font the renderer can use; otherwise it prints as a box.

What the fonts cover is fontconfig's answer, the library WeasyPrint's Pango finds fonts and fallbacks with:
`fc-list` prints the character set of every font it makes available (its configuration, FONTCONFIG_FILE and
rejected fonts included), from fontconfig's cache, in about 20 ms; the union is read once per process, and
only when a printed text has a character beyond Latin-1, which every text font has, so `check` of a Latin
case never runs it. fontTools could read the fonts' own tables, but it would have to find the font files
as fontconfig does and open each of them (the CJK collections are 100 MB). Without fontconfig's tools
nothing is known, and nothing is reported.
"""
from __future__ import annotations

import functools
import html
import re
import subprocess
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from casepub.checks.registry import Context, rule
from casepub.diagnostics import KeyPath, Problem
from casepub.model import FrontMatter

FC_LIST = ("fc-list", "--format", "%{charset}\n")  # one line per font: hex ranges, "20-7e a0-17f 2018"
FC_LIST_SECONDS = 30  # a first run may build fontconfig's cache
SHOWN = 3             # characters named in one message; the rest are counted
# Characters no font needs to draw: controls, format characters (another check reports invisible ones),
# spaces (Pango makes its own), and the default-ignorable ones that are not format characters: the
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian and other variation selectors.
_SILENT_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_IGNORABLE = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
              (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF))


@dataclass(frozen=True)
class Coverage:
    """The code points some font covers, as sorted, disjoint ranges (starts[i] to ends[i], inclusive)."""
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __contains__(self, codepoint: int) -> bool:
        index = bisect_right(self.starts, codepoint) - 1
        return index >= 0 and codepoint <= self.ends[index]


def parse_charsets(listing: str) -> Coverage:
    """The union of fc-list's character sets ("20-7e a0-17f 2018", one font a line), merged into ranges."""
    ranges: list[tuple[int, int]] = []
    for line in set(listing.splitlines()):  # fonts of one family share their character set: read it once
        for item in line.split():
            low, _, high = item.partition("-")
            try:
                ranges.append((int(low, 16), int(high or low, 16)))
            except ValueError:
                continue  # not a range: fc-list printed something else
    starts: list[int] = []
    ends: list[int] = []
    for first, last in sorted(ranges):
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return Coverage(tuple(starts), tuple(ends))


@functools.cache
def installed_coverage() -> Coverage | None:
    """What the fonts fontconfig offers the renderer cover, read once per process; None when fc-list cannot
    be run (fontconfig's tools are not installed): then nothing can be known."""
    try:
        listed = subprocess.run(FC_LIST, capture_output=True, text=True, timeout=FC_LIST_SECONDS, check=True,
                                stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return None
    return parse_charsets(listed.stdout)


BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]++")
_VERDICTS: dict[str, bool] = {}  # character -> whether it would print as a box, decided once per process


def _uncovered(chars: Iterable[str]) -> list[str]:
    """Those of `chars` that no font covers, in their order. Latin-1 is in every text font: the fonts are
    asked (once per process) only about a character beyond it."""
    found = []
    for char in chars:
        if char <= "\xff":
            continue
        verdict = _VERDICTS.get(char)
        if verdict is None:
            coverage = installed_coverage()
            verdict = coverage is not None and _needs_a_glyph(char) and ord(char) not in coverage
            _VERDICTS[char] = verdict
        if verdict:
            found.append(char)
    return found


def _needs_a_glyph(char: str) -> bool:
    if unicodedata.category(char) in _SILENT_CATEGORIES:
        return False
    codepoint = ord(char)
    return not any(first <= codepoint <= last for first, last in _IGNORABLE)


def _missing(text: str) -> list[str]:
    """The characters of `text` no font covers, each once, in order of first use. A regular expression finds
    the few beyond Latin-1 faster than Python could look at every character."""
    return [] if text.isascii() else _uncovered(dict.fromkeys("".join(BEYOND_LATIN1.findall(text))))


def _printed(meta: FrontMatter) -> Iterator[tuple[KeyPath, str, bool, bool]]:
    """(key path, text, whether the text is the key itself, whether it is Markdown) for every front-matter
    text the article prints: not ids, file names, alt texts (the web page's), ORCID iDs, dates or DOIs."""
    if meta.title:
        yield ("title",), meta.title, False, True
    for path, text in meta.abstract_parts:
        yield path, text, False, True
    for key in ("conflict-statement", "consent-statement", "funding"):
        value = getattr(meta, key.replace("-", "_"))
        if value:
            yield (key,), value, False, False
    yield from ((("keywords", i), keyword, False, False) for i, keyword in enumerate(meta.keywords))
    if meta.consent:
        yield from ((("consent", key), getattr(meta.consent, key), False, False)
                    for key in ("statement", "reason") if getattr(meta.consent, key))
    if meta.copyright and meta.copyright.holder:
        yield ("copyright", "holder"), meta.copyright.holder, False, False
    for i, entry in enumerate(meta.timeline):
        yield ("timeline", i, "when"), entry.when, False, False
        yield ("timeline", i, "event"), entry.event, False, False
    if meta.fda_status:
        yield from ((("fda-status", "products", i), product, False, False)
                    for i, product in enumerate(meta.fda_status.products))
    for index, author in enumerate(meta.authors):
        for key in ("name", "given", "family", "initials", "disclosure", "email"):
            value = getattr(author, key)
            if value:
                yield ("authors", index, key), value, False, False
        yield from ((("authors", index, "degrees", i), degree, False, False) for i, degree in enumerate(author.degrees))
    for index, affiliation in enumerate(meta.affiliations):
        for key in ("department", "address", "city", "postal-code", "region", "country"):
            value = getattr(affiliation, key.replace("-", "_"))
            if value:
                yield ("affiliations", index, key), value, False, False
        yield from ((("affiliations", index, "name", i), name, False, False) for i, name in enumerate(affiliation.name))
    for f, figure in enumerate(meta.figures):
        for p, panel in enumerate(figure.panels):
            if panel.label:
                yield ("figures", f, "panels", p, "label"), panel.label, False, False
        for key, caption in figure.caption.items():
            yield ("figures", f, "caption", key), key, True, False
            yield ("figures", f, "caption", key), caption, False, True


def _as_printed(text: str, markdown: bool) -> str:
    """Markdown prints `&#x6587;` and `&alpha;` as the characters they name."""
    return html.unescape(text) if markdown and "&" in text else text


def _message(missing: list[str]) -> str:
    named = ", ".join(f'"{char}" ({_describe(char)})' for char in missing[:SHOWN])
    more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    verb = "is" if len(missing) == 1 else "are"
    return f"{named}{more} {verb} in no font available to the renderer: the PDF would print an empty box"


def _describe(char: str) -> str:
    codepoint = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if name:
        return f"{codepoint} {name}"
    if unicodedata.category(char) == "Co":
        return f"{codepoint}, a private-use character"
    return f"{codepoint}, not assigned in Unicode {unicodedata.unidata_version}"


HINT = ("install fonts that cover the script (on Debian and Ubuntu fonts-noto-core and fonts-noto-cjk, which "
        "scripts/setup.sh installs), or correct the character")


@rule("glyph-coverage")
def glyph_coverage(ctx: Context) -> Iterator[Problem]:
    """Every printed character is in a font: front-matter values that print, located by key, and the body,
    by line and column. Each text is first read as a set of characters, in one pass: the values are looked at
    one by one only when the whole has a character no font covers (or a YAML escape, "\\u6587", which writes
    any character in ASCII)."""
    raw, body = ctx.case.front_matter, ctx.case.body.text
    if "\\" in raw or _missing(raw):
        for path, text, key, markdown in _printed(ctx.meta):
            missing = _missing(_as_printed(text, markdown))
            if missing:
                yield Problem(_message(missing), HINT, path, key=key)
    if not (_missing(body) or ("&" in body and _missing(_as_printed(body, True)))):
        return
    for index, line in enumerate(body.split("\n")):
        missing = _missing(_as_printed(line, True))
        if missing:
            at = line.find(missing[0])
            column = at if at >= 0 else max(line.find("&"), 0)  # written as an entity: where it starts
            yield Problem(_message(missing), HINT, line=ctx.case.body.file_line(index), column=column + 1)
