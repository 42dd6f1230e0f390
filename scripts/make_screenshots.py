"""Screenshots of the bundled CARE case's web page at a desktop's and a phone's width, for docs/, made in a real
browser (Debian's chromium, driven by Playwright; no browser download).

    .venv/bin/python scripts/make_screenshots.py

Renders cases/kummell-care as HTML into a temporary folder, opens it in chromium at 1280 and 390 px wide and
writes docs/screenshot-1280.png and docs/screenshot-390.png (the top of the page: what a reader sees first).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from casepub.render import render_case

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "kummell-care"
CHROMIUM = Path("/usr/bin/chromium")
SIZES = {1280: 900, 390: 844}  # width: height of the view, in CSS pixels


def main() -> int:
    if not CHROMIUM.exists():
        print("chromium is missing: run scripts/setup.sh (it installs Debian's chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as out:
        result = render_case(CASE, Path(out), formats=("html",))
        if not result.ok:
            print("\n".join(d.format() for d in result.diagnostics), file=sys.stderr)
            return 1
        page_file = Path(out) / CASE.name / "index.html"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            for width, height in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
                page.goto(page_file.as_uri())
                target = ROOT / "docs" / f"screenshot-{width}.png"
                page.screenshot(path=str(target))
                page.close()
                print(target.relative_to(ROOT))
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
