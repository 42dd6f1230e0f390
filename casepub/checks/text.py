"""The text: word limits, required sections, keywords, abbreviations defined at first use, emphasis markers
between digits."""
from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import Any

from casepub.checks.registry import Context, rule
from casepub.diagnostics import KeyPath, Problem
from casepub.load.markdown import Emphasis, TextBlock, body_blocks, inline_emphasis
from casepub.model import Body
from casepub.profiles import Section, section_key
from casepub.words import counted

# An abbreviation is a run of capitals and digits with at least two capitals, the first one leading, and
# perhaps a plural s. Written as [A-Z][A-Z0-9]*[A-Z][A-Z0-9]*, a run of capitals that fails at its end ("AAA…Ax")
# is tried at every split of the run between the two stars: quadratic. The run is taken whole (possessive: the
# group always ends where the run does, as s, ) and \b cannot follow a capital inside it), and the second
# capital is a lookahead past the leading digits.
ABBREVIATION = re.compile(r"\b(?=[A-Z][0-9]*+[A-Z])([A-Z][A-Z0-9]*+)s?+\b")
DEFINITION = re.compile(r"\((?=[A-Z][0-9]*+[A-Z])([A-Z][A-Z0-9]*+)s?+\)")
WORD = re.compile(r"\S+")
DEFINED_WORD = re.compile(r"[\w'’-]+")  # the words before "(ABBR)" that it abbreviates


def word_count(text: str) -> int:
    return len(WORD.findall(text))


@rule("body-present")
def body_present(ctx: Context) -> Iterator[Problem]:
    """The case has text after the front matter."""
    if not any(block.plain.strip() for block in ctx.text):
        yield Problem("the case has no text after the front matter",
                      "write the case below the closing '---'", line=max(1, ctx.case.body.first_line - 1))


def _over_limit(ctx: Context, what: str, text_words: int, *, limit: int | None, hint: str,
                **where: Any) -> Iterator[Problem]:
    if limit is not None and text_words > limit:
        yield Problem(f"{what} has {counted(text_words, 'word')}; {ctx.article.name} allows at most {limit}",
                      hint.format(over=text_words - limit), **where)


def body_words(blocks: Iterable[TextBlock]) -> int:
    """The words of the text as the word limit counts them: its paragraphs and table cells, not its headings
    (the submission manuscript's title page gives the same count)."""
    return sum(word_count(block.plain) for block in blocks if block.kind != "heading")


@rule("word-limit")
def word_limit(ctx: Context) -> Iterator[Problem]:
    """The body stays within the article type's word limit."""
    count = body_words(ctx.text)
    yield from _over_limit(ctx, "the text", count, limit=ctx.article.limits.words, hint="shorten it by {over} words",
                           line=ctx.case.body.first_line)


@rule("abstract-limit")
def abstract_limit(ctx: Context) -> Iterator[Problem]:
    """The abstract stays within its word limit."""
    yield from _over_limit(ctx, "the abstract", word_count(ctx.meta.abstract or ""),
                           limit=ctx.article.limits.abstract_words, hint="shorten it by {over} words", path=("abstract",))


@rule("title-limit")
def title_limit(ctx: Context) -> Iterator[Problem]:
    """The title stays within its word limit."""
    yield from _over_limit(ctx, "the title", word_count(ctx.meta.title or ""), limit=ctx.article.limits.title_words,
                           hint="shorten the title; details belong in the text", path=("title",))


@rule("keywords-count")
def keywords_count(ctx: Context) -> Iterator[Problem]:
    """The number of keywords is within the article type's range."""
    low, high = ctx.article.limits.keywords_min, ctx.article.limits.keywords_max
    count = len(ctx.meta.keywords)
    if not count and "keywords" in ctx.article.required:
        return  # required-keys says it
    if (low is not None and count < low) or (high is not None and count > high):
        yield Problem(f"{counted(count, 'keyword')}; {ctx.article.name} asks for {low or 0} to {high or 'any number'}",
                      "list them as `keywords: [first, second]`", ("keywords",))


# A number typed before a heading ("2. Case presentation", "3 Discussion") is not part of its name.
TYPED_NUMBER = re.compile(r"\d++(?:\.\d++)*+\.?+\s++")


def _found_sections(ctx: Context) -> dict[str, TextBlock]:
    """Section name -> its first heading (by its name or a synonym), in the order the body has them."""
    by_heading = {section_key(heading): section.name for section in ctx.article.sections
                  for heading in section.headings}
    found: dict[str, TextBlock] = {}
    for block in ctx.text:
        if block.kind == "heading":
            title = block.plain.strip()
            typed = TYPED_NUMBER.match(title)
            name = by_heading.get(section_key(title[typed.end():] if typed else title))
            if name is not None:
                found.setdefault(name, block)
    return found


