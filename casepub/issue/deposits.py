"""An issue's deposits: OUT/crossref.xml (Crossref 5.3.1) and OUT/pubmed.xml (PubMed 3.0), from every built article.

What a deposit needs from an article is taken from its ArticleView when the
worker renders it (`ArticleRecord`, kept in the render cache beside its PDF),
so the build assembles the deposits from the cache without loading a case
again; the issue's placement (pages, DOI) and the manifest's keys (depositor,
registrant, landing pages) are added in the parent process.

Each deposit is validated before it is written (casepub/xml/validate.py, each
schema compiled once per process):
- an article whose metadata does not fit the schema (Crossref takes a surname
  of at most 60 characters) is left out of that deposit with a CP208 warning at
  its case, and the deposit is made again without it;
- a deposit that still fails (what the manifest or the profile gives), or that
  would hold no article, is not written: a CP207 error at the manifest, the
  previous file removed, and the invalid XML kept beside as
  `<name>.xml.invalid` to read, never to send;
- a manifest without `depositor`, `registrant` and `url` writes neither (CP206,
  a warning): deposits are what a journal asks for by giving those keys.
"""
from __future__ import annotations

import datetime
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree, html

from casepub.diagnostics import Diagnostic, Location
from casepub.load.case import CASE_FILE
from casepub.write import OutputError, write_atomic

CROSSREF = "crossref.xml"
PUBMED = "pubmed.xml"
INVALID = ".invalid"  # a deposit that did not validate is kept beside as crossref.xml.invalid


# --- what an article gives a deposit ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Institution:
    department: str = ""
    name: str = ""          # the institution's names, joined
    place: str = ""         # city, region, country
    line: str = ""          # the whole affiliation on one line (PubMed)


@dataclass(frozen=True)
class Contributor:
    given: str
    family: str
    orcid: str | None = None                    # the bare iD, 0000-0002-1825-0097
    affiliations: tuple[Institution, ...] = ()
    equal: bool = False


@dataclass(frozen=True)
class Cited:
    """A reference as the article prints it, with its identifiers when its CSL-JSON has them."""
    text: str
    doi: str | None = None
    pmid: str | None = None


