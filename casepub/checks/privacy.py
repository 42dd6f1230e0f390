"""De-identification: warnings for what could identify the patient (HIPAA's Safe Harbor identifiers).

They are warnings: a date or number may be harmless, and the author decides.
Every published text is read: title, abstract, body, captions, alt texts, the statements and the timeline.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import Any

from casepub.checks.registry import Context, rule
from casepub.diagnostics import KeyPath, Problem
from casepub.load.markdown import TextBlock

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# Linear time on any text (tests/test_regex_budget.py). A quantifier whose characters cannot be what follows
# it is possessive (*+, ++, ?+): the same matches, without giving characters back one by one when a match
# fails. RECORD's `\s*[:#]?\s*[A-Z]{0,3}[-\s]?` could share a run of spaces between its three space-takers in
# every way (cubic: 60 ms for a kilobyte after "medical record number"). EMAIL starts only where a run of
# address characters starts: from each character of a long run it read the rest of the run again (quadratic).
# (So a second address glued to the end of one, "a@b.org+c@d.org", is no longer reported apart: the first is.)
_DATE = (
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s++|-){_MONTH}\.?,?(?:\s++|-)\d{{4}}\b"    # 12 March 2023, 12-Mar-2023
    rf"|\b{_MONTH}\.?\s++\d{{1,2}}(?:st|nd|rd|th)?,?\s++\d{{4}}\b"               # March 12, 2023
    r"|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{4}[/.]\d{1,2}[/.]\d{1,2}\b"               # 2023-03-12, 2023/03/12
    r"|\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b|\b\d{1,2}-\d{1,2}-\d{4}\b"      # 12/03/2023, 12.3.23, 12-03-2023
)
# A full date (day, month and year). The lookahead lets the matcher pass over most characters at once.
FULL_DATE = re.compile(rf"(?=[\dJFMASOND])(?:{_DATE})")
_NUMBER = re.compile(r"\d++")
# Dates that are not the patient's. Those inside an address (a URL, a domain with a path, a Markdown link's
# target, a DOI, an e-mail address; each starts only where its run of characters starts, so no run is read
# twice), and those after the word that makes them a web page's or a reference's ("accessed 2026-05-01",
# "Epub 12 March 2023", "version 2023-03-12"), which NOT_THE_PATIENTS finds ending where a date starts.
ADDRESS = re.compile(
    r"(?<![\w.+-])(?:https?|ftp)://[^\s<>]*+|(?<![\w.+/-])(?:[\w-]++\.)++[A-Za-z]{2,}+/[^\s<>]*+"
    r"|\]\([^)\s]*+|(?<![\w.])10\.\d{4,9}+/[^\s<>]++|(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+"
)
NOT_THE_PATIENTS = re.compile(
    r"\b(?i:accessed|cited|retrieved|e-?pub(?:lished)?+|published(?:\s++online)?+|available\s++online"
    r"|(?:date\s++(?:of\s++)?+)?+(?:publication|access)(?:\s++date)?+|last\s++(?:updated|modified|reviewed)"
    r"|version(?:\s++of)?+)(?:\s++on\b)?+[\s:,(\[]*+\Z"
)
_LEAD_WIDTH = 60  # characters before a date where NOT_THE_PATIENTS looks
# A telephone number; a full stop after it may end the sentence (not a decimal point: .5)
PHONE = re.compile(r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,3}(?!\w|\.\d)")
RECORD = re.compile(
    r"\b(?:MRN|medical\s++record(?:\s++(?:number|no\.?))?|record\s++(?:number|no\.?|#)|"
    r"(?:patient|hospital|chart|case|admission)\s++(?:ID|number|no\.?|#))\s*+[:#]?+\s*+[A-Z]{0,3}+[-\s]?+\d{3,}"
    r"|(?<![\w.,-])\d{7,}+(?!\w|[.,]\d)",
    re.IGNORECASE,
)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
AGE = re.compile(
    r"\b(\d{2,3})[-\s](?:year|yr)s?[-\s]old\b|\baged?\s++(?:of\s++)?(\d{2,3})\b"
    r"|\b(\d{2,3})\s*+(?:y/o|years?\s++of\s++age)\b",
    re.IGNORECASE,
)
NAME_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s++[A-Z][\w'-]*+")


def _texts(ctx: Context) -> Iterator[tuple[str, KeyPath | TextBlock]]:
    """(text, where) for each published text; where is a body block or a key path."""
    meta = ctx.meta
    if meta.title:
        yield meta.title, ("title",)
    for path, text in meta.abstract_parts:
        yield text, path
    for block in ctx.text:
        yield block.source, block
    for f, figure in enumerate(meta.figures):
        for key, text in figure.caption.items():
            yield text, ("figures", f, "caption", key)
        for p, panel in enumerate(figure.panels):
            if panel.alt:  # published too: the HTML's alt text, read aloud by screen readers
                yield panel.alt, ("figures", f, "panels", p, "alt")
    for key in ("conflict_statement", "consent_statement", "funding"):
        if getattr(meta, key):
            yield getattr(meta, key), (key.replace("_", "-"),)
    if meta.consent:
        for key in ("statement", "reason"):
            if getattr(meta.consent, key):
                yield getattr(meta.consent, key), ("consent", key)
    for i, entry in enumerate(meta.timeline):  # CARE's timeline: "Day 86", not the calendar date
        yield entry.when, ("timeline", i, "when")
        yield entry.event, ("timeline", i, "event")


def _find(ctx: Context, pattern: re.Pattern[str],
          keep: Callable[[re.Match[str]], bool] = lambda match: True) -> Iterator[tuple[re.Match[str], dict[str, Any]]]:
    for text, where in _texts(ctx):
        for match in pattern.finditer(text):
            if keep(match):
                if not isinstance(where, TextBlock):
                    yield match, {"path": where}
                else:
                    line, column = where.position(match.start())
                    yield match, {"line": line, "column": column}


def _real(date: str) -> bool:
    """Whether a date is one: 2023-13-45, 31/31/2023 and version numbers like 0.5.10 are not."""
    numbers = [int(n) for n in _NUMBER.findall(date)]
    if len(numbers) == 2:  # the month in words: the day comes first of the numbers
        return 1 <= numbers[0] <= 31
    first, second, third = numbers
    month, day = (second, third) if first > 99 else (min(first, second), max(first, second))
    return 1 <= month <= 12 and 1 <= day <= 31


def _patients(addresses: dict[str, tuple[list[int], list[int]]]) -> Callable[[re.Match[str]], bool]:
    """Whether a date found is the patient's; `addresses` keeps each text's address spans, found once per
    text and only for a text that has a date."""
    def keep(match: re.Match[str]) -> bool:
        text, start, end = match.string, match.start(), match.end()
        if not _real(match.group(0)) or NOT_THE_PATIENTS.search(text, max(0, start - _LEAD_WIDTH), start):
            return False
        if text not in addresses:
            spans = [m.span() for m in ADDRESS.finditer(text)]
            addresses[text] = [a for a, _ in spans], [b for _, b in spans]
        starts, ends = addresses[text]
        at = bisect_right(starts, start) - 1
        return at < 0 or ends[at] < end
    return keep


@rule("deid-dates")
def full_dates(ctx: Context) -> Iterator[Problem]:
    """No full dates (day, month and year) of the patient's care. A web page's access date, a reference's
    publication date and the dates in URLs, DOIs and e-mail addresses are not the patient's."""
    for match, where in _find(ctx, FULL_DATE, _patients({})):
        yield Problem(f'full date "{match.group(0)}" could identify the patient',
                      'give time relative to an event ("on the 86th day after surgery") or the year alone', **where)


