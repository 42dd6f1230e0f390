"""The command line: parse arguments, call the library, print, return an exit code.

Exit codes: 0 no errors (warnings allowed), 1 errors (or warnings with --strict), 2 usage errors; `care`: 1 when
a required CARE item is not found.
An output that cannot be written is an error (CP102), never a traceback; so is a standard output
that is closed early (`casepub check | head`): the command stops quietly with exit code 1.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

from casepub import CASE_FILE, Diagnostic, Location
from casepub.limits import CHECK_SECONDS, ISSUE_SECONDS, RENDER_SECONDS
from casepub.words import counted

if TYPE_CHECKING:
    from pydantic import BaseModel

    from casepub.issue.build import IssueBuild
    from casepub.render import Rendered

R = TypeVar("R")


class HasDiagnostics(Protocol):
    @property
    def diagnostics(self) -> Sequence[Diagnostic]: ...

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
_SKIP_FOLDERS = {"build", "journals", "node_modules", "__pycache__"}


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would exit; the CLI returns instead
        raise UsageError(message)


class _Version(argparse.Action):
    """--version, the version read only when asked for (importlib.metadata is slow to import)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> NoReturn:
        import casepub

        print(f"casepub {casepub.__version__}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="casepub", description="Check and publish structured case reports.")
    parser.add_argument("--version", action=_Version, nargs=0, help="print casepub's version and exit")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="check cases against their journal's rules")
    check.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH",
                       help="a case folder, or a folder holding cases (default: the current folder)")
    check.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--deep", action="store_true", help="decode every image fully (slower)")
    check.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="worker processes for 16 cases or more (default: the number of cores; 1: none)")
    check.add_argument("--time-limit", type=_seconds, default=CHECK_SECONDS, metavar="SECONDS",
                       help=f"stop checking a case after this long, with a diagnostic (default {CHECK_SECONDS:g}; 0: none)")
    render = commands.add_parser("render", help="render cases as HTML and PDF")
    render.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH",
                        help="a case folder, or a folder holding cases (default: the current folder)")
    build = commands.add_parser("build", help="render every case under DIR with an index page, or an issue")
    build.add_argument("folder", nargs="?", type=Path, default=Path("cases"), metavar="DIR|ISSUE.yaml",
                       help="the folder holding the cases (default: cases/), or an issue manifest")
    build.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="issue builds: worker processes (default: the number of cores)")
    build.add_argument("--quiet", "-q", action="store_true", help="issue builds: no progress, only the summary")
    build.add_argument("--timeout", type=_seconds, default=None, dest="time_limit", metavar="SECONDS",
                       help="the same as --time-limit (for issue builds, as before)")
    care = commands.add_parser("care", help="the CARE checklist, filled in: where the case reports each item "
                               "(exit 1 when a required item is not found)")
    care.add_argument("case", type=Path, metavar="CASE", help="a case folder")
    care.add_argument("-o", "--output", type=Path, default=Path("build"), metavar="DIR",
                      help="where the case was rendered, for page numbers (default: build/)")
    care.add_argument("--format", choices=("text", "json"), default="text", help="how to print the checklist")
    preview = commands.add_parser("preview", help="show a case in the browser, as it will be published, updated as "
                                  "you save (a local server on 127.0.0.1)")
    preview.add_argument("case", type=Path, metavar="CASE", help="a case folder")
    preview.add_argument("--port", type=int, default=None, metavar="N",
                         help="the port (default: 8000, or a free one when it is taken; 0: any free port)")
    preview.add_argument("--open", action="store_true", dest="open_browser", help="open the page in the browser")
    preview.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                         help="keep the rendered files in DIR (default: a temporary folder, removed at the end)")
    new = commands.add_parser("new", help="make a case folder to fill in, from a journal's article type")
    new.add_argument("folder", type=Path, metavar="DIR", help="the case folder to make (it must not exist, or be empty)")
    new.add_argument("--journal", default="care", metavar="ID", help="the journal profile (default: care)")
    new.add_argument("--type", dest="article_type", default=None, metavar="TYPE",
                     help="the article type (default: the journal's first)")
    validate = commands.add_parser("validate", help="validate JATS, Crossref or PubMed XML files against their schemas "
                                   "(JATS: the 1.3 XSD and DTD, and the JATS4R rules)")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE", help="an XML file (its kind is read from it)")
    validate.add_argument("--format", choices=("text", "json"), default="text", help="how to print the problems")
    validate.add_argument("--strict", action="store_true", help="exit 1 on JATS4R warnings too")
    schema = commands.add_parser("schema", help="print the JSON Schema of the case front matter or the issue manifest")
    schema.add_argument("kind", choices=("case", "issue"))
    explain = commands.add_parser("explain", help="what a diagnostic code means, with an example and the fix")
    explain.add_argument("codes", nargs="*", metavar="CODE", help="a code (CP021) or rule name (author-disclosure); "
                         "none: list every code")
    render.add_argument("--draft", action="store_true", help="render a case that still has errors too, marked "
                        "DRAFT on every page (the errors are still reported; exit 1)")
    render.add_argument("--blind", action="store_true", help="the blinded review copy (HTML and PDF) into "
                        "DIR/<case>-blinded/: no author, affiliation or CRediT; warns where the text names them")
    for command in (render, build):
        command.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                             help="where to write (default: build/, or build/<issue>/ for an issue)")
        command.add_argument("--to", type=_formats, default=("html", "pdf"), metavar="html,pdf,jats,docx",
                             help="what to write, any of html, pdf, jats (JATS 1.3 XML) and docx (the submission "
                                  "manuscript) (default: html,pdf)")
        command.add_argument("--templates", type=Path, metavar="DIR", help="a folder of templates searched first")
        command.add_argument("--format", choices=("text", "json"), default="text", help="how to print diagnostics")
        command.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                             help=f"stop a case after this long, with a diagnostic (default {RENDER_SECONDS:g}; "
                                  f"in an issue build {ISSUE_SECONDS:g}, and the worker is stopped; 0: none)")
    return parser


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 1e6:
        raise argparse.ArgumentTypeError(f"takes a number of seconds, 0 (no limit) or more (not {text!r})")
    return seconds


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [f for f in formats if f not in ("html", "pdf", "jats", "docx")]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"--to takes html, pdf, jats and docx, separated by commas (not {text!r})")
    return formats


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, where a closed pipe can still be caught, not at the interpreter's exit
        return code
    except BrokenPipeError:  # the reader went away (`casepub check | head`): stop, quietly
        _silence_stdout()
        return EXIT_PROBLEMS


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def _main(argv: Sequence[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "schema":
            print(json.dumps(json_schema(args.kind), indent=2, ensure_ascii=False))
            return EXIT_OK
        if args.command == "explain":
            return run_explain(args.codes)
        if args.command == "care":
            return run_care(args.case, args.output, args.format)
        if args.command == "preview":
            from casepub.preview import serve

            return serve(args.case, args.port, args.open_browser, args.output)
        if args.command == "new":
            return run_new(args.folder, args.journal, args.article_type)
        if args.command == "validate":
            return run_validate(args.files, args.format, args.strict)
        if args.command == "build" and args.folder.suffix in (".yaml", ".yml"):
            return run_issue(args)
        folders = find_cases(args.paths if args.command != "build" else [args.folder])
        if args.command == "render" and args.blind and set(args.to) - {"html", "pdf"}:
            raise UsageError("--blind writes the review copy as HTML and PDF (--to html,pdf), not jats or docx")
        if args.command != "check" and args.templates and not args.templates.is_dir():
            raise UsageError(f"--templates {args.templates} is not a folder")
    except UsageError as error:
        print(f"casepub: error: {error}", file=sys.stderr)
        print("usage: casepub check [PATH...] | render [PATH...] [-o DIR] [--to html,pdf,jats] | build [DIR | ISSUE.yaml] "
              "| care CASE | new DIR | preview CASE | validate FILE... | explain [CODE...] | schema case|issue  "
              "(casepub COMMAND --help for more)", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "check":
        if args.jobs is not None and args.jobs < 1:
            print("casepub: error: --jobs takes a number of processes, 1 or more", file=sys.stderr)
            return EXIT_USAGE
        return run_check(folders, output=args.format, strict=args.strict, deep=args.deep, time_limit=args.time_limit,
                         jobs=args.jobs)
    return run_render(folders, args)


def run_explain(words: Sequence[str]) -> int:
    from casepub.codes import CODES, lookup

    if not words:
        for entry in CODES.values():
            print(f"{entry.code}  {entry.name:<24} {entry.severity.value:<8} {entry.summary}")
        return EXIT_OK
    entries = [lookup(word) for word in words]
    unknown = [word for word, entry in zip(words, entries) if entry is None]
    if unknown:
        raise UsageError(f"no diagnostic code or rule named {', '.join(unknown)} (casepub explain lists them)")
    print("\n".join(entry.explain() for entry in entries if entry is not None), end="")
    return EXIT_OK


def run_care(folder: Path, out: Path, output: str) -> int:
    """The CARE checklist of one case: 0 when every required item is found, 1 when one is not (or the case or
    its journal profile cannot be read: their diagnostics are printed), 2 for a folder that is no case."""
    from casepub.care import checklist, format_text
    from casepub.check import resolve_profile
    from casepub.load.case import load_case

    if folder.is_file() and folder.name == CASE_FILE:
        folder = folder.parent
    if not (folder / CASE_FILE).is_file():
        raise UsageError(f"{folder} is not a case folder (a case is a folder with a {CASE_FILE})")
    loaded = load_case(folder)
    profile, problems = resolve_profile(loaded.case) if loaded.case else (None, [])
    if loaded.case is None or profile is None:
        _print_diagnostics([_Unwritten([*loaded.diagnostics, *problems])], output)
        return EXIT_PROBLEMS
    found = checklist(loaded.case, profile, out)
    print(json.dumps(found.to_json(), indent=2, ensure_ascii=False) if output == "json" else format_text(found))
    return EXIT_OK if found.complete else EXIT_PROBLEMS


def run_new(folder: Path, journal: str, article_type: str | None) -> int:
    from casepub.new import NewError, new_case
    from casepub.write import OutputError

    try:
        made = new_case(folder, journal, article_type)
    except NewError as error:
        raise UsageError(str(error)) from None
    except OutputError as error:
        _print_diagnostics([_Unwritten([error.diagnostic(Location(folder))])], "text")
        return EXIT_PROBLEMS
    print(f"made {made} and {made.parent / 'figures'}/: fill in the keys and sections, then run "
          f"`casepub check {folder}`")
    return EXIT_OK


def run_validate(paths: Sequence[Path], output: str, strict: bool) -> int:
    """Each file against its kind's schemas: located problems, one a line; JATS also against the JATS4R rules
    (when saxonche is installed: `pip install casepub[jats]`). Exit 1 when a file has an error."""
    from casepub.xml import schematron
    from casepub.xml.validate import validate_document

    found: list[dict[str, Any]] = []
    notes: list[str] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UsageError(f"{path} cannot be read: {error.strerror or error}") from None
        kind, problems = validate_document(data)
        found += [{"file": str(path), "kind": kind, "severity": "error", "check": p.source, "line": p.line,
                   "column": p.column, "message": p.message} for p in problems]
        if kind == "JATS" and not problems and schematron.available():
            try:
                findings = schematron.jats4r(data)
            except ValueError as error:
                findings = [schematron.Finding("error", str(error), "", "")]
            found += [{"file": str(path), "kind": kind, "severity": f.role if f.role in ("error", "warning")
                       else "info", "check": "JATS4R", "line": None, "column": None,
                       "message": f"{f.message} (at {f.location})" if f.location else f.message} for f in findings]
        elif kind == "JATS" and not schematron.available():
            notes.append(f"{path}: the JATS4R rules were not run (install casepub[jats] for saxonche)")
    if output == "json":
        print(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        for item in found:
            where = f"{item['file']}:{item['line']}:{item['column'] or 1}" if item["line"] else item["file"]
            print(f"{where}: {item['severity']} {item['check']}: {item['message']}")
        for note in notes:
            print(note, file=sys.stderr)
        errors = sum(item["severity"] == "error" for item in found)
        warnings = sum(item["severity"] == "warning" for item in found)
        print(f"validated {counted(len(paths), 'file')}: {counted(errors, 'error')}, {counted(warnings, 'warning')}")
    failed = any(item["severity"] == "error" for item in found) or (
        strict and any(item["severity"] == "warning" for item in found))
    return EXIT_PROBLEMS if failed else EXIT_OK


def json_schema(kind: str) -> dict[str, Any]:
    """For editors: the keys of a case's front matter, or of an issue manifest, as authors write them."""
    from casepub.issue.manifest import Manifest
    from casepub.model import FrontMatter

    model: type[BaseModel] = FrontMatter if kind == "case" else Manifest
    title = "casepub case front matter (case.md)" if kind == "case" else "casepub issue manifest"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **model.model_json_schema(by_alias=True), "title": title}


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
    try:
        if (root / CASE_FILE).exists():
            return [root]
        os.listdir(root)
    except OSError:  # a folder that cannot be read: checked as a case, which reports why case.md cannot be read
        return [root]
    cases = []

    def unreadable(error: OSError) -> None:  # a folder below that cannot be read: the same
        if error.filename and Path(error.filename) != root:
            cases.append(Path(error.filename))

    for folder, subfolders, files in os.walk(root, onerror=unreadable):
        if CASE_FILE in files:
            cases.append(Path(folder))
            subfolders.clear()
        else:
            subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in _SKIP_FOLDERS)
    return sorted(cases)


def run_check(folders: Sequence[Path], *, output: str, strict: bool, deep: bool, time_limit: float,
              jobs: int | None = None) -> int:
    from casepub.check import check_cases

    results = check_cases(folders, jobs=jobs, deep=deep, time_limit=time_limit)
    diagnostics = _print_diagnostics(results, output)
    if output == "text":
        print(_summary("checked", len(folders), diagnostics))
    failed = any(d.is_error for d in diagnostics) or (strict and diagnostics)
    return EXIT_PROBLEMS if failed else EXIT_OK


def run_issue(args: argparse.Namespace) -> int:
    if not args.folder.is_file():
        raise UsageError(f"{args.folder} is not a file")
    from casepub.issue import pool

    pool.start_early()  # before the imports below: the workers' start-up overlaps them
    from casepub.issue.build import build_issue
    from casepub.issue.progress import make_progress

    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs takes a number of processes, 1 or more")
    build = build_issue(args.folder, out=args.output, jobs=args.jobs, templates=args.templates,
                        progress=make_progress(args.quiet),
                        timeout=ISSUE_SECONDS if args.time_limit is None else args.time_limit or 1e9)
    diagnostics = _print_diagnostics([build, *build.outcomes], args.format)
    if args.format == "text" and build.issue is not None:
        print(_issue_summary(build))
    elif args.format == "text":
        print(_summary("checked the manifest of", 0, diagnostics).replace(" 0 cases", f" {args.folder}"))
    return EXIT_OK if build.ok else EXIT_PROBLEMS


def _issue_summary(build: IssueBuild) -> str:
    from casepub.issue.build import report_data

    assert build.issue is not None and build.out is not None, "only a build whose manifest was read is summarised"
    issue = build.issue.manifest
    if build.stopped:
        return (f"issue {issue.volume}({issue.issue}): not built, {build.out} cannot be written; "
                f"{build.seconds:.2f} s")
    summary = report_data(build)["summary"]
    pages = [o.placement for o in build.outcomes if o.ok and o.placement]
    first, last = (pages[0].first_page, pages[-1].last_page) if pages else (0, 0)
    span = "" if not pages else f"page {first}; " if first == last else f"pages {first}–{last}; "
    return (f"issue {issue.volume}({issue.issue}): {summary['ok']} of {summary['articles']} articles built, "
            f"{summary['failed']} failed; {summary['rendered']} rendered, {summary['cached']} from the cache; "
            f"{span}{build.seconds:.2f} s; " + (f"report: {build.report}" if build.report else "no report written"))


def run_render(folders: Sequence[Path], args: argparse.Namespace) -> int:
    from jinja2 import TemplateError

    from casepub.render import Rendered, render_case, render_index
    from casepub.render.html import template_problem
    from casepub.write import OutputError, ensure_folder

    args.output = args.output or Path("build")
    try:
        ensure_folder(args.output)
    except OutputError as error:  # read-only, a file, not permitted: no case could be written
        diagnostics = _print_diagnostics([_Unwritten([error.diagnostic(Location(args.output))])], args.format)
        if args.format == "text":
            print(_summary("rendered 0 of", len(folders), diagnostics))
        return EXIT_PROBLEMS
    if "pdf" in args.to:
        _warn_if_subsetting_falls_back()
    def render(folder: Path) -> Rendered:
        return render_case(folder, args.output, formats=args.to, templates=args.templates,
                           time_limit=args.time_limit if args.time_limit is not None else RENDER_SECONDS,
                           blind=getattr(args, "blind", False), draft=getattr(args, "draft", False))

    results = [_guarded(folder, render, lambda f, bug: Rendered(f, [bug], f.resolve().name)) for folder in folders]
    index = _Unwritten([])
    if args.command == "build":
        try:
            render_index(results, args.output, source=args.folder)
        except OutputError as error:
            index.diagnostics.append(error.diagnostic(Location(args.output)))
        except TemplateError as error:
            index.diagnostics.append(template_problem(error))
    diagnostics = _print_diagnostics([*results, index], args.format)
    if args.format == "text":
        for result in results:
            print(_rendered_line(result))
        done = sum(_ok(r) for r in results)
        print(_summary("rendered" if done == len(results) else f"rendered {done} of", len(folders), diagnostics))
    return EXIT_OK if all(_ok(r) for r in results) and not index.diagnostics else EXIT_PROBLEMS


@dataclass
class _Unwritten:
    """Outputs of no one case that could not be written (the output folder, the build's index.html)."""
    diagnostics: list[Diagnostic]


def _ok(result: object) -> bool:
    return getattr(result, "ok", False)


def _rendered_line(result: Rendered) -> str:
    files = ", ".join(str(path) for path in result.outputs.values())
    pages = f"{counted(result.pages, 'page')}, " if result.pages else ""
    if not _ok(result) and result.outputs:  # --draft: written although the case has errors
        errors = sum(d.is_error for d in result.diagnostics)
        return f"rendered a DRAFT of {result.folder} -> {files} ({pages}{counted(errors, 'error')} to correct)"
    if not _ok(result):
        return f"not rendered: {result.folder} (see the errors above)"
    return f"rendered {result.folder} -> {files} ({pages}{result.seconds:.2f} s)"


def _warn_if_subsetting_falls_back() -> None:
    from casepub.render.pdf import subsetting_falls_back

    if subsetting_falls_back():
        print("casepub: warning: libharfbuzz-subset0 is missing, so fonts are subset the slow way "
              "(about 1 s more per PDF); run scripts/setup.sh to install it", file=sys.stderr)


def _print_diagnostics(results: Iterable[HasDiagnostics], output: str) -> list[Diagnostic]:
    diagnostics = _unique(d for result in results for d in result.diagnostics)
    if output == "json":
        print(json.dumps([d.to_json(Path.cwd()) for d in diagnostics], indent=2, ensure_ascii=False))
    else:
        for diagnostic in diagnostics:
            print(diagnostic.format())
    return diagnostics


def _guarded(folder: Path, work: Callable[[Path], R], failed: Callable[[Path, Diagnostic], R]) -> R:
    """work(folder), or failed(folder, a CP999 diagnostic) if casepub has a bug: the other cases go on."""
    from casepub.check import bug

    try:
        return work(folder)
    except Exception as error:  # a bug in casepub: say so, and go on with the other cases
        return failed(folder, bug(folder, error))


def _unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Each diagnostic once: a broken journal profile is reported once, not once per case."""
    return list(dict.fromkeys(diagnostics))


def _summary(verb: str, cases: int, diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{verb} {counted(cases, 'case')}: {counted(errors, 'error')}, {counted(warnings, 'warning')}"


if __name__ == "__main__":
    sys.exit(main())
