"""Build an issue: every article in parallel, from the cache where nothing changed, one report.

    build/<issue>/<case>/index.html, <case>.pdf   each article, numbered in the issue
    build/<issue>/<case>/<case>.xml, <case>.zip   its JATS (validated here) and PMC-style package
    build/<issue>/index.html                     the table of contents
    build/<issue>/<issue>.pdf                    contents pages and all articles, a bookmark each
    build/<issue>/crossref.xml, pubmed.xml       the issue's deposits (deposits.py), validated
    build/<issue>/report.json, report.html       per article: status, diagnostics, pages, time, JATS
    build/<issue>/.cache/, .state.json           what the next build reuses

The schemas are compiled once per build, in this process, in a thread that
starts while the workers render (Checks): the JATS Journal Publishing DTD when
an article may be numbered (the XSD, 3 s to compile, is for the tests and
`casepub validate`), the Crossref XSD and PubMed DTD when the deposits may be
made.

An output that cannot be written (casepub/write.py) is a CP102: on the case, at
its case.md, for an article's outputs and cache entries (the other articles go
on); on the issue, at the manifest, for the contents, the issue PDF, the report
and the state. An output folder that cannot be written at all stops the build
before any work, with one CP102. Files written before are left whole.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import casepub
from casepub.diagnostics import Diagnostic, Location
from casepub.issue import deposits, pool
from casepub.issue.assemble import Entry, contents_html, paginate, write_contents, write_issue_pdf
from casepub.issue.cache import ArticleCache, State, combine
from casepub.issue.manifest import Article, Issue, load_issue
from casepub.issue.placement import Placement
from casepub.issue.progress import PlainProgress
from casepub.issue.results import ContentsPages, Finishing, JobFailure, Rendering
from casepub.issue.work import (
    ContentsJob,
    FinishJob,
    RenderJob,
    finish_article,
    render_article,
    render_contents,
)
from casepub.load.case import CASE_FILE, load_case
from casepub.profiles import BUILTIN, LOCAL_FOLDER
from casepub.render.html import environment
from casepub.resources import TEMPLATES
from casepub.words import counted
from casepub.write import OutputError, ensure_folder, remove_temporaries, write_atomic


@dataclass
class Outcome:
    """One article of the issue, as far as the build got with it."""
    article: Article
    name: str
    key: str
    result: Rendering
    cached: bool = False
    placement: Placement | None = None
    finished: bool = False      # its numbered outputs were written in this build
    jats: str = ""              # its JATS XML: "valid", "invalid" or "not made" ("": the article failed before)

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def placed(self) -> Placement:
        """Its placement, once the issue is paginated (only built articles are)."""
        if self.placement is None:
            raise ValueError(f"{self.name} has no pages in the issue")
        return self.placement

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return list(self.result.diagnostics)


@dataclass
class IssueBuild:
    issue: Issue | None
    out: Path | None
    outcomes: list[Outcome] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)   # the manifest's own, and the issue's outputs'
    seconds: float = 0.0
    stopped: bool = False       # the output folder could not be written: nothing was built
    report: Path | None = None  # report.html, once written
    deposits: dict[str, deposits.DepositResult] = field(default_factory=dict)  # by file: crossref.xml, pubmed.xml

    @property
    def ok(self) -> bool:
        return self.issue is not None and not any(d.is_error for d in self.diagnostics) and all(
            o.ok for o in self.outcomes)


def build_issue(manifest: Path, *, out: Path | None = None, jobs: int | None = None, templates: Path | None = None,
                progress: PlainProgress | None = None, timeout: float = pool.TIMEOUT) -> IssueBuild:
    started = time.perf_counter()
    issue, problems = load_issue(manifest)
    if issue is None:
        return IssueBuild(None, None, diagnostics=problems)
    out = Path(out or Path("build") / issue.name)
    workers = jobs or os.cpu_count() or 1
    progress = progress or PlainProgress(quiet=True)
    try:
        ensure_folder(out)
    except OutputError as error:  # read-only, a file, not permitted: no article could be written
        return IssueBuild(issue, out, diagnostics=[*issue.diagnostics, error.diagnostic(Location(issue.file))],
                          seconds=time.perf_counter() - started, stopped=True)
    leftovers = _remove_leftovers(out, issue)
    state = State.load(out / ".state.json")
    checks = Checks()
    if issue.profile.issn and _unnumbered(issue, out, state):  # a first build: compile while the files are read
        _compile(checks, issue)
    outcomes = _outcomes(issue, state, out, templates)
    profile = issue.profile
    with progress, pool.Workers(workers, timeout) as workers_pool, checks:
        _start_checks(checks, issue, outcomes, out, state)
        _render(outcomes, out=out, templates=templates, workers=workers_pool, progress=progress)
        lengths = [o.result.pages if o.ok else None for o in outcomes]
        for outcome, placement in zip(outcomes, paginate(issue, lengths, profile.page.start_on == "recto")):
            outcome.placement = placement
        plan = _plan_issue_outputs(issue, outcomes, out=out, templates=templates, state=state)
        _finish(outcomes, plan, out=out, templates=templates, workers=workers_pool, state=state, progress=progress,
                checks=checks, jats=bool(profile.issn))
        made, problems = _deposits(issue, outcomes, out=out, state=state, checks=checks)
    problems += _write_issue_outputs(issue, plan, out=out, templates=templates, state=state,
                                     failed=[o.name for o in outcomes if not o.ok])
    try:
        state.save()  # before the report, which then tells when it could not be saved
    except OutputError as error:
        problems.append(error.diagnostic(Location(issue.file)))
    build = IssueBuild(issue, out, outcomes, [*issue.diagnostics, *leftovers, *problems],
                       time.perf_counter() - started, deposits=made)
    write_report(build)
    return build


def _remove_leftovers(out: Path, issue: Issue) -> list[Diagnostic]:
    """Temporary files of a build that was killed before it could rename them; a CP102 when one cannot be
    removed (the build goes on: what cannot be written is reported where it fails)."""
    try:
        remove_temporaries(out)
    except OutputError as error:
        return [error.diagnostic(Location(issue.file))]
    return []


def _outcomes(issue: Issue, state: State, out: Path, templates: Path | None) -> list[Outcome]:
    base = _base_key(issue, state, templates)
    cache = ArticleCache(out / ".cache" / "articles")
    outcomes, names = [], set()
    for article in issue.articles:
        name = article.folder.name if article.folder.name not in names else f"{article.folder.name}-{article.index + 1}"
        names.add(name)
        key = combine(base, name, str(article.folder), state.tree(article.folder))
        cached = cache.get(key)
        if cached is None and (mismatch := _journal_mismatch(issue, article)) is not None:
            # Not rendered (a failure `_render` skips, as it skips a cached one); checked again until it is fixed
            cached = Rendering(ok=False, diagnostics=(mismatch,))
        outcomes.append(Outcome(article, name, key, cached or Rendering(ok=False), cached is not None))
    return outcomes


def _journal_mismatch(issue: Issue, article: Article) -> Diagnostic | None:
    """A CP205 when the case is for another journal than the issue: the contents are made with the manifest's
    profile, the article with its case's. Only an article that is not in the cache is read (a cached one was
    read when it was rendered: its key holds the manifest's journal and the case); a case that cannot be read
    is left to its render to report."""
    case = load_case(article.folder).case
    if case is None or case.meta.journal == issue.manifest.journal:
        return None
    return Diagnostic("CP205", f"the case is for journal {case.meta.journal!r}; the issue is "
                      f"{issue.manifest.journal!r}", case.where(("journal",)),
                      f"change one of them: the case's `journal:` or the manifest's ({issue.file.name})")


def _base_key(issue: Issue, state: State, templates: Path | None) -> str:
    """Everything besides the case itself that an article's PDF depends on, and the journal it is checked
    against: the profiles beside the cases (the articles'), and beside the manifest (the contents')."""
    package = Path(casepub.__file__).parent
    journals = sorted({a.folder.parent / LOCAL_FOLDER for a in issue.articles}
                      | {issue.file.resolve().parent / LOCAL_FOLDER})
    return combine(casepub.__version__, state.tree(package, "*.py"), state.tree(BUILTIN, "*.yaml"),
                   state.tree(TEMPLATES), state.tree(templates) if templates else "",
                   [state.tree(folder, "*.yaml") for folder in journals], issue.manifest.journal)


def _render(outcomes: list[Outcome], *, out: Path, templates: Path | None, workers: pool.Workers,
            progress: PlainProgress) -> None:
    todo = [o for o in outcomes if not o.cached]
    tasks: list[pool.Task] = [(render_article, RenderJob(o.article.folder, o.name, o.key, out, templates))
                              for o in todo]

    def done(index: int, result: Rendering | JobFailure) -> None:
        todo[index].result = result if isinstance(result, Rendering) else _crashed(result, todo[index])
        progress.finished(todo[index].name, todo[index].ok, _detail(todo[index].result))

    _phase("render", tasks, [o.name for o in todo], workers=workers, progress=progress, done=done)


def _finish(outcomes: list[Outcome], plan: IssuePlan, *, out: Path, templates: Path | None, workers: pool.Workers,
            state: State, progress: PlainProgress, checks: Checks, jats: bool) -> None:
    """Number the articles whose pages or contents changed; make the contents pages alongside, when needed.
    With `jats` (the issue's journal has an ISSN), each numbered article's JATS is validated here; one that
    does not validate fails its article (CP105), and its XML and package are removed."""
    todo = []
    for outcome in outcomes:
        if not outcome.ok:
            continue
        if state.finished.get(outcome.name) != _final_key(outcome, jats) or not all(
                path.is_file() for path in _article_files(out, outcome.name, jats)):
            todo.append(outcome)
        else:  # as the build that numbered it left it: its JATS validated then (or none was made)
            outcome.jats = "valid" if jats else "not made"
    from casepub.xml.validate import validate_jats

    tasks: list[pool.Task] = [(finish_article, FinishJob(o.article.folder, o.name, o.key, out, templates, o.placed,
                                                         jats)) for o in todo]
    validating: dict[int, Future[list]] = {}
    names = [o.name for o in todo]
    if plan.contents_html:  # first, so that it runs beside the numbering rather than after it
        tasks.insert(0, (render_contents, ContentsJob(plan.contents_html, out)))
        names.insert(0, "contents")
    offset = len(tasks) - len(todo)

    def done(index: int, result: ContentsPages | Finishing | JobFailure) -> None:
        if index < offset:  # the contents pages
            plan.contents_made = isinstance(result, ContentsPages) and result.ok
            plan.contents_error = result.message if isinstance(result, JobFailure) else getattr(result, "error", "")
            plan.contents_unwritten = result if isinstance(result, ContentsPages) and result.unwritten else None
            progress.finished("contents", plan.contents_made)
            return
        outcome = todo[index - offset]
        if isinstance(result, Finishing) and result.ok and result.jats is not None:
            validating[index - offset] = checks.submit("jats", validate_jats, result.jats, xsd=False)  # once valid
        elif isinstance(result, Finishing) and result.ok:
            outcome.finished, outcome.jats = True, "not made"
            state.finish(outcome.name, _final_key(outcome, jats))
        elif isinstance(result, JobFailure):
            outcome.result = replace(_crashed(result, outcome), ok=False)
        elif isinstance(result, Finishing):
            outcome.result = replace(outcome.result, ok=False, diagnostics=result.diagnostics)
        progress.finished(outcome.name, outcome.finished or index - offset in validating)

    _phase("number", tasks, names, workers=workers, progress=progress, done=done)
    for position, future in validating.items():
        _validated(todo[position], future.result(), out, state, jats)


def _validated(outcome: Outcome, problems: list, out: Path, state: State, jats: bool) -> None:
    """An article numbered, with its JATS validated: finished; or failed with a CP105 at its case, its XML and
    package removed (they are not to be sent), its HTML and PDF left as the worker wrote them."""
    if not problems:
        outcome.finished, outcome.jats = True, "valid"
        state.finish(outcome.name, _final_key(outcome, jats))
        return
    outcome.jats = "invalid"
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    where = Location(outcome.article.folder / CASE_FILE)
    failure = [Diagnostic("CP105", f"the JATS XML did not validate ({first.source}, line {first.line}: "
                          f"{first.message}){more}; it and the article's package were removed", where,
                          "this is a bug in casepub: please report it with this case")]
    for path in _article_files(out, outcome.name, True)[2:]:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            failure.append(OutputError(path, error, "remove").diagnostic(where))
    outcome.result = replace(outcome.result, ok=False, diagnostics=(*outcome.result.diagnostics, *failure))


def _article_files(out: Path, name: str, jats: bool) -> list[Path]:
    """The numbered outputs an article must have: its PDF and page; with JATS, its XML and package."""
    folder = out / name
    files = [folder / f"{name}.pdf", folder / "index.html"]
    return files + ([folder / f"{name}.xml", folder / f"{name}.zip"] if jats else [])


class Checks:
    """Validation in threads of this process: each schema compiled once per build (the JATS and Crossref XSDs
    take seconds each), while the workers render; lxml lets go of the GIL as it compiles and validates. One
    thread per lane ("jats", "deposits"), so the two XSDs compile side by side; within a lane, jobs run in the
    order given, so a validation waits for its schema, which its lane alone compiles."""

    def __init__(self) -> None:
        self._lanes: dict[str, ThreadPoolExecutor] = {}

    def __enter__(self) -> Checks:
        return self

    def __exit__(self, *_: object) -> None:
        for lane in self._lanes.values():
            lane.shutdown(wait=True, cancel_futures=True)

    def submit(self, lane: str, function: Any, *args: Any, **options: Any) -> Future[Any]:
        if lane not in self._lanes:
            self._lanes[lane] = ThreadPoolExecutor(1, thread_name_prefix=f"casepub-{lane}", initializer=_yielding)
        return self._lanes[lane].submit(function, *args, **options)


def _yielding() -> None:
    """A checks thread runs at a lower priority (Linux: niceness is per thread) than the workers, so that it
    takes the CPU time they leave (the workers' start-up, the end of a phase) rather than theirs."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux, or not permitted: as it is
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _start_checks(checks: Checks, issue: Issue, outcomes: list[Outcome], out: Path, state: State) -> None:
    """Compile the schemas this build will need, early: the JATS ones when an article may be numbered (not
    in the cache, never numbered, or a file missing), the deposits' when they may be made as well. A rebuild
    with nothing changed compiles nothing."""
    if not issue.profile.issn:
        return
    jats = any(not o.cached or (o.ok and (o.name not in state.finished or not all(
        p.is_file() for p in _article_files(out, o.name, True)))) for o in outcomes)
    deposit = not issue.manifest.missing_deposit_keys and (jats or DEPOSITS not in state.finished or not all(
        (out / file).is_file() for file in (deposits.CROSSREF, deposits.PUBMED)))
    _compile(checks, issue, jats, deposit)


def _unnumbered(issue: Issue, out: Path, state: State) -> bool:
    """Whether some article of the issue has never been numbered here (a first build, most likely)."""
    return not state.finished or any(not (out / a.folder.name / f"{a.folder.name}.xml").is_file()
                                     for a in issue.articles)


def _compile(checks: Checks, issue: Issue, jats: bool = True, deposit: bool = True) -> None:
    """Compile the schemas in the checks' threads (each once per process: asking again costs nothing)."""
    from casepub.xml import validate

    if jats:  # the DTD (20 ms): the XSD takes 3 s to compile, a tenth of a 50-article build on two cores; the
        # tests prove every kind of article valid against both, and `casepub validate` checks the XSD and JATS4R
        checks.submit("jats", validate.jats_dtd)
    if deposit and not issue.manifest.missing_deposit_keys:
        checks.submit("deposits", validate.crossref_schema)
        checks.submit("deposits", validate.pubmed_dtd)


def _phase(phase: str, tasks: list[pool.Task], names: list[str], *, workers: pool.Workers, progress: PlainProgress,
           done: pool.Done) -> None:
    if not tasks:
        return
    progress.begin(phase, len(tasks))
    workers.run(tasks, lambda index: progress.started(names[index]), done)


def _final_key(outcome: Outcome, jats: bool = True) -> str:
    placement = outcome.placed
    return combine(outcome.key, placement.volume, placement.issue, placement.date, placement.first_page,
                   placement.last_page, placement.doi, jats)


def _crashed(failure: JobFailure, outcome: Outcome) -> Rendering:
    """A job the pool gave up on, as a diagnostic on its case: over its time limit (CP103, its worker was
    stopped), or crashed twice (CP998)."""
    where = Location(outcome.article.folder / CASE_FILE)
    if failure.reason == "timed_out":
        stop = Diagnostic("CP103", f"rendering this article stopped at its time limit: {failure.message}, "
                          "so its worker was stopped", where,
                          "the other articles were built; give more time with --time-limit SECONDS")
        return Rendering(ok=False, diagnostics=(stop,))
    crash = Diagnostic("CP998", f"this case could not be rendered: {failure.message}", where,
                       "the other cases were built; report this case to the casepub developers")
    return Rendering(ok=False, diagnostics=(crash,))


def _detail(result: Rendering) -> str:
    if not result.ok:
        return f" ({counted(result.errors, 'error')})"
    return f" ({counted(result.pages, 'page')}, {result.seconds:.2f} s)"


@dataclass
class IssuePlan:
    """The issue-wide outputs: whether they need making, and what they show."""
    key: str
    entries: list[Entry]
    contents_html: str | None       # None: the table of contents and issue PDF are up to date
    contents_made: bool = False
    contents_error: str = ""
    contents_unwritten: ContentsPages | None = None   # made, but .cache/contents.pdf could not be written


def _plan_issue_outputs(issue: Issue, outcomes: list[Outcome], *, out: Path, templates: Path | None,
                        state: State) -> IssuePlan:
    built = [o for o in outcomes if o.ok and o.placement]
    entries = [Entry(o.name, o.result.title, o.result.authors, o.result.label, o.placed)
               for o in built]
    key = combine([_final_key(o, bool(issue.profile.issn)) for o in built], _contents_keys(issue),
                  [o.name for o in built], [(e.title, e.authors) for e in entries])
    if state.issue == key and (out / f"{issue.name}.pdf").is_file() and (out / "index.html").is_file():
        return IssuePlan(key, entries, None)
    return IssuePlan(key, entries, contents_html(issue, issue.profile, entries, templates) if entries else "")


def _contents_keys(issue: Issue) -> dict[str, Any]:
    """The manifest as the contents and the issue PDF depend on it: not its deposit keys."""
    return issue.manifest.model_dump(mode="json", exclude={"depositor": True, "registrant": True, "url": True,
                                                           "articles": {"__all__": {"url"}}})


DEPOSITS = ":deposits"  # the state's key for the deposits (no article's folder can have this name)


def _deposits(issue: Issue, outcomes: list[Outcome], *, out: Path, state: State, checks: Checks,
              ) -> tuple[dict[str, deposits.DepositResult], list[Diagnostic]]:
    """crossref.xml and pubmed.xml from the built articles, each validated before it is written (deposits.py);
    remade only when what they hold changed. An article that failed is left out and named."""
    from casepub.xml.crossref import crossref_xml
    from casepub.xml.pubmed import pubmed_xml
    from casepub.xml.validate import validate_crossref, validate_pubmed

    results = {file: deposits.DepositResult(file) for file in (deposits.CROSSREF, deposits.PUBMED)}
    failed = [{"name": o.name, "reason": "the article failed (see its diagnostics)"} for o in outcomes if not o.ok]
    for result in results.values():
        result.left_out = list(failed)
    manifest = issue.manifest
    if not issue.profile.issn:
        reason = f"the journal profile {issue.profile.id!r} gives no ISSN"
        problem = Diagnostic("CP209", f"no JATS XML, packages or deposits were made: {reason}",
                             issue.where("journal"), f"set `issn:` in journals/{issue.profile.id}.yaml beside the "
                             "manifest and the cases")
        return _not_written(results, reason, out, state), [problem]
    if manifest.missing_deposit_keys:
        keys = [f"`{key}`" for key in manifest.missing_deposit_keys]
        missing = " or ".join([", ".join(keys[:-1]), keys[-1]] if len(keys) > 1 else keys)
        reason = f"the manifest has no {missing}"
        problem = Diagnostic("CP206", f"crossref.xml and pubmed.xml were not written: {reason}", issue.where(),
                             "add `depositor: {name: ..., email: ...}`, `registrant: ...` and `url: https://.../{doi}`"
                             " to the manifest (docs/issue-builds.md); the articles are built")
        return _not_written(results, reason, out, state), [problem]
    built = [o for o in outcomes if o.ok and o.placement is not None]
    entries = []
    for outcome in built:
        record = outcome.result.record
        if record is None:  # not expected: every rendering made since deposits exist has one
            for result in results.values():
                result.left_out.append({"name": outcome.name, "reason": "its metadata is not in the cache"})
            continue
        placement = outcome.placed
        doi = placement.doi or record.doi
        template = outcome.article.url or manifest.url
        entries.append(deposits.Deposited(outcome.name, record, placement.first_page, placement.last_page, doi,
                                          deposits.landing_page(template, doi, outcome.name)))
    where = {o.name: Location(o.article.folder / CASE_FILE) for o in built}
    diagnostics: list[Diagnostic] = []
    crossref_entries = []
    for entry in entries:  # doi_data is required: an article without a DOI or landing page cannot be deposited
        if entry.doi and entry.url:
            crossref_entries.append(entry)
            continue
        outcome = next(o for o in built if o.name == entry.name)
        lacking = "DOI" if not entry.doi else "landing page (`url`)"
        results[deposits.CROSSREF].left_out.append({"name": entry.name, "reason": f"it has no {lacking}"})
        diagnostics.append(Diagnostic("CP208", f"the article is left out of crossref.xml: it has no {lacking}",
                                      issue.where("articles", outcome.article.index),
                                      "give it a `doi:` in the manifest (or in the case), and a `url:`"))
    listed = {deposits.CROSSREF: crossref_entries, deposits.PUBMED: entries}
    facts = deposits.batch_facts(issue, issue.profile)
    key = combine(DEPOSITS, manifest.model_dump(mode="json"), replace(facts, batch_id="", timestamp=0),
                  [(e.name, e.record.to_json(), e.first_page, e.last_page, e.doi, e.url) for e in entries])
    remembered = _remembered(state, key)
    if remembered is not None and all((out / file).is_file() for file in results):
        for file, result in results.items():  # as the build that made them left them: valid then
            dropped = remembered.get(file, [])
            result.left_out += dropped
            result.status = "valid"
            result.articles = [e.name for e in listed[file] if e.name not in {d["name"] for d in dropped}]
            diagnostics += [_left_out(file, d, where, issue) for d in dropped]
        return results, diagnostics
    made, dropped_by_file = True, {}
    for file, make, validate, tag in ((deposits.CROSSREF, crossref_xml, validate_crossref, "journal_article"),
                                      (deposits.PUBMED, pubmed_xml, validate_pubmed, "Article")):
        valid, invalid, result, problems = checks.submit(
            "deposits", deposits.make_deposit, file, facts, listed[file], make, validate, tag, where, issue.where()).result()
        dropped_by_file[file] = result.left_out
        result.left_out = results[file].left_out + result.left_out
        results[file] = result
        diagnostics += problems
        made = made and valid is not None
        try:
            deposits.write_deposit(out, file, valid, invalid)
        except OutputError as error:
            made = False
            result.status, result.reason = "not written", error.message
            diagnostics.append(error.diagnostic(Location(issue.file)))
    if made:  # both whole and valid: made again only when what they hold changes
        state.finish(DEPOSITS, json.dumps({"key": key, "left_out": dropped_by_file}))
    elif DEPOSITS in state.finished:
        state.finished.pop(DEPOSITS)
        state.dirty = True
    return results, diagnostics


def _remembered(state: State, key: str) -> dict[str, list[dict[str, str]]] | None:
    """The articles the deposits made for `key` left out (by file), when they are the ones on disk; else None."""
    try:
        value = json.loads(state.finished.get(DEPOSITS, "null"))
        return dict(value["left_out"]) if value and value.get("key") == key else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _left_out(file: str, dropped: dict[str, str], where: dict[str, Location], issue: Issue) -> Diagnostic:
    return Diagnostic("CP208", f"the article is left out of {file}: its metadata does not fit the schema "
                      f"({dropped['reason']})", where.get(dropped["name"], Location(issue.file)),
                      "correct the value the message names; the article itself is built")


def _not_written(results: dict[str, deposits.DepositResult], reason: str, out: Path, state: State,
                 ) -> dict[str, deposits.DepositResult]:
    """Neither deposit is made: earlier ones, describing another state of the issue, are removed."""
    for result in results.values():
        result.status, result.reason = "not written", reason
        try:
            deposits.write_deposit(out, result.file, None, None)
        except OutputError as error:
            result.reason += f"; {error.message}"
    if DEPOSITS in state.finished:
        state.finished.pop(DEPOSITS)
        state.dirty = True
    return results


def _write_issue_outputs(issue: Issue, plan: IssuePlan, *, out: Path, templates: Path | None, state: State,
                         failed: list[str]) -> list[Diagnostic]:
    """The table of contents and the issue PDF (from the contents pages a worker made), when they changed.
    The state remembers them as made only when both were written."""
    if plan.contents_html is None:
        return []
    manifest = Location(issue.file)
    numbering_failed = [e.name for e in plan.entries if e.name in failed]
    if numbering_failed:  # its numbered PDF is not there to put in the issue
        return [Diagnostic("CP204", f"the issue PDF was not made: {', '.join(numbering_failed)} "
                           "could not be numbered", manifest, "see that article's diagnostics")]
    problems = []
    try:
        write_contents(issue, issue.profile, plan.entries, out, templates)
    except OutputError as error:
        problems.append(error.diagnostic(manifest))
    if plan.entries:
        if plan.contents_unwritten is not None:
            unwritten = plan.contents_unwritten
            problems.append(Diagnostic("CP102", unwritten.error, manifest, unwritten.hint))
        elif not plan.contents_made:
            return problems + [Diagnostic("CP204", f"the issue PDF could not be made: the contents pages "
                                          f"failed ({plan.contents_error})", manifest,
                                          "the articles were built; see the message")]
        else:
            try:
                write_issue_pdf(issue, issue.profile, plan.entries, out, out / ".cache" / "contents.pdf")
            except OutputError as error:
                problems.append(error.diagnostic(manifest))
    if not problems:
        state.issue, state.dirty = plan.key, True
    return problems


def write_report(build: IssueBuild) -> None:
    """report.json and report.html; when they cannot be written, a CP102 at the manifest is added to the
    build's diagnostics (the command prints it) instead."""
    if build.out is None or build.issue is None:
        return  # a manifest that could not be read: its diagnostics are the report
    report = report_data(build)
    page = environment("base").get_template("report.html.j2").render(report=report)
    try:
        write_atomic(build.out / "report.json", json.dumps(report, indent=2, ensure_ascii=False))
        build.report = write_atomic(build.out / "report.html", page)
    except OutputError as error:
        build.diagnostics.append(error.diagnostic(Location(build.issue.file)))


def report_data(build: IssueBuild) -> dict[str, Any]:
    issue, outcomes = build.issue, build.outcomes
    if issue is None:
        raise ValueError("a build whose manifest could not be read has no report")
    placed = [o.placement for o in outcomes if o.placement and o.ok]
    missing = sum(d.code in ("CP201", "CP202") for d in build.diagnostics)  # listed, but no case to build
    return {
        "issue": {"name": issue.name, "manifest": str(issue.file), "journal": issue.manifest.journal,
                  "volume": issue.manifest.volume, "issue": issue.manifest.issue,
                  "date": issue.manifest.date.isoformat(), "first_page": placed[0].first_page if placed else None,
                  "last_page": placed[-1].last_page if placed else None},
        "summary": {"articles": len(outcomes) + missing,
                    "ok": sum(o.ok for o in outcomes), "failed": sum(not o.ok for o in outcomes) + missing,
                    "rendered": sum(not o.cached for o in outcomes), "cached": sum(o.cached for o in outcomes),
                    "numbered": sum(o.finished for o in outcomes), "seconds": round(build.seconds, 2)},
        "manifest_diagnostics": [d.to_json() for d in build.diagnostics],
        "deposits": {file: result.to_json() for file, result in build.deposits.items()},
        "validation": _validation_counts(build),
        "articles": [{"name": o.name, "case": str(o.article.folder), "status": "ok" if o.ok else "failed",
                      "cached": o.cached, "pages": o.placement.pages if o.placement and o.ok else None,
                      "first_page": o.placement.first_page if o.placement and o.ok else None,
                      "last_page": o.placement.last_page if o.placement and o.ok else None,
                      "seconds": o.result.seconds if not o.cached else 0,
                      "worker_rss_kb": o.result.worker_rss_kb if not o.cached else None,
                      "jats": o.jats or "not made",
                      "jats_file": f"{o.name}/{o.name}.xml" if o.jats == "valid" else None,
                      "package": f"{o.name}/{o.name}.zip" if o.jats == "valid" else None,
                      "diagnostics": [d.to_json() for d in o.diagnostics]} for o in outcomes],
    }


def _validation_counts(build: IssueBuild) -> dict[str, int]:
    """How many XML files of the issue are valid (validated when they were made), and how many failed."""
    files = [o.jats for o in build.outcomes] + [d.status for d in build.deposits.values()]
    return {"valid": files.count("valid"), "invalid": files.count("invalid")}
