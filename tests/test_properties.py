"""Property: whatever an author does to the reference front matter, casepub answers with located
diagnostics, never an exception."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casepub import check_case
from casepub.diagnostics import Diagnostic
from conftest import REFERENCE

SOURCE = (REFERENCE / "case.md").read_text(encoding="utf-8")
_, FRONT, BODY = SOURCE.split("---\n", 2)
FRONT_LINES = FRONT.splitlines()
DATA = yaml.safe_load(FRONT)
FOLDER = Path(tempfile.mkdtemp(prefix="casepub-properties-")) / "case"
shutil.copytree(REFERENCE, FOLDER)

YAML_BITS = st.sampled_from([":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object:os.system ", "'", '"',
                             "\t", "#", "|", ">", "? ", "---", "...", "%YAML 1.1", "~", "null", "0424", "NO",
                             "2024-02-30", "\x00", "\ufeff", "é", "Nguyễn", " " * 4, "\n"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=30), st.dates().map(str))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)


def check(front: str) -> list[Diagnostic]:
    (FOLDER / "case.md").write_text(f"---\n{front}---\n{BODY}", encoding="utf-8", errors="surrogatepass")
    checked = check_case(FOLDER)
    lines = len((FOLDER / "case.md").read_text(encoding="utf-8", errors="replace").split("\n"))
    for diagnostic in checked.diagnostics:
        assert diagnostic.code != "CP999"
        assert diagnostic.message and diagnostic.hint
        assert 1 <= diagnostic.location.line <= lines + 1 and diagnostic.location.column >= 1
    return checked.diagnostics


@st.composite
def text_edits(draw) -> str:
    lines = list(FRONT_LINES)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "indent", "swap"]))
        line = lines[index]
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "insert":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(YAML_BITS) + line[at:]
        elif action == "replace":
            lines[index] = line.split(":")[0] + ": " + draw(YAML_BITS) + draw(st.text(max_size=10))
        elif action == "indent":
            lines[index] = " " * draw(st.integers(0, 6)) + line.lstrip()
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], line
    return "\n".join(lines) + "\n"


@st.composite
def data_edits(draw) -> str:
    data = yaml.safe_load(FRONT)
    for _ in range(draw(st.integers(1, 3))):
        parent, key = _random_slot(draw, data)
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict) and key in parent:
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=15))] = draw(VALUES)
        else:
            parent[key] = draw(VALUES)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _random_slot(draw, data):
    """A random (container, key) inside the front matter's data."""
    parent, key = data, draw(st.sampled_from(list(data)))
    while isinstance(parent[key], dict | list) and parent[key] and draw(st.booleans()):
        parent = parent[key]
        key = draw(st.sampled_from(list(parent) if isinstance(parent, dict) else list(range(len(parent)))))
    return parent, key


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text_edits())
def test_random_text_edits_give_diagnostics_not_exceptions(front):
    check(front)


@SETTINGS
@given(data_edits())
def test_random_value_edits_give_diagnostics_not_exceptions(front):
    check(front)


def test_the_unedited_reference_is_clean():
    assert check(FRONT) == []
    assert DATA["title"].startswith("Severe vertebra collapse")
