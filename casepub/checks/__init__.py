"""The checks: one module per family of small rules, run in the order ORDER gives.

A rule's place is found by its family: statements.py (required keys,
disclosures, FDA status), authors.py, figures.py, text.py, fonts.py (glyph
coverage), privacy.py. Its code, default severity, summary, example and fix
are in casepub/codes.py.
"""
from __future__ import annotations

from casepub.checks import authors, figures, fonts, privacy, references, statements, tables, text  # noqa: F401  (they register the rules)
from casepub.checks.registry import Context, Rule, ordered, rule
from casepub.checks.registry import run as _run
from casepub.diagnostics import Diagnostic, KeyPath
from casepub.model import Case
from casepub.profiles import Profile

ORDER = (
    # statements
    "required-keys", "author-disclosure", "fda-products", "fda-wording", "abstract-sections", "dates-order",
    "license-known", "consent-complete", "consent-once", "copyright",
    # authors and affiliations
    "author-name", "author-affiliation", "author-degrees", "affiliation-resolves", "affiliation-used",
    "affiliation-id", "corresponding-email", "initials-needed", "author-initials", "equal-contribution", "orcid", "author-limit",
    "credit-role", "credit-complete",
    # figures and panels
    "figure-structure", "figure-limit", "caption-keys", "panel-captioned", "citation-resolves", "panel-cited",
    "panel-alt", "panel-image-file", "panel-image-format", "panel-image-resolution",
    "panel-image-metadata", "panel-print-resolution", "panel-bit-depth",
    # tables
    "table-caption", "table-id", "table-citation-resolves", "table-cited",
    # text
    "body-present", "word-limit", "abstract-limit", "title-limit", "keywords-count", "sections", "section-empty",
    "section-recommended",
    "abbreviation-defined", "typographic-quotes", "comment-in-value", "emphasis-between-digits",
    # fonts
    "glyph-coverage",
    # references
    "references-file", "references-syntax", "reference-names", "reference-duplicate", "reference-identifier",
    "reference-url", "citation-key", "reference-uncited",
    # de-identification
    "deid-dates", "deid-phone", "deid-record-numbers", "deid-email", "deid-age", "deid-names", "blind-names",
)
RULES: dict[str, Rule] = ordered(ORDER)


def run(case: Case, profile: Profile, *, pruned: frozenset[KeyPath] = frozenset(), deep: bool = False,
        found: list[Diagnostic] | None = None, blind: bool = False) -> list[Diagnostic]:
    """Every enabled rule's problems, for one case, as diagnostics (added to `found` as they come); `blind`:
    for a blinded review copy (the blind-names rule runs)."""
    return _run(RULES, case, profile, pruned=pruned, deep=deep, found=found, blind=blind)


__all__ = ["ORDER", "RULES", "Context", "Rule", "rule", "run"]
