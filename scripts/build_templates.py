"""Build fresh Word templates (standard.docx and sales.docx) with python-docx.

WARNING: this is not part of plansign and is not how its templates change. It made the
first versions of templates/*.docx; since then HR edit those in Word, and writing over
them would throw their edits away. It writes to a folder you name, never to templates/
unless you say --overwrite-hr-edits, for starting over from the designed layout and
comparing:

    python scripts/build_templates.py --out DIR   # writes DIR/*.docx, then checks them

How the templates are made, so that Word and docxtpl both stay happy:

- Word's built-in styles carry the look (Title, Subtitle, Heading 1-3, List Bullet,
  Table Grid, Header, Footer), plus a few custom ones (Table Text, Table Heading,
  Signature Line, Small Note, Template Logic) that HR can restyle in one place.
- Every Jinja tag is written inside a single run, so Word never sees it split.
- Loops and conditions that take a whole paragraph use ``{%p ... %}`` and those that
  repeat table rows use ``{%tr ... %}``; the tag's paragraph or row disappears when the
  document is rendered, so no blank lines are left behind. Those paragraphs use the
  small grey "Template Logic" style so they stand out while editing.
- Page size is A4 (21 x 29.7 cm) with 2.2 cm side margins; every table is 16.6 cm wide,
  which also fits US Letter if HR switch the page size in Word.
- Header: company name and "Confidential". Footer: employee name, plan reference and
  "Page X of Y" from real PAGE and NUMPAGES fields.
- The signature page starts on a new page; each signer's block starts with the exact
  anchor text (``signers[].anchor``) that the stamping step looks for in the PDF.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_UNDERLINE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent

# -- look ------------------------------------------------------------------------------

FONT = "Calibri"  # Carlito, its metric-compatible twin, stands in on Linux
NAVY = "1F3864"
ACCENT = "2F5496"
TEXT_GREY = "595959"
LOGIC_GREY = "8C8C8C"
RULE = "A9B7CC"
BORDER = "B4BECC"
HEAD_FILL = "DCE3EE"
LABEL_FILL = "F2F4F8"
GOAL_FILL = "F2F4F8"

PAGE_W, PAGE_H = 21.0, 29.7  # A4, in cm
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 2.2, 2.0, 2.0
TEXT_W = PAGE_W - 2 * MARGIN_SIDE  # 16.6 cm

# Elements that follow w:pBdr / w:shd inside w:pPr, in schema order (Word is strict).
_PPR_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)
_PPR_AFTER_SHD = _PPR_AFTER_PBDR[1:]
_TCPR_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                   "w:hideMark")


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour)


def _el(tag: str, **attrs: str) -> OxmlElement:
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _border(side: str, colour: str, size: int = 4, space: int = 0) -> OxmlElement:
    return _el(f"w:{side}", val="single", sz=str(size), space=str(space), color=colour)


def _set_pbdr(ppr, **sides: tuple[str, int, int]) -> None:
    """Paragraph borders, e.g. bottom=(colour, size in 1/8 pt, space in pt)."""
    old = ppr.find(qn("w:pBdr"))
    if old is not None:
        ppr.remove(old)
    pbdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        if side in sides:
            colour, size, space = sides[side]
            pbdr.append(_border(side, colour, size, space))
    ppr.insert_element_before(pbdr, *_PPR_AFTER_PBDR)


def _set_pshd(ppr, fill: str) -> None:
    old = ppr.find(qn("w:shd"))
    if old is not None:
        ppr.remove(old)
    ppr.insert_element_before(_el("w:shd", val="clear", color="auto", fill=fill),
                              *_PPR_AFTER_SHD)


# -- styles ----------------------------------------------------------------------------


def _set_theme_fonts(doc) -> None:
    """python-docx's stock theme says Cambria for body text; make both theme fonts Calibri
    so Word's font menu shows "Calibri (Body)" and "Calibri (Headings)"."""
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/theme"):
            part = rel.target_part
            blob = part.blob.decode("utf-8")
            for old in ('<a:latin typeface="Cambria"/>', '<a:latin typeface="Calibri"/>'):
                blob = blob.replace(old, f'<a:latin typeface="{FONT}"/>')
            part._blob = blob.encode("utf-8")


def _drop_legacy_parts(doc) -> None:
    """The stock python-docx package carries a thumbnail of someone else's document and a
    Word 2010 stylesWithEffects copy of the styles; neither belongs in a template."""
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects") or rel.reltype.endswith("/customXml"):
            doc.part.drop_rel(rid)
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package_rels.pop(rid)


def _modern_compat(doc) -> None:
    """Word 2013+ layout rather than Word 2010 compatibility mode."""
    settings = doc.settings.element
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    proof = settings.find(qn("w:proofState"))
    if proof is not None:
        settings.remove(proof)


def _doc_defaults(doc) -> None:
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    # eastAsia too: left to the theme it resolves to MS Mincho, which LibreOffice
    # replaces with a CJK face whose bold glyphs come out overlapping in the PDF.
    # With Calibri, Chinese/Japanese/Korean text falls back to a proper CJK font.
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-GB")


def _font(style, *, size: float | None = None, bold: bool | None = None,
          italic: bool | None = None, colour: str | None = None) -> None:
    font = style.font
    font.name = FONT
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:cs"), FONT)
    if size is not None:
        font.size = Pt(size)
        szcs = style.element.rPr.find(qn("w:szCs"))
        if szcs is not None:
            szcs.set(qn("w:val"), str(int(size * 2)))
    if bold is not None:
        font.bold = bold
        font.cs_bold = bold
    if italic is not None:
        font.italic = italic
        font.cs_italic = italic
    if colour is not None:
        font.color.rgb = _rgb(colour)


def _spacing(style, before: float, after: float, line: float | None = None) -> None:
    pf = style.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line is not None:
        pf.line_spacing = line


