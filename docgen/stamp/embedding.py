"""The record's TrueType fonts embedded as fpdf2 embeds them, cut by HarfBuzz.

When a document is written, fpdf2 (2.8) embeds each font cut down to the glyphs drawn:
fontTools' subsetter decodes the font's tables in Python, keeps those glyphs and the
first four, and encodes the font again; then it builds the font's CIDToGIDMap as a
list of 131,072 one-character strings. For the record's fonts (themselves already cut
to the document's text by HarfBuzz, see :mod:`.fonts`) that was a third of writing the
document, and more in Arabic, whose record embeds twice as many fonts (the Arabic faces
beside Noto Sans).

:class:`RecordOutput` is fpdf2's ``OutputProducer`` (passed to ``FPDF.output``) with its
font step redone for TrueType fonts: the same glyphs kept (those drawn, the first four,
the parts of composite glyphs), in the same order, so each keeps the number fontTools
would give it, cut by HarfBuzz's subsetter (C, well under a millisecond) dropping the
tables fpdf2 drops; and the same PDF objects around it, in the same order: the font
dictionaries, widths, ToUnicode map, descriptor and CIDToGIDMap (built as bytes). Any
other font (CFF outlines: a CJK face), or a document with settings this does not
handle, goes through fpdf2's own code; never a font shared by documents (see
:mod:`.fonts`), which fpdf2's code would cut down in place. A font no page draws with
is not embedded at all.

This uses fpdf2's internals (``OutputProducer._add_fonts``, ``_add_pdf_obj`` and the
helpers it calls); ``tests/docgen/stamp/test_stamp_embedding.py`` checks that a document
written with it looks and reads as fpdf2 writes it, glyph for glyph, so a change in
fpdf2 fails there rather than in a record.
"""

from __future__ import annotations

from typing import Any

import uharfbuzz as hb
from fpdf.enums import PDFResourceType
from fpdf.fonts import TTFFont
from fpdf.output import (
    LOGGER,
    CIDSystemInfo,
    OutputProducer,
    PDFFont,
    PDFFontStream,
    ResourceCatalog,
    _build_cmap_blocks,
    _tt_font_widths,
)
from fpdf.syntax import Name, PDFArray, PDFContentStream

from docgen.stamp.fonts import is_shared

# The tables fpdf2 has fontTools drop (fontTools' own defaults among them), as tags.
_DROPPED = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC",
            "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR", "BASE", "JSTF", "DSIG", "PCLT",
            "LTSH", "Feat", "Glat", "Gloc", "Silf", "Sill", "morx", "mort", "kerx", "kern")
_FLAGS = (hb.SubsetFlags.NOTDEF_OUTLINE | hb.SubsetFlags.NO_LAYOUT_CLOSURE
          | hb.SubsetFlags.NO_HINTING)


class RecordOutput(OutputProducer):
    """fpdf2's output, with TrueType fonts cut by HarfBuzz (see the module doc)."""

    def _add_fonts(self, image_objects_per_index: Any, gfxstate_objs_per_name: Any,
                   pattern_objs_per_name: Any) -> dict[int, Any]:
        catalog = self.fpdf._resource_catalog
        fonts = catalog.font_registry  # what FPDF.fonts is
        used = _used_fonts(catalog)
        added: dict[int, Any] = {}
        try:
            for key, font in sorted(fonts.items(), key=lambda item: item[1].i):
                if used is not None and font.i not in used:
                    # No page draws with it: a font registered for text the document
                    # did not draw after all (a record's fonts cover all its wording).
                    if isinstance(font, TTFFont):
                        font.close()
                    continue
                # A font shared by documents always: fpdf2's code would cut it in place.
                if isinstance(font, TTFFont) and (
                        is_shared(font) or (_cut_here(font) and not self.fpdf._compliance)):
                    added[font.i] = self._add_truetype(font)
                    continue
                # fpdf2's own code, for this font alone, in its turn (objects are
                # numbered in the order they are added, as fpdf2 numbers them).
                catalog.font_registry = {key: font}
                added.update(super()._add_fonts(image_objects_per_index,
                                                gfxstate_objs_per_name,
                                                pattern_objs_per_name))
        finally:
            catalog.font_registry = fonts
        return added

    def _add_truetype(self, font: TTFFont) -> PDFFont:
        """One TrueType font, as fpdf2's ``_add_fonts`` adds it."""
        fontname = f"MPDFAA+{font.name}"
        if font.missing_glyphs:
            shown = ", ".join(f"'{chr(x)}' ({chr(x).encode('unicode-escape').decode()})"
                              for x in font.missing_glyphs[:10])
            if len(font.missing_glyphs) > 10:
                shown += f", ... (and {len(font.missing_glyphs) - 10} others)"
            LOGGER.warning("Font %s is missing the following glyphs: %s", fontname, shown)

        data, code_to_glyph = _cut(font)

        composite = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        cid_font = PDFFont(subtype="CIDFontType2", base_font=fontname,
                           d_w=font.desc.missing_width, w=_tt_font_widths(font))
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])

        # Which characters each code stands for: what text extraction and search read.
        bf_char = []
        for glyph, code in font.subset.items():
            if glyph is None or not isinstance(glyph.unicode, tuple) or not glyph.unicode:
                continue
            bf_char.append(f"<{code:04X}> <{''.join(_utf16(u) for u in glyph.unicode)}>\n")
        to_unicode = PDFContentStream((
            "/CIDInit /ProcSet findresource begin\n"
            "12 dict begin\n"
            "begincmap\n"
            "/CIDSystemInfo\n"
            "<</Registry (Adobe)\n"
            "/Ordering (UCS)\n"
            "/Supplement 0\n"
            ">> def\n"
            "/CMapName /Adobe-Identity-UCS def\n"
            "/CMapType 2 def\n"
            "1 begincodespacerange\n"
            "<0000> <FFFF>\n"
            "endcodespacerange\n"
            f"{_build_cmap_blocks(bf_char, 'bfchar')}"
            "endcmap\n"
            "CMapName currentdict /CMap defineresource pop\n"
            "end\n"
            "end").encode("latin-1"))
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode

        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info

        descriptor = font.desc
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor

        # Two bytes per code, the glyph's number: the same bytes fpdf2 joins from a list.
        cid_to_gid = bytearray(256 * 256 * 2)
        for code, glyph_id in code_to_glyph.items():
            cid_to_gid[code * 2] = glyph_id >> 8
            cid_to_gid[code * 2 + 1] = glyph_id & 0xFF
        cid_to_gid_map = PDFContentStream(contents=bytes(cid_to_gid), compress=True)
        self._add_pdf_obj(cid_to_gid_map, "fonts")
        cid_font.c_i_d_to_g_i_d_map = cid_to_gid_map

        font_file = PDFFontStream(contents=data)
        self._add_pdf_obj(font_file, "fonts")
        descriptor.font_file2 = font_file  # type: ignore[attr-defined]  # as fpdf2 sets it

        font.subset.pick.cache_clear()
        font.subset.get_glyph.cache_clear()
        font.close()
        return composite


def _used_fonts(catalog: ResourceCatalog) -> set[int] | None:
    """The numbers of the fonts some page's resources name (the pages' own: a font used
    only in a form XObject would be in its resources; None then, to keep them all)."""
    if catalog.form_xobjects:
        return None
    return {int(str(number)) for (_, kind), numbers in catalog.resources_per_page.items()
            if kind == PDFResourceType.FONT for number in numbers}


def _cut_here(font: TTFFont) -> bool:
    """True for a font this module embeds: TrueType outlines from a file, no colour."""
    return (not font.color_font and not font.is_cff
            and not font.is_compressed and "glyf" in font.ttfont
            and font.collection_font_number == 0)


def _cut(font: TTFFont) -> tuple[bytes, dict[int, int]]:
    """The font file cut to the glyphs the document drew (and the first four, as fpdf2
    keeps them), and each code's glyph number in it."""
    face = font.hbfont.face  # the face fpdf2 parsed and shaped with
    # By name, as fpdf2 gives them to fontTools: the glyph fpdf2 reserves for code 0 is
    # named .notdef but numbered otherwise.
    number = font.ttfont.getGlyphID
    drawn = [(number(glyph.glyph_name), code) for glyph, code in font.subset.items()
             if glyph is not None]
    kept = set(range(min(4, face.glyph_count))) | {glyph_id for glyph_id, _ in drawn}
    request = hb.SubsetInput()
    request.glyph_set.update(kept)
    # The characters that map to a kept glyph keep their cmap entries, as in fontTools.
    request.unicode_set.update(c for c, glyph_id in font.glyph_ids.items()
                               if glyph_id in kept)
    request.flags = _FLAGS
    request.drop_table_tag_set.update(_tag(tag) for tag in _DROPPED)  # beside HarfBuzz's own
    plan = hb.SubsetPlan(face, request)
    new_ids = plan.old_to_new_glyph_mapping
    cut = plan.execute()
    if cut is None:
        raise ValueError(f"{font.ttffile} could not be cut to its glyphs")
    return cut.blob.data, {code: new_ids[glyph_id] for glyph_id, code in drawn}


def _tag(tag: str) -> int:
    a, b, c, d = (ord(ch) for ch in tag)
    return (a << 24) | (b << 16) | (c << 8) | d


def _utf16(codepoint: int) -> str:
    if codepoint > 0xFFFF:  # a surrogate pair
        high = 0xD800 | (codepoint - 0x10000) >> 10
        low = 0xDC00 | (codepoint & 0x3FF)
        return f"{high:04X}{low:04X}"
    return f"{codepoint:04X}"