def _phone_like(match: re.Match) -> bool:
    return sum(c.isdigit() for c in match.group(0)) >= 9


@rule("deid-phone")
def phone_numbers(ctx: Context) -> Iterator[Problem]:
    """No telephone or fax numbers."""
    for match, where in _find(ctx, PHONE, _phone_like):
        yield Problem(f'"{match.group(0)}" looks like a telephone number', "remove it", **where)


@rule("deid-record-numbers")
def record_numbers(ctx: Context) -> Iterator[Problem]:
    """No medical record, patient or account numbers."""
    for match, where in _find(ctx, RECORD):
        yield Problem(f'"{match.group(0)}" looks like a record or identification number', "remove it", **where)


@rule("deid-email")
def emails(ctx: Context) -> Iterator[Problem]:
    """No e-mail addresses other than the authors'."""
    authors = {(a.email or "").casefold() for a in ctx.meta.authors}
    for match, where in _find(ctx, EMAIL, lambda m: m.group(0).casefold() not in authors):
        yield Problem(f'e-mail address "{match.group(0)}" is not an author\'s', "remove it", **where)


def _over_89(match: re.Match) -> bool:
    return int(next(g for g in match.groups() if g)) > 89


@rule("deid-age")
def ages(ctx: Context) -> Iterator[Problem]:
    """No ages over 89: they are grouped as "90 or older"."""
    for match, where in _find(ctx, AGE, _over_89):
        yield Problem(f'the age in "{match.group(0)}" is over 89 and could identify the patient',
                      'write "a patient aged 90 or older"', **where)


