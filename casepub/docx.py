"""The article as a submission manuscript (DOCX), built from what the HTML shows (its ArticleView).

What a submission system expects, in this order (docs/docx.md):
- a title page: the article type, the title, the authors with degrees and affiliation labels, the
  affiliations, the corresponding author with address and e-mail, the word counts as the checks count them
  (casepub/checks/text.py: abstract-limit and word-limit), the number of figures and tables;
- the abstract (its sections under their headings) and the keywords;
- the body: headings as Heading 1-3 (the body's ## is Heading 1), paragraphs with italics, bold, superscript
  and subscript kept, lists as List Bullet / List Number (each numbered list restarts), tables as Word
  tables with a repeated header row and their caption (Caption) above, citations as printed; the timeline;
- the statements, each with the profile's label; the references, numbered as the style prints them; the
  figure legends ("Figure 1. (A) ... (B) ...").

Figures are not embedded: `figure_files` names each panel's own file (render.place_originals) as
<name>-figure-1A.<ext> beside the DOCX, which is what journals ask for; `write_manuscript` writes both.

The body, abstract and captions are the HTML casepub renders, walked element by element (as the JATS writer
does): the same words in the same order. Every string is text to python-docx (it escapes XML), cleaned of
what XML 1.0 cannot hold. The same case gives the same bytes: core-property dates come from the case and
the ZIP entries carry a fixed time.
"""
from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from docx.shared import Inches, Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import html

from casepub.checks.text import body_words, word_count
from casepub.load.markdown import body_blocks
from casepub.render.html import ArticleView, join_names
from casepub.words import counted
from casepub.write import OutputError, write_atomic
from casepub.xml.jats import clean

Panels = Mapping[tuple[int, int], tuple[str, int, int]]  # (figure, panel) -> (src, width, height)

# The manuscript's own paragraph styles (Word's built-in names are used where Word has one: Title,
# Heading 1-3, List Bullet, List Number, List Continue, Quote, Caption, Strong for labels).
ARTICLE_TYPE = "casepub Article Type"
AUTHORS = "casepub Authors"
AFFILIATION = "casepub Affiliation"
CORRESPONDING = "casepub Corresponding Author"
WORD_COUNT = "casepub Word Count"
KEYWORDS = "casepub Keywords"
STATEMENT = "casepub Statement"
REFERENCE = "casepub Reference"
TABLE_TEXT = "casepub Table Text"
PREFORMATTED = "casepub Preformatted"
CODE = "casepub Code"  # a character style

# Words only the manuscript prints, until the profile's wording has them (a journal's profile that sets a
# wording of the same name is used instead: `_say`).
WORDS = {"word_count_abstract": "Word count, abstract", "word_count_text": "Word count, text",
         "tables": "Tables", "figure_legends": "Figure legends"}

HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # white space as HTML collapses it (not the no-break space)
FILE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
INLINE = {"i": "italic", "em": "italic", "b": "bold", "strong": "bold", "sup": "superscript", "sub": "subscript",
          "code": "code", "u": "underline", "s": "strike", "del": "strike"}
BLOCKS = frozenset({"p", "ul", "ol", "blockquote", "pre", "table", "div", "section", "h1", "h2", "h3", "h4", "h5",
                    "h6", "hr", "article", "aside", "figure"})
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry's time: the same case gives the same bytes
BREAK = "\n"  # a line break inside a paragraph (<br>), as a segment's text
TAB = "\t"  # a tab (after a reference's label), as a segment's text


@dataclass(frozen=True)
class Look:
    """How a run of text is set."""
    italic: bool = False
    bold: bool = False
    superscript: bool = False
    subscript: bool = False
    code: bool = False
    underline: bool = False
    strike: bool = False
    strong: bool = False  # a label ("Keywords:", "Figure 1."): the Strong character style
    href: str | None = None


Segment = tuple[str, Look]


# --- the document -----------------------------------------------------------------------------------------------