def _also(section: Section) -> str:
    return f" (or {', '.join(repr(s) for s in section.synonyms)})" if section.synonyms else ""


@rule("sections")
def sections(ctx: Context) -> Iterator[Problem]:
    """The body has the article type's required sections, as headings (by name or a synonym), in order; the
    recommended ones, where written, in their place too."""
    wanted = ctx.article.sections
    if not wanted:
        return
    names = ", ".join(section.name for section in wanted if not section.recommended)
    found = _found_sections(ctx)
    for section in wanted:
        if section.name not in found and not section.recommended:
            yield Problem(f"the section {section.name!r}{_also(section)} is missing; {ctx.article.name} has: {names}",
                          f"add a heading `## {section.name}`", line=ctx.case.body.first_line)
    expected = [section.name for section in wanted if section.name in found]
    for got, want in zip(found, expected):
        if got != want:
            line, column = found[got].starts[0]
            yield Problem(f"the section {got!r} is out of order; {ctx.article.name} has: "
                          f"{', '.join(section.name for section in wanted)}",
                          "move the sections into that order", line=line, column=column)
            break


@rule("section-empty")
def section_empty(ctx: Context) -> Iterator[Problem]:
    """A heading followed by nothing, or at once by a heading of its level or above: a section not written yet
    (a subsection right under it is its content)."""
    blocks = ctx.text
    for index, block in enumerate(blocks):
        if block.kind != "heading":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is None or (following.kind == "heading" and following.level <= block.level):
            line, column = block.starts[0]
            yield Problem(f"the section {block.plain.strip()!r} has no text yet",
                          "write its text under the heading, or remove the heading", line=line, column=column)


@rule("section-recommended")
def section_recommended(ctx: Context) -> Iterator[Problem]:
    """The sections the article type recommends (CARE: the patient's perspective) are there."""
    recommended = [section for section in ctx.article.sections if section.recommended]
    if not recommended:
        return
    found = _found_sections(ctx)
    for section in recommended:
        if section.name not in found:
            yield Problem(f"the section {section.name!r}{_also(section)} is missing; {ctx.article.name} recommends it",
                          f"add a heading `## {section.name}`", line=ctx.case.body.first_line)


@rule("abbreviation-defined")
def abbreviation_defined(ctx: Context) -> Iterator[Problem]:
    """Abbreviations are written out at first use: "visual analogue scale (VAS)"."""
    known = set(ctx.options("abbreviation-defined").get("known", ()))
    defined: set[str] = set(known)
    definitions = _definitions(ctx)
    for block in ctx.text:
        spans = {m.start(1): m.group(1) for m in DEFINITION.finditer(block.source)}
        for match in ABBREVIATION.finditer(block.source):
            word = match.group(1)
            if match.start(1) in spans:
                defined.add(word)
            elif word not in defined:
                defined.add(word)  # once per abbreviation
                line, column = block.position(match.start(1))
                yield Problem(f'"{word}" is used before it is defined', _abbreviation_hint(word, definitions),
                              line=line, column=column)


def _definitions(ctx: Context) -> dict[str, str]:
    """Abbreviation -> the words before its "(ABBR)", wherever in the body it is defined: as many words as
    the abbreviation has letters. A block's words are found once (not again before each definition)."""
    found: dict[str, str] = {}
    for block in ctx.text:
        words: list[str] | None = None
        ends: list[int] = []
        for match in DEFINITION.finditer(block.plain):
            abbreviation = match.group(1)
            if abbreviation in found:
                continue
            if words is None:
                words = []
                for word in DEFINED_WORD.finditer(block.plain):
                    words.append(word.group(0))
                    ends.append(word.end())
            before = bisect_right(ends, match.start())  # the words that end before "(": none spans it
            found[abbreviation] = " ".join(words[max(0, before - len(abbreviation)):before])
    return found


def _abbreviation_hint(word: str, definitions: dict[str, str]) -> str:
    if word in definitions:
        return f'write it out at its first use: "{definitions[word]} ({word})"'
    return f'write it out at its first use, e.g. "the full term ({word})", or add it to the profile\'s known abbreviations'


_QUOTE_PAIRS = {"“": "”", "”": "”", "„": "“", "‘": "’", "’": "’", "«": "»", "»": "«", "‚": "‘"}