@rule("deid-names")
def names(ctx: Context) -> Iterator[Problem]:
    """No patient named or initialled as "Mr. X" or "Mrs. Y"."""
    for match, where in _find(ctx, NAME_TITLE):
        yield Problem(f'"{match.group(0)}" could identify the patient', 'refer to "the patient" or "a 70-year-old woman"',
                      **where)


@rule("blind-names")
def blind_names(ctx: Context) -> Iterator[Problem]:
    """In a blinded review copy (render --blind), the authors' names and their institutions and cities still
    written in the published texts: the copy leaves out the byline and the statements that name them, not the
    text. Names are matched as written, as whole words; no pattern is made from them."""
    if not ctx.blind:
        return
    needles = sorted(_identifying(ctx), key=lambda item: -len(item[0]))  # "Pieter van Dijk" before "Dijk"
    for text, where in _texts(ctx):
        taken: list[tuple[int, int]] = []
        for needle, what in needles:
            for at in _whole_words(text, needle):
                if any(start <= at < end for start, end in taken):  # part of a longer name found there
                    continue
                taken.append((at, at + len(needle)))
                place = {"path": where} if not isinstance(where, TextBlock) else dict(
                    zip(("line", "column"), where.position(at), strict=True))
                yield Problem(f'"{needle}" ({what}) is still in the blinded copy',
                              'write "the authors" or "our institution", or remove it', **place)


def _identifying(ctx: Context) -> list[tuple[str, str]]:
    """What names the authors: each author's name and family name, each institution and city."""
    from casepub.naming import given_family, printed_name

    found: dict[str, str] = {}
    for author in ctx.meta.authors:
        found.setdefault(printed_name(author), "an author's name")
        family = given_family(author)[1]
        if len(family) >= 3:
            found.setdefault(family, "an author's name")
    for affiliation in ctx.meta.affiliations:
        for name in affiliation.name:
            found.setdefault(name, "an institution")
        if affiliation.city and len(affiliation.city) >= 3:
            found.setdefault(affiliation.city, "an institution's city")
    return [(needle, what) for needle, what in found.items() if needle.strip()]


def _whole_words(text: str, needle: str) -> Iterator[int]:
    """Where `needle` stands in `text` as whole words (no letter or digit right before or after it)."""
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            yield at
        at = text.find(needle, at + 1)
