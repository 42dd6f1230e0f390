"""Shared test helpers: the reference case, and diagnostics formatted as a user sees them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "cases" / "t12-osteonecrosis"
FIXTURES = Path(__file__).resolve().parent / "cases"


def formatted(diagnostics, relative_to: Path) -> str:
    return "".join(d.format(relative_to) + "\n" for d in diagnostics)


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    """A fresh copy of the reference case, to edit; its folder is tmp_path/case."""
    folder = tmp_path / "case"
    shutil.copytree(REFERENCE, folder)
    return folder


def edit(folder: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a case's case.md, failing loudly when the text is not there."""
    path = folder / "case.md"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in case.md"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


CHROMIUM = Path("/usr/bin/chromium")  # Debian's, installed by scripts/setup.sh: Playwright drives it, no download
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh)")


@pytest.fixture(scope="module")
def browser():
    """The system chromium under Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()
