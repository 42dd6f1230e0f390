"""Names derived from the model: names as printed, author initials and affiliation labels."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model's Author asks this module how it prints: no import at run time
    from casepub.model import Affiliation, Author

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # runs of letters, any script

# Scripts by what they mean for a name. Chinese, Japanese and Korean names print family name first, with no
# space (王文涛); kana or hangul also tell the language, so that Han characters take their Japanese or Korean
# forms (lang="ja", "ko": the Noto CJK fonts' localised forms). Right-to-left scripts need isolating (<bdi>).
_HAN = "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\U0001b000-\U0001b16f"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff\uffa0-\uffdc"
FAMILY_FIRST_SCRIPT = re.compile(f"[{_HAN}{_KANA}{_HANGUL}]")
KANA = re.compile(f"[{_KANA}]")
HANGUL = re.compile(f"[{_HANGUL}]")
# Hebrew, Arabic, Syriac, Thaana, N'Ko ... and their presentation forms; the historic right-to-left scripts.
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]")
# A name's native form in brackets, "Ming Li (李明)": printed as written, not read for initials or the family
# name. Nothing inside may be a bracket, so each bracket starts at most one short scan (linear).
NATIVE_FORM = re.compile(r"[(（][^()（）]*+[)）]")

SYMBOLS = ("*", "†", "‡", "§", "¶", "‖")
LONGEST = 40  # letters a colliding name is lengthened to at most: two names alike for longer stay colliding


def _words(text: str) -> list[str]:
    """The words of a name, each from its first letter with a capital where it has one: the ʻokina of
    "ʻAkau" is a letter, but not an initial (KA for Kalani ʻAkau)."""
    words = _WORD.findall(text)
    return words if text.isascii() else [_from_capital(word) if not _cased(word[0]) else word for word in words]


def _from_capital(word: str) -> str:
    for index, char in enumerate(word):
        if _cased(char):
            return word[index:]
    return word


def _cased(text: str) -> bool:
    """Whether `text` has a letter of a script with capitals (Latin, Greek, Cyrillic ...): only those change
    between upper and lower case."""
    return text.upper() != text.lower()


def family_first(given: str, family: str) -> bool:
    """Whether a name prints family name first with no space: written in Han, kana or hangul (王 / 文涛), with
    no letter of a script with capitals ("Ming Li (李明)" and "Wentao 王" print as "given family")."""
    text = given + family
    return not text.isascii() and FAMILY_FIRST_SCRIPT.search(text) is not None and not _cased(text)


def printed_name(author: Author) -> str:
    """The name as printed everywhere (byline, statements, metadata, contents): `name` as written; `given` and
    `family` as "given family", or family and given with no space for a Chinese, Japanese or Korean name
    (given 文涛, family 王: 王文涛)."""
    if author.name:
        return author.name
    given, family = author.given or "", author.family or ""
    if family_first(given, family):
        return family + given
    return " ".join(part for part in (given, family) if part)


def given_family(author: Author) -> tuple[str, str]:
    """(given, family), for initials and for ordering by family name: `given` and `family` as written; a
    `name` without its bracketed native form ("Ming Li (李明)": Ming / Li), split at its last space, or at its
    first where the family name comes first (山田 太郎: 太郎 / 山田; 王文涛 is all family name)."""
    if author.given or author.family:
        return (author.given or "", author.family or "")
    name = author.name or ""
    if "(" in name or "（" in name:
        name = " ".join(NATIVE_FORM.sub(" ", name).split())
    if family_first(name, ""):
        family, _, given = name.partition(" ")
        return (given, family)
    given, _, family = name.rpartition(" ")
    return (given, family)


def script_lang(text: str) -> str | None:
    """The language kana or hangul in `text` imply ("ja", "ko"), so that its Han characters print in that
    language's forms; None for anything else (Han alone does not tell Chinese from Japanese)."""
    if text.isascii():
        return None
    if KANA.search(text):
        return "ja"
    if HANGUL.search(text):
        return "ko"
    return None


def _parts(author: Author) -> tuple[list[str], list[str], list[str]]:
    """(given words, family-name particles, family words). Lower-case words before the family name are its
    particles: "Anne-Marie van der Berg" is given "Anne-Marie", particles "van der", family "Berg"."""
    given, family = given_family(author)
    given_names = given.split()
    keep = len(given_names)  # the given names before the lower-case ones that end them
    while keep > 1 and given_names[keep - 1][:1].islower():
        keep -= 1
    family_names = given_names[keep:] + family.split()
    given_names = given_names[:keep]
    count = 0  # the particles: lower-case names that start the family name (counted, not popped one by one)
    while len(family_names) - count > 1 and family_names[count][:1].islower():
        count += 1
    particles, family_names = family_names[:count], family_names[count:]
    return _words(" ".join(given_names)), [w for p in particles for w in _words(p)], _words(" ".join(family_names))


