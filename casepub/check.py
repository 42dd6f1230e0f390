"""The check stage: load a case, find its journal profile, run the rules; every problem in one run."""
from __future__ import annotations

import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from casepub import checks, limits
from casepub.diagnostics import Diagnostic, KeyPath, Location, sort_key
from casepub.limits import CHECK_SECONDS, OutOfTime
from casepub.load.case import CASE_FILE, load_case
from casepub.model import Case
from casepub.profiles import STORE, Profile, ProfileStore, did_you_mean


@dataclass(frozen=True)
class Checked:
    folder: Path
    case: Case | None
    profile: Profile | None
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def check_case(folder: Path | str, profiles: ProfileStore = STORE, *, deep: bool = False,
               time_limit: float | None = CHECK_SECONDS, blind: bool = False) -> Checked:
    """Load a case and check it against its journal's profile; every problem found, in one run.
    Work stops after `time_limit` seconds with a CP103 diagnostic naming the step that was running."""
    folder = Path(folder)
    found: list[Diagnostic] = []
    case, profile = None, None
    try:
        with limits.time_limit(time_limit):
            case, profile = _check(folder, profiles, deep, found, blind)
    except OutOfTime as stop:
        found.append(out_of_time(folder, stop.during("reading case.md"), "checking"))
    return Checked(folder, case, profile, sorted(found, key=sort_key))


def _check(folder: Path, profiles: ProfileStore, deep: bool, found: list[Diagnostic],
           blind: bool = False) -> tuple[Case | None, Profile | None]:
    """The check, adding to `found` as it goes: what was found before a time limit is kept."""
    with limits.step("reading case.md"):
        loaded = load_case(folder)
    found += loaded.diagnostics
    if loaded.case is None:
        return None, None
    with limits.step("reading the journal profile"):
        profile, problems = resolve_profile(loaded.case, profiles)
    found += problems
    if profile is not None:
        checks.run(loaded.case, profile, pruned=loaded.pruned, deep=deep, found=found, blind=blind)
    return loaded.case, profile


def out_of_time(folder: Path, stop: OutOfTime, work: str) -> Diagnostic:
    """The CP103 diagnostic for a case whose `work` (checking, rendering) ran out of time."""
    during = f" while {stop.step} was running" if stop.step else ""
    return Diagnostic("CP103", f"{work} this case stopped at its time limit of {stop.seconds:g} s{during}",
                      Location(folder / CASE_FILE),
                      "give more time with --time-limit SECONDS if the case is large; otherwise shorten or simplify "
                      "what that step reads (the text, the images), and report the case if it is ordinary")


def resolve_profile(case: Case, profiles: ProfileStore = STORE) -> tuple[Profile | None, list[Diagnostic]]:
    """The case's journal profile and article type, or the diagnostics saying why they cannot be used."""
    local = case.folder.parent
    journal = case.meta.journal
    resolved = profiles.get(journal, local)
    if resolved.profile is None:
        if resolved.diagnostics:
            return None, list(resolved.diagnostics)
        return None, [_unknown("CP015", case, ("journal",), f"unknown journal {journal!r}", word=journal,
                               choices=profiles.available(local), where="journals/<id>.yaml beside the cases")]
    profile = resolved.profile
    if case.meta.article_type not in profile.article_types:
        return None, [_unknown("CP016", case, ("article-type",),
                               f"{profile.name} has no article type {case.meta.article_type!r}",
                               word=case.meta.article_type, choices=sorted(profile.article_types),
                               where="the journal profile")]
    return profile, []


def _unknown(code: str, case: Case, path: KeyPath, message: str, *, word: str, choices: list[str],
             where: str) -> Diagnostic:
    hint = did_you_mean(word, choices) + f"available: {', '.join(choices)} (or add one in {where})"
    return Diagnostic(code, message, case.where(path), hint)


# Checking many cases: in worker processes when there are enough of them to pay for starting the workers.
PARALLEL_FROM = 16  # cases; fewer are checked in this process
CHUNK = 8           # cases a worker checks per task: one round trip to the worker for several cases


