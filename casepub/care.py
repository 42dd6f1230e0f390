"""The CARE checklist, filled in: where a case satisfies each of the 13 CARE items and their sub-items.

The item texts are the CARE 2013 checklist's own (Gagnier et al., care-statement.org), kept here as data.
What can be found mechanically is found: a front-matter key (title, keywords, the abstract and its sections,
timeline, consent), a heading of the body (the profile's sections with their synonyms, or a heading CARE names,
"Clinical findings"), and the page of the rendered PDF each starts on (recorded beside the PDF when it is made:
PAGES_SUFFIX). What cannot (does the case give "de-identified demographic information"?) is marked unsure, with
the section it most likely is in: confirming it is the author's.

Status: found (where it says), unsure (most likely there; the author confirms), not-found. `casepub care` exits
1 when a required item is not found; unsure items do not fail it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from casepub.checks.text import TYPED_NUMBER
from casepub.load.markdown import TextBlock, body_blocks
from casepub.model import Case
from casepub.profiles import Profile, Wording, section_key
from casepub.references.cite import clusters, code_spans
from casepub.render.html import fill
from casepub.render.markdown import section_id

if TYPE_CHECKING:
    from casepub.render.html import ArticleView

Status = Literal["found", "unsure", "not-found"]
PAGES_SUFFIX = ".pages.json"  # beside <case>.pdf: the page each part of the article starts on
MARKS = {"found": "✓", "unsure": "?", "not-found": "✗"}
SOURCE = ("Gagnier JJ, Kienle G, Altman DG, Moher D, Sox H, Riley D; the CARE Group. The CARE guidelines: "
          "consensus-based clinical case reporting guideline development. 2013. https://www.care-statement.org")


@dataclass(frozen=True)
class Item:
    """One row of the checklist, and how to find it. `keys` and `headings` satisfy it when present (or only
    locate it, `exact=False`); `near_keys` and `section` (a profile section) say where it most likely is."""
    number: int
    sub: str                        # "" for the item itself, "a" ... "d"
    topic: str
    text: str
    keys: tuple[str, ...] = ()      # front-matter keys, dotted: "abstract.introduction"
    headings: tuple[str, ...] = ()  # headings CARE names for it, at any level
    near_keys: tuple[str, ...] = ()
    section: str | None = None      # the profile's section (by name, with its synonyms) it is usually in
    exact: bool = True              # a key or heading found satisfies it (False: locates it only)
    section_exact: bool = False     # the profile's section satisfies it
    cited: bool = False             # ... or does when it cites a reference ([@key])
    required: bool = True


_CASE = "Case presentation"
_PATIENT = ("Patient information", "Patient history", "History")
_FINDINGS = ("Clinical findings", "Physical examination", "Examination", "Findings")
_DIAGNOSTIC = ("Diagnostic assessment", "Diagnosis", "Diagnostic workup", "Investigations")
_THERAPY = ("Therapeutic intervention", "Therapeutic interventions", "Treatment", "Management", "Intervention",
            "Interventions")
_FOLLOW_UP = ("Follow-up and outcomes", "Follow-up and outcome", "Outcome and follow-up", "Follow-up", "Outcome",
              "Outcomes")
_ABSTRACT = ("abstract",)

ITEMS: tuple[Item, ...] = (
    Item(1, "", "Title", "The diagnosis or intervention of primary focus followed by the words “case report”",
         keys=("title",)),
    Item(2, "", "Key words", "2 to 5 key words that identify diagnoses or interventions in this case report, "
         "including “case report”", keys=("keywords",)),
    Item(3, "", "Abstract", "(no references)", keys=("abstract",)),
    Item(3, "a", "Abstract", "Introduction: What is unique about this case and what does it add to the scientific "
         "literature?", keys=("abstract.introduction", "abstract.background"), near_keys=_ABSTRACT),
    Item(3, "b", "Abstract", "Main symptoms and/or important clinical findings", keys=("abstract.case-presentation",),
         near_keys=_ABSTRACT),
    Item(3, "c", "Abstract", "The main diagnoses, therapeutic interventions, and outcomes",
         keys=("abstract.diagnoses", "abstract.interventions", "abstract.outcomes"),
         near_keys=("abstract.case-presentation", "abstract")),
    Item(3, "d", "Abstract", "Conclusion—What is the main “take-away” lesson(s) from this case?",
         keys=("abstract.conclusion",), near_keys=_ABSTRACT),
    Item(4, "", "Introduction", "One or two paragraphs summarizing why this case is unique (may include references)",
         section="Introduction", section_exact=True),
    Item(5, "", "Patient information", "", headings=_PATIENT, section=_CASE),
    Item(5, "a", "Patient information", "De-identified patient specific information", headings=_PATIENT,
         section=_CASE, exact=False),
    Item(5, "b", "Patient information", "Primary concerns and symptoms of the patient", headings=_PATIENT,
         section=_CASE, exact=False),
    Item(5, "c", "Patient information", "Medical, family, and psycho-social history including relevant genetic "
         "information", headings=_PATIENT, section=_CASE, exact=False),
    Item(5, "d", "Patient information", "Relevant past interventions with outcomes", headings=_PATIENT,
         section=_CASE, exact=False),
    Item(6, "", "Clinical findings", "Describe significant physical examination (PE) and important clinical findings",
         headings=_FINDINGS, section=_CASE),
    Item(7, "", "Timeline", "Historical and current information from this episode of care organized as a timeline",
         keys=("timeline",), headings=("Timeline",)),
    Item(8, "", "Diagnostic assessment", "", headings=_DIAGNOSTIC, section=_CASE),
    Item(8, "a", "Diagnostic assessment", "Diagnostic testing (such as PE, laboratory testing, imaging, surveys)",
         headings=_DIAGNOSTIC, section=_CASE, exact=False),
    Item(8, "b", "Diagnostic assessment", "Diagnostic challenges (such as access to testing, financial, or cultural)",
         headings=_DIAGNOSTIC, section=_CASE, exact=False),
    Item(8, "c", "Diagnostic assessment", "Diagnosis (including other diagnoses considered)", headings=_DIAGNOSTIC,
         section=_CASE, exact=False),
    Item(8, "d", "Diagnostic assessment", "Prognosis (such as staging in oncology) where applicable",
         headings=_DIAGNOSTIC, section=_CASE, exact=False),
    Item(9, "", "Therapeutic intervention", "", headings=_THERAPY, section=_CASE),
    Item(9, "a", "Therapeutic intervention", "Types of therapeutic intervention (such as pharmacologic, surgical, "
         "preventive, self-care)", headings=_THERAPY, section=_CASE, exact=False),
    Item(9, "b", "Therapeutic intervention", "Administration of therapeutic intervention (such as dosage, strength, "
         "duration)", headings=_THERAPY, section=_CASE, exact=False),
    Item(9, "c", "Therapeutic intervention", "Changes in therapeutic intervention (with rationale)",
         headings=_THERAPY, section=_CASE, exact=False),
    Item(10, "", "Follow-up and outcomes", "", headings=_FOLLOW_UP, section=_CASE),
    Item(10, "a", "Follow-up and outcomes", "Clinician and patient-assessed outcomes (if available)",
         headings=_FOLLOW_UP, section=_CASE, exact=False),
    Item(10, "b", "Follow-up and outcomes", "Important follow-up diagnostic and other test results",
         headings=_FOLLOW_UP, section=_CASE, exact=False),
    Item(10, "c", "Follow-up and outcomes", "Intervention adherence and tolerability (How was this assessed?)",
         headings=_FOLLOW_UP, section=_CASE, exact=False),
    Item(10, "d", "Follow-up and outcomes", "Adverse and unanticipated events", headings=_FOLLOW_UP, section=_CASE,
         exact=False),
    Item(11, "", "Discussion", "", section="Discussion", section_exact=True),
    Item(11, "a", "Discussion", "A scientific discussion of the strengths AND limitations associated with this case "
         "report", section="Discussion"),
    Item(11, "b", "Discussion", "Discussion of the relevant medical literature with references",
         section="Discussion", cited=True),
    Item(11, "c", "Discussion", "The scientific rationale for any conclusions (including assessment of possible "
         "causes)", section="Discussion"),
    Item(11, "d", "Discussion", "The primary “take-away” lessons of this case report (without references) in a one "
         "paragraph conclusion", section="Conclusion", section_exact=True),
    Item(12, "", "Patient perspective", "The patient should share their perspective in one to two paragraphs on the "
         "treatment(s) they received", section="Patient perspective", section_exact=True, required=False),
    Item(13, "", "Informed consent", "Did the patient give informed consent? Please provide if requested",
         keys=("consent", "consent-statement")),
)

# Where a key prints: the id of its element in the article template (place_pages in casepub/render/pdf.py).
_KEY_PLACES = {"title": "title", "keywords": "keywords", "abstract": "abstract-heading", "timeline": "timeline",
               "consent": "consent", "consent-statement": "consent"}
# The headings CARE's own names stand for, when the profile has no such section.
_DEFAULT_SECTIONS = {"Introduction": ("Introduction", "Background"),
                     _CASE: (_CASE, "Case report", "Case description"),
                     "Discussion": ("Discussion",), "Conclusion": ("Conclusion", "Conclusions"),
                     "Patient perspective": ("Patient perspective", "Patient's perspective")}


@dataclass(frozen=True)
class Where:
    section: str | None = None   # the heading as written
    key: str | None = None       # the front-matter key, dotted
    line: int | None = None      # in case.md
    page: int | None = None      # in the rendered PDF

    @property
    def place(self) -> str:
        """Where it prints, as place_pages names it."""
        if self.key:
            return _KEY_PLACES.get(self.key.split(".")[0], "")
        return section_id(self.section or "")


@dataclass(frozen=True)
class Entry:
    item: Item
    status: Status
    where: Where = Where()
    note: str | None = None

    @property
    def label(self) -> str:
        return f"{self.item.number}{self.item.sub}"

    def to_json(self, wording: Wording) -> dict[str, Any]:
        return {"item": self.item.number, "sub": self.item.sub or None, "topic": topic_of(self.item, wording),
                "text": text_of(self.item, wording), "status": self.status, "required": self.item.required,
                "where": {"section": self.where.section, "key": self.where.key, "line": self.where.line,
                          "page": self.where.page},
                "note": self.note}


@dataclass(frozen=True)
class Checklist:
    case: Case
    entries: tuple[Entry, ...]
    pdf: Path | None = None       # the PDF the pages are from
    pages_note: str = ""          # why there are no pages, when there are none
    wording: Wording = field(default_factory=Wording)  # the profile's: the words the checklist prints
    first_page: int = 1           # the number printed on the PDF's first page (in an issue, its place there)

    def pdf_page(self, page: int) -> int:
        """The page of the PDF file (from 1) that prints page number `page`: for a link to it."""
        return page - self.first_page + 1

    @property
    def complete(self) -> bool:
        """Every required item is found (unsure ones too: their content is the author's to confirm)."""
        return not any(e.status == "not-found" and e.item.required for e in self.entries)

    def count(self, status: Status) -> int:
        return sum(e.status == status for e in self.entries)

    def to_json(self) -> dict[str, Any]:
        return {"checklist": "CARE 2013", "case": str(self.case.folder), "title": self.case.meta.title,
                "pdf": str(self.pdf) if self.pdf else None, "pages-note": self.pages_note or None,
                "complete": self.complete,
                "items": [entry.to_json(self.wording) for entry in self.entries]}


def text_of(item: Item, wording: Wording) -> str:
    """An item's text in the journal's language: the profile's care-items, else CARE's own English."""
    return wording.care_items.get(f"{item.number}{item.sub}", item.text)


def topic_of(item: Item, wording: Wording) -> str:
    return wording.care_topics.get(str(item.number), item.topic)


def fill_in(case: Case, profile: Profile | None, places: dict[str, int] | None = None) -> tuple[Entry, ...]:
    """Each CARE item and sub-item with where the case satisfies it; `places`: pages from place_pages."""
    blocks = body_blocks(case.body)
    wording = profile.wording if profile else Wording()
    entries = []
    for item in ITEMS:
        entry = _locate(item, case, profile, blocks, wording)
        if places and entry.status != "not-found":
            entry = Entry(item, entry.status, Where(entry.where.section, entry.where.key, entry.where.line,
                                                    places.get(entry.where.place)), entry.note)
        entries.append(entry)
    return tuple(entries)


def _locate(item: Item, case: Case, profile: Profile | None, blocks: list[TextBlock], wording: Wording) -> Entry:
    headings = [block for block in blocks if block.kind == "heading"]
    for key in item.keys:
        if _has(case, key):
            return Entry(item, "found" if item.exact else "unsure", _at_key(case, key),
                         _key_note(item, case, key, wording))
    heading = _heading(headings, item.headings)
    if heading is not None:
        status: Status = "found" if item.exact else "unsure"
        return Entry(item, status, _at_heading(heading), None if item.exact else wording.care_confirm)
    for key in item.near_keys:
        if _has(case, key):
            return Entry(item, "unsure", _at_key(case, key), fill(wording.care_likely_in, key=key))
    if item.section:
        heading = _heading(headings, _section_headings(profile, item.section, case))
        if heading is not None:
            if item.section_exact:
                return Entry(item, "found", _at_heading(heading))
            if item.cited and _cites(blocks, heading):
                return Entry(item, "found", _at_heading(heading), wording.care_cites)
            return Entry(item, "unsure", _at_heading(heading), wording.care_likely_here)
    return Entry(item, "not-found", note=_missing(item, wording))


def _cites(blocks: list[TextBlock], heading: TextBlock) -> bool:
    """Whether the section under `heading` (to the next heading of its level or above) cites a reference."""
    start = blocks.index(heading) + 1
    for block in blocks[start:]:
        if block.kind == "heading" and block.level <= heading.level:
            return False
        if any(clusters(block.source, code_spans(block.source))):
            return True
    return False


def _has(case: Case, key: str) -> bool:
    meta = case.meta
    if key.startswith("abstract."):
        return any(name == key.split(".", 1)[1] for name, _ in meta.abstract_sections)
    value = getattr(meta, key.replace("-", "_"), None)
    return bool(value.strip() if isinstance(value, str) else value)


def _at_key(case: Case, key: str) -> Where:
    return Where(key=key, line=case.where(tuple(key.split(".")), key=True).line)


def _at_heading(block: TextBlock) -> Where:
    return Where(section=block.plain.strip(), line=block.starts[0][0])


def _heading(headings: list[TextBlock], names: tuple[str, ...]) -> TextBlock | None:
    """The first heading that is one of `names` (a number typed before it does not count)."""
    wanted = {section_key(name) for name in names}
    for block in headings:
        title = block.plain.strip()
        typed = TYPED_NUMBER.match(title)
        if section_key(title[typed.end():] if typed else title) in wanted:
            return block
    return None


def _section_headings(profile: Profile | None, name: str, case: Case) -> tuple[str, ...]:
    """The headings of the profile's section `name` (its synonyms with it), else CARE's usual ones."""
    article = profile.article_types.get(case.meta.article_type) if profile else None
    for section in article.sections if article else ():
        if section.name == name:
            return section.headings
    return _DEFAULT_SECTIONS.get(name, (name,))


def _key_note(item: Item, case: Case, key: str, wording: Wording) -> str | None:
    """What CARE asks of a key that can be read: the words "case report" in the title and the keywords, 2 to 5
    keywords, a waived consent's reason."""
    meta = case.meta
    if key == "title" and "case report" not in (meta.title or "").casefold():
        return wording.care_title_words
    if key == "keywords":
        notes = []
        count = len(meta.keywords)
        if not 2 <= count <= 5:
            notes.append(fill(wording.care_keyword_count, n=count))
        if not any("case report" in word.casefold() for word in meta.keywords):
            notes.append(wording.care_keyword_words)
        return "; ".join(notes) or None
    consent = meta.consent_given
    if item.number == 13 and consent is not None:
        reason = consent.reason or wording.care_no_reason
        return wording.care_obtained if consent.status == "obtained" else fill(wording.care_waived, reason=reason)
    return None


def _missing(item: Item, wording: Wording) -> str:
    """How to supply an item that is not found."""
    if item.keys:
        return fill(wording.care_add_key, key=item.keys[0])
    name = item.headings[0] if item.headings else item.section
    return fill(wording.care_add_section, name=name) + ("" if item.required else " " + wording.care_recommended)


def checklist(case: Case, profile: Profile | None, out: Path | None = None,
              places: dict[str, int] | None = None, pdf: Path | None = None, first_page: int = 1) -> Checklist:
    """The filled-in checklist; pages from `places` (pages of the PDF, from 1, as place_pages gives them) when
    given, else from the PDF rendered under `out` (out/<case>/<case>.pdf with its PAGES_SUFFIX file), when it is
    as current as case.md. Pages are given as printed: counted from `first_page` (an article in an issue)."""
    note = ""
    wording = profile.wording if profile else Wording()
    if places is None and out is not None:
        pdf = out / case.name / f"{case.name}.pdf"
        places, note, first_page = read_places(case, pdf, wording)
        pdf = pdf if places is not None else None
    printed = {name: page + first_page - 1 for name, page in places.items()} if places is not None else None
    return Checklist(case, fill_in(case, profile, printed), pdf, note, wording, first_page)


def pages_record(case: Case, pdf_data: bytes, places: dict[str, int], first_page: int = 1) -> str:
    """The PAGES_SUFFIX file's text: the places (pages of the PDF, from 1) and the number printed on its first
    page, with the digests of the PDF and of the case.md it was made from."""
    return json.dumps({"pdf-sha256": hashlib.sha256(pdf_data).hexdigest(), "case-sha256": _digest(case.file),
                       "places": places, "first-page": first_page}, indent=1, sort_keys=True) + "\n"


def read_places(case: Case, pdf: Path, wording: Wording) -> tuple[dict[str, int] | None, str, int]:
    """The pages recorded beside `pdf` and the number printed on its first page; or None and why: no PDF, or
    one made from another case.md."""
    record = pdf.with_name(pdf.stem + PAGES_SUFFIX)
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        current = (data["pdf-sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
                   and data["case-sha256"] == _digest(case.file))
        places = {str(k): int(v) for k, v in data["places"].items()}
        first_page = int(data.get("first-page", 1))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, fill(wording.care_no_pdf, pdf=pdf), 1
    if not current:
        return None, fill(wording.care_old_pdf, pdf=pdf), 1
    return places, "", first_page


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def format_text(found: Checklist) -> str:
    """The checklist for a terminal: a mark, the item, where; in the profile's words."""
    wording = found.wording
    title = found.case.meta.title or wording.care_untitled
    lines = [fill(wording.care_text_title, case=found.case.folder, title=title),
             fill(wording.care_pages_from, pdf=found.pdf) if found.pdf else found.pages_note, ""]
    for entry in found.entries:
        text, topic = text_of(entry.item, wording), topic_of(entry.item, wording)
        text = (text if entry.item.sub or not text else f"{topic}: {text}") if text else topic
        lines.append(f"{MARKS[entry.status]} {entry.label:<4}{text}")
        lines.append(f"        {_where_text(entry, wording)}")
    lines.append("")
    counts = {status: found.count(status) for status in ("found", "unsure", "not-found")}
    verdict = wording.care_text_complete if found.complete else wording.care_text_incomplete
    lines.append(fill(wording.care_text_summary, found=counts["found"], unsure=counts["unsure"],
                      missing=counts["not-found"], verdict=verdict))
    return "\n".join(lines)


def _where_text(entry: Entry, wording: Wording) -> str:
    if entry.status == "not-found":
        return fill(wording.care_text_missing, note=entry.note)
    where = entry.where
    parts = [fill(wording.care_section, section=where.section) if where.section else fill(wording.care_key,
                                                                                           key=where.key)]
    if where.line:
        parts.append(fill(wording.care_line, line=where.line))
    if where.page:
        parts.append(fill(wording.care_page, page=where.page))
    return ", ".join(parts) + (f" ({entry.note})" if entry.note else "")


def grouped(entries: tuple[Entry, ...]) -> list[tuple[Entry, list[Entry]]]:
    """Each item with its sub-items, as the checklist page shows them."""
    groups: list[tuple[Entry, list[Entry]]] = []
    for entry in entries:
        if entry.item.sub and groups:
            groups[-1][1].append(entry)
        else:
            groups.append((entry, []))
    return groups


def article_link(entry: Entry, wording: Wording) -> str | None:
    """Where the article page (index.html beside the checklist) shows an entry: the abstract and a section by
    their ids, a statement by its text (a text fragment)."""
    if entry.status == "not-found":
        return None
    key = (entry.where.key or "").split(".")[0]
    if key == "abstract":
        return "index.html#abstract-heading"
    if key == "title":
        return "index.html"
    if not key and entry.where.section:
        return f"index.html#{section_id(entry.where.section)}"  # the body's headings have ids (render/markdown.py)
    labels = {"keywords": wording.keywords, "timeline": wording.timeline, "consent": wording.consent_label,
              "consent-statement": wording.consent_label}
    text = labels.get(key)
    return f"index.html#:~:text={quote(text, safe='')}" if text else "index.html"


def render_checklist(view: ArticleView, found: Checklist, templates: Path | None = None) -> str:
    """care-checklist.html: the filled-in checklist journals ask authors to upload, in the journal's theme."""
    from casepub.render.html import dated, environment

    article = view.profile.article_types[view.case.meta.article_type]
    template = environment(article.template or view.profile.template, templates).get_template("care-checklist.html.j2")
    wording = view.profile.wording
    return template.render(article=view, checklist=found, groups=grouped(found.entries), marks=MARKS,
                           link=lambda entry: article_link(entry, wording), source=SOURCE,
                           text=lambda item: text_of(item, wording), topic=lambda item: topic_of(item, wording),
                           date=dated(wording.date_format, view.date, wording) if view.date else "")
