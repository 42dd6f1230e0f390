"""Panel images: read safely from the case folder, identified, and checked before anything decodes them.

The pixel count is read from the header and capped before any decoding, so a
small file that claims 10000x10000 pixels (a decompression bomb) is refused at
the cost of reading its header. A full decode of a print-size PNG costs about
10 ms; `check` instead verifies the file's structure (for PNG the CRC of every
chunk, which catches truncated and corrupted files; for JPEG the scan decoded at
1/8 scale), and `deep=True` (check --deep, and rendering) decodes every pixel.
"""
from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from casepub.load.files import UnsafePath, read_inside

FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "TIFF": "TIFF"}


@dataclass(frozen=True)
class ImageInfo:
    format: str          # PNG | JPEG | TIFF
    width: int
    height: int
    mode: str
    dpi: tuple[float, float] | None
    size: int            # bytes


class ImageProblem(Exception):
    """Why an image cannot be used; `kind` is file (path, existence), format (type, decoding) or size."""

    def __init__(self, kind: str, reason: str, hint: str):
        super().__init__(reason)
        self.kind, self.reason, self.hint = kind, reason, hint


def inspect(folder: Path, path: str, max_bytes: int, max_pixels: int, deep: bool = False) -> ImageInfo:
    """Identify and verify the image at `path` inside `folder`; raise ImageProblem when it cannot be used."""
    try:
        data = read_inside(folder, path, max_bytes)
    except UnsafePath as error:
        raise ImageProblem("file", error.reason, error.hint) from None
    return identify(data, path, max_pixels, deep)


@contextlib.contextmanager
def strict_decoding() -> Iterator[None]:
    """Truncated images are errors while casepub decodes. WeasyPrint sets Pillow's process-wide
    LOAD_TRUNCATED_IMAGES when imported, which would let a truncated panel through in any
    process that has made a PDF."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def identify(data: bytes, name: str, max_pixels: int, deep: bool = False) -> ImageInfo:
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings(), strict_decoding():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=("PNG", "JPEG", "TIFF"))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_large(name, _claimed_pixels(error), max_pixels) from None
        except (UnidentifiedImageError, OSError, ValueError):
            raise ImageProblem("format", f"{name!r} is not a PNG, JPEG or TIFF image that can be read",
                               "export the image as PNG, JPEG or TIFF") from None
        with image:
            info = _info(image, data)
            if info.width * info.height > max_pixels:
                raise _too_large(name, f"{info.width}x{info.height}", max_pixels)
            _verify(image, data, name, deep)
    return info


def _too_large(name: str, pixels: str, max_pixels: int) -> ImageProblem:
    return ImageProblem("size", f"{name!r} is {pixels} pixels, more than the {max_pixels:,} allowed",
                        "scale the image down before adding it to the case")


def _claimed_pixels(error: Exception) -> str:
    """Pillow refuses a decompression bomb on opening; its message gives the pixel count it claims."""
    found = re.search(r"\((\d+) pixels\)", str(error))
    return f"{int(found.group(1)):,}" if found else "too many"


def _info(image, data: bytes) -> ImageInfo:
    dpi = image.info.get("dpi")
    width, height = image.size
    dpi_pair = (float(dpi[0]), float(dpi[1])) if dpi and len(dpi) == 2 else None
    return ImageInfo(FORMATS.get(image.format, image.format), width, height, image.mode, dpi_pair, len(data))


def _verify(image, data: bytes, name: str, deep: bool) -> None:
    from PIL import Image

    try:
        if deep or image.format == "TIFF":
            image.load()
        elif image.format == "PNG":
            image.verify()  # every chunk's CRC, and the IEND chunk
        else:
            image.draft(image.mode, (max(1, image.size[0] // 8), max(1, image.size[1] // 8)))
            image.load()    # the whole JPEG scan, decoded at 1/8 scale
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning, EOFError) as error:
        raise ImageProblem("format", f"{name!r} is damaged and cannot be decoded ({_reason(error)})",
                           "export the image again from the original") from None


def _reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) < 80 else text[:77] + "..."
