"""The case model: typed, immutable, and able to say where each value was written.

Keys are kebab-case in the source (`equal-contributor`) and snake_case here.
An empty value (`disclosure:`) means "not given": the field takes its default,
and the checks, not the schema, decide what must be present, because that
depends on the journal profile.
"""
from __future__ import annotations

import ast
import datetime
import functools
import inspect
import textwrap
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr, WithJsonSchema, model_validator
from pydantic import ValidatorFunctionWrapHandler as _Handler

from casepub import naming
from casepub.diagnostics import KeyPath, Location, SourceMap


def kebab(name: str) -> str:
    return name.replace("_", "-")


def _one_or_many(value: Any) -> Any:
    """`degrees: MD` is read as `degrees: [MD]`."""
    return [value] if isinstance(value, str) else value


Texts = Annotated[tuple[str, ...], BeforeValidator(_one_or_many)]


# The JSON Schema (`casepub schema case`) is for editors. A field's description is the docstring under
# it, read only when the schema is made (pydantic's use_attribute_docstrings would read the source at
# every import). Editors read YAML 1.2, where `0424` is a number and `disclosure:` is null; casepub reads
# every scalar as text and an empty value as "not given", so the schema lets text be a number and any
# key that is not required be empty, as the checker does.

def _as_written(schema: dict[str, Any], model: type) -> None:
    """Describe a Node's properties, and accept in its JSON Schema what the checker accepts."""
    required = set(schema.get("required", ()))
    fields = {field.alias or name: (name, field) for name, field in getattr(model, "model_fields", {}).items()}
    docs = _field_docstrings(model)
    for key, prop in schema.get("properties", {}).items():
        name, field = fields.get(key, (key, None))
        if name in docs and not prop.get("description"):
            prop["description"] = docs[name]
        if field is not None and any(getattr(m, "func", None) is _one_or_many for m in field.metadata):
            prop["anyOf"] = [dict(prop["items"]), _moved(prop)]  # `degrees: MD` as well as `degrees: [MD]`
        _numbers_are_text(prop)
        if key not in required:
            _may_be_empty(prop)


def _field_docstrings(model: type) -> dict[str, str]:
    """Field name -> the string literal written under the field in the class body of `model` or its bases."""
    docs: dict[str, str] = {}
    for cls in reversed(getattr(model, "__mro__", ())):
        if not issubclass(cls, Node) or cls is Node:
            continue
        try:
            class_def = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
        except (OSError, TypeError, SyntaxError, IndexError):
            continue  # no source (a frozen build): no descriptions
        for field, doc in pairwise(class_def.body if isinstance(class_def, ast.ClassDef) else ()):
            if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                    and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                    and isinstance(doc.value.value, str)):
                docs[field.target.id] = inspect.cleandoc(doc.value.value)
    return docs


_ANNOTATIONS = ("title", "description", "default", "examples")


def _moved(schema: dict[str, Any]) -> dict[str, Any]:
    """Take the constraints out of a property's schema, leaving its annotations (description ...)."""
    return {key: schema.pop(key) for key in list(schema) if key not in _ANNOTATIONS}


def _numbers_are_text(schema: Any) -> None:
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not schema.keys() & {"format", "pattern", "enum", "const"}:
        schema["type"] = ["string", "number"]
    for branch in schema.get("anyOf", ()):
        _numbers_are_text(branch)
    for key in ("items", "additionalProperties"):
        _numbers_are_text(schema.get(key))


def _may_be_empty(schema: dict[str, Any]) -> None:
    null = {"type": "null"}
    if "anyOf" not in schema:
        schema["anyOf"] = [_moved(schema)]
    if null not in schema["anyOf"]:
        schema["anyOf"].append(null)


def _fda_status_schema(schema: dict[str, Any], model: type) -> None:
    """`fda-status: not-applicable` as well as the mapping (FdaStatus._from_text)."""
    _as_written(schema, model)
    mapping = {key: schema.pop(key) for key in list(schema) if key not in ("title", "description")}
    alone = {"type": "string", "enum": list(get_args(FdaStatusName)),
             "description": "The status alone, short for `{status: <status>}`."}
    schema["anyOf"] = [alone, mapping]