def _paragraph_style(doc, name: str, base: str = "Normal"):
    styles = doc.styles
    if name in [s.name for s in styles]:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def _right_tab_only(style) -> None:
    ppr = style.element.get_or_add_pPr()
    old = ppr.find(qn("w:tabs"))
    if old is not None:
        ppr.remove(old)
    style.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_W), WD_TAB_ALIGNMENT.RIGHT)


def setup_styles(doc) -> None:
    _set_theme_fonts(doc)
    _drop_legacy_parts(doc)
    _modern_compat(doc)
    _doc_defaults(doc)
    styles = doc.styles

    normal = styles["Normal"]
    _font(normal, size=10.5, colour="262626")
    _spacing(normal, 0, 6, 1.1)
    normal.paragraph_format.widow_control = True

    title = styles["Title"]
    _font(title, size=24, bold=True, colour=NAVY)
    _spacing(title, 0, 2, 1.0)
    ppr = title.element.get_or_add_pPr()
    ppr.remove(ppr.find(qn("w:pBdr")))  # the rule sits under the plan meta line instead
    title.element.rPr.remove(title.element.rPr.find(qn("w:spacing")))

    subtitle = styles["Subtitle"]
    _font(subtitle, size=15, italic=False, colour=ACCENT)
    ppr = subtitle.element.get_or_add_pPr()
    numpr = ppr.find(qn("w:numPr"))  # the stock Subtitle carries a stray list level
    if numpr is not None:
        ppr.remove(numpr)
    spacing = subtitle.element.rPr.find(qn("w:spacing"))
    if spacing is not None:
        subtitle.element.rPr.remove(spacing)
    _spacing(subtitle, 0, 4, 1.0)

    h1 = styles["Heading 1"]
    _font(h1, size=14, bold=True, colour=NAVY)
    _spacing(h1, 16, 6, 1.0)
    _set_pbdr(h1.element.get_or_add_pPr(), bottom=(RULE, 6, 2))
    h1.paragraph_format.keep_with_next = True

    h2 = styles["Heading 2"]
    _font(h2, size=11.5, bold=True, colour=ACCENT)
    _spacing(h2, 10, 4, 1.0)
    h2.paragraph_format.keep_with_next = True

    h3 = styles["Heading 3"]
    _font(h3, size=10.5, bold=True, colour="404040")
    _spacing(h3, 8, 3, 1.0)
    h3.paragraph_format.keep_with_next = True

    bullet = styles["List Bullet"]
    _font(bullet)
    _spacing(bullet, 0, 3, 1.1)
    bullet.element.get_or_add_pPr()
    ctx = bullet.element.pPr.find(qn("w:contextualSpacing"))
    if ctx is not None:
        bullet.element.pPr.remove(ctx)

    for name in ("Header", "Footer"):
        style = styles[name]
        _font(style, size=8.5, colour=TEXT_GREY)
        _right_tab_only(style)

    table_text = _paragraph_style(doc, "Table Text")
    _font(table_text, size=9.5)
    _spacing(table_text, 1.5, 1.5, 1.0)

    table_heading = _paragraph_style(doc, "Table Heading", "Table Text")
    _font(table_heading, size=9.5, bold=True, colour=NAVY)
    table_heading.paragraph_format.keep_with_next = True

    note = _paragraph_style(doc, "Small Note")
    _font(note, size=9, colour=TEXT_GREY)
    _spacing(note, 0, 4, 1.05)

    meta = _paragraph_style(doc, "Plan Meta")
    _font(meta, size=10, colour="404040")
    _spacing(meta, 0, 14, 1.1)
    _set_pbdr(meta.element.get_or_add_pPr(), bottom=(NAVY, 12, 6))

    logic = _paragraph_style(doc, "Template Logic")
    _font(logic, size=8, colour=LOGIC_GREY)
    _spacing(logic, 0, 0, 1.0)
    logic.paragraph_format.keep_with_next = True

    sig = _paragraph_style(doc, "Signature Line")
    _font(sig, size=10.5, bold=True)
    _spacing(sig, 30, 2, 1.0)
    sig.paragraph_format.keep_with_next = True
    sig.paragraph_format.keep_together = True
    sig.paragraph_format.tab_stops.add_tab_stop(Cm(12.5), WD_TAB_ALIGNMENT.LEFT)

    sig_detail = _paragraph_style(doc, "Signature Detail")
    _font(sig_detail, size=9.5, colour="404040")
    _spacing(sig_detail, 0, 2, 1.0)
    sig_detail.paragraph_format.keep_with_next = True
    sig_detail.paragraph_format.tab_stops.add_tab_stop(Cm(7.5), WD_TAB_ALIGNMENT.LEFT)

    detail = _paragraph_style(doc, "Detail Line")
    _spacing(detail, 0, 2, 1.05)
    detail.paragraph_format.keep_with_next = True
    detail.paragraph_format.left_indent = Cm(2.75)
    detail.paragraph_format.first_line_indent = Cm(-2.75)
    detail.paragraph_format.tab_stops.add_tab_stop(Cm(2.75), WD_TAB_ALIGNMENT.LEFT)

    goal = _paragraph_style(doc, "Goal Statement")
    _font(goal, size=11, bold=True, colour="1F1F1F")
    _spacing(goal, 2, 4, 1.1)
    goal.paragraph_format.keep_with_next = True
    goal.paragraph_format.left_indent = Cm(0.25)
    ppr = goal.element.get_or_add_pPr()
    _set_pbdr(ppr, left=(ACCENT, 24, 8))
    _set_pshd(ppr, GOAL_FILL)

    goal_detail = _paragraph_style(doc, "Goal Detail")
    _font(goal_detail, size=10)
    _spacing(goal_detail, 0, 1.5, 1.05)
    goal_detail.paragraph_format.keep_with_next = True
    goal_detail.paragraph_format.left_indent = Cm(3.0)
    goal_detail.paragraph_format.first_line_indent = Cm(-2.75)
    goal_detail.paragraph_format.tab_stops.add_tab_stop(Cm(3.0), WD_TAB_ALIGNMENT.LEFT)
    ppr = goal_detail.element.get_or_add_pPr()
    _set_pbdr(ppr, left=(ACCENT, 24, 8))
    _set_pshd(ppr, GOAL_FILL)

    grid = styles["Table Grid"].element
    borders = grid.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    for side in borders:
        side.set(qn("w:color"), BORDER)
    margins = grid.find(qn("w:tblPr")).find(qn("w:tblCellMar"))
    for side in margins:
        side.set(qn("w:w"), "57" if side.tag in (qn("w:top"), qn("w:bottom")) else "100")


