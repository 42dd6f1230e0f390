"""`python -m casepub.preview CASE [--port N] [--open] [--output DIR]`: the preview without the casepub CLI
(the tests and the benchmark start it so); `casepub preview` calls the same function."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casepub.preview import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m casepub.preview", description="Preview a case in the browser.")
    parser.add_argument("case", type=Path)
    parser.add_argument("--port", type=int, default=None, help="default 8000 (another free one when taken); 0: any")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.add_argument("--output", "-o", type=Path, default=None, help="keep the outputs there (default: a temporary folder)")
    args = parser.parse_args(argv)
    return serve(args.case, args.port, args.open, args.output)


if __name__ == "__main__":
    sys.exit(main())
