"""Journal profiles: YAML data in this folder, typed here, loaded once per process.

A profile says what a journal asks for: its article types with their limits
and required items, which rules run and how severe they are, the wording of
statements, label styles and the template. A journal variant is a change of
data: `journals/<id>.yaml` beside the cases adds a profile or overrides a
built-in one (its keys are merged over the built-in profile of the same id, or
over the profile it names in `extends`).
"""
from __future__ import annotations

import datetime
import difflib
import re
import string
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from casepub.codes import CODES, Stage, lookup
from casepub.diagnostics import Diagnostic, Location, SourceMap, format_key_path, sort_key
from casepub.load import yamltree
from casepub.load.files import UnsafePath, read_inside
from casepub.load.validate import validate
from casepub.model import FrontMatter, Node
from casepub.resources import PROFILES as BUILTIN
from casepub.resources import TEMPLATES

LOCAL_FOLDER = "journals"
PROFILE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")  # a profile's id, and its file's name
MAX_PROFILE_BYTES = 1 << 20
_OFF = {"off", "false", "no", "disabled"}
_ON = {"on", "true", "yes", "enabled"}
_FRONT_MATTER_KEYS = frozenset(field.alias or name for name, field in FrontMatter.model_fields.items())


class RuleSetting(Node):
    """A rule switched on or off, its severity changed, and its options (`rules:` in a profile)."""
    model_config = Node.model_config | {"extra": "allow"}
    enabled: bool = True
    severity: Literal["error", "warning"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """`off`, `on`, `warning` or `error` alone are short for the mapping."""
        if isinstance(data, str):
            word = data.strip().lower()
            if word in _OFF or word in _ON:
                return {"enabled": word in _ON}
            return {"severity": word}
        return data

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Limits(Node):
    words: int | None = None
    abstract_words: int | None = None
    title_words: int | None = None
    authors: int | None = None
    figures: int | None = None
    panels: int | None = None
    keywords_min: int | None = None
    keywords_max: int | None = None


def section_key(heading: str) -> str:
    """A heading as sections are compared: case, apostrophes (’ and ') and spacing do not matter."""
    return " ".join(heading.replace("\u2019", "'").casefold().split())


class Section(Node):
    """A section an article type asks for (`sections:`): its heading, the headings that mean the same, and
    whether it is only recommended (missing: a warning, section-recommended, not an error)."""
    name: str
    synonyms: tuple[str, ...] = ()
    recommended: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """A heading alone is short for the mapping: profiles that list names stay valid."""
        return {"name": data} if isinstance(data, str) else data

    @property
    def headings(self) -> tuple[str, ...]:
        """Every heading that is this section: its name first, then its synonyms."""
        return (self.name, *self.synonyms)


class ArticleType(Node):
    name: str
    label: str
    required: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    numbered_sections: bool | None = None    # "1. Introduction"; None: as the journal's `numbered-sections`
    abstract_sections: tuple[str, ...] = ()  # the keys a keyed abstract may have, in order (headings: wording)
    limits: Limits = Limits()
    rules: dict[str, RuleSetting] = {}
    template: str | None = None
    checklist: Literal["care"] | None = None  # the reporting checklist it follows: `casepub care`, care-checklist.html

    @field_validator("sections")
    @classmethod
    def _distinct_headings(cls, sections: tuple[Section, ...]) -> tuple[Section, ...]:
        """A heading names one section: the check could not say which section a shared synonym stands for."""
        seen: dict[str, str] = {}
        for section in sections:
            for heading in section.headings:
                key = section_key(heading)
                if key in seen:
                    raise ValueError(f"the heading {heading!r} is given for two sections ({seen[key]!r} and "
                                     f"{section.name!r})")
                seen[key] = section.name
        return sections

    @field_validator("required")
    @classmethod
    def _known_keys(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        for key in keys:
            if key not in _FRONT_MATTER_KEYS:
                close = difflib.get_close_matches(key, sorted(_FRONT_MATTER_KEYS), n=1)
                raise ValueError(f"{key!r} is not a case key" + (f"; did you mean {close[0]!r}?" if close else ""))
        return keys


class Labels(Node):
    affiliations: Literal["alpha", "numeric", "symbols"] = "alpha"


class ImageRules(Node):
    formats: tuple[Literal["PNG", "JPEG", "TIFF"], ...] = ("PNG", "JPEG", "TIFF")
    min_pixels: int = 600
    max_pixels: int = 40_000_000
    max_bytes: int = 50 << 20
    print_width: int = 720       # pixels across one panel's slot in print (slot width x print-dpi)
    print_dpi: int = 300
    jpeg_quality: int = 92


class Wording(Node):
    """Every word casepub prints that is not the case's own: a journal in another language is a profile.
    Placeholders in braces ({names}, {n}) are filled in; a pair is [singular, plural]."""
    fda_status_label: str = "FDA device/drug status"
    fda_status: dict[str, str] = {}
    disclosures_label: str = "Author disclosures"
    conflict_label: str = "Conflict of interest"
    consent_label: str = "Patient consent"
    funding_label: str = "Funding"
    equal_contribution: str = "{names} contributed equally to this work."
    running_footer: str = "{journal} {volume} ({year}) {pages}"
    contents: str = "Contents"
    figure: str = "Figure"
    figures: str = "Figures"
    and_: str = Field("and", alias="and")
    abstract: str = "Abstract"
    keywords: str = "Keywords"
    references: str = "References"            # the heading of the reference list
    authors: str = "Authors"                  # names the authors' section for screen readers
    statements: str = "Statements"            # names the statements' section for screen readers
    corresponding_author: str = "Corresponding author"
    email: str = "E-mail address"
    issue_line: str = "Volume {volume}, Issue {issue}, {month} {year}"
    # The complete article (format 2): abstract sections, history, licence, CRediT, consent, timeline, ORCID.
    abstract_sections: dict[str, str] = {
        "background": "Background", "introduction": "Introduction", "case-presentation": "Case presentation",
        "diagnoses": "Diagnoses", "interventions": "Interventions", "outcomes": "Outcomes",
        "discussion": "Discussion", "conclusion": "Conclusion"}
    history_label: str = "Article history"
    dates: dict[str, str] = {"received": "Received {date}", "revised": "Received in revised form {date}",
                             "accepted": "Accepted {date}", "published": "Available online {date}"}
    date_format: str = "{day} {month} {year}"
    copyright_line: str = "© {year} {holder}."
    license_line: str = "This is an open access article under the {name} license ({url})."
    credit_label: str = "CRediT authorship contribution statement"
    credit_roles: dict[str, str] = {
        "conceptualization": "Conceptualization", "data-curation": "Data curation",
        "formal-analysis": "Formal analysis", "funding-acquisition": "Funding acquisition",
        "investigation": "Investigation", "methodology": "Methodology",
        "project-administration": "Project administration", "resources": "Resources", "software": "Software",
        "supervision": "Supervision", "validation": "Validation", "visualization": "Visualization",
        "writing-original-draft": "Writing – original draft",
        "writing-review-editing": "Writing – review & editing"}
    consent_waived: str = "Consent for publication was waived: {reason}"
    draft_mark: str = "DRAFT"                 # at the top of every page of a draft (render --draft)
    draft_note: str = "Draft: errors to correct ({n}); this is not how the case will be published."
    blinded_author: str = "Author {n}"        # a disclosure's label in a blinded review copy (render --blind)
    blinded_note: str = "Blinded for review"  # under the title of a blinded review copy
    timeline: str = "Timeline"
    timeline_columns: tuple[str, str] = ("Date", "Event")
    orcid: str = "ORCID iD"
    orcid_mark: str = "iD"                    # the link's text after an author's name
    months: tuple[str, ...] = Field(("January", "February", "March", "April", "May", "June", "July", "August",
                                     "September", "October", "November", "December"), min_length=12, max_length=12)
    # The CARE checklist filled in (casepub/care.py: `casepub care` and care-checklist.html). The items are CARE's
    # own words, in English unless care-items gives them by label ("3a") and care-topics by number ("5").
    care_items: dict[str, str] = {}
    care_topics: dict[str, str] = {}
    care_title: str = "CARE checklist (2013), filled in"               # the page's heading
    care_page_title: str = "CARE checklist: {title}"                    # the page's <title>
    care_text_title: str = "CARE checklist (2013) for {case}: {title}"  # the first line `casepub care` prints
    care_untitled: str = "(no title)"
    care_article: str = "Article"                                        # the link to the article page
    care_complete: str = "Every required item is reported"
    care_incomplete: str = "Required items are missing"
    care_found: str = "{n} found"
    care_unsure: str = "{n} for the authors to confirm"
    care_not_found: str = "{n} not found"
    care_columns: tuple[str, str, str, str, str, str] = (
        "Topic", "Item", "Checklist item description", "Status", "Reported in (case.md)", "Page")
    care_status: dict[str, str] = {"found": "found", "unsure": "to confirm", "not-found": "not found"}
    care_missing: str = "Not found"
    care_to_confirm: str = "to confirm"
    care_recommended: str = "(recommended)"
    care_line: str = "line {line}"
    care_page: str = "page {page}"
    care_section: str = "section “{section}”"
    care_key: str = "key `{key}`"
    care_pages_from: str = "pages from {pdf}"
    care_text_missing: str = "not found: {note}"
    care_text_summary: str = "{found} found, {unsure} to confirm, {missing} not found; {verdict}"
    care_text_complete: str = "every required item is there"
    care_text_incomplete: str = "required items are missing"
    care_legend: str = ("{found} found where stated · {unsure} located by casepub, its content for the authors to "
                        "confirm · {missing} not found in the case.")
    care_links: str = "Sections link to the article, pages to the PDF."
    care_no_pages: str = "Sections link to the article, pages to the PDF (no page numbers: {reason})."
    care_source: str = "Checklist: {source}. Filled in by casepub from case.md."
    care_no_pdf: str = "no PDF with recorded pages at {pdf} (casepub render gives the page numbers)"
    care_old_pdf: str = "{pdf} was made from an earlier case.md: render it again for page numbers"
    care_confirm: str = "the author's to confirm"
    care_likely_in: str = "most likely in {key}; the author's to confirm"
    care_likely_here: str = "most likely here; the author's to confirm"
    care_cites: str = "cites references"
    care_title_words: str = "CARE asks for the words “case report” in the title"
    care_keyword_count: str = "{n} key words (CARE: 2 to 5)"
    care_keyword_words: str = "CARE asks for “case report” among them"
    care_obtained: str = "obtained"
    care_waived: str = "waived: {reason}"
    care_no_reason: str = "no reason given"
    care_add_key: str = "add `{key}:` to the front matter"
    care_add_section: str = "add a section `## {name}`"
    # The build index (casepub build FOLDER) and the issue build's report.
    build_title: str = "casepub build of {folder}"
    pdf: str = "PDF"
    page_count: tuple[str, str] = ("{n} page", "{n} pages")
    error_count: tuple[str, str] = ("{n} error", "{n} errors")
    not_rendered: str = "not rendered"
    first_error: str = "First error"
    all_diagnostics: str = "All diagnostics"
    report_title: str = "Build report: {issue}"
    report_summary: str = ("{articles} articles: {ok} built, {failed} failed; {rendered} rendered, "
                           "{cached} from the cache; {seconds} s.")
    report_manifest: str = "Manifest"
    report_columns: tuple[str, str, str, str, str, str] = ("#", "case", "status", "pages", "time", "diagnostics")
    report_jats: str = "JATS"                 # the report's column of each article's JATS XML and package
    report_deposits: str = "Deposits (Crossref, PubMed)"  # the report's heading of the issue's deposits
    report_status: dict[str, str] = {"ok": "ok", "failed": "failed", "cached": "cached"}

    # The placeholders each wording is filled with (casepub/render/html.py `fill` and `dated`, their callers in
    # casepub/ and templates/base/*.j2, and the stamp's running footer); a wording not listed takes none.
    PLACEHOLDERS: ClassVar[dict[str, tuple[str, ...]]] = {
        "fda-status": ("products",),
        "equal-contribution": ("names",),
        "running-footer": ("journal", "volume", "issue", "year", "pages"),
        "issue-line": ("volume", "issue", "month", "year", "day"),
        "dates": ("date",),
        "date-format": ("day", "month", "year"),
        "copyright-line": ("year", "holder"),
        "license-line": ("name", "short", "url", "spdx"),
        "consent-waived": ("reason",),
        "blinded-author": ("n",),
        "draft-note": ("n",),
        "build-title": ("folder",),
        "report-title": ("issue",),
        "report-summary": ("articles", "ok", "failed", "rendered", "cached", "seconds"),
        "page-count": ("n",),
        "error-count": ("n",),
        "care-page-title": ("title",),
        "care-text-title": ("case", "title"),
        "care-found": ("n",),
        "care-unsure": ("n",),
        "care-not-found": ("n",),
        "care-line": ("line",),
        "care-page": ("page",),
        "care-section": ("section",),
        "care-key": ("key",),
        "care-pages-from": ("pdf",),
        "care-text-missing": ("note",),
        "care-text-summary": ("found", "unsure", "missing", "verdict"),
        "care-legend": ("found", "unsure", "missing"),
        "care-no-pages": ("reason",),
        "care-source": ("source",),
        "care-no-pdf": ("pdf",),
        "care-old-pdf": ("pdf",),
        "care-likely-in": ("key",),
        "care-keyword-count": ("n",),
        "care-waived": ("reason",),
        "care-add-key": ("key",),
        "care-add-section": ("name",),
    }
    # The CARE checklist's labels (casepub/care.py ITEMS), the keys of care-items; care-topics' are the numbers.
    CARE_LABELS: ClassVar[tuple[str, ...]] = (
        "1", "2", "3", "3a", "3b", "3c", "3d", "4", "5", "5a", "5b", "5c", "5d", "6", "7", "8", "8a", "8b", "8c", "8d",
        "9", "9a", "9b", "9c", "10", "10a", "10b", "10c", "10d", "11", "11a", "11b", "11c", "11d", "12", "13")

    @field_validator("care_items", "care_topics")
    @classmethod
    def _care_labels(cls, texts: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        """A label the checklist has not would print nothing: said, with the labels it has."""
        labels = cls.CARE_LABELS if info.field_name == "care_items" else tuple(str(n) for n in range(1, 14))
        for label in texts:
            if label not in labels:
                raise ValueError(f"{label!r} is no CARE checklist item (they are {', '.join(labels)})")
        return texts

    def month(self, date: datetime.date) -> str:
        """The month's name, from this wording: never the locale's (strftime("%B"))."""
        return self.months[date.month - 1]

    def count(self, forms: tuple[str, str], n: int) -> str:
        return forms[0 if n == 1 else 1].replace("{n}", str(n))


_LENGTH = r"\d+(?:\.\d+)?(?:mm|cm|in|pt)"


class Page(Node):
    """Page setup for print; the values go into CSS, so they are checked to be only what they say."""
    size: str = Field("letter", pattern=rf"^(?:A[3-6]|B[45]|letter|legal|ledger|{_LENGTH} {_LENGTH})(?: portrait| landscape)?$",
                      examples=["letter", "A4", "A4 landscape", "210mm 297mm"])
    margin: str = Field("20mm", pattern=rf"^{_LENGTH}$", examples=["18mm", "0.75in"])
    running_header: bool = True
    panel_columns: int = Field(3, ge=1, le=6)  # panels side by side in a figure, or more when it would be too tall
    figure_height: float = Field(0.33, gt=0, le=1)  # the tallest a figure's panels may be: a share of the text height
    start_on: Literal["any", "recto"] = "any"  # where each article of an issue starts

    SIZES: ClassVar[dict[str, tuple[float, float, str]]] = {
        "A3": (297, 420, "mm"), "A4": (210, 297, "mm"), "A5": (148, 210, "mm"), "A6": (105, 148, "mm"),
        "B4": (250, 353, "mm"), "B5": (176, 250, "mm"),
        "letter": (8.5, 11, "in"), "legal": (8.5, 14, "in"), "ledger": (11, 17, "in")}
    POINTS: ClassVar[dict[str, float]] = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0}

    @property
    def text_block(self) -> tuple[float, float]:
        """(width, height) of the text block in points: the page less its margins."""
        words = self.size.split()
        landscape = words[-1] == "landscape"
        words = [w for w in words if w not in ("portrait", "landscape")]
        if len(words) == 2:
            width, height = (self._length(w) for w in words)
        else:
            w, h, unit = self.SIZES[words[0]]
            width, height = w * self.POINTS[unit], h * self.POINTS[unit]
        if landscape:
            width, height = max(width, height), min(width, height)
        margin = self._length(self.margin)
        return width - 2 * margin, height - 2 * margin

    @classmethod
    def _length(cls, text: str) -> float:
        return float(text[:-2]) * cls.POINTS[text[-2:]]


class Order(Node):
    equal_contributors: Literal["author", "family-name"] = "author"


class Profile(Node):
    id: str
    name: str
    short_name: str | None = None
    publisher: str | None = None
    issn: str | None = None
    extends: str | None = None
    template: str
    lang: str = "en"
    labels: Labels = Labels()
    order: Order = Order()
    images: ImageRules = ImageRules()
    page: Page = Page()
    wording: Wording = Wording()
    rules: dict[str, RuleSetting] = {}
    article_types: dict[str, ArticleType]
    # the CSL style of references and citations: a .csl file of casepub/references/styles/
    citation_style: Literal["elsevier-vancouver", "american-medical-association"] = "elsevier-vancouver"
    numbered_sections: bool = False           # section headings numbered in print and on screen, "1. Introduction"

    def sections_numbered(self, article_type: str) -> bool:
        """Whether the article type's `##` headings are numbered: its own setting, else the journal's."""
        own = self.article_types[article_type].numbered_sections
        return self.numbered_sections if own is None else own

    def rule_setting(self, article_type: str, name: str, code: str) -> RuleSetting | None:
        """The article type's setting for a rule, else the journal's; by rule name or code."""
        for table in (self.article_types[article_type].rules, self.rules):
            setting = table.get(name) or table.get(code)
            if setting is not None:
                return setting
        return None


@dataclass(frozen=True)
class Resolved:
    """A profile as loaded: `profile` is None when it could not be; `diagnostics` say why."""
    profile: Profile | None
    diagnostics: tuple[Diagnostic, ...]
    source: SourceMap | None = None


class ProfileStore:
    """Loads each profile once per process; safe to share between threads."""

    def __init__(self, builtin: Path = BUILTIN):
        self.builtin = builtin
        self._cache: dict[tuple[str, Path | None], Resolved] = {}
        self._lock = threading.Lock()

    def available(self, local: Path | None = None) -> list[str]:
        names = {p.stem for p in self.builtin.glob("*.yaml")}
        if local and (local / LOCAL_FOLDER).is_dir():
            names |= {p.stem for p in (local / LOCAL_FOLDER).glob("*.yaml")}
        return sorted(names)

    def get(self, journal: str, local: Path | None = None) -> Resolved:
        """The profile `journal`, with `local/journals/<journal>.yaml` merged over it when present."""
        key = (journal, local.resolve() if local else None)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._load(journal, key[1])
            return self._cache[key]

    def _load(self, journal: str, local: Path | None) -> Resolved:
        layers, diagnostics = self._layers(journal, local, seen=())
        if diagnostics or not layers:
            return Resolved(None, tuple(diagnostics))
        data, source = layers[0].data, layers[0].source
        for layer in layers[1:]:
            data, source = _merge(data, layer.data), source.overlaid(layer.source)
        validated = validate(Profile, yamltree.Document(data, source), root="the profile")
        base_types = set(layers[0].data.get("article-types") or {}) if len(layers) > 1 else set()
        problems = (_article_type_typos(validated.diagnostics, base_types, source) + _rule_problems(data, source)
                    + _id_problems(journal, layers) + _template_problems(data, source)
                    + _wording_problems(data, source) + _abstract_section_problems(validated.model, source))
        diagnostics = sorted({_as_profile_problem(d) for d in problems}, key=sort_key)
        return Resolved(validated.model if not diagnostics else None, tuple(diagnostics), source)

    def _layers(self, journal: str, local: Path | None,
                seen: tuple[str, ...]) -> tuple[list[yamltree.Document], list[Diagnostic]]:
        """The YAML documents that make up a profile, base first; none for a name that cannot be a
        profile's (it names a file: `../x`, or 5 000 characters, is no journal and opens nothing)."""
        if not PROFILE_ID.fullmatch(journal):
            return [], []
        if journal in seen:
            loop = " -> ".join(seen + (journal,))
            return [], [_problem(Location(Path(f"{journal}.yaml")), f"profiles extend each other in a loop: {loop}")]
        builtin_file = self.builtin / f"{journal}.yaml"
        local_folder = local / LOCAL_FOLDER if local else None
        local_file = local_folder / f"{journal}.yaml" if local_folder else None
        layers: list[yamltree.Document | None] = []
        diagnostics: list[Diagnostic] = []
        if builtin_file.is_file():
            document, problems = _read(self.builtin, builtin_file)
            layers.append(document)
            diagnostics += problems
        if local_folder and local_file and local_file.is_file():
            document, problems = _read(local_folder, local_file)
            diagnostics += problems
            if document is not None:
                parent = document.data.get("extends") if isinstance(document.data, dict) else None
                if parent and not layers:
                    base, problems = self._layers(str(parent), local, seen + (journal,))
                    if not base and not problems and isinstance(parent, str):  # not "missing id, template ..."
                        problems = [self._no_such_parent(str(parent), journal, local, document.source)]
                    layers += base
                    diagnostics += problems
                layers.append(document)
        if not layers and not diagnostics:
            return [], []
        return [layer for layer in layers if layer is not None], diagnostics

    def _no_such_parent(self, parent: str, journal: str, local: Path | None, source: SourceMap) -> Diagnostic:
        choices = [name for name in self.available(local) if name != journal]
        return Diagnostic("CP090", f"journal profile: extends {parent!r}, which is no profile (available: "
                          f"{', '.join(choices)})", source.locate(("extends",)),
                          f"{did_you_mean(parent, choices)}`extends:` names a built-in profile or another "
                          "journals/<id>.yaml")


def _read(folder: Path, file: Path) -> tuple[yamltree.Document | None, list[Diagnostic]]:
    try:
        text = read_inside(folder, file.name, MAX_PROFILE_BYTES).decode("utf-8-sig")
    except (UnsafePath, UnicodeDecodeError) as error:
        return None, [_problem(Location(file), f"journal profile cannot be read: {error}")]
    document, problems = yamltree.parse(text, file)
    if document is not None and not isinstance(document.data, dict):
        return None, [_problem(Location(file), "a journal profile must be a mapping of keys")]
    return document, [_as_profile_problem(p) for p in problems]


# The options a rule takes in a profile, beside `enabled` and `severity`.
RULE_OPTIONS: dict[str, frozenset[str]] = {"abbreviation-defined": frozenset({"known"})}
_SETTING_KEYS = frozenset({"enabled", "severity"})


def _rule_problems(data: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """`rules:` of the journal and of each article type name rules that exist, with options they take."""
    tables: list[tuple[tuple[str | int, ...], Any]] = [(("rules",), data.get("rules"))]
    for name, article in (data.get("article-types") or {}).items():
        if isinstance(article, dict):
            tables.append((("article-types", name, "rules"), article.get("rules")))
    problems = []
    for path, table in tables:
        for key, setting in (table or {}).items() if isinstance(table, dict) else ():
            problems += _rule_setting_problems(path + (key,), key, setting, source)
    return problems


def _rule_setting_problems(path: tuple[str | int, ...], key: str, setting: Any, source: SourceMap) -> list[Diagnostic]:
    entry = lookup(key) if not key[:1].isdigit() else None
    if entry is None or entry.stage is not Stage.RULE or key not in (entry.code, entry.name):
        names = sorted(e.name for e in CODES.values() if e.stage is Stage.RULE)
        return [Diagnostic("CP090", f"unknown rule {key!r}", source.locate(path, key=True),
                           did_you_mean(key, names) + "`casepub explain` lists the rules")]
    allowed = _SETTING_KEYS | RULE_OPTIONS.get(entry.name, frozenset())
    unknown = [option for option in setting if option not in allowed] if isinstance(setting, dict) else []
    return [Diagnostic("CP090", f"rule {key!r} has no option {option!r}", source.locate(path + (option,), key=True),
                       f"{did_you_mean(option, sorted(allowed))}{key!r} takes: {', '.join(sorted(allowed))}")
            for option in unknown]


def _id_problems(journal: str, layers: list[yamltree.Document]) -> list[Diagnostic]:
    """A profile's id is its file's name: journals/x.yaml is journal x, and says `id: x` (or leaves the id to
    the built-in profile x it overrides)."""
    top = layers[-1]
    written = top.data.get("id")
    merged = next((layer.data["id"] for layer in reversed(layers) if "id" in layer.data), None)
    if not isinstance(merged, str) or merged.strip() == journal:
        return []  # a missing or malformed id is the schema's to report
    file = top.source.file.name
    if written is not None:
        where = top.source.locate(("id",))
        message = f"the id {merged.strip()!r} is not the file's name {journal!r}"
    else:  # inherited through `extends`
        where = top.source.locate(("extends",) if "extends" in top.data else ())
        message = f"{file} has no id of its own (it would be {merged.strip()!r}, from the profile it extends)"
    return [Diagnostic("CP090", message, where,
                       f"write `id: {journal}` in {file}, or rename the file: a profile's id is its file's name")]


def _template_folders() -> list[str]:
    """The template folders casepub has (templates/ in the package): what a profile's `template` names."""
    return sorted(folder.name for folder in TEMPLATES.iterdir()
                  if folder.is_dir() and not folder.name.startswith(("_", ".")))


def _template_problems(data: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """`template:` of the journal and of each article type name one of casepub's template folders (a
    --templates folder is searched before it at render time, and its templates may extend that folder's)."""
    places: list[tuple[tuple[str | int, ...], Any]] = [(("template",), data.get("template"))]
    article_types = data.get("article-types")
    for name, article in article_types.items() if isinstance(article_types, dict) else ():
        if isinstance(article, dict):
            places.append((("article-types", name, "template"), article.get("template")))
    folders = _template_folders()
    return [Diagnostic("CP090", f"unknown template folder {value!r}", source.locate(path),
                       f"{did_you_mean(value, folders)}casepub's template folders: {', '.join(folders)} "
                       "(a --templates folder is searched first, and its templates may extend these)")
            for path, value in places if isinstance(value, str) and value.strip() not in folders]


_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
_WORDING_KEYS = frozenset(field.alias or name for name, field in Wording.model_fields.items())


def _wording_problems(data: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """Each wording's placeholders are ones it is filled with: `{product}` would be printed as it stands."""
    wording = data.get("wording")
    problems: list[Diagnostic] = []
    for key, value in wording.items() if isinstance(wording, dict) else ():
        if key not in _WORDING_KEYS:
            continue  # an unknown key: the schema says so
        known = Wording.PLACEHOLDERS.get(key, ())
        texts: list[tuple[tuple[str | int, ...], Any]]
        if isinstance(value, dict):
            texts = [((key, name), text) for name, text in value.items()]
        elif isinstance(value, list):
            texts = [((key, index), text) for index, text in enumerate(value)]
        else:
            texts = [((key,), value)]
        for path, text in texts:
            if not isinstance(text, str):
                continue
            for name in dict.fromkeys(_PLACEHOLDER.findall(text)):
                if name not in known:
                    problems.append(_placeholder_problem(("wording", *path), name, key, known, source))
            if key == "running-footer":  # filled with str.format: a lone brace would stop the article's numbering
                try:
                    list(string.Formatter().parse(text))
                except ValueError as error:
                    problems.append(Diagnostic("CP090", f"wording running-footer cannot be filled: {error}",
                                               source.locate(("wording", *path)),
                                               "write braces only around a placeholder: "
                                               + ", ".join(f"{{{n}}}" for n in known)))
    return problems


def _abstract_section_problems(profile: Profile | None, source: SourceMap) -> list[Diagnostic]:
    """An article type's abstract sections are printed with their headings from the wording: each needs one."""
    if profile is None:
        return []
    headings = sorted(profile.wording.abstract_sections)
    return [Diagnostic("CP090", f"abstract section {key!r} of article type {name!r} has no heading in "
                       "wording.abstract-sections", source.locate(("article-types", name, "abstract-sections", index)),
                       f"{did_you_mean(key, headings)}add `{key}: Its heading` under wording.abstract-sections")
            for name, article in profile.article_types.items()
            for index, key in enumerate(article.abstract_sections) if key not in profile.wording.abstract_sections]


def _placeholder_problem(path: tuple[str | int, ...], name: str, key: str, choices: tuple[str, ...],
                         source: SourceMap) -> Diagnostic:
    guess = closest(name, list(choices))
    takes = (f"{key} takes: {', '.join(f'{{{n}}}' for n in choices)}" if choices
             else f"{key} takes no placeholders; remove the braces")
    return Diagnostic("CP090", f"unknown placeholder {{{name}}} in wording {format_key_path(path[1:])}",
                      source.locate(path), (f"did you mean {{{guess}}}? " if guess else "") + takes)


def _article_type_typos(diagnostics: list[Diagnostic], base_types: set[str], source: SourceMap) -> list[Diagnostic]:
    """A local profile that names an article type its base lacks, without the `name` and `label` a new one needs,
    most likely misspelt an existing one: say so once, instead of "missing name", "missing label"."""
    out, said = [], set()
    for diagnostic in diagnostics:
        path = diagnostic.location.key_path
        new_type = (diagnostic.code == "CP013" and len(path) == 3 and path[0] == "article-types"
                    and path[1] not in base_types and closest(str(path[1]), sorted(base_types)))
        if not new_type:
            out.append(diagnostic)
        elif path[1] not in said:
            said.add(path[1])
            guess = closest(str(path[1]), sorted(base_types))
            out.append(Diagnostic("CP090", f"unknown article type {path[1]!r}", source.locate(path[:2], key=True),
                                  f"did you mean {guess!r}? A new article type needs `name:` and `label:`"))
    return out


def _merge(base: Any, overlay: Any) -> Any:
    """Mappings merge key by key; anything else in the overlay replaces the base."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = _merge(base.get(key), value) if key in base else value
        return merged
    return overlay


def _problem(location: Location, message: str) -> Diagnostic:
    return Diagnostic("CP090", message, location, "correct the journal profile")


def _as_profile_problem(diagnostic: Diagnostic) -> Diagnostic:
    """Profile files are checked like cases; their problems carry the profile code CP090."""
    if diagnostic.code == "CP090" and diagnostic.message.startswith("journal profile: "):
        return diagnostic
    return Diagnostic("CP090", f"journal profile: {diagnostic.message}", diagnostic.location, diagnostic.hint)


def closest(word: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: list[str]) -> str:
    """The start of a hint: "did you mean 'x'? " for the closest choice, or nothing."""
    guess = closest(word, choices)
    return f"did you mean {guess!r}? " if guess else ""


STORE = ProfileStore()
