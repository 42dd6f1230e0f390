"""Names derived from the model: author initials and affiliation labels."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from casepub.model import Affiliation, Author

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # runs of letters, any script

SYMBOLS = ("*", "†", "‡", "§", "¶", "‖")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _initials(author: Author, length: int) -> str:
    """Given-name part (the first given name lengthened to `length` letters) + family initial."""
    given, family = author.given_family
    given_words, family_words = _words(given), _words(family)
    if not given_words and not family_words:
        return "?"
    head = ""
    if given_words:
        first = given_words[0]
        head = first[0].upper() + first[1:length].lower() + "".join(w[0].upper() for w in given_words[1:])
    tail = family_words[0][0].upper() if family_words else ""
    return head + tail


def author_initials(authors: Sequence[Author]) -> tuple[str, ...]:
    """Initials for the disclosures line: WW, KD, and QuW / QiW where two would both be QW.

    Colliding authors have their first given name lengthened one letter at a
    time until they differ (Wei Zhang and Wen Zhao: WZ, WeZ, then WeiZ / WenZ).
    Initials set by hand are kept as written. Authors whose names cannot be told
    apart keep their shortest form; the checks report them.
    """
    lengths = [1] * len(authors)
    result = [a.initials or _initials(a, 1) for a in authors]
    while True:
        groups: dict[str, list[int]] = defaultdict(list)
        for index, initials in enumerate(result):
            groups[initials].append(index)
        grew = False
        for members in groups.values():
            for index in members if len(members) > 1 else ():
                if authors[index].initials:
                    continue
                longer = _initials(authors[index], lengths[index] + 1)
                if longer != result[index]:
                    lengths[index] += 1
                    result[index] = longer
                    grew = True
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
