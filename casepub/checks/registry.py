"""The ordered registry of rules, and the context they read a case through.

A rule is a small function with a stable code and a name; it yields Problems
(message, hint, where) and never changes the case. The registry gives each
problem its code, its severity (the rule's default, or the profile's setting)
and its location. Profiles switch rules off or change their severity by name
or code, as markdown-it's Ruler does.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from casepub.diagnostics import Diagnostic, KeyPath, Problem, Severity
from casepub.load.validate import is_pruned
from casepub.model import Case
from casepub.profiles import ArticleType, Profile

RuleFunction = Callable[["Context"], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    function: RuleFunction
    enabled: bool = True  # off until a profile switches it on, when False

    @property
    def summary(self) -> str:
        return (self.function.__doc__ or "").strip().splitlines()[0] if self.function.__doc__ else ""


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: str = "error", enabled: bool = True) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule; the order of registration is the order rules run in."""
    def register(function: RuleFunction) -> RuleFunction:
        if name in RULES or any(r.code == code for r in RULES.values()):
            raise ValueError(f"rule {name} ({code}) is registered twice")
        RULES[name] = Rule(code, name, Severity(severity), function, enabled)
        return function
    return register


class Context:
    """One case as the rules see it, with the things several rules need, computed once."""

    def __init__(self, case: Case, profile: Profile, deep: bool = False, pruned: frozenset[KeyPath] = frozenset()):
        self.case = case
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
        code = RULES[rule_name].code
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


def run(case: Case, profile: Profile, pruned: frozenset[KeyPath] = frozenset(), deep: bool = False) -> list[Diagnostic]:
    """Every enabled rule's problems as diagnostics, in rule order."""
    context = Context(case, profile, deep, pruned)
    return [d for r in RULES.values() for d in _apply(r, context)]


def _apply(rule_: Rule, context: Context) -> Iterator[Diagnostic]:
    setting = context.profile.rule_setting(context.meta.article_type, rule_.name, rule_.code)
    if not (setting.enabled if setting is not None else rule_.enabled):
        return
    severity = Severity(setting.severity) if setting and setting.severity else rule_.severity
    case = context.case
    for problem in rule_.function(context):
        if problem.line is not None:
            location = case.at_line(problem.line, problem.column)
        elif context.unreadable(problem.path):
            continue  # the schema error on this value already says what is wrong
        else:
            location = case.where(problem.path, problem.key)
        yield Diagnostic(rule_.code, severity, problem.message, location, problem.hint, rule_.name)
