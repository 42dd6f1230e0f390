"""HTML to PDF with WeasyPrint, with every door closed.

Imported only when a PDF is asked for (WeasyPrint takes a while to import).
With default settings WeasyPrint fetches images, stylesheets, fonts and SVG
resources from any URL, follows redirects, and embeds any file named by
`rel=attachment`. Here the fetcher reads only regular files under the folders
it is given, resolved through real paths; only images, fonts and
stylesheets; everything else, the network included, is refused, and a refused
or failed resource fails the render.

The PDF is tagged (PDF/UA-1, WeasyPrint's `pdf/ua-1` variant; docs/accessibility.md): a structure tree in
the page's reading order, the document's language, its title shown in the window, each image's `alt` on its
Figure element. What WeasyPrint 70 leaves undone is done here: an element printed before the text that first
cites it (a figure at the top of the page, the corresponding author's footnote) is read after the block
holding that citation, in the structure tree only (read_after_citation); the running header and the page
numbers (page margin boxes) are pagination artifacts, not text left out of the structure tree
(margins_as_artifacts); each table header cell has its /Scope (header_scopes).
"""
from __future__ import annotations

import contextlib
import io
import logging
import mimetypes
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname


@contextmanager
def _libraries_by_file_name() -> Iterator[None]:
    """While WeasyPrint loads Pango, HarfBuzz and fontconfig (Linux only), ctypes' find_library answers "not
    found": WeasyPrint tries several names for each library, and find_library runs ldconfig, gcc and ld for
    each name it does not know, 150 ms of every cold render. Told nothing, cffi loads each library by the file
    name WeasyPrint also tries (libpango-1.0.so.0), as the dynamic loader finds it. The same files are loaded;
    if one is missing, WeasyPrint is imported again the usual way (its message about it is kept quiet)."""
    import ctypes.util

    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        ctypes.util.find_library = original


if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError), _libraries_by_file_name():
        import weasyprint.text.ffi  # noqa: F401  (the libraries, loaded once per process)

from weasyprint import HTML, LOGGER, URLFetcher  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse  # noqa: E402

PDF_VARIANT = "pdf/ua-1"  # tagged: structure tree, /Lang, DisplayDocTitle, alt text; PDF 1.7
MAX_RESOURCE_BYTES = 64 << 20
FONTS = FontConfiguration()  # fontconfig's view of the installed fonts, loaded once per process
RESOURCE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".css", ".ttf", ".otf", ".woff", ".woff2"})


class RenderError(Exception):
    """The PDF could not be made as asked; the message says why."""


class LocalFilesOnly(URLFetcher):
    """Fetches regular files under `roots` and nothing else: no network, no redirects."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True, timeout=1)
        self.roots = [Path(root).resolve() for root in roots]

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RenderError(f"refused to fetch {url[:80]!r}: only the case's own files are read")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise RenderError(f"refused to read {path}: it is outside the case and template folders")
        if path.suffix.lower() not in RESOURCE_SUFFIXES:  # e.g. a rel=attachment would embed any file
            raise RenderError(f"refused to read {path.name}: not an image, font or stylesheet")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, _read_regular(path), {"Content-Type": mime})


def _read_regular(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RESOURCE_BYTES:
            raise RenderError(f"refused to read {path}: not a regular file of a reasonable size")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Pdf:
    data: bytes
    pages: int
    places: dict[str, int] = field(default_factory=dict)  # where things print: place_pages


def place_pages(pages: Sequence[Any]) -> dict[str, int]:
    """The page (from 1) each element with an id starts on, from WeasyPrint's anchors: for the CARE checklist,
    the title, abstract heading, keywords, timeline, consent and the body's headings (sec-...) among them."""
    places: dict[str, int] = {}
    for number, page in enumerate(pages, 1):
        for anchor in getattr(page, "anchors", None) or ():
            places.setdefault(anchor, number)
    return places


