"""Initials and labels, as the format specifies them."""
from __future__ import annotations

import pytest

from casepub.model import Affiliation, Author
from casepub.naming import affiliation_labels, author_initials, label


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
