"""Every value of the model can say where it was written; every body line maps to case.md."""
from __future__ import annotations

from casepub import load_case
from casepub.load.markdown import body_blocks
from conftest import REFERENCE


def source_line(number: int) -> str:
    return (REFERENCE / "case.md").read_text(encoding="utf-8").split("\n")[number - 1]


def test_values_know_file_line_column_and_key_path():
    case = load_case(REFERENCE).case
    where = case.where(("authors", 1, "disclosure"))
    assert where.file == REFERENCE / "case.md"
    assert where.key_path == ("authors", 1, "disclosure")
    assert source_line(where.line)[where.column - 1:] == "Nothing to disclose."
    key = case.where(("authors", 1, "disclosure"), key=True)
    assert source_line(key.line)[key.column - 1:].startswith("disclosure:")
    caption = case.where(("figures", 0, "caption", "B-C"), key=True)
    assert source_line(caption.line).strip().startswith("B-C:")


def test_an_unwritten_value_points_at_its_nearest_written_parent():
    case = load_case(REFERENCE).case
    where = case.where(("authors", 2, "email"))
    assert source_line(where.line)[where.column - 1:] == "name: Qu Wei"


def test_model_is_typed_and_immutable():
    case = load_case(REFERENCE).case
    meta = case.meta
    assert meta.authors[4].equal_contributor is True and meta.authors[0].equal_contributor is False
    assert meta.fda_status.status == "not-applicable" and meta.fda_status.products == ()
    assert meta.affiliations[0].postal_code == "710054"
    assert meta.figures[0].caption["B-C"].startswith("A total of 4.5 mL")
    try:
        meta.authors[0].name = "Someone Else"
    except Exception as error:
        assert "frozen" in str(error)
    else:
        raise AssertionError("the model must be immutable")


def test_body_lines_map_back_to_case_md():
    case = load_case(REFERENCE).case
    blocks = body_blocks(case.body)
    [paragraph] = blocks
    offset = paragraph.source.index("(Figure F)")
    line, column = paragraph.position(offset)
    assert source_line(line)[column - 1:].startswith("(Figure F)")
    assert case.body.file_line(0) == case.body.first_line
    assert source_line(case.body.first_line - 1) == "---"


def test_json_schema_for_editors_uses_the_keys_authors_write():
    from casepub.model import FrontMatter

    schema = FrontMatter.model_json_schema(by_alias=True)
    assert {"article-type", "fda-status", "conflict-statement", "figures"} <= set(schema["properties"])
    assert "equal-contributor" in schema["$defs"]["Author"]["properties"]