class _Collect(logging.Handler):
    """WeasyPrint reports a resource it could not load as an error in its log; collect them. Its tagging's
    own complaints (weasyprint/pdf/tags.py: an image without `alt`, a page without `lang`) are left out: they
    make a PDF less accessible, not a wrong one, and casepub's pages have both (the check requires each
    panel's alt; tests/test_pdf_tags.py reads them back)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        if Path(record.pathname).parts[-3:] != ("weasyprint", "pdf", "tags.py"):
            self.messages.append(record.getMessage())


def render_pdf(html: str, base: Path, roots: list[Path], *, tagged: bool = True) -> Pdf:
    """The PDF of `html`, whose relative URLs resolve against `base`; only files under `roots` are read.
    Its CSS is inline: no stylesheet is fetched. Tagged (PDF/UA-1) unless `tagged` is False: for a PDF that
    is not a document of its own, such as the page numbers an issue build lays over an article's pages."""
    collect = _Collect()
    LOGGER.addHandler(collect)
    variant = PDF_VARIANT if tagged else None
    try:
        document = HTML(string=html, base_url=base.resolve().as_uri() + "/", url_fetcher=LocalFilesOnly(roots))
        rendered = document.render(font_config=FONTS, optimize_images=False, jpeg_quality=None)
        if tagged:
            read_after_citation(rendered.pages)
        data = rendered.write_pdf(pdf_variant=variant, finisher=_finish_tags if tagged else None)
    except (RenderError, FatalURLFetchingError, Exception) as error:  # a refused fetch comes wrapped
        raise RenderError(_reason(error)) from None
    finally:
        LOGGER.removeHandler(collect)
    if collect.messages:
        raise RenderError("; ".join(dict.fromkeys(collect.messages)))
    return Pdf(data, len(rendered.pages), place_pages(rendered.pages))


# The elements a block is read within: the block that holds a citation is the one whose parent is one of these.
_SECTIONING = frozenset({"div", "section", "article", "main", "aside", "header", "footer", "nav", "body", "html"})
READ_AFTER_CITATION = "after-citation"  # <... data-pdf-read="after-citation">: see read_after_citation


def read_after_citation(pages: Sequence[Any]) -> None:
    """The reading order of what prints away from where it is cited. An element marked
    `data-pdf-read="after-citation"` (a figure; the corresponding author's footnote) laid out before the first
    link to it or to an element inside it (`href="#fig1-A"`), when that link is on the same page, is moved, in
    the box tree, after the last part on that page of the block that holds the link (its paragraph, list or
    table, not the words inside it): the structure tree, built from the box tree once every page is painted,
    then reads it there. The move is made when its page has been painted (each page's `paint` is wrapped), so
    nothing on the page changes, not even the order of its content stream (what text extraction without the
    tags reads). One first cited on another page, or already after its first citation, is left where it is.
    (WeasyPrint's boxes: `page._page_box`, the tree it paints and tags.)"""
    trees: list[list[tuple[Any, Any]]] = []  # each page's (box, parent) in tree order
    for page in pages:
        root = getattr(page, "_page_box", None)
        order: list[tuple[Any, Any]] = []
        stack: list[tuple[Any, Any]] = [(root, None)] if root is not None else []
        while stack:
            box, parent = stack.pop()
            order.append((box, parent))
            stack.extend((child, box) for child in reversed(getattr(box, "children", None) or ()))
        trees.append(order)
    links = [(n, place, box, box.element.get("href")[1:]) for n, order in enumerate(trees)
             for place, (box, _) in enumerate(order)
             if box.element_tag == "a" and box.element is not None and (box.element.get("href") or "").startswith("#")]
    for n, (page, order) in enumerate(zip(pages, trees)):
        moves = _moves(n, order, links)
        if moves:
            page.paint = _then(page.paint, moves)


def _moves(n: int, order: list[tuple[Any, Any]], links: list[tuple[int, int, Any, str]]) -> list[tuple[Any, ...]]:
    """Page n's moves: (box, its parent, the box to put it after, that box's parent)."""
    parents = {id(box): parent for box, parent in order}
    moves: list[tuple[Any, ...]] = []
    seen: set[int] = set()
    for place, (box, parent) in enumerate(order):
        element = box.element
        if (element is None or parent is None or id(element) in seen
                or element.get("data-pdf-read") != READ_AFTER_CITATION):
            continue
        seen.add(id(element))
        ids = {e.get("id") for e in element.iter() if isinstance(e.tag, str) and e.get("id")}
        cited = next(((page, at, link) for page, at, link, target in links if target in ids
                      and not (page == n and _inside(link, box, parents))), None)
        if cited is None or cited[0] != n or cited[1] < place:
            continue
        block = _citing_block(cited[2], parents)
        if block is None or _inside(block, box, parents):
            continue
        last = [b for b, _ in order if b.element is block.element and type(b) is type(block)][-1]
        holder = parents[id(last)]
        if holder is not None and not _inside(holder, box, parents):
            moves.append((box, parent, last, holder))
    return moves


