"""Patient data in image metadata never reaches the published files, and `check` says where it is.

Each test plants names, record numbers and dates in one kind of metadata of a real image file, puts it in a
copy of the reference case as panel A, and asserts that check_case warns (CP058) naming those fields, and that
the rendered panels (build/<case>/figures/*.jpg), the PDF that embeds them as they are and the HTML hold none of
the planted text, and that the panels have no segment but the image's own (SOI, JFIF, DQT, SOF, DHT, DRI, SOS,
RST, EOI).

The images of the fixture tests/cases/invalid/image-metadata/ are made by this module:
`.venv/bin/python tests/test_image_metadata.py` writes them again.
"""
from __future__ import annotations

import io
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin, TiffImagePlugin

from casepub import check_case
from casepub.render import render_case
from conftest import FIXTURES, REFERENCE, edit

NAME, RECORD, DOCTOR = "Jane Doe", "MRN 4471023", "Dr Planted"
PLANTED = (NAME, "4471023", "Planted", "2024:03:05")
PANEL = "image: figures/a-mri-t2.png"


def _source(mode: str = "L") -> Image.Image:
    """The reference case's panel A (900x1200 grey), in `mode`."""
    with Image.open(REFERENCE / "figures" / "a-mri-t2.png") as image:
        return image.convert(mode)


def _exif() -> Image.Exif:
    """EXIF with a name, a record number, a date of care and a place, and fields that identify nobody."""
    exif = Image.Exif()
    exif[0x013B] = NAME                                             # Artist
    exif[0x9C9D] = DOCTOR.encode("utf-16-le") + b"\0\0"             # XPAuthor (Windows, UTF-16)
    exif[0x010F], exif[0x0110], exif[0x0131] = "Scanner Co", "X1", "Viewer 2.0"  # Make, Model, Software
    exif[0x0132] = "2025:01:01 00:00:00"                            # DateTime: the file's last change
    sub = exif.get_ifd(0x8769)
    sub[0x9286] = b"ASCII\0\0\0" + RECORD.encode()                  # UserComment
    sub[0x9003] = "2024:03:05 10:00:00"                             # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (34.0, 15.0, 7.0)                         # GPSLatitudeRef, GPSLatitude
    return exif


EXIF_FIELDS = {"EXIF Artist", "EXIF XPAuthor", "EXIF UserComment", "EXIF DateTimeOriginal", "GPS"}


def _iptc(*datasets: tuple[int, int, bytes]) -> bytes:
    return b"".join(b"\x1c" + bytes([record, dataset]) + struct.pack(">H", len(value)) + value
                    for record, dataset, value in datasets)


def _photoshop(resources: dict[int, bytes]) -> bytes:
    """An APP13 payload: Photoshop image resources (8BIM blocks, empty names)."""
    return b"Photoshop 3.0\0" + b"".join(b"8BIM" + struct.pack(">H", code) + b"\0\0" + struct.pack(">I", len(data))
                                         + data + b"\0" * (len(data) & 1) for code, data in resources.items())


def _with_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """The JPEG with one more segment right after its SOI and JFIF segments."""
    after = 2 + 2 + struct.unpack(">H", jpeg[4:6])[0]
    return jpeg[:after] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload + jpeg[after:]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, **options)
    return out.getvalue()


def jpeg_with_comment() -> bytes:
    return _jpeg(_source(), comment=f"Patient: {NAME}".encode())


def jpeg_with_exif() -> bytes:
    return _jpeg(_source(), exif=_exif())


def jpeg_with_xmp() -> bytes:
    return _jpeg(_source(), xmp=(f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
                                 f'02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"'
                                 f' dc:creator="{NAME}" dc:description="{RECORD}"/></rdf:RDF></x:xmpmeta>').encode())


def jpeg_with_iptc() -> bytes:
    """Pillow cannot write IPTC, so the APP13 segment is made here: By-line, Caption, Date Created."""
    iptc = _iptc((2, 0, b"\0\4"), (2, 80, NAME.encode()), (2, 120, RECORD.encode()), (2, 55, b"20240305"))
    return _with_segment(_jpeg(_source()), 0xED, _photoshop({0x0404: iptc}))


