"""The check stage: load a case, find its journal profile, run the rules; every problem in one run."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casepub.diagnostics import Diagnostic, KeyPath, sort_key
from casepub.load.case import load_case
from casepub.model import Case
from casepub.profiles import STORE, Profile, ProfileStore, closest


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


def check_case(folder: Path | str, profiles: ProfileStore = STORE, *, deep: bool = False) -> Checked:
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
            diagnostics += checks.run(loaded.case, profile, pruned=loaded.pruned, deep=deep)
    return Checked(folder, loaded.case, profile, sorted(diagnostics, key=sort_key))


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
    guess = closest(word, choices)
    hint = (f"did you mean {guess!r}? " if guess else "") + f"available: {', '.join(choices)} (or add one in {where})"
    return Diagnostic(code, message, case.where(path), hint)
