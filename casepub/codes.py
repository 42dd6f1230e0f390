"""Every diagnostic code casepub reports, defined once: its name, default severity, summary, an example and the fix.

`casepub explain CODE` prints an entry; docs/diagnostics.md is generated from
this table (scripts/make_diagnostics_doc.py), and a test keeps the two equal.
One code means one thing: a code is reported by one stage only (reading the
case, a rule, the profile, rendering, the issue build).

Ranges: CP001-CP019 reading and validating case.md; CP020-CP089 the rules
(a family per decade: authors, statements, figures, text, de-identification);
CP090-CP099 journal profiles; CP100-CP199 rendering, outputs and time limits;
CP200-CP299 issue manifests and builds; CP300-CP349 references (the references file
and citations, CP300-CP319) and tables (CP320-CP329); CP998 and CP999 failures of
casepub itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from textwrap import dedent


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Stage(StrEnum):
    """Who reports a code. Only rules can be switched off or made warnings by a journal profile."""
    READ = "reading"            # case.md, or an issue manifest, against its schema
    RULE = "rule"
    PROFILE = "profile"
    RENDER = "rendering"
    RUN = "running"             # limits and the output folder, whatever the stage
    ISSUE = "issue build"
    CASEPUB = "casepub"


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    stage: Stage
    severity: Severity
    summary: str
    example: str        # a source that triggers it
    fix: str

    def explain(self) -> str:
        """The entry as `casepub explain` prints it."""
        example = "\n".join("    " + line if line else "" for line in self.example.splitlines())
        return (f"{self.code} {self.name} ({self.severity.value}, {self.stage.value})\n\n{self.summary}\n\n"
                f"Example:\n\n{example}\n\nFix: {self.fix}\n")


E, W = Severity.ERROR, Severity.WARNING


def _code(code: str, name: str, stage: Stage, severity: Severity, summary: str, example: str, fix: str) -> Code:
    return Code(code, name, stage, severity, summary, dedent(example).strip("\n"), fix)


_ALL = (
    # Reading case.md
    _code("CP001", "case-file", Stage.READ, E, "case.md cannot be read: not a regular file, too large, not "
          "permitted, or not UTF-8.", "cases/x/case.md   # saved as Latin-1 or UTF-16, or a link out of the folder",
          "put the case in a file named case.md, saved as UTF-8, in the case folder."),
    _code("CP002", "front-matter", Stage.READ, E, "case.md is empty, or its YAML front matter is missing or not "
          "closed.", """\
          title: A case
          A 70-year-old woman ...""",
          "begin case.md with a line '---', the keys, another '---', then the case text."),
    _code("CP003", "yaml-syntax", Stage.READ, E, "The front matter is not valid YAML.", """\
          ---
          title: Spine: a case
          ---""",
          "quote values that contain ': ' or start with a special character; indent with spaces, never tabs."),
    _code("CP004", "yaml-alias", Stage.READ, E, "YAML aliases (*name) are not allowed.", """\
          affiliations: &spine [spine]
          authors:
            - {name: Kun Duan, affiliations: *spine}""",
          "write the value out in full where it is needed."),
    _code("CP005", "yaml-duplicate-key", Stage.READ, E, "A key is written twice in one mapping (YAML would keep "
          "the last silently).", """\
          title: A case
          title: Another title""", "keep one of them."),
    _code("CP006", "front-matter-mapping", Stage.READ, E, "The front matter is empty or not a mapping of keys.", """\
          ---
          - just a list
          ---""", "write `key: value` lines between the two '---' lines."),
    _code("CP007", "invisible-character", Stage.READ, W, "A no-break, zero-width or other non-ASCII space, or "
          "an invisible format character, in the front matter. YAML does not read it as a space, so a key or value "
          "around it is not what it looks like.",
          "- {label: C, image: figures/c.png, alt:\u00a0Lateral radiograph}   # a no-break space after alt:",
          "replace it with an ordinary space, or delete it (the message names the character and its column)."),
    _code("CP010", "unknown-key", Stage.READ, E, "A key casepub does not know (often a misspelling).",
          "disclosre: Nothing to disclose.",
          "use the key the hint suggests; docs/case-format.md lists every key."),
    _code("CP011", "wrong-type", Stage.READ, E, "A value of the wrong kind: text where a list is expected, a "
          "mapping where text is expected ...", "authors: Wentao Wang",
          "write the value in the form the hint shows (a list: `[A, B]` or '- item' lines)."),
    _code("CP012", "not-a-choice", Stage.READ, E, "A value outside a closed set of choices.",
          "fda-status: {status: aproved, products: [Stimulan]}", "use one of the values listed in the message."),
    _code("CP013", "missing-key", Stage.READ, E, "A key every case (or mapping) must have is missing: `journal`, "
          "`article-type`, or a key inside a mapping such as `fda-status: {status: ...}`.", """\
          ---
          article-type: images-of-spine-care
          title: A case
          ---""", "add the key with its value."),
    _code("CP014", "invalid-value", Stage.READ, E, "A value of the right kind that is not valid: a date that does "
          "not exist, a list that is too short ...", "date: 2026-02-30", "correct the value as the hint says."),
    _code("CP015", "unknown-journal", Stage.READ, E, "`journal` names no built-in profile and no "
          "journals/<id>.yaml beside the cases.", "journal: the-spine-journl",
          "use a journal id the hint lists, or add journals/<id>.yaml beside the cases."),
    _code("CP016", "unknown-article-type", Stage.READ, E, "`article-type` is not one of the journal's article "
          "types.", "article-type: images-of-spine", "use an article type the hint lists."),
    # Rules: statements
    _code("CP019", "required-keys", Stage.RULE, E, "A key the article type requires is missing or empty.", """\
          journal: the-spine-journal
          article-type: images-of-spine-care
          conflict-statement:""", "add the key with its value; the article type's list is in the journal profile."),
    # Rules: authors and affiliations
    _code("CP020", "author-name", Stage.RULE, E, "An author has no name, or both `name` and `given`/`family`.", """\
          authors:
            - degrees: [MD]
              affiliations: [spine]""", "write `name: Given Family`, or `given:` and `family:` (not both)."),
    _code("CP021", "author-disclosure", Stage.RULE, E, "An author has no disclosure.", """\
          authors:
            - name: Kun Duan
              affiliations: [surgery]""", "add `disclosure: Nothing to disclose.` or the author's disclosures."),
    _code("CP022", "author-affiliation", Stage.RULE, E, "An author has no affiliation.", """\
          authors:
            - name: Qu Wei
              disclosure: Nothing to disclose.""", "add `affiliations: [id]` naming an entry of `affiliations`."),
    _code("CP023", "author-degrees", Stage.RULE, E, "An author has no degrees, where the journal prints them "
          "(off unless the profile switches it on).", "- {name: Kun Duan, affiliations: [surgery]}",
          "add `degrees: [MD]` (or the author's degrees)."),
    _code("CP024", "affiliation-resolves", Stage.RULE, E, "An author names an affiliation id that is not defined.",
          "- {name: Kun Duan, affiliations: [surgry]}", "use an id defined under `affiliations` (the hint lists them)."),
    _code("CP025", "affiliation-used", Stage.RULE, W, "An affiliation is not used by any author.", """\
          affiliations:
            - {id: lab, name: Spine Lab}   # no author lists `lab`""",
          "remove it, or add its id to an author's `affiliations`."),
    _code("CP026", "corresponding-email", Stage.RULE, E, "The corresponding author has no e-mail address, or an "
          "address is not well formed.", "- {name: Wentao Wang, corresponding: true}",
          "add `email: name@example.org`."),
    _code("CP027", "affiliation-id", Stage.RULE, E, "An affiliation has no id, an id used twice, or no name.",
          "- {id: spine, name: Hong Hui Hospital}\n- {id: spine, name: Xi'an Hospital}",
          "give each affiliation its own id and a `name:`."),
    _code("CP028", "initials-needed", Stage.RULE, E, "An author's name is written in a script without letter "
          "case (Chinese, Japanese, Korean ...), so casepub cannot derive initials for the disclosures line.",
          "- {given: 文涛, family: 王}", "add the initials the author uses, e.g. `initials: WW`."),
    _code("CP029", "author-initials", Stage.RULE, E, "Two authors have the same initials, so the disclosures "
          "line cannot tell them apart (or an author is listed twice).",
          "- {name: Wentao Wang, initials: WW}\n- {name: Wei Wang, initials: WW}",
          "set `initials:` by hand for one of them, or remove the duplicate."),
    _code("CP030", "equal-contribution", Stage.RULE, E, "Only one author is marked `equal-contributor`.",
          "- {name: Jijun Liu, equal-contributor: true}",
          "mark at least two authors who contributed equally, or remove the flag."),
    _code("CP031", "orcid", Stage.RULE, E, "An ORCID iD is malformed or its check digit is wrong.",
          "orcid: 0000-0002-1825-0098", "copy the iD from orcid.org, e.g. 0000-0002-1825-0097."),
    _code("CP032", "author-limit", Stage.RULE, E, "More authors than the article type allows.",
          "authors: [... nine authors ...]   # Images of Spine Care allows 8",
          "list the others in the acknowledgments."),
    _code("CP033", "credit-role", Stage.RULE, E, "An author lists a role that is not one of the 14 CRediT roles, "
          "or lists a role twice.", "roles: [conceptualisation, writing-original-draft]",
          "use the kebab-case CRediT names: conceptualization, data-curation, formal-analysis, funding-acquisition, "
          "investigation, methodology, project-administration, resources, software, supervision, validation, "
          "visualization, writing-original-draft, writing-review-editing."),
    _code("CP034", "credit-complete", Stage.RULE, W, "Some authors list CRediT roles and others none, so the "
          "authorship contribution statement would leave them out.", """\
          - {name: Wentao Wang, roles: [conceptualization]}
          - {name: Kun Duan}""", "give every author their `roles`, or none of them."),
    # Rules: FDA status
    _code("CP040", "fda-products", Stage.RULE, E, "An FDA status other than not-applicable names no device or "
          "drug, or not-applicable lists products.", "fda-status: {status: off-label}",
          "write the whole status: `fda-status: {status: off-label, products: [name of the device or drug]}`."),
    _code("CP041", "fda-wording", Stage.RULE, E, "The journal profile has no wording for the case's FDA status.",
          "# journals/x.yaml\nwording: {fda-status: {not-applicable: Not applicable.}}\n# case.md\n"
          "fda-status: {status: approved, products: [Stimulan]}",
          "add the status under `wording: fda-status:` in the journal profile."),
    # Rules: the complete article's statements
    _code("CP042", "abstract-sections", Stage.RULE, E, "A keyed abstract has a section the article type does not "
          "accept, or its sections are not in the profile's order.", """\
          abstract:
            introduction: ...
            case-presentaton: ...""",
          "use the section keys the hint lists, in that order, or write the abstract as plain text."),
    _code("CP043", "dates-order", Stage.RULE, E, "The article's dates are out of order (received, revised, "
          "accepted, published), or `dates.published` is not the case's `date`.", """\
          dates: {received: 2026-06-01, accepted: 2026-03-02}""",
          "correct the dates: received ≤ revised ≤ accepted ≤ published."),
    _code("CP044", "license-known", Stage.RULE, E, "`license` is not an SPDX identifier casepub knows (the "
          "Creative Commons licences, CC0 and a few others).", "license: CC-BY-4",
          "write the SPDX identifier, e.g. CC-BY-4.0, CC-BY-NC-ND-4.0 or CC0-1.0."),
    _code("CP045", "consent-complete", Stage.RULE, E, "The consent is waived without a reason, or obtained "
          "without a statement to print.", "consent: {status: waived}",
          "add `reason:` (who waived it and why), or the `statement:` to print."),
    _code("CP046", "consent-once", Stage.RULE, E, "Both `consent` and its older form `consent-statement` are "
          "given.", """\
          consent-statement: The patient gave consent.
          consent: {status: obtained, statement: The patient gave consent.}""",
          "keep `consent` and remove `consent-statement`."),
    _code("CP047", "copyright", Stage.RULE, E, "The copyright line lacks its holder or year, or the year is not "
          "a plausible year (before 1900, or after the publication year).", "copyright: {holder: The Authors}",
          "write `copyright: {holder: The Authors, year: 2026}`."),
    # Rules: figures and panels
    _code("CP050", "panel-captioned", Stage.RULE, E, "A panel has no caption, is captioned twice, or a caption "
          "is empty.", "caption:\n  A-B: ...\n  B: ...", "caption each panel under exactly one key."),
    _code("CP052", "caption-keys", Stage.RULE, E, "A caption key names no panel of its figure.",
          "caption:\n  G: ...   # the figure has panels A-F", "key captions by a panel label (A) or a range (B-C)."),
    _code("CP053", "panel-cited", Stage.RULE, E, "A panel is not cited in the text.",
          "panels: [A, B] ... text cites only (Figure A)",
          'cite each panel where the text speaks of it, e.g. "(Figure B)".'),
    _code("CP054", "citation-resolves", Stage.RULE, E, "A figure citation in the text names no existing figure or "
          "panel.", "... showed a collapse (Figure G).   # the figure has panels A-F",
          "cite a figure and panel the case has."),
    _code("CP055", "panel-image-file", Stage.RULE, E, "A panel image is missing, outside the case folder, or "
          "not a regular file.", "image: ../other-case/figures/a.png",
          "copy the image into the case folder and write its path relative to it, e.g. figures/a.png."),
    _code("CP056", "panel-image-format", Stage.RULE, E, "A panel image is not a PNG, JPEG or TIFF the journal "
          "accepts, is damaged, or has too many pixels.", "image: figures/a.gif",
          "export the image again, from the original, as PNG, JPEG or TIFF."),
    _code("CP057", "panel-image-resolution", Stage.RULE, E, "A panel image has too few pixels to print sharply.",
          "image: figures/thumbnail.png   # 300x400 pixels", "use the original, higher-resolution image."),
    _code("CP058", "panel-image-metadata", Stage.RULE, W, "A panel image carries text metadata (EXIF, XMP, IPTC, "
          "comments, PNG text chunks) that may identify the patient. casepub publishes panels without it; the "
          "original files still hold it.", "image: figures/a.jpg   # JPEG comment: Patient: Jane Doe",
          "remove the metadata from the original (e.g. `exiftool -all= figures/a.jpg`) before sharing it."),
    _code("CP059", "panel-alt", Stage.RULE, E, "A panel has no alt text.", "- {label: A, image: figures/a.png}",
          'add `alt:` saying what the image shows, e.g. "Sagittal T2-weighted MRI".'),
    _code("CP060", "figure-structure", Stage.RULE, E, "A figure has no panels, a panel no image, a panel label is "
          "not one capital letter or is used twice, or a figure id is used twice.",
          "panels:\n  - {label: g, image: figures/g.png}", "use labels A, B, C ... once each, and give every panel an image."),
    _code("CP061", "figure-limit", Stage.RULE, E, "More figures or panels than the article type allows.",
          "figures: [fig1, fig2]   # Images of Spine Care allows 1", "combine panels into fewer figures, or keep "
          "the panels that show the case best."),
    _code("CP062", "panel-print-resolution", Stage.RULE, W, "A panel is scaled down to fit the text area "
          "(very tall or very wide) and then prints below the journal's minimum resolution.",
          "image: figures/full-spine.png   # 700 x 4200 pixels, fitted to the page height",
          "crop the image to the region that matters, or split it into two panels."),
    _code("CP063", "panel-bit-depth", Stage.RULE, W, "A 16-bit image uses only a small part of its range (e.g. "
          "12-bit data, 0-4095, from a DICOM export), so it prints almost black.",
          "image: figures/a-ct.png   # 16-bit PNG, values 0-4095",
          "add `levels: auto` to the panel to stretch its values to the full range, or export it again as 8-bit."),
    # Rules: text
    _code("CP069", "body-present", Stage.RULE, E, "The case has no text after the front matter.",
          "---\ntitle: A case\n---\n", "write the case below the closing '---'."),
    _code("CP070", "word-limit", Stage.RULE, E, "The text has more words than the article type allows.",
          "(a 600-word body; Images of Spine Care allows 500)", "shorten the text by the number of words the message gives."),
    _code("CP071", "abbreviation-defined", Stage.RULE, W, "An abbreviation is used before it is written out.",
          "visual analogue scale was 9 ... the VAS score", 'write it out at its first use: "visual analogue scale (VAS)".'),
    _code("CP072", "deid-dates", Stage.RULE, W, "A full date (day, month and year) could identify the patient.",
          "admitted on March 12, 2023", 'give time relative to an event ("on the 86th day after surgery") or the year.'),
    _code("CP073", "deid-phone", Stage.RULE, W, "A telephone or fax number.", "call +86 29 8765 4321", "remove it."),
    _code("CP074", "deid-record-numbers", Stage.RULE, W, "A medical record, patient or account number.",
          "MRN: 00123456", "remove it."),
    _code("CP075", "deid-email", Stage.RULE, W, "An e-mail address that is not an author's.",
          "her son (li.family@example.com)", "remove it."),
    _code("CP076", "deid-age", Stage.RULE, W, "An age over 89 (HIPAA groups these as 90 or older).",
          "a 92-year-old woman", 'write "a patient aged 90 or older".'),
    _code("CP077", "deid-names", Stage.RULE, W, 'The patient named or initialled, as "Mr. X".', "Mrs. Li was admitted",
          'refer to "the patient" or "a 70-year-old woman".'),
    _code("CP087", "blind-names", Stage.RULE, W, "In a blinded review copy (`render --blind`), an author's "
          "name, institution or city still written in the text, a caption or a statement (the copy leaves out the "
          "byline, affiliations, disclosures' initials, correspondence and CRediT, not the text).",
          "conflict-statement: Pieter van Dijk is a consultant ...   # rendered with --blind",
          'write "the authors" or "our institution" in the review copy, or remove the name.'),
    _code("CP078", "sections", Stage.RULE, E, "A section the article type requires is missing or out of order.",
          "## Case presentation\n## Introduction", "add the `## Heading` named, and keep the sections in the "
          "article type's order."),
    _code("CP079", "keywords-count", Stage.RULE, E, "Fewer or more keywords than the article type asks for.",
          "keywords: [vertebroplasty]   # Case report asks for 2 to 5", "list them as `keywords: [first, second]`."),
    _code("CP080", "abstract-limit", Stage.RULE, E, "The abstract has more words than the article type allows.",
          "abstract: (a 300-word abstract; Case report allows 250)", "shorten the abstract."),
    _code("CP081", "title-limit", Stage.RULE, E, "The title has more words than the article type allows.",
          "title: (a 30-word title; Images of Spine Care allows 25)", "shorten the title; details belong in the text."),
    _code("CP083", "comment-in-value", Stage.RULE, W, "A ` #` after an unquoted value starts a YAML comment: the "
          "rest of the line is dropped. The format's own comments are set off by two or more spaces.",
          "address: No. 5 Kangfu Rd, Building #3, Lintong District   # prints \"No. 5 Kangfu Rd, Building\"",
          'quote the value: address: "No. 5 Kangfu Rd, Building #3, Lintong District"'),
    _code("CP084", "emphasis-between-digits", Stage.RULE, W, "Asterisks between digits are read as "
          "emphasis markers and vanish: 3*2*4 cm prints as 324 cm, the 2 in italics.",
          "The cleft measured 3*2*4 cm.", "write the multiplication sign (3 × 2 × 4 cm), or escape the "
          "asterisks (3\\*2\\*4)."),
    _code("CP085", "glyph-coverage", Stage.RULE, E, "A character no font available to the renderer covers: the "
          "PDF would print it as an empty box.", "given: 文涛   # on a machine without a Chinese font",
          "install fonts that cover the script (scripts/setup.sh installs Debian's Noto fonts), or correct the "
          "character."),
    _code("CP086", "section-empty", Stage.RULE, E, "A heading with no text under it before the next heading of "
          "its level (or the end): a section still to be written, as `casepub new` leaves them.",
          "## Discussion\n\n## Conclusion", "write the section's text under its heading, or remove the heading."),
    _code("CP082", "typographic-quotes", Stage.RULE, W, "A value is wrapped in typographic quotes (“…” or ‘…’), "
          "which YAML does not read as quotes: they would be printed.", "disclosure: “Nothing to disclose.”",
          'remove them, or use straight quotes: disclosure: "Consulting: Stryker."'),
    # Journal profiles
    _code("CP090", "profile", Stage.PROFILE, E, "A journal profile (built in, or journals/<id>.yaml beside the "
          "cases) cannot be used: unreadable, an unknown key, rule, option, article type or template folder, a "
          "wrong type, a wording placeholder it does not fill, an id that is not its file's name, or an `extends` "
          "of no profile or in a loop. Nothing is built with it.", "# journals/the-spine-journal.yaml\nrules: {panel-citd: off}",
          "correct the profile as the message says; `casepub explain` lists the rule names."),
    # Rendering
    _code("CP100", "pdf", Stage.RENDER, E, "The PDF could not be made (a resource was refused or could not be "
          "read, or the stamp failed). The previous PDF is kept.",
          "(a template that links a stylesheet from the network)", "see the message; report it if it is not "
          "caused by a template of yours."),
    _code("CP101", "panel-print", Stage.RENDER, E, "A panel image passed the checks but could not be prepared for "
          "print (its full decode failed, or the file changed after the check).",
          "image: figures/a.png   # a PNG whose pixel data is corrupt past its header",
          "export the image again from the original, then render again."),
    _code("CP104", "template", Stage.RENDER, E, "A template cannot be used: a syntax error, a template that is "
          "missing, or a name it uses that is not defined (typically in a folder given with --templates).",
          "{% block body %}{{ article.bdy }}{% endblock %}   # in my-templates/article.html.j2",
          "correct the template at the file and line given; `casepub render --templates DIR` searches DIR first."),
    _code("CP105", "jats", Stage.RENDER, E, "The JATS XML made for the case did not validate against JATS 1.3 "
          "(its XSD and its Journal Publishing DTD), so it was not written. casepub makes JATS valid by "
          "construction: this is a bug in casepub, reported with the validator's message.",
          "casepub render cases/x --to jats", "report the case and the message to the casepub developers; the "
          "HTML and PDF are not affected."),
    _code("CP106", "jats-journal", Stage.RENDER, E, "JATS needs what the journal profile does not give: the "
          "journal's ISSN (a JATS article's journal-meta must have one). The journal-neutral `care` profile has "
          "none.", "casepub render cases/kummell-care --to jats   # journal: care",
          "set `issn:` (and `publisher:`) in journals/<journal>.yaml beside the cases, which is merged over the "
          "built-in profile; or render without jats."),
    _code("CP107", "draft", Stage.RENDER, E, "A draft of a case with errors (`render --draft`) could not be "
          "made: one of its errors stops the page itself (a journal profile that cannot be read, a front matter "
          "that cannot be read as a case).", "casepub render cases/x --draft   # case.md is not YAML",
          "correct the errors the check lists first, then render the draft again."),
    # Running: limits and outputs
    _code("CP102", "output", Stage.RUN, E, "An output could not be written: the output folder is read-only, "
          "full, not a folder, or not permitted. Earlier outputs are left whole.",
          "casepub render cases/x -o /read-only/build", "choose an output folder you can write to (-o DIR), or free "
          "space on its disk, as the message says."),
    _code("CP103", "time-limit", Stage.RUN, E, "Work on the case stopped at its time limit (the rule or step "
          "named in the message was running); the other cases went on.",
          "casepub check cases/ --time-limit 0.01   # far too short for any case",
          "raise the limit with --time-limit SECONDS if the case is large; otherwise shorten or simplify what the "
          "named step reads (the text, the images), and report an ordinary case that runs out of time."),
    # Issue builds
    _code("CP200", "manifest", Stage.ISSUE, E, "The issue manifest cannot be read, or its keys or values are "
          "wrong.", "volume: twenty-six", "correct the manifest as the message says (docs/issue-builds.md)."),
    _code("CP201", "manifest-case", Stage.ISSUE, E, "An article of the manifest names a folder without a case.",
          "articles:\n  - case: cases/t12-osteonecrosiss", "write the case folder's path relative to the manifest."),
    _code("CP202", "manifest-case-twice", Stage.ISSUE, E, "The manifest lists a case twice.",
          "articles:\n  - case: cases/a\n  - case: cases/a", "list each case once."),
    _code("CP203", "manifest-journal", Stage.ISSUE, E, "The manifest's `journal` names no profile.",
          "journal: the-spine-journl", "use a journal id the hint lists."),
    _code("CP204", "issue-pdf", Stage.ISSUE, E, "The issue PDF could not be made: an article could not be "
          "numbered, or the contents pages failed.", "(an article whose numbering failed)",
          "see that article's diagnostics, correct it and build again."),
    _code("CP205", "manifest-journal-mismatch", Stage.ISSUE, E, "A case's `journal` is not the manifest's: the "
          "contents would be made with one journal's profile and the article with another's. The article is left "
          "out of the issue; the others are built.",
          "# issue.yaml\njournal: the-spine-journal\n# cases/a/case.md\njournal: care",
          "change the case's `journal` or the manifest's, so that they name the same journal."),
    _code("CP206", "deposit-keys", Stage.ISSUE, W, "The manifest lacks a key the issue's deposits need "
          "(`depositor`, `registrant`, or `url`, the articles' landing pages): the articles, their JATS and the "
          "issue PDF are built, but crossref.xml and pubmed.xml are not written (and any earlier ones are "
          "removed, as they describe another issue).",
          "journal: the-spine-journal\nvolume: 26   # no depositor, registrant or url",
          "add `depositor: {name: ..., email: ...}`, `registrant: ...` and `url: https://.../{doi}` to the "
          "manifest (docs/issue-builds.md)."),
    _code("CP207", "deposit-invalid", Stage.ISSUE, E, "A deposit (crossref.xml or pubmed.xml) did not validate "
          "against its schema (Crossref 5.3.1 XSD, PubMed 3.0 DTD) in what the issue gives (a manifest key, the "
          "journal profile), or no article of the issue could be put in it. It was not written: it is kept "
          "beside as <name>.xml.invalid to read, never to send; the articles stand.",
          "depositor: {name: ..., email: x@y.z}   # a depositor name longer than Crossref's 130 characters",
          "correct what the validator's message names; report it to the casepub developers if it is not in "
          "the manifest or the profile."),
    _code("CP208", "deposit-article", Stage.ISSUE, W, "An article's metadata does not fit a deposit's schema "
          "(Crossref takes names of at most 60 characters, without a lone `?`): the article is left out of that "
          "deposit and built as usual; the others are deposited.",
          "authors:\n  - {given: Ann, family: <a family name of 70 characters>}",
          "shorten or correct the value the message names, or deposit this article by hand."),
    _code("CP209", "issue-issn", Stage.ISSUE, W, "The issue's journal profile gives no ISSN, which JATS, "
          "Crossref and PubMed all need: the articles and the issue PDF are built, without their JATS XML, "
          "packages or deposits.", "journal: care   # the journal-neutral profile has no ISSN",
          "set `issn:` in journals/<journal>.yaml beside the manifest and the cases."),
    # Rules: references (the references file, at its line there, and the citations in case.md)
    _code("CP300", "references-file", Stage.RULE, E, "The references file named by `references:` cannot be read: "
          "missing, outside the case folder, not a regular file, too large, not UTF-8, or not BibTeX, CSL-JSON or "
          "CSL-YAML.", "references: ../shared/library.bib", "put the file in the case folder, saved as UTF-8, named "
          "with its suffix (.bib, .json or .yaml)."),
    _code("CP301", "references-syntax", Stage.RULE, E, "The references file is malformed: BibTeX with unbalanced "
          "braces, an undefined @string macro (or one defined from itself), a field given twice; JSON or YAML "
          "that does not parse, an item without an id.", """\
          @article{hao2019,
            title = {Osteonecrosis after vertebroplasty,
            journal = spj,""",
          "close every brace, define each @string before it is used, or export the file again."),
    _code("CP302", "reference-names", Stage.RULE, E, "An author or editor list in the BibTeX file is not BibTeX "
          "syntax.", "author = {Hao, Ding-Jun, Yang, Jun-Song, Wang}",
          "separate names with ' and ', each as 'Family, Given' or 'Given Family'; a corporate author in braces."),
    _code("CP303", "reference-duplicate", Stage.RULE, W, "Two references have the same key; the first is kept, as "
          "BibTeX does.", "@article{hao2019, ...}\n@article{hao2019, ...}",
          "remove the second entry or give it its own key."),
    _code("CP304", "reference-identifier", Stage.RULE, E, "A reference's DOI or PMID is not well-formed; it is left "
          "out.", "doi = {10.1016}\npmid = {PMC123}",
          "write the DOI as 10.<registrant>/<suffix> (a https://doi.org/ or doi: prefix is fine) and the PMID as "
          "its number."),
    _code("CP305", "reference-url", Stage.RULE, E, "A reference's url is not a web address (javascript:, file:, "
          "data: ...); it is refused and left out.", "url = {javascript:alert(1)}",
          "give an address beginning with https:// or http://, or remove the field."),
    _code("CP306", "citation-key", Stage.RULE, E, "A citation in the text names a key that is not in the "
          "references file, or the case cites references but has no `references:` file.",
          "Osteonecrosis is rare [@hao2091].", "correct the key (the hint names the closest one) or add the "
          "reference to the file."),
    _code("CP307", "reference-uncited", Stage.RULE, W, "A reference in the references file is never cited in the "
          "text; it is not printed.", "@book{unused2020, ...}", "cite it as [@key] where it belongs, or remove it."),
    # Rules: tables (and the recommended sections, beside CP078)
    _code("CP320", "table-citation-resolves", Stage.RULE, E, "A table citation in the text names no table of "
          "the case.", "... are listed in Table 3.   # the case has two tables",
          "cite a table the case has; tables are numbered in the order of the text."),
    _code("CP321", "table-cited", Stage.RULE, W, "A table is not cited in the text.",
          "| Test | Value |\n|---|---|\n| CRP | 4 mg/L |\n\n: Laboratory values {#tbl-labs}   # no \"Table 1\" "
          "in the text", 'cite it where the text speaks of it, e.g. "(Table 1)".'),
    _code("CP322", "table-caption", Stage.RULE, E, "A table has no caption line after it, or its caption is empty.",
          "| Test | Value |\n|---|---|\n| CRP | 4 mg/L |\n\nCRP was normal.",
          "write the caption on the line after the table: `: Laboratory values at admission {#tbl-labs}`."),
    _code("CP323", "table-id", Stage.RULE, E, "A table's caption has no id, an id that does not start with `tbl-`, "
          "or an id another table or a figure has.", ": Laboratory values at admission {#labs}",
          "end the caption with its own id: `{#tbl-labs}`."),
    _code("CP329", "section-recommended", Stage.RULE, W, "A section the article type recommends (but does not "
          "require) is missing.", "(a CARE case report without `## Patient perspective`)",
          "add the `## Heading` named, or say in the text why there is none."),
    # casepub itself
    _code("CP998", "renderer-crash", Stage.CASEPUB, E, "The renderer crashed or hung on this case (the other "
          "cases were built).", "(a case that makes a native library crash)",
          "report the case to the casepub developers; try rendering it alone."),
    _code("CP999", "internal-error", Stage.CASEPUB, E, "A bug in casepub. The other cases went on.",
          "(any input that makes casepub raise an unexpected exception)",
          "report it to the casepub developers with the case."),
)

