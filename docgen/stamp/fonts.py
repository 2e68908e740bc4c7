"""The fonts the record is drawn with: found by path, cut down to one document's text.

Why this shape:

* Fonts come from Debian packages that ``scripts/install-system-packages.sh`` installs,
  found by path: a missing one is a :class:`FontMissing` naming the package, never a
  silent substitute.
* Noto Sans draws the record's own text and everything Latin, Greek and Cyrillic;
  people's text in other scripts falls back, character by character, to Noto fonts
  that have them (Arabic, Hebrew, CJK, Indic, ...), then to symbol fonts and Symbola.
* A typed signature is drawn in Dancing Script, or in URW Z003 (a chancery hand that
  also has Central European, Greek and Cyrillic letters) when Dancing Script lacks one
  of the name's letters. A name neither can write (Arabic, Chinese) is drawn in the
  regular fonts, which can.
* fpdf2 parses a whole font file per document (tens of milliseconds for Noto Sans,
  seconds for a CJK collection). The fonts every record uses (Noto Sans regular and
  bold, the mono face, and the Arabic faces of a record in Arabic) are parsed once per
  process, and each document gets its own copy of what drawing changes in them (which
  glyphs it used and their numbers, its font number); they are embedded cut to the
  glyphs drawn (see :mod:`.embedding`). Every other font (a signature hand, a script
  only people's text uses, CJK) is cut per document by HarfBuzz's subsetter (C, well
  under a millisecond) to the characters the document holds, keeping what shaping
  needs, and fpdf2 parses that. Parsed font faces and their character sets are cached
  per process too: a fixed set, so the memory they hold is bounded.
* fpdf2 embeds CFF-flavoured fonts that are not CID-keyed (Dancing Script, Z003) as if
  they were TrueType, which readers warn about; they are converted to TrueType outlines
  once per process.
"""

from __future__ import annotations

import copy
import functools
import io
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uharfbuzz as hb
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont

from docgen.stamp.errors import FontMissing

_NOTO = Path("/usr/share/fonts/truetype/noto")
_NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
INSTALL_HINT = "run scripts/install-system-packages.sh"


@dataclass(frozen=True)
class FontFile:
    path: Path
    package: str  # the Debian package that installs it
    index: int = 0  # the face, in a collection (.ttc)