@dataclass(frozen=True)
class ArticleRecord:
    """An article's metadata for the deposits, independent of its place in an issue."""
    title: str                                  # inline HTML: <em>, <strong>, <sup>, <sub> are kept as face markup
    lang: str = "en"
    doi: str | None = None                      # the case's own (the manifest's wins)
    authors: tuple[Contributor, ...] = ()
    abstract: tuple[tuple[str, str], ...] = ()  # (label, text); one unlabelled part for an unsectioned abstract
    keywords: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = ()   # ("received" | "revised" | "accepted", ISO date)
    copyright: str = ""                         # the copyright and licence lines as printed
    license_url: str | None = None
    coi: str = ""                               # every author's disclosure and the conflict statement
    references: tuple[Cited, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArticleRecord:
        authors = tuple(Contributor(a["given"], a["family"], a["orcid"],
                                    tuple(Institution(**i) for i in a["affiliations"]), bool(a["equal"]))
                        for a in data["authors"])
        return cls(title=str(data["title"]), lang=str(data["lang"]), doi=data["doi"], authors=authors,
                   abstract=tuple((str(label), str(text)) for label, text in data["abstract"]),
                   keywords=tuple(data["keywords"]), history=tuple((str(k), str(d)) for k, d in data["history"]),
                   copyright=str(data["copyright"]), license_url=data["license_url"], coi=str(data["coi"]),
                   references=tuple(Cited(**r) for r in data["references"]))


def article_record(view: Any, items: Mapping[str, Mapping[str, Any]] | None = None) -> ArticleRecord:
    """What the deposits need from an article view (casepub.render.html.ArticleView); `items`: the CSL-JSON of
    its references by key, for their DOIs and PMIDs."""
    from casepub.xml.jats import name_parts

    meta, wording = view.case.meta, view.profile.wording
    institutions = {a.affiliation.id: _institution(a.affiliation) for a in view.affiliations}
    authors = tuple(Contributor(*name_parts(a.author), a.orcid,
                                tuple(institutions[key] for key in a.author.affiliations if key in institutions),
                                bool(a.author.equal_contributor and len(view.equal_contributors) > 1))
                    for a in view.authors)
    if view.abstract_sections:
        abstract = tuple((s.heading, text_of(str(s.html))) for s in view.abstract_sections)
    else:
        abstract = (("", text_of(str(view.abstract))),) if view.abstract else ()
    dates = meta.dates
    history = tuple((kind, getattr(dates, kind).isoformat()) for kind in ("received", "revised", "accepted")
                    if dates is not None and getattr(dates, kind))
    disclosures = [f"{a.initials}: {a.author.disclosure}" for a in view.authors if a.author.disclosure]
    coi = " ".join(([f"{wording.disclosures_label}: " + " ".join(disclosures)] if disclosures else [])
                   + ([meta.conflict_statement] if meta.conflict_statement else []))
    references = []
    for entry in view.references.entries if view.references else ():
        item = (items or {}).get(entry.key, {})
        references.append(Cited(entry.plain, _identifier(item.get("DOI")), _identifier(item.get("PMID"))))
    return ArticleRecord(
        title=str(view.title), lang=meta.lang or view.profile.lang or "en", doi=meta.doi, authors=authors,
        abstract=abstract, keywords=tuple(meta.keywords), history=history, copyright=" ".join(view.rights),
        license_url=view.license.url if view.license else None, coi=coi, references=tuple(references))


def _institution(affiliation: Any) -> Institution:
    place = ", ".join(p for p in (affiliation.city, affiliation.region, affiliation.country) if p)
    line = ", ".join(p for p in (affiliation.department, *affiliation.name, affiliation.address, affiliation.city,
                                 affiliation.postal_code, affiliation.region, affiliation.country) if p)
    return Institution(affiliation.department or "", ", ".join(affiliation.name), place, line)


def _identifier(value: object) -> str | None:
    text = " ".join(str(value).split()) if value not in (None, "") else ""
    return text or None


def text_of(markup: str) -> str:
    """The text of a piece of HTML, its white space collapsed."""
    from casepub.xml.jats import clean

    markup = clean(markup)
    if not markup.strip():
        return ""
    parts = html.fragments_fromstring(markup)
    return " ".join("".join(p if isinstance(p, str) else p.text_content() for p in parts).split())


# --- what the issue gives -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IssueFacts:
    """The issue and its journal, as the deposits name them."""
    journal: str
    issn: str
    volume: int
    issue: int
    date: datetime.date
    abbrev: str | None = None
    publisher: str | None = None
    lang: str = "en"
    depositor: str = ""
    email: str = ""
    registrant: str = ""
    batch_id: str = ""
    timestamp: int = 0


@dataclass(frozen=True)
class Deposited:
    """One article as a deposit lists it: its record, where the issue prints it, its DOI and landing page."""
    name: str
    record: ArticleRecord
    first_page: int
    last_page: int
    doi: str | None
    url: str | None


def landing_page(template: str | None, doi: str | None, name: str) -> str | None:
    """The article's landing page from a `url` template: {doi} and {name} filled in, percent-encoded where a URL
    needs it (a DOI may hold any character but a space); None without a template, or without a DOI to fill."""
    if not template or ("{doi}" in template and not doi):
        return None
    safe = "/:;()._-~!$'*+,=@"
    return template.replace("{doi}", urllib.parse.quote(doi or "", safe=safe)).replace(
        "{name}", urllib.parse.quote(name, safe=safe))


# --- making, validating, writing ----------------------------------------------------------------------------------

@dataclass
class DepositResult:
    """What became of one deposit, for the report."""
    file: str
    status: str = "not written"     # "valid" (written), "invalid" (not written), "not written" (why: reason)
    reason: str = ""
    articles: list[str] = field(default_factory=list)      # the articles it holds
    left_out: list[dict[str, str]] = field(default_factory=list)   # {"name", "reason"}

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "status": self.status, "reason": self.reason, "articles": self.articles,
                "left_out": self.left_out}


Maker = Callable[[IssueFacts, Sequence[Deposited]], bytes]
Validator = Callable[[bytes], list]


