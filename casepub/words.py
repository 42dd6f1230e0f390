"""Counting words in English: the one place plurals are made ("1 figure", "2 figures")."""
from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun for `count` things: figure / figures, the irregular form when given."""
    return singular if count == 1 else (plural_form or singular + "s")


def counted(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 figure', '0 figures', '2 analyses'."""
    return f"{count} {plural(count, singular, plural_form)}"


def quoted(text: str, limit: int = 40) -> str:
    """A value as messages quote it: its repr, cut short when it is long: "'1      '… (6,002 characters)"."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text):,} characters)"
