"""Panel images prepared for print, once: decoded, scaled to the width of their slot, saved as JPEG.

WeasyPrint decodes and re-compresses every PNG it embeds (about 300 ms for an
800 px panel) but embeds a JPEG's bytes as they are. So each panel is
normalised once to the print size of its slot and cached by content (the
image's bytes and the settings), under build/.cache/panels/: a rebuild, or
another case using the same image, costs nothing.

A published panel carries pixels only: no EXIF, XMP, IPTC, comment or ICC
profile, since image metadata often holds the patient's name, record number and
dates. Orientation from EXIF is applied and an embedded ICC profile converted
to sRGB first; then every segment but the image's own is dropped.

The panel printed is the panel the author made: an image deeper than 8 bits is
mapped from its full range (or, with the panel's `levels: auto`, from the range
its pixels use), every form of transparency (alpha, a palette's, a tRNS colour
key in grey, bilevel, RGB and 16-bit images) is laid on white, colour with a
profile is converted to sRGB (only then: most panels have none, and cost
nothing), and the size is fitted for print, never stretched.

The cache only saves work. When it cannot be written (build/.cache is read-only,
a file, not permitted, or its disk is full), the panel is made anyway and kept
in memory, and place_panels (render/__init__.py) writes it straight into the
case's figures folder: rendering goes on, only slower (each build normalises
those panels again). Only a panel that cannot be placed in the case's own
output folder is an error (CP102).
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from casepub.images import DEEP_MODES, ImageProblem, identify, strict_decoding, used_range
from casepub.load.files import UnsafePath, read_inside
from casepub.write import OutputError, write_atomic

if TYPE_CHECKING:
    from PIL import Image

VERSION = "3"  # change when the normalisation changes, so cached panels are made again


@dataclass(frozen=True)
class PrintSettings:
    width: int          # pixels across a panel's slot (slot width x dpi): a panel's shorter side at most
    dpi: int
    quality: int        # JPEG quality
    max_pixels: int
    max_bytes: int


@dataclass(frozen=True)
class PreparedPanel:
    path: Path | None   # the normalised JPEG in the cache; None when the cache could not be written ...
    name: str           # its content-addressed file name
    width: int
    height: int
    data: bytes | None = None   # ... and then the normalised JPEG itself


def prepare(folder: Path, image: str, settings: PrintSettings, cache: Path,
            levels: str | None = None) -> PreparedPanel:
    """The print-ready version of one panel image, from the cache or made now (and cached); `levels` is the
    panel's key (`auto`: stretch the values the pixels use to the full range)."""
    try:
        data = read_inside(folder, image, settings.max_bytes)
    except UnsafePath as error:
        raise ImageProblem("file", error.reason, error.hint) from None
    made = (VERSION, settings.width, settings.dpi, settings.quality) + ((levels,) if levels else ())
    key = hashlib.sha256(data + repr(made).encode()).hexdigest()
    name = f"{key[:24]}.jpg"
    target = cache / name
    if not target.exists():
        identify(data, image, settings.max_pixels)  # header, pixel cap and structure, before any decoding
        try:
            normalised = _normalise(data, settings, stretch=levels == "auto")  # the one full decode
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise ImageProblem("format", f"{image!r} is damaged and cannot be decoded ({error})",
                               "export the image again from the original") from None
        try:
            write_atomic(target, normalised)
        except OutputError:  # the cache only saves work: the panel goes from memory to the case's folder
            width, height = _size(io.BytesIO(normalised))
            return PreparedPanel(None, name, width, height, normalised)
    width, height = _size(target)
    return PreparedPanel(target, name, width, height)


def _size(image: Path | io.BytesIO) -> tuple[int, int]:
    from PIL import Image

    with Image.open(image) as done:
        return done.size


def _normalise(data: bytes, settings: PrintSettings, stretch: bool = False) -> bytes:
    from PIL import Image, ImageOps

    with strict_decoding(), Image.open(io.BytesIO(data)) as source:
        image = ImageOps.exif_transpose(source)  # a copy, whatever its orientation
        image = _to_srgb(_with_alpha(_eight_bit(image, stretch)))
        image = _flatten(_stretched(image) if stretch else image)
        image = _print_size(image, settings)
        image.info = {}  # Pillow's JPEG encoder would copy the source's comment from here
        out = io.BytesIO()
        image.save(out, "JPEG", quality=settings.quality, dpi=(settings.dpi, settings.dpi), optimize=True)
        return _image_segments_only(out.getvalue())


