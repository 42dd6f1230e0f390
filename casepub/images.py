"""Panel images: read safely from the case folder, identified, and checked before anything decodes them.

The pixel count is read from the header and capped before any decoding, so a
small file that claims 10000x10000 pixels (a decompression bomb) is refused at
the cost of reading its header. A full decode of a print-size PNG costs about
10 ms; `check` instead verifies the file's structure (for PNG the CRC of every
chunk, which catches truncated and corrupted files; for JPEG the scan decoded at
1/8 scale), and `deep=True` (check --deep, and rendering) decodes every pixel.

The metadata that may identify a patient (names, record numbers and dates in
EXIF, XMP, IPTC, JPEG comments, PNG text chunks, TIFF tags) is listed from what
opening the image already read: JPEG segments before the scan, PNG chunk
headers, TIFF tags. No pixel is decoded for it.

The pixels of an image deeper than 8 bits (16-bit PNG and TIFF, 32-bit and
floating-point TIFF) are decoded by `check` too, for the range of values they
use (`Levels`): 12-bit data in a 16-bit file prints almost black. Such images
are rare, so this costs nothing for the usual 8-bit panels.

The print geometry of a figure (`print_layout`: where each panel is printed,
and how far fitting it to the page shrank it) is here too, as plain arithmetic
on pixel sizes, because `check` warns when a fitted panel prints too small
(CP062) and the renderer lays the panels out with the same numbers.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import re
import warnings
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casepub.load.files import UnsafePath, read_inside

if TYPE_CHECKING:
    from PIL.Image import Image

    from casepub.profiles import Page

FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "TIFF": "TIFF"}


@dataclass(frozen=True)
class Levels:
    """The values an image deeper than 8 bits uses, in its own scale: 0-`top` is its full range."""
    low: float
    high: float
    top: float           # 65535 for 16 bits, 1.0 for floating point
    depth: str           # "16-bit", "32-bit", "floating-point"

    @property
    def narrow(self) -> bool:
        """Whether the values fill so little of the range (a quarter or less) that the panel prints without
        contrast: 12-bit data (0-4095) in a 16-bit file prints almost black."""
        return self.high - self.low <= self.top / 4

    @property
    def dark(self) -> bool:
        return self.high <= self.top / 4

    def __str__(self) -> str:
        used = (f"the value {_number(self.low)}" if self.low == self.high
                else f"the values {_number(self.low)}–{_number(self.high)}")
        return f"{used} of 0–{_number(self.top)}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3g}"


@dataclass(frozen=True)
class ImageInfo:
    format: str          # PNG | JPEG | TIFF
    width: int
    height: int
    mode: str
    dpi: tuple[float, float] | None
    size: int            # bytes
    metadata: tuple[str, ...] = ()  # the metadata fields that hold text, e.g. ("JPEG comment", "EXIF Artist")
    turned: bool = False  # EXIF orientation turns it a quarter: it is shown (and printed) height x width
    levels: Levels | None = None    # for images deeper than 8 bits: the values their pixels use

    @property
    def shown(self) -> tuple[int, int]:
        """(width, height) as the image is shown and printed, its EXIF orientation applied."""
        return (self.height, self.width) if self.turned else (self.width, self.height)


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
            width, height = image.size
            if width * height > max_pixels:
                raise _too_large(name, f"{width}x{height}", max_pixels)
            info = _info(image, data, metadata(image, data))  # before _verify: a verified PNG is not read further
            _verify(image, data, name, deep)
    if info.mode in DEEP_MODES or _png_bit_depth(data) == 16:
        info = dataclasses.replace(info, levels=_levels(data, name))
    return info


# Modes Pillow decodes deeper than 8 bits, with the top of the range each prints as (render/panels.py maps
# 32-bit integers as 16-bit, as it always has; floating point is 0.0-1.0).
DEEP_MODES = {"I;16": 65535, "I;16B": 65535, "I;16L": 65535, "I;16N": 65535, "I": 65535, "F": 1.0}


def _png_bit_depth(data: bytes) -> int | None:
    """The bit depth in a PNG's header: Pillow decodes 16-bit colour (and grey with alpha) to 8 bits."""
    return data[24] if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) > 24 else None


