"""The check stage: load a case, find its journal profile, run the rules; every problem in one run."""
from __future__ import annotations

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
               time_limit: float | None = CHECK_SECONDS) -> Checked:
    """Load a case and check it against its journal's profile; every problem found, in one run.
    Work stops after `time_limit` seconds with a CP103 diagnostic naming the step that was running."""
    folder = Path(folder)
    found: list[Diagnostic] = []
    case, profile = None, None
    try:
        with limits.time_limit(time_limit):
            case, profile = _check(folder, profiles, deep, found)
    except OutOfTime as stop:
        found.append(out_of_time(folder, stop.during("reading case.md"), "checking"))
    return Checked(folder, case, profile, sorted(found, key=sort_key))


def _check(folder: Path, profiles: ProfileStore, deep: bool,
           found: list[Diagnostic]) -> tuple[Case | None, Profile | None]:
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
        checks.run(loaded.case, profile, pruned=loaded.pruned, deep=deep, found=found)
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
