"""`casepub render CASE --blind`: the review copy names no author or institution (byline, affiliations,
correspondence, CRediT, disclosures' initials, metadata), and says where the text still does (CP087)."""
from __future__ import annotations

import shutil

import tinyhtml5
from pypdf import PdfReader

from casepub.__main__ import main
from conftest import ROOT, edit

CARE = ROOT / "cases" / "kummell-care"
NAMES = ["Lindqvist", "Wójcik", "Okafor", "Dijk", "Example University Hospital", "Exampleton", "Amsterdam",
         "marta.lindqvist@example.org"]


def test_the_review_copy_names_nobody_and_the_text_that_still_does_is_pointed_out(tmp_path, capsys):
    folder = tmp_path / "kummell-care"
    shutil.copytree(CARE, folder)
    out = tmp_path / "out"
    assert main(["render", str(folder), "-o", str(out), "--blind"]) == 0
    printed = capsys.readouterr().out
    assert 'warning CP087 "Pieter van Dijk" (an author\'s name) is still in the blinded copy' in printed
    assert printed.count("CP087") == 1  # the full name, not its surname again
    copy = out / "kummell-care-blinded"
    assert sorted(path.name for path in copy.iterdir()) == ["figures", "index.html", "kummell-care-blinded.pdf"]
    # With the statement that names an author rewritten, nothing in the copy names one.
    edit(folder, "Pieter van Dijk is a consultant", "One author is a consultant")
    assert main(["render", str(folder), "-o", str(out), "--blind"]) == 0
    assert "CP087" not in capsys.readouterr().out
    reader = PdfReader(copy / "kummell-care-blinded.pdf")
    text = " ".join(page.extract_text() for page in reader.pages)
    assert not [name for name in NAMES if name in text]
    assert "Blinded for review" in text and "Author 4: Consultant" in " ".join(text.split())
    assert "/Author" not in reader.metadata and reader.metadata.title.startswith("Kümmell disease")
    page = (copy / "index.html").read_text(encoding="utf-8")
    assert not [name for name in NAMES if name in page]
    tree = tinyhtml5.parse(page, namespace_html_elements=False)
    assert tree.find(".//section[@class='contributors']") is None
    assert not [m for m in tree.iter("meta") if (m.get("name") or "").startswith("citation_author")]
    assert tree.find(".//div[@class='credit-statement']") is None
    assert not (copy / "care-checklist.html").exists()


def test_blind_is_for_html_and_pdf(tmp_path, capsys):
    assert main(["render", str(CARE), "-o", str(tmp_path), "--blind", "--to", "jats"]) == 2
    assert "--blind writes the review copy as HTML and PDF" in capsys.readouterr().err
