"""Outputs that cannot be written, on real file systems: a read-only tmpfs, a full tmpfs, a file where a folder
belongs, a folder casepub may not write (run as another user). Every command exits 1 with a CP102 that names
the path and the OS error, prints no traceback, leaves the earlier outputs byte for byte, and leaves no
temporary file; `check` reports what it cannot read, and stops quietly when its standard output is closed.

CI runs the tests as root, where permission bits stop nothing: the mounts need root (or CAP_SYS_ADMIN) and
are skipped, with the reason, without it; so are the tests that run casepub as the user nobody."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from casepub.__main__ import main
from conftest import REFERENCE, ROOT, edit

CASEPUB = Path(sys.executable).with_name("casepub")
NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


# --- helpers --------------------------------------------------------------------------------------------------

def casepub(*args: str | Path, cwd: Path, nobody: bool = False) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: a process of its own, so a traceback would show on its stderr.
    With `nobody`, as the user nobody (setpriv), its HOME the working folder."""
    command = [str(CASEPUB), *map(str, args)]
    if not nobody:
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    return subprocess.run(AS_NOBODY + command, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HOME": str(cwd)})


def failed(run: subprocess.CompletedProcess[str]) -> list[dict]:
    """The diagnostics of a command that ran with --format json and exited 1 without a traceback."""
    printed = run.stdout + run.stderr
    assert run.returncode == 1, printed
    assert "Traceback" not in printed and "Exception ignored" not in printed, printed
    return json.loads(run.stdout)


def cp102(diagnostics: list[dict], file: str) -> list[str]:
    """The CP102 messages located at `file` (relative to the command's working folder)."""
    return [d["message"] for d in diagnostics if d["code"] == "CP102" and d["file"] == file]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "filler"}


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.tmp")]


def two_cases(root: Path) -> Path:
    cases = root / "cases"
    for name in ("one", "two"):
        shutil.copytree(REFERENCE, cases / name)
        edit(cases / name, "title: Severe vertebra", f"title: Case {name}, severe vertebra")
    return cases


def manifest(root: Path) -> Path:
    two_cases(root)
    path = root / "issue.yaml"
    path.write_text("journal: the-spine-journal\nvolume: 26\nissue: 12\ndate: 2026-12-01\nfirst-page: 1901\n"
                    "articles:\n  - case: cases/one\n  - case: cases/two\n")
    return path


