"""Fuzzing the whole pipeline, bounded: a few hundred inputs per run of the suite (CASEPUB_FUZZ_EXAMPLES sets
how many per target; `make fuzz` and bench/fuzz.py make the long runs). What each input must give is in
tests/fuzz_targets.py."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from fuzz_targets import BODIES, BODY, FRONT, MANIFEST_LINES, Workspace, front_matters

EXAMPLES = int(os.environ.get("CASEPUB_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="CASEPUB_FUZZ_SEED" not in os.environ,
                suppress_health_check=list(HealthCheck), database=None)
WORKSPACE = Workspace()


@FUZZ
@given(front_matters())
def test_front_matter_values_give_diagnostics_in_time(front):
    WORKSPACE.case_target(front, BODY)


@FUZZ
@given(BODIES)
def test_bodies_give_diagnostics_in_time_and_safe_html(body):
    WORKSPACE.case_target(FRONT, body)


@FUZZ
@given(front_matters(), BODIES)
def test_front_matter_and_body_together(front, body):
    WORKSPACE.case_target(front, body)


@FUZZ
@given(MANIFEST_LINES)
def test_manifests_give_diagnostics(text):
    WORKSPACE.manifest_target(text)
