"""`casepub render --draft`: a case that still has errors is rendered too, marked DRAFT on every page and in
the HTML, its errors still reported (exit 1); a panel that cannot be used prints as a grey stand-in. Issue
builds take no drafts."""
from __future__ import annotations

import shutil

import tinyhtml5
from pypdf import PdfReader

from casepub.__main__ import main
from conftest import ROOT, edit

CARE = ROOT / "cases" / "kummell-care"


def test_a_case_with_errors_renders_as_a_draft_marked_on_every_page(tmp_path, capsys):
    folder = tmp_path / "case"
    shutil.copytree(CARE, folder)
    edit(folder, "    disclosure: Nothing to disclose.\n", "\n")           # an author without a disclosure: CP021
    out = tmp_path / "out"
    assert main(["render", str(folder), "-o", str(out)]) == 1
    assert not (out / "case" / "case.pdf").exists()                         # without --draft: nothing
    assert main(["render", str(folder), "-o", str(out), "--draft"]) == 1     # still exit 1: it has errors
    printed = capsys.readouterr().out
    assert "error CP021" in printed and "rendered a DRAFT of" in printed
    pages = [page.extract_text() for page in PdfReader(out / "case" / "case.pdf").pages]
    assert len(pages) >= 2 and all("DRAFT" in page.split() for page in pages)  # the mark heads every page
    page = tinyhtml5.parse((out / "case" / "index.html").read_text(encoding="utf-8"), namespace_html_elements=False)
    note = page.find(".//p[@class='draft-note']")
    assert note is not None and "Draft: errors to correct" in "".join(note.itertext())


def test_a_panel_that_cannot_be_used_prints_as_a_stand_in(tmp_path, capsys):
    folder = tmp_path / "case"
    shutil.copytree(ROOT / "cases" / "t12-osteonecrosis", folder)
    (folder / "figures" / "c-cement-lat.png").unlink()
    assert main(["render", str(folder), "-o", str(tmp_path / "out"), "--draft"]) == 1
    assert "error CP05" in capsys.readouterr().out  # the missing image, located
    html = (tmp_path / "out" / "case" / "index.html").read_text(encoding="utf-8")
    assert html.count("figures/draft-missing-panel.png") == 1 and len(PdfReader(tmp_path / "out" / "case" /
                                                                                "case.pdf").pages) == 1


def test_a_case_without_errors_is_no_draft(tmp_path):
    assert main(["render", str(ROOT / "cases" / "t12-osteonecrosis"), "-o", str(tmp_path), "--draft", "--to",
                 "html"]) == 0
    assert 'class="draft-note"' not in (tmp_path / "t12-osteonecrosis" / "index.html").read_text(encoding="utf-8")


def test_issue_builds_take_no_drafts(tmp_path, capsys):
    assert main(["build", str(tmp_path / "issue.yaml"), "--draft"]) == 2
    assert "unrecognized arguments: --draft" in capsys.readouterr().err