def _texts_in(value: object, path: tuple) -> Iterator[tuple[tuple, str]]:
    """Every text in the front matter with its key path, as the author wrote the keys."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts_in(item, path + (key,))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts_in(item, path + (index,))


@rule("typographic-quotes")
def typographic_quotes(ctx: Context) -> Iterator[Problem]:
    """A value wrapped in typographic quotes, which YAML prints as written."""
    if not any(quote in ctx.case.front_matter for quote in _QUOTE_PAIRS):  # the common case, found fast
        return
    for path, text in _texts_in(ctx.meta.model_dump(by_alias=True, exclude_defaults=True), ()):
        if len(text) > 1 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
            yield Problem(f"the value is wrapped in typographic quotes ({text[0]}…{text[-1]}), which would be printed",
                          f"remove them; to quote a value in YAML use straight quotes: "
                          f"\"{text[1:-1][:40]}\"", path)


@rule("comment-in-value")
def comment_in_value(ctx: Context) -> Iterator[Problem]:
    """A ` #` after an unquoted value, one space away: YAML drops the rest of the line as a comment."""
    for index, line in enumerate(ctx.case.front_matter.split("\n")):
        column = _dropped_comment(line)
        if column is not None:
            yield Problem(f"the value ends before {line[column:].strip()[:40]!r}: YAML reads ' #' as the start of "
                          "a comment", f"quote the value to keep it: \"{line.split(': ', 1)[-1].strip()[:60]}\"",
                          line=index + 2, column=column + 1)


def _dropped_comment(line: str) -> int | None:
    """Where a comment starts one space after a plain value on this line (None: no such comment)."""
    _, colon, value = line.partition(": ")
    value_start = len(line) - len(value)
    if not colon or not value.strip() or value.lstrip()[0] in "\"'#|>[{&*!":
        return None
    at = line.find(" #", value_start)
    if at <= value_start or line[at - 1] == " ":
        return None  # no comment, or one set off by two spaces: the format's own
    return at + 1


BETWEEN_DIGITS = re.compile(r"\d[*_]++\d")  # a run of markers between digits: a text without one is not parsed
MARKER_RUN = re.compile(r"[*_]++")
MULTIPLIED = re.compile(r"\d[\d.,]*+(?:[*_]++\d[\d.,]*+)++")  # 3*2*4, 2.5**3: only numbers and markers
NUMBER_CHARACTERS = frozenset("0123456789.,")
SHOWN = 40  # characters of a typed text quoted in a message, at most


@rule("emphasis-between-digits")
def emphasis_between_digits(ctx: Context) -> Iterator[Problem]:
    """Emphasis markers between digits, which vanish: 3*2*4 prints as 324. What markdown-it pairs is read, so
    only markers that really vanish are reported: asterisks (an underscore between digits is never emphasis in
    CommonMark). Every text printed as Markdown: the body, title, abstract and captions (statements are plain)."""
    for block in ctx.text:
        for emphasis, at in _between_digits(block.source, block.emphasis):
            line, column = block.position(at)
            yield _lost_markers(block.source, emphasis, line=line, column=column)
    for path, text, emphases in _markdown_values(ctx):
        lost = list(_between_digits(text, emphases))
        written, quoted = _written_at(ctx, path, text, [at for _, at in lost])
        for emphasis, at in lost:
            line, column = written.get(at, (None, 1))
            yield _lost_markers(text, emphasis, "\\\\" if quoted else "\\", path=path, line=line, column=column)


def _markdown_values(ctx: Context) -> Iterator[tuple[KeyPath, str, tuple[Emphasis, ...]]]:
    """(key path, text, its emphasis) of each front-matter value printed as Markdown that has markers between
    digits: the title and captions (one line: render_inline), the abstract (blocks: render_body)."""
    meta = ctx.meta
    lines: list[tuple[KeyPath, str]] = [(("title",), meta.title or "")] + [(("figures", f, "caption", key), text)
                                                for f, figure in enumerate(meta.figures)
                                                for key, text in figure.caption.items()]
    for path, text in lines:
        if BETWEEN_DIGITS.search(text):
            yield path, text, inline_emphasis(text)
    for part, text in meta.abstract_parts:
        if BETWEEN_DIGITS.search(text):
            yield part, text, _blocks_emphasis(text)


def _blocks_emphasis(text: str) -> tuple[Emphasis, ...]:
    """The emphasis of a Markdown text of blocks, with offsets in the text itself (not in each block)."""
    line_starts = list(itertools.accumulate((len(line) + 1 for line in text.split("\n")), initial=0))

    def offset(block: TextBlock, at: int) -> int:
        line, column = block.position(at)  # the line in `text` (first_line=0), the column 1-based
        return line_starts[line] + column - 1

    return tuple(Emphasis(*((offset(block, start), offset(block, start) + end - start)
                            for start, end in (emphasis.opening, emphasis.closing)))
                 for block in body_blocks(Body(text, first_line=0)) for emphasis in block.emphasis)


def _between_digits(source: str, emphases: tuple[Emphasis, ...]) -> Iterator[tuple[Emphasis, int]]:
    """Each emphasis with a run of markers between two digits, and the offset of its first such run."""
    for emphasis in emphases:
        for start, end in (emphasis.opening, emphasis.closing):
            if start > 0 and end < len(source) and source[start - 1].isdigit() and source[end].isdigit():
                yield emphasis, start
                break


def _lost_markers(source: str, emphasis: Emphasis, backslash: str = "\\", **where: Any) -> Problem:
    """What was typed, what prints, and how to write it so that it prints as typed (in a double-quoted YAML
    value, a backslash is written twice)."""
    (open_start, open_end), (close_start, close_end) = emphasis.opening, emphasis.closing
    start, end = open_start, close_end
    while start > max(0, open_start - SHOWN) and source[start - 1] in NUMBER_CHARACTERS:
        start -= 1
    while end < min(len(source), close_end + SHOWN) and source[end] in NUMBER_CHARACTERS:
        end += 1
    typed = source[start:end]
    printed = source[start:open_start] + source[open_end:close_start] + source[close_end:end]
    escaped = (source[start:open_start] + _escaped(source[open_start:open_end], backslash)
               + source[open_end:close_start] + _escaped(source[close_start:close_end], backslash) + source[close_end:end])
    marks = "asterisks" if "*" in source[open_start:open_end] else "underscores"
    hint = f"escape the {marks}: {_short(escaped)}"
    if MULTIPLIED.fullmatch(typed):
        hint = f"write the multiplication sign, {MARKER_RUN.sub(' × ', typed)}, or {hint}"
    return Problem(f'"{_short(typed)}" prints as "{_short(printed)}": the {marks} are read as emphasis markers',
                   hint, **where)


def _escaped(markers: str, backslash: str) -> str:
    return "".join(backslash + marker for marker in markers)


def _short(text: str) -> str:
    """A text quoted in a message: on one line (a line break prints as a space), its middle left out when long."""
    half, text = SHOWN // 2 - 1, text.replace("\n", " ")
    return text if len(text) <= SHOWN else f"{text[:half]}…{text[-half:]}"


def _written_at(ctx: Context, path: KeyPath, text: str, offsets: list[int]) -> tuple[dict[int, tuple[int, int]], bool]:
    """(line, column) in case.md of the characters at `offsets` in the front-matter value at `path`, and whether
    the value is double-quoted. The value's characters are matched one by one from where the value starts, past
    what YAML reads but does not keep (quotes, escapes, folded line breaks, indentation): one pass. Where the
    text and the YAML part ways, the offsets after are left out (located at the value)."""
    where = ctx.case.where(path)
    front = ctx.case.front_matter  # case.md from its line 2
    position = 0
    for _ in range(where.line - 2):
        position = front.find("\n", position) + 1
    position += where.column - 1
    found, line, counted = {}, where.line, position
    quoted = front.startswith('"', position)
    if front.startswith(("|", ">"), position):  # a block scalar starts on the next line
        position = front.find("\n", position) + 1
    elif front.startswith(("'", '"'), position):
        position += 1
    wanted = set(offsets)
    for index, char in enumerate(text[:max(wanted, default=-1) + 1]):
        matched = _matched(front, position, char)
        if matched is None:
            break
        at, position = matched
        if index in wanted:
            line += front.count("\n", counted, at)
            counted = at
            found[index] = (line, at - front.rfind("\n", 0, at))
    return found, quoted


_SPACE_ESCAPES = frozenset("ntrLNP_ 0abefv\t")  # a double-quoted YAML escape of a space or control character


def _matched(front: str, position: int, char: str) -> tuple[int, int] | None:
    """Where `char` of a value's text is written in the YAML from `position` on, and the position after it."""
    if char.isspace():  # a space, a line break or its escape; a folded line break may have left nothing here
        if front.startswith("\\", position) and front[position + 1:position + 2] in _SPACE_ESCAPES:
            return position, position + 2
        return (position, position + 1) if front[position:position + 1].isspace() else (position, position)
    while position < len(front) and (front[position].isspace() or front.startswith("\\\n", position)):
        position += 1  # folded line breaks, indentation, an escaped line break
    if front.startswith(char, position):
        return position, position + 1
    if front.startswith("\\" + char, position) or (char == "'" and front.startswith("''", position)):
        return position + 1, position + 2
    return None
