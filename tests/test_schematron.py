"""JATS4R's Schematron rules on JATS articles (casepub.xml.schematron), with SaxonC-HE and the ISO skeleton.

The articles are in tests/xml/jats4r/: the two samples from the project's standards folder (one that passes,
one with two known CRediT errors) and three of JATS4R's own test files (jats-schematrons 0.0.16, MIT),
which are built to break the rules they are named after.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from casepub.xml import schematron
from casepub.xml.schematron import Finding

HERE = Path(__file__).resolve().parent / "xml" / "jats4r"

WRONG_VOCAB_IDENTIFIER = "A CRediT taxonomy role must have a @vocab-identifier whose value is https://credit.niso.org/."
WRONG_TERM = (
    "A CRediT taxonomy role must have a @vocab-term, whose value is a specific CRediT taxonomy term, and a "
    "@vocab-term-identifier, whose value is the URL for that corresponding CRediT term. Either the @vocab-term "
    "- Conceptualization - is incorrect and must be Methodology, or the @vocab-term-identifier - "
    "https://credit.niso.org/contributor-roles/methodology/ - is incorrect and must be "
    "https://credit.niso.org/contributor-roles/conceptualization/.")

Check = Callable[[bytes], list[Finding]]


@pytest.fixture(scope="module")
def jats4r() -> Check:
    """The checker, its rules compiled once for the module (the first call compiles them)."""
    if not schematron.available():
        pytest.skip("saxonche (SaxonC-HE) is not installed: the JATS4R Schematron rules need an XSLT 2 processor")
    schematron.jats4r((HERE / "valid-article-credit.xml").read_bytes())
    return schematron.jats4r


def article(name: str) -> bytes:
    return (HERE / name).read_bytes()


def messages(findings: list[Finding], role: str) -> list[str]:
    return sorted(f.message for f in findings if f.role == role)


def with_doctype(data: bytes, doctype: str) -> bytes:
    """The article with a DOCTYPE put before its root element."""
    head, sep, tail = data.partition(b"<article ")
    assert sep, "no <article> in the sample"
    return head + doctype.encode() + b"\n" + sep + tail


def test_valid_sample_has_no_error_and_no_warning(jats4r: Check) -> None:
    findings = jats4r(article("valid-article-credit.xml"))
    assert [f for f in findings if f.role in ("error", "warning")] == []


def test_invalid_sample_has_the_two_credit_errors(jats4r: Check) -> None:
    findings = jats4r(article("invalid-article-credit.xml"))
    assert messages(findings, "error") == sorted([WRONG_VOCAB_IDENTIFIER, WRONG_TERM])
    assert messages(findings, "warning") == []
    located = {f.message: f for f in findings}
    assert located[WRONG_TERM].location == "/article[1]/front[1]/article-meta[1]/contrib-group[1]/contrib[1]/role[1]"
    assert located[WRONG_VOCAB_IDENTIFIER].location.endswith("/contrib[1]/role[2]")
    assert located[WRONG_VOCAB_IDENTIFIER].test == "@vocab-identifier='https://credit.niso.org/'"


@pytest.mark.parametrize(("name", "expected"), [
    # Each of JATS4R's test files breaks the rules it is named after; one error of each is named here.
    ("credit-test1.xml", "A CRediT taxonomy role must have a @vocab whose value is 'credit'."),
    ("funding-test1.xml", "There can only be 1 <funding-group> within <article-meta>. This one has 2"),
    # needs clinical-trial-registries.xml beside the rules to know which registries are WHO-approved
    ("clinical-trials.xml", "Clinical trial <related-object> elements must have a source-id attribute with a value "
                            "which is either a WHO-approved registry DOI or name."),
])
def test_jats4r_test_files_give_errors(jats4r: Check, name: str, expected: str) -> None:
    findings = jats4r(article(name))
    assert expected in messages(findings, "error")
    assert {f.role for f in findings} <= {"error", "warning", "info"}
    assert all(f.location.startswith("/article[1]") and f.test for f in findings)


def test_a_doctype_that_names_a_local_dtd_is_not_read(jats4r: Check, tmp_path: Path) -> None:
    # Read, this DTD would give the second role the @vocab-identifier that it lacks, and one error would go.
    dtd = tmp_path / "jats.dtd"
    dtd.write_text('<!ATTLIST role vocab-identifier CDATA "https://credit.niso.org/">\n', encoding="utf-8")
    data = with_doctype(article("invalid-article-credit.xml"), f'<!DOCTYPE article SYSTEM "{dtd.as_uri()}">')
    assert messages(jats4r(data), "error") == sorted([WRONG_VOCAB_IDENTIFIER, WRONG_TERM])
    # the same DTD through a parameter entity in the internal subset
    data = with_doctype(article("invalid-article-credit.xml"),
                        f'<!DOCTYPE article [<!ENTITY % jats SYSTEM "{dtd.as_uri()}"> %jats;]>')
    assert messages(jats4r(data), "error") == sorted([WRONG_VOCAB_IDENTIFIER, WRONG_TERM])


def test_a_doctype_with_a_public_id_and_no_dtd_at_hand_is_ignored(jats4r: Check) -> None:
    doctype = ('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN" '
               '"https://jats.nlm.nih.gov/publishing/1.3/JATS-journalpublishing1-3.dtd">')
    findings = jats4r(with_doctype(article("valid-article-credit.xml"), doctype))
    assert [f for f in findings if f.role in ("error", "warning")] == []


def test_an_external_entity_is_not_read(jats4r: Check, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    data = with_doctype(article("valid-article-credit.xml"),
                        f'<!DOCTYPE article [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>')
    data = data.replace(b"<article-title>A minimal", b"<article-title>&secret; A minimal")
    with pytest.raises(ValueError, match="&secret;") as raised:
        jats4r(data)
    assert "TOP-SECRET" not in str(raised.value)


def test_an_internal_entity_is_expanded(jats4r: Check) -> None:
    data = with_doctype(article("invalid-article-credit.xml"), '<!DOCTYPE article [<!ENTITY ex "Example">]>')
    data = data.replace(b"<journal-title>Journal of Example Studies", b"<journal-title>Journal of &ex; Studies")
    assert messages(jats4r(data), "error") == sorted([WRONG_VOCAB_IDENTIFIER, WRONG_TERM])


def test_text_that_is_not_xml_is_a_value_error(jats4r: Check) -> None:
    with pytest.raises(ValueError, match="not well-formed"):
        jats4r(b"<article><front></article>")