SANS = {
    "": FontFile(_NOTO / "NotoSans-Regular.ttf", "fonts-noto-core"),
    "B": FontFile(_NOTO / "NotoSans-Bold.ttf", "fonts-noto-core"),
}
MONO = FontFile(Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"), "fonts-dejavu-core")
SCRIPTS = (
    FontFile(Path("/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf"),
             "fonts-dancingscript"),
    FontFile(Path("/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf"),
             "fonts-urw-base35"),
)
_CJK = _NOTO_CJK / "NotoSansCJK-Regular.ttc"
CJK = {"ja": FontFile(_CJK, "fonts-noto-cjk", 0), "ko": FontFile(_CJK, "fonts-noto-cjk", 1),
       "zh": FontFile(_CJK, "fonts-noto-cjk", 2)}
# Tried in order for a character Noto Sans lacks. Arabic and CJK are required (the
# record promises them); the others are used when installed.
FALLBACKS = (
    FontFile(_NOTO / "NotoSansArabic-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansHebrew-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansDevanagari-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansBengali-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansTamil-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansThai-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansArmenian-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansGeorgian-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansEthiopic-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansSymbols-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansSymbols2-Regular.ttf", "fonts-noto-core"),
    FontFile(_NOTO / "NotoSansMath-Regular.ttf", "fonts-noto-core"),
    FontFile(Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"), "fonts-symbola"),
)
# Bold faces of fallback fonts, for the bold words of a record in that script (a
# record in Arabic has bold headings, names and decisions): without one, fpdf2 draws
# bold Arabic in the regular face.
BOLD_FALLBACKS = {FALLBACKS[0]: FontFile(_NOTO / "NotoSansArabic-Bold.ttf", "fonts-noto-core")}
REQUIRED = (*SANS.values(), MONO, *SCRIPTS, CJK["zh"], FALLBACKS[0])

# Parsed once per process and shared by documents (see the module doc): the fonts
# every record registers, and the Arabic faces.
SHARED = frozenset({*SANS.values(), MONO, FALLBACKS[0], BOLD_FALLBACKS[FALLBACKS[0]]})

# Always in the body fonts, whatever the document holds: the record's own wording.
_BASE_CHARS = {chr(c) for c in range(0x20, 0x7F)} | set("·–—‘’“”…•")


def check_installed() -> None:
    """Raise :class:`FontMissing` naming every required font that is not installed."""
    missing = [f for f in REQUIRED if not f.path.is_file()]
    if missing:
        packages = " ".join(dict.fromkeys(f.package for f in missing))
        files = ", ".join(str(f.path) for f in missing)
        raise FontMissing(f"fonts missing ({files}): install {packages}: {INSTALL_HINT}")


@dataclass
class DocumentFonts:
    """The fonts of one document, registered with its FPDF under family names."""

    script_families: tuple[str, ...]  # signature styles, best first
    missing: frozenset[str]  # characters no installed font can draw
    # By family and style, in the order they are registered: a font cut for this
    # document (its file), or one parsed once per process (see SHARED).
    _files: dict[tuple[str, str], Path | FontFile] = field(default_factory=dict)
    _fallbacks: list[str] = field(default_factory=list)
    _coverage: dict[str, frozenset[str]] = field(default_factory=dict)
    _sources: dict[str, FontFile] = field(default_factory=dict)

    def register(self, pdf: FPDF) -> None:
        for (family, style), source in self._files.items():
            fontkey = f"{family}{style}"
            if isinstance(source, FontFile):
                # What add_font does, with the font parsed once per process.
                pdf.fonts[fontkey] = _document_copy(source, len(pdf.fonts) + 1, fontkey,
                                                    style)
                continue
            pdf.add_font(family, style, source)
            # HarfBuzz wrote correct bounding boxes; without this fontTools recomputes
            # them on output (of a CFF face, which fpdf2 embeds itself), decoding and
            # re-encoding every glyph.
            font = pdf.fonts[fontkey]
            if isinstance(font, TTFFont):  # add_font with a file always makes one
                font.ttfont.recalcBBoxes = False
        if self._fallbacks:
            # exact_match=False: bold Arabic is drawn in regular Arabic, not left out.
            pdf.set_fallback_fonts(self._fallbacks, exact_match=False)

    def script_for(self, name: str) -> str | None:
        """The first signature style that can write all of ``name``, or None."""
        letters = {c for c in name if not c.isspace()}
        return next((f for f in self.script_families if letters <= self._coverage[f]), None)

    def ink_extent(self, family: str, text: str) -> tuple[float, float]:
        """How far ``text``'s glyphs reach above and below the baseline, in ems.

        Script capitals swash below the baseline and vary from name to name, so a
        signature is fitted to its real outline, not to the font's nominal size.
        """
        face = _face(self._sources[family])
        font = hb.Font(face)
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        hb.shape(font, buffer)
        above = below = 0
        for info in buffer.glyph_infos:
            extents = font.get_glyph_extents(info.codepoint)
            if extents is not None:
                above = max(above, extents.y_bearing)
                below = max(below, -(extents.y_bearing + extents.height))
        return above / face.upem, below / face.upem


@contextmanager
def document_fonts(text: str, signatures: Sequence[str] = ()) -> Iterator[DocumentFonts]:
    """Fonts for a document whose text is all in ``text``; ``signatures`` are the names
    that may be drawn in a signature style. The font files live until the block ends."""
    check_installed()
    chars = {c for c in set(text) | _BASE_CHARS if not _is_control(c)}
    folder = Path(tempfile.mkdtemp(prefix="plansign-fonts-"))
    try:
        fonts = DocumentFonts(script_families=(), missing=frozenset())
        for style, font in SANS.items():
            fonts._files[("sans", style)] = font if font in SHARED else _subset(
                font, chars, folder, f"sans{style}")
        # Hashes and ids only: anything else in them falls back like body text.
        fonts._files[("mono", "")] = MONO if MONO in SHARED else _subset(
            MONO, _BASE_CHARS, folder, "mono")
        # Each name in the first signature hand that has all its letters; a hand no
        # name needs is left out (every font embedded costs time and bytes).
        families = []
        names = [{c for c in name if not c.isspace()} for name in signatures]
        for i, font in enumerate(SCRIPTS):
            mine = [letters for letters in names if letters <= _charset(font)]
            if mine:
                family = f"script{i}"
                wanted = set().union(*mine)
                fonts._files[(family, "")] = _subset(font, wanted | {" "}, folder, family)
                fonts._coverage[family] = frozenset(wanted)
                fonts._sources[family] = font
                families.append(family)
                names = [letters for letters in names if letters not in mine]
        fonts.script_families = tuple(families)
        uncovered = {c for c in chars - _charset(SANS[""]) if not _is_space_or_mark(c)}
        for i, font in enumerate(_fallbacks_for(uncovered)):
            if not uncovered or not font.path.is_file():
                continue
            wanted = uncovered & _charset(font)
            if wanted:
                family = f"fallback{i}"
                # Marks and joiners go with the letters they attach to: shaping needs
                # them in the same font.
                joiners = {c for c in chars & _charset(font)
                           if unicodedata.category(c) in ("Mn", "Mc", "Me", "Cf")}
                fonts._files[(family, "")] = font if font in SHARED else _subset(
                    font, wanted | joiners | {" "}, folder, family)
                bold = BOLD_FALLBACKS.get(font)
                if bold is not None and bold.path.is_file():
                    fonts._files[(family, "B")] = bold if bold in SHARED else _subset(
                        bold, wanted | joiners | {" "}, folder, f"{family}B")
                fonts._fallbacks.append(family)
                uncovered -= wanted
        fonts.missing = frozenset(uncovered)
        yield fonts
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _fallbacks_for(chars: set[str]) -> tuple[FontFile, ...]:
    """The fallback fonts, with the CJK face that suits the text: Japanese if it has
    kana, Korean if it has Hangul, else Simplified Chinese (the Han glyph shapes of
    the three differ)."""
    if any("\u3040" <= c <= "\u30ff" for c in chars):
        cjk = CJK["ja"]
    elif any("\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff" for c in chars):
        cjk = CJK["ko"]
    else:
        cjk = CJK["zh"]
    return (FALLBACKS[0], FALLBACKS[1], cjk, *FALLBACKS[2:])


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs")


def _is_space_or_mark(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cf", "Zl", "Zp")


def _subset(font: FontFile, chars: set[str], folder: Path, name: str) -> Path:
    data = _cut_to(font, chars)
    path = folder / f"{name}.{'otf' if _is_cff(data) else 'ttf'}"
    path.write_bytes(data)
    return path


def _cut_to(font: FontFile, chars: set[str]) -> bytes:
    """``font`` cut to ``chars``, keeping what shaping them needs."""
    request = hb.SubsetInput()
    request.unicode_set.update(ord(c) for c in chars)
    # No hinting: a PDF is printed or drawn at high resolution. An outline for .notdef,
    # so a character no font has shows as a box rather than as nothing.
    request.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    subset = hb.subset(_face(font), request)
    if subset is None:
        raise FontMissing(f"{font.path} could not be subset; reinstall {font.package}")
    data: bytes = subset.blob.data
    return data


class _DocumentFont(TTFFont):
    """One document's copy of a font parsed once per process (:func:`_parsed`): what
    drawing changes is its own, the parsed font is shared and stays open."""

    __slots__ = ("source",)
    source: str  # which font file (and face) it is a copy of, the same in every document

    def close(self) -> None:  # fpdf2 closes a font once it is embedded
        self._hbfont = None


def is_shared(font: object) -> bool:
    """True for a document's copy of a font parsed once per process. Such a font must be
    embedded by :class:`docgen.stamp.embedding.RecordOutput`: fpdf2's own embedding cuts
    the parsed font down in place, for every document after."""
    return isinstance(font, _DocumentFont)


def shared_source(font: object) -> str | None:
    """For a font shared by documents, which one it is (the same string in every
    document and thread: its glyphs are numbered the same everywhere); else None."""
    return font.source if isinstance(font, _DocumentFont) else None


# Which font each SHARED font is, one string each (see shared_source).
_SOURCES: dict[FontFile, str] = {}
# At most one per SHARED font: fpdf2's parse, and the HarfBuzz face it was parsed from.
_PARSED: dict[FontFile, tuple[TTFFont, hb.Face]] = {}
_PARSING = threading.Lock()


def _parsed(font: FontFile) -> tuple[TTFFont, hb.Face]:
    """``font`` as fpdf2 parses it, once per process (SHARED fonts only), and its
    HarfBuzz face. The mono face is cut to the characters it ever draws first; the
    others are whole. Every table fpdf2 reads later is loaded here (so documents, in any
    thread, only read it); the outlines, which nothing reads from it (the embedding cuts
    the font with HarfBuzz), are let go."""
    found = _PARSED.get(font)
    if found is None:
        assert font in SHARED, font
        with _PARSING:
            found = _PARSED.get(font)
            if found is None:
                source: Path | io.BytesIO
                if font == MONO:
                    data = _cut_to(font, _BASE_CHARS)
                    face, source = hb.Face(hb.Blob(data)), io.BytesIO(data)
                else:
                    face, source = _face(font), font.path
                # fontTools reads a file object as well as a path.
                parsed = TTFFont(FPDF(), source, "shared", "")  # type: ignore[arg-type]
                parsed.ttfont.getGlyphID(".notdef")  # builds the glyph order and its index
                # The characters a document's own cut never has (see document_fonts):
                # control characters (U+0000 draws as nothing rather than as .notdef).
                controls = {c for c in parsed.cmap if _is_control(chr(c))}
                parsed.cmap = {c: g for c, g in parsed.cmap.items() if c not in controls}
                for c in controls:
                    parsed.glyph_ids.pop(c, None)
                    parsed.cw.pop(c, None)
                for tag in ("glyf", "loca"):  # about a third of the memory it holds
                    parsed.ttfont.tables.pop(tag, None)
                found = _PARSED[font] = parsed, face
    return found


def _document_copy(source: FontFile, number: int, fontkey: str, style: str) -> TTFFont:
    """A copy of ``source``'s parsed font for one document, registered as ``fontkey``
    (font number ``number``, ``style``): the parsed tables, character map and widths
    shared; its glyph subset, missing glyphs, descriptor (which output fills in), widths
    remembered and HarfBuzz font (whose size fpdf2 sets for each text) its own."""
    shared, face = _parsed(source)
    font = _DocumentFont.__new__(_DocumentFont)
    for name in TTFFont.__slots__:
        if hasattr(shared, name):  # fpdf2 leaves some unset
            setattr(font, name, getattr(shared, name))
    font.source = _SOURCES.setdefault(source, f"{source.path}#{source.index}")
    font.i = number
    font.fontkey = fontkey
    font.emphasis = TextEmphasis.coerce(style)
    font.desc = copy.copy(shared.desc)
    font.cw = shared.cw.copy()
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = HarfBuzzFont(face)
    font.subset = SubsetMap(font)
    return font


@functools.cache
def _face(font: FontFile) -> hb.Face:
    if font in SCRIPTS:
        # Not CID-keyed CFF: give fpdf2 TrueType outlines instead (see the module doc).
        return hb.Face(hb.Blob(_truetype_outlines(font.path.read_bytes())))
    return hb.Face(hb.Blob.from_file_path(str(font.path)), font.index)


@functools.cache
def _charset(font: FontFile) -> frozenset[str]:
    if not font.path.is_file():
        return frozenset()
    return frozenset(chr(c) for c in _face(font).unicodes)


def _is_cff(data: bytes) -> bool:
    return data[:4] == b"OTTO"


def _truetype_outlines(data: bytes) -> bytes:
    """An OpenType font with CFF outlines, converted to TrueType (quadratic) outlines."""
    font = TTFont(io.BytesIO(data))
    if "CFF " not in font:
        return data
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # 1/1000 em is far below what print or screen can show.
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
