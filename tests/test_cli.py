"""The command line: exit codes, output formats, finding cases, and what it does not import."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

from casepub.__main__ import main
from conftest import REFERENCE, ROOT, edit


def test_clean_case_exits_0(capsys):
    assert main(["check", str(REFERENCE)]) == 0
    assert capsys.readouterr().out.strip() == "checked 1 case: 0 errors, 0 warnings"


def test_errors_exit_1_and_read_like_a_compiler(reference_copy, capsys):
    edit(reference_copy, "    affiliations: [surgery]\n    disclosure: Nothing to disclose.\n", "    affiliations: [surgery]\n")
    assert main(["check", str(reference_copy)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith('case.md:10:5: error CP021 author "Kun Duan" has no disclosure')
    assert out.splitlines()[1] == "  hint: add `disclosure: Nothing to disclose.` or the author's disclosures"


def test_warnings_exit_0_unless_strict(reference_copy, capsys):
    edit(reference_copy, "visual analogue scale (VAS) score was 9", "VAS score was 9")
    assert main(["check", str(reference_copy)]) == 0
    assert main(["check", "--strict", str(reference_copy)]) == 1
    assert "warning CP071" in capsys.readouterr().out


def test_json_output_is_the_same_list(reference_copy, capsys):
    edit(reference_copy, "(Figure F)", "(Figure G)")
    assert main(["check", "--format", "json", str(reference_copy)]) == 1
    items = json.loads(capsys.readouterr().out)
    assert [(i["code"], i["line"], i["key_path"]) for i in items] == [
        ("CP053", 61, "figures[0].panels[5]"), ("CP054", 82, "")]
    assert set(items[0]) == {"code", "severity", "rule", "message", "hint", "file", "line", "column", "key_path"}


def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch):
    assert main([]) == 2
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2  # the current folder holds no case
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    assert main(["check", str(tmp_path)]) == 2  # no case in it
    assert main(["frobnicate"]) == 2
    assert "no case found" in capsys.readouterr().err


def test_folders_holding_cases_are_searched(tmp_path, capsys):
    for name in ("b", "a", "nested/c"):
        shutil.copytree(REFERENCE, tmp_path / name)
    shutil.copytree(REFERENCE, tmp_path / "build" / "ignored")
    assert main(["check", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "checked 3 cases: 0 errors, 0 warnings"


def test_check_never_imports_weasyprint_and_runs_as_a_module():
    code = ("import sys, casepub.__main__ as m; rc = m.main(['check', sys.argv[1]]); "
            "assert 'weasyprint' not in sys.modules and 'jinja2' not in sys.modules; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(REFERENCE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    module = subprocess.run([sys.executable, "-m", "casepub", "check", str(REFERENCE)], capture_output=True,
                            text=True, cwd=ROOT)
    assert module.returncode == 0 and "0 errors" in module.stdout


def test_the_published_json_schemas_match_the_models(capsys):
    for kind in ("case", "issue"):
        assert main(["schema", kind]) == 0
        published = (ROOT / "schemas" / f"{kind}.schema.json").read_text()
        assert json.loads(capsys.readouterr().out) == json.loads(published), f"run: casepub schema {kind}"
    issue = json.loads((ROOT / "schemas" / "issue.schema.json").read_text())
    assert {"journal", "volume", "issue", "date", "first-page", "articles"} <= set(issue["properties"])
    assert set(issue["required"]) == {"journal", "volume", "issue", "date", "articles"}


def test_check_and_render_default_to_the_current_folder(reference_copy, monkeypatch, capsys):
    monkeypatch.chdir(reference_copy)
    assert main(["check"]) == 0
    assert capsys.readouterr().out.strip() == "checked 1 case: 0 errors, 0 warnings"
    assert main(["render", ".", "--to", "html", "-o", "out"]) == 0
    assert (reference_copy / "out" / "case" / "index.html").is_file()  # named after the folder, not "."
    assert not (reference_copy / "out" / ".pdf").exists()


def test_explain_prints_every_code(capsys):
    from casepub.codes import CODES

    assert main(["explain", "CP021"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("CP021 author-disclosure (error, rule)")
    assert "Example:" in out and "Fix: add `disclosure: Nothing to disclose.`" in out
    assert main(["explain", "panel-cited"]) == 0
    assert capsys.readouterr().out.startswith("CP053 panel-cited")
    assert main(["explain"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(CODES)
    assert main(["explain", "CP0xx"]) == 2


def _fixture_cases(root):
    """Every fixture case (valid and invalid), copied: more than enough to be checked by workers."""
    for kind in ("valid", "invalid"):
        shutil.copytree(ROOT / "tests" / "cases" / kind, root / kind)
    return root


def test_many_cases_are_checked_by_workers_with_the_same_diagnostics_in_the_same_order(tmp_path):
    from casepub.check import PARALLEL_FROM

    root = _fixture_cases(tmp_path)
    runs = {}
    for jobs in ("1", "2"):
        result = subprocess.run([sys.executable, "-m", "casepub", "check", "--format", "json", "-j", jobs, str(root)],
                                capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 1 and not result.stderr, result.stderr
        runs[jobs] = json.loads(result.stdout)
    assert len({item["file"] for item in runs["1"]}) >= PARALLEL_FROM
    assert runs["2"] == runs["1"]


def test_a_worker_that_dies_while_checking_costs_only_its_case(tmp_path, monkeypatch):
    import os

    import casepub.check as check

    root = _fixture_cases(tmp_path)
    cases = sorted(path.parent for path in root.rglob("case.md"))
    doomed = cases[len(cases) // 2]
    real = check.check_case

    def crash_on_one(folder, **options):
        if folder == doomed:
            os._exit(3)  # as a segfault in a native library would end the worker
        return real(folder, **options)

    monkeypatch.setattr(check, "check_case", crash_on_one)  # the workers are forked: they see it too
    results = check.check_cases(cases, jobs=2)
    assert [result.folder for result in results] == cases
    crashed = [result for result in results if any(d.code == "CP998" for d in result.diagnostics)]
    assert [result.folder for result in crashed] == [doomed]
    assert "could not be checked" in crashed[0].diagnostics[0].message
    assert all(not any(d.code in ("CP998", "CP999") for d in result.diagnostics) for result in results
               if result.folder != doomed)


def test_jobs_must_be_one_or_more(reference_copy, capsys):
    assert main(["check", "-j", "0", str(reference_copy)]) == 2
    assert "--jobs" in capsys.readouterr().err
