"""casepub: structured case reports, checked against a journal's rules and rendered as the journal prints them.

The public API (this module only re-exports it):

    load_case(folder)        -> Loaded (the typed Case, or the diagnostics that stopped it)
    check_case(folder)       -> Checked (the Case and every diagnostic, in one run)
    render_case(folder, out) -> Rendered (HTML and PDF written under out/<case>/)
    build_issue(manifest)    -> IssueBuild (every article of an issue, numbered, with one report)

render_case and build_issue are imported when first used, so that checking
never loads Jinja2, WeasyPrint or the worker pool.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from casepub.check import Checked, check_case, resolve_profile
from casepub.codes import Severity
from casepub.diagnostics import Diagnostic, Location
from casepub.load.case import CASE_FILE, Loaded, load_case
from casepub.model import Case

__all__ = ["CASE_FILE", "Case", "Checked", "Diagnostic", "Loaded", "Location", "Severity", "__version__",
           "build_issue", "check_case", "load_case", "render_case", "resolve_profile"]


@cache
def _version() -> str:
    """The installed version, read when first asked for (importlib.metadata costs 35 ms at every start)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("casepub")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return _version()
    if name == "render_case":
        from casepub.render import render_case
        return render_case
    if name == "build_issue":
        from casepub.issue.build import build_issue
        return build_issue
    raise AttributeError(f"module 'casepub' has no attribute {name!r}")
