"""The case model: typed, immutable, and able to say where each value was written.

Keys are kebab-case in the source (`equal-contributor`) and snake_case here.
An empty value (`disclosure:`) means "not given": the field takes its default,
and the checks, not the schema, decide what must be present, because that
depends on the journal profile.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from casepub.diagnostics import KeyPath, Location
from casepub.load.yamltree import SourceMap


def kebab(name: str) -> str:
    return name.replace("_", "-")


def _one_or_many(value: Any) -> Any:
    """`degrees: MD` is read as `degrees: [MD]`."""
    return [value] if isinstance(value, str) else value


Texts = Annotated[tuple[str, ...], BeforeValidator(_one_or_many)]


class Node(BaseModel):
    """Base of every front-matter object: frozen, unknown keys refused, kebab-case keys."""
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=kebab,
        populate_by_name=True,
        str_strip_whitespace=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_means_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


class Author(Node):
    name: str | None = None
    given: str | None = None
    family: str | None = None
    degrees: Texts = ()
    affiliations: Texts = ()
    disclosure: str | None = None
    equal_contributor: bool = False
    corresponding: bool = False
    email: str | None = None
    orcid: str | None = None
    initials: str | None = None

    @property
    def given_family(self) -> tuple[str, str]:
        """(given, family): from given/family, else "Given Family" split at its last space."""
        if self.given or self.family:
            return (self.given or "", self.family or "")
        given, _, family = (self.name or "").rpartition(" ")
        return (given, family)

    @property
    def display_name(self) -> str:
        return self.name or " ".join(part for part in (self.given, self.family) if part)


class Affiliation(Node):
    id: str | None = None
    department: str | None = None
    name: Texts = ()
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None


FdaStatusName = Literal["not-applicable", "approved", "off-label", "investigational"]


class FdaStatus(Node):
    status: FdaStatusName
    products: Texts = ()

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        """`fda-status: not-applicable` is short for `fda-status: {status: not-applicable}`."""
        return {"status": data} if isinstance(data, str) else data


class Panel(Node):
    label: str | None = None
    image: str | None = None
    alt: str | None = None


class Figure(Node):
    id: str | None = None
    title: str | None = None
    panels: tuple[Panel, ...] = ()
    caption: dict[str, str] = {}


class FrontMatter(Node):
    journal: str
    article_type: str
    title: str | None = None
    running_title: str | None = None
    date: datetime.date | None = None
    doi: str | None = None
    lang: str = "en"
    abstract: str | None = None
    keywords: Texts = ()
    authors: tuple[Author, ...] = ()
    affiliations: tuple[Affiliation, ...] = ()
    fda_status: FdaStatus | None = None
    conflict_statement: str | None = None
    consent_statement: str | None = None
    funding: str | None = None
    figures: tuple[Figure, ...] = ()


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

    @property
    def name(self) -> str:
        return self.folder.name

    def where(self, path: KeyPath, key: bool = False) -> Location:
        """File, line, column and key path of a front-matter value (or of its key)."""
        return self.source.locate(path, key)

    def at_line(self, line: int, column: int = 1) -> Location:
        return Location(self.file, line, column)
