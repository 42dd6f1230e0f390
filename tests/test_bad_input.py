"""Malformed and hostile input that cannot live in a fixture folder (FIFOs, symlinks, 50 MB files,
raw bytes): each gets a located diagnostic and exit 1, never a traceback, and nothing outside the
case folder is opened."""
from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest

from casepub import check_case, load_case
from casepub.__main__ import main
from conftest import edit


def codes(folder: Path) -> list[tuple[str, int, int]]:
    return [(d.code, d.location.line, d.location.column) for d in check_case(folder).diagnostics]


def write_case(folder: Path, data: bytes | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "case.md"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return folder


def test_invalid_utf8_is_located_at_the_byte(tmp_path):
    folder = write_case(tmp_path / "c", b"---\ntitle: Caf\xe9\n---\n")
    [diagnostic] = check_case(folder).diagnostics
    assert (diagnostic.code, diagnostic.location.line, diagnostic.location.column) == ("CP001", 2, 11)
    assert "not valid UTF-8 (byte 0xe9)" in diagnostic.message


def test_alias_bomb_is_refused_at_its_first_alias_quickly(tmp_path):
    bomb = ["---", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        previous = chr(ord("a") + level - 1)
        bomb.append(f"{chr(ord('a') + level)}: &{chr(ord('a') + level)} [{', '.join(['*' + previous] * 9)}]")
    folder = write_case(tmp_path / "c", "\n".join(bomb + ["---", ""]))
    diagnostics = check_case(folder).diagnostics  # its time: bench/hostile_bench.py
    [alias] = [d for d in diagnostics if d.code == "CP004"]  # reported once, at the first alias
    assert (alias.location.line, alias.location.column) == (3, 8)


def test_self_referencing_alias_is_refused(tmp_path):
    folder = write_case(tmp_path / "c", "---\ntitle: &t [*t]\n---\n")
    assert ("CP004", 2, 12) in codes(folder)


def test_deep_nesting_is_refused_without_recursion(tmp_path):
    folder = write_case(tmp_path / "c", "---\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\n---\n")
    [diagnostic] = check_case(folder).diagnostics  # its time: bench/hostile_bench.py
    assert diagnostic.code == "CP003" and diagnostic.location.line == 2
    assert "nest" in diagnostic.message + diagnostic.hint


def test_fifty_megabyte_case_is_refused_before_reading(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    with open(folder / "case.md", "wb") as handle:
        handle.truncate(50 << 20)  # sparse: the size is real, the disk is not used
    [diagnostic] = check_case(folder).diagnostics
    assert diagnostic.code == "CP001" and "50.0 MB; the limit is 1.0 MB" in diagnostic.message


def test_case_md_that_is_a_symlink_out_of_the_folder_is_not_read(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\njournal: x\n---\n")
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "case.md").symlink_to(secret)
    [diagnostic] = check_case(folder).diagnostics
    assert diagnostic.code == "CP001" and "leading outside the case folder" in diagnostic.message


def test_case_md_that_is_a_fifo_does_not_hang(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    os.mkfifo(folder / "case.md")
    [diagnostic] = check_case(folder).diagnostics
    assert diagnostic.code == "CP001" and "not a regular file" in diagnostic.message


def test_missing_case_md(tmp_path):
    (tmp_path / "c").mkdir()
    [diagnostic] = check_case(tmp_path / "c").diagnostics
    assert diagnostic.code == "CP001" and "does not exist" in diagnostic.message


def image_problem(folder: Path, image: str) -> str:
    edit(folder, "image: figures/a-mri-t2.png", f"image: '{image}'")
    [diagnostic] = [d for d in check_case(folder).diagnostics if d.location.key_path[-1:] == ("image",)]
    assert diagnostic.location.key_path == ("figures", 0, "panels", 0, "image")
    return diagnostic.message


def test_image_that_is_a_fifo_is_refused_without_blocking(reference_copy):
    os.mkfifo(reference_copy / "figures" / "pipe.png")
    assert "not a regular file" in image_problem(reference_copy, "figures/pipe.png")


def test_image_symlink_leading_out_is_refused(reference_copy, tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes((reference_copy / "figures" / "a-mri-t2.png").read_bytes())
    (reference_copy / "figures" / "link.png").symlink_to(outside)
    assert "leading outside the case folder" in image_problem(reference_copy, "figures/link.png")


def test_image_symlink_inside_the_folder_is_fine(reference_copy):
    (reference_copy / "figures" / "link.png").symlink_to(reference_copy / "figures" / "b-cement-ap.png")
    edit(reference_copy, "image: figures/a-mri-t2.png", "image: figures/link.png")
    assert not check_case(reference_copy).errors


@pytest.mark.parametrize("path, reason", [
    ("/etc/passwd", "absolute"),
    ("file:///etc/passwd", "absolute or a URL"),
    ("http://169.254.169.254/latest", "absolute or a URL"),
    ("../../etc/passwd", "climbs out"),
    ("figures/../../x.png", "climbs out"),
    ("%2e%2e/%2e%2e/etc/passwd", "percent-escapes"),
    ("figures\\a.png", "backslash"),
    ("figures", "is a folder"),
    ("figures/nothing.png", "does not exist"),
])
def test_unsafe_or_missing_image_paths(reference_copy, path, reason):
    assert reason in image_problem(reference_copy, path)


def png_header_only(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height pixels (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4)  # far fewer rows than claimed
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_from_its_header(reference_copy):
    bomb = png_header_only(100_000, 100_000)
    assert len(bomb) < 2_000
    (reference_copy / "figures" / "bomb.png").write_bytes(bomb)
    message = image_problem(reference_copy, "figures/bomb.png")  # its time: bench/hostile_bench.py
    assert "is 10,000,000,000 pixels, more than the 40,000,000 allowed" in message


def test_image_just_over_the_profile_cap_is_refused_by_ours(reference_copy):
    (reference_copy / "figures" / "big.png").write_bytes(png_header_only(8000, 6000))
    assert "is 8000x6000 pixels, more than the 40,000,000 allowed" in image_problem(reference_copy, "figures/big.png")


def test_png_with_a_corrupted_byte_is_caught_by_its_crc(reference_copy):
    data = bytearray((reference_copy / "figures" / "a-mri-t2.png").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (reference_copy / "figures" / "a-mri-t2.png").write_bytes(bytes(data))
    assert "damaged and cannot be decoded" in image_problem(reference_copy, "figures/a-mri-t2.png")


def test_jpeg_and_tiff_panels_are_accepted_and_a_truncated_jpeg_is_not(reference_copy):
    from PIL import Image

    source = Image.open(reference_copy / "figures" / "a-mri-t2.png")
    source.save(reference_copy / "figures" / "a.jpg", quality=85)
    source.save(reference_copy / "figures" / "b.tif", compression="tiff_deflate")
    edit(reference_copy, "image: figures/a-mri-t2.png", "image: figures/a.jpg")
    edit(reference_copy, "image: figures/b-cement-ap.png", "image: figures/b.tif")
    assert not check_case(reference_copy).errors
    data = (reference_copy / "figures" / "a.jpg").read_bytes()
    (reference_copy / "figures" / "a.jpg").write_bytes(data[: len(data) // 3])
    [error] = check_case(reference_copy).errors
    assert error.code == "CP056" and "damaged" in error.message


def test_truncated_images_stay_errors_after_weasyprint_is_imported(reference_copy):
    import weasyprint  # noqa: F401  (it sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process)

    data = (reference_copy / "figures" / "a-mri-t2.png").read_bytes()
    (reference_copy / "figures" / "a-mri-t2.png").write_bytes(data[: len(data) * 2 // 3])
    assert "damaged" in image_problem(reference_copy, "figures/a-mri-t2.png")
    assert [d.code for d in check_case(reference_copy, deep=True).errors] == ["CP056"]


def test_deep_check_decodes_every_pixel(reference_copy):
    """A PNG whose compressed data is wrong but whose CRCs were recomputed passes the structural
    check and is caught by --deep, which decodes the pixels."""
    from PIL import Image

    good = io.BytesIO()
    Image.new("L", (800, 1000), 128).save(good, "PNG")
    forged = _forge_idat(good.getvalue())
    (reference_copy / "figures" / "a-mri-t2.png").write_bytes(forged)
    assert not [d for d in check_case(reference_copy).errors if d.code == "CP056"]
    assert [d for d in check_case(reference_copy, deep=True).errors if d.code == "CP056"]


def _forge_idat(png: bytes) -> bytes:
    out, position = bytearray(png[:8]), 8
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        data = png[position + 8:position + 8 + length]
        if kind == b"IDAT":
            data = data[:2] + bytes(b ^ 0x55 for b in data[2:])
        out += struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        position += 12 + length
    return bytes(out)


@pytest.mark.parametrize("key, typed", [
    ("postal-code", "0424"),          # not the octal 276
    ("postal-code", "0o17"),
    ("country", "NO"),                # not False
    ("region", "1.10"),               # not 1.1
    ("city", "2024-02-30"),           # not a date, nor an error: a string field
    ("address", "true"),
    ("department", "~/x"),
    ("city", "null-island"),
])
def test_yaml_guessing_never_changes_what_the_author_typed(reference_copy, key, typed):
    lines = (reference_copy / "case.md").read_text().split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(f"    {key}:"))
    lines[index] = f"    {key}: {typed}"
    (reference_copy / "case.md").write_text("\n".join(lines))
    loaded = load_case(reference_copy)
    assert not loaded.diagnostics, loaded.diagnostics
    assert getattr(loaded.case.meta.affiliations[0], key.replace("-", "_")) == typed


def test_every_bad_input_exits_1_without_a_traceback(tmp_path, capsys):
    folders = {
        "utf8": b"---\ntitle: \xff\n---\n",
        "empty": b"",
        "nothing": b"just text\n",
        "tabs": b"---\njournal: x\n\tarticle-type: y\n---\n",
        "date": b"---\njournal: the-spine-journal\narticle-type: images-of-spine-care\ndate: 2024-02-30\n---\nText.\n",
        "dup": b"---\njournal: a\njournal: b\n---\n",
        "brackets": b"---\na: " + b"[" * 5000 + b"\n---\n",
        "binary": bytes(range(256)),
    }
    for name, data in folders.items():
        write_case(tmp_path / "cases" / name, data)
    assert main(["check", str(tmp_path / "cases")]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "CP999" not in out
    assert out.count("error CP") >= len(folders)


def test_an_alias_as_a_value_drops_only_that_value(reference_copy):
    edit(reference_copy, "    affiliations: [surgery]\n", "    affiliations: *surgery\n")
    diagnostics = check_case(reference_copy).diagnostics
    assert [(d.code, d.location.line) for d in diagnostics if d.is_error] == [("CP022", 12), ("CP004", 12)]
    # the keys after the alias are read: Kun Duan's disclosure is there, so no CP021


def test_an_alias_as_a_key_drops_its_value(tmp_path):
    folder = write_case(tmp_path / "c",
                        "---\njournal: the-spine-journal\n*k : x\narticle-type: images-of-spine-care\n---\nText.\n")
    codes_found = [d.code for d in check_case(folder).diagnostics]
    assert "CP004" in codes_found and "CP013" not in codes_found  # article-type was read


def test_a_rule_lists_25_problems_and_counts_the_rest(reference_copy):
    authors = "".join("  - {name: Ann Lee, affiliations: [spine], disclosure: x, degrees: [MD]}\n" for _ in range(40))
    edit(reference_copy, "authors:\n", "authors:\n" + authors)
    listed = [d for d in check_case(reference_copy).diagnostics if d.code == "CP029"]
    assert len(listed) == 26
    assert listed[-1].message == "14 more problems of this kind from here on (only the first 25 are listed)"
    assert listed[-1].location.line == 32  # the first not listed: the 27th Ann Lee (the 1st is the original, on line 6)


def test_a_utf16_case_is_named_as_such(tmp_path):
    folder = write_case(tmp_path / "c", "---\ntitle: x\n---\n".encode("utf-16"))
    [diagnostic] = check_case(folder).diagnostics
    assert (diagnostic.code, diagnostic.message) == ("CP001", "case.md is saved as UTF-16")


@pytest.mark.parametrize(("sentence", "code"), [
    ("Call her daughter at 555-123-4567.", "CP073"), ("Her number is +84 28 3855 4137.", "CP073"),
    ("Her number is +84 28 3855 4137, she said.", "CP073"), ("The chart reads 12345678.", "CP074"),
])
def test_numbers_at_the_end_of_a_sentence_are_found(reference_copy, sentence, code):
    edit(reference_copy, "treatment, but the patient refused.", f"treatment, but the patient refused. {sentence}")
    assert code in [d.code for d in check_case(reference_copy).warnings]


@pytest.mark.parametrize("sentence", ["The dose was 4.5 mL.", "At 12.5 mm the cleft was 3.2 cm wide."])
def test_decimals_are_not_telephone_numbers(reference_copy, sentence):
    edit(reference_copy, "treatment, but the patient refused.", f"treatment, but the patient refused. {sentence}")
    assert not [d for d in check_case(reference_copy).warnings if d.code in ("CP073", "CP074")]


@pytest.mark.parametrize(("old", "new", "key"), [
    ("    disclosure: Nothing to disclose.\n  - name: Kun", "    disclosure: Nothing to disclose.\n    orcdi:\n  - name: Kun",
     "orcdi"),
    ("alt: Sagittal T2-weighted MRI of the lumbar spine}", "alt: Sagittal T2-weighted MRI, lumbar spine}", "lumbar spine"),
])
def test_an_unknown_key_is_reported_even_with_no_value(reference_copy, old, new, key):
    """`orcdi:` alone, or a comma in a flow mapping that makes the rest of a value a key, is not silently dropped."""
    edit(reference_copy, old, new)
    [error] = check_case(reference_copy).errors
    assert (error.code, error.message) == ("CP010", f"unknown key {key!r}")
