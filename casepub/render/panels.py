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

from casepub.images import ImageProblem, identify, strict_decoding
from casepub.load.files import UnsafePath, read_inside
from casepub.write import OutputError, write_atomic

if TYPE_CHECKING:
    from PIL import Image

VERSION = "2"  # change when the normalisation changes, so cached panels are made again


@dataclass(frozen=True)
class PrintSettings:
    width: int          # pixels across the panel's slot (slot width x dpi)
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


def prepare(folder: Path, image: str, settings: PrintSettings, cache: Path) -> PreparedPanel:
    """The print-ready version of one panel image, from the cache or made now (and cached)."""
    try:
        data = read_inside(folder, image, settings.max_bytes)
    except UnsafePath as error:
        raise ImageProblem("file", error.reason, error.hint) from None
    key = hashlib.sha256(data + repr((VERSION, settings.width, settings.dpi, settings.quality)).encode()).hexdigest()
    name = f"{key[:24]}.jpg"
    target = cache / name
    if not target.exists():
        identify(data, image, settings.max_pixels)  # header, pixel cap and structure, before any decoding
        try:
            normalised = _normalise(data, settings)  # the one full decode
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


def _normalise(data: bytes, settings: PrintSettings) -> bytes:
    from PIL import Image, ImageOps

    with strict_decoding(), Image.open(io.BytesIO(data)) as source:
        image = ImageOps.exif_transpose(source)  # a copy, whatever its orientation
        image = _flatten(_to_srgb(image))
        if image.width > settings.width:
            height = round(image.height * settings.width / image.width)
            image = image.resize((settings.width, height), Image.Resampling.LANCZOS)
        image.info = {}  # Pillow's JPEG encoder would copy the source's comment from here
        out = io.BytesIO()
        image.save(out, "JPEG", quality=settings.quality, dpi=(settings.dpi, settings.dpi), optimize=True)
        return _image_segments_only(out.getvalue())


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
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
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
    """Grey stays grey; anything else becomes RGB, transparency laid on white."""
    from PIL import Image

    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode in ("LA", "RGBA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
