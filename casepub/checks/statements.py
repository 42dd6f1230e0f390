"""Required items and statements: the keys an article type requires, disclosures, FDA status."""
from __future__ import annotations

from collections.abc import Iterator

from casepub.checks.registry import Context, rule
from casepub.diagnostics import Problem


@rule("required-keys")
def required_keys(ctx: Context) -> Iterator[Problem]:
    """Every key the article type requires is present and not empty."""
    for key in ctx.article.required:
        value = getattr(ctx.meta, key.replace("-", "_"))
        if value in (None, "", ()):
            written = (key,) in ctx.case.source.values
            state = "is empty" if written else "is missing"
            yield Problem(f"{key!r} {state}; {ctx.article.name} requires it",
                          f"add `{key}:` with its value", (key,))


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
