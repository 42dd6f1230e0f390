"""Draw the bundled CARE case's panels: grey-scale stand-ins, not patient images.

cases/kummell-care has two figures of three panels each: a sagittal thoracolumbar spine in the look of a
radiograph, an MRI or a CT, before and after an L1 vertebroplasty and at its collapse. Each panel is
labelled "STAND-IN" with its view, 600 x 800 pixels (the profile's minimum is 600 on the shorter side),
saved as a baseline JPEG without metadata, so the six files stay small (about 30 kB each). The drawing is
seeded, so every run writes the same images.

    python scripts/make_care_images.py [cases/kummell-care/figures]
"""
from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 600, 800
LEVELS = 5             # T11 .. L3; index 2 is L1
L1 = 2


@dataclass(frozen=True)
class Look:
    """The grey levels of one modality: vertebral body, disc, canal and background."""
    body: int
    disc: int
    canal: int
    background: int
    noise: int


RADIOGRAPH = Look(body=150, disc=70, canal=60, background=40, noise=40)
T2_MRI = Look(body=105, disc=195, canal=225, background=20, noise=55)
CT = Look(body=175, disc=60, canal=50, background=15, noise=30)


def boxes(collapse: float) -> list[tuple[int, int, int, int]]:
    """Vertebral bodies, top to bottom; L1 loses `collapse` of its height, the anterior wall most."""
    result, top = [], 90
    for index in range(LEVELS):
        height = 100 if index != L1 else int(100 * (1 - collapse))
        left = 170 + index * 4
        result.append((left, top, left + 160, top + height))
        top += height + 34
    return result


def spine(look: Look, collapse: float) -> Image.Image:
    image = Image.new("L", (WIDTH, HEIGHT), look.background)
    draw = ImageDraw.Draw(image)
    bodies = boxes(collapse)
    draw.rectangle((385, 40, 430, HEIGHT - 40), fill=look.canal)
    for index, (x0, y0, x1, y1) in enumerate(bodies):
        draw.rounded_rectangle((x0, y0, x1, y1), radius=15, fill=look.body)
        draw.polygon([(x1 + 55, y0 + 14), (x1 + 150, y0 + 40), (x1 + 55, y1 - 6)], fill=look.body)
        if index + 1 < len(bodies):
            draw.rounded_rectangle((x0 + 6, y1 + 4, x1 - 3, bodies[index + 1][1] - 4), radius=8, fill=look.disc)
    return image


def centre(collapse: float) -> tuple[int, int]:
    x0, y0, x1, y1 = boxes(collapse)[L1]
    return (x0 + x1) // 2, (y0 + y1) // 2


def arrow(image: Image.Image, target: tuple[int, int]) -> None:
    draw = ImageDraw.Draw(image)
    x, y = target
    draw.line((x - 110, y - 65, x - 14, y - 8), fill=255, width=7)
    draw.polygon([(x, y), (x - 36, y - 4), (x - 20, y - 30)], fill=255)


def finish(image: Image.Image, seed: int, look: Look, note: str) -> Image.Image:
    """Blur the drawing, add seeded grain, and label it a stand-in."""
    rng = random.Random(seed)
    grain = Image.new("L", (WIDTH // 10, HEIGHT // 10))
    grain.putdata([128 + rng.randint(-look.noise, look.noise) for _ in range(grain.width * grain.height)])
    image = Image.blend(image.filter(ImageFilter.GaussianBlur(4)), grain.resize((WIDTH, HEIGHT), Image.BICUBIC), 0.15)
    ImageDraw.Draw(image).text((24, HEIGHT - 50), f"STAND-IN · {note}", fill=230, font=ImageFont.load_default(size=22))
    return image


def panels() -> dict[str, Image.Image]:
    admission = spine(RADIOGRAPH, 0.2)
    arrow(admission, centre(0.2))
    oedema = spine(T2_MRI, 0.2)
    ImageDraw.Draw(oedema).rounded_rectangle(boxes(0.2)[L1], radius=14, fill=210)   # bone marrow oedema
    arrow(oedema, centre(0.2))
    cemented = spine(RADIOGRAPH, 0.2)
    x, y = centre(0.2)
    ImageDraw.Draw(cemented).ellipse((x - 60, y - 30, x + 60, y + 30), fill=250)   # the cement
    arrow(cemented, (x + 10, y - 14))
    collapsed = spine(RADIOGRAPH, 0.55)
    x, y = centre(0.55)
    ImageDraw.Draw(collapsed).ellipse((x - 55, y - 14, x + 55, y + 14), fill=245)
    arrow(collapsed, centre(0.55))
    cleft = spine(CT, 0.55)
    ImageDraw.Draw(cleft).rectangle((x - 62, y - 5, x + 62, y + 5), fill=0)        # intravertebral vacuum cleft
    arrow(cleft, (x + 10, y - 6))
    fluid = spine(T2_MRI, 0.55)
    ImageDraw.Draw(fluid).rectangle((x - 60, y - 6, x + 60, y + 6), fill=240)     # the fluid sign
    arrow(fluid, (x + 10, y - 6))
    return {
        "1a-radiograph-admission.jpg": finish(admission, 11, RADIOGRAPH, "lateral radiograph, admission"),
        "1b-mri-stir.jpg": finish(oedema, 12, T2_MRI, "sagittal STIR MRI, admission"),
        "1c-radiograph-cement.jpg": finish(cemented, 13, RADIOGRAPH, "lateral radiograph, Day 2"),
        "2a-radiograph-collapse.jpg": finish(collapsed, 21, RADIOGRAPH, "lateral radiograph, 3 months"),
        "2b-ct-cleft.jpg": finish(cleft, 22, CT, "sagittal CT, 3 months"),
        "2c-mri-fluid.jpg": finish(fluid, 23, T2_MRI, "sagittal T2 MRI, 3 months"),
    }


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, image in panels().items():
        image.save(folder / name, quality=82, optimize=True)   # no dpi, no EXIF: nothing for CP058 to report
        print(folder / name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "cases/kummell-care/figures"))
