"""Draw the reference case's six panels: grey-scale stand-ins, not patient images.

Each is a plausible sagittal view of the thoracolumbar spine (MRI, radiograph or
CT look), labelled "STAND-IN" with its panel letter and view (the big panel letter
is the template's, as for real images that come without one), at 300 dpi for a print
slot of 3 x 4 inches (900 x 1200 pixels). The drawing is seeded, so it is the
same on every run.

    python scripts/make_reference_images.py [cases/t12-osteonecrosis/figures]
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT, DPI = 900, 1200, 300
VERTEBRAE = 6          # T10 .. L3; index 2 is T12
T12 = 2


def texture(seed: int, strength: int) -> Image.Image:
    """Smooth, seeded noise: small random grid scaled up."""
    rng = random.Random(seed)
    small = Image.new("L", (WIDTH // 12, HEIGHT // 12))
    small.putdata([128 + rng.randint(-strength, strength) for _ in range(small.width * small.height)])
    return small.resize((WIDTH, HEIGHT), Image.BICUBIC)


def vertebra_boxes(collapse: float = 0.0) -> list[tuple[int, int, int, int]]:
    """Vertebral bodies top to bottom; T12 loses `collapse` of its height."""
    boxes, top, left = [], 110, 250
    for index in range(VERTEBRAE):
        height = 135 if index != T12 else int(135 * (1 - collapse))
        boxes.append((left + index * 6, top, left + 230 + index * 6, top + height))
        top += height + 45
    return boxes


def spine(body: int, disc: int, canal: int, background: int, collapse: float = 0.0) -> Image.Image:
    image = Image.new("L", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    boxes = vertebra_boxes(collapse)
    draw.rectangle((540, 60, 610, HEIGHT - 60), fill=canal)                 # spinal canal
    for index, (x0, y0, x1, y1) in enumerate(boxes):
        draw.rounded_rectangle((x0, y0, x1, y1), radius=22, fill=body)
        draw.polygon([(x1 + 80, y0 + 20), (x1 + 230, y0 + 60), (x1 + 80, y1 - 10)], fill=body)  # posterior elements
        if index + 1 < len(boxes):
            draw.rounded_rectangle((x0 + 8, y1 + 6, x1 - 4, boxes[index + 1][1] - 6), radius=12, fill=disc)
    return image


def arrow(image: Image.Image, target: tuple[int, int], shade: int = 255) -> None:
    draw = ImageDraw.Draw(image)
    x, y = target
    draw.line((x - 150, y - 90, x - 20, y - 12), fill=shade, width=10)
    draw.polygon([(x, y), (x - 50, y - 5), (x - 28, y - 42)], fill=shade)


def finish(image: Image.Image, label: str, seed: int, noise: int, note: str) -> Image.Image:
    image = image.filter(ImageFilter.GaussianBlur(5))
    image = Image.blend(image, texture(seed, noise), 0.18)
    draw = ImageDraw.Draw(image)
    small = ImageFont.load_default(size=30)
    draw.text((40, HEIGHT - 90), f"STAND-IN {label} · {note}", fill=230, font=small)
    return image


def t12_centre(collapse: float = 0.0) -> tuple[int, int]:
    x0, y0, x1, y1 = vertebra_boxes(collapse)[T12]
    return (x0 + x1) // 2, (y0 + y1) // 2


def panels() -> dict[str, Image.Image]:
    a = spine(body=110, disc=200, canal=230, background=25)
    ImageDraw.Draw(a).rounded_rectangle(vertebra_boxes(0.25)[T12], radius=20, fill=215)  # high T2 signal, compressed
    arrow(a, t12_centre(0.25))

    def cemented(view: str) -> Image.Image:
        image = spine(body=150, disc=70, canal=60, background=40, collapse=0.25)
        x, y = t12_centre(0.25)
        draw = ImageDraw.Draw(image)
        draw.ellipse((x - 95, y - 40, x + 95, y + 40) if view == "AP" else (x - 80, y - 45, x + 80, y + 45), fill=250)
        arrow(image, (x + 20, y - 20))
        return image

    d = spine(body=150, disc=70, canal=60, background=40, collapse=0.6)
    arrow(d, t12_centre(0.6))
    e = spine(body=175, disc=60, canal=50, background=15, collapse=0.6)
    x, y = t12_centre(0.6)
    ImageDraw.Draw(e).rectangle((x - 90, y - 6, x + 90, y + 6), fill=0)  # intravertebral vacuum cleft
    arrow(e, (x + 20, y - 8))
    f = spine(body=110, disc=200, canal=230, background=25, collapse=0.6)
    ImageDraw.Draw(f).rounded_rectangle(vertebra_boxes(0.6)[T12], radius=16, fill=45)  # low T2 signal
    arrow(f, t12_centre(0.6))
    return {
        "a-mri-t2.png": finish(a, "A", 1, 60, "sagittal T2 MRI"),
        "b-cement-ap.png": finish(cemented("AP"), "B", 2, 40, "radiograph AP"),
        "c-cement-lat.png": finish(cemented("LAT"), "C", 3, 40, "radiograph lateral"),
        "d-collapse.png": finish(d, "D", 4, 40, "plain radiograph"),
        "e-ct.png": finish(e, "E", 5, 30, "sagittal CT"),
        "f-mri-t2.png": finish(f, "F", 6, 60, "sagittal T2 MRI"),
    }


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, image in panels().items():
        image.save(folder / name, dpi=(DPI, DPI), optimize=True)
        print(folder / name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "cases/t12-osteonecrosis/figures"))
