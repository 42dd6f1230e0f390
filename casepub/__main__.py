"""The command line: parse arguments, call the library, print, return an exit code.

Exit codes: 0 no errors (warnings allowed), 1 errors (or warnings with --strict), 2 usage errors.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from casepub import CASE_FILE, Checked, Diagnostic, Location, Severity, __version__, check_case

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
_SKIP_FOLDERS = {"build", "journals", "node_modules", "__pycache__"}


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would exit; the CLI returns instead
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="casepub", description="Check and publish structured case reports.")
    parser.add_argument("--version", action="version", version=f"casepub {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="check cases against their journal's rules")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a case folder, or a folder holding cases")
    check.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--deep", action="store_true", help="decode every image fully (slower)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        folders = find_cases(args.paths)
    except UsageError as error:
        print(f"casepub: error: {error}", file=sys.stderr)
        print("usage: casepub check PATH... [--format text|json] [--strict] [--deep]", file=sys.stderr)
        return EXIT_USAGE
    return run_check(folders, args.format, args.strict, args.deep)


def find_cases(paths: Sequence[Path]) -> list[Path]:
    """Case folders named, or found below the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_file() and path.name == CASE_FILE:
            path = path.parent
        if not path.is_dir():
            raise UsageError(f"{path} is not a folder")
        cases = _walk(path)
        if not cases:
            raise UsageError(f"no case found in {path} (a case is a folder with a {CASE_FILE})")
        found += [case for case in cases if case not in found]
    return found


def _walk(root: Path) -> list[Path]:
    if (root / CASE_FILE).exists():
        return [root]
    cases = []
    for folder, subfolders, files in os.walk(root):
        if CASE_FILE in files:
            cases.append(Path(folder))
            subfolders.clear()
        else:
            subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in _SKIP_FOLDERS)
    return sorted(cases)


def run_check(folders: Sequence[Path], output: str, strict: bool, deep: bool) -> int:
    results = [_check_one(folder, deep) for folder in folders]
    diagnostics = _unique(d for result in results for d in result.diagnostics)
    if output == "json":
        print(json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False))
    else:
        for diagnostic in diagnostics:
            print(diagnostic.format())
        print(_summary(len(folders), diagnostics))
    failed = any(d.is_error for d in diagnostics) or (strict and diagnostics)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _check_one(folder: Path, deep: bool) -> Checked:
    try:
        return check_case(folder, deep=deep)
    except Exception as error:  # a bug in casepub: say so, and go on with the other cases
        bug = Diagnostic("CP999", Severity.ERROR, f"internal error: {type(error).__name__}: {error}",
                         Location(folder / CASE_FILE), "this is a bug in casepub; please report it with this case")
        return Checked(folder, None, None, [bug])


def _unique(diagnostics) -> list[Diagnostic]:
    """Each diagnostic once: a broken journal profile is reported once, not once per case."""
    return list(dict.fromkeys(diagnostics))


def _summary(cases: int, diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    noun = "case" if cases == 1 else "cases"
    return f"checked {cases} {noun}: {_count(errors, 'error')}, {_count(warnings, 'warning')}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


if __name__ == "__main__":
    sys.exit(main())
