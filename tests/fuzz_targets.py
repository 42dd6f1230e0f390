"""Fuzz targets over the whole pipeline, shared by the suite (tests/test_fuzz.py, a bounded run) and the long
run (bench/fuzz.py, `make fuzz`).

Inputs are the reference case mutated where an author writes: front-matter values (at any key, with text
made to hurt: long runs, regex-shaped strings, Unicode, control characters, YAML syntax), the Markdown body
(headings, tables, emphasis, links, raw HTML, figure citations, abbreviations, dates, numbers) and the
figure's caption keys and texts; and issue manifests. Each target asserts what casepub promises for any
input: no exception, only located diagnostics (never CP998/CP999), each case within its time budget, and a
case without errors renders to HTML that parses and carries no script.
"""
from __future__ import annotations

import copy
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import tinyhtml5
import yaml
from hypothesis import strategies as st

from casepub import check_case
from casepub.diagnostics import Diagnostic
from casepub.issue.manifest import load_issue
from casepub.render import render_case
from conftest import REFERENCE

BUDGET_SECONDS = 3.0   # one case, check and HTML render together; the check's own limit is CHECK_LIMIT
CHECK_LIMIT = 5.0

SOURCE = (REFERENCE / "case.md").read_text(encoding="utf-8")
_, FRONT, BODY = SOURCE.split("---\n", 2)
DATA: dict[str, Any] = yaml.safe_load(FRONT)

# Characters and words that patterns, parsers and templates react to.
ATOMS = [" ", "\t", "\n", "  ", "-", "–", "—", ".", ",", ";", ":", "(", ")", "[", "]", "{", "}", "*", "_", "`",
         "#", "|", "<", ">", "&", "@", "+", "/", "\\", "%", "'", '"', "“", "”", "’", "°", "µ", "1", "12", "0",
         "A", "B", "Z", "a", "x", "é", "Nguyễn", "\u200b", "\x00", "\x1b", "\ufeff", "Figure ", "Fig. ", "Figures ",
         "and ", "& ", "Mr. ", "MRN: ", "+86 ", "2024-02-30", "March 12, 2023", "92-year-old", "(VAS)", "VAS",
         "mL", "mg", "{{ 7*7 }}", "{% raw %}", "<script>", "javascript:", "](http://x)", "![x](y)", "&#0;",
         "\ud800"]
RUNS = st.builds(lambda atom, times: atom * times, st.sampled_from(ATOMS), st.integers(1, 1000))
TEXTS = st.lists(st.one_of(st.sampled_from(ATOMS), RUNS, st.text(max_size=20)), max_size=8).map("".join)
SCALARS = st.one_of(TEXTS, st.none(), st.booleans(), st.integers(-10**9, 10**9), st.dates())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(TEXTS, inner, max_size=3)), max_leaves=8)

BLOCKS = st.one_of(
    TEXTS,
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 7), TEXTS),
    st.builds(lambda cells, rows: "\n".join(["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]
                                            + ["| " + " | ".join(cells) + " |"] * rows),
              st.lists(TEXTS, min_size=1, max_size=4), st.integers(0, 50)),
    st.builds(lambda fig, panels: f"(Figure {fig}{panels})", st.sampled_from(["", "1", "2", "99", "0"]),
              st.sampled_from(["A", "B,C", "B-D", "B–D", "A and F", "G", "A, B, C, D, E, F", " " * 500 + "A"])),
    st.builds(lambda text: f"<div>{text}</div><script>alert(1)</script>", TEXTS),
    st.builds(lambda text, url: f"[{text}]({url})", TEXTS, st.sampled_from(
        ["http://example.org", "javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "//evil"])),
)
BODIES = st.lists(BLOCKS, max_size=10).map("\n\n".join)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every key path in the front matter (mappings and lists), the root included."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, path + (index,))
    return found


PATHS = _paths(DATA)[1:]


def _container(data: Any, path: tuple) -> dict[Any, Any] | list[Any] | None:
    """The mapping or list at `path`, or None when an earlier mutation removed it."""
    for part in path:
        if (isinstance(data, dict) and part in data) or (isinstance(data, list) and isinstance(part, int) \
                and part < len(data)):
            data = data[part]
        else:
            return None
    return data if isinstance(data, dict | list) else None


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    """The reference front matter with a few values replaced, and perhaps a caption key added."""
    data = copy.deepcopy(DATA)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent = _container(data, path[:-1])
        if isinstance(parent, dict) or (isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent)):
            parent[path[-1]] = draw(VALUES)
    caption = _container(data, ("figures", 0, "caption"))
    if isinstance(caption, dict) and draw(st.booleans()):
        caption[draw(TEXTS)] = draw(TEXTS)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _write(folder: Path, front: str, body: str) -> None:
    data = f"---\n{front}---\n{body}\n".encode("utf-8", "surrogatepass")
    (folder / "case.md").write_bytes(data)


def _assert_located(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        assert diagnostic.code not in ("CP998", "CP999"), diagnostic.format()
        assert diagnostic.message and diagnostic.hint, diagnostic.format()
        assert diagnostic.location.line >= 1 and diagnostic.location.column >= 1


class Workspace:
    """A case folder (the reference's images) reused across inputs; one per process."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="casepub-fuzz-"))
        self.case = self.root / "case"
        shutil.copytree(REFERENCE, self.case)
        self.out = self.root / "out"

    def case_target(self, front: str, body: str) -> float:
        """Check the case and, when it has no errors, render its HTML; the seconds it took."""
        _write(self.case, front, body)
        started = time.perf_counter()
        checked = check_case(self.case, time_limit=CHECK_LIMIT)
        _assert_located(checked.diagnostics)
        if [d for d in checked.diagnostics if d.code == "CP103"]:
            self._slow(started)
        if not checked.errors:
            rendered = render_case(self.case, self.out, formats=("html",))
            _assert_located(rendered.diagnostics)
            if rendered.ok:
                page = (self.out / "case" / "index.html").read_text(encoding="utf-8")
                document = tinyhtml5.parse(page, namespace_html_elements=False)
                assert not [s for s in document.iter("script")], "a script reached the page"
                assert not [a for a in document.iter("a") if (a.get("href") or "").startswith("javascript")]
        seconds = time.perf_counter() - started
        if seconds > BUDGET_SECONDS:
            self._slow(started)
        return seconds

    def _slow(self, started: float) -> None:
        """Fail, keeping the case that was too slow where it can be run again."""
        kept = Path(tempfile.gettempdir()) / "casepub-fuzz-slow-case.md"
        shutil.copyfile(self.case / "case.md", kept)
        raise AssertionError(f"a case took {time.perf_counter() - started:.2f} s (kept in {kept})")

    def manifest_target(self, text: str) -> None:
        manifest = self.root / "issue.yaml"
        manifest.write_bytes(text.encode("utf-8", "surrogatepass"))
        issue, diagnostics = load_issue(manifest)
        _assert_located(diagnostics)
        assert issue is not None or diagnostics


MANIFEST_LINES = st.lists(st.one_of(
    st.sampled_from(["journal: the-spine-journal", "volume: 26", "issue: 12", "date: 2026-12-01",
                     "first-page: 1901", "articles:", "  - case: case", "    doi: 10.1016/j.x.1", "  - case: ../..",
                     "  - case: /etc", "title: x", "volume: -1", "date: 2026-02-30", "articles: []"]),
    st.builds(lambda key, value: f"{key}: {value}", TEXTS, TEXTS)), max_size=12).map("\n".join)
