"""Panel images prepared for print, once: decoded, scaled to the width of their slot, saved as JPEG.

WeasyPrint decodes and re-compresses every PNG it embeds (about 300 ms for an
800 px panel) but embeds a JPEG's bytes as they are. So each panel is
normalised once to the print size of its slot and cached by content (the
image's bytes and the settings), under build/.cache/panels/: a rebuild, or
another case using the same image, costs nothing.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from casepub.images import ImageProblem, identify, strict_decoding
from casepub.load.files import UnsafePath, read_inside
from casepub.write import write_atomic

VERSION = "1"  # change when the normalisation changes, so cached panels are made again


@dataclass(frozen=True)
class PrintSettings:
    width: int          # pixels across the panel's slot (slot width x dpi)
    dpi: int
    quality: int        # JPEG quality
    max_pixels: int
    max_bytes: int


@dataclass(frozen=True)
class PreparedPanel:
    path: Path          # the normalised JPEG in the cache
    name: str           # its content-addressed file name
    width: int
    height: int


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
        write_atomic(target, normalised)
    from PIL import Image

    with Image.open(target) as done:
        width, height = done.size
    return PreparedPanel(target, name, width, height)


def _normalise(data: bytes, settings: PrintSettings) -> bytes:
    from PIL import Image, ImageOps

    with strict_decoding(), Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        image = _flatten(image)
        if image.width > settings.width:
            height = round(image.height * settings.width / image.width)
            image = image.resize((settings.width, height), Image.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=settings.quality, dpi=(settings.dpi, settings.dpi), optimize=True)
        return out.getvalue()


def _flatten(image):
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
