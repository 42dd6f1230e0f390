"""References: the references file (read once per check, its problems at their line there), the citations in
the text (a key not in the file, with "did you mean"), and references never cited."""
from __future__ import annotations

from collections.abc import Iterator

from casepub.checks.registry import Context, rule
from casepub.diagnostics import Problem
from casepub.profiles import did_you_mean


def _file_problems(ctx: Context, code: str) -> Iterator[Problem]:
    found = ctx.references
    if found is None:
        return
    for problem in found.problems:
        if problem.code != code:
            continue
        if code == "CP300":  # the file cannot be read: at the `references:` key of case.md
            yield Problem(problem.message, problem.hint, ("references",), line=problem.line if problem.line > 1
                          else None, file=found.file if problem.line > 1 else None)
        else:
            yield Problem(problem.message, problem.hint, ("references",), line=problem.line, column=problem.column,
                          file=found.file)


@rule("references-file")
def references_file(ctx: Context) -> Iterator[Problem]:
    """The references file exists inside the case folder, is UTF-8, within the size limit, of a known kind."""
    yield from _file_problems(ctx, "CP300")


@rule("references-syntax")
def references_syntax(ctx: Context) -> Iterator[Problem]:
    """The references file parses: braces balanced, @string macros defined, JSON/YAML well-formed."""
    yield from _file_problems(ctx, "CP301")


@rule("reference-names")
def reference_names(ctx: Context) -> Iterator[Problem]:
    """Author and editor lists are BibTeX name lists."""
    yield from _file_problems(ctx, "CP302")


@rule("reference-duplicate")
def reference_duplicate(ctx: Context) -> Iterator[Problem]:
    """A key is defined once (the first is kept)."""
    yield from _file_problems(ctx, "CP303")


@rule("reference-identifier")
def reference_identifier(ctx: Context) -> Iterator[Problem]:
    """DOIs and PMIDs are well-formed (checked by form only: nothing is looked up)."""
    yield from _file_problems(ctx, "CP304")


@rule("reference-url")
def reference_url(ctx: Context) -> Iterator[Problem]:
    """A reference's url is http(s): javascript:, data:, file: ... are refused."""
    yield from _file_problems(ctx, "CP305")


@rule("citation-key")
def citation_key(ctx: Context) -> Iterator[Problem]:
    """Every [@key] names a reference of the file."""
    found = ctx.references
    if found is not None and not found.readable:
        return  # references-file says why
    keys = list(found.items) if found is not None else []
    for placed in ctx.reference_citations:
        for item, (line, column) in zip(placed.cluster.items, placed.positions, strict=True):
            if found is None:
                yield Problem(f"[@{item.key}] cites a reference, but the case has no references file",
                              "add `references: references.bib` (or .json, .yaml) naming the file of references",
                              line=line, column=column)
            elif item.key not in found.items:
                yield Problem(f"the citation key {item.key!r} is not in {found.file.name}",
                              f"{did_you_mean(item.key, keys)}cite a key of the references file, or add the reference",
                              line=line, column=column)


@rule("reference-uncited")
def reference_uncited(ctx: Context) -> Iterator[Problem]:
    """Every reference of the file is cited in the text."""
    found = ctx.references
    if found is None or not found.readable:
        return
    cited = {item.key for placed in ctx.reference_citations for item in placed.cluster.items}
    for key in found.items:
        if key not in cited:
            yield Problem(f"the reference {key!r} is never cited in the text; it is not printed",
                          f"cite it as [@{key}] where it belongs, or remove it from {found.file.name}",
                          ("references",), line=found.lines.get(key, 1), file=found.file)