def png_with_text() -> bytes:
    """tEXt, iTXt and zTXt chunks before the image data, a tEXt chunk after it, and an eXIf chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"Patient: {NAME}")
    info.add_itxt("Description", RECORD, lang="en", tkey="Beschreibung")
    info.add_text("Author", DOCTOR, zip=True)
    info.add_text("Software", "Viewer 2.0")  # names a program: not reported
    info.add_itxt("XML:com.adobe.xmp", f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{NAME}</x:xmpmeta>')
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = NAME
    _source().save(out, "PNG", pnginfo=info, exif=exif)
    data = out.getvalue()
    assert data[-12:-8] == b"\0\0\0\0" and data[-8:-4] == b"IEND"
    return data[:-12] + _png_chunk(b"tEXt", b"Title\0Study 2024:03:05") + data[-12:]


PNG_FIELDS = {"PNG tEXt Comment", "PNG iTXt Description", "PNG zTXt Author", "PNG tEXt Title", "EXIF Artist", "XMP"}


def tiff_with_tags() -> bytes:
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[270] = f"{NAME} {RECORD}"                                 # ImageDescription
    tags[315] = DOCTOR                                              # Artist
    tags[269] = "Doe_Jane_4471023.dcm"                              # DocumentName
    tags[285] = "Planted page"                                      # PageName
    tags[33432] = f"(c) {DOCTOR}"                                   # Copyright
    tags[700] = f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{NAME}</x:xmpmeta>'.encode()  # XMP
    tags[34665] = {0x9286: b"ASCII\0\0\0" + RECORD.encode(), 0x9003: "2024:03:05 10:00:00"}  # the EXIF IFD
    out = io.BytesIO()
    _source().save(out, "TIFF", tiffinfo=tags)  # Pillow writes the EXIF IFD uncompressed only (not libtiff)
    return out.getvalue()


TIFF_FIELDS = {"TIFF ImageDescription", "TIFF Artist", "TIFF DocumentName", "TIFF PageName", "TIFF Copyright",
               "EXIF UserComment", "EXIF DateTimeOriginal", "XMP"}


# The markers a published panel may have, and the segments it may not (APP1 EXIF/XMP, APP2 ICC, APP13 IPTC, COM).
ALLOWED = {0xD8, 0xE0, 0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD, 0xDA, 0xD9} | set(range(0xD0, 0xD8))


def jpeg_markers(data: bytes) -> list[tuple[int, bytes]]:
    """Every marker of a JPEG file in order, each with the start of its segment's payload; walks the
    entropy-coded data after each SOS (FF00 is a stuffed byte, FFD0-FFD7 restart markers)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    found: list[tuple[int, bytes]] = [(0xD8, b"")]
    position = 2
    while position < len(data):
        assert data[position] == 0xFF, f"no marker at byte {position}"
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker == 0xD9:
            found.append((marker, b""))
            assert position + 2 == len(data), "bytes after EOI"
            return found
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        found.append((marker, data[position + 4:position + 4 + 14]))
        position += 2 + length
        if marker == 0xDA:  # entropy-coded data, up to the next marker that is not a restart
            while data[position] != 0xFF or data[position + 1] in (0x00, 0xFF, *range(0xD0, 0xD8)):
                if data[position] == 0xFF and 0xD0 <= data[position + 1] <= 0xD7:
                    found.append((data[position + 1], b""))
                position += 2 if data[position] == 0xFF and data[position + 1] != 0xFF else 1
    raise AssertionError("no EOI")