# -- page set-up, header, footer --------------------------------------------------------


def _field(paragraph, instruction: str, *, size: float, colour: str) -> None:
    """A real Word field (PAGE, NUMPAGES): begin, instruction, separate, result, end."""

    def fmt(run) -> None:
        run.font.size = Pt(size)
        run.font.color.rgb = _rgb(colour)

    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run()
        fmt(run)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif kind == "result":
            run.text = "1"
        else:
            run._r.append(_el("w:fldChar", fldCharType=kind))


def setup_page(doc, *, footer_left: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_W), Cm(PAGE_H)
    section.left_margin = section.right_margin = Cm(MARGIN_SIDE)
    section.top_margin, section.bottom_margin = Cm(MARGIN_TOP), Cm(MARGIN_BOTTOM)
    section.header_distance = section.footer_distance = Cm(1.0)

    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    name = header.add_run("{{ company.name }}")
    name.bold = True
    name.font.color.rgb = _rgb(NAVY)
    name.font.size = Pt(9)
    header.add_run("\t")
    conf = header.add_run("Confidential")
    conf.bold = True
    conf.font.size = Pt(8.5)
    conf.font.color.rgb = _rgb("9C2A2A")
    ppr = header._p.get_or_add_pPr()
    _set_pbdr(ppr, bottom=(RULE, 4, 4))

    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    _set_pbdr(footer._p.get_or_add_pPr(), top=(RULE, 4, 4))
    footer.add_run(footer_left)
    footer.add_run("\tPage ")
    _field(footer, "PAGE", size=8.5, colour=TEXT_GREY)
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", size=8.5, colour=TEXT_GREY)


def core_properties(doc, variant: str) -> None:
    # Plain text only: docxtpl renders these properties with autoescape, so a tag here
    # would turn "O'Neill" into "O&#39;Neill" in the PDF metadata.
    props = doc.core_properties
    props.title = "Performance Improvement Plan"
    props.subject = f"plansign template: {variant}"
    props.author = "plansign"
    props.last_modified_by = "plansign"
    props.comments = ("Word template for plansign. Variables: see templates/VARIABLES.md. "
                      "Compare with a fresh build: python scripts/build_templates.py --out DIR.")
    props.keywords = "PIP; template"
    props.category = ""
    props.revision = 1
    stamp = dt.datetime(2026, 11, 1, 9, 0, 0)
    props.created = props.modified = stamp


# -- writing content -------------------------------------------------------------------

Part = str | tuple[str, dict]


class Writer:
    """Adds paragraphs and tables; each text part becomes exactly one run."""

    def __init__(self, doc) -> None:
        self.doc = doc

    # paragraphs

    @staticmethod
    def runs(paragraph, parts: Part | Sequence[Part]) -> None:
        if isinstance(parts, str | tuple):
            parts = [parts]
        for part in parts:
            text, fmt = (part, {}) if isinstance(part, str) else part
            if not text:
                continue
            _check_tags(text)
            run = paragraph.add_run(text)
            if fmt.get("bold"):
                run.bold = True
            if fmt.get("italic"):
                run.italic = True
            if fmt.get("underline"):
                run.underline = WD_UNDERLINE.SINGLE
            if "colour" in fmt:
                run.font.color.rgb = _rgb(fmt["colour"])
            if "size" in fmt:
                run.font.size = Pt(fmt["size"])

    def p(self, parts: Part | Sequence[Part] = (), style: str | None = None, *,
          container=None, keep_next: bool = False, page_break_before: bool = False,
          align: str | None = None, space_before: float | None = None,
          space_after: float | None = None):
        container = container or self.doc
        paragraph = container.add_paragraph(style=style)
        self.runs(paragraph, parts)
        pf = paragraph.paragraph_format
        if keep_next:
            pf.keep_with_next = True
        if page_break_before:
            pf.page_break_before = True
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if space_before is not None:
            pf.space_before = Pt(space_before)
        if space_after is not None:
            pf.space_after = Pt(space_after)
        return paragraph

    def logic(self, tag: str, container=None):
        """A paragraph holding only a {%p %} tag; it vanishes when rendered."""
        assert tag.startswith("{%p ") and tag.endswith(" %}"), tag
        return self.p(tag, "Template Logic", container=container)

    def h1(self, text: str, **kw):
        return self.p(text, "Heading 1", **kw)

    def h2(self, parts: Part | Sequence[Part], **kw):
        return self.p(parts, "Heading 2", **kw)

    def h3(self, parts: Part | Sequence[Part], **kw):
        return self.p(parts, "Heading 3", **kw)

    def bullet(self, parts: Part | Sequence[Part], **kw):
        return self.p(parts, "List Bullet", **kw)

    def note(self, parts: Part | Sequence[Part], **kw):
        return self.p(parts, "Small Note", **kw)

    # tables

    def table(self, widths: Sequence[float], header: Sequence[str] | None = None):
        table = self.doc.add_table(rows=0, cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        tblpr = table._tbl.tblPr
        tblw = tblpr.find(qn("w:tblW"))
        tblw.set(qn("w:type"), "dxa")
        tblw.set(qn("w:w"), str(_dxa(sum(widths))))
        look = tblpr.find(qn("w:tblLook"))
        if look is None:
            look = _el("w:tblLook")
            tblpr.append(look)
        for name, value in (("val", "04A0"), ("firstRow", "1"), ("lastRow", "0"),
                            ("firstColumn", "0"), ("lastColumn", "0"), ("noHBand", "1"),
                            ("noVBand", "1")):
            look.set(qn(f"w:{name}"), value)
        for col, width in zip(table._tbl.tblGrid.iterchildren(qn("w:gridCol")), widths,
                              strict=True):
            col.set(qn("w:w"), str(_dxa(width)))
        table._widths = list(widths)  # type: ignore[attr-defined]
        if header:
            self.row(table, [(h, {}) for h in header], header=True)
        return table

    def row(self, table, cells: Sequence[Part | Sequence[Part] | None], *,
            header: bool = False, fills: Sequence[str | None] | None = None,
            styles: Sequence[str | None] | None = None,
            aligns: Sequence[str | None] | None = None, span: bool = False,
            keep: bool = False):
        """A row; each cell is one paragraph (None leaves it for the caller to fill).

        Rows do not break across pages, so a sentence is never cut in half by a page
        break (LibreOffice still breaks a row taller than a whole page; Word would cut
        such a row off on screen). ``keep`` keeps the row on the same page as the next
        one (Word and LibreOffice both read keep-with-next on the row's paragraphs so)."""
        row = table.add_row()
        widths = table._widths
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        trpr = row._tr.get_or_add_trPr()
        trpr.append(_el("w:cantSplit"))
        if header:
            trpr.append(_el("w:tblHeader"))
        if span:
            merged = row.cells[0].merge(row.cells[-1])
            targets = [merged]
        else:
            targets = list(row.cells)
        for i, (cell, content) in enumerate(zip(targets, cells, strict=False)):
            fill = HEAD_FILL if header else (fills[i] if fills else None)
            if fill:
                _cell_fill(cell, fill)
            if content is None:
                continue
            paragraph = cell.paragraphs[0]
            style = "Table Heading" if header else ((styles[i] if styles else None)
                                                    or "Table Text")
            paragraph.style = self.doc.styles[style]
            if aligns and aligns[i] == "right":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif aligns and aligns[i] == "center":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.runs(paragraph, content)
        if keep:
            keep_row(row)
        return row

    def tag_row(self, table, tag: str):
        """A row holding only a {%tr %} tag, merged across so Word shows it as one line."""
        assert tag.startswith("{%tr ") and tag.endswith(" %}"), tag
        row = self.row(table, [None], span=True)
        cell = row.cells[0]
        paragraph = cell.paragraphs[0]
        paragraph.style = self.doc.styles["Template Logic"]
        self.runs(paragraph, tag)
        return row

    def cell_p(self, cell, parts: Part | Sequence[Part], style: str = "Table Text"):
        """Another paragraph in a cell (the first one comes from row())."""
        paragraph = cell.add_paragraph(style=self.doc.styles[style])
        self.runs(paragraph, parts)
        if cell.paragraphs[0].paragraph_format.keep_with_next:
            paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def cell_logic(self, cell, tag: str):
        assert tag.startswith("{%p ") and tag.endswith(" %}"), tag
        return self.cell_p(cell, tag, "Template Logic")

    def kv_table(self, rows: Iterable[tuple[str, Part | Sequence[Part], str | None]],
                 widths: tuple[float, float] = (4.4, TEXT_W - 4.4), *, keep: bool = False):
        """Label / value rows; a row with a condition is wrapped in {%tr if %} rows.
        ``keep`` keeps the whole table on one page."""
        table = self.table(widths)
        rows = list(rows)
        for n, (label, value, condition) in enumerate(rows, 1):
            if condition:
                self.tag_row(table, f"{{%tr if {condition} %}}")
            self.row(table, [(label, {"bold": True, "colour": NAVY}), value],
                     fills=[LABEL_FILL, None], keep=keep and n < len(rows))
            if condition:
                self.tag_row(table, "{%tr endif %}")
        return table

    def spacer(self, points: float = 4):
        """An empty paragraph between two tables, so Word does not merge them."""
        return self.p("", "Table Text", space_before=0, space_after=points)


def keep_row(row) -> None:
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def _dxa(cm: float) -> int:
    return round(cm / 2.54 * 1440)


def _cell_fill(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    old = tcpr.find(qn("w:shd"))
    if old is not None:
        tcpr.remove(old)
    tcpr.insert_element_before(_el("w:shd", val="clear", color="auto", fill=fill),
                               *_TCPR_AFTER_SHD)


def _check_tags(text: str) -> None:
    """Each run must hold whole tags: as many openers as closers, in order."""
    depth = 0
    i = 0
    while i < len(text) - 1:
        pair = text[i:i + 2]
        if pair in ("{{", "{%", "{#"):
            depth += 1
            i += 2
        elif pair in ("}}", "%}", "#}"):
            depth -= 1
            if depth < 0:
                raise ValueError(f"tag closed before it is opened in run {text!r}")
            i += 2
        else:
            i += 1
    if depth:
        raise ValueError(f"tag left open in run {text!r}")


B = {"bold": True}
LABEL = {"bold": True, "colour": NAVY}
GREY = {"colour": TEXT_GREY}

# -- pieces both templates share -------------------------------------------------------

FOOTER_LEFT = ("{{ employee.name }} · {{ plan.title }}"
               "{% if plan.id %} · {{ plan.id }}{% endif %}")

MANAGER_WITH_TITLE = "{{ manager.name }}{% if manager.title %}, {{ manager.title }}{% endif %}"
HR_WITH_TITLE = "{{ hr.name }}{% if hr.title %}, {{ hr.title }}{% endif %}"
PERIOD = "{{ timeline.start }} to {{ timeline.end }}"


def outcomes(w: Writer, *, heading: str = "Possible outcomes") -> None:
    w.h1(heading)
    w.p("At the final review on {{ timeline.end }}, {{ manager.name }} and HR will assess, "
        "against the measures in this plan, whether each goal has been met."
        "{% if outcomes.success or outcomes.extension or outcomes.further_action %} "
        "The possible outcomes are:{% endif %}", keep_next=True)
    for key, label in (("success", "Successful completion."), ("extension", "Extension."),
                       ("further_action", "Further action.")):
        w.logic(f"{{%p if outcomes.{key} %}}")
        w.bullet([(label + " ", B), f"{{{{ outcomes.{key} }}}}"], keep_next=True)
        w.logic("{%p endif %}")
    w.p("{{ employee.name }} will be told the outcome in a meeting and in writing.",
        space_before=3)


def notes(w: Writer) -> None:
    w.logic("{%p if notes %}")
    w.h1("Additional notes")
    w.p("{{ notes }}")
    w.logic("{%p endif %}")


def signature_page(w: Writer) -> None:
    """Employee comments, the acknowledgement statement and one block per signer.

    Every paragraph here keeps with the next one, so the whole section moves to a new
    page as one piece rather than leaving a signature line alone at the top of a page.
    """
    w.h1("Employee comments")
    w.p("{{ employee.name }} may attach written comments to this plan, for example about "
        "the facts, the goals or the support offered. Comments become part of the plan "
        "record and are read by the manager and HR; adding them does not delay the plan.",
        keep_next=True)
    w.h1("Acknowledgement")
    w.p([("Plan: ", B), "{{ plan.title }} for {{ employee.name }}, " + PERIOD,
         "{% if plan.id %} (reference {{ plan.id }}){% endif %}."], keep_next=True)
    w.p("By signing, the employee confirms that they have received this plan and that it "
        "has been explained to them. A signature confirms receipt and understanding only; "
        "it does not mean that the employee agrees with the contents. If the employee "
        "declines to sign, the plan still goes ahead as written, and the refusal to sign "
        "is recorded with the plan.", keep_next=True)
    w.p("The manager and the HR representative sign to confirm that the plan has been "
        "discussed with the employee and that the company will provide the support it "
        "describes.", keep_next=True)
    w.logic("{%p for s in signers %}")
    line = w.p(["{{ s.anchor }}", " ", ("\t", {"underline": True})], "Signature Line")
    line.paragraph_format.keep_with_next = True
    w.p("{{ s.name }}{% if s.title %}, {{ s.title }}{% endif %}", "Signature Detail")
    w.p(["Date: ", ("\t", {"underline": True})], "Signature Detail", space_before=8)
    w.logic("{%p endfor %}")


def checkin_calendar(w: Writer) -> None:
    table = w.table((2.6, 2.4, 6.6, 5.0), ["Meeting", "Plan week", "Date", "Time"])
    w.tag_row(table, "{%tr for m in checkins.meetings %}")
    w.row(table, ["{{ m.number }}", "Week {{ m.week }}", "{{ m.date|weekday }} {{ m.date }}",
                  "{{ m.time }}"])
    w.tag_row(table, "{%tr endfor %}")


# -- standard.docx ---------------------------------------------------------------------


def new_template(variant: str) -> tuple[Document, Writer]:
    """A document with the house styles, page set-up and properties, and its writer."""
    doc = Document()
    setup_styles(doc)
    setup_page(doc, footer_left=FOOTER_LEFT)
    core_properties(doc, variant)
    return doc, Writer(doc)


def build_standard() -> Document:
    doc, w = new_template("standard")

    # Title block
    w.p("{{ plan.title }}", "Title")
    w.p("{{ employee.name }}", "Subtitle")
    w.p([("Plan period: ", B), PERIOD + " ({{ timeline.length_days }} days)",
         "{% if plan.id %}", ("    Reference: ", B), "{{ plan.id }}{% endif %}",
         "{% if plan.generated_on %}", ("    Issued: ", B), "{{ plan.generated_on }}{% endif %}"],
        "Plan Meta")

    # Employee details
    w.h1("Employee and plan details", space_before=0)
    w.kv_table([
        ("Employee", "{{ employee.name }}", None),
        ("Employee ID", "{{ employee.employee_id }}", "employee.employee_id"),
        ("Job title", "{{ employee.title }}", "employee.title"),
        ("Department", "{{ employee.department }}", None),
        ("Location", "{{ employee.location }}", "employee.location"),
        ("Hire date", "{{ employee.hire_date }}", "employee.hire_date"),
        ("Employment type", "{{ employee.employment_type }}", "employee.employment_type"),
        ("Manager", MANAGER_WITH_TITLE, None),
        ("HR partner", HR_WITH_TITLE, None),
        ("Plan start", "{{ timeline.start|weekday }} {{ timeline.start }}", None),
        ("Plan end and final review", "{{ timeline.end|weekday }} {{ timeline.end }}", None),
        ("Length", "{{ timeline.length_days }} calendar days (plan weeks 1 to "
                   "{{ timeline.weeks }})", None),
        ("Plan reference", "{{ plan.id }}", "plan.id"),
    ], keep=True)

    # Purpose
    w.h1("Purpose of this plan")
    w.p("This Performance Improvement Plan (PIP) sets out where the performance of "
        "{{ employee.name }} does not yet meet the requirements of the role, what needs to "
        "change, how progress will be measured and what support {{ company.name }} will "
        "provide. Its aim is to help {{ employee.name }} succeed in the role. The plan runs "
        "from " + PERIOD + ", with regular check-ins and reviews along the way.")

    # Role
    w.h1("Role summary and reporting line")
    w.p("{{ role_summary }}")
    w.p([("Reporting line: ", B), "{{ employee.name }} reports to " + MANAGER_WITH_TITLE
         + ". The HR contact for this plan is " + HR_WITH_TITLE + " ({{ hr.email }})."])

    # History
    w.h1("Performance history")
    w.p([("Period reviewed: ", B), "{{ history.start }} to {{ history.end }}"], keep_next=True)
    w.p("{{ history.summary }}")
    w.logic("{%p if history.entries %}")
    table = w.table((4.4, TEXT_W - 4.4), ["Period", "What happened"])
    w.tag_row(table, "{%tr for e in history.entries %}")
    w.row(table, ["{{ e.period }}", "{{ e.note }}"])
    w.tag_row(table, "{%tr endfor %}")
    w.logic("{%p endif %}")
    w.logic("{%p if history.results %}")
    w.h3("Measured results")
    table = w.table((3.6, 6.2, 2.2, 2.2, 2.4),
                    ["Period", "Measure", "Target", "Actual", "Attainment"])
    for cell in table.rows[0].cells[2:]:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    w.tag_row(table, "{%tr for r in history.results %}")
    w.row(table, ["{{ r.period }}", "{{ r.metric }}", "{{ r.target }}", "{{ r.actual }}",
                  ("{{ r.attainment }}", B)], aligns=[None, None, "right", "right", "right"])
    w.tag_row(table, "{%tr endfor %}")
    w.note("Attainment is the actual result as a share of the target.", space_before=3)
    w.logic("{%p endif %}")

    # Areas
    w.h1("Areas for improvement")
    w.p("The areas below need to improve. Each is supported by the facts listed with it.")
    w.logic("{%p for area in areas %}")
    w.h2("{{ area.number }}. {{ area.title }}")
    w.logic("{%p if area.description %}")
    w.p("{{ area.description }}", keep_next=True)
    w.logic("{%p endif %}")
    w.logic("{%p if area.evidence %}")
    table = w.table((2.5, 9.5, 4.6), ["Date", "What was observed", "Source"])
    w.tag_row(table, "{%tr for e in area.evidence %}")
    w.row(table, ["{{ e.date|shortdate }}", "{{ e.fact }}", ("{{ e.source }}", GREY)])
    w.tag_row(table, "{%tr endfor %}")
    w.logic("{%p else %}")
    w.note("No evidence is recorded for this area yet.")
    w.logic("{%p endif %}")
    w.logic("{%p endfor %}")

    # Goals
    w.h1("Goals")
    w.p("Each goal below is specific and measurable and is due within the plan period. "
        "Week numbers count from the start of the plan: week 1 is the seven days from "
        "{{ timeline.start }}.")
    table = w.table((0.8, 4.6, 3.7, 2.7, 2.7, 2.1),
                    ["#", "Goal", "How it is measured", "Baseline", "Target", "Due"])
    w.tag_row(table, "{%tr for goal in goals %}")
    row = w.row(table, [("{{ goal.number }}", B), ("{{ goal.statement }}", B),
                        "{{ goal.metric }}", "{{ goal.baseline }}", "{{ goal.target }}",
                        "{{ goal.due|shortdate }}"])
    goal_cell, due_cell = row.cells[1], row.cells[5]
    w.cell_logic(goal_cell, "{%p if goal.area %}")
    w.cell_p(goal_cell, [("Area: ", {"colour": TEXT_GREY, "size": 8.5}),
                         ("{{ goal.area }}", {"colour": TEXT_GREY, "size": 8.5})])
    w.cell_logic(goal_cell, "{%p endif %}")
    w.cell_p(due_cell, ("{% if goal.due_week %}Week {{ goal.due_week }}{% endif %}", GREY))
    w.tag_row(table, "{%tr endfor %}")

    w.h2("Weekly milestones")
    w.p("Milestones mark the progress expected along the way; they are reviewed at each "
        "check-in.", keep_next=True)
    table = w.table((2.0, 3.8, TEXT_W - 5.8), ["Plan week", "By", "Milestone"])
    w.tag_row(table, "{%tr for goal in goals %}")
    w.row(table, [[("Goal {{ goal.number }}: ", LABEL), ("{{ goal.statement }}", LABEL)]],
          span=True, fills=[LABEL_FILL], keep=True)
    w.tag_row(table, "{%tr for m in goal.milestones %}")
    w.row(table, ["Week {{ m.week }}", "{{ m.due|weekday }} {{ m.due|shortdate }}",
                  "{{ m.description }}"])
    w.tag_row(table, "{%tr endfor %}")
    w.tag_row(table, "{%tr if not goal.milestones %}")
    w.row(table, [("No milestones are set for this goal; progress is discussed at each "
                   "check-in.", GREY)], span=True)
    w.tag_row(table, "{%tr endif %}")
    w.tag_row(table, "{%tr endfor %}")

    # Support
    w.h1("Support and resources")
    w.p("{{ company.name }} will provide the following support during the plan. "
        "{{ employee.name }} is encouraged to ask for more help at any check-in.")
    w.logic("{%p if support %}")
    table = w.table((3.0, 7.2, 3.2, 3.2), ["Type", "Support provided", "By", "When"])
    w.tag_row(table, "{%tr for s in support %}")
    w.row(table, [("{{ s.kind_label }}", B), "{{ s.description }}", "{{ s.provider }}",
                  "{{ s.when }}"])
    w.tag_row(table, "{%tr endfor %}")
    w.logic("{%p else %}")
    w.p("Support for this plan will be agreed at the first check-in.")
    w.logic("{%p endif %}")

    # Timeline
    w.h1("Timeline")
    w.p("The plan lasts {{ timeline.length_days }} calendar days, from "
        "{{ timeline.start|weekday }} {{ timeline.start }} to {{ timeline.end|weekday }} "
        "{{ timeline.end }}. Progress is formally reviewed on the dates below; the final "
        "review closes the plan.", keep_next=True)
    table = w.table((5.6, 7.0, 4.0), ["Event", "Date", "Plan week"])
    w.row(table, [("Plan starts", B), "{{ timeline.start|weekday }} {{ timeline.start }}",
                  "Week 1"], keep=True)
    w.tag_row(table, "{%tr for r in timeline.reviews %}")
    w.row(table, [("{{ r.label }}", B), "{{ r.date|weekday }} {{ r.date }}",
                  "Week {{ r.week }}"], keep=True)
    w.tag_row(table, "{%tr endfor %}")
    w.note("At each review {{ manager.name }} and HR go through the goals with "
           "{{ employee.name }} and confirm the result in writing.", space_before=3)

    # Check-ins
    w.h1("Check-in schedule")
    w.logic("{%p if checkins %}")
    w.p("Regular check-in meetings review progress against the milestones, agree next "
        "steps and adjust the support where needed.", keep_next=True)
    w.kv_table([
        ("How often", "{{ checkins.cadence_label }}, on {{ checkins.weekday }}s", None),
        ("Time", "{{ checkins.time }} ({{ checkins.timezone }} time), "
                 "{{ checkins.duration_minutes }} minutes", None),
        ("Location", "{{ checkins.location }}", "checkins.location"),
        ("Video link", "{{ checkins.video_link }}", "checkins.video_link"),
        ("With", "{{ checkins.with }}", None),
    ], keep=True)
    w.h3("Check-in calendar")
    checkin_calendar(w)
    w.note("Times are local to {{ checkins.timezone }}. A meeting that has to move is "
           "rescheduled within the same week.", space_before=3)
    w.logic("{%p else %}")
    w.p("Check-in meetings will be scheduled by {{ manager.name }} at the start of the plan.")
    w.logic("{%p endif %}")

    outcomes(w)
    notes(w)
    signature_page(w)
    return doc


# -- sales.docx ------------------------------------------------------------------------


def build_sales() -> Document:
    doc, w = new_template("sales")

    # Title block
    w.p("{{ plan.title }}", "Title")
    w.p("Sales performance: {{ employee.name }}", "Subtitle")
    w.p([("Plan period: ", B), PERIOD, "{% if plan.id %}", ("    Reference: ", B),
         "{{ plan.id }}{% endif %}", "{% if plan.generated_on %}", ("    Issued: ", B),
         "{{ plan.generated_on }}{% endif %}"], "Plan Meta")

    # Condensed details: two label/value pairs per row; a value may have optional
    # extra lines, each shown only when its field is filled in.
    table = w.table((2.5, 5.8, 2.5, 5.8))
    detail_rows = [
        ("Employee", "{{ employee.name }}",
         [("employee.employee_id", "Employee ID {{ employee.employee_id }}")],
         "Plan period", PERIOD,
         [(None, "{{ timeline.length_days }} days, plan weeks 1 to {{ timeline.weeks }}")]),
        ("Role", "{{ employee.title }}{% if not employee.title %}"
                 "{{ employee.department }}{% endif %}",
         [("employee.title", "{{ employee.department }}")],
         "Manager", "{{ manager.name }}", [("manager.title", "{{ manager.title }}")]),
        ("Employment", "{{ employee.employment_type }}",
         [("employee.location", "Based in {{ employee.location }}"),
          ("employee.hire_date", "Hired {{ employee.hire_date }}")],
         "HR partner", "{{ hr.name }}", [("hr.title", "{{ hr.title }}")]),
    ]
    for label_a, value_a, extras_a, label_b, value_b, extras_b in detail_rows:
        row = w.row(table, [(label_a, LABEL), (value_a, B), (label_b, LABEL), (value_b, B)],
                    fills=[LABEL_FILL, None, LABEL_FILL, None])
        for cell, extras in ((row.cells[1], extras_a), (row.cells[3], extras_b)):
            for condition, text in extras:
                if condition:
                    w.cell_logic(cell, f"{{%p if {condition} %}}")
                w.cell_p(cell, text)
                if condition:
                    w.cell_logic(cell, "{%p endif %}")

    w.p("This plan sets out the results {{ employee.name }} needs to reach between "
        "{{ timeline.start }} and {{ timeline.end }}, how they will be measured and the "
        "coaching and support {{ company.name }} will provide. Its aim is to help "
        "{{ employee.name }} succeed in the role.", space_before=8)

    # Centrepiece: quota attainment
    w.h1("Quota attainment")
    w.logic("{%p if history.results %}")
    w.p("Results for {{ history.start }} to {{ history.end }}, from the sales system of "
        "record. Attainment is the actual result as a share of the quota or target.",
        keep_next=True)
    table = w.table((3.2, 5.6, 2.6, 2.6, 2.6),
                    ["Period", "Metric", "Quota / target", "Actual", "Attainment"])
    for cell in table.rows[0].cells[2:]:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    w.tag_row(table, "{%tr for r in history.results %}")
    w.row(table, [("{{ r.period }}", B), "{{ r.metric }}", "{{ r.target }}",
                  "{{ r.actual }}", ("{{ r.attainment }}", B)],
          aligns=[None, None, "right", "right", "right"],
          fills=[None, None, None, None, LABEL_FILL])
    w.tag_row(table, "{%tr endfor %}")
    w.logic("{%p else %}")
    w.p("No measured results are recorded for {{ history.start }} to {{ history.end }}.")
    w.logic("{%p endif %}")
    w.h3("Summary")
    w.p("{{ history.summary }}")
    w.logic("{%p if history.entries %}")
    w.h3("What happened and what was agreed")
    w.logic("{%p for e in history.entries %}")
    w.bullet([("{{ e.period }}: ", B), "{{ e.note }}"])
    w.logic("{%p endfor %}")
    w.logic("{%p endif %}")

    # Goals as numbered blocks
    w.h1("Goals for the plan")
    w.p("Each goal is measured as stated and is due within the plan period. Week 1 is the "
        "seven days from {{ timeline.start }}; milestones are checked at the check-ins.",
        keep_next=True)
    w.logic("{%p for goal in goals %}")
    w.h2("Goal {{ goal.number }}", space_before=12)
    w.p("{{ goal.statement }}", "Goal Statement")
    for label, value, condition in (
        ("Measure", "{{ goal.metric }}", "goal.metric"),
        ("Starting point", "{{ goal.baseline }}", "goal.baseline"),
        ("Target", "{{ goal.target }}", "goal.target"),
        ("Due", "{{ goal.due|weekday }} {{ goal.due }}{% if goal.due_week %} "
                "(week {{ goal.due_week }}){% endif %}", "goal.due"),
        ("Area", "{{ goal.area }}", "goal.area"),
    ):
        w.logic(f"{{%p if {condition} %}}")
        w.p([(label, LABEL), "\t", value], "Goal Detail")
        w.logic("{%p endif %}")
    w.logic("{%p if goal.milestones %}")
    w.spacer(2).paragraph_format.keep_with_next = True
    table = w.table((2.2, 3.8, TEXT_W - 6.0), ["Week", "By", "Milestone"])
    w.tag_row(table, "{%tr for m in goal.milestones %}")
    w.row(table, ["Week {{ m.week }}", "{{ m.due|weekday }} {{ m.due|shortdate }}",
                  "{{ m.description }}"])
    w.tag_row(table, "{%tr endfor %}")
    w.logic("{%p endif %}")
    w.logic("{%p endfor %}")

    # Areas and evidence
    w.h1("Areas for improvement and evidence")
    w.logic("{%p for area in areas %}")
    w.h2("{{ area.title }}")
    w.logic("{%p if area.description %}")
    w.p("{{ area.description }}", keep_next=True)
    w.logic("{%p endif %}")
    w.logic("{%p for e in area.evidence %}")
    w.bullet(["{% if e.date %}", ("{{ e.date|shortdate }}: ", B), "{% endif %}{{ e.fact }}",
              "{% if e.source %}", (" (Source: {{ e.source }})", GREY), "{% endif %}"])
    w.logic("{%p endfor %}")
    w.logic("{%p if not area.evidence %}")
    w.note("No evidence is recorded for this area yet.")
    w.logic("{%p endif %}")
    w.logic("{%p endfor %}")

    # Role
    w.h1("Role and reporting line")
    w.p("{{ role_summary }}")
    w.p("{{ employee.name }} reports to " + MANAGER_WITH_TITLE + ". HR contact: "
        + HR_WITH_TITLE + " ({{ hr.email }}).")

    # Support
    w.h1("Coaching and support")
    w.p("{{ company.name }} commits to the following during the plan:", keep_next=True)
    w.logic("{%p for s in support %}")
    w.bullet([("{{ s.kind_label }}: ", B), "{{ s.description }}",
              "{% if s.provider or s.when %}", (" ({{ s.provider }}", GREY),
              ("{% if s.provider and s.when %}; {% endif %}{{ s.when }})", GREY),
              "{% endif %}"])
    w.logic("{%p endfor %}")
    w.logic("{%p if not support %}")
    w.p("Support for this plan will be agreed at the first check-in.")
    w.logic("{%p endif %}")

    # Check-ins and reviews: detail lines, then the calendar
    w.h1("Check-ins and reviews")
    w.logic("{%p if checkins %}")
    for label, value, condition in (
        ("When", "{{ checkins.cadence_label }}, on {{ checkins.weekday }}s at "
                 "{{ checkins.time }} ({{ checkins.timezone }} time), "
                 "{{ checkins.duration_minutes }} minutes", None),
        ("With", "{{ checkins.with }}", None),
        ("Where", "{{ checkins.location }}", "checkins.location"),
        ("Video link", "{{ checkins.video_link }}", "checkins.video_link"),
    ):
        if condition:
            w.logic(f"{{%p if {condition} %}}")
        w.p([(label, LABEL), "\t", value], "Detail Line")
        if condition:
            w.logic("{%p endif %}")
    w.logic("{%p endif %}")
    w.p([("Reviews", LABEL), "\t", "{% for r in timeline.reviews %}{{ r.label }}: "
         "{{ r.date|weekday }} {{ r.date }} (week {{ r.week }}){% if not loop.last %}; "
         "{% endif %}{% endfor %}"], "Detail Line")
    w.logic("{%p if checkins %}")
    w.spacer(2).paragraph_format.keep_with_next = True
    checkin_calendar(w)
    w.logic("{%p else %}")
    w.p("Check-in meetings will be scheduled by {{ manager.name }} at the start of the plan.",
        space_before=4)
    w.logic("{%p endif %}")

    outcomes(w, heading="What happens at the end of the plan")
    notes(w)
    signature_page(w)
    return doc


# -- main ------------------------------------------------------------------------------

BUILDERS = {"standard": build_standard, "sales": build_sales}


def check(paths: Iterable[Path]) -> int:
    """Run plansign's own template checker against the sample plan; count findings."""
    sys.path.insert(0, str(ROOT))
    from docgen.context import plan_context
    from docgen.sample import sample_plan
    from docgen.templatecheck import check_template

    context = plan_context(sample_plan(), company_name="Sample Company Ltd")
    count = 0
    for path in paths:
        findings = check_template(path, copy.deepcopy(context))
        for finding in findings:
            print(f"{path.name}: {finding}")
        count += len(findings)
    return count


def prune_styles(doc) -> None:
    """Keep only the styles the template uses (and those they are based on or lead to).

    python-docx's stock styles.xml holds every built-in Word style, some 350 KB, and
    LibreOffice parses all of it for every document it converts: about a fifth of the
    conversion time. Word still offers every built-in style to HR editing the template.
    """
    styles = doc.styles.element
    used = set()
    parts = [doc.element, *(s.header._element for s in doc.sections),
             *(s.footer._element for s in doc.sections)]
    with contextlib.suppress(NotImplementedError, KeyError):
        parts.append(doc.part.numbering_part.element)
    for part in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used.update(el.get(qn("w:val")) for el in part.iter(qn(tag)))
    by_id = {s.get(qn("w:styleId")): s for s in styles.iter(qn("w:style"))}
    keep = {sid for sid, s in by_id.items() if s.get(qn("w:default")) == "1"} | used
    pending = list(keep)
    while pending:
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in keep:
            styles.remove(style)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write the .docx files to")
    parser.add_argument("--overwrite-hr-edits", action="store_true",
                        help="allow --out to be templates/, throwing away HR's edits")
    parser.add_argument("--no-check", action="store_true",
                        help="skip running plansign's template checker afterwards")
    args = parser.parse_args(argv)
    if args.out.resolve() == (ROOT / "templates").resolve() and not args.overwrite_hr_edits:
        parser.error("--out is templates/, the templates HR edit in Word: writing there "
                     "throws their edits away. Write elsewhere and compare, or pass "
                     "--overwrite-hr-edits if that is what you mean.")
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in BUILDERS.items():
        path = args.out / f"{name}.docx"
        doc = build()
        prune_styles(doc)
        doc.save(path)
        written.append(path)
        print(f"wrote {path}")
    if not args.no_check and check(written):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
