"""The issue as a whole: page ranges, the table of contents, and the issue PDF.

The issue PDF is assembled from the finished article PDFs (pikepdf: no
re-rendering): contents pages first, then each article, with a bookmark each,
their structure trees merged into one (the PDF stays tagged).
Where the profile says articles start on a recto, a blank page is put before
any article that would start on an even page.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from casepub.issue.manifest import Issue
from casepub.issue.placement import Placement
from casepub.profiles import Profile
from casepub.render.html import dated, environment
from casepub.write import write_atomic

if TYPE_CHECKING:
    import pikepdf


@dataclass(frozen=True)
class Entry:
    """A built article as the table of contents lists it."""
    name: str
    title: str
    authors: tuple[str, ...]
    label: str
    placement: Placement


def paginate(issue: Issue, lengths: list[int | None], recto: bool) -> list[Placement | None]:
    """Each article's pages, in manifest order: one after another, from the manifest's first page.
    An article that failed (length None) takes no pages."""
    placements: list[Placement | None] = []
    page = issue.manifest.first_page
    for article, length in zip(issue.articles, lengths):
        if length is None:
            placements.append(None)
            continue
        if recto and page % 2 == 0:
            page += 1
        placements.append(Placement(issue.manifest.volume, issue.manifest.issue, issue.manifest.date,
                                    page, page + length - 1, article.doi))
        page += length
    return placements


def write_contents(issue: Issue, profile: Profile, entries: list[Entry], out: Path, templates: Path | None) -> Path:
    template = environment(profile.template, templates).get_template("toc.html.j2")
    html = template.render(profile=profile, manifest=issue.manifest, entries=entries, for_print=False)
    return write_atomic(out / "index.html", html)


def contents_html(issue: Issue, profile: Profile, entries: list[Entry], templates: Path | None) -> str:
    """The contents pages of the issue PDF, as HTML for WeasyPrint."""
    template = environment(profile.template, templates).get_template("toc.html.j2")
    return template.render(profile=profile, manifest=issue.manifest, entries=entries, for_print=True)


def write_issue_pdf(issue: Issue, profile: Profile, entries: list[Entry], out: Path, contents: Path) -> Path:
    """Contents pages (a PDF made by a worker) and every finished article, with a bookmark each."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(contents.read_bytes()))
    next_page = issue.manifest.first_page
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem(profile.wording.contents, 0))
        for entry in entries:
            with pikepdf.open(out / entry.name / f"{entry.name}.pdf") as article:
                size = (float(article.pages[0].mediabox[2]), float(article.pages[0].mediabox[3]))
                for _ in range(entry.placement.first_page - next_page):  # a blank verso before a recto start
                    pdf.add_blank_page(page_size=size)
                outline.root.append(pikepdf.OutlineItem(f"{entry.title} ({entry.placement.pages})", len(pdf.pages)))
                _append_tagged(pdf, article)  # its pages (internal links kept) and its structure tree
            next_page = entry.placement.last_page + 1
    _issue_metadata(pdf, issue, profile)
    data = io.BytesIO()
    pdf.save(data, deterministic_id=True)
    return write_atomic(out / f"{issue.name}.pdf", data.getvalue())


def _append_tagged(pdf: pikepdf.Pdf, article: pikepdf.Pdf) -> None:
    """The article's pages after the issue PDF's, and its structure tree under the issue's Document element:
    its parent-tree entries renumbered after the issue's (its pages' /StructParents and its annotations'
    /StructParent with them), its language on its elements when it is not the issue's. So the issue PDF stays
    one tagged document: a screen reader reads the contents, then each article, in order."""
    import pikepdf

    first = len(pdf.pages)
    pdf.add_pages_from(article, outlines="ignore")
    if "/StructTreeRoot" not in article.Root or "/StructTreeRoot" not in pdf.Root:
        return
    root, theirs = pdf.Root.StructTreeRoot, article.Root.StructTreeRoot
    document, nums = root.K[0], root.ParentTree.Nums
    offset = max((int(key) for key in list(nums)[::2]), default=-1) + 1
    their_nums = list(theirs.ParentTree.Nums)
    for key, value in zip(their_nums[::2], their_nums[1::2], strict=True):
        nums.append(int(key) + offset)
        if isinstance(value, pikepdf.Array):  # a page's elements by marked-content id
            nums.append(pikepdf.Array([pdf.copy_foreign(v) if v is not None else None for v in value]))
        else:  # an annotation's element
            nums.append(pdf.copy_foreign(value))
    for page in pdf.pages[first:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    language = article.Root.get("/Lang")
    for kid in theirs.K[0].K:
        copied = pdf.copy_foreign(kid)
        copied.P = document
        if language is not None and language != pdf.Root.get("/Lang"):
            copied.Lang = language
        document.K.append(copied)
    if "/ParentTreeNextKey" in root:
        root.ParentTreeNextKey = max(int(key) for key in list(nums)[::2]) + 1


def _issue_metadata(pdf: pikepdf.Pdf, issue: Issue, profile: Profile) -> None:
    import pikepdf

    manifest = issue.manifest
    pdf.docinfo["/Title"] = pikepdf.String(f"{profile.name} {manifest.volume} ({manifest.issue})")
    pdf.docinfo["/Subject"] = pikepdf.String(dated(profile.wording.issue_line, manifest.date, profile.wording,
                                                   volume=manifest.volume, issue=manifest.issue))
    pdf.docinfo["/Creator"] = pikepdf.String("casepub")