def _print_size(image: Image.Image, settings: PrintSettings) -> Image.Image:
    """Scaled down (never up) to what print can show: the shorter side at most a slot's width in pixels, the
    longer at most four times that (about a text block's height at the print resolution), the shape kept. A
    wide panel keeps the pixels its width prints with, where scaling by width alone would leave it blurred."""
    from PIL import Image

    scale = min(1.0, settings.width / min(image.size), 4 * settings.width / max(image.size))
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _eight_bit(image: Image.Image, stretch: bool) -> Image.Image:
    """An image deeper than 8 bits (16-bit grey, 32-bit integer, floating point) as 8-bit grey: its full range
    (0-65535; 0.0-1.0 for floating point) onto 0-255, or with `stretch` the range its pixels use. A tRNS key
    (16-bit grey PNG) becomes an alpha channel, matched on the 16-bit values before they are reduced."""
    from PIL import Image, ImageMath

    if image.mode not in DEEP_MODES:
        return image
    low, high = used_range(image) if stretch else (0.0, 0.0)
    if high <= low:  # not stretched, or nothing to stretch (one value): the full range
        low, high = 0.0, float(DEEP_MODES[image.mode])
    factor = 255 / (high - low)
    grey = image.convert("F").point(lambda v: v * factor + (0.5 - low * factor)).convert("L")  # rounded, clipped
    key = image.info.get("transparency")
    if isinstance(key, int):
        opaque = ImageMath.lambda_eval(lambda a: (a["v"] != key) * 255, v=image.convert("I")).convert("L")
        grey = Image.merge("LA", (grey, opaque))
    grey.info = {name: value for name, value in image.info.items() if name != "transparency"}
    return grey


def _with_alpha(image: Image.Image) -> Image.Image:
    """Every form of transparency as an alpha channel (LA or RGBA), which _flatten lays on white: a palette's
    (P with tRNS, PA) and a colour key's (tRNS in grey, bilevel and RGB images, as PNG optimisers store line
    drawings). Pillow matches the key on the decoded pixels; a 16-bit RGB PNG is decoded to its high bytes, so
    its key is matched on those."""
    key = image.info.get("transparency")
    if image.mode in ("P", "PA"):
        return image.convert("RGBA" if image.mode == "PA" or key is not None else "RGB")
    if image.mode in ("La", "RGBa"):  # premultiplied alpha
        return image.convert(image.mode[:-1] + "A")
    if key is None:
        return image.convert("L") if image.mode == "1" else image
    if image.mode == "RGB" and isinstance(key, tuple) and max(key) > 255:
        image.info["transparency"] = tuple(value >> 8 for value in key)  # our own copy (exif_transpose's)
    if image.mode in ("1", "L", "RGB"):
        converted = image.convert("LA" if image.mode in ("1", "L") else "RGBA")
        converted.info.pop("transparency", None)
        return converted
    return image


def _stretched(image: Image.Image) -> Image.Image:
    """The panel with the values its (visible) pixels use stretched to 0-255, the same for every colour channel
    so that colours keep their hue: `levels: auto`."""
    if image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGB")
    low, high = (int(value) for value in used_range(image))
    if high <= low or (low, high) == (0, 255):
        return image
    table = [min(255, max(0, round((value - low) * 255 / (high - low)))) for value in range(256)]
    colours = len(image.mode.rstrip("A"))
    return image.point(table * colours + list(range(256)) * (len(image.mode) - colours))


def _to_srgb(image: Image.Image) -> Image.Image:
    """The image in sRGB when it embeds an ICC profile that describes its pixels; as it is otherwise
    (no profile, a profile that cannot be read or is for another colour space: taken as sRGB)."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    mode = {"RGBA": "RGB", "LA": "L"}.get(image.mode, image.mode)
    if {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}.get(source.profile.xcolor_space.strip()) != mode:
        return image
    try:
        converted = ImageCms.profileToProfile(image.convert(mode) if alpha else image, source,
                                              ImageCms.createProfile("sRGB"), outputMode="RGB")
    except ImageCms.PyCMSError:
        return image
    assert converted is not None  # made, not converted in place
    if mode == "L":
        converted = converted.convert("L")  # grey stays grey: sRGB's greys have R = G = B
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


# What a JPEG needs to be decoded: frame, tables, scan, restart interval. Everything else before the
# scan (APP1 EXIF and XMP, APP2 ICC, APP13 IPTC, COM ...) is dropped; APP0 is kept when it is JFIF.
_IMAGE_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF,
                  0xDB, 0xDD}


def _image_segments_only(jpeg: bytes) -> bytes:
    """The JPEG with only the segments that make its image (and JFIF) before the scan: whatever an
    encoder copies from the source, the published file carries no metadata."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    kept = [jpeg[:2]]
    position = 2
    while position + 4 <= len(jpeg):
        if jpeg[position] != 0xFF:
            raise ValueError("a JPEG segment is damaged")
        marker = jpeg[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # the scan and what follows it, as the encoder wrote them
            kept.append(jpeg[position:])
            return b"".join(kept)
        end = position + 2 + int.from_bytes(jpeg[position + 2:position + 4], "big")
        if marker in _IMAGE_MARKERS or (marker == 0xE0 and jpeg[position + 4:position + 9] == b"JFIF\0"):
            kept.append(jpeg[position:end])
        position = end
    raise ValueError("a JPEG has no scan")


def _flatten(image: Image.Image) -> Image.Image:
    """Grey stays grey, anything else becomes RGB; transparency (an alpha channel by now: _with_alpha) is laid
    on white, as the page it prints on."""
    from PIL import Image

    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("LA", "RGBA"):
        background = Image.new(image.mode[:-1], image.size, 255 if image.mode == "LA" else (255, 255, 255))
        background.paste(image.convert(image.mode[:-1]), mask=image.getchannel("A"))
        return background
    return image.convert("RGB")  # CMYK, LAB, YCbCr without a profile
