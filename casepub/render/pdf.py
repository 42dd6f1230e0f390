"""HTML to PDF with WeasyPrint, with every door closed.

Imported only when a PDF is asked for (WeasyPrint takes a while to import).
With default settings WeasyPrint fetches images, stylesheets, fonts and SVG
resources from any URL, follows redirects, and embeds any file named by
`rel=attachment`. Here the fetcher reads only regular files under the folders
it is given, resolved through real paths; only images, fonts and
stylesheets; everything else, the network included, is refused, and a refused
or failed resource fails the render.
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
    """WeasyPrint reports a resource it could not load as an error in its log; collect them."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def render_pdf(html: str, base: Path, roots: list[Path]) -> Pdf:
    """The PDF of `html`, whose relative URLs resolve against `base`; only files under `roots` are read.
    Its CSS is inline: no stylesheet is fetched."""
    collect = _Collect()
    LOGGER.addHandler(collect)
    try:
        document = HTML(string=html, base_url=base.resolve().as_uri() + "/", url_fetcher=LocalFilesOnly(roots))
        rendered = document.render(font_config=FONTS, optimize_images=False, jpeg_quality=None)
        data = rendered.write_pdf()
    except (RenderError, FatalURLFetchingError, Exception) as error:  # a refused fetch comes wrapped
        raise RenderError(_reason(error)) from None
    finally:
        LOGGER.removeHandler(collect)
    if collect.messages:
        raise RenderError("; ".join(dict.fromkeys(collect.messages)))
    return Pdf(data, len(rendered.pages), place_pages(rendered.pages))


def _reason(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    return str(error) or type(error).__name__


def subsetting_falls_back() -> bool:
    """True when HarfBuzz's subsetter is missing, so fonts are subset by fontTools (about 1 s more a PDF)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0)
