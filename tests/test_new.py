"""`casepub new`: a case folder to fill in, whose check lists exactly what is left, in the order of the file."""
from __future__ import annotations

import json
import re

import pytest

from casepub.__main__ import json_schema, main
from casepub.check import check_case
from casepub.profiles import STORE

TYPES = [(journal, article_type) for journal in STORE.available()
         for article_type in STORE.get(journal).profile.article_types]  # type: ignore[union-attr]


@pytest.mark.parametrize(("journal", "article_type"), TYPES)
def test_the_check_of_a_new_case_lists_what_is_left_in_file_order_and_nothing_else(tmp_path, capsys, journal,
                                                                                     article_type):
    folder = tmp_path / "cases" / "new-case"
    assert main(["new", str(folder), "--journal", journal, "--type", article_type]) == 0
    assert "fill in" in capsys.readouterr().out
    profile = STORE.get(journal).profile
    assert profile is not None
    article = profile.article_types[article_type]
    diagnostics = check_case(folder).diagnostics
    source = (folder / "case.md").read_text(encoding="utf-8")
    lines = source.split("\n")
    # every required key empty (CP019), at its own line, in the order written; each section without text
    # (CP086); a text to write when the type has no sections (CP069); nothing else.
    keys = sorted(article.required, key=lambda k: source.index(f"\n{k}:"))
    expected = ["CP019"] * len(keys) + ["CP086"] * len(article.sections) + ([] if article.sections else ["CP069"])
    assert [d.code for d in diagnostics] == expected
    for key, diagnostic in zip(keys, diagnostics, strict=False):  # at the key, or its first empty part
        line = lines.index(next(line for line in lines if line.startswith(f"{key}:"))) + 1
        assert line <= diagnostic.location.line <= line + len(article.abstract_sections) and key in diagnostic.message
    sections = [d.location.line for d in diagnostics if d.code == "CP086"]
    assert sections == [lines.index(f"## {section.name}") + 1 for section in article.sections]
    assert [d.location.line for d in diagnostics] == sorted(d.location.line for d in diagnostics)


def test_the_new_case_points_editors_at_the_schema(tmp_path):
    assert main(["new", str(tmp_path / "cases" / "a")]) == 0
    first = (tmp_path / "cases" / "a" / "case.md").read_text(encoding="utf-8").split("\n")[1]
    found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert found
    schema = (tmp_path / "cases" / "a" / found.group(1)).resolve()
    assert json.loads(schema.read_text(encoding="utf-8")) == json_schema("case")
    assert (tmp_path / "cases" / "a" / "figures" / "README.md").is_file()
    assert main(["new", str(tmp_path / "cases" / "b")]) == 0  # a second case shares the schema


def test_a_new_case_filled_in_from_its_own_examples_checks_clean(tmp_path):
    """The examples in the comments are consistent: uncommented, with the sections written, no error."""
    folder = tmp_path / "cases" / "filled"
    assert main(["new", str(folder)]) == 0
    text = (folder / "case.md").read_text(encoding="utf-8")
    text = text.replace("title:   # the article's title; e.g. ", "title: ")
    text = _uncomment_examples(text)  # the examples of authors, affiliations and consent
    text = text.replace("keywords: []   # keywords, 2 to 5; e.g. ", "keywords: ")
    text = text.replace("conflict-statement:   # the authors' conflict of interest statement; e.g. ",
                        "conflict-statement: ")
    for name in ("introduction", "case-presentation", "diagnoses", "interventions", "outcomes", "conclusion"):
        text = text.replace(f"  {name}:\n", f"  {name}: A short part of the abstract.\n", 1)
    text = re.sub(r"(?m)^(## .+)\n", r"\1\n\nA paragraph of this section.\n", text)
    (folder / "case.md").write_text(text, encoding="utf-8")
    diagnostics = check_case(folder).diagnostics
    assert [d for d in diagnostics if d.is_error] == [], [str(d) for d in diagnostics]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--journal", "nature"], "unknown journal 'nature'"),
    (["--type", "letter"], "has no article type 'letter'"),
])
def test_unknown_journals_and_types_are_usage_errors(tmp_path, capsys, arguments, message):
    assert main(["new", str(tmp_path / "x"), *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_new_never_overwrites(tmp_path, capsys):
    folder = tmp_path / "case"
    folder.mkdir()
    assert main(["new", str(folder)]) == 0  # an empty folder is fine
    before = (folder / "case.md").read_bytes()
    assert main(["new", str(folder)]) == 2
    assert "does not overwrite" in capsys.readouterr().err
    assert (folder / "case.md").read_bytes() == before
    (tmp_path / "file").write_text("x")
    assert main(["new", str(tmp_path / "file")]) == 2


def _uncomment_examples(text: str) -> str:
    """The lines under each "#   for example:" uncommented (those of a required key), the marker removed."""
    out, inside = [], False
    for line in text.split("\n"):
        if line == "#   for example:":
            inside = True
            continue
        if inside and line.startswith("#   "):
            out.append(line[2:])
            continue
        inside = False
        out.append(line)
    return "\n".join(out)