def fill(disk: Path) -> None:
    """Fill the file system to the last block."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0


class Mounts:
    """Small file systems for one test, unmounted after it (the last mounted first)."""

    def __init__(self, root: Path):
        self.root, self.mounted = root, []

    def tmpfs(self, name: str) -> Path:
        """A 16 MiB tmpfs at root/name."""
        folder = self.root / name
        folder.mkdir()
        self._mount("-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", folder)
        return folder

    def read_only(self, folder: Path, *, bind: bool = False) -> None:
        """Make a mounted tmpfs read-only; with bind, a folder inside one (a read-only bind mount of itself)."""
        if bind:
            self._mount("--bind", folder, folder)
            subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True, capture_output=True)
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        with pytest.raises(OSError, match="Read-only file system"):
            (folder / "probe").write_text("x")

    def _mount(self, *args: str | Path) -> None:
        try:
            done = subprocess.run(["mount", *map(str, args)], capture_output=True, text=True)
        except FileNotFoundError:
            pytest.skip("no mount command: these tests mount a small tmpfs")
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
        self.mounted.append(Path(str(args[-1])))

    def unmount_all(self) -> None:
        for folder in reversed(self.mounted):
            if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[Mounts]:
    made = Mounts(tmp_path)
    yield made
    made.unmount_all()


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Path]:
    """A folder the user nobody can reach (pytest's own temporary folders are root's alone)."""
    if os.geteuid() != 0:
        pytest.skip("running casepub as the user nobody needs root")
    try:
        probe = subprocess.run([*AS_NOBODY, str(CASEPUB), "--version"], capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("no setpriv command (util-linux): it runs casepub as the user nobody")
    if probe.returncode != 0:
        pytest.skip(f"casepub cannot run as the user nobody here: {probe.stderr.strip()[-200:]}")
    folder = Path(tempfile.mkdtemp(prefix="casepub-shared-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# --- render ---------------------------------------------------------------------------------------------------

def test_render_into_a_read_only_folder_reports_it_and_keeps_the_outputs(tmp_path, mounts):
    disk = mounts.tmpfs("disk")
    shutil.copytree(REFERENCE, tmp_path / "case")
    assert main(["render", str(tmp_path / "case"), "-o", str(disk / "build")]) == 0
    before = snapshot(disk)
    mounts.read_only(disk)
    edit(tmp_path / "case", "A 70-year-old woman", "A 71-year-old woman")
    diagnostics = failed(casepub("render", "case", "-o", disk / "build", "--format", "json", cwd=tmp_path))
    assert cp102(diagnostics, "disk/build") == [f"cannot write {disk / 'build'}: Read-only file system"]
    assert "read-only" in diagnostics[0]["hint"] and "-o DIR" in diagnostics[0]["hint"]
    assert snapshot(disk) == before and not temporaries(disk)


def test_render_onto_a_full_disk_reports_it_at_the_case_and_keeps_the_outputs(tmp_path, mounts):
    disk = mounts.tmpfs("disk")
    shutil.copytree(REFERENCE, tmp_path / "case")
    assert main(["render", str(tmp_path / "case"), "-o", str(disk / "build")]) == 0
    before = snapshot(disk)
    fill(disk)
    edit(tmp_path / "case", "A 70-year-old woman", "A 71-year-old woman")
    run = casepub("render", "case", "-o", disk / "build", "--format", "json", cwd=tmp_path)
    assert cp102(failed(run), "case/case.md") == [
        f"cannot write {disk / 'build' / 'case' / 'case.pdf'}: No space left on device"]
    assert snapshot(disk) == before and not temporaries(disk)


def test_render_to_a_file_reports_it_without_touching_the_file(tmp_path):
    shutil.copytree(REFERENCE, tmp_path / "case")
    (tmp_path / "out").write_text("not a folder")
    run = casepub("render", "case", "-o", "out", cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr
    assert run.stdout.splitlines()[:2] == [
        "out:1:1: error CP102 cannot write out: it is a file, not a folder (File exists)",
        "  hint: move what is in the way (a file where a folder belongs, or a folder where a file does), "
        "or choose another output folder (-o DIR)"]
    assert (tmp_path / "out").read_text() == "not a folder"


def test_render_without_a_panel_cache_places_the_panels_from_memory(tmp_path):
    """build/.cache is a file: the cache cannot be written, the panels are made and placed all the same."""
    shutil.copytree(REFERENCE, tmp_path / "case")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".cache").write_text("in the way")
    run = casepub("render", "case", "-o", out, "--to", "html", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(list((out / "case" / "figures").glob("*.jpg"))) == 6
    assert (out / ".cache").read_text() == "in the way" and not temporaries(out)


def test_render_as_a_user_who_may_not_write_the_panel_cache(shared):
    """Permission denied on build/.cache (root's, and casepub runs as nobody): rendered all the same;
    a case folder nobody may not write is a CP102 at its case.md."""
    shutil.copytree(REFERENCE, shared / "case")
    out = shared / "out"
    (out / ".cache").mkdir(parents=True)
    os.chown(out, NOBODY, NOBODY)
    run = casepub("render", "case", "-o", "out", "--to", "html", cwd=shared, nobody=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(list((out / "case" / "figures").glob("*.jpg"))) == 6 and not list((out / ".cache").iterdir())
    (out / "case").chmod(0o755)
    os.chown(out / "case", 0, 0)
    edit(shared / "case", "A 70-year-old woman", "A 71-year-old woman")
    before = snapshot(out)
    diagnostics = failed(casepub("render", "case", "-o", "out", "--format", "json", cwd=shared, nobody=True))
    assert cp102(diagnostics, "case/case.md") == ["cannot write out/case/case.pdf: Permission denied"]
    assert "permissions" in diagnostics[0]["hint"]
    assert snapshot(out) == before and not temporaries(out)


# --- build DIR ------------------------------------------------------------------------------------------------

def test_build_dir_onto_a_full_disk_reports_every_case_and_the_index(tmp_path, mounts):
    disk = mounts.tmpfs("disk")
    cases = two_cases(tmp_path)
    assert main(["build", str(cases), "-o", str(disk / "build")]) == 0
    before = snapshot(disk)
    fill(disk)
    for name in ("one", "two"):
        edit(cases / name, "A 70-year-old woman", "A 71-year-old woman")
    diagnostics = failed(casepub("build", "cases", "-o", disk / "build", "--format", "json", cwd=tmp_path))
    for name in ("one", "two"):
        assert cp102(diagnostics, f"cases/{name}/case.md") == [
            f"cannot write {disk / 'build' / name / f'{name}.pdf'}: No space left on device"]
    assert cp102(diagnostics, "disk/build") == [
        f"cannot write {disk / 'build' / 'index.html'}: No space left on device"]
    assert snapshot(disk) == before and not temporaries(disk)


def test_build_dir_into_a_read_only_folder_reports_it_once(tmp_path, mounts):
    disk = mounts.tmpfs("disk")
    cases = two_cases(tmp_path)
    assert main(["build", str(cases), "-o", str(disk / "build"), "--to", "html"]) == 0
    before = snapshot(disk)
    mounts.read_only(disk)
    run = casepub("build", "cases", "-o", disk / "build", "--to", "html", cwd=tmp_path)
    printed = run.stdout + run.stderr
    assert run.returncode == 1 and "Traceback" not in printed
    assert printed.count("CP102") == 1 and f"cannot write {disk / 'build'}: Read-only file system" in printed
    assert run.stdout.splitlines()[-1] == "rendered 0 of 2 cases: 1 error, 0 warnings"
    assert snapshot(disk) == before


def test_build_dir_whose_index_cannot_be_written_renders_the_cases_and_reports_the_index(tmp_path):
    two_cases(tmp_path)
    (tmp_path / "out" / "index.html").mkdir(parents=True)  # a folder where the index belongs
    (tmp_path / "out" / ".cache").write_text("")            # and no panel cache: placed from memory
    diagnostics = failed(casepub("build", "cases", "-o", "out", "--to", "html", "--format", "json", cwd=tmp_path))
    assert [d["code"] for d in diagnostics] == ["CP102"]
    assert cp102(diagnostics, "out") == ["cannot write out/index.html: Is a directory"]
    assert (tmp_path / "out" / "one" / "index.html").is_file() and (tmp_path / "out" / "two" / "index.html").is_file()
    assert not temporaries(tmp_path / "out")


# --- build ISSUE.yaml -----------------------------------------------------------------------------------------

def test_issue_into_a_read_only_folder_reports_it_at_the_manifest(tmp_path, mounts):
    disk = mounts.tmpfs("disk")
    issue = manifest(tmp_path)
    assert main(["build", str(issue), "-o", str(disk / "issue"), "-q"]) == 0
    before = snapshot(disk)
    mounts.read_only(disk)
    edit(tmp_path / "cases" / "one", "A 70-year-old woman", "A 71-year-old woman")
    run = casepub("build", "issue.yaml", "-o", disk / "issue", "-q", cwd=tmp_path)
    printed = run.stdout + run.stderr
    assert run.returncode == 1 and "Traceback" not in printed, printed
    lines = run.stdout.splitlines()
    assert lines[:2] == [
        f"issue.yaml:1:1: error CP102 cannot write {disk / 'issue'}: Read-only file system",
        "  hint: the folder is on a read-only file system: choose another output folder (-o DIR); the earlier "
        "outputs were left as they were"]
    assert len(lines) == 3 and lines[2].startswith(f"issue 26(12): not built, {disk / 'issue'} cannot be written; ")
    assert snapshot(disk) == before


def test_issue_onto_a_full_disk_reports_the_article_and_the_issue_outputs(tmp_path, mounts):
    disk = mounts.tmpfs("disk")
    issue = manifest(tmp_path)
    assert main(["build", str(issue), "-o", str(disk / "issue"), "-q"]) == 0
    before = snapshot(disk)
    fill(disk)
    edit(tmp_path / "cases" / "one", "A 70-year-old woman", "A 71-year-old woman")
    run = casepub("build", "issue.yaml", "-o", disk / "issue", "-q", "--format", "json", cwd=tmp_path)
    diagnostics = failed(run)
    [article] = cp102(diagnostics, "cases/one/case.md")  # rendered again: its cache entry
    assert article.startswith(f"cannot write {disk / 'issue' / '.cache' / 'articles'}/")
    assert article.endswith(".pdf: No space left on device")
    assert cp102(diagnostics, "cases/two/case.md") == [  # renumbered, as one is left out
        f"cannot write {disk / 'issue' / 'two' / 'two.pdf'}: No space left on device"]
    assert cp102(diagnostics, "issue.yaml") == [
        f"cannot write {disk / 'issue' / name}: No space left on device" for name in (".state.json", "report.json")]
    assert snapshot(disk) == before and not temporaries(disk)
    os.unlink(disk / "filler")  # space again: the next build makes everything
    assert main(["build", str(issue), "-o", str(disk / "issue"), "-q"]) == 0


def test_issue_with_a_read_only_article_folder_fails_that_article_only(tmp_path, mounts):
    disk = mounts.tmpfs("disk")
    issue = manifest(tmp_path)
    assert main(["build", str(issue), "-o", str(disk / "issue"), "-q"]) == 0
    before = snapshot(disk / "issue" / "one")
    mounts.read_only(disk / "issue" / "one", bind=True)
    edit(tmp_path / "cases" / "one", "A 70-year-old woman", "A 71-year-old woman")
    diagnostics = failed(casepub("build", "issue.yaml", "-o", disk / "issue", "-q", "--format", "json",
                                 cwd=tmp_path))
    diagnostics = [d for d in diagnostics if d["code"] != "CP206"]  # (no deposit keys: a warning, not the point)
    assert [(d["code"], d["file"]) for d in diagnostics] == [("CP204", "issue.yaml"), ("CP102", "cases/one/case.md")]
    assert cp102(diagnostics, "cases/one/case.md") == [
        f"cannot write {disk / 'issue' / 'one' / 'one.pdf'}: Read-only file system"]
    assert snapshot(disk / "issue" / "one") == before
    report = json.loads((disk / "issue" / "report.json").read_text())
    assert [(a["name"], a["status"], [d["code"] for d in a["diagnostics"]]) for a in report["articles"]] == [
        ("one", "failed", ["CP102"]), ("two", "ok", [])]
    assert not temporaries(disk)


def test_issue_to_a_file_and_with_a_file_for_its_cache(tmp_path):
    issue = manifest(tmp_path)
    (tmp_path / "taken").write_text("a file")
    diagnostics = failed(casepub("build", "issue.yaml", "-o", "taken", "--format", "json", cwd=tmp_path))
    assert cp102(diagnostics, "issue.yaml") == ["cannot write taken: it is a file, not a folder (File exists)"]
    out = tmp_path / "out"
    out.mkdir()
    (out / ".cache").write_text("in the way")
    diagnostics = failed(casepub("build", issue, "-o", "out", "-q", "--format", "json", cwd=tmp_path))
    for name in ("one", "two"):  # an issue build needs its article cache: the numbering reads the PDFs from it
        [message] = cp102(diagnostics, f"cases/{name}/case.md")
        assert message.startswith("cannot write out/.cache/articles/")
        assert message.endswith(": out/.cache is a file, not a folder (Not a directory)")
    assert (out / ".cache").read_text() == "in the way" and (out / "report.json").is_file()


def test_an_issue_report_that_cannot_be_written_is_reported_at_the_manifest(tmp_path):
    issue = manifest(tmp_path)
    out = tmp_path / "out"
    (out / "report.json").mkdir(parents=True)  # a folder where the report belongs
    run = casepub("build", issue, "-o", "out", "-q", cwd=tmp_path)
    printed = run.stdout + run.stderr
    assert run.returncode == 1 and "Traceback" not in printed, printed
    lines = run.stdout.splitlines()  # (after the warning that the manifest has no deposit keys, CP206)
    assert "issue.yaml:1:1: error CP102 cannot write out/report.json: Is a directory" in lines
    assert lines[-1].startswith("issue 26(12): 2 of 2 articles built, 0 failed;")
    assert lines[-1].endswith("; no report written")
    assert (out / "issue.pdf").is_file() and not (out / "report.html").exists()


# --- check ----------------------------------------------------------------------------------------------------

def test_check_reports_what_it_cannot_read(tmp_path):
    (tmp_path / "dangling").mkdir()
    (tmp_path / "dangling" / "case.md").symlink_to(tmp_path / "gone.md")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "case.md").mkdir()  # a folder where the file belongs
    run = casepub("check", "dangling", "folder", "--format", "json", cwd=tmp_path)
    assert [(d["code"], d["file"], d["message"]) for d in failed(run)] == [
        ("CP001", "dangling/case.md", "the path 'case.md' is a link leading outside the case folder"),
        ("CP001", "folder/case.md", "'case.md' is a folder, not a file")]
    (tmp_path / "a-file").write_text("")
    run = casepub("check", "a-file", "dangling/case.md/x", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr
    assert "casepub: error: a-file is not a folder" in run.stderr


def test_check_as_a_user_who_may_not_read_the_case(shared):
    for name in ("locked-file", "locked-folder", "cases/inner"):
        shutil.copytree(REFERENCE, shared / name)
    (shared / "locked-file" / "case.md").chmod(0o000)
    (shared / "locked-folder").chmod(0o000)
    (shared / "cases" / "inner").chmod(0o000)  # below a folder that is searched for cases
    run = casepub("check", "locked-file", "locked-folder", "cases", "--format", "json", cwd=shared, nobody=True)
    assert [(d["code"], d["file"], d["message"]) for d in failed(run)] == [
        ("CP001", f"{name}/case.md", "'case.md' cannot be opened (Permission denied)")
        for name in ("locked-file", "locked-folder", "cases/inner")]


def test_check_stops_quietly_when_its_output_is_closed(tmp_path):
    """`casepub check --format json | head -c 10`, without the race: the reading end is closed before casepub
    writes a byte, so its first write fails (Python ignores SIGPIPE: it gets BrokenPipeError)."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        run = subprocess.run([str(CASEPUB), "check", str(REFERENCE), "--format", "json"], stdout=writing,
                             stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(writing)
    assert run.returncode == 1 and run.stderr == ""
    with subprocess.Popen(f"{CASEPUB} check {ROOT / 'tests' / 'cases'} --format json | head -c 10",
                          shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as shell:
        out, err = shell.communicate(timeout=120)
    assert out == "[\n  {\n    " and "Traceback" not in err and "Exception" not in err


def test_outputs_are_never_written_over_the_case_folder(tmp_path, capsys):
    import shutil

    from casepub.__main__ import main
    from conftest import REFERENCE

    cases = tmp_path / "cases"
    shutil.copytree(REFERENCE, cases / "t12")
    before = {p: p.read_bytes() for p in (cases / "t12").rglob("*") if p.is_file()}
    assert main(["build", str(cases), "-o", str(cases)]) == 1
    out = capsys.readouterr().out
    assert "error CP102 cannot write into" in out and "it is the case folder itself" in out
    assert {p: p.read_bytes() for p in (cases / "t12").rglob("*") if p.is_file()} == before