def assert_publishes_no_metadata(rendered, planted=PLANTED) -> list[Path]:
    """The rendered panels, PDF and HTML hold none of the planted text; the panels only image segments."""
    assert rendered.ok, rendered.diagnostics
    panels = sorted((rendered.outputs["html"].parent / "figures").glob("*.jpg"))
    assert len(panels) == 6
    files = [*panels, rendered.outputs["pdf"], rendered.outputs["html"]]
    for path in files:
        data = path.read_bytes()
        for text in planted:
            for encoded in (text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be")):
                assert encoded not in data, f"{text!r} is in {path.name}"
    for path in panels:
        markers = jpeg_markers(path.read_bytes())
        assert {m for m, _ in markers} <= ALLOWED, [hex(m) for m, _ in markers if m not in ALLOWED]
        assert all(start.startswith(b"JFIF\0") for m, start in markers if m == 0xE0)
    return panels


def _plant(folder: Path, name: str, data: bytes) -> Path:
    (folder / "figures" / name).write_bytes(data)
    edit(folder, PANEL, f"image: figures/{name}")
    return folder


def _metadata_warnings(folder: Path) -> list:
    checked = check_case(folder)
    assert not checked.errors, checked.errors
    return [d for d in checked.warnings if d.code == "CP058"]


def _fields(folder: Path) -> set[str]:
    """The fields named by the one CP058 warning, which is on panel A's image."""
    (warning,) = _metadata_warnings(folder)
    lines = (folder / "case.md").read_text(encoding="utf-8").splitlines()
    (line,) = [n for n, text in enumerate(lines, 1) if "{label: A, image: " in text]
    assert (warning.location.line, warning.location.column) == (line, lines[line - 1].index("figures/") + 1)
    assert warning.message.startswith("panel A image 'figures/") and "holds text metadata (" in warning.message
    listed = warning.message.split("holds text metadata (", 1)[1].split("): it is not published", 1)[0]
    return set(listed.split(", "))


def _render(folder: Path, tmp_path: Path):
    return render_case(folder, tmp_path / "out", formats=("html", "pdf"))


def test_jpeg_comment(reference_copy, tmp_path):
    _plant(reference_copy, "a.jpg", jpeg_with_comment())
    (warning,) = _metadata_warnings(reference_copy)
    assert warning.message == ("panel A image 'figures/a.jpg' holds text metadata (JPEG comment): it is not "
                               "published, but the original still holds it")
    assert warning.hint == "remove the metadata from the original (e.g. `exiftool -all= figures/a.jpg`) before sharing it"
    assert warning.severity == "warning"
    assert_publishes_no_metadata(_render(reference_copy, tmp_path))


def test_jpeg_exif(reference_copy, tmp_path):
    _plant(reference_copy, "a.jpg", jpeg_with_exif())
    assert _fields(reference_copy) == EXIF_FIELDS
    assert_publishes_no_metadata(_render(reference_copy, tmp_path), PLANTED + ("Scanner Co", "Viewer 2.0"))


def test_jpeg_xmp(reference_copy, tmp_path):
    _plant(reference_copy, "a.jpg", jpeg_with_xmp())
    assert _fields(reference_copy) == {"XMP"}
    assert_publishes_no_metadata(_render(reference_copy, tmp_path), PLANTED + ("xmpmeta",))


def test_jpeg_iptc(reference_copy, tmp_path):
    _plant(reference_copy, "a.jpg", jpeg_with_iptc())
    assert _fields(reference_copy) == {"IPTC"}
    assert_publishes_no_metadata(_render(reference_copy, tmp_path), PLANTED + ("20240305", "Photoshop"))


def test_png_text_chunks(reference_copy, tmp_path):
    _plant(reference_copy, "a.png", png_with_text())
    assert _fields(reference_copy) == PNG_FIELDS
    assert_publishes_no_metadata(_render(reference_copy, tmp_path), PLANTED + ("Beschreibung", "Viewer 2.0"))


def test_tiff_tags(reference_copy, tmp_path):
    _plant(reference_copy, "a.tif", tiff_with_tags())
    assert _fields(reference_copy) == TIFF_FIELDS
    assert_publishes_no_metadata(_render(reference_copy, tmp_path), PLANTED + ("Doe_Jane",))


def test_the_fields_are_found_without_decoding_pixels():
    """check reads metadata from what opening the image read (for PNG, the chunks, walked by their headers), not
    by decoding: a PNG whose image data cannot be decompressed, but whose chunks are whole, still has its fields
    listed (text after the image data too), while decoding it fails."""
    from casepub.images import ImageProblem, identify

    data, position, damaged = png_with_text(), 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        damaged += _png_chunk(kind, b"\x78\x9c" + b"\xff" * (length - 2) if kind == b"IDAT" else body)
        position += 12 + length
    assert set(identify(b"\x89PNG\r\n\x1a\n" + damaged, "a.png", 40_000_000).metadata) == PNG_FIELDS
    with pytest.raises(ImageProblem, match="damaged"):
        identify(b"\x89PNG\r\n\x1a\n" + damaged, "a.png", 40_000_000, deep=True)


def swapped_profile() -> bytes:
    """An ICC v2 RGB matrix/TRC profile whose red and green colorants are sRGB's green and red: pure red in it is
    sRGB's pure green, so a panel only looks right when its colour was converted."""
    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    red, green, blue, white = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141), \
        (0.9642, 1.0, 0.8249)
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    text = b"red and green swapped\0"
    tags = [(b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + bytes(78)),
            (b"wtpt", xyz(*white)), (b"rXYZ", xyz(*green)), (b"gXYZ", xyz(*red)), (b"bXYZ", xyz(*blue)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve), (b"cprt", b"text\0\0\0\0none\0\0\0\0")]
    start = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        table += signature + struct.pack(">II", start + len(body), len(data))
        body += data
    header = (struct.pack(">I", start + len(body)) + bytes(4) + b"\x02\x10\0\0" + b"mntrRGB XYZ " + bytes(12)
              + b"acsp" + bytes(28) + s15(white[0]) + s15(white[1]) + s15(white[2]) + bytes(48))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def _red(fmt: str, icc: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 1200), (255, 0, 0)).save(out, fmt, icc_profile=icc)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize("profile", ["swapped", "sRGB"])
