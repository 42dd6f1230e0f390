"""Reading a case's references file (BibTeX, CSL-JSON or CSL-YAML) into CSL-JSON items, with located problems.

BibTeX is read by pybtex (@string macros and `#` concatenation, @comment and
@preamble, `%` kept inside braces, names split as BibTeX splits them, corporate
names in braces kept whole) and its LaTeX turned into Unicode by pylatexenc;
citeproc-py's own BibTeX reader gets accents, wrapped author lists, url,
urldate and crossref wrong. Every value is untrusted text: no markup, brace,
backslash or `$` survives, a `url` must be http(s), DOIs and PMIDs are checked.

A file is parsed once per content (cached by its bytes), so checking many cases
that share a file, or checking then rendering one, parses it once.

What the check needs it gets without what only printing needs: keys with their
lines, syntax errors, names well-formed, DOI/PMID/url; the CSL-JSON items
(names split into their parts, LaTeX decoded) are made on first use, by
rendering (Parsed.items). For a BibTeX file the check reads the file with
bibscan.py, pybtex's grammar in a few regular expressions, and hands any file
that is not plainly well-formed to pybtex's own scanner, whose errors are the
ones reported (bibtex.py): 30 references are read in 0.5 ms, where pybtex's
Parser took 4.2 ms and its scanner alone 1.6 ms. Weighed and not taken: an
on-disk cache (it would not help distinct files, and a benchmark of distinct
files would measure the disk, not the check).
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from casepub.load.files import UnsafePath, read_inside

MAX_REFERENCES_BYTES = 5 << 20  # 5 MB: a thousand references are a few hundred kB
Item = dict[str, Any]  # one CSL-JSON item

DOI = re.compile(r"10\.\d{4,9}+/\S++")
DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*+)", re.IGNORECASE)
PMID = re.compile(r"[1-9]\d{0,8}+")
# An entry's head: `@type{key,` (or with a parenthesis); comments, strings and preambles have no key.
ENTRY_HEAD = re.compile(r"@[ \t]*+([A-Za-z]++)[ \t]*+[{(][ \t\r\n]*+([^,\s{}()]*+)")
LATEX_SPECIAL = re.compile(r"[\\{}$~]|--")
LEFT_OVER = re.compile(r"[{}\\$]++")
ALLOWED_TAG = re.compile(r"&lt;(/?)(i|b|sup|sub)&gt;")
ANY_TAG = re.compile(r"<[^<>]*+>")
SPACES = re.compile(r"\s++")
ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?+)?+")
FIELD_NAME = re.compile(r'^\s*+"?([A-Za-z-]++)"?\s*+[=:]')
MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}


@dataclass(frozen=True)
class FileProblem:
    """A problem in the references file, at its line there: `code` is one of CP300-CP305."""
    code: str
    message: str
    hint: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Parsed:
    """One file's content, read once per process: keys with their lines in file order and every problem at
    once; the CSL-JSON items made on first use (`make`), since only rendering prints them and, for BibTeX,
    making them (names split, LaTeX decoded) costs more than the check's whole scan."""
    lines: dict[str, int]
    problems: tuple[FileProblem, ...]
    make: Callable[[], dict[str, Item]]

    @cached_property
    def items(self) -> dict[str, Item]:
        return self.make()


class Items(Mapping[str, Item]):
    """A file's items by key, in file order: the keys known from the scan, an item's fields asked for only
    when printed. Shared by every case with the same file: read-only."""

    def __init__(self, parsed: Parsed):
        self._parsed = parsed

    def __getitem__(self, key: str) -> Item:
        return self._parsed.items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._parsed.lines

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed.lines)

    def __len__(self) -> int:
        return len(self._parsed.lines)


@dataclass(frozen=True)
class Library:
    """The references of one file: CSL-JSON items by key in file order, where each starts, what is wrong."""
    file: Path
    items: Mapping[str, Item] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[FileProblem, ...] = ()
    digest: str = ""  # of the file's bytes: the formatting cache's key

    @property
    def readable(self) -> bool:
        return not any(problem.code == "CP300" for problem in self.problems)


def load_library(folder: Path, name: str) -> Library:
    """The references file `name` of the case in `folder`, read only inside it."""
    file = folder / name
    try:
        data = read_inside(folder, name, MAX_REFERENCES_BYTES)
    except UnsafePath as refused:
        return Library(file, problems=(FileProblem("CP300", f"the references file cannot be read: {refused.reason}",
                                                   refused.hint),))
    return _parsed(file, data)