CODES: dict[str, Code] = {entry.code: entry for entry in _ALL}
BY_NAME: dict[str, Code] = {entry.name: entry for entry in _ALL}
assert len(CODES) == len(BY_NAME) == len(_ALL), "a code or a name is defined twice"


def lookup(word: str) -> Code | None:
    """A code by its code (CP021, cp21, 21) or its name (author-disclosure)."""
    text = word.strip()
    if text in BY_NAME:
        return BY_NAME[text]
    digits = text.upper().removeprefix("CP")
    return CODES.get(f"CP{int(digits):03d}") if digits.isdigit() else None


def as_markdown() -> str:
    """docs/diagnostics.md: every code, as `casepub explain` prints it."""
    lines = ["# Diagnostic codes", "",
             "Generated from `casepub/codes.py` by `scripts/make_diagnostics_doc.py`; `casepub explain CODE` prints "
             "one entry, `casepub explain` lists them all. Rules (a rule's name or code) can be switched off or "
             "made warnings in a journal profile: `rules: {panel-cited: warning, author-degrees: off}`.", "",
             "Reported by: *reading* a source (case.md, an issue manifest) against its schema; a *rule* (a "
             "journal profile can switch it off or change its severity); the journal *profile*; *rendering*; an "
             "*issue build*; *casepub* itself (a bug).", "",
             "| code | name | severity | reported by | summary |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| [{e.code}](#{e.code.lower()}) | `{e.name}` | {e.severity.value} | {e.stage.value} | {e.summary} |"
              for e in CODES.values()]
    for entry in CODES.values():
        lines += ["", f"## {entry.code}", "", f"`{entry.name}`: {entry.severity.value} by default, reported by "
                  f"{entry.stage.value}.", "", entry.summary, "", "Example:", "", "```yaml", entry.example, "```", "",
                  f"Fix: {entry.fix}"]
    return "\n".join(lines) + "\n"