def _levels(data: bytes, name: str) -> Levels:
    """The values the pixels use (transparent ones left out), decoding the image once more."""
    from PIL import Image

    with strict_decoding(), Image.open(io.BytesIO(data)) as image:
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise ImageProblem("format", f"{name!r} is damaged and cannot be decoded ({_reason(error)})",
                               "export the image again from the original") from None
        low, high = used_range(image)
        if image.mode in DEEP_MODES:
            depth = "16-bit" if image.mode.startswith("I;16") else "floating-point" if image.mode == "F" else "32-bit"
            return Levels(low, high, DEEP_MODES[image.mode], depth)
        return Levels(low * 256, high * 256 + 255, 65535, "16-bit")  # colour, decoded to its high bytes


def used_range(image: Image) -> tuple[float, float]:
    """The lowest and highest value of an image's colour (not alpha) channels, leaving out its transparent
    pixels: those that have alpha 0, and those that match a tRNS colour key."""
    from PIL import ImageMath

    key = image.info.get("transparency")
    if image.mode in DEEP_MODES:
        values = image.convert("F" if image.mode == "F" else "I")
        if isinstance(key, int) and values.mode == "I":  # a 16-bit grey key: leave out the pixels that match it
            high = _extrema(ImageMath.lambda_eval(lambda a: (a["v"] != key) * a["v"], v=values))[1]
            low = _extrema(ImageMath.lambda_eval(lambda a: a["v"] + (a["v"] == key) * (1 << 20), v=values))[0]
            return (low, high) if low <= high else (key, key)
        return _extrema(values)
    if image.mode in ("P", "PA") or key is not None:
        image = image.convert("RGBA")
    mask = image.getchannel("A") if image.mode in ("LA", "RGBA") else None
    colour = image.convert("L" if image.mode in ("L", "LA", "1") else "RGB")
    found = [_histogram_range(band.histogram(mask)) for band in colour.split()]
    return min(low for low, _ in found), max(high for _, high in found)


def _extrema(image: Any) -> tuple[float, float]:
    """The lowest and highest value of a one-band image (ImageMath's results are typed loosely)."""
    low, high = image.getextrema()
    return float(low), float(high)


def _histogram_range(histogram: list[int]) -> tuple[int, int]:
    """The first and last level used; (255, 0) when no pixel counts (all transparent), so that min and max
    over the bands stay right."""
    used = [level for level, count in enumerate(histogram) if count]
    return (used[0], used[-1]) if used else (255, 0)


def _too_large(name: str, pixels: str, max_pixels: int) -> ImageProblem:
    return ImageProblem("size", f"{name!r} is {pixels} pixels, more than the {max_pixels:,} allowed",
                        "scale the image down before adding it to the case")


def _claimed_pixels(error: Exception) -> str:
    """Pillow refuses a decompression bomb on opening; its message gives the pixel count it claims."""
    found = re.search(r"\((\d+) pixels\)", str(error))
    return f"{int(found.group(1)):,}" if found else "too many"


def _info(image: Image, data: bytes, found: tuple[str, ...]) -> ImageInfo:
    dpi = image.info.get("dpi")
    width, height = image.size
    dpi_pair = (float(dpi[0]), float(dpi[1])) if dpi and len(dpi) == 2 else None
    kind = image.format or ""  # set on every opened file
    return ImageInfo(FORMATS.get(kind, kind), width, height, image.mode, dpi_pair, len(data), found,
                     _orientation(image, data) in _TURNED)


_ORIENTATION = 0x0112
_TURNED = {5, 6, 7, 8}  # EXIF orientations that turn the image a quarter (transposed, rotated 90 or 270 degrees)


def _orientation(image: Image, data: bytes) -> int:
    """The EXIF orientation, read without decoding pixels (Pillow reads a PNG's eXIf chunk only on decoding, so
    it is found among the chunks), as ImageOps.exif_transpose will apply it when the panel is prepared."""
    from PIL.Image import Exif

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if image.format == "PNG":
                exif = Exif()
                block = _png_chunk(data, b"eXIf")
                if block:
                    exif.load(block)
            else:
                exif = image.getexif()
            value = exif.get(_ORIENTATION)
    except Exception:  # a damaged EXIF block: Pillow's parser raises many kinds of error
        return 1
    return value if isinstance(value, int) else 1


def _png_chunk(data: bytes, kind: bytes) -> bytes | None:
    """The body of the first chunk of `kind` in a PNG's bytes."""
    position = 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        if data[position + 4:position + 8] == kind:
            return data[position + 8:position + 8 + length]
        if data[position + 4:position + 8] == b"IEND":
            return None
        position += 12 + length
    return None


def _verify(image: Image, data: bytes, name: str, deep: bool) -> None:
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