def test_an_icc_profile_is_applied_then_dropped(reference_copy, tmp_path, fmt, profile):
    icc = swapped_profile() if profile == "swapped" else ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    _plant(reference_copy, f"a.{fmt.lower()}", _red(fmt, icc))
    assert _metadata_warnings(reference_copy) == []  # a colour profile identifies nobody
    rendered = _render(reference_copy, tmp_path)
    panels = assert_publishes_no_metadata(rendered)
    assert all(icc[-200:] not in path.read_bytes() for path in [*panels, rendered.outputs["pdf"]])
    colours = []
    for path in panels:
        with Image.open(path) as panel:
            assert "icc_profile" not in panel.info
            colours.append((panel.mode, panel.getpixel((panel.width // 2, panel.height // 2))))
    expected = (0, 255, 0) if profile == "swapped" else (255, 0, 0)
    (colour,) = [pixel for mode, pixel in colours if mode == "RGB"]  # the other five panels are grey
    assert all(abs(a - b) <= 8 for a, b in zip(colour, expected, strict=True)), colour


def test_exif_orientation_is_applied_then_dropped(reference_copy, tmp_path):
    """Orientation 6: the stored image is shown turned 90 degrees clockwise, so its top left corner is shown
    top right, and a 1200x900 landscape file prints as a portrait panel."""
    stored = Image.new("L", (1200, 900), 255)
    stored.paste(0, (0, 0, 200, 200))  # its top left corner
    exif = Image.Exif()
    exif[0x0112] = 6
    _plant(reference_copy, "a.jpg", _jpeg(stored, exif=exif))
    assert _metadata_warnings(reference_copy) == []  # orientation identifies nobody
    rendered = _render(reference_copy, tmp_path)
    assert_publishes_no_metadata(rendered)
    corners = []  # each panel's size, and which of its top left, top right, bottom left corners are dark
    for path in (rendered.outputs["html"].parent / "figures").glob("*.jpg"):
        with Image.open(path) as panel:
            w, h = panel.size
            corners.append(((w, h), tuple(panel.getpixel(xy) < 64 for xy in [(20, 20), (w - 20, 20), (20, h - 20)])))
    (size,) = {size for size, _ in corners}  # all alike: portrait, as the other (900x1200) panels
    assert size[0] < size[1]
    assert [dark for _, dark in corners].count((False, True, False)) == 1


def test_metadata_that_identifies_nobody_is_not_reported(reference_copy):
    """Make, Model, Software, the file's DateTime, orientation, blank fields, an empty GPS directory, IPTC with only
    its version, Photoshop's resolution, and a PNG's Software text."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0131], exif[0x0132] = "Scanner Co", "X1", "Viewer 2.0", "2025:01:01 00:00:00"
    exif[0x0112], exif[0x013B], exif[0x010E] = 1, "   ", ""
    exif.get_ifd(0x8769)[0x9286] = b"ASCII\0\0\0" + b" " * 20
    exif.get_ifd(0x8769)[0x9003] = "    :  :     :  :  "
    exif.get_ifd(0x8825)[0] = b"\2\2\0\0"                            # GPSVersionID only
    resolution = struct.pack(">IHHIHH", 300 << 16, 1, 1, 300 << 16, 1, 1)
    photoshop = _photoshop({0x03ED: resolution, 0x0404: _iptc((2, 0, b"\0\4"))})
    (reference_copy / "figures" / "b.jpg").write_bytes(_with_segment(_jpeg(_source(), exif=exif), 0xED, photoshop))
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "Viewer 2.0")
    _source().save(reference_copy / "figures" / "c.png", "PNG", pnginfo=info)
    edit(reference_copy, "image: figures/b-cement-ap.png", "image: figures/b.jpg")
    edit(reference_copy, "image: figures/c-cement-lat.png", "image: figures/c.png")
    assert _metadata_warnings(reference_copy) == []


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow, on opening it
def test_damaged_exif_is_reported_as_a_whole(reference_copy):
    data = _with_segment(_jpeg(_source()), 0xE1, b"Exif\0\0MM\0\x2a\xff\xff\xff\xf0" + NAME.encode())
    _plant(reference_copy, "a.jpg", data)
    assert _fields(reference_copy) == {"EXIF (unreadable)"}


# The fixture tests/cases/invalid/image-metadata: the reference case with panels A-D holding metadata
# (the check warns on each), E plain and F turned by EXIF orientation (no warning). Small, flat images.
FIXTURE = FIXTURES / "invalid" / "image-metadata"


def _flat(mode: str = "L") -> Image.Image:
    image = Image.new(mode, (600, 800), 200 if mode == "L" else (200, 190, 180))
    image.paste(80 if mode == "L" else (80, 70, 60), (100, 100, 300, 300))
    return image


def write_fixture(folder: Path = FIXTURE) -> None:
    figures = folder / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    exif = _exif()
    (figures / "a.jpg").write_bytes(_jpeg(_flat(), comment=f"Patient: {NAME}".encode(), exif=exif))
    iptc = _iptc((2, 0, b"\0\4"), (2, 80, NAME.encode()), (2, 120, RECORD.encode()))
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{NAME}</x:xmpmeta>'.encode()
    (figures / "b.jpg").write_bytes(_with_segment(_jpeg(_flat("RGB"), xmp=xmp), 0xED, _photoshop({0x0404: iptc})))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"Patient: {NAME}")
    info.add_itxt("Description", RECORD)
    info.add_text("Author", DOCTOR, zip=True)
    out = io.BytesIO()
    _flat().save(out, "PNG", pnginfo=info)
    (figures / "c.png").write_bytes(out.getvalue())
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[270], tags[315] = f"{NAME} {RECORD}", DOCTOR
    _flat().save(figures / "d.tif", "TIFF", tiffinfo=tags, compression="tiff_lzw")
    _flat().save(figures / "e.png", "PNG")
    turned = Image.Exif()
    turned[0x0112] = 6
    (figures / "f.jpg").write_bytes(_jpeg(_flat().rotate(90, expand=True), exif=turned))


if __name__ == "__main__":
    if not (FIXTURE / "case.md").exists():
        shutil.copytree(REFERENCE, FIXTURE, ignore=shutil.ignore_patterns("*.png", "README.md"))
        for old, new in [("a-mri-t2.png", "a.jpg"), ("b-cement-ap.png", "b.jpg"), ("c-cement-lat.png", "c.png"),
                         ("d-collapse.png", "d.tif"), ("e-ct.png", "e.png"), ("f-mri-t2.png", "f.jpg")]:
            edit(FIXTURE, f"image: figures/{old}", f"image: figures/{new}")
    write_fixture()