def article_docx(view: ArticleView) -> bytes:
    """The submission manuscript of the article, as the bytes of a DOCX file."""
    document = docx.Document()
    _setup(document, view)
    writer = Writer(document, view)
    _title_page(writer)
    _abstract(writer)
    _body(writer)
    _statements(writer)
    _references(writer)
    _legends(writer)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def figure_files(view: ArticleView, originals: Panels, name: str) -> tuple[tuple[str, str], ...]:
    """(file name beside the DOCX, the panel's own file relative to the output folder) for every panel, in
    order: <name>-figure-1A.jpg, or <name>-figure-A.jpg when the case has one figure (printed "Figure A")."""
    files: list[tuple[str, str]] = []
    taken: set[str] = set()
    for f, figure in enumerate(view.figures):
        for p, panel in enumerate(figure.panels):
            source = originals[(f, p)][0]
            suffix = Path(source).suffix.lower()
            stem = f"{name}-figure-{figure.number or ''}{FILE_NAME.sub('-', panel.label)}".rstrip("-")
            unique = stem if stem + suffix not in taken else f"{stem}-{p + 1}"
            taken.add(unique + suffix)
            files.append((unique + suffix, source))
    return tuple(files)


def write_manuscript(view: ArticleView, originals: Panels, target: Path, name: str) -> tuple[Path, ...]:
    """Write <name>.docx and its figure files into `target`, where the panels' own files were placed
    (render.place_originals); the paths written, the DOCX first. OutputError when one cannot be written."""
    data = article_docx(view)
    files = figure_files(view, originals, name)
    written = [write_atomic(target / f"{name}.docx", data)]
    for file_name, source in files:  # not copy_atomic: these names are not content-addressed
        try:
            panel = (target / source).read_bytes()
        except OSError as error:
            raise OutputError(target / source, error, "read") from error
        written.append(write_atomic(target / file_name, panel))
    return tuple(written)


def _fixed_zip(data: bytes) -> bytes:
    """The DOCX with every entry dated ZIP_TIME (zipfile stamps them with the clock), in the same order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info))
    return out.getvalue()


# --- set-up: styles, page, properties -----------------------------------------------------------------------------

def _setup(document: Document, view: ArticleView) -> None:
    lang = clean(view.case.meta.lang or view.profile.lang or "en")
    _defaults(document, lang)
    _styles(document)
    _section(document, view)
    _properties(document, view, lang)
    package = document.part.package
    for key, relationship in list(package.rels.items()):  # the template's picture of an empty page
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            del package.rels[key]


def _defaults(document: Document, lang: str) -> None:
    """Times New Roman 12 pt in the document's language for every run; Normal double-spaced (the usual
    submission requirement), no space after paragraphs."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
    if r_pr is not None:
        fonts = r_pr.find(qn("w:rFonts"))
        if fonts is not None:
            for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
                fonts.attrib.pop(qn(theme), None)
            for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
                fonts.set(qn(attribute), "Times New Roman")
        for size in ("w:sz", "w:szCs"):
            node = r_pr.find(qn(size))
            if node is not None:
                node.set(qn("w:val"), "24")
        language = r_pr.find(qn("w:lang"))
        if language is not None:
            language.set(qn("w:val"), lang)
    normal = document.styles["Normal"].paragraph_format
    normal.line_spacing_rule = WD_LINE_SPACING.DOUBLE
    normal.space_after = Pt(0)