def _parsed(file: Path, data: bytes) -> Library:
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    parsed = _parse_cached(file.suffix.lower(), data, digest)
    return Library(file, Items(parsed), parsed.lines, parsed.problems, digest)


def _nothing() -> dict[str, Item]:
    return {}


@lru_cache(maxsize=256)
def _parse_cached(suffix: str, data: bytes, digest: str) -> Parsed:
    """Parse once per content (the digest makes the cache's key cheap to compare); shared, so read-only."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        return Parsed({}, (FileProblem("CP300", f"the references file is not UTF-8 (byte {error.start + 1})",
                                       "save the file as UTF-8 (your reference manager's export has the option)",
                                       line),), _nothing)
    if suffix == ".bib":
        from casepub.references.bibtex import read_bibtex
        return read_bibtex(text)
    if suffix not in (".json", ".yaml", ".yml"):
        return Parsed({}, (FileProblem("CP300", f"the references file {suffix or 'without a suffix'!r} is not BibTeX "
                                       "(.bib), CSL-JSON (.json) or CSL-YAML (.yaml)", "export the references as "
                                       "BibTeX or CSL-JSON and name the file with its suffix"),), _nothing)
    items, lines, problems = _parse_csl(text, suffix)
    written = text.split("\n")
    for key, item in items.items():
        problems += check_identifiers(key, item, lines.get(key, 1), written)
    return Parsed(lines, tuple(problems), lambda: items)


def _parse_csl(text: str, suffix: str) -> tuple[dict[str, Item], dict[str, int], list[FileProblem]]:
    """CSL-JSON (a list of items) or CSL-YAML (a list, or Pandoc's `references:` mapping)."""
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        return {}, {}, [FileProblem("CP301", f"the references file is not valid JSON: {error.msg}",
                                    "export the references again as CSL-JSON", error.lineno, error.colno)]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return {}, {}, [FileProblem("CP301", f"the references file is not valid YAML: {getattr(error, 'problem', error)}",
                                    "export the references again as CSL-YAML",
                                    mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)]
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        data = data["references"]
    if not isinstance(data, list):
        return {}, {}, [FileProblem("CP301", "the references file is not a list of CSL items",
                                    "export the references as CSL-JSON: a list of objects, each with an id")]
    items: dict[str, Item] = {}
    lines: dict[str, int] = {}
    problems: list[FileProblem] = []
    counter = LineCounter(text)
    for index, raw in enumerate(data):
        key = str(raw.get("id", "")).strip() if isinstance(raw, dict) else ""
        line = _line_of_id(text, key, counter) if key else 1
        if not key:
            problems.append(FileProblem("CP301", f"item {index + 1} of the references file has no id",
                                        "give every item an `id`: the key cited as [@id]", line))
        elif key in items:
            problems.append(FileProblem("CP303", f"the key {key!r} is defined twice; the first is kept",
                                        "remove or rename the second item", line))
        else:
            items[key], lines[key] = _clean_csl(raw), line
    return items, lines, problems


def _line_of_id(text: str, key: str, counter: LineCounter) -> int:
    """The line where the item `key` is written: its id after the item before (good enough to find it)."""
    for exact, quoted in ((True, f'"id": {json.dumps(key)}'), (True, f'"id":{json.dumps(key)}'),
                          (True, f"id: {key}"), (False, json.dumps(key)), (False, key)):
        at = text.find(quoted, counter.at)
        if at >= 0:
            return counter.line_of(at, move=exact)
    return counter.line


def _clean_csl(raw: dict[str, Any]) -> Item:
    """A CSL item with its text made safe: titles keep <i> <b> <sup> <sub> and lose every other tag."""
    item: Item = {}
    for key, value in raw.items():
        if key in ("issued", "accessed"):
            date = clean_date(value)
            if date:
                item[key] = date
        elif isinstance(value, str):
            item[key] = markup_text(value) if key in ("title", "container-title") else plain_text(value)
        elif isinstance(value, list) and key in ("author", "editor"):
            item[key] = [_clean_name(name) for name in value if isinstance(name, dict)]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            item[key] = value
    item["id"] = str(raw.get("id"))
    item.setdefault("type", "article-journal")
    return item


def clean_date(value: Any) -> dict[str, Any] | None:
    """A CSL date as citeproc-py takes it: date-parts of 1-3 whole numbers (a null or partial date kept as far as
    it goes: [[2020, null]] -> [[2020]]), a literal, or an ISO string ("2020-04") read as date-parts."""
    if isinstance(value, str):
        found = ISO_DATE.match(value.strip())
        return {"date-parts": [[int(part) for part in found.groups() if part]]} if found else (
            {"literal": plain_text(value)} if value.strip() else None)
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        whole: list[int] = []
        for part in parts[0][:3]:
            if isinstance(part, (int, float)) or (isinstance(part, str) and part.strip().isdigit()):
                whole.append(int(part))
            else:
                break
        if whole and 1 <= whole[0] <= 9999:
            return {"date-parts": [whole]}
    if isinstance(value.get("raw"), str):
        return clean_date(value["raw"])
    if isinstance(value.get("literal"), str) and value["literal"].strip():
        return {"literal": plain_text(value["literal"])}
    return None


def _clean_name(name: dict[str, Any]) -> dict[str, str]:
    return {key: plain_text(str(value)) for key, value in name.items()
            if key in ("family", "given", "literal", "suffix", "non-dropping-particle", "dropping-particle")
            and value is not None}


def plain_text(text: str) -> str:
    """Text with any tag removed and whitespace collapsed (HTML escaping is the formatter's)."""
    return SPACES.sub(" ", html.unescape(ANY_TAG.sub("", text))).strip()


def markup_text(text: str) -> str:
    """A title from CSL-JSON: <i> <b> <sup> <sub> kept (when each opens and closes as often), every other tag
    dropped; format.py escapes the rest of the text and lets only those four tags through."""
    kept = {name for name in ("i", "b", "sup", "sub") if text.count(f"<{name}>") == text.count(f"</{name}>")}
    return SPACES.sub(" ", ANY_TAG.sub(lambda tag: tag.group(0) if tag.group(0).strip("</>") in kept
                                       and " " not in tag.group(0) else "", text)).strip()


def check_identifiers(key: str, item: Item, line: int, written: list[str]) -> Iterator[FileProblem]:
    """A DOI or PMID that is not well-formed, a url that is not http(s): refused (taken out of `item`), at the
    field's line; a well-formed DOI is kept bare, and a url that is the DOI's link becomes the DOI."""
    doi = item.get("DOI")
    if doi is not None:
        bare = DOI_PREFIX.sub("", str(doi)).strip()
        if not DOI.fullmatch(bare):
            yield FileProblem("CP304", f"reference {key!r}: the DOI {doi!r} is not well-formed",
                              "a DOI is 10.<registrant>/<suffix>, e.g. 10.1016/j.spinee.2019.01.002",
                              field_line(written, line, "doi"))
            del item["DOI"]
        else:
            item["DOI"] = bare
    pmid = item.get("PMID")
    if pmid is not None and not PMID.fullmatch(str(pmid).strip()):
        yield FileProblem("CP304", f"reference {key!r}: the PMID {pmid!r} is not well-formed",
                          "a PMID is a number of up to 9 digits, e.g. 31986264", field_line(written, line, "pmid"))
        del item["PMID"]
    url = item.get("URL")
    if url is not None and DOI_PREFIX.match(str(url)) and DOI.fullmatch(DOI_PREFIX.sub("", str(url)).strip()):
        item.setdefault("DOI", DOI_PREFIX.sub("", str(url)).strip())  # the DOI's link: printed once, as the DOI
        del item["URL"]
        url = None
    if url is not None and not str(url).strip().lower().startswith(("http://", "https://")):
        yield FileProblem("CP305", f"reference {key!r}: the url {str(url)[:60]!r} is not an http(s) address; "
                          "it is left out", "give a web address beginning with https:// or http://",
                          field_line(written, line, "url"))
        del item["URL"]


def field_line(written: list[str], entry_line: int, name: str, nth: int = 1) -> int:
    """The line of the `nth` field `name` in the entry written at `entry_line` (that line when not found), in the
    file's lines (split once: a file of thousands of faulty entries is read in linear time)."""
    for number in range(entry_line - 1, min(len(written), entry_line + 60)):
        found = FIELD_NAME.match(written[number])
        if found and found.group(1).lower() == name:
            nth -= 1
            if not nth:
                return number + 1
        if number > entry_line - 1 and written[number].lstrip().startswith("@"):
            break
    return entry_line


class LineCounter:
    """The lines of places in a text met in order: the newlines are counted from the last place asked about,
    so that finding every item's line reads the text once, not once per item."""

    def __init__(self, text: str):
        self.text, self.at, self.line = text, 0, 1

    def line_of(self, at: int, *, move: bool = True) -> int:
        if at < self.at:
            return self.text.count("\n", 0, at) + 1
        line = self.line + self.text.count("\n", self.at, at)
        if move:
            self.at, self.line = at, line
        return line
