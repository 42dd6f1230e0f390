"""BibTeX to CSL-JSON: pybtex reads the file, pylatexenc turns its LaTeX into Unicode.

pybtex keeps `%` inside braces (URLs), expands @string macros and `#`, reads
month macros, keeps a name in braces whole ({World Health Organization}, even
with an "and" inside) and splits names into first, von, last and Jr parts as
BibTeX does. In a title or a container title, \\textit, \\emph, {\\em ...},
\\textbf, \\textsuperscript and \\textsubscript become CSL-JSON's rich text
(<i> <b> <sup> <sub>: styled_text); format.py lets no other tag through. Its
errors become problems at their line in the file; a duplicate key (compared
without case, as BibTeX does) keeps the first entry.

Two steps, because the check needs only the first (see load.py): _scan reads
the file with bibscan.py (pybtex's grammar, fast) or, when the file has a
fault, pybtex's LowLevelParser (its tokenizer, macros and syntax errors), and applies
the rules of pybtex's Parser.process_entry itself (a field given twice, a name
with too many commas, by pybtex's own split_name_list and split_tex_string),
keeping each entry's fields as text; _items makes the CSL-JSON items, with
pybtex's Person for the names, when rendering first asks for one.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from casepub.references import bibscan
from casepub.references.load import (
    ENTRY_HEAD,
    ISO_DATE,
    LATEX_SPECIAL,
    LEFT_OVER,
    MONTHS,
    SPACES,
    FileProblem,
    Item,
    LineCounter,
    Parsed,
    check_identifiers,
    field_line,
)

TYPES = {"article": "article-journal", "book": "book", "booklet": "book", "manual": "book", "inbook": "chapter",
         "incollection": "chapter", "inproceedings": "paper-conference", "conference": "paper-conference",
         "phdthesis": "thesis", "mastersthesis": "thesis", "techreport": "report", "report": "report",
         "unpublished": "manuscript", "online": "webpage", "electronic": "webpage", "www": "webpage",
         "webpage": "webpage", "misc": "document"}
# BibTeX field -> CSL variable, for plain text fields.
FIELDS = {"title": "title", "journal": "container-title", "journaltitle": "container-title",
          "booktitle": "container-title", "publisher": "publisher", "address": "publisher-place",
          "location": "publisher-place", "volume": "volume", "number": "issue", "issue": "issue",
          "pages": "page", "edition": "edition", "isbn": "ISBN", "issn": "ISSN", "doi": "DOI", "pmid": "PMID",
          "pmcid": "PMCID", "url": "URL", "note": "note", "institution": "publisher", "school": "publisher",
          "organization": "publisher", "howpublished": "medium", "eid": "number"}
# Fields a crossref'd entry takes from its parent: the book's title is the chapter's container title.
INHERITED = {"title": "booktitle", "booktitle": "booktitle", "editor": "editor", "publisher": "publisher",
             "address": "address", "year": "year", "month": "month", "edition": "edition", "isbn": "isbn",
             "series": "series", "volume": "volume"}
IN_PRESS = re.compile(r"in[ ]?+press|forthcoming|accepted", re.IGNORECASE)
YEAR = re.compile(r"\d{4}")
VERBATIM = frozenset({"url", "doi", "pmid", "pmcid", "isbn", "issn"})  # % _ ~ are themselves: not LaTeX
BRACED_WHOLE = re.compile(r"\{[^{}]*+\}")  # a name written {World Health Organization}
DUPLICATE_FIELD = re.compile(r"entry with key (\S++) has a duplicate (\S++) field")  # pybtex's DuplicateField
IDENTIFIERS = {"doi": "DOI", "pmid": "PMID", "url": "URL"}  # checked by the scan, for the check
# What pybtex's skip_to looks for (its patterns' characters, sorted): the next @, or brace, or brace or quote.
NEXT_AT = re.compile(r"@")
NEXT_BRACE = re.compile(r"[{}]")
NEXT_BRACE_OR_QUOTE = re.compile(r'["{}]')
SKIP_TO = {"@": NEXT_AT.search, "{}": NEXT_BRACE.search, '"{}': NEXT_BRACE_OR_QUOTE.search}
PERSON_FIELDS = frozenset({"author", "editor"})  # pybtex's Person.valid_roles


# Macros that print their argument as it is. pylatexenc's parser knows them, but its converter has no text for
# \\texttt, \\textsf, \\textup, \\textmd or \\mbox and drops them with their argument; it prints \\url{x} as <x>
# and fails on \\href. Small capitals and underlining print as plain text.
PLAIN_MACROS = ("texttt", "textsf", "textup", "textmd", "textsc", "textnormal", "textrm", "text", "mbox", "hbox",
                "underline", "uline", "url", "nolinkurl", "path", "doi")


def _text_contexts() -> tuple[Any, Any]:
    """New parser and converter databases with casepub's additions (PLAIN_MACROS; \\href{url}{text} -> text)."""
    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import MacroTextSpec, get_default_latex_context_db

    walker_context = latexwalker.get_default_latex_context_db()
    walker_context.add_context_category("casepub-text", prepend=True, macros=[
        *(macrospec.MacroSpec(name, "{") for name in PLAIN_MACROS), macrospec.MacroSpec("href", "{{")])
    text_context = get_default_latex_context_db()
    text_context.add_context_category("casepub-text", prepend=True, macros=[
        *(MacroTextSpec(name, simplify_repl=_argument_text) for name in PLAIN_MACROS),
        MacroTextSpec("href", simplify_repl=_link_text)])
    return walker_context, text_context