@functools.cache
def _known_keys(model: type[BaseModel]) -> frozenset[str]:
    """The keys a model takes, as written (kebab-case) and by field name."""
    return frozenset(key for name, field in model.model_fields.items() for key in (name, field.alias or name))


class Node(BaseModel):
    """Base of every front-matter object: frozen, unknown keys refused, kebab-case keys."""
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=kebab,
        populate_by_name=True,
        str_strip_whitespace=True,
        json_schema_extra=_as_written,
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_means_absent(cls, data: Any) -> Any:
        """An empty value of a key the model has means "not given"; an unknown key stays, empty or not,
        so that it is reported (`orcdi:` alone is a misspelling too)."""
        if isinstance(data, dict):
            known = _known_keys(cls)
            return {key: value for key, value in data.items() if value is not None or key not in known}
        return data


class Author(Node):
    """An author of the case, in print order."""
    name: str | None = None
    """The author's name as "Given Family" (split at the last space); or write `given` and `family` instead."""
    given: str | None = None
    """Given name(s), with `family`: for names that are not "Given Family"; not together with `name`."""
    family: str | None = None
    """Family name, with `given`; not together with `name`."""
    degrees: Texts = ()
    """Degrees printed after the name, e.g. [MD, PhD]; one degree may be written alone."""
    affiliations: Texts = ()
    """Ids of the author's entries under the case's `affiliations`, e.g. [spine]; one may be written alone."""
    disclosure: str | None = None
    """The author's disclosures, e.g. "Nothing to disclose."; printed after the author's initials."""
    equal_contributor: bool = False
    """true when the author contributed equally with the other authors marked so (at least two)."""
    corresponding: bool = False
    """true for the corresponding author, who then needs an `email`."""
    email: str | None = None
    """E-mail address, e.g. name@example.org; required for the corresponding author."""
    orcid: str | None = None
    """ORCID iD, e.g. 0000-0002-1825-0097 (or https://orcid.org/...); its check digit is verified."""
    initials: str | None = None
    """Initials for the disclosures line, set by hand; derived from the name when absent (WW; QuW and QiW)."""
    roles: Texts = ()
    """The author's CRediT roles (NISO Z39.104), kebab-case, e.g. [conceptualization, writing-original-draft]."""

    @property
    def given_family(self) -> tuple[str, str]:
        """(given, family): from given/family, else `name` split as casepub/naming.py says ("Given Family"
        at its last space; a bracketed native form left out; Chinese, Japanese, Korean family name first)."""
        return naming.given_family(self)

    @property
    def display_name(self) -> str:
        """The name as printed: `name` as written, else "given family" (王文涛 for 文涛 / 王: naming.py)."""
        return naming.printed_name(self)


class Affiliation(Node):
    """An institution authors name by its id; labelled a, b, c ... in order of first use."""
    id: str | None = None
    """A short id, unique in the case, that authors list under their `affiliations`, e.g. spine."""
    department: str | None = None
    """The department, printed first, e.g. Department of Spine Surgery."""
    name: Texts = ()
    """The institution's name, or a list of names printed one per line."""
    address: str | None = None
    """Street address, e.g. No. 555 East Youyi Rd, Beilin District."""
    city: str | None = None
    """City, printed with the postal code."""
    postal_code: str | None = None
    """Postal code; quote it ("0424") or not, it is kept as written."""
    region: str | None = None
    """State, province or region."""
    country: str | None = None
    """Country, written out (China, Norway)."""


FdaStatusName = Literal["not-applicable", "approved", "off-label", "investigational"]


class FdaStatus(Node):
    """The FDA status of the devices or drugs the case reports: `not-applicable`, or a status with its products."""
    model_config = ConfigDict(json_schema_extra=_fda_status_schema)
    status: FdaStatusName
    """not-applicable, approved, off-label or investigational; the journal profile words it."""
    products: Texts = ()
    """The devices or drugs the status covers; required unless the status is not-applicable."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        """`fda-status: not-applicable` is short for `fda-status: {status: not-applicable}`."""
        return {"status": data} if isinstance(data, str) else data


class Panel(Node):
    """One image of a figure."""
    label: str | None = None
    """The panel's letter, one capital letter (A, B ...); by default its position: A, B, C ..."""
    image: str | None = None
    """The image file (PNG, JPEG or TIFF), relative to the case folder, e.g. figures/a-mri.png."""
    alt: str | None = None
    """Alternative text: what the image shows, for readers who cannot see it."""
    levels: Literal["auto"] | None = None
    """auto: stretch the values the pixels use to the full range before printing (12-bit data in a 16-bit file,
    values 0-4095, would print almost black)."""


