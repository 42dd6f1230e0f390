"""Write docs/diagnostics.md from the table of codes (casepub/codes.py); tests/test_codes.py keeps them equal."""
from __future__ import annotations

from pathlib import Path

from casepub.codes import as_markdown

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md"
    target.write_text(as_markdown(), encoding="utf-8")
    print(f"wrote {target}")
