"""Required items and statements: the keys an article type requires, disclosures, FDA status, and a complete
article's abstract sections, dates, licence, copyright and consent."""
from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from casepub import licenses
from casepub.checks.registry import Context, rule
from casepub.diagnostics import Problem
from casepub.profiles import did_you_mean


@rule("required-keys")
def required_keys(ctx: Context) -> Iterator[Problem]:
    """Every key the article type requires is present and not empty."""
    for key in ctx.article.required:
        # `consent-statement` is the older form of `consent`: either one gives the consent a type requires
        value = ctx.meta.consent_given if key == "consent" else getattr(ctx.meta, key.replace("-", "_"))
        if value in (None, "", ()):
            written = (key,) in ctx.case.source.values
            state = "is empty" if written else "is missing"
            yield Problem(f"{key!r} {state}; {ctx.article.name} requires it", _REQUIRED_HINTS.get(key,
                          f"add `{key}:` with its value"), (key,))


_REQUIRED_HINTS = {"consent": "add `consent: {status: obtained, statement: ...}` (or `{status: waived, reason: ...}`)"}


@rule("author-disclosure")
def author_disclosure(ctx: Context) -> Iterator[Problem]:
    """Every author has a disclosure."""
    for index, author in enumerate(ctx.meta.authors):
        if not author.disclosure:
            name = f'"{author.display_name}"' if author.display_name else str(index + 1)
            yield Problem(f"author {name} has no disclosure",
                          "add `disclosure: Nothing to disclose.` or the author's disclosures",
                          ("authors", index, "disclosure"))


@rule("fda-products")
def fda_products(ctx: Context) -> Iterator[Problem]:
    """An FDA status other than not-applicable names the devices or drugs it covers."""
    status = ctx.meta.fda_status
    if status is None:
        return
    if status.status != "not-applicable" and not status.products:
        yield Problem(f"FDA status {status.status!r} names no device or drug",
                      f"name them inside `fda-status`: `fda-status: {{status: {status.status}, "
                      "products: [name of the device or drug]}`", ("fda-status", "status"))
    if status.status == "not-applicable" and status.products:
        yield Problem("FDA status is not-applicable but products are listed",
                      "write `fda-status: not-applicable` alone, or the status that applies to the products, "
                      "e.g. `fda-status: {status: approved, products: [...]}`", ("fda-status", "products"))


@rule("fda-wording")
def fda_wording(ctx: Context) -> Iterator[Problem]:
    """The journal profile words the case's FDA status."""
    status = ctx.meta.fda_status
    if status is not None and status.status not in ctx.profile.wording.fda_status:
        yield Problem(f"the journal profile {ctx.profile.id!r} has no wording for FDA status {status.status!r}",
                      "add it under wording.fda-status in the journal profile", ("fda-status",))


@rule("abstract-sections")
def abstract_sections(ctx: Context) -> Iterator[Problem]:
    """A keyed abstract's sections are the article type's, in its order (else the wording's list and order)."""
    accepted = list(ctx.article.abstract_sections or ctx.profile.wording.abstract_sections)
    keys = [key for key, _ in ctx.meta.abstract_sections]
    known = [key for key in keys if key in accepted]
    for key in keys:
        if key not in accepted:
            yield Problem(f"the abstract has a section {key!r} that {ctx.article.name} does not have",
                          did_you_mean(key, accepted) + f"its abstract sections: {', '.join(accepted)}",
                          ("abstract", key), key=True)
    for before, after in pairwise(known):
        if accepted.index(after) < accepted.index(before):
            yield Problem(f"the abstract section {after!r} comes after {before!r}; {ctx.article.name} has them in "
                          f"the order: {', '.join(k for k in accepted if k in known)}",
                          "move the sections into that order", ("abstract", after), key=True)


_HISTORY = ("received", "revised", "accepted", "published")


@rule("dates-order")
def dates_order(ctx: Context) -> Iterator[Problem]:
    """received <= revised <= accepted <= published, and `dates.published` is the case's `date` when both are given."""
    dates = ctx.meta.dates
    if dates is None:
        return
    given = [(name, getattr(dates, name)) for name in _HISTORY if getattr(dates, name) is not None]
    for (first, early), (then, late) in pairwise(given):
        if late < early:
            yield Problem(f"dates.{then} ({late.isoformat()}) is before dates.{first} ({early.isoformat()})",
                          "the dates go in order: received, revised, accepted, published", ("dates", then))
    if dates.published and ctx.meta.date and dates.published != ctx.meta.date:
        yield Problem(f"dates.published ({dates.published.isoformat()}) is not the case's date "
                      f"({ctx.meta.date.isoformat()})", "give the publication date once: keep `dates.published`",
                      ("dates", "published"))


@rule("license-known")
def license_known(ctx: Context) -> Iterator[Problem]:
    """`license` is an SPDX identifier of the licences casepub can print (name and URL)."""
    spdx = ctx.meta.license
    if spdx and licenses.find(spdx) is None:
        yield Problem(f"license {spdx!r} is not an SPDX identifier casepub knows",
                      did_you_mean(spdx, list(licenses.LICENSES)) + "e.g. CC-BY-4.0, CC-BY-NC-ND-4.0 or CC0-1.0 "
                      "(casepub/licenses.py lists them)", ("license",))


@rule("consent-complete")
def consent_complete(ctx: Context) -> Iterator[Problem]:
    """Waived consent says why (CARE item 13); obtained consent has a statement to print."""
    consent = ctx.meta.consent
    if consent is None or ctx.unreadable(("consent", "status")):
        return
    if consent.status == "waived" and not consent.reason:
        yield Problem("the patient's consent is waived but `consent` gives no reason",
                      "add `reason:`: who waived it and why (e.g. the ethics committee, for a deceased patient "
                      "without next of kin)", ("consent", "status"))
    if consent.status == "obtained" and not consent.statement:
        yield Problem("the patient's consent is obtained but `consent` has no statement to print",
                      "add `statement: Written informed consent was obtained from the patient for publication.`",
                      ("consent", "status"))


@rule("consent-once")
def consent_once(ctx: Context) -> Iterator[Problem]:
    """`consent-statement` is short for `consent: {status: obtained, statement: ...}`: not both."""
    if ctx.meta.consent is not None and ctx.meta.consent_statement:
        yield Problem("both `consent` and `consent-statement` are given",
                      "keep `consent` (its `statement:`) and remove `consent-statement`, its older form",
                      ("consent-statement",), key=True)


@rule("copyright")
def copyright_line(ctx: Context) -> Iterator[Problem]:
    """The copyright line has a holder and a plausible year: not before 1900 nor after the publication year."""
    copyright = ctx.meta.copyright
    if copyright is None:
        return
    if not copyright.holder:
        yield Problem("the copyright has no holder", "add `holder:`, e.g. The Authors", ("copyright",))
    if copyright.year is None:
        if not ctx.unreadable(("copyright", "year")):
            yield Problem("the copyright has no year", "add `year:`, e.g. 2026", ("copyright",))
        return
    published = ctx.meta.date or (ctx.meta.dates.published if ctx.meta.dates else None)
    if copyright.year < 1900 or (published and copyright.year > published.year):
        latest = f"the publication year ({published.year}) or earlier" if published else "a year after 1900"
        yield Problem(f"the copyright year {copyright.year} is not plausible", f"write {latest}", ("copyright", "year"))