# Metadata that may identify the patient. Fields that describe the equipment or the file
# (Make, Model, Software, Orientation, resolution, DateTime of the last change) are left out.
_IFD0_TEXT = {0x010D: "DocumentName", 0x010E: "ImageDescription", 0x011D: "PageName", 0x013B: "Artist",
              0x8298: "Copyright", 0x9C9B: "XPTitle", 0x9C9C: "XPComment", 0x9C9D: "XPAuthor",
              0x9C9E: "XPKeywords", 0x9C9F: "XPSubject"}
_EXIF_IFD_TEXT = {0x9286: "UserComment", 0xA430: "CameraOwnerName"}
_EXIF_IFD_DATES = {0x9003: "DateTimeOriginal", 0x9004: "DateTimeDigitized"}  # when the image was taken: a date of care
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_TIFF_XMP, _TIFF_IPTC, _TIFF_PHOTOSHOP = 700, 33723, 34377
_PHOTOSHOP_IPTC, _PHOTOSHOP_CAPTION = 0x0404, 0x03F0
_PNG_TEXT = (b"tEXt", b"zTXt", b"iTXt")
_PNG_KEYWORDS_SKIPPED = {"Software"}  # names the program that wrote the file


def metadata(image: Image, data: bytes) -> tuple[str, ...]:
    """The names of the metadata fields of an opened image that hold text, read without decoding pixels."""
    if image.format in ("JPEG", "MPO"):
        found = _jpeg_metadata(image)
    elif image.format == "PNG":
        found = _png_metadata(data)
    elif image.format == "TIFF":
        found = _tiff_metadata(image)
    else:
        found = []
    return tuple(dict.fromkeys(found))


def _jpeg_metadata(image: Image) -> list[str]:
    """From the segments before the scan, which Pillow keeps, in order, in `applist`."""
    found: list[str] = []
    for marker, payload in getattr(image, "applist", ()):
        if marker == "COM":
            if _has_text(payload):
                found.append("JPEG comment")
        elif marker == "APP1" and payload.startswith(b"Exif\0"):
            found += _exif_metadata(payload, "EXIF")
        elif marker == "APP1" and payload.startswith((b"http://ns.adobe.com/xap/1.0/\0",
                                                      b"http://ns.adobe.com/xmp/extension/\0")):
            found.append("XMP")
        elif marker == "APP13" and payload.startswith(b"Photoshop 3.0\0"):
            found += _photoshop_metadata(payload[14:])
    return found


def _png_metadata(data: bytes) -> list[str]:
    """From the chunks, walked in the file's bytes: Pillow reads text chunks after the image data only on decoding."""
    found: list[str] = []
    position = 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        start, position = position + 8, position + 12 + length
        if kind in _PNG_TEXT:
            keyword, value = _png_text(kind, data[start:start + length])
            if keyword == "XML:com.adobe.xmp":
                found.append("XMP")
            elif keyword not in _PNG_KEYWORDS_SKIPPED and _has_text(value):
                found.append(f"PNG {kind.decode()} {_printable(keyword)}".rstrip())
        elif kind == b"eXIf":
            found += _exif_metadata(data[start:start + length], "EXIF")
        elif kind == b"IEND":
            break
    return found


def _png_text(kind: bytes, body: bytes) -> tuple[str, bytes]:
    """A text chunk's keyword, and the start of its text (enough to tell whether it has any)."""
    keyword, _, rest = body.partition(b"\0")
    if kind == b"tEXt":
        return keyword.decode("latin-1"), rest
    if kind == b"iTXt":  # compressed?, method, language\0, translated keyword\0, text
        compressed, rest = rest[:1] == b"\1", rest[2:]
        _, _, rest = rest.partition(b"\0")
        translated, _, rest = rest.partition(b"\0")
    else:                # zTXt: method, compressed text
        compressed, rest, translated = True, rest[1:], b""
    if compressed:
        try:
            rest = zlib.decompressobj().decompress(rest, 4096)  # a bounded look, never the whole of a bomb
        except zlib.error:
            rest = b"?"  # unreadable: it may hold anything
    return keyword.decode("latin-1"), translated + rest