class Figure(Node):
    """A figure: its panels and their captions."""
    id: str | None = None
    """A short id, unique in the case, e.g. fig1; the figure's anchor in the HTML."""
    title: str | None = None
    """A title for the figure (accepted; not printed yet)."""
    panels: tuple[Panel, ...] = ()
    """The panels, in order; cited in the text as "Figure A" (one figure) or "Figure 1A" (several)."""
    caption: dict[str, str] = {}
    """The caption, keyed by a panel label (A) or a range (B-C, printed B–C); every panel captioned once."""


# The 14 CRediT contributor roles (NISO Z39.104-2022), by the kebab-case names cases write; the profile's
# wording prints them ("Writing – original draft").
CREDIT_ROLES = ("conceptualization", "data-curation", "formal-analysis", "funding-acquisition", "investigation",
                "methodology", "project-administration", "resources", "software", "supervision", "validation",
                "visualization", "writing-original-draft", "writing-review-editing")


class Dates(Node):
    """The article's history: ISO dates (YYYY-MM-DD), in order; the journal profile decides which it prints."""
    received: datetime.date | None = None
    """The day the manuscript was received."""
    revised: datetime.date | None = None
    """The day the revised manuscript was received."""
    accepted: datetime.date | None = None
    """The day it was accepted."""
    published: datetime.date | None = None
    """The day it was published (online); the publication date when the case has no `date`."""


class Copyright(Node):
    """The copyright line: printed "© 2026 The Authors"."""
    holder: str | None = None
    """Who holds the copyright, e.g. The Authors."""
    year: int | None = None
    """The copyright year, e.g. 2026."""


class Consent(Node):
    """The patient's consent to publication (CARE item 13)."""
    status: Literal["obtained", "waived"]
    """obtained, or waived (then `reason` says why, e.g. by the ethics committee for a deceased patient)."""
    statement: str | None = None
    """The statement as printed, e.g.: Written informed consent was obtained from the patient for publication."""
    reason: str | None = None
    """Why consent was waived, and by whom; required when the status is waived."""


class TimelineEntry(Node):
    """One row of the timeline (CARE item 7)."""
    when: str
    """A date or a relative time as printed, e.g. 2026-01-04 or Day 86."""
    event: str
    """What happened, e.g. Bilateral percutaneous vertebroplasty."""


_ABSTRACT_SCHEMA = {"anyOf": [{"type": "string"},
                              {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}}]}