Parts = tuple[list[str], list[str], list[str]]


def _initials(parts: Parts, given_length: int, family_length: int = 1) -> str:
    """The first given name's first letters, other given initials, the particles' initials in lower case
    (van der: vd), then the family name's first letters: Anne-Marie van der Berg is AMvdB."""
    given_words, particles, family_words = parts
    if not given_words and not family_words:
        return "?"
    head = ""
    if given_words:
        first = given_words[0]
        head = first[0].upper() + first[1:given_length].lower() + "".join(w[0].upper() for w in given_words[1:])
    tail = "".join(word[0].lower() for word in particles)
    if family_words:
        last = family_words[0]
        tail += last[0].upper() + last[1:family_length].lower()
    return head + tail


def _first_given(parts: Parts) -> str:
    words = parts[0]
    return words[0].casefold() if words else ""


def _caseless(parts: Parts) -> bool:
    """Whether a word of the name has no letter with a capital: Han, kana, hangul, Arabic, Hebrew,
    Devanagari, Thai ... Initials are capitals of the Latin, Greek or Cyrillic alphabet; 王文涛's (WW) or
    محمد الأحمد's (MA) come from a transliteration only the author can give. ("ʻAkau", with its ʻokina, has
    its capital.)"""
    return any(not _cased(word) for words in parts for word in words)


def needs_initials(author: Author) -> bool:
    """Whether the author must set `initials:`: the name's script has no capitals, so none are derived."""
    if author.initials or (author.name or f"{author.given} {author.family}").isascii():  # ASCII letters: cased
        return False
    given, family = given_family(author)
    return any(not _cased(word) for word in _WORD.findall(f"{given} {family}"))


def author_initials(authors: Sequence[Author]) -> tuple[str, ...]:
    """Initials for the disclosures line: WW, KD, and QuW / QiW where two would both be QW.

    Colliding authors have their first given name lengthened one letter at a
    time until they differ (Wei Zhang and Wen Zhao: WZ, WeZ, then WeiZ / WenZ);
    where their given names are the same, the family name is lengthened instead
    (Wei Zhang and Wei Zhou: WZha / WZho). Initials set by hand are kept as
    written. A name in a script without capitals (王文涛, محمد الأحمد) has
    none derived: until `initials:` is set (the checks ask for it) the whole
    name stands in their place. Authors whose names cannot be told apart keep
    a colliding form; the checks report them; so do names alike for more than
    LONGEST letters (lengthening a letter at a time, two names of thousands of
    letters would take seconds).
    """
    given_lengths = [1] * len(authors)
    family_lengths = [1] * len(authors)
    parts = [_parts(author) for author in authors]
    caseless = [not a.initials and _caseless(parts[i]) for i, a in enumerate(authors)]
    result = [a.initials or (printed_name(a) if caseless[i] else _initials(parts[i], 1)) for i, a in enumerate(authors)]
    while True:
        groups: dict[str, list[int]] = defaultdict(list)
        for index, initials in enumerate(result):
            groups[initials].append(index)
        grew = False
        for members in groups.values():
            if len(members) == 1:
                continue
            derived = [i for i in members if not authors[i].initials and not caseless[i]]
            same_given = len({_first_given(parts[i]) for i in members}) == 1
            for index in derived:
                lengths = family_lengths if same_given else given_lengths
                if lengths[index] >= LONGEST:
                    continue
                lengths[index] += 1
                longer = _initials(parts[index], given_lengths[index], family_lengths[index])
                grew |= longer != result[index]
                result[index] = longer
        if not grew:
            return tuple(result)


def label(index: int, style: str) -> str:
    """The label of the index-th item (0-based): alpha a..z, aa, ab ...; numeric 1, 2 ...; symbols *, † ..."""
    if style == "numeric":
        return str(index + 1)
    if style == "symbols":
        return SYMBOLS[index % len(SYMBOLS)] * (index // len(SYMBOLS) + 1)
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def affiliation_labels(authors: Sequence[Author], affiliations: Sequence[Affiliation], style: str) -> dict[str, str]:
    """Affiliation id -> label, in order of first use by the authors; unused ones get none."""
    known = {affiliation.id for affiliation in affiliations}
    labels: dict[str, str] = {}
    for author in authors:
        for affiliation_id in author.affiliations:
            if affiliation_id in known and affiliation_id not in labels:
                labels[affiliation_id] = label(len(labels), style)
    return labels
