"""The checks: one module per family of small rules, run in registration order.

A rule's place is found by its family: authors.py, statements.py (required
keys, disclosures, FDA status), figures.py, text.py, privacy.py.
"""
from casepub.checks import statements, authors, figures, text, privacy  # noqa: F401,I001  (registers the rules, in this order)
from casepub.checks.registry import RULES, Context, Rule, rule, run

__all__ = ["RULES", "Context", "Rule", "rule", "run"]
