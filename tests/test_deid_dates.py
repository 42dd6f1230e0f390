"""De-identification warns of patient dates only (issue 9, item 4): a web page's access date, a reference's
publication date, a document's version and the dates inside URLs, DOIs and e-mail addresses are not the
patient's; the patient's dates, in every format the rule reads, are still found.
"""
from __future__ import annotations

import datetime
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casepub import check_case
from casepub.diagnostics import Diagnostic
from conftest import REFERENCE, edit

SOURCE = (REFERENCE / "case.md").read_text(encoding="utf-8")
LAST = "treatment, but the patient refused."
FOLDER = Path(tempfile.mkdtemp(prefix="casepub-dates-")) / "case"
shutil.copytree(REFERENCE, FOLDER)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dates_in(text: str) -> list[Diagnostic]:
    """The CP072 warnings for the reference case with `text` as a paragraph after the last one."""
    (FOLDER / "case.md").write_text(SOURCE.replace(LAST, f"{LAST}\n\n{text}"), encoding="utf-8")
    return [d for d in check_case(FOLDER).diagnostics if d.code == "CP072"]


def found(text: str) -> list[str]:
    return [d.message.split('"')[1] for d in dates_in(text)]


# --- the patient's dates --------------------------------------------------------------------------------------

PATIENT = [
    ("She was admitted on March 12, 2023 with back pain.", "March 12, 2023"),
    ("On 2023-03-12 she underwent vertebroplasty.", "2023-03-12"),
    ("She was seen on 12 March 2023.", "12 March 2023"),
    ("Radiographs of 3rd May 2022 showed a collapse.", "3rd May 2022"),
    ("The laboratory report of 12-Mar-2023 was normal.", "12-Mar-2023"),
    ("The first radiograph was taken on 2023/03/14.", "2023/03/14"),
    ("She was discharged on 14/03/2023.", "14/03/2023"),
    ("She returned on 14.03.2023 and on 03-14-2023.", "14.03.2023"),
    ("The scan file mri-2023-03-12.png was sent to us.", "2023-03-12"),         # the scan's date is the patient's
    ("We reread [the radiograph of 12 March 2023](https://example.org).", "12 March 2023"),  # link text, not address
    ("The guideline (https://example.org/guide) was followed on 2023-03-12.", "2023-03-12"),
]


@pytest.mark.parametrize(("text", "date"), PATIENT, ids=[p[1] for p in PATIENT])
def test_the_patients_dates_are_found(text, date):
    assert date in found(text)


def test_a_patient_date_after_an_address_on_the_same_line_is_located_at_the_date():
    text = "See https://example.org/a (accessed 2026-05-01); she was admitted on 2023-03-12."
    [warning] = dates_in(text)
    line = SOURCE.replace(LAST, f"{LAST}\n\n{text}").split("\n").index(text) + 1
    assert (warning.location.line, warning.location.column) == (line, text.index("2023-03-12") + 1)


# --- dates that are not the patient's, each beside the same date where it is ----------------------------------

NOT_PATIENT = [
    ("the issue's example", "The guideline (https://example.org/spine-guideline) (accessed 2026-05-01).", "2026-05-01"),
    ("accessed on", "Spine guideline. Available at https://example.org/g, accessed on May 1, 2026.", "May 1, 2026"),
    ("Accessed:", "Spine guideline. Accessed: 2026-05-01.", "2026-05-01"),
    ("cited", "Spine guideline [Internet] [cited 5 January 2024].", "5 January 2024"),
    ("retrieved", "Retrieved 1 May 2026, from the society's pages.", "1 May 2026"),
    ("published", "The guideline, published 12 March 2023, advises cement.", "12 March 2023"),
    ("published online", "Published online 12 March 2023.", "12 March 2023"),
    ("Epub", "Spine J. Epub 12 March 2023.", "12 March 2023"),
    ("date of publication", "Date of publication: 12 March 2023.", "12 March 2023"),
    ("last updated", "The page was last updated 2023-03-12.", "2023-03-12"),
    ("version", "We followed the guideline, version 2023-03-12.", "2023-03-12"),
    ("URL query", "See https://example.org/guide?date=2023-03-12 for the guideline.", "2023-03-12"),
    ("URL path", "See <https://example.org/2023/03/12/story> for the story.", "2023/03/12"),
    ("domain with a path", "See www.example.org/news/12-03-2023 for the story.", "12-03-2023"),
    ("bare domain", "See guidelines.example.org/2023-03-12/spine for the text.", "2023-03-12"),
    ("link target", "See [the registry's report](https://example.org/2023-03-12).", "2023-03-12"),
    ("link text that is a URL", "See [https://example.org/2023-03-12](https://example.org/2023-03-12).", "2023-03-12"),
    ("DOI", "A preprint (doi:10.1101/2023.03.12.23287163) reports the same.", "2023.03.12"),
    ("e-mail address", "Write to registry.2023-03-12@example.org for the data.", "2023-03-12"),
]


@pytest.mark.parametrize(("text", "date"), [n[1:] for n in NOT_PATIENT], ids=[n[0] for n in NOT_PATIENT])
def test_dates_that_are_not_the_patients_stay_silent(text, date):
    assert found(text) == []
    assert found(f"She was seen on {date}.") == [date]  # the same date, the patient's, is found