@dataclass(frozen=True)
class CheckJob:
    folders: tuple[Path, ...]
    deep: bool
    time_limit: float | None


def check_cases(folders: Sequence[Path], *, jobs: int | None = None, deep: bool = False,
                time_limit: float | None = CHECK_SECONDS) -> list[Checked]:
    """Every case checked, in the order given; with `jobs` processes (default: the number of cores) when
    there are PARALLEL_FROM cases or more. A case whose check has a bug gets a CP999 diagnostic, one whose
    worker crashed or hung a CP998; the other cases go on either way. Results from workers carry the
    diagnostics only (case and profile None)."""
    workers = min(jobs or os.cpu_count() or 1, -(-len(folders) // CHUNK))
    if workers < 2 or len(folders) < PARALLEL_FROM:
        return [guarded_check(folder, deep, time_limit) for folder in folders]
    from casepub.issue import pool
    from casepub.issue.results import JobFailure

    # the first case here: what a check imports and builds once (modules, profiles, fonts) the workers inherit
    results: dict[Path, Checked] = {folders[0]: guarded_check(folders[0], deep, time_limit)}
    rest = folders[1:]
    size = max(1, min(CHUNK, len(rest) // (workers * 4)))
    chunks = [tuple(rest[at:at + size]) for at in range(0, len(rest), size)]
    again: list[Path] = []  # the cases of a chunk whose worker crashed: each tried alone

    def done(index: int, result: list[Checked] | JobFailure) -> None:
        if isinstance(result, JobFailure):
            again.extend(chunks[index])
        else:
            results.update((checked.folder, checked) for checked in result)

    # the pool's time limit catches only a hang outside Python (the check's own limit stops the rest)
    backstop = 60.0 + (time_limit or CHECK_SECONDS) * size
    pool.run(_check_job, [CheckJob(chunk, deep, time_limit) for chunk in chunks], workers=workers,
             started=lambda index: None, done=done, timeout=backstop, forked=True)
    if again:
        alone = [CheckJob((folder,), deep, time_limit) for folder in again]

        def done_alone(index: int, result: list[Checked] | JobFailure) -> None:
            folder = alone[index].folders[0]
            results[folder] = result[0] if isinstance(result, list) else Checked(
                folder, None, None, [Diagnostic("CP998", f"this case could not be checked: its worker "
                                                f"{'crashed' if result.reason == 'crashed' else 'hung'}",
                                                Location(folder / CASE_FILE),
                                                "the other cases were checked; report this case to the casepub "
                                                "developers")])
        pool.run(_check_job, alone, workers=workers, started=lambda index: None, done=done_alone,
                 timeout=backstop, forked=True)
    return [results[folder] for folder in folders]


def _check_job(job: CheckJob) -> list[Checked]:
    """In a worker: the cases of one task, their diagnostics only (the case and profile stay here)."""
    return [Checked(checked.folder, None, None, checked.diagnostics)
            for checked in (guarded_check(folder, job.deep, job.time_limit) for folder in job.folders)]


def guarded_check(folder: Path, deep: bool = False, time_limit: float | None = CHECK_SECONDS) -> Checked:
    """check_case, or a CP999 diagnostic if casepub has a bug: the other cases go on."""
    try:
        return check_case(folder, deep=deep, time_limit=time_limit)
    except Exception as error:  # a bug in casepub: say so, and go on with the other cases
        return Checked(folder, None, None, [bug(folder, error)])


def bug(folder: Path, error: Exception) -> Diagnostic:
    """The CP999 diagnostic for a bug in casepub met on the case in `folder`."""
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    place = f" ({Path(where.filename).name}:{where.lineno})" if where else ""
    return Diagnostic("CP999", f"internal error: {type(error).__name__}: {error}", Location(folder / CASE_FILE),
                      f"this is a bug in casepub{place}; please report it with this case")
