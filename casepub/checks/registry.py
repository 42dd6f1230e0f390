"""The ordered registry of rules, and the context they read a case through.

A rule is a small function registered under its name; its code, default
severity and summary are defined once, in casepub/codes.py. It yields Problems
(message, hint, where) and never changes the case. The registry gives each
problem its code, its severity (the code's default, or the profile's setting)
and its location. Profiles switch rules off or change their severity by name
or code, as markdown-it's Ruler does. The order rules run in is data: ORDER in
casepub/checks/__init__.py.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from casepub.codes import BY_NAME, Stage
from casepub.diagnostics import Diagnostic, KeyPath, Location, Problem, Severity
from casepub.limits import OutOfTime
from casepub.load.validate import is_pruned
from casepub.model import Case
from casepub.profiles import ArticleType, Profile
from casepub.words import counted

RuleFunction = Callable[["Context"], Iterable[Problem]]
MAX_PER_RULE = 25  # problems listed per rule and case; the rest are counted (a compiler's -fmax-errors)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    function: RuleFunction
    enabled: bool = True  # off until a profile switches it on, when False

    @property
    def summary(self) -> str:
        return BY_NAME[self.name].summary


REGISTERED: dict[str, Rule] = {}


def rule(name: str, enabled: bool = True) -> Callable[[RuleFunction], RuleFunction]:
    """Register the rule `name` of casepub/codes.py."""
    def register(function: RuleFunction) -> RuleFunction:
        entry = BY_NAME.get(name)
        if entry is None or entry.stage is not Stage.RULE:
            raise ValueError(f"rule {name!r} has no rule entry in casepub/codes.py")
        if name in REGISTERED:
            raise ValueError(f"rule {name!r} is registered twice")
        REGISTERED[name] = Rule(entry.code, name, entry.severity, function, enabled)
        return function
    return register


def ordered(order: tuple[str, ...]) -> dict[str, Rule]:
    """The registered rules in `order`, which must name each of them once."""
    missing = set(REGISTERED) - set(order)
    unknown = [name for name in order if name not in REGISTERED]
    if missing or unknown or len(set(order)) != len(order):
        raise ValueError(f"ORDER must name every rule once (not in ORDER: {sorted(missing)}; unknown: {unknown})")
    return {name: REGISTERED[name] for name in order}


class Context:
    """One case as the rules see it, with the things several rules need, computed once."""

    def __init__(self, case: Case, profile: Profile, deep: bool = False, pruned: frozenset[KeyPath] = frozenset(),
                 blind: bool = False):
        self.case = case
        self.blind = blind        # checked for a blinded review copy (render --blind): the blind-names rule runs
        self.pruned = pruned      # values dropped for schema errors
        self.meta = case.meta
        self.profile = profile
        self.article: ArticleType = profile.article_types[case.meta.article_type]
        self.deep = deep          # decode every image pixel, not only verify its structure
        self.images: dict = {}    # (figure, panel) -> ImageInfo | ImageProblem, shared by the image rules

    def unreadable(self, path: KeyPath) -> bool:
        """Whether the value at `path` was written but dropped for a schema error."""
        return is_pruned(path, self.pruned)

    def options(self, rule_name: str) -> dict[str, Any]:
        code = BY_NAME[rule_name].code
        setting = self.profile.rule_setting(self.meta.article_type, rule_name, code)
        return setting.options if setting else {}

    @cached_property
    def text(self):
        from casepub.load.markdown import body_blocks
        return body_blocks(self.case.body)

    @cached_property
    def figures(self):
        from casepub.citations import FigureIndex
        return FigureIndex(self.meta.figures)

    @cached_property
    def tables(self):
        """The body's tables (parsed only when the text has a "|")."""
        from casepub.load.markdown import body_tables
        return body_tables(self.case.body)

    @cached_property
    def references(self):
        """The case's references file as read (None: no `references:`, or its value was unreadable)."""
        from casepub.references import library
        return None if self.unreadable(("references",)) else library(self.case)

    @cached_property
    def reference_citations(self):
        """The text's citations of references ([@key]), outside code spans."""
        from casepub.references import placed_citations
        return tuple(placed_citations(self.text))


def run(rules: dict[str, Rule], case: Case, profile: Profile, *, pruned: frozenset[KeyPath] = frozenset(),
        deep: bool = False, found: list[Diagnostic] | None = None, blind: bool = False) -> list[Diagnostic]:
    """Every enabled rule's problems as diagnostics, in rule order, added to `found` (a new list when None)
    as each rule finishes: when a time limit stops a rule, what the rules before it found is kept, and the
    stop names the rule."""
    context = Context(case, profile, deep, pruned, blind)
    found = [] if found is None else found
    for rule_ in rules.values():
        try:
            found += _apply(rule_, context)
        except OutOfTime as stop:
            raise stop.during(f"the rule {rule_.name} ({rule_.code})") from None
    return found


def _apply(rule_: Rule, context: Context) -> Iterator[Diagnostic]:
    setting = context.profile.rule_setting(context.meta.article_type, rule_.name, rule_.code)
    if not (setting.enabled if setting is not None else rule_.enabled):
        return
    severity = Severity(setting.severity) if setting and setting.severity else rule_.severity
    listed, more, first_unlisted = 0, 0, None
    for problem in rule_.function(context):
        if problem.line is None and context.unreadable(problem.path):
            continue  # the schema error on this value already says what is wrong
        if listed == MAX_PER_RULE:
            more += 1
            first_unlisted = first_unlisted or _locate(problem, context.case)
            continue
        listed += 1
        yield Diagnostic(rule_.code, problem.message, _locate(problem, context.case), problem.hint, severity)
    if first_unlisted is not None:
        yield Diagnostic(rule_.code, f"{counted(more, 'more problem')} of this kind from here on (only the first "
                         f"{MAX_PER_RULE} are listed)", first_unlisted, "correct those listed, then check again",
                         severity)


def _locate(problem: Problem, case: Case) -> Location:
    if problem.file is not None:
        return Location(problem.file, problem.line or 1, problem.column, problem.path)
    if problem.line is not None:
        return case.at_line(problem.line, problem.column, problem.path)
    return case.where(problem.path, problem.key)