class FrontMatter(Node):
    """The YAML front matter of case.md. Which keys an article needs is set by its journal profile's article type."""
    journal: str
    """The journal profile's id: built in (the-spine-journal, care) or journals/<id>.yaml beside the cases."""
    article_type: str
    """An article type of the journal's profile (images-of-spine-care, case-report): it sets required keys and limits."""
    title: str | None = None
    """The article's title; Markdown emphasis is allowed."""
    running_title: str | None = None
    """A short title for running heads (accepted; not printed yet)."""
    date: datetime.date | None = None
    """The publication date, YYYY-MM-DD, e.g. 2026-12-01; an issue build uses the issue's date."""
    doi: str | None = None
    """The article's DOI, e.g. 10.1016/j.spinee.2026.09.001; a DOI in an issue manifest takes precedence."""
    lang: str = "en"
    """The language of the text as a language tag, e.g. en (the default)."""
    abstract: Annotated[str | None, WithJsonSchema(_ABSTRACT_SCHEMA)] = None
    """The abstract: Markdown text, or keyed sections (introduction, case-presentation, conclusion ...) in the
    order the journal profile lists them."""
    keywords: Texts = ()
    """Keywords, e.g. [osteonecrosis, vertebroplasty]; one keyword may be written alone."""
    authors: tuple[Author, ...] = ()
    """The authors, in print order."""
    affiliations: tuple[Affiliation, ...] = ()
    """The authors' institutions; each has an id that authors list under their `affiliations`."""
    fda_status: FdaStatus | None = None
    """FDA device/drug status: not-applicable, or {status: approved | off-label | investigational, products: [...]}."""
    conflict_statement: str | None = None
    """The conflict-of-interest statement."""
    consent_statement: str | None = None
    """The patient consent statement, e.g.: The patient gave written informed consent for publication."""
    funding: str | None = None
    """The funding statement, e.g.: This work received no external funding."""
    references: str | None = None
    """The references file, inside the case folder: BibTeX (.bib), CSL-JSON (.json) or CSL-YAML (.yaml), e.g.
    references.bib; cited in the text as [@key], [@a; @b] or [@key, p. 12]."""
    consent: Consent | None = None
    """The patient's consent (CARE item 13): {status: obtained | waived, statement, reason}; `consent-statement`
    is its older form, short for {status: obtained, statement: ...}."""
    dates: Dates | None = None
    """The article's history: {received, revised, accepted, published}, ISO dates, in that order."""
    license: str | None = None
    """The licence as an SPDX identifier, e.g. CC-BY-4.0; printed with its name and URL."""
    copyright: Copyright | None = None
    """The copyright holder and year, e.g. {holder: The Authors, year: 2026}."""
    timeline: tuple[TimelineEntry, ...] = ()
    """The case's timeline (CARE item 7), as a list of {when, event}; printed as a table."""
    figures: tuple[Figure, ...] = ()
    """The figures, in order; their panels are the case's images."""
    _abstract_sections: tuple[tuple[str, str], ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _keyed_abstract(cls, data: Any, handler: _Handler) -> Any:
        """A keyed abstract is kept as its sections, and `abstract` is their text joined: every rule that reads
        the abstract as text (word limit, de-identification, fonts) reads all of it."""
        sections: tuple[tuple[str, str], ...] = ()
        keyed = data.get("abstract") if isinstance(data, dict) else None
        if isinstance(keyed, dict) and all(isinstance(v, str | None) for v in keyed.values()):
            sections = tuple((str(key), value.strip()) for key, value in keyed.items() if value and value.strip())
            data = {**data, "abstract": "\n\n".join(text for _, text in sections) or None}
        model = handler(data)
        if isinstance(model, FrontMatter):
            model._abstract_sections = sections
        return model

    @property
    def abstract_sections(self) -> tuple[tuple[str, str], ...]:
        """(key, Markdown text) of a keyed abstract, as written; () for a plain one."""
        return self._abstract_sections

    @property
    def abstract_parts(self) -> tuple[tuple[KeyPath, str], ...]:
        """(key path, Markdown text) of each part of the abstract: each section of a keyed one, at its own key
        (so a problem in it is located there), or the plain abstract; () without one."""
        if self._abstract_sections:
            return tuple((("abstract", key), text) for key, text in self._abstract_sections)
        return ((("abstract",), self.abstract),) if self.abstract else ()

    @property
    def consent_given(self) -> Consent | None:
        """`consent`, or the older `consent-statement` read as {status: obtained, statement: ...}."""
        if self.consent is None and self.consent_statement:
            return Consent(status="obtained", statement=self.consent_statement)
        return self.consent


@dataclass(frozen=True)
class Body:
    """The Markdown after the front matter; body line i (0-based) is case.md line first_line + i."""
    text: str
    first_line: int

    def file_line(self, body_line: int) -> int:
        return self.first_line + body_line


@dataclass(frozen=True)
class Case:
    folder: Path
    file: Path
    meta: FrontMatter
    body: Body
    source: SourceMap
    front_matter: str = ""  # the YAML as written, for the checks that read what the author typed

    @property
    def name(self) -> str:
        """The case folder's real name (a case rendered as `.` is named after its folder)."""
        return self.folder.resolve().name

    def where(self, path: KeyPath, key: bool = False) -> Location:
        """File, line, column and key path of a front-matter value (or of its key)."""
        return self.source.locate(path, key)

    def at_line(self, line: int, column: int = 1, path: KeyPath = ()) -> Location:
        """A place in case.md by line and column; `path` names the front-matter value it lies in, if any."""
        return Location(self.file, line, column, path)
