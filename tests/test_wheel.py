"""casepub as a package: built as a wheel, installed (not editable) into a fresh virtual environment, and run
on cases in a folder outside the repository. Its outputs must be those of the clone's.

The wheel's dependencies are installed by pip as a user's would be (from pip's cache when it has them)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REFERENCE, ROOT


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode in (0, 1), f"{command}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `casepub` command of a fresh venv holding the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"  # a copy: building must not depend on (or leave) anything in the clone
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", "build", ".git", "*.egg-info", "__pycache__",
                                                                  ".pytest_cache", ".hypothesis", ".ruff_cache",
                                                                  ".mypy_cache"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w",
          str(root / "dist"), str(source)], cwd=root)
    [wheel] = (root / "dist").glob("casepub-*.whl")
    environment = root / "venv"
    venv.create(environment, with_pip=True)
    _run([str(environment / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
          str(wheel)], cwd=root)
    shutil.rmtree(source)  # nothing may be read from a source tree
    return environment / "bin" / "casepub"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """The bundled case and an issue manifest naming it, in a folder that has nothing of the repository."""
    folder = tmp_path / "journal"
    shutil.copytree(REFERENCE, folder / "cases" / "t12-osteonecrosis")
    (folder / "issue.yaml").write_text((ROOT / "issues" / "2026-12.yaml").read_text().replace(
        "../cases/", "cases/"), encoding="utf-8")
    return folder


def _clean_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_the_wheel_holds_templates_profiles_and_no_tests(installed: Path):
    python = installed.with_name("python")
    listing = _run([str(python), "-c", "import casepub.resources as r; print(r.TEMPLATES); print(r.PROFILES)"],
                   cwd=installed.parent, env=_clean_env()).stdout.split()
    templates, profiles = map(Path, listing)
    assert "site-packages" in str(templates) and (templates / "base" / "article.html.j2").is_file()
    assert (templates / "base" / "print.css").is_file() and (profiles / "the-spine-journal.yaml").is_file()
    assert not (templates.parent.parent / "tests").exists()


def test_render_and_builds_from_the_wheel_match_the_clone(installed: Path, outside: Path, tmp_path: Path):
    env = _clean_env()
    _run([str(installed), "render", "cases/t12-osteonecrosis", "-o", "out"], cwd=outside, env=env)
    folder_build = _run([str(installed), "build", "cases", "-o", "all"], cwd=outside, env=env)
    issue_build = _run([str(installed), "build", "issue.yaml", "-q"], cwd=outside, env=env)
    assert folder_build.returncode == issue_build.returncode == 0, folder_build.stderr + issue_build.stderr
    assert "Traceback" not in folder_build.stderr + issue_build.stderr

    clone = tmp_path / "clone"
    shutil.copytree(outside, clone)
    casepub = Path(sys.executable).with_name("casepub")
    _run([str(casepub), "render", "cases/t12-osteonecrosis", "-o", "out"], cwd=clone, env=env)

    made, expected = outside / "out" / "t12-osteonecrosis", clone / "out" / "t12-osteonecrosis"
    assert (made / "index.html").read_text() == (expected / "index.html").read_text()
    assert sorted(p.name for p in (made / "figures").iterdir()) == sorted(p.name for p in (expected / "figures").iterdir())
    assert _pdf_text(made / "t12-osteonecrosis.pdf") == _pdf_text(expected / "t12-osteonecrosis.pdf")
    assert (outside / "all" / "index.html").is_file()
    assert (outside / "all" / "t12-osteonecrosis" / "t12-osteonecrosis.pdf").is_file()
    issue = outside / "build" / "issue"
    assert (issue / "issue.pdf").is_file() and (issue / "report.html").is_file() and (issue / "index.html").is_file()


def _pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]
