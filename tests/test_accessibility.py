"""The pages people read, opened in a real browser (Debian's chromium, driven by Playwright; no download):
axe-core's WCAG 2.1 AA rules and its best practices find nothing on the article pages, the issue's contents
page and its report; at a phone's width (390 px) the article needs no sideways scrolling and its figure's
panels stack. axe-core comes from the npm registry (scripts/fetch_axe.py, run by the set-up)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casepub.issue.build import build_issue
from casepub.render import render_case
from conftest import ROOT, needs_chromium

AXE = ROOT / ".cache" / "axe-core"
pytestmark = needs_chromium
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]



@pytest.fixture(scope="module")
def axe_script() -> str:
    scripts = sorted(AXE.glob("axe-*.min.js"))
    if not scripts:
        import subprocess
        import sys

        subprocess.run([sys.executable, str(ROOT / "scripts" / "fetch_axe.py")], check=True)
        scripts = sorted(AXE.glob("axe-*.min.js"))
    return scripts[-1].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("a11y")
    found = {}
    for case in ("t12-osteonecrosis", "kummell-care"):
        assert render_case(ROOT / "cases" / case, out / "single", formats=("html",)).ok
        found[case] = out / "single" / case / "index.html"
    issue = out / "issue"
    for name in ("one", "two"):
        shutil.copytree(ROOT / "cases" / "t12-osteonecrosis", issue / "cases" / name)
    (issue / "issue.yaml").write_text("journal: the-spine-journal\nvolume: 26\nissue: 12\ndate: 2026-12-01\n"
                                      "articles:\n  - case: cases/one\n  - case: cases/two\n", encoding="utf-8")
    built = build_issue(issue / "issue.yaml", out=issue / "out", jobs=2)
    assert built.out is not None
    found["contents"] = built.out / "index.html"
    found["report"] = built.out / "report.html"
    return found


def violations(browser, page_file: Path, axe_script: str, width: int = 1280) -> list[str]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(page_file.as_uri())
        page.add_script_tag(content=axe_script)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    finally:
        page.close()
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:4]}"
            for v in result["violations"]]


@pytest.mark.parametrize("name", ["t12-osteonecrosis", "kummell-care", "contents", "report"])
def test_axe_finds_nothing_on_the_pages(browser, pages, axe_script, name):
    assert violations(browser, pages[name], axe_script) == []


@pytest.mark.parametrize("name", ["t12-osteonecrosis", "kummell-care"])
def test_at_a_phone_s_width_nothing_scrolls_sideways_and_the_panels_stack(browser, pages, axe_script, name):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(pages[name].as_uri())
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        boxes = page.evaluate("""() => [...document.querySelectorAll('figure.figure')].map(f =>
            [...f.querySelectorAll('figure.panel')].map(p => { const r = p.getBoundingClientRect();
              return [r.left, r.top, r.width]; }))""")
        for panels in boxes:
            tops = [top for _, top, _ in panels]
            assert tops == sorted(tops) and len(set(round(top) for top in tops)) == len(tops)  # one under another
            assert all(width <= 390 for _, _, width in panels)
    finally:
        page.close()
    assert violations(browser, pages[name], axe_script, width=390) == []
