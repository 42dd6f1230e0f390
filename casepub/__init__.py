"""casepub: structured case reports, checked against a journal's rules and rendered as the journal prints them.

The public API:

    load_case(folder)        -> Loaded (the typed Case, or the diagnostics that stopped it)
    check_case(folder)       -> Checked (the Case and every diagnostic, in one run)
    render_case(folder, out) -> Rendered (HTML and PDF written under out/<case>/)
    build_issue(manifest)    -> IssueBuild (every article of an issue, numbered, with one report)

render_case and build_issue are imported when first used, so that checking
never loads Jinja2, WeasyPrint or the worker pool.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casepub.diagnostics import Diagnostic, Location, Severity, sort_key
from casepub.load.case import CASE_FILE, Loaded, load_case
from casepub.model import Case
from casepub.profiles import STORE, ProfileStore, Profile, closest

__version__ = "0.1.0"
__all__ = ["CASE_FILE", "Case", "Checked", "Diagnostic", "Loaded", "Location", "Severity",
           "build_issue", "check_case", "load_case", "render_case", "resolve_profile"]


def __getattr__(name: str):
    if name == "render_case":
        from casepub.render import render_case
        return render_case
    if name == "build_issue":
        from casepub.issue.build import build_issue
        return build_issue
    raise AttributeError(f"module 'casepub' has no attribute {name!r}")


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


def check_case(folder: Path | str, profiles: ProfileStore = STORE, deep: bool = False) -> Checked:
    """Load a case and check it against its journal's profile; every problem found, in one run."""
    from casepub import checks

    folder = Path(folder)
    loaded = load_case(folder)
    diagnostics = list(loaded.diagnostics)
    profile = None
    if loaded.case is not None:
        profile, problems = resolve_profile(loaded.case, profiles)
        diagnostics += problems
        if profile is not None:
            diagnostics += checks.run(loaded.case, profile, loaded.pruned, deep)
    return Checked(folder, loaded.case, profile, sorted(diagnostics, key=sort_key))


def resolve_profile(case: Case, profiles: ProfileStore = STORE) -> tuple[Profile | None, list[Diagnostic]]:
    """The case's journal profile and article type, or the diagnostics saying why they cannot be used."""
    local = case.folder.parent
    journal = case.meta.journal
    resolved = profiles.get(journal, local)
    if resolved.profile is None:
        if resolved.diagnostics:
            return None, list(resolved.diagnostics)
        return None, [_unknown("CP015", case, ("journal",), f"unknown journal {journal!r}",
                               journal, profiles.available(local), "journals/<id>.yaml beside the cases")]
    profile = resolved.profile
    if case.meta.article_type not in profile.article_types:
        return None, [_unknown("CP016", case, ("article-type",),
                               f"{profile.name} has no article type {case.meta.article_type!r}",
                               case.meta.article_type, sorted(profile.article_types), "the journal profile")]
    return profile, []


def _unknown(code, case, path, message, word, choices, where) -> Diagnostic:
    guess = closest(word, choices)
    hint = (f"did you mean {guess!r}? " if guess else "") + f"available: {', '.join(choices)} (or add one in {where})"
    return Diagnostic(code, Severity.ERROR, message, case.where(path), hint)
