"""The company's logo, checked and made a PNG the documents can show.

PNG is taken as it is (after Pillow has read it whole: a damaged or disguised file is
refused). SVG is drawn to PNG here, never handed on: an SVG is a program of sorts, able
to name files and web addresses, so only plain drawing is accepted (no scripts, images,
foreign objects, external references or entity declarations; parsed with defusedxml),
then fpdf2 draws it and PDFium rasterises it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

MAX_LOGO_BYTES = 1024 * 1024  # a logo is a few kilobytes; a megabyte is generous
MAX_LOGO_PIXELS = 4096 * 4096  # Pillow's decompression-bomb guard is far larger
SVG_RASTER_HEIGHT = 240  # pixels: about 600 dpi at the header's 1 cm


class LogoError(ValueError):
    """A logo plansign cannot use, and why."""


@dataclass(frozen=True)
class Logo:
    """A PNG ready for the documents' header."""

    png: bytes
    width_px: int
    height_px: int

    def width_for_height(self, height_mm: float) -> float:
        return height_mm * self.width_px / self.height_px


def logo_from_bytes(data: bytes, name: str) -> Logo:
    """The logo in ``data`` (a file called ``name``), or :class:`LogoError` saying why not."""
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(f"{name} is {len(data):,} bytes; a logo may be at most "
                        f"{MAX_LOGO_BYTES:,} bytes")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(data, name)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096].lower():
        return _png(svg_to_png(data, name), name)
    raise LogoError(f"{name} is neither a PNG nor an SVG image")


def _png(data: bytes, name: str) -> Logo:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise LogoError(f"{name} is not a PNG image")
            width, height = image.size
            if width * height > MAX_LOGO_PIXELS or not width or not height:
                raise LogoError(f"{name} is {width}x{height} pixels; a logo may have at "
                                f"most {MAX_LOGO_PIXELS:,} pixels")
            image.load()  # reads it whole: a truncated file fails here, not in Word
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise LogoError(f"{name} cannot be read as a PNG image ({exc})") from None
    return Logo(data, width, height)


# Elements that fetch or run something; any of them and the SVG is refused.
_REFUSED_ELEMENTS = {"script", "image", "foreignobject", "iframe", "use", "feimage",
                     "animate", "set", "handler", "listener"}


def svg_to_png(data: bytes, name: str) -> bytes:
    """An SVG logo drawn to PNG, or :class:`LogoError` for one that is not plain drawing."""
    # fpdf2 depends on defusedxml (its own SVG reader uses it), which ships no types.
    import defusedxml.ElementTree as safe_xml  # type: ignore[import-untyped]
    from defusedxml import DefusedXmlException

    try:
        root = safe_xml.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, safe_xml.ParseError) as exc:
        raise LogoError(f"{name} is not an SVG plansign accepts ({exc})") from None
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _REFUSED_ELEMENTS:
            raise LogoError(f"{name} has a <{tag}> element; use a plain drawing "
                            "(paths and shapes), or a PNG")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")):
                raise LogoError(f"{name} has a {local} attribute; use a plain drawing "
                                "(paths and shapes), or a PNG")
            if "url(" in value.replace(" ", "") and "url(#" not in value.replace(" ", ""):
                raise LogoError(f"{name} refers to an outside resource; use a plain drawing")
    return _draw_svg(data, name)


def _draw_svg(data: bytes, name: str) -> bytes:
    import pypdfium2 as pdfium
    from fpdf import FPDF
    from fpdf.svg import SVGObject

    try:
        svg = SVGObject(data.decode("utf-8"))
        width, height = svg.width, svg.height
        if not (width and height) and svg.viewbox:
            width, height = svg.viewbox[2], svg.viewbox[3]
        if not (width and height) or width <= 0 or height <= 0:
            raise LogoError(f"{name} has no size (width and height, or a viewBox)")
        pdf = FPDF(unit="pt", format=(float(width), float(height)))
        pdf.add_page()
        svg.draw_to_page(pdf, x=0, y=0)
        drawn = bytes(pdf.output())
    except LogoError:
        raise
    except Exception as exc:  # fpdf2's SVG reader raises many kinds for what it cannot draw
        raise LogoError(f"{name} cannot be drawn ({type(exc).__name__}); save it as PNG") \
            from None
    document = pdfium.PdfDocument(drawn)
    try:
        page = document[0]
        scale = SVG_RASTER_HEIGHT / page.get_height()
        bitmap = page.render(scale=scale, may_draw_forms=False, fill_color=(0, 0, 0, 0))
        image = bitmap.to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
    finally:
        document.close()
    return out.getvalue()