def _argument_text(node: Any, l2tobj: Any) -> str:
    """A macro's argument as text; nothing when the value ends before it."""
    arguments = [argument for argument in (node.nodeargd.argnlist if node.nodeargd else None) or () if argument]
    return str(l2tobj.nodelist_to_text(arguments[:1])) if arguments else ""


def _link_text(node: Any, l2tobj: Any) -> str:
    """\\href{url}{text}: its text, or its address when the text is missing."""
    arguments = [argument for argument in (node.nodeargd.argnlist if node.nodeargd else None) or () if argument]
    return str(l2tobj.nodelist_to_text(arguments[-1:])) if arguments else ""


@lru_cache(maxsize=1)
def _decoder() -> tuple[Any, Any]:
    """pylatexenc's parser context and converter, made once per process ($\\alpha$ -> α, {\\c c} -> ç;
    \\textit{x} -> x, outside titles)."""
    from pylatexenc.latex2text import LatexNodes2Text

    walker_context, text_context = _text_contexts()
    return walker_context, LatexNodes2Text(latex_context=text_context, math_mode="text", strict_latex_spaces=True)


def _to_text(value: str, decoder: tuple[Any, Any]) -> str:
    from pylatexenc.latexwalker import LatexWalker

    walker_context, converter = decoder
    nodes = LatexWalker(value, latex_context=walker_context, tolerant_parsing=True).get_latex_nodes()[0]
    return str(converter.nodelist_to_text(nodes))


@lru_cache(maxsize=8192)
def latex_text(value: str) -> str:
    """A BibTeX value as plain Unicode text: LaTeX decoded, no brace, backslash or `$` left, spaces collapsed."""
    if "\\" not in value and "$" not in value:  # braces, dashes and ties only (the usual case): no LaTeX parse
        value = value.replace("---", "\u2014").replace("--", "\u2013").replace("~", " ")
    elif LATEX_SPECIAL.search(value):
        with contextlib.suppress(Exception):
            value = _to_text(value, _decoder())
    return SPACES.sub(" ", LEFT_OVER.sub("", value.replace("\u00a0", " "))).strip()


# Text style in a title (\\textit{x}, {\\em x}) as CSL-JSON's rich text, <i>x</i>: pylatexenc writes private-use
# marks (not "<", which the value's own text may hold), turned into the four tags format.py lets through.
MARK_TAGS = {"i": ("\ue000", "\ue001"), "b": ("\ue002", "\ue003"), "sup": ("\ue004", "\ue005"),
             "sub": ("\ue006", "\ue007")}
