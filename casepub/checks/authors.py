"""Authors and affiliations: names, degrees, affiliation ids, corresponding authors, initials."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from casepub.checks.registry import Context, rule
from casepub.diagnostics import Problem
from casepub.model import CREDIT_ROLES, Author
from casepub.naming import author_initials, needs_initials
from casepub.profiles import did_you_mean
from casepub.words import counted

# name@domain, the domain with a dot neither first nor last. Written as `[^@\s]+\.[^@\s]+$`, a domain of many
# dots that fails at its end is split at every dot in turn (quadratic); here the dot is found by a lookahead
# and the domain is read once.
EMAIL = re.compile(r"^[^@\s]++@(?=[^@\s][^@\s.]*+\.[^@\s])[^@\s]++$")
ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def _who(author: Author, index: int) -> str:
    return f'author "{author.display_name}"' if author.display_name else f"author {index + 1}"


@rule("author-name")
def author_name(ctx: Context) -> Iterator[Problem]:
    """Every author has a name."""
    for index, author in enumerate(ctx.meta.authors):
        if not author.display_name:
            yield Problem(f"author {index + 1} has no name", "add `name: Given Family`, or `given:` and `family:`",
                          ("authors", index))
        elif author.name and (author.given or author.family):
            yield Problem(f"{_who(author, index)} has both `name` and `given`/`family`",
                          "keep `name`, or `given` and `family`, not both", ("authors", index, "name"), key=True)


@rule("author-affiliation")
def author_affiliation(ctx: Context) -> Iterator[Problem]:
    """Every author has at least one affiliation."""
    for index, author in enumerate(ctx.meta.authors):
        if not author.affiliations:
            yield Problem(f"{_who(author, index)} has no affiliation",
                          "add `affiliations: [id]` naming an entry of the case's `affiliations`",
                          ("authors", index, "affiliations"))


@rule("author-degrees", enabled=False)
def author_degrees(ctx: Context) -> Iterator[Problem]:
    """Every author lists degrees, where the journal prints them."""
    for index, author in enumerate(ctx.meta.authors):
        if not author.degrees:
            yield Problem(f"{_who(author, index)} has no degrees",
                          f"{ctx.profile.name} prints degrees after names: add e.g. `degrees: [MD]`",
                          ("authors", index, "degrees"))


@rule("affiliation-resolves")
def affiliation_resolves(ctx: Context) -> Iterator[Problem]:
    """Every affiliation id an author names is defined under `affiliations`."""
    ids = list(dict.fromkeys(a.id for a in ctx.meta.affiliations if a.id))
    for index, author in enumerate(ctx.meta.authors):
        for position, name in enumerate(author.affiliations):
            if name not in ids:
                hint = did_you_mean(name, ids)
                yield Problem(f"{_who(author, index)} names affiliation {name!r}, which is not defined",
                              hint + f"defined ids: {', '.join(ids) or 'none'}",
                              ("authors", index, "affiliations", position))


@rule("affiliation-used")
def affiliation_used(ctx: Context) -> Iterator[Problem]:
    """Every affiliation is used by some author."""
    used = {name for author in ctx.meta.authors for name in author.affiliations}
    for index, affiliation in enumerate(ctx.meta.affiliations):
        if affiliation.id and affiliation.id not in used:
            yield Problem(f"affiliation {affiliation.id!r} is not used by any author",
                          "remove it, or add it to an author's `affiliations`", ("affiliations", index))


@rule("affiliation-id")
def affiliation_id(ctx: Context) -> Iterator[Problem]:
    """Every affiliation has an id, used once, and a name or department."""
    seen: dict[str, int] = {}
    for index, affiliation in enumerate(ctx.meta.affiliations):
        if not affiliation.id:
            yield Problem(f"affiliation {index + 1} has no id", "add `id: short-name` and use it in authors' `affiliations`",
                          ("affiliations", index))
        elif affiliation.id in seen:
            yield Problem(f"affiliation id {affiliation.id!r} is used twice (also affiliation {seen[affiliation.id] + 1})",
                          "give each affiliation its own id", ("affiliations", index, "id"))
        else:
            seen[affiliation.id] = index
        if not (affiliation.name or affiliation.department):
            yield Problem(f"affiliation {affiliation.id or index + 1!r} has no name", "add `name:` (and `department:`)",
                          ("affiliations", index))


@rule("corresponding-email")
def corresponding_email(ctx: Context) -> Iterator[Problem]:
    """A corresponding author has an e-mail address; e-mail addresses are well formed."""
    for index, author in enumerate(ctx.meta.authors):
        if author.corresponding and not author.email:
            yield Problem(f"{_who(author, index)} is the corresponding author but has no email",
                          "add `email: name@example.org`", ("authors", index, "email"))
        if author.email and not EMAIL.match(author.email):
            yield Problem(f"{_who(author, index)} has an email address that is not valid: {author.email!r}",
                          "write it as name@example.org", ("authors", index, "email"))


@rule("initials-needed")
def initials_needed(ctx: Context) -> Iterator[Problem]:
    """Initials are derived only from names in a script with capitals: the disclosures line names every author
    by initials, and those of 王文涛 or محمد الأحمد (a transliteration) only the author knows."""
    for index, author in enumerate(ctx.meta.authors):
        if author.display_name and needs_initials(author):
            key = "name" if author.name else "given" if author.given else "family"
            yield Problem(f"{_who(author, index)} is written in a script without capital letters, so no initials "
                          "can be derived for the disclosures line",
                          "add the initials the author uses, in Latin letters, e.g. `initials: WW`",
                          ("authors", index, key))


@rule("author-initials")
def initials_unique(ctx: Context) -> Iterator[Problem]:
    """Authors' initials, derived or set by hand, tell them apart."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, initials in enumerate(author_initials(ctx.meta.authors)):
        groups[initials].append(index)
    for initials, members in groups.items():
        for index in members[1:]:
            author = ctx.meta.authors[index]
            first = ctx.meta.authors[members[0]]
            if author.display_name == first.display_name:
                yield Problem(f"{_who(author, index)} is listed twice (also author {members[0] + 1})",
                              "remove the duplicate; if they are two people, set `initials:` by hand for one",
                              ("authors", index))
            else:
                yield Problem(f"{_who(author, index)} has the same initials ({initials}) as {_who(first, members[0])}",
                              "set `initials:` by hand for one of them", ("authors", index))


