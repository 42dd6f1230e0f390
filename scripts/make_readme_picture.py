"""Page 1 of the reference case's PDF as a PNG for the README, made from the real PDF.

    .venv/bin/python scripts/make_readme_picture.py

Renders cases/t12-osteonecrosis with casepub into a temporary folder, then turns
page 1 into docs/reference-page-1.png with pdftoppm (poppler-utils).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from casepub.render import render_case

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "t12-osteonecrosis"
TARGET = ROOT / "docs" / "reference-page-1.png"


def main() -> int:
    if not shutil.which("pdftoppm"):
        print("pdftoppm is missing: run scripts/setup.sh (it installs poppler-utils)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as out:
        result = render_case(CASE, Path(out), formats=("pdf",))
        if not result.ok:
            print("\n".join(d.format() for d in result.diagnostics), file=sys.stderr)
            return 1
        stem = Path(out) / "page"
        subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile",
                        str(result.outputs["pdf"]), str(stem)], check=True)
        TARGET.parent.mkdir(exist_ok=True)
        shutil.copyfile(stem.with_suffix(".png"), TARGET)
    print(TARGET.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