def _styles(document: Document) -> None:
    """Word's styles in black and the body font; casepub's own styles, named so that editors can restyle."""
    styles = document.styles
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "Quote"):
        style = styles[name]
        style.hidden = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        r_pr = style.element.rPr
        fonts = r_pr.find(qn("w:rFonts")) if r_pr is not None else None
        if fonts is not None:  # theme fonts win over named ones in Word: the body font, inherited
            r_pr.remove(fonts)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.DOUBLE
    styles["Title"].font.size = Pt(16)
    for level, size in ((1, 14), (2, 12), (3, 12)):
        heading = styles[f"Heading {level}"]
        heading.font.size = Pt(size)
        heading.font.italic = level == 3
        heading.paragraph_format.space_before = Pt(12)
    caption = styles["Caption"]
    caption.font.size, caption.font.bold = Pt(12), False
    for name in (ARTICLE_TYPE, AUTHORS, AFFILIATION, CORRESPONDING, WORD_COUNT, KEYWORDS, STATEMENT, REFERENCE,
                 PREFORMATTED, TABLE_TEXT):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
    styles[ARTICLE_TYPE].font.italic = True
    styles[AUTHORS].paragraph_format.space_before = Pt(12)
    styles[CORRESPONDING].paragraph_format.space_before = Pt(12)
    styles[WORD_COUNT].paragraph_format.space_before = Pt(0)
    styles[KEYWORDS].paragraph_format.space_before = Pt(12)
    styles[STATEMENT].paragraph_format.space_after = Pt(6)
    reference = styles[REFERENCE].paragraph_format
    reference.left_indent, reference.first_line_indent = Inches(0.5), Inches(-0.5)
    reference.tab_stops.add_tab_stop(Inches(0.5))
    styles[PREFORMATTED].font.name = "Courier New"
    styles[PREFORMATTED].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    styles[TABLE_TEXT].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # tables single-spaced
    code = styles.add_style(CODE, WD_STYLE_TYPE.CHARACTER)
    code.font.name = "Courier New"


def _section(document: Document, view: ArticleView) -> None:
    """A4 or Letter as the journal's page, 1-inch margins, line numbers, the page number in the footer."""
    section = document.sections[0]
    if view.profile.page.size.split()[0] == "A4":
        section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    numbers = OxmlElement("w:lnNumType")
    numbers.set(qn("w:countBy"), "1")
    numbers.set(qn("w:restart"), "continuous")
    section._sectPr.insert_element_before(numbers, "w:pgNumType", "w:cols", "w:formProt", "w:vAlign",
                                          "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
                                          "w:docGrid", "w:printerSettings", "w:sectPrChange")
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)


def _properties(document: Document, view: ArticleView, lang: str) -> None:
    """Title, authors, keywords and language; the dates from the case (none when it has none)."""
    meta = view.case.meta
    properties = document.core_properties
    properties.title = _property(view.plain_title)
    properties.author = _property("; ".join(author.name for author in view.authors))
    properties.keywords = _property("; ".join(meta.keywords))
    properties.subject = _property(view.label)
    properties.language = _property(lang)
    if meta.doi:
        properties.identifier = _property(meta.doi)
    properties.last_modified_by = ""
    properties.comments = ""
    properties.revision = 1
    day = _case_date(view)
    if day is not None:
        moment = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
        properties.created = properties.modified = moment
    else:  # not the template's date, nor the clock's
        element = properties._element
        for name in ("created", "modified"):
            for node in element.findall(qn(f"dcterms:{name}")):
                element.remove(node)


def _case_date(view: ArticleView) -> datetime.date | None:
    """The date the case gives (its `date`, else the latest of its history), or the issue's; never the day
    it is rendered."""
    if view.date is not None and view.date_source != "render-date":
        return view.date
    dates = view.case.meta.dates
    found = [getattr(dates, name) for name in ("accepted", "revised", "received") if dates and getattr(dates, name)]
    return found[0] if found else None


def _property(text: str) -> str:
    """A core property: XML text, at most 255 characters (python-docx's limit)."""
    return " ".join(clean(text).split())[:255]


def _say(view: ArticleView, name: str) -> str:
    """A word only the manuscript prints: the profile's wording of that name when it has one, else casepub's."""
    value = getattr(view.profile.wording, name, None)
    return value if isinstance(value, str) else WORDS[name]


# --- the writer: paragraphs and runs ------------------------------------------------------------------------------