def test_what_is_not_a_date_stays_silent():
    assert found("Values of 2023-13-45, 31/31/2023, 0.5.10 and 3.0.12 are no dates; nor is (cited 2024 Jan 5).") == []


def test_metadata_dates_in_the_front_matter_stay_silent_and_published_text_is_read(reference_copy):
    edit(reference_copy, "article-type: images-of-spine-care", "article-type: images-of-spine-care\ndate: 2023-03-12")
    edit(reference_copy, "(white arrow).\n      E:", "(white arrow, accessed 2026-05-01).\n      E:")
    assert [d for d in check_case(reference_copy).diagnostics if d.code == "CP072"] == []
    edit(reference_copy, "F: MRI T2-weighted images", "F: MRI of 2023-06-01, T2-weighted images")
    [caption] = [d for d in check_case(reference_copy).diagnostics if d.code == "CP072"]
    assert caption.location.key_path == ("figures", 0, "caption", "F") and "2023-06-01" in caption.message


# --- properties: any date, in any format, in any of these places ----------------------------------------------

FORMATS = ["%d %B %Y", "%B %d, %Y", "%d %b %Y", "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%b-%Y"]
COMPACT = [f for f in FORMATS if " " not in f]   # the formats that fit inside an address
DATES = st.builds(lambda day, form: day.strftime(form),
                  st.dates(datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)), st.sampled_from(FORMATS))
COMPACT_DATES = st.builds(lambda day, form: day.strftime(form),
                          st.dates(datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)), st.sampled_from(COMPACT))
WORDS = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
LEADS = st.sampled_from(["accessed ", "Accessed: ", "accessed on ", "(cited ", "[cited ", "retrieved ",
                         "Retrieved on ", "published ", "Published online ", "Epub ", "date of publication: ",
                         "Date accessed: ", "last updated ", "Last modified: ", "version "])
ADDRESSES = st.one_of(
    st.builds(lambda host, path, date: f"https://{host}.org/{path}/{date}", WORDS, WORDS, COMPACT_DATES),
    st.builds(lambda host, date: f"<http://{host}.com/page?from={date}&to=x>", WORDS, COMPACT_DATES),
    st.builds(lambda host, date, path: f"www.{host}.org/{date}/{path}", WORDS, COMPACT_DATES, WORDS),
    st.builds(lambda text, date: f"[{text}](https://example.org/{date})", WORDS, COMPACT_DATES),
    st.builds(lambda prefix, date: f"doi:10.{prefix}/{date}.1234", st.integers(1000, 99999), COMPACT_DATES),
    st.builds(lambda user, date, host: f"{user}.{date}@{host}.org", WORDS,  # an e-mail address has no "/"
              COMPACT_DATES.filter(lambda date: "/" not in date), WORDS),
)


@SETTINGS
@given(DATES)
def test_any_patient_date_is_found(date):
    assert found(f"She was admitted on {date} with back pain.") == [date]


@SETTINGS
@given(LEADS, DATES)
def test_any_access_or_publication_date_stays_silent(lead, date):
    assert found(f"The society's guideline ({lead}{date}) was followed.") == []


@SETTINGS
@given(ADDRESSES)
def test_any_date_inside_an_address_stays_silent(address):
    assert found(f"The guideline is at {address} for readers.") == []


def test_alt_texts_and_statements_are_published_and_read(reference_copy):
    """Alt text is in the HTML (and read aloud); the statements are printed: a patient's date there is found."""
    edit(reference_copy, "alt: Plain radiograph showing T12 collapse}",
         "alt: Plain radiograph of 2023-06-01 showing T12 collapse}")
    edit(reference_copy, "conflict-statement: >-", "consent-statement: Consent was signed on 12 March 2023.\n"
         "conflict-statement: >-")
    found = {d.location.key_path: d.message for d in check_case(reference_copy).diagnostics if d.code == "CP072"}
    assert "2023-06-01" in found[("figures", 0, "panels", 3, "alt")]
    assert "12 March 2023" in found[("consent-statement",)]


def test_the_timeline_and_the_consent_are_read(reference_copy):
    """CARE's timeline is printed as a table: a calendar date there is the patient's (write "Day 86")."""
    edit(reference_copy, "conflict-statement: >-", "timeline:\n  - {when: 2026-01-04, event: Traffic accident}\n"
         "  - {when: Day 86, event: Collapse seen on 12 March 2026}\n"
         "consent: {status: waived, reason: The ethics board waived it on 2026-02-01.}\nconflict-statement: >-")
    found = {d.location.key_path: d.message for d in check_case(reference_copy).diagnostics if d.code == "CP072"}
    assert set(found) == {("timeline", 0, "when"), ("timeline", 1, "event"), ("consent", "reason")}, found


def test_a_keyed_abstract_is_read_section_by_section(tmp_path):
    """A problem in a keyed abstract is located at its own section, not at the first."""
    care = tmp_path / "care"
    shutil.copytree(Path(__file__).parent / "cases" / "valid" / "care-case-report", care)
    edit(care, "developed vertebral osteonecrosis three months", "developed vertebral osteonecrosis on 12 March 2026,")
    [found] = [d for d in check_case(care).diagnostics if d.code == "CP072"]
    assert found.location.key_path == ("abstract", "case-presentation") and found.location.line == 7
