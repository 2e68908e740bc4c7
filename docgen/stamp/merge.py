"""Putting the record together: the original, untouched, plus an incremental update.

The final PDF is the original file byte for byte, followed by an incremental update
(as PDF signatures use) that appends the new pages and draws an overlay over every
page. So the original can be cut back out of the final document and checked against
its SHA-256, and its pages' content streams are not rewritten: each page draws its own
content exactly as before, wrapped in ``q``/``Q`` so that nothing it leaves set can
move the overlay, then the overlay, a form XObject, with resources of its own.

The appended pages and the overlays are tagged; their structure elements are added to
the original's structure tree, which is otherwise kept as it was (see :mod:`.tagging`).

The update is written with pyHanko's incremental writer, which reads the original's
objects only as they are asked for and writes only those changed or added. (A tagged
plan from LibreOffice has thousands of objects, most of them its structure tree; a
writer that copies them all on opening, as pypdf's does, took two thirds of stamping.)
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

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
        reader = PdfFileReader(io.BytesIO(original), strict=False)
        if reader.encrypted:
            raise UnreadablePdf("the original PDF is encrypted; it cannot be stamped")
        writer = IncrementalPdfFileWriter.from_reader(reader)
        drawn = _import_pages(writer, PdfFileReader(io.BytesIO(layer)))
        originals = _page_count(writer)
        for page in drawn[:appended]:
            _append_page(writer, page)
        opening = writer.add_object(_stream(b"q\n"))
        pages, forms = [], []
        for i in range(originals + appended):
            page, resources = writer.find_page_for_modification(i)
            pages.append(page)
            forms.append(_overlay(writer, page, resources, drawn[appended + i],
                                  origins[i] if i < originals else (0.0, 0.0), opening))
        if structure is not None:
            def target(number: int) -> Target:
                """Where page ``number`` (1-based) of ``layer`` went."""
                if number <= appended:
                    return Target(pages[originals + number - 1])
                index = number - appended - 1
                return Target(pages[index], forms[index])

            add_structure(writer, structure, target)
        attach(writer, ATTACHMENT_NAME, trail,
               "The envelope's hash-chained audit trail, as this record was made")
        out = io.BytesIO()
        writer.write(out)
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        # pyHanko raises its own errors for a malformed file, and lookup errors for a
        # well-formed one that lacks what every page tree has.
        raise UnreadablePdf(f"the original PDF cannot be extended: {exc}") from exc
    return out.getvalue()


def _page_count(writer: IncrementalPdfFileWriter) -> int:
    return int(writer.root["/Pages"]["/Count"])


def _import_pages(writer: IncrementalPdfFileWriter,
                  layer: PdfFileReader) -> list[generic.IndirectObject]:
    """``layer``'s pages, copied into ``writer`` in one go (so the fonts all its pages
    share are copied once), each holding what it inherited from ``layer``'s page tree.
    The copy of that tree is then emptied: an appended page goes into the original's
    tree, and an overlay page's content and resources become a form XObject."""
    tree = writer.import_object(layer.root.raw_get("/Pages"))
    assert isinstance(tree, generic.IndirectObject)  # the catalog's /Pages is indirect
    pages = list(_leaves(tree, generic.DictionaryObject()))
    tree.get_object().clear()
    return pages


_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def _leaves(node: generic.IndirectObject, inherited: generic.DictionaryObject,
            ) -> Iterator[generic.IndirectObject]:
    """The pages under ``node``, in order, each given the inheritable attributes of the
    nodes above it that it does not set itself."""
    here = node.get_object()
    passed = generic.DictionaryObject(inherited)
    passed.update({key: here.raw_get(key) for key in _INHERITED if key in here})
    for kid in here["/Kids"].iterate():
        if kid.get_object().get("/Type") == "/Pages":
            yield from _leaves(kid, passed)
        else:
            page = kid.get_object()
            for key, value in passed.items():
                if key not in page:
                    page[key] = value
            yield kid


def _append_page(writer: IncrementalPdfFileWriter, page: generic.IndirectObject) -> None:
    """Add ``page`` (already in ``writer``) after the last page, as a kid of the page
    tree's root (a page tree's nodes may mix pages and nodes)."""
    tree_ref = writer.root.raw_get("/Pages")
    tree = tree_ref.get_object()
    tree["/Kids"].append(page)
    tree["/Count"] = generic.NumberObject(int(tree["/Count"]) + 1)
    writer.update_container(tree)
    page.get_object()["/Parent"] = tree_ref


def _overlay(writer: IncrementalPdfFileWriter, page_ref: generic.IndirectObject,
             resources: generic.DictionaryObject | None, overlay_ref: generic.IndirectObject,
             origin: tuple[float, float], opening: generic.IndirectObject,
             ) -> generic.IndirectObject:
    """Draw the layer's page ``overlay_ref`` over the page ``page_ref``, whose resources
    (its own or inherited) are ``resources``, as a form XObject; returns the form."""
    overlay = overlay_ref.get_object()
    box = [float(v) for v in overlay["/MediaBox"]]
    form_ref = _as_one_stream(writer, overlay.raw_get("/Contents"))
    form = form_ref.get_object()
    form["/Type"] = pdf_name("/XObject")
    form["/Subtype"] = pdf_name("/Form")
    form["/BBox"] = _numbers(0, 0, box[2] - box[0], box[3] - box[1])
    form["/Matrix"] = _numbers(1, 0, 0, 1, *origin)
    form["/Resources"] = overlay.raw_get("/Resources")
    overlay.clear()  # the layer's page itself is no longer part of anything

    # The page gets resources of its own (a copy that shares every font and image) so
    # that a resource dictionary shared with other pages is left as it was.
    own = generic.DictionaryObject(resources.get_object() if resources is not None else {})
    present = own.get("/XObject")
    xobjects = generic.DictionaryObject(present.get_object() if present is not None else {})
    name = _OVERLAY_NAME
    while name in xobjects:
        name += "X"
    xobjects[name] = form_ref
    own["/XObject"] = xobjects
    page = page_ref.get_object()
    page["/Resources"] = own

    contents = page.raw_get("/Contents") if "/Contents" in page else None
    if contents is None:
        streams: list[generic.PdfObject] = []
    elif isinstance(contents.get_object(), generic.ArrayObject):
        streams = list(contents.get_object().iterate())
    else:
        streams = [contents]
    closing = writer.add_object(_stream(f"Q\nq {name} Do Q\n".encode()))
    page["/Contents"] = generic.ArrayObject([opening, *streams, closing])
    writer.update_container(page)
    return form_ref


def _as_one_stream(writer: IncrementalPdfFileWriter,
                   contents: generic.PdfObject) -> generic.IndirectObject:
    """A layer page's content (already copied into ``writer``) as one stream object:
    the stream itself when it is one (as fpdf2 writes it), else the streams joined."""
    if isinstance(contents, generic.IndirectObject) and isinstance(
            contents.get_object(), generic.StreamObject):
        return contents
    parts = contents.get_object()
    data = b"".join(part.get_object().data for part in parts) \
        if isinstance(parts, generic.ArrayObject) else b""
    joined = _stream(data)
    joined.compress()
    return writer.add_object(joined)


def _numbers(*values: float) -> generic.ArrayObject:
    return generic.ArrayObject(generic.FloatObject(v) for v in values)


def _stream(data: bytes) -> generic.StreamObject:
    return generic.StreamObject(stream_data=data)