@rule("equal-contribution")
def equal_contribution(ctx: Context) -> Iterator[Problem]:
    """Equal contribution: none, or at least two authors flagged."""
    flagged = [i for i, author in enumerate(ctx.meta.authors) if author.equal_contributor]
    unreadable = any(ctx.unreadable(("authors", i, "equal-contributor")) for i in range(len(ctx.meta.authors)))
    if len(flagged) == 1 and not unreadable:
        author = ctx.meta.authors[flagged[0]]
        yield Problem(f"only {_who(author, flagged[0])} is marked `equal-contributor`",
                      "mark at least two authors who contributed equally, or remove the flag",
                      ("authors", flagged[0], "equal-contributor"))


@rule("orcid")
def orcid(ctx: Context) -> Iterator[Problem]:
    """ORCID iDs are well formed and their check digit is right."""
    for index, author in enumerate(ctx.meta.authors):
        if author.orcid and not _orcid_valid(author.orcid):
            yield Problem(f"{_who(author, index)} has an ORCID iD that is not valid: {author.orcid!r}",
                          "copy it from orcid.org: 0000-0002-1825-0097", ("authors", index, "orcid"))


def _orcid_valid(text: str) -> bool:
    match = ORCID.match(text.strip())
    if not match:
        return False
    digits = match.group(1).replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


@rule("author-limit")
def author_limit(ctx: Context) -> Iterator[Problem]:
    """No more authors than the article type allows."""
    limit = ctx.article.limits.authors
    count = len(ctx.meta.authors)
    if limit is not None and count > limit:
        yield Problem(f"{counted(count, 'author')}; {ctx.article.name} allows at most {limit}",
                      "list the others in the acknowledgments", ("authors",))


@rule("credit-role")
def credit_role(ctx: Context) -> Iterator[Problem]:
    """Every role is one of the 14 CRediT roles, by its kebab-case name, listed once."""
    for index, author in enumerate(ctx.meta.authors):
        seen: set[str] = set()
        for position, role in enumerate(author.roles):
            if role not in CREDIT_ROLES:
                yield Problem(f"{_who(author, index)} has a role {role!r} that is not a CRediT role",
                              did_you_mean(role.lower().replace(" ", "-").replace("_", "-"), list(CREDIT_ROLES))
                              + "roles are the 14 CRediT roles, kebab-case (`casepub explain CP033` lists them)",
                              ("authors", index, "roles", position))
            elif role in seen:
                yield Problem(f"{_who(author, index)} lists the role {role!r} twice", "list each role once",
                              ("authors", index, "roles", position))
            seen.add(role)


@rule("credit-complete")
def credit_complete(ctx: Context) -> Iterator[Problem]:
    """Roles for all authors or none: the contribution statement names every author who has them."""
    if not any(author.roles for author in ctx.meta.authors):
        return
    for index, author in enumerate(ctx.meta.authors):
        if not author.roles:
            yield Problem(f"{_who(author, index)} has no CRediT roles, while other authors have",
                          "add `roles:`, e.g. [investigation, writing-review-editing]", ("authors", index))