def _tiff_metadata(image: Image) -> list[str]:
    """From the first image's tags (the one casepub prints), and its EXIF and GPS directories."""
    found = _exif_metadata(image, "TIFF")
    tags = getattr(image, "tag_v2", {})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            xmp, iptc, photoshop = (tags.get(tag) for tag in (_TIFF_XMP, _TIFF_IPTC, _TIFF_PHOTOSHOP))
    except Exception:  # a tag's value is read when it is asked for, and may be damaged
        return found + ["TIFF tags (unreadable)"]
    if xmp:
        found.append("XMP")
    if iptc:
        found.append("IPTC")
    if isinstance(photoshop, bytes):
        found += _photoshop_metadata(photoshop)
    return found


def _exif_metadata(source: bytes | Image, prefix: str) -> list[str]:
    """The identifying fields of an EXIF block (bytes) or of a TIFF's own tags (the opened image).

    A block that cannot be parsed is reported as a whole: it may hold anything."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # Pillow warns of "Corrupt EXIF data" and reads on
            return _exif_fields(source, prefix)
    except Exception:  # Pillow's EXIF parser raises many kinds of error on damaged blocks
        return [f"{prefix} (unreadable)" if prefix == "EXIF" else "TIFF tags (unreadable)"]


def _exif_fields(source: bytes | Image, prefix: str) -> list[str]:
    from PIL.Image import Exif

    if isinstance(source, bytes):
        exif = Exif()
        exif.load(source)
    else:
        exif = source.getexif()
    found = [f"{prefix} {name}" for tag, name in _IFD0_TEXT.items() if _has_text(exif.get(tag))]
    sub = exif.get_ifd(_EXIF_IFD)
    found += [f"EXIF {name}" for tag, name in _EXIF_IFD_TEXT.items() if _has_text(sub.get(tag))]
    found += [f"EXIF {name}" for tag, name in _EXIF_IFD_DATES.items() if _has_date(sub.get(tag))]
    if set(exif.get_ifd(_GPS_IFD)) - {0}:  # more than GPSVersionID: a place
        found.append("GPS")
    return found


def _photoshop_metadata(resources: bytes) -> list[str]:
    """IPTC and the caption among Photoshop's image resources (8BIM blocks); the rest is not text."""
    found = []
    position = 0
    while resources[position:position + 4] == b"8BIM" and position + 8 <= len(resources):
        code = int.from_bytes(resources[position + 4:position + 6], "big")
        name_length = resources[position + 6]
        position += 7 + name_length
        position += position & 1
        size = int.from_bytes(resources[position:position + 4], "big")
        block = resources[position + 4:position + 4 + size]
        position += 4 + size + (size & 1)
        if code == _PHOTOSHOP_IPTC and _iptc_has_text(block):
            found.append("IPTC")
        elif code == _PHOTOSHOP_CAPTION and _has_text(block[1:]):
            found.append("Photoshop caption")
    return found


def _iptc_has_text(block: bytes) -> bool:
    """Whether IPTC-IIM data holds anything but record version numbers (dataset 0)."""
    position = 0
    while position < len(block):
        if block[position] != 0x1C or position + 5 > len(block):
            return bool(block[position:].strip(b"\0"))  # not IPTC datasets: it may hold anything
        dataset = block[position + 2]
        size = int.from_bytes(block[position + 3:position + 5], "big")
        if size & 0x8000:
            return True  # an extended dataset: long data
        if dataset != 0 and _has_text(block[position + 5:position + 5 + size]):
            return True
        position += 5 + size
    return False


_USER_COMMENT_CHARSETS = (b"ASCII\0\0\0", b"UNICODE\0", b"JIS\0\0\0\0\0", b"\0" * 8)


def _has_text(value: object) -> bool:
    """Whether a field's value holds more than blanks and NULs (Windows XP tags are UTF-16 bytes)."""
    if value is None:
        return False
    if isinstance(value, tuple):
        if not all(isinstance(v, int) and 0 <= v < 256 for v in value):
            return bool(value)
        value = bytes(value)
    if isinstance(value, bytes):
        if value.startswith(_USER_COMMENT_CHARSETS):
            value = value[8:]
        value = value.decode("latin-1")
    return bool(str(value).replace("\0", "").strip())


def _has_date(value: object) -> bool:
    """Whether a date field holds a date ("2024:03:05 10:00:00"), not blanks or zeros."""
    return isinstance(value, str | bytes) and bool(re.search(r"[1-9]", value if isinstance(value, str)
                                                              else value.decode("latin-1")))


def _printable(text: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text)
    return shown if len(shown) <= 40 else shown[:37] + "..."


# --- Print geometry: where a figure's panels print ---------------------------------------------------------

