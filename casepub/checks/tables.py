"""Tables: each has a caption line with its own id, each is cited in the text, and every table citation names a
table the case has. Tables are numbered in the order of the body (casepub/tables.py reads them)."""
from __future__ import annotations

from collections.abc import Iterator

from casepub.checks.registry import Context, rule
from casepub.diagnostics import Problem
from casepub.load.markdown import TableInfo, TextBlock
from casepub.tables import TABLE_ID, TableCitation, table_citations


def _citations(ctx: Context) -> Iterator[tuple[TextBlock, TableCitation]]:
    """Every table citation in the text, not counting the caption lines (a table does not cite itself)."""
    tables = ctx.tables
    captions = {table.caption_at[0] for table in tables if table.caption_at}
    for block in ctx.text:
        if block.starts and block.starts[0][0] in captions:
            continue
        for citation in table_citations(block.source, len(tables)):
            yield block, citation


@rule("table-caption")
def table_caption(ctx: Context) -> Iterator[Problem]:
    """Every table has a caption line after it, with words in it."""
    for table in ctx.tables:
        if table.caption is None:
            yield Problem(f"table {table.number} has no caption line",
                          "write its caption on the line after the table: `: What the table shows {#tbl-name}`",
                          line=table.line, column=table.column)
        elif not table.caption.text and table.caption_at:
            line, column = table.caption_at
            yield Problem(f"the caption of table {table.number} is empty",
                          "write what the table shows after the colon", line=line, column=column)


@rule("table-id")
def table_id(ctx: Context) -> Iterator[Problem]:
    """Every caption ends with an id of its own, `{#tbl-name}` (Quarto's form), that no other table or figure has."""
    seen: dict[str, int] = {}
    figure_ids = {figure.id for figure in ctx.meta.figures if figure.id}
    for table in ctx.tables:
        if table.caption is None or table.caption_at is None:
            continue  # table-caption says it
        line, column = table.caption_at
        ident = table.caption.id
        if not ident:
            yield Problem(f"the caption of table {table.number} has no id",
                          f"end the caption with an id: `{{#tbl-{_suggested(table)}}}`", line=line, column=column)
        elif not TABLE_ID.fullmatch(ident):
            yield Problem(f"table id {ident!r} should start with 'tbl-' and have only letters, digits, - and _",
                          f"write `{{#tbl-{_suggested(table, ident)}}}`", line=line, column=column)
        elif ident in seen:
            yield Problem(f"table id {ident!r} is used twice (tables {seen[ident]} and {table.number})",
                          "give each table its own id", line=line, column=column)
        elif ident in figure_ids:
            yield Problem(f"table id {ident!r} is a figure's id too", "give the table an id of its own",
                          line=line, column=column)
        if ident:
            seen.setdefault(ident, table.number)


def _suggested(table: TableInfo, written: str = "") -> str:
    """A name for an id: the one written, less what is not allowed, or the caption's first word, or the number."""
    words = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in written.removeprefix("tbl-"))
    if not words.strip("-") and table.caption:
        first = next(iter(table.caption.text.lower().split()), "")
        words = "".join(c for c in first if c.isascii() and c.isalnum())
    return words.strip("-") or str(table.number)


@rule("table-citation-resolves")
def table_citation_resolves(ctx: Context) -> Iterator[Problem]:
    """Every table citation in the text names a table the case has."""
    for block, citation in _citations(ctx):
        if citation.problem:
            line, column = block.position(citation.start)
            yield Problem(f'"{citation.text}" does not resolve: {citation.problem}',
                          "cite a table the case has; tables are numbered in the order of the text",
                          line=line, column=column)


@rule("table-cited")
def table_cited(ctx: Context) -> Iterator[Problem]:
    """Every table is cited in the text."""
    tables = ctx.tables
    if not tables:
        return
    cited = {number for _, citation in _citations(ctx) for number in citation.numbers}
    for table in tables:
        if table.number not in cited:
            yield Problem(f"table {table.number} is not cited in the text",
                          f'cite it where the text speaks of it, e.g. "(Table {table.number})"',
                          line=table.line, column=table.column)
