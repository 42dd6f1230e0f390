"""Names derived from the model: author initials and affiliation labels."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from casepub.model import Affiliation, Author

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # runs of letters, any script

SYMBOLS = ("*", "†", "‡", "§", "¶", "‖")
LONGEST = 40  # letters a colliding name is lengthened to at most: two names alike for longer stay colliding


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _parts(author: Author) -> tuple[list[str], list[str], list[str]]:
    """(given words, family-name particles, family words). Lower-case words before the family name are its
    particles: "Anne-Marie van der Berg" is given "Anne-Marie", particles "van der", family "Berg"."""
    given, family = author.given_family
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


def author_initials(authors: Sequence[Author]) -> tuple[str, ...]:
    """Initials for the disclosures line: WW, KD, and QuW / QiW where two would both be QW.

    Colliding authors have their first given name lengthened one letter at a
    time until they differ (Wei Zhang and Wen Zhao: WZ, WeZ, then WeiZ / WenZ);
    where their given names are the same, the family name is lengthened instead
    (Wei Zhang and Wei Zhou: WZha / WZho). Initials set by hand are kept as
    written. Authors whose names cannot be told apart keep a colliding form;
    the checks report them; so do names alike for more than LONGEST letters
    (lengthening a letter at a time, two names of thousands of letters would
    take seconds).
    """
    given_lengths = [1] * len(authors)
    family_lengths = [1] * len(authors)
    parts = [_parts(author) for author in authors]
    result = [a.initials or _initials(parts[i], 1) for i, a in enumerate(authors)]
    while True:
        groups: dict[str, list[int]] = defaultdict(list)
        for index, initials in enumerate(result):
            groups[initials].append(index)
        grew = False
        for members in groups.values():
            if len(members) == 1:
                continue
            derived = [i for i in members if not authors[i].initials]
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
