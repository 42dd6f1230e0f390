"""BibTeX to CSL-JSON: pybtex reads the file, pylatexenc turns its LaTeX into Unicode.

pybtex keeps `%` inside braces (URLs), expands @string macros and `#`, reads
month macros, keeps a name in braces whole ({World Health Organization}, even
with an "and" inside) and splits names into first, von, last and Jr parts as
BibTeX does. Its errors are captured (pybtex.errors.capture) and become
problems at their line in the file; a duplicate key keeps the first entry, as
BibTeX does.
"""
from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from typing import Any

from casepub.references.load import (
    ENTRY_HEAD,
    ISO_DATE,
    LATEX_SPECIAL,
    LEFT_OVER,
    MONTHS,
    SPACES,
    FileProblem,
    Item,
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
NAME_IN_MESSAGE = re.compile(r"'([^'\n]++)'")
BRACED_WHOLE = re.compile(r"\{[^{}]*+\}")  # a name written {World Health Organization}


@lru_cache(maxsize=1)
def _decoder() -> Any:
    """pylatexenc's converter, made once per process ($\\alpha$ -> α, {\\c c} -> ç, \\textit{x} -> x)."""
    from pylatexenc.latex2text import LatexNodes2Text
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


@lru_cache(maxsize=8192)
def latex_text(value: str) -> str:
    """A BibTeX value as plain Unicode text: LaTeX decoded, no brace, backslash or `$` left, spaces collapsed."""
    if "\\" not in value and "$" not in value:  # braces, dashes and ties only (the usual case): no LaTeX parse
        value = value.replace("---", "\u2014").replace("--", "\u2013").replace("~", " ")
    elif LATEX_SPECIAL.search(value):
        with contextlib.suppress(Exception):
            value = _decoder().latex_to_text(value)
    return SPACES.sub(" ", LEFT_OVER.sub("", value.replace("\u00a0", " "))).strip()


def verbatim(value: str) -> str:
    """An identifier as written (`%`, `_` and `~` in a URL are not LaTeX), less braces, backslashes and spaces."""
    return SPACES.sub("", LEFT_OVER.sub("", value))


def parse_bibtex(text: str) -> tuple[dict[str, Item], dict[str, int], list[FileProblem]]:
    """The entries of a BibTeX file as CSL-JSON items (first of a duplicated key kept), their lines, problems."""
    from pybtex import errors
    from pybtex.database.input import bibtex

    lines, duplicates = _entry_lines(text)
    problems = [FileProblem("CP303", f"the key {key!r} is defined twice; the first entry is kept",
                            "remove or rename the second entry (BibTeX too uses the first)", line)
                for key, line in duplicates]
    with errors.capture() as captured:
        try:
            data = bibtex.Parser().parse_string(text)
        except Exception as error:
            captured.append(error)
            data = None
    problems += [problem for error in captured if (problem := _problem(error, text)) is not None]
    if data is None:
        return {}, lines, problems
    items: dict[str, Item] = {}
    for key, entry in data.entries.items():
        try:
            items[key] = _item(key, entry, data.entries)
        except Exception as error:
            problems.append(FileProblem("CP302", f"entry {key!r} cannot be read: {error}",
                                        "write names as 'Family, Given and Family, Given'", lines.get(key, 1)))
    return items, {key: line for key, line in lines.items() if key in items}, problems


def _entry_lines(text: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Each key's line (the first entry of a key), and the keys written again with their lines."""
    lines: dict[str, int] = {}
    again: list[tuple[str, int]] = []
    for head in ENTRY_HEAD.finditer(text):
        kind, key = head.group(1).lower(), head.group(2)
        if kind in ("string", "comment", "preamble") or not key:
            continue
        line = text.count("\n", 0, head.start()) + 1
        if key in lines:
            again.append((key, line))
        else:
            lines[key] = line
    return lines, again


def _problem(error: Exception, text: str) -> FileProblem | None:
    """A pybtex error as a problem at its line; "repeated entry" is found by _entry_lines with its line."""
    message = str(getattr(error, "args", [""])[0] if getattr(error, "args", None) else error)
    if message.startswith("repeated bibliography entry"):
        return None
    line = getattr(error, "lineno", None) or 1
    name = type(error).__name__
    if name == "UndefinedMacro":
        return FileProblem("CP301", f"the @string macro {message!r} is not defined (or is defined from itself)",
                           "define it with @string{name = \"...\"} before it is used, or put the value in braces",
                           line)
    if name == "InvalidNameString":
        written = NAME_IN_MESSAGE.search(message)
        at = text.find(written.group(1)) if written else -1
        line = text.count("\n", 0, at) + 1 if at >= 0 else line
        return FileProblem("CP302", f"the name {written.group(1) if written else message!r} is not BibTeX syntax "
                           "(too many commas)", "separate names with ' and ' "
                           "and write each as 'Family, Given' or 'Given Family'", line)
    if name == "DuplicateField":
        return FileProblem("CP301", message, "remove the second field of that name", line)
    return FileProblem("CP301", f"the BibTeX is malformed: {message}", "check the braces and quotes of the entry "
                       "(every { has its }, every field ends with a comma)", line)


def _item(key: str, entry: Any, entries: Any) -> Item:
    fields = {name.lower(): value for name, value in entry.fields.items()}
    persons = {role.lower(): list(people) for role, people in entry.persons.items()}
    parent = entries.get(fields.get("crossref", "")) if fields.get("crossref") else None
    if parent is not None:
        parent_fields = {name.lower(): value for name, value in parent.fields.items()}
        for own, theirs in INHERITED.items():
            if theirs not in fields and own in parent_fields:
                fields[theirs] = parent_fields[own]
        for role, people in parent.persons.items():
            persons.setdefault(role.lower(), list(people))
    kind = entry.type.lower()
    item: Item = {"id": key, "type": TYPES.get(kind, "document")}
    if kind == "misc" and "url" in fields:
        item["type"] = "webpage"
    for name, value in fields.items():
        variable = FIELDS.get(name)
        if variable and variable not in item:
            item[variable] = verbatim(value) if name in VERBATIM else latex_text(value)
    if item["type"] == "book":
        item.pop("container-title", None)  # a book's own booktitle is its title
    for role in ("author", "editor"):
        if persons.get(role):
            item[role] = [_name(person) for person in persons[role]]
    item.update(_dates(fields))
    if "urldate" in fields:
        accessed = _iso_date(fields["urldate"])
        if accessed:
            item["accessed"] = accessed
    return item


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
        return {"issued": {"literal": "In press"}}
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