def _then(paint: Any, moves: list[tuple[Any, ...]]) -> Any:
    """`paint`, then the moves (once)."""
    def painted(*args: Any, **kwargs: Any) -> Any:
        result = paint(*args, **kwargs)
        while moves:
            box, parent, last, holder = moves.pop(0)
            parent.children = [child for child in parent.children if child is not box]
            at = next(i for i, child in enumerate(holder.children) if child is last)
            holder.children = [*holder.children[:at + 1], box, *holder.children[at + 1:]]
        return result
    return painted


def _inside(box: Any, outer: Any, parents: dict[int, Any]) -> bool:
    while box is not None:
        if box is outer:
            return True
        box = parents.get(id(box))
    return False


def _citing_block(link: Any, parents: dict[int, Any]) -> Any:
    """The block a link is read in: its ancestor that is a child of a sectioning element (or a div)."""
    box = link
    while box is not None:
        parent = parents.get(id(box))
        if parent is None:
            return None
        if box.element is not None and box.element is not link.element and parent.element_tag in _SECTIONING \
                and box.element_tag not in _SECTIONING:
            return box
        box = parent
    return None


def _finish_tags(document: Any, pdf: Any) -> None:
    """What WeasyPrint's tagging leaves to do, on its PDF objects (pydyf) before they are written."""
    margins_as_artifacts(document, pdf)
    header_scopes(document)


def header_scopes(document: Any) -> None:
    """Each table header cell's /Scope (Column, or Row for `scope="row"`), beside the /Headers and /ID that
    WeasyPrint 70 gives the cells: what a reader, or a checker that looks only at the header cells, needs to
    tell which data cells a header heads. WeasyPrint keeps each cell's structure element on its box (`mark`)."""
    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            stack.extend(getattr(box, "children", None) or ())
            mark = getattr(box, "mark", None)
            if box.element_tag == "th" and mark is not None and "A" in mark:
                row = (box.element.get("scope") or "").lower() in ("row", "rowgroup")
                mark["A"]["Scope"] = "/Row" if row else "/Column"


def margins_as_artifacts(document: Any, pdf: Any) -> None:
    """WeasyPrint 70 marks the text of the page margin boxes (the running header, the page number) as
    content of structure elements that it leaves out of the structure tree (Kozea/WeasyPrint#1836): neither
    read nor an artifact. Each such marked-content sequence becomes a pagination artifact, and its entry in
    the parent tree goes. Runs on WeasyPrint's PDF objects (pydyf) before they are written."""
    import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF objects

    def resolve(reference: Any) -> Any:
        if isinstance(reference, bytes) and reference.endswith(b" R"):
            return pdf.objects[int(reference.split()[0])]
        return reference

    if "StructTreeRoot" not in pdf.catalog:
        return
    root = resolve(pdf.catalog["StructTreeRoot"])
    reached: set[int] = set()
    todo = list(root["K"])
    while todo:
        element = resolve(todo.pop())
        if isinstance(element, pydyf.Dictionary) and element.number not in reached:
            reached.add(element.number)
            todo.extend(element.get("K", ()))
    nums = resolve(root["ParentTree"])["Nums"]
    contents = {n: resolve(pdf.objects[number]["Contents"])  # Kids is [number, 0, "R", ...] in pydyf
                for n, number in enumerate(pdf.pages["Kids"][::3])}
    for key, value in zip(nums[::2], nums[1::2]):
        if not isinstance(value, pydyf.Array) or key not in contents:
            continue
        outside = {mcid for mcid, reference in enumerate(value) if resolve(reference).number not in reached}
        if not outside:
            continue
        for mcid in outside:
            value[mcid] = b"null"
        operations = contents[key].stream
        for n, item in enumerate(operations):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in outside and n:
                operations[n - 1] = "/Artifact"
                operations[n] = pydyf.Dictionary({"Type": "/Pagination"})


def _reason(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    return str(error) or type(error).__name__


def subsetting_falls_back() -> bool:
    """True when HarfBuzz's subsetter is missing, so fonts are subset by fontTools (about 1 s more a PDF)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0)