STYLE_MACROS = {"textit": "i", "emph": "i", "textsl": "i", "textbf": "b", "textsuperscript": "sup",
                "textsubscript": "sub"}
STYLE_SWITCHES = {"em": "i", "it": "i", "itshape": "i", "sl": "i", "bf": "b", "bfseries": "b"}  # {\\em x}
STYLED = re.compile(r"\\(?:text(?:it|sl|bf|superscript|subscript)|emph|em|itshape|it|sl|bfseries|bf)(?![A-Za-z])")
MARKS = re.compile("[\ue000-\ue007]")
EMPTY_STYLE = re.compile("\ue000\ue001|\ue002\ue003|\ue004\ue005|\ue006\ue007")
MARKED = {mark: f"<{'/' if index else ''}{tag}>" for tag, pair in MARK_TAGS.items() for index, mark in enumerate(pair)}
MARKUP_FIELDS = frozenset({"title", "journal", "journaltitle", "booktitle"})  # CSL's title and container-title


@lru_cache(maxsize=1)
def _styled_decoder() -> tuple[Any, Any]:
    """pylatexenc's parser context and converter with the text-style macros marked, made once per process."""
    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec

    walker_context, text_context = _text_contexts()  # new databases: the plain decoder's are untouched
    walker_context.add_context_category("casepub-style", macros=[macrospec.MacroSpec(name, "{")
                                                                 for name in STYLE_MACROS], prepend=True)
    text_context.add_context_category(
        "casepub-style", prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=_styled_macro) for name in STYLE_MACROS]
        + [MacroTextSpec(name, "") for name in STYLE_SWITCHES])

    class Styled(LatexNodes2Text):
        def group_node_to_text(self, node: Any) -> str:
            """A group that starts with a switch ({\\em x}) is styled to its end, as LaTeX scopes it."""
            inner = [child for child in node.nodelist
                     if not (child.isNodeType(latexwalker.LatexCharsNode) and not child.chars.strip())]
            first = inner[0] if inner else None
            tag = STYLE_SWITCHES.get(first.macroname, "") if first is not None and first.isNodeType(
                latexwalker.LatexMacroNode) else ""
            text: str = super().group_node_to_text(node)
            return MARK_TAGS[tag][0] + text + MARK_TAGS[tag][1] if tag else text

    return walker_context, Styled(latex_context=text_context, math_mode="text", strict_latex_spaces=True)


def _styled_macro(node: Any, l2tobj: Any, macroname: str) -> str:
    """\\textit{x} as x between its tag's marks; without its argument (the value ends), nothing."""
    arguments = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    if not arguments or arguments[0] is None:
        return ""
    opening, closing = MARK_TAGS[STYLE_MACROS[macroname]]
    return opening + str(l2tobj.nodelist_to_text([arguments[0]])) + closing


@lru_cache(maxsize=8192)
def styled_text(value: str) -> str:
    """A title's value as text with its italics, bold, superscripts and subscripts as <i> <b> <sup> <sub> (the
    only markup: other text, "<script>" too, stays text and is escaped when printed); a value without such a
    macro is latex_text's."""
    if not STYLED.search(value):
        return latex_text(value)
    try:
        text = _to_text(MARKS.sub("", value), _styled_decoder())
    except Exception:  # untrusted text: printed plain rather than never
        return latex_text(value)
    text = SPACES.sub(" ", LEFT_OVER.sub("", EMPTY_STYLE.sub("", text).replace("\u00a0", " "))).strip()
    return MARKS.sub(lambda mark: MARKED[mark.group()], text)


def verbatim(value: str) -> str:
    """An identifier as written (`%`, `_` and `~` in a URL are not LaTeX), less braces, backslashes and spaces."""
    return SPACES.sub("", LEFT_OVER.sub("", value))


@dataclass(frozen=True)
class Raw:
    """An entry as the scan leaves it: its type, its fields (lower-case names, macros expanded, whitespace
    normalised as pybtex does) and its name lists as written; turned into CSL-JSON only when printed."""
    kind: str
    fields: dict[str, str]
    persons: dict[str, str]


def read_bibtex(text: str) -> Parsed:
    """A BibTeX file: its keys, lines and every problem now; its CSL-JSON items on first use (rendering)."""
    entries, lines, problems, identifiers = _scan(text)
    return Parsed(lines, tuple(problems), partial(_items, entries, identifiers))


def _scan(text: str) -> tuple[dict[str, Raw], dict[str, int], list[FileProblem], dict[str, Item]]:
    """What the check needs, with pybtex's own scanner and rules: every entry's fields, keys with their lines,
    syntax errors, undefined macros, duplicate keys and fields, names with too many commas, and the DOI, PMID
    and url of each entry checked (their cleaned values kept for the items)."""
    lines, duplicates = _entry_lines(text)
    problems = [FileProblem("CP303", f"the key {key!r} is defined twice; the first entry is kept",
                            "remove or rename the second entry (BibTeX too uses the first)", line)
                for key, line in duplicates]
    errors: list[Exception] = []
    entries: dict[str, Raw] = {}
    kept: set[str] = set()  # keys in lower case: BibTeX's keys are case-insensitive
    counter = LineCounter(text)
    try:
        for command, body, start, end in _commands(text, errors):
            if command.lower() in ("string", "preamble"):
                continue
            key, written = body
            if key is None:  # the key is missing: a syntax error, reported (pybtex names it "unnamed-1")
                continue
            raw, names = _raw(command.lower(), key, written, errors)
            for name in names:  # written in this entry: its line found there
                at = text.find(name, start, end)
                problems.append(FileProblem("CP302", f"the name {name!r} is not BibTeX syntax (too many commas)",
                                            "separate names with ' and ' and write each as 'Family, Given' or "
                                            "'Given Family'", counter.line_of(at if at >= 0 else start)))
            if key.lower() not in kept:
                kept.add(key.lower())
                entries[key] = raw
    except Exception as error:  # pybtex raises nothing with handle_error set; a bug of its is still a problem
        errors.append(error)
        entries = {}
    written_lines = text.split("\n")
    problems += [_problem(error, written_lines, lines) for error in errors]
    lines = {key: line for key, line in lines.items() if key in entries}
    identifiers: dict[str, Item] = {}
    for key, raw in entries.items():
        found = {variable: verbatim(raw.fields[name]) for name, variable in IDENTIFIERS.items() if name in raw.fields}
        problems += check_identifiers(key, found, lines.get(key, 1), written_lines)
        identifiers[key] = found
    return entries, lines, problems, identifiers


def _commands(text: str, errors: list[Exception]) -> Iterator[tuple[str, Any, int, int]]:
    """The file's commands (entries, @string, @preamble) with where each starts and ends: read by bibscan when
    the file is plainly well-formed, else by pybtex's scanner, whose errors are collected in `errors`."""
    from pybtex.database.input.bibtex import month_names
    from pybtex.utils import CaseInsensitiveDict

    try:
        yield from bibscan.scan(text, month_names)
        return
    except bibscan.Unread:
        pass
    scanner = _scanner()(text, macros=CaseInsensitiveDict(month_names), handle_error=errors.append)
    for command, body in scanner:
        yield command, body, scanner.command_start, scanner.pos


@lru_cache(maxsize=1)
def _scanner() -> Any:
    """pybtex's LowLevelParser with one change: skip_to (the search for the next @ between entries, and for the
    next brace or quote inside a value) searches once for any of its characters. pybtex searches for each
    separately from the same place, so a value of many braced parts with its closing quote far away is read in
    quadratic time (a 600 kB title took 17 s); the one search finds the same token, the earliest."""
    from pybtex.database.input.bibtex import LowLevelParser
    from pybtex.scanner import Token

    characters = {LowLevelParser.AT: "@", LowLevelParser.QUOTE: '"', LowLevelParser.LBRACE: "{",
                  LowLevelParser.RBRACE: "}"}

    plans: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}  # patterns -> (search, pattern of each character)

    class Scanner(LowLevelParser):
        def skip_to(self: Any, patterns: list[Any]) -> Any:
            plan = plans.get(tuple(patterns))
            if plan is None:
                search = SKIP_TO.get("".join(sorted(characters.get(pattern, "?") for pattern in patterns)))
                if search is None:
                    return super().skip_to(patterns)
                plan = plans[tuple(patterns)] = (search, {characters[pattern]: pattern for pattern in patterns})
            found = plan[0](self.text, self.pos)
            if found is None:
                return None
            value = self.text[self.pos:found.end()]
            self.pos = found.end()
            self.update_lineno(value)
            return Token(value, plan[1][found.group()])

    return Scanner


def _raw(kind: str, key: str, written: list[tuple[str, list[str]]],
         errors: list[Exception]) -> tuple[Raw, list[str]]:
    """An entry's fields as pybtex's Parser.process_entry takes them: a field given twice is an error (the first
    is kept); a name list is split into names, and a name with more than two commas (returned) is not BibTeX
    syntax. Person objects (names split into their parts) are made only for printing."""
    split_name_list, split_tex_string, duplicate_field, normalize_whitespace = _pybtex()
    fields: dict[str, str] = {}
    persons: dict[str, str] = {}
    invalid: list[str] = []
    for name, parts in written:
        lower = name.lower()
        if lower in fields or lower in persons:
            errors.append(duplicate_field(key, name))
            continue
        value = normalize_whitespace("".join(parts))
        if lower in PERSON_FIELDS:
            persons[lower] = value
            for person in split_name_list(value) if value.count(",") > 2 else ():
                if len(split_tex_string(person.strip(), ",")) > 3:  # pybtex's Person: InvalidNameString
                    invalid.append(person.strip())
        else:
            fields[lower] = value
    return Raw(kind, fields, persons), invalid


@lru_cache(maxsize=1)
def _pybtex() -> tuple[Any, ...]:
    """pybtex's name splitting, errors and whitespace rule, imported once (only for files that are BibTeX)."""
    from pybtex.bibtex.utils import split_name_list, split_tex_string
    from pybtex.database.input.bibtex import DuplicateField
    from pybtex.textutils import normalize_whitespace

    return split_name_list, split_tex_string, DuplicateField, normalize_whitespace


def _entry_lines(text: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Each key's line (the first entry of a key, compared without case as BibTeX does), and the keys written
    again with their lines."""
    lines: dict[str, int] = {}
    first: set[str] = set()
    again: list[tuple[str, int]] = []
    line, counted = 1, 0
    for head in ENTRY_HEAD.finditer(text):
        kind, key = head.group(1).lower(), head.group(2)
        if kind in ("string", "comment", "preamble") or not key:
            continue
        line += text.count("\n", counted, head.start())
        counted = head.start()
        if key.lower() in first:
            again.append((key, line))
        else:
            first.add(key.lower())
            lines[key] = line
    return lines, again


def _problem(error: Exception, written: list[str], lines: dict[str, int]) -> FileProblem:
    """A pybtex error as a problem at its line."""
    message = str(getattr(error, "args", [""])[0] if getattr(error, "args", None) else error)
    line = getattr(error, "lineno", None) or 1
    name = type(error).__name__
    if name == "UndefinedMacro":
        return FileProblem("CP301", f"the @string macro {message!r} is not defined (or is defined from itself)",
                           "define it with @string{name = \"...\"} before it is used, or put the value in braces",
                           line)
    if name == "DuplicateField":
        found = DUPLICATE_FIELD.search(message)
        if found and found.group(1) in lines:
            line = field_line(written, lines[found.group(1)], found.group(2).lower(), 2)
        return FileProblem("CP301", message, "remove the second field of that name", line)
    return FileProblem("CP301", f"the BibTeX is malformed: {message}", "check the braces and quotes of the entry "
                       "(every { has its }, every field ends with a comma)", line)


def _items(entries: dict[str, Raw], identifiers: dict[str, Item]) -> dict[str, Item]:
    """Every entry as a CSL-JSON item, with its checked identifiers; only rendering asks for them."""
    from pybtex import errors

    lowered = {key.lower(): raw for key, raw in entries.items()}
    items: dict[str, Item] = {}
    with errors.capture():  # a name's problems were reported by the scan
        for key, raw in entries.items():
            try:
                item = _item(key, raw, lowered)
            except Exception:  # untrusted text: an entry is printed from what can be read, never an exception
                item = {"id": key, "type": TYPES.get(raw.kind, "document")}
            for variable in IDENTIFIERS.values():
                item.pop(variable, None)
            item.update(identifiers[key])
            items[key] = item
    return items


def _item(key: str, raw: Raw, entries: dict[str, Raw]) -> Item:
    fields = dict(raw.fields)
    persons = dict(raw.persons)
    parent = entries.get(fields["crossref"].lower()) if fields.get("crossref") else None
    if parent is not None:
        for own, theirs in INHERITED.items():
            if theirs not in fields and own in parent.fields:
                fields[theirs] = parent.fields[own]
        for role, people in parent.persons.items():
            persons.setdefault(role, people)
    kind = raw.kind
    item: Item = {"id": key, "type": TYPES.get(kind, "document")}
    if kind == "misc" and "url" in fields:
        item["type"] = "webpage"
    for name, value in fields.items():
        variable = FIELDS.get(name)
        if variable and variable not in item:
            item[variable] = (verbatim(value) if name in VERBATIM else styled_text(value) if name in MARKUP_FIELDS
                              else latex_text(value))
    if item["type"] == "book":
        item.pop("container-title", None)  # a book's own booktitle is its title
    for role in ("author", "editor"):
        if persons.get(role):
            item[role] = _names(persons[role])
    item.update(_dates(fields))
    if "urldate" in fields:
        accessed = _iso_date(fields["urldate"])
        if accessed:
            item["accessed"] = accessed
    return item


def _names(written: str) -> list[dict[str, str]]:
    """A name list as CSL names, split by pybtex as BibTeX splits them (first, von, last, Jr)."""
    from pybtex.bibtex.utils import split_name_list
    from pybtex.database import Person

    return [_name(Person(name)) for name in split_name_list(written)]


def _name(person: Any) -> dict[str, str]:
    """A pybtex Person as a CSL name: corporate names (in braces) literal, "others" as "et al."."""
    text = str(person)
    if text.strip().lower() == "others":
        return {"literal": "et al."}
    last = person.last_names
    if not person.first_names and not person.middle_names and len(last) == 1 and BRACED_WHOLE.fullmatch(last[0]):
        return {"literal": latex_text(last[0])}
    name = {"family": latex_text(" ".join(last)),
            "given": latex_text(" ".join(person.first_names + person.middle_names)),
            "non-dropping-particle": latex_text(" ".join(person.prelast_names)),
            "suffix": latex_text(" ".join(person.lineage_names))}
    return {part: value for part, value in name.items() if value}


def _dates(fields: dict[str, str]) -> Item:
    year = latex_text(fields.get("year", "") or fields.get("date", ""))
    if not year:
        return {}
    if IN_PRESS.search(year):
        return {"issued": {"literal": "In press"}, "status": "in press"}
    if fields.get("date") and not fields.get("year"):
        issued = _iso_date(year)
        return {"issued": issued} if issued else {}
    found = YEAR.search(year)
    if not found:
        return {}
    parts = [int(found.group(0))]
    month = _month(fields.get("month", ""))
    if month:
        parts.append(month)
    return {"issued": {"date-parts": [parts]}}


def _month(text: str) -> int | None:
    word = latex_text(text).strip().rstrip(".").lower()
    if word.isdigit() and 1 <= int(word) <= 12:
        return int(word)
    return MONTHS.get(word) or MONTHS.get(word[:3])


def _iso_date(text: str) -> dict[str, Any] | None:
    found = ISO_DATE.match(text.strip())
    if not found:
        return None
    return {"date-parts": [[int(part) for part in found.groups() if part]]}
