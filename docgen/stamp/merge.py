"""Putting the record together: the original, untouched, plus an incremental update.

The final PDF is the original file byte for byte, followed by an incremental update
(as PDF signatures use) that appends the new pages and draws an overlay over every
page. So the original can be cut back out of the final document and checked against
its SHA-256, and its pages' content streams are not rewritten: each page draws its own
content exactly as before, wrapped in ``q``/``Q`` so that nothing it leaves set can
move the overlay, then the overlay, a form XObject, with resources of its own.

The appended pages and the overlays are tagged; their structure elements are added to
the original's structure tree, which is otherwise kept as it was (see :mod:`.tagging`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)

from docgen.stamp.attachment import ATTACHMENT_NAME, attach
from docgen.stamp.errors import UnreadablePdf
from docgen.stamp.tagging import Element, Target, add_structure

_OVERLAY_NAME = "/PlansignRecord"


def merge(original: bytes, layer: bytes, *, appended: int,
          origins: Sequence[tuple[float, float]], trail: bytes,
          structure: Element | None = None) -> bytes:
    """``original`` with the first ``appended`` pages of ``layer`` added at its end and
    the pages of ``layer`` after those drawn over each page of the result, in order, and
    ``trail`` attached as its audit-trail.json (see :mod:`.attachment`).

    ``origins`` holds, for each original page, the lower-left corner of its crop box,
    where its overlay's origin goes. ``structure`` is the tags of ``layer``'s content,
    by ``layer``'s page numbers.
    """
    try:
        writer = PdfWriter(io.BytesIO(original), incremental=True)
        if writer.is_encrypted:
            raise UnreadablePdf("the original PDF is encrypted; it cannot be stamped")
        source = PdfReader(io.BytesIO(layer))
        originals = len(writer.pages)
        for page in source.pages[:appended]:
            writer.add_page(page)
        opening = writer._add_object(_stream(b"q\n"))
        forms = []
        for i, page in enumerate(writer.pages):
            origin = origins[i] if i < originals else (0.0, 0.0)
            forms.append(_overlay(writer, page, source.pages[appended + i], origin, opening))
        if structure is not None:
            pages = [page.indirect_reference for page in writer.pages]

            def target(number: int) -> Target:
                """Where page ``number`` (1-based) of ``layer`` went."""
                if number <= appended:
                    return Target(_ref(pages[originals + number - 1]))
                index = number - appended - 1
                return Target(_ref(pages[index]), forms[index])

            add_structure(writer, structure, target)
        attach(writer, ATTACHMENT_NAME, trail,
               "The envelope's hash-chained audit trail, as this record was made")
        out = io.BytesIO()
        writer.write(out)
    except PyPdfError as exc:
        raise UnreadablePdf(f"the original PDF cannot be extended: {exc}") from exc
    return out.getvalue()


def _ref(reference: IndirectObject | None) -> IndirectObject:
    assert reference is not None  # every page of a writer is an indirect object
    return reference


def _overlay(writer: PdfWriter, page: PageObject, overlay: PageObject,
             origin: tuple[float, float], opening: IndirectObject) -> IndirectObject:
    """Draw ``overlay`` over ``page`` as a form XObject; returns the form."""
    box = overlay.mediabox
    drawing = overlay.get_contents()
    form = _stream(drawing.get_data() if drawing is not None else b"").flate_encode()
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (0, 0, box.width, box.height)),
        NameObject("/Matrix"): ArrayObject(FloatObject(v) for v in (1, 0, 0, 1, *origin)),
        NameObject("/Resources"): overlay["/Resources"].clone(writer),
    })
    form_ref = writer._add_object(form)

    # The page gets resources of its own (a copy that shares every font and image) so
    # that a resource dictionary shared with other pages is left as it was.
    resources = DictionaryObject(_inherited(page, "/Resources") or {})
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    name = _OVERLAY_NAME
    while NameObject(name) in xobjects:
        name += "X"
    xobjects[NameObject(name)] = form_ref
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources

    contents = page.get("/Contents")
    if contents is None:
        streams = []
    elif isinstance(contents.get_object(), ArrayObject):
        streams = list(contents.get_object())
    else:
        streams = [contents]
    closing = writer._add_object(_stream(f"Q\nq {name} Do Q\n".encode()))
    page[NameObject("/Contents")] = ArrayObject([opening, *streams, closing])
    return form_ref


def _inherited(page: PageObject, key: str) -> DictionaryObject | None:
    """A page attribute, taken from the page tree above it when the page has none."""
    node: DictionaryObject | None = page
    while node is not None:
        if key in node:
            value = node[key].get_object()
            return value if isinstance(value, DictionaryObject) else None
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream
