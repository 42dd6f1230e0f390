"""Initials and labels, as the format specifies them."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casepub.model import Affiliation, Author
from casepub.naming import affiliation_labels, author_initials, label, needs_initials, script_lang


def initials(*names: str) -> tuple[str, ...]:
    return author_initials([Author(name=name) for name in names])


def test_reference_authors_initials():
    assert initials("Wentao Wang", "Kun Duan", "Qu Wei", "Qining Wu", "Jijun Liu", "Dingjun Hao") == (
        "WW", "KD", "QuW", "QiW", "JL", "DH")


def test_collisions_lengthen_until_unique():
    assert initials("Wei Zhang", "Wen Zhao") == ("WeiZ", "WenZ")
    assert initials("Wei Zhang", "Wen Zhao", "Kun Duan") == ("WeiZ", "WenZ", "KD")


def test_same_given_names_lengthen_the_family_name():
    assert initials("Wei Zhang", "Wei Zhou") == ("WZha", "WZho")
    assert initials("Nguyễn Thị Trần", "Nguyễn Thị Tanaka", "Kun Duan") == ("NTTr", "NTTa", "KD")


def test_family_name_particles_are_lower_case_initials():
    assert initials("Anne-Marie van der Berg", "Ludwig van Beethoven", "Maria de la Cruz") == ("AMvdB", "LvB", "MdlC")
    authors = [Author(given="Anne-Marie", family="van der Berg"), Author(given="Jan", family="de Vries")]
    assert author_initials(authors) == ("AMvdB", "JdV")
    assert author_initials([Author(name="Anne-Marie van der Berg", initials="AvdB")]) == ("AvdB",)


def test_three_way_collision():
    assert initials("Ana Silva", "Anabela Santos", "Alberto Sousa") == ("AnaS", "AnabS", "AlS")


def test_given_family_and_diacritics():
    authors = [Author(given="Łukasz", family="Nowak"), Author(given="Văn Anh", family="Nguyễn"),
               Author(given="José", family="Núñez"), Author(given="Jean-Pierre", family="Dupont")]
    assert author_initials(authors) == ("ŁN", "VAN", "JN", "JPD")


def test_decomposed_letters_count_as_one(tmp_path):
    import shutil

    from casepub import load_case
    from conftest import REFERENCE, edit

    shutil.copytree(REFERENCE, tmp_path / "case")
    edit(tmp_path / "case", "  - name: Wentao Wang\n", "  - name: E\u0301mile Nguye\u0302\u0303n\n")
    case = load_case(tmp_path / "case").case
    assert case.meta.authors[0].name == "Émile Nguyễn"
    assert author_initials(case.meta.authors)[0] == "ÉN"


def test_hand_set_initials_are_kept_and_others_move_aside():
    authors = [Author(name="Dingjun Hao", initials="DH"), Author(name="Dan Hu")]
    assert author_initials(authors) == ("DH", "DaH")


def test_identical_names_stay_colliding_for_the_check_to_report():
    first, second = initials("Qu Wei", "Qu Wei")
    assert first == second


@pytest.mark.parametrize("index, alpha", [(0, "a"), (1, "b"), (25, "z"), (26, "aa"), (27, "ab"), (51, "az"),
                                          (52, "ba"), (701, "zz"), (702, "aaa")])
def test_alpha_labels_past_26(index, alpha):
    assert label(index, "alpha") == alpha


def test_numeric_and_symbol_labels():
    assert [label(i, "numeric") for i in range(3)] == ["1", "2", "3"]
    assert [label(i, "symbols") for i in (0, 1, 5, 6, 7)] == ["*", "†", "‖", "**", "††"]


def test_affiliations_are_labelled_in_order_of_first_use():
    affiliations = [Affiliation(id=f"x{i}", name=["Place"]) for i in range(30)]
    authors = [Author(name="A B", affiliations=["x29", "x3"])] + [
        Author(name=f"N{i} M", affiliations=[f"x{i}"]) for i in range(28)]
    labels = affiliation_labels(authors, affiliations, "alpha")
    assert labels["x29"] == "a" and labels["x3"] == "b" and labels["x0"] == "c"
    assert len(labels) == 29 and labels["x27"] == "ac"  # x29, x3, then x0..x27 without x3
    assert "x28" not in labels  # never used


# --- names in other scripts (issue 9, item 8) -------------------------------------------------------------------

@pytest.mark.parametrize("author, printed", [
    (Author(given="文涛", family="王"), "王文涛"),              # Chinese: family name first, no space
    (Author(given="さくら", family="山田"), "山田さくら"),        # Japanese
    (Author(given="민준", family="김"), "김민준"),              # Korean
    (Author(name="王文涛"), "王文涛"),                          # `name` prints as written
    (Author(name="山田 太郎"), "山田 太郎"),
    (Author(name="Ming Li (李明)"), "Ming Li (李明)"),
    (Author(given="Wentao", family="王"), "Wentao 王"),         # a Latin given name: "given family"
    (Author(given="محمد", family="الأحمد"), "محمد الأحمد"),   # right to left, given name first
    (Author(given="अमित", family="शर्मा"), "अमित शर्मा"),
])
def test_names_print_in_their_own_order(author, printed):
    assert author.display_name == printed


def test_the_family_name_of_a_name_written_family_first_or_with_its_native_form():
    assert Author(name="山田 太郎").given_family == ("太郎", "山田")
    assert Author(name="王文涛").given_family == ("", "王文涛")
    assert Author(name="Ming Li (李明)").given_family == ("Ming", "Li")
    assert Author(name="Anna（安娜） Schmidt").given_family == ("Anna", "Schmidt")  # full-width brackets


def test_initials_are_not_derived_from_names_without_capitals():
    caseless = [Author(given="文涛", family="王"), Author(name="김민준"), Author(name="محمد الأحمد"),
                Author(name="דוד כהן"), Author(given="अमित", family="शर्मा"), Author(given="สมชาย", family="ใจดี")]
    assert all(needs_initials(author) for author in caseless)
    # Until `initials:` is set (CP028 asks for it), the whole name stands in the disclosures line.
    assert author_initials(caseless) == ("王文涛", "김민준", "محمد الأحمد", "דוד כהן", "अमित शर्मा", "สมชาย ใจดี")
    assert not needs_initials(Author(given="文涛", family="王", initials="WW"))


def test_names_with_capitals_keep_derived_initials():
    authors = [Author(name="Ming Li (李明)"), Author(name="Γεώργιος Παπαδόπουλος"), Author(name="Иван Петров"),
               Author(name="Mei Lin"), Author(given="文涛", family="王", initials="ML")]
    assert not any(needs_initials(author) for author in authors[:4])
    assert author_initials(authors) == ("MiL", "ΓΠ", "ИП", "MeL", "ML")  # hand-set ML: the others make way


def test_kana_and_hangul_tell_the_language():
    assert script_lang("山田さくら") == "ja" and script_lang("さいたま市立病院") == "ja"
    assert script_lang("김민준") == "ko"
    assert script_lang("王文涛") is None and script_lang("Wentao Wang") is None  # Han alone: zh or ja


_LATIN_NAME = st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8}){1,2}", fullmatch=True)
_NATIVE = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=4)


@settings(max_examples=50, deadline=None)
@given(_LATIN_NAME, _NATIVE)
def test_a_native_form_in_brackets_changes_neither_initials_nor_family_name(name, native):
    plain, bracketed = Author(name=name), Author(name=f"{name} ({native})")
    assert author_initials([bracketed]) == author_initials([plain])
    assert bracketed.given_family == plain.given_family and not needs_initials(bracketed)
    assert bracketed.display_name == f"{name} ({native})"


def test_a_letter_without_a_capital_before_the_first_capital_is_not_an_initial():
    assert initials("Kalani ʻAkau", "Keoni ʻŌpūnui") == ("KA", "KŌ")  # the ʻokina is a letter (U+02BB)
