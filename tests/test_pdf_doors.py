"""Every door WeasyPrint leaves open by default, tried against casepub's fetcher.

Case content never reaches these as markup (raw HTML is off, templates
autoescape), so these tests feed hostile HTML to render_pdf directly: the
fetcher is the last line, and each door must stay shut on its own.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from casepub.render.pdf import RenderError, render_pdf

PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000"
                      "3a7e9b550000000a49444154789c63600000000200015d2d4c8f0000000049454e44ae426082")


@pytest.fixture
def roots(tmp_path: Path) -> Path:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "ok.png").write_bytes(PIXEL)
    (tmp_path / "outside.png").write_bytes(PIXEL)
    return allowed


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


def test_a_file_inside_the_roots_is_read(roots):
    pdf = render_pdf(page('<p>x</p><img src="ok.png">'), roots, [roots])
    assert pdf.pages == 1 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("body", [
    '<img src="http://127.0.0.1:9/x.png">',
    '<img src="https://example.org/x.png">',
    '<img src="file:///etc/passwd">',
    '<img src="../outside.png">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<link rel="attachment" href="file:///proc/self/environ">',
    '<a rel="attachment" href="/etc/passwd">a</a>',
    '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    '<style>@import url("http://127.0.0.1:9/x.css");</style>',
    '<style>@font-face { font-family: X; src: url("http://127.0.0.1:9/x.ttf"); } p { font-family: X }</style><p>x</p>',
    '<style>p { background: url("file:///etc/hostname") }</style><p>x</p>',
    '<object data="file:///etc/passwd" type="text/plain"></object>',
    '<svg width="10" height="10"><image href="http://127.0.0.1:9/x.png" width="10" height="10"/></svg>',
])
def test_every_other_resource_is_refused(roots, body):
    with pytest.raises(RenderError) as refused:
        render_pdf(page(body), roots, [roots])
    assert "refused" in str(refused.value) or "outside" in str(refused.value) or "Failed" in str(refused.value)


def test_a_fifo_inside_the_roots_is_refused_without_hanging(roots):
    os.mkfifo(roots / "pipe.png")
    with pytest.raises(RenderError):
        render_pdf(page('<img src="pipe.png">'), roots, [roots])


def test_a_symlink_inside_the_roots_leading_out_is_refused(roots):
    (roots / "link.png").symlink_to(roots.parent / "outside.png")
    with pytest.raises(RenderError):
        render_pdf(page('<img src="link.png">'), roots, [roots])


def test_no_attachment_is_ever_embedded(roots):
    (roots / "note.txt").write_text("secret")
    with pytest.raises(RenderError):
        render_pdf(page('<a rel="attachment" href="note.txt">n</a>'), roots, [roots])
    pdf = render_pdf(page("<p>plain</p>"), roots, [roots])
    assert b"/EmbeddedFile" not in pdf.data
    assert not PdfReader(__import__("io").BytesIO(pdf.data)).attachments