class Writer:
    """Adds paragraphs, runs and tables to the document; the next paragraph starts a page when asked."""

    def __init__(self, document: Document, view: ArticleView):
        self.document, self.view = document, view
        self.new_page = False
        self.made: list[Paragraph] = []  # every paragraph added outside tables, in order
        # Style ids by name, read once: python-docx finds a style by name by reading every style (slow).
        self.ids = {style.name: style.style_id for style in document.styles if style.name}
        self.end = document.element.body.sectPr  # paragraphs go before it, in order

    def paragraph(self, style: str, segments: Iterable[Segment] = ()) -> Paragraph:
        element = cast(CT_P, OxmlElement("w:p"))
        self.end.addprevious(element)  # not document.add_paragraph: it looks for the w:sectPr from the start
        paragraph = Paragraph(element, self.document._body)
        if style != "Normal":
            paragraph._p.style = self.ids[style]
        if self.new_page:
            paragraph.paragraph_format.page_break_before = True
            self.new_page = False
        add_segments(paragraph, segments, self.ids)
        self.made.append(paragraph)
        return paragraph

    def heading(self, text: str | Iterable[Segment], level: int = 1, new_page: bool = False) -> Paragraph:
        self.new_page = self.new_page or new_page
        segments = [(text, Look())] if isinstance(text, str) else text
        return self.paragraph(f"Heading {min(max(level, 1), 3)}", segments)

    def labelled(self, style: str, label: str, segments: Iterable[Segment]) -> Paragraph:
        """"Label: text", the label in Strong."""
        return self.paragraph(style, [(f"{label}:", Look(strong=True)), (" ", Look()), *segments])


def add_segments(paragraph: Paragraph, segments: Iterable[Segment], ids: Mapping[str, str]) -> None:
    """The segments as runs: white space collapsed as HTML does, trimmed at both ends; a link's runs in a
    w:hyperlink."""
    for text, look in tidy(segments):
        if look.href:
            _hyperlink(paragraph, text, look, ids)
        else:
            _run(paragraph._p, paragraph, text, look, ids)


def tidy(segments: Iterable[Segment]) -> list[Segment]:
    """White space collapsed across segments (a space at most between words), none at the ends or around a
    line break; adjacent segments set alike joined."""
    out: list[Segment] = []
    space_before = True
    for text, look in segments:
        if text in (BREAK, TAB):
            _rstrip(out)
            out.append((text, look))
            space_before = True
            continue
        text = HTML_SPACE.sub(" ", clean(text))
        if space_before:
            text = text.lstrip(" ")
        if not text:
            continue
        if out and out[-1][1] == look and out[-1][0] not in (BREAK, TAB):
            out[-1] = (out[-1][0] + text, look)
        else:
            out.append((text, look))
        space_before = text.endswith(" ")
    _rstrip(out)
    return out


def _rstrip(out: list[Segment]) -> None:
    while out and out[-1][0] not in (BREAK, TAB):
        text = out[-1][0].rstrip(" ")
        if text:
            out[-1] = (text, out[-1][1])
            return
        out.pop()


def _run(parent: Any, paragraph: Paragraph, text: str, look: Look, ids: Mapping[str, str]) -> None:
    """One run in `parent` (the paragraph's w:p or a w:hyperlink)."""
    run = paragraph.add_run()
    if parent is not paragraph._p:
        parent.append(run._r)
    if text == BREAK:
        run.add_break()
        return
    run.text = text
    font = run.font
    for name in ("italic", "bold", "underline", "strike"):  # only what is on: an untouched run has no w:rPr
        if getattr(look, name):
            setattr(font, name, True)
    if look.superscript:  # one w:vertAlign: never set either to None (that removes the other)
        font.superscript = True
    elif look.subscript:
        font.subscript = True
    if look.code:
        run._r.style = ids[CODE]
    elif look.strong:
        run._r.style = ids["Strong"]
    elif look.href:
        font.underline = True
    if _right_to_left(text):
        font.rtl = True


def _right_to_left(text: str) -> bool:
    """Whether the text's first strong character is right-to-left (Arabic, Hebrew): Word then lays the run
    out right to left, and the commas between runs stay in the paragraph's direction."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _hyperlink(paragraph: Paragraph, text: str, look: Look, ids: Mapping[str, str]) -> None:
    """A link to a web address or an e-mail address (the only ones casepub's HTML has)."""
    target = quote(clean(look.href or ""), safe=":/?#[]@!$&'()*+,;=%~-._")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    paragraph._p.append(link)
    _run(link, paragraph, text, look, ids)


# --- HTML to segments and blocks ----------------------------------------------------------------------------------

def fragments(markup: str) -> list[Any]:
    """The HTML's top-level nodes, parsed once cleaned (libxml2 stops reading at a NUL)."""
    markup = clean(markup)
    return list(html.fragments_fromstring(markup)) if markup.strip() else []


def inline(markup: str, look: Look = Look()) -> list[Segment]:
    """Inline HTML (a title, a caption, a reference) as segments."""
    segments: list[Segment] = []
    for node in fragments(markup):
        if isinstance(node, str):
            segments.append((node, look))
        else:
            segments += node_segments(node, look)
            if node.tail:
                segments.append((node.tail, look))
    return segments


def children_segments(node: Any, look: Look) -> list[Segment]:
    segments: list[Segment] = [(node.text, look)] if node.text else []
    for child in node:
        segments += node_segments(child, look)
        if child.tail:
            segments.append((child.tail, look))
    return segments


def node_segments(node: Any, look: Look) -> list[Segment]:
    """One inline element with its content (not its tail)."""
    tag = node.tag if isinstance(node.tag, str) else ""
    if not tag:  # a comment or processing instruction
        return []
    if tag in INLINE:
        changes: dict[str, Any] = {INLINE[tag]: True}
        return children_segments(node, replace(look, **changes))
    if tag == "a":
        href = node.get("href") or ""
        linked = href.startswith(("http://", "https://", "mailto:")) and not look.href
        return children_segments(node, replace(look, href=href) if linked else look)
    if tag == "br":
        return [(BREAK, look)]
    if tag in BLOCKS:  # a block inside inline content (not made by casepub): its text
        return [(node.text_content(), look)]
    return children_segments(node, look)  # span, bdi, abbr, wbr ...: their content


def plain(markup: str) -> str:
    """The text of a piece of HTML, on one line."""
    return "".join(text for text, _ in tidy(inline(markup)) if text != BREAK)


def blocks(writer: Writer, markup: str, style: str = "Normal", top: int = 2) -> None:
    """HTML block content (casepub's own rendering) as paragraphs, lists and tables; a heading h<top> is
    Heading 1, the next level Heading 2 ..."""
    for node in fragments(markup):
        if isinstance(node, str):
            if node.strip():
                writer.paragraph(style, [(node, Look())])
            continue
        block(writer, node, style, top)
        if node.tail and node.tail.strip():
            writer.paragraph(style, [(node.tail, Look())])


def block(writer: Writer, node: Any, style: str, top: int = 2, depth: int = 0) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if re.fullmatch(r"h[1-6]", tag):
        writer.heading(children_segments(node, Look()), int(tag[1]) - top + 1)
    elif tag == "p":
        writer.paragraph(style, children_segments(node, Look()))
    elif tag in ("ul", "ol"):
        _list(writer, node, depth)
    elif tag == "blockquote":
        child_blocks(writer, node, "Quote", top, depth)
    elif tag == "pre":
        lines = node.text_content().rstrip("\n").split("\n")
        paragraph = writer.paragraph(PREFORMATTED)
        for n, line in enumerate(lines):
            if n:
                paragraph.add_run().add_break()
            paragraph.add_run(clean(line))
    elif tag == "table":
        table(writer, node)
    elif tag in ("div", "section", "article", "aside", "figure"):
        child_blocks(writer, node, style, top, depth)
    elif tag and tag != "hr":  # inline content at block level
        writer.paragraph(style, node_segments(node, Look()))


def child_blocks(writer: Writer, node: Any, style: str, top: int, depth: int) -> None:
    """A node's children as blocks: loose text and inline elements gathered into paragraphs of `style`."""
    loose: list[Segment] = []

    def flush() -> None:
        if any(text.strip() for text, _ in loose):
            writer.paragraph(style, loose)
        loose.clear()

    if node.text:
        loose.append((node.text, Look()))
    for child in node:
        if isinstance(child.tag, str) and child.tag in BLOCKS:
            flush()
            block(writer, child, style, top, depth)
        else:
            loose += node_segments(child, Look())
        if child.tail:
            loose.append((child.tail, Look()))
    flush()


def _list(writer: Writer, node: Any, depth: int) -> None:
    """A list: each item's first paragraph in List Bullet / List Number (2, 3 when nested), the others in
    List Continue; a numbered list starts at its own first number (a new w:num), not after the last list."""
    ordered = node.tag == "ol"
    level = f" {min(depth, 2) + 1}" if depth else ""
    style = f"{'List Number' if ordered else 'List Bullet'}{level}"
    number = _restart(writer.document, style, _start(node)) if ordered else None
    for item in node:
        if item.tag != "li":
            continue
        first = len(writer.made)
        child_blocks(writer, item, f"List Continue{level}", 2, depth + 1)
        paragraphs = writer.made[first:]
        if not paragraphs:
            paragraphs = [writer.paragraph(style)]
        head = paragraphs[0]
        if (head._p.style or "").startswith(writer.ids["List Continue"]):
            head._p.style = writer.ids[style]
            if number is not None:
                num_pr = head._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = number


def _start(node: Any) -> int:
    start = node.get("start") or "1"
    return int(start) if start.isdigit() and len(start) < 7 else 1


def _restart(document: Document, style: str, start: int) -> int:
    """A new numbering instance of the list style's, starting at `start`: its id."""
    numbering = document.part.numbering_part.element
    style_element = document.styles[style].element
    style_num = style_element.pPr.numPr.numId.val if style_element.pPr is not None and \
        style_element.pPr.numPr is not None and style_element.pPr.numPr.numId is not None else None
    abstract = numbering.num_having_numId(style_num).abstractNumId.val if style_num is not None else 0
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(start)
    return int(num.numId)


# --- tables -------------------------------------------------------------------------------------------------------

def table(writer: Writer, node: Any) -> None:
    """A Word table: its caption (Caption, the label in Strong) above it, the head's rows repeated on each
    page and bold, the cells aligned as the page aligns them."""
    caption = node.find("caption")
    if caption is not None:
        writer.paragraph("Caption", caption_segments(caption))
    rows: list[tuple[Any, bool]] = []
    for part in node:
        if part.tag in ("thead", "tbody", "tfoot"):
            rows += [(row, part.tag == "thead") for row in part if row.tag == "tr"]
        elif part.tag == "tr":
            rows.append((part, False))
    cells = [[cell for cell in row if cell.tag in ("th", "td")] for row, _ in rows]
    width = max((sum(_span(cell) for cell in row) for row in cells), default=0)
    if not width:
        return
    grid = writer.document.add_table(rows=len(rows), cols=width)
    grid.style = writer.document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, ((_, head), row) in enumerate(zip(rows, cells)):
        _row(grid, r, row, head, writer.ids)


def caption_segments(caption: Any) -> list[Segment]:
    segments: list[Segment] = [(caption.text, Look())] if caption.text else []
    for child in caption:
        labelled = child.tag == "span" and "table-label" in (child.get("class") or "").split()
        segments += [(child.text_content(), Look(strong=True))] if labelled else node_segments(child, Look())
        if child.tail:
            segments.append((child.tail, Look()))
    return segments


def _span(cell: Any) -> int:
    span = cell.get("colspan") or "1"
    return min(int(span), 63) if span.isdigit() and int(span) > 0 else 1


def _row(grid: Table, r: int, cells: list[Any], head: bool, ids: Mapping[str, str]) -> None:
    row = grid.rows[r]
    if head:
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    column = 0
    for cell in cells:
        if column >= len(row.cells):
            break
        span = _span(cell)
        target = row.cells[column]
        last = min(column + span, len(row.cells)) - 1
        if last > column:
            target = target.merge(row.cells[last])
        paragraph = target.paragraphs[0]
        paragraph._p.style = ids[TABLE_TEXT]
        classes = (cell.get("class") or "").split()
        for name, align in (("left", WD_ALIGN_PARAGRAPH.LEFT), ("center", WD_ALIGN_PARAGRAPH.CENTER),
                            ("right", WD_ALIGN_PARAGRAPH.RIGHT)):
            if f"align-{name}" in classes:
                paragraph.alignment = align
        look = Look(bold=head or cell.tag == "th")
        add_segments(paragraph, children_segments(cell, look), ids)
        column = last + 1


def plain_table(writer: Writer, caption: str, header: Iterable[str], rows: Iterable[Iterable[str]]) -> None:
    """A table of plain values (the timeline) as a body table."""
    head = "".join(f"<th>{_escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    node = html.fragment_fromstring(f"<table><caption>{_escape(caption)}</caption><thead><tr>{head}</tr></thead>"
                                    f"<tbody>{body}</tbody></table>")
    table(writer, node)


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(clean(text)))


# --- the parts ------------------------------------------------------------------------------------------------------

def _title_page(writer: Writer) -> None:
    view = writer.view
    if view.label:
        writer.paragraph(ARTICLE_TYPE, [(view.label, Look())])
    writer.paragraph("Title", inline(str(view.title)))
    if view.authors:
        writer.paragraph(AUTHORS, _author_segments(view))
    for affiliation in view.affiliations:
        writer.paragraph(AFFILIATION, [(affiliation.label, Look(superscript=True)), (" ", Look()),
                                       (", ".join(_address(affiliation.affiliation)), Look())])
    wording = view.profile.wording
    for person in view.corresponding:
        parts = "".join(f", {part}" for part in person.address_parts)
        writer.paragraph(CORRESPONDING, [("*", Look(superscript=True)),
                                         (f"{wording.corresponding_author}: {person.name}{parts}. ", Look()),
                                         (f"{wording.email}: ", Look()),
                                         (person.email, Look(href=f"mailto:{person.email}"))])
    abstract_words, text_words = word_counts(view)
    counts = [f"{_say(view, 'word_count_text')}: {counted(text_words, 'word')}",
              f"{wording.figures}: {len(view.figures)}", f"{_say(view, 'tables')}: {str(view.body).count('<table')}"]
    if view.abstract is not None:
        counts.insert(0, f"{_say(view, 'word_count_abstract')}: {counted(abstract_words, 'word')}")
    for n, line in enumerate(counts):
        paragraph = writer.paragraph(WORD_COUNT, [(line, Look())])
        if not n:
            paragraph.paragraph_format.space_before = Pt(12)


def word_counts(view: ArticleView) -> tuple[int, int]:
    """(abstract, text) words as the checks count them: the abstract-limit rule counts the abstract as written
    (all its sections), the word-limit rule the body's paragraphs and table cells, not its headings."""
    case = view.case
    text = body_words(body_blocks(case.body))
    return word_count(case.meta.abstract or ""), text


def _author_segments(view: ArticleView) -> list[Segment]:
    segments: list[Segment] = []
    for n, author in enumerate(view.authors):
        if n:
            segments.append((", ", Look()))
        segments.append((author.name, Look()))
        if author.degrees:
            segments.append((f", {author.degrees}", Look()))
        marks = list(author.labels) + (["*"] if author.corresponding else [])
        if marks:
            segments.append((",".join(marks), Look(superscript=True)))
    return segments


def _address(affiliation: Any) -> list[str]:
    place = " ".join(part for part in (affiliation.city, affiliation.postal_code) if part)
    parts = [affiliation.department, *affiliation.name, affiliation.address, place, affiliation.region,
             affiliation.country]
    return [part for part in parts if part]


def _abstract(writer: Writer) -> None:
    view = writer.view
    keywords = view.case.meta.keywords
    if view.abstract is None and not keywords:
        return
    writer.new_page = True
    if view.abstract is not None:
        writer.heading(view.profile.wording.abstract)
        if view.abstract_sections:
            for section in view.abstract_sections:
                writer.heading(section.heading, 2)
                blocks(writer, str(section.html))
        else:
            blocks(writer, str(view.abstract))
    if keywords:
        writer.labelled(KEYWORDS, view.profile.wording.keywords, [("; ".join(keywords), Look())])


def _body(writer: Writer) -> None:
    """The text, then the timeline, as the page prints them; the body starts a page."""
    view = writer.view
    writer.new_page = True
    blocks(writer, str(view.body))
    if view.timeline:
        wording = view.profile.wording
        plain_table(writer, wording.timeline, wording.timeline_columns,
                    ((entry.when, entry.event) for entry in view.timeline))


def _statements(writer: Writer) -> None:
    """The statements in the order the page prints them, each with the profile's label."""
    view = writer.view
    meta, wording = view.case.meta, view.profile.wording
    lines: list[tuple[str, list[Segment]]] = []
    if view.fda_status is not None:
        lines.append((wording.fda_status_label, [(plain(str(view.fda_status)), Look())]))
    if view.authors:
        disclosed: list[Segment] = []
        for author in view.authors:
            disclosed += [(" ", Look()), (f"{author.initials}:", Look(bold=True)), (" ", Look()),
                          (author.author.disclosure or "", Look())]
        lines.append((wording.disclosures_label, disclosed))
    if meta.conflict_statement:
        lines.append((wording.conflict_label, [(meta.conflict_statement, Look())]))
    if meta.funding:
        lines.append((wording.funding_label, [(meta.funding, Look())]))
    if view.consent:
        lines.append((wording.consent_label, [(view.consent, Look())]))
    equal = ""
    if view.equal_contributors:
        equal = wording.equal_contribution.replace("{names}", plain(str(join_names(view.equal_contributors,
                                                                                    wording.and_))))
    if not (lines or equal or view.credit):
        return
    writer.heading(wording.statements, new_page=True)
    for label, segments in lines:
        writer.labelled(STATEMENT, label, segments)
    if equal:
        writer.paragraph(STATEMENT, [(equal, Look())])
    if view.credit:
        writer.paragraph(STATEMENT, [(wording.credit_label, Look(strong=True))])
        credit: list[Segment] = []
        for name, roles in view.credit:
            credit += [(" ", Look()), (f"{name}:", Look(bold=True)), (f" {roles}.", Look())]
        writer.paragraph(STATEMENT, credit)


def _references(writer: Writer) -> None:
    """Each reference as the style prints it, after its label ("1." or "[1]") and a tab."""
    references = writer.view.references
    if not (references and references.entries):
        return
    writer.heading(writer.view.profile.wording.references, new_page=True)
    for entry in references.entries:
        writer.paragraph(REFERENCE, [(entry.label, Look()), (TAB, Look()), *inline(entry.html)])


def _legends(writer: Writer) -> None:
    """"Figure 1. (A) ... (B) ...", as the page prints them: the label in Strong, each caption after its panels' letters."""
    view = writer.view
    if not view.figures:
        return
    writer.heading(_say(view, "figure_legends"), new_page=True)
    word = view.profile.wording.figure
    for figure in view.figures:
        segments: list[Segment] = [(f"{word} {figure.number}." if figure.number else f"{word}.", Look(strong=True))]
        for caption in figure.captions:
            segments += [(f" ({caption.labels}) ", Look()), *inline(str(caption.html))]
        writer.paragraph("Caption", segments)
