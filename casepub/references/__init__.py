"""A case's references: the file it names (load.py, bibtex.py), the citations in its text (cite.py), and the
list and citations as the journal's CSL style prints them (format.py).

Nothing is fetched: a DOI or PMID is checked for its form, never looked up. What is imported follows what
is done: the check (every case) imports load.py and cite.py; pybtex only for a BibTeX file; format.py (lxml,
then citeproc-py and pylatexenc) only when a case with references is rendered.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casepub.model import Case
from casepub.references.cite import Cluster, clusters, code_spans, first_cited
from casepub.references.load import Library, load_library

if TYPE_CHECKING:
    from casepub.references.format import CitationForm, Entry


@dataclass(frozen=True)
class Placed:
    """A citation cluster found in case.md, with the line and column of each cited key's @."""
    cluster: Cluster
    positions: tuple[tuple[int, int], ...]


def library(case: Case) -> Library | None:
    """The case's references file, read (once per content), or None when the case names none."""
    name = case.meta.references
    return load_library(case.folder, name) if name else None


def placed_citations(blocks: list) -> Iterator[Placed]:
    """Every citation cluster of the body's prose blocks (casepub.load.markdown.TextBlock), outside code spans."""
    for block in blocks:
        if "@" not in block.source:
            continue
        for cluster in clusters(block.source, code_spans(block.source)):
            yield Placed(cluster, tuple(block.position(item.offset) for item in cluster.items))


@dataclass(frozen=True)
class ReferenceList:
    """What rendering needs: the numbers of the cited keys, the style's citation form, the formatted entries."""
    numbers: dict[str, int]
    form: CitationForm
    entries: tuple[Entry, ...]
    superscript: bool = False

    def citation(self, cluster: Cluster) -> str:
        from casepub.references.format import citation_html
        return citation_html(cluster.items, self.numbers, self.form)


def reference_list(case: Case, style: str) -> ReferenceList | None:
    """The case's cited references in `style`, numbered by first citation; None without a references file."""
    found = library(case)
    if found is None or not found.readable:
        return None
    from casepub.load.markdown import body_blocks
    from casepub.references.format import bibliography, citation_form
    keys = [item.key for placed in placed_citations(body_blocks(case.body)) for item in placed.cluster.items
            if item.key in found.items]
    numbers = first_cited(keys)
    form = citation_form(style)
    entries = bibliography(style, found.items, tuple(numbers), found.digest)
    return ReferenceList(numbers, form, entries, form.superscript)


__all__ = ["Library", "Placed", "ReferenceList", "library", "placed_citations", "reference_list"]