def make_deposit(file: str, facts: IssueFacts, articles: Sequence[Deposited], make: Maker, validate: Validator,
                 article_tag: str, where: Mapping[str, Location], manifest: Location,
                 ) -> tuple[bytes | None, bytes | None, DepositResult, list[Diagnostic]]:
    """The deposit's XML, valid; or None with the invalid XML. An article the validator finds fault in is left
    out (CP208, at its case) and the deposit made again without it."""
    result, diagnostics = DepositResult(file), list[Diagnostic]()
    kept = list(articles)
    while kept:
        data = make(facts, kept)
        problems = validate(data)
        if not problems:
            result.status, result.articles = "valid", [a.name for a in kept]
            return data, None, result, diagnostics
        culprits = _culprits(data, problems, article_tag, len(kept))
        if not culprits:  # in what the issue gives, not in an article
            first = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            result.status, result.reason = "invalid", f"line {first.line}: {first.message}{more}"
            diagnostics.append(Diagnostic("CP207", f"{file} did not validate ({first.source}, line {first.line}: "
                                          f"{first.message}){more}; it was not written", manifest,
                                          f"it is kept as {file}{INVALID} to read; correct the manifest or the "
                                          "journal profile as the message says"))
            return None, data, result, diagnostics
        for index in sorted(culprits, reverse=True):
            article, message = kept.pop(index), culprits[index]
            result.left_out.append({"name": article.name, "reason": message})
            diagnostics.append(Diagnostic("CP208", f"the article is left out of {file}: its metadata does not fit "
                                          f"the schema ({message})", where.get(article.name, manifest),
                                          "correct the value the message names; the article itself is built"))
    result.status, result.reason = "not written", "no article of the issue could be put in it"
    diagnostics.append(Diagnostic("CP207", f"{file} was not written: no article of the issue could be put in it",
                                  manifest, "see the articles' diagnostics"))
    return None, None, result, diagnostics


def _culprits(data: bytes, problems: list, tag: str, count: int) -> dict[int, str]:
    """The articles (by position) that each problem's line falls in; {} when a problem lies outside them all."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    starts = [element.sourceline or 0 for element in root.iter(f"{{*}}{tag}", tag)]
    if len(starts) != count:
        return {}
    found: dict[int, str] = {}
    for problem in problems:
        line = problem.line or 0
        inside = [n for n, start in enumerate(starts) if start <= line]
        if not inside:
            return {}
        found.setdefault(inside[-1], f"{problem.source}: {problem.message}")
    return found


def write_deposit(out: Path, file: str, valid: bytes | None, invalid: bytes | None) -> None:
    """The deposit, atomically, and the invalid copy removed; or, when it is not to be written, the previous one
    removed (it describes another state of the issue) and the invalid XML kept beside. OutputError when a file
    cannot be written or removed."""
    target, beside = out / file, out / f"{file}{INVALID}"
    if valid is not None:
        write_atomic(target, valid)
        _remove(beside)
        return
    _remove(target)
    if invalid is not None:
        write_atomic(beside, invalid)
    else:
        _remove(beside)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise OutputError(path, error, "remove") from error


def batch_facts(issue: Any, profile: Any, when: float | None = None) -> IssueFacts:
    """The issue's facts for its deposits; the batch id and timestamp from `when` (now), as Crossref asks: a
    later deposit of the same DOIs must carry a larger timestamp."""
    manifest = issue.manifest
    moment = time.gmtime(when if when is not None else time.time())
    stamp = int(time.strftime("%Y%m%d%H%M%S", moment))
    depositor = manifest.depositor
    return IssueFacts(
        journal=profile.name, issn=profile.issn or "", volume=manifest.volume, issue=manifest.issue,
        date=manifest.date, abbrev=profile.short_name, publisher=profile.publisher, lang=profile.lang or "en",
        depositor=depositor.name if depositor else "", email=depositor.email if depositor else "",
        registrant=manifest.registrant or "", batch_id=f"{issue.name[:80]}-{stamp}", timestamp=stamp)


def case_location(folder: Path) -> Location:
    return Location(folder / CASE_FILE)