PANEL_GAP_PT = 1.5 * 72 / 25.4   # the gap between panels in print, across and down (print.css: 1.5mm)
HEAD_BAND_PT = 6 * 72 / 25.4     # print.css's top margin is the page margin and 6mm for the running header


@dataclass(frozen=True)
class PanelPlace:
    """A panel as printed: its size in points, and its shorter side over a regular panel's. A regular panel has
    the figure's usual shape (its panels' median, kept between 1:2 and 2:1) and its size in the layout the
    figure would have if all its panels had that shape: below 1, fitting the panel's own shape shrank it."""
    width: float
    height: float
    scale: float


@dataclass(frozen=True)
class FigureLayout:
    columns: int
    rows: tuple[tuple[int, ...], ...]   # the panels' indices, row by row
    places: tuple[PanelPlace, ...]      # in panel order
    width: float                        # the widest row, points: the panels' block, centred in the text width


def print_layout(sizes: Sequence[tuple[int, int]], page: Page) -> FigureLayout:
    """How a figure's panels print, from their pixel sizes as shown (EXIF orientation applied).

    The panels go in rows of `columns`; a row is as wide as the text (a last, shorter row as wide as its
    panels' columns) and its panels share one height, so each keeps its own shape: never stretched, never
    boxed. At least `page.panel_columns` side by side (or all of them), more when the figure would be taller
    than `page.figure_height` of the text block, and all of it smaller, centred, when even the lowest
    arrangement is. Rows are full: a column count that would leave more than one empty slot is skipped (six
    panels: 3 or 6 across, not 4 or 5). So no panel is wider than the text or taller than the text block."""
    text_width = page.text_block[0]
    if not sizes:
        return FigureLayout(1, (), (), text_width)
    shapes = [max(width, 1) / max(height, 1) for width, height in sizes]
    columns, scale = _arrangement(shapes, page)
    slot = _slot(text_width, columns)
    rows = _rows(len(shapes), columns)
    regular = _regular_side(shapes, page)
    places: list[PanelPlace] = []
    for row in rows:
        height = scale * _row_height(row, shapes, slot)
        places += [PanelPlace(height * shapes[i], height, min(height * shapes[i], height) / regular) for i in row]
    width = max(sum(places[i].width for i in row) + (len(row) - 1) * PANEL_GAP_PT for row in rows)
    return FigureLayout(columns, rows, tuple(places), width)


def _arrangement(shapes: list[float], page: Page) -> tuple[int, float]:
    """(columns, scale): the first column count whose figure fits the height budget, at full size; else the
    one whose figure is lowest, scaled down to the budget (the gaps between rows keep their size)."""
    count = len(shapes)
    text_width, text_height = page.text_block
    budget = min(page.figure_height * text_height, text_height - HEAD_BAND_PT)
    candidates = [c for c in range(min(page.panel_columns, count), count + 1)
                  if math.ceil(count / c) * c - count <= 1] or [count]
    heights = {c: _figure_height(shapes, c, text_width) for c in candidates}
    for columns in candidates:
        if heights[columns] <= budget:
            return columns, 1.0
    columns = min(candidates, key=lambda c: heights[c])
    gaps = (math.ceil(count / columns) - 1) * PANEL_GAP_PT
    return columns, max(budget - gaps, 1.0) / (heights[columns] - gaps)


def _regular_side(shapes: list[float], page: Page) -> float:
    """The shorter side of a regular panel (PanelPlace) in print."""
    shape = min(2.0, max(0.5, sorted(shapes)[(len(shapes) - 1) // 2]))  # the median (the lower of two)
    columns, scale = _arrangement([shape] * len(shapes), page)
    width = scale * _slot(page.text_block[0], columns)
    return min(width, width / shape)


def _slot(text_width: float, columns: int) -> float:
    """The width of one column of panels."""
    return (text_width - (columns - 1) * PANEL_GAP_PT) / columns


def _rows(count: int, columns: int) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(range(start, min(start + columns, count))) for start in range(0, count, columns))


def _row_height(row: Sequence[int], shapes: Sequence[float], slot: float) -> float:
    """The one height at which the row's panels, each its own shape, are as wide together as their columns."""
    return len(row) * slot / sum(shapes[i] for i in row)


def _figure_height(shapes: list[float], columns: int, text_width: float) -> float:
    slot = _slot(text_width, columns)
    rows = _rows(len(shapes), columns)
    return sum(_row_height(row, shapes, slot) for row in rows) + (len(rows) - 1) * PANEL_GAP_PT
