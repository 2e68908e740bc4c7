"""Building the case file: the drawn pages and the included documents, in one PDF.

The order a reader follows: the cover (a summary and the contents with page numbers),
the plan's sealed record, then the check-ins and extensions in the order they happened
(each extension followed by its amended plan), the outcome letter, the progress charts,
and the certificate of the case. Every included document is also attached unchanged
(so its own seal still verifies, and its SHA-256 can be checked), with
``case-file.json``: what the certificate states, for a program.

The cover's contents give page numbers, so it is drawn once to know how many pages it
takes, and again with the numbers (its layout does not depend on them).
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from docgen.casefile.manifest import MANIFEST_NAME, manifest
from docgen.casefile.model import (
    BuiltCaseFile,
    CaseFile,
    CaseFileInvalid,
    CheckinPage,
    Entry,
    ExtensionPage,
    IncludedDocument,
    check_case_file,
)
from docgen.casefile.pages import (
    characters,
    draw_certificate,
    draw_charts,
    draw_checkin,
    draw_cover,
    draw_extension,
    extended_by,
)
from docgen.stamp.document import Frame, RecordPdf
from docgen.stamp.fonts import DocumentFonts, document_fonts
from docgen.stamp.tagging import Element, add_structure_to
from docgen.stamp.wording import record_words

A4 = (595.28, 841.89)
_FRAME = Frame(A4[0], A4[1], left=62.0, right=62.0)
# Characters the pages' own wording uses beyond those fonts always hold.
_WORDING = "→•–—·“”’…"


@dataclass(frozen=True)
class Part:
    """One part of the case file: drawn here (``draw``) or included (``document``)."""

    title: str
    kind: str
    document: IncludedDocument | None = None
    draw: Callable[[RecordPdf], None] | None = None
    checkin: CheckinPage | None = None


def build_case_file(case: CaseFile, timings: dict[str, float] | None = None
                    ) -> BuiltCaseFile:
    """The case file's PDF (unsealed: see :func:`signing.domain.cases.casefile.seal_case_file`).
    ``timings``, if given, gets the seconds its steps took: ``pages`` (reading the
    documents, drawing the pages and charts) and ``merge`` (putting them together).

    Raises :class:`CaseFileInvalid` for data it cannot show, and
    :class:`docgen.stamp.errors.UnreadablePdf` for an included document it cannot read.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    from docgen.stamp.errors import UnreadablePdf

    started = time.perf_counter()
    check_case_file(case)
    readers: dict[str, Any] = {}
    for doc in case.documents:
        try:
            reader = PdfReader(io.BytesIO(doc.pdf))
            readers[doc.name] = reader
            if not reader.pages:
                raise UnreadablePdf(f"{doc.name} has no pages")
        except (PyPdfError, ValueError, KeyError) as exc:
            raise UnreadablePdf(f"{doc.name} is not a readable PDF ({exc})") from exc
    parts = list(_parts(case))
    words = record_words(case.language)
    with document_fonts(_all_text(case) + _WORDING + characters(words)) as fonts:
        # The cover goes first but is drawn last, in the same document as the rest (one
        # set of fonts to subset and embed): its length is known from a dry run, since
        # the page numbers it lists do not change how it is laid out.
        scratch = _new_pdf(fonts, case)
        draw_cover(scratch, case, [Entry(p.title, 0, 0, p.kind) for p in parts])
        cover_pages = scratch.pages_count
        for _ in range(3):
            pdf = _new_pdf(fonts, case)
            entries, ranges = _draw_body(pdf, case, parts, readers, cover_pages)
            first = pdf.pages_count
            with pdf.element("Sect", title=words._("Case file: summary and contents")) as cover:
                cover.lang = pdf.words.tag
                draw_cover(pdf, case, entries)
            if pdf.pages_count - first == cover_pages:
                break
            cover_pages = pdf.pages_count - first  # not as the dry run said: again
        else:  # pragma: no cover - a cover whose length keeps changing
            raise CaseFileInvalid("the cover's contents could not be laid out")
        drawing = bytes(pdf.output())
    drawn = time.perf_counter()
    result = _assemble(case, drawing, (first, first + cover_pages), parts, ranges, entries,
                       readers, pdf.pages_structure)
    if timings is not None:
        timings["pages"] = drawn - started
        timings["merge"] = time.perf_counter() - drawn
    return result


def _parts(case: CaseFile) -> Iterator[Part]:
    w = record_words(case.language)
    yield Part(f"{case.plan.title}", "document", document=case.plan)
    amendments = list(case.amendments)
    timeline: list[tuple[Any, int, Part]] = []
    for c in case.checkins:
        title = (w._("Check-in %(number)d", number=c.meeting) if c.held_at is not None
                 else w._("Check-in %(number)d (missed)", number=c.meeting))
        when = c.held_at or c.scheduled_for
        timeline.append((when, 0, Part(title, "check-in", checkin=c,
                                       draw=_checkin(case, c))))
    for e in case.extensions:
        # Each extension's amended plan is named amendment-N.pdf by its number.
        amendment = next((a for a in amendments if a.name == f"amendment-{e.number}.pdf"),
                         None)
        if amendment is not None:
            amendments.remove(amendment)
        timeline.append((e.at, 1, Part(w._("Extension %(number)d: %(extended)s",
                                           number=e.number, extended=extended_by(e, w)),
                                       "extension",
                                       draw=_extension(e, amendment))))
        if amendment is not None:
            timeline.append((e.at, 2, Part(amendment.title, "document", document=amendment)))
    for amendment in amendments:  # one no extension names: in its place in time
        timeline.append((amendment.at, 2, Part(amendment.title, "document",
                                               document=amendment)))
    timeline.sort(key=lambda item: (item[0], item[1]))
    yield from (part for _, _, part in timeline)
    if case.outcome_letter is not None:
        yield Part(case.outcome_letter.title, "document", document=case.outcome_letter)
    if case.charts:
        yield Part(w._("Progress against each goal"), "charts",
                   draw=lambda pdf: draw_charts(pdf, case))


def _checkin(case: CaseFile, checkin: CheckinPage) -> Callable[[RecordPdf], None]:
    return lambda pdf: draw_checkin(pdf, checkin, of=case.scheduled or len(case.checkins),
                                    zone=case.zone)


def _extension(extension: ExtensionPage, amendment: IncludedDocument | None
               ) -> Callable[[RecordPdf], None]:
    return lambda pdf: draw_extension(pdf, extension, amendment)


def _new_pdf(fonts: DocumentFonts, case: CaseFile) -> RecordPdf:
    w = record_words(case.language)
    return RecordPdf(fonts, _FRAME, company=case.company, words=w,
                     running_footer=w._("Case file · %(employee)s · %(plan)s",
                                        employee=case.employee, plan=case.plan_id))


def _draw_body(pdf: RecordPdf, case: CaseFile, parts: list[Part], readers: dict[str, Any],
               cover_pages: int) -> tuple[list[Entry], list[tuple[int, int]]]:
    """Every drawn part but the cover, and each part's pages: in the case file
    (``entries``, 1-based) and, for a drawn part, in the drawing (``ranges``)."""
    entries: list[Entry] = []
    ranges: list[tuple[int, int]] = []
    at = cover_pages  # pages of the case file so far
    for part in parts:
        if part.document is not None:
            count = len(readers[part.document.name].pages)
            ranges.append((0, 0))
        else:
            assert part.draw is not None
            before = pdf.pages_count
            with pdf.element("Sect", title=part.title) as section:
                section.lang = pdf.words.tag
                part.draw(pdf)
            count = pdf.pages_count - before
            ranges.append((before, pdf.pages_count))
        entries.append(Entry(part.title, at + 1, at + count, part.kind))
        at += count
    documents, checkins = _included(parts, entries)
    before = pdf.pages_count
    certificate = pdf.words._("Certificate of the case")
    with pdf.element("Sect", title=certificate) as section:
        section.lang = pdf.words.tag
        draw_certificate(pdf, case, documents, checkins)
    count = pdf.pages_count - before
    entries.append(Entry(certificate, at + 1, at + count, "certificate"))
    ranges.append((before, pdf.pages_count))
    return entries, ranges


def _assemble(case: CaseFile, drawing: bytes, cover: tuple[int, int], parts: list[Part],
              ranges: list[tuple[int, int]], entries: list[Entry],
              readers: dict[str, Any], structure: Element) -> BuiltCaseFile:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    drawn = PdfReader(io.BytesIO(drawing))
    # Where each page of the drawing (1-based) ends up in the case file (0-based).
    placed: dict[int, int] = {}
    for page in drawn.pages[cover[0]:cover[1]]:
        placed[cover[0] + len(writer.pages) + 1] = len(writer.pages)
        writer.add_page(page)
    outline = [(record_words(case.language)._("Case file: summary and contents"), 0)]
    for part, (first, last), entry in zip([*parts, None], ranges, entries, strict=True):
        outline.append((entry.title, entry.first - 1))
        if part is not None and part.document is not None:
            for page in readers[part.document.name].pages:
                _drop_form_fields(page, NameObject)  # before copying: a seal is large
                # Its structure tree is not carried over (see _tag): its keys into one
                # would point into the case file's.
                _drop_structure_keys(page, NameObject)
                writer.add_page(page)
        else:
            for number in range(first, last):
                placed[number + 1] = len(writer.pages)
                writer.add_page(drawn.pages[number])
    for title, page_index in outline:
        writer.add_outline_item(title=title, page_number=page_index)
    for doc in case.documents:
        writer.add_attachment(doc.name, doc.pdf)
    writer.add_attachment(MANIFEST_NAME, manifest(case, *_included(parts, entries)))
    writer.add_metadata({"/Title": f"Case file: {case.employee}, {case.plan_id}",
                         "/Author": case.company or "plansign",
                         "/Creator": "plansign"})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return BuiltCaseFile(_tag(out.getvalue(), structure, placed), len(writer.pages),
                         tuple(entries))


def _tag(pdf: bytes, structure: Element, placed: dict[int, int]) -> bytes:
    """The case file with a structure tree for the pages plansign draws (the cover
    first, in reading order, then each part and the certificate), as the record's added
    pages are tagged (docgen.stamp.tagging). The included documents' own trees are not
    merged (pypdf copies pages, not structure): the file says it holds structure but
    does not claim to be a tagged PDF (``/MarkInfo /Marked false``), so readers do not
    skip the included pages' text."""
    kids = structure.kids
    if kids and isinstance(kids[-1], Element):  # the cover, drawn last, read first
        structure = Element(structure.type, [kids[-1], *kids[:-1]], structure.title)
    return add_structure_to(pdf, structure, placed)


def _included(parts: list[Part], entries: list[Entry]
              ) -> tuple[list[tuple[Entry, IncludedDocument]], list[tuple[Entry, CheckinPage]]]:
    """The included documents and the check-in records, each with its entry (pages)."""
    pairs = list(zip(entries, parts, strict=False))
    return ([(e, p.document) for e, p in pairs if p.document is not None],
            [(e, p.checkin) for e, p in pairs if p.checkin is not None])


def _drop_form_fields(page: Any, name: Callable[[str], Any]) -> None:
    """Take the form fields (the included document's seal) off a page copied into the
    case file: the seal's signature covers its own file's bytes, not these, and a
    signature field carried over would show as a broken signature. The document is
    attached whole, with its seal."""
    annots = page.get("/Annots")
    if annots is None:
        return
    kept = [a for a in annots.get_object() if a.get_object().get("/Subtype") != "/Widget"]
    if kept:
        from pypdf.generic import ArrayObject

        page[name("/Annots")] = ArrayObject(kept)
    else:
        del page[name("/Annots")]


def _drop_structure_keys(page: Any, name: Callable[[str], Any]) -> None:
    """Take an included page's keys into its own document's structure tree off it (and
    off its annotations), which the case file does not carry."""
    if "/StructParents" in page:
        del page[name("/StructParents")]
    for annot in page.get("/Annots") or ():
        annot = annot.get_object()
        if "/StructParent" in annot:
            del annot[name("/StructParent")]


def _all_text(case: object) -> str:
    """Every string of the case (and its charts), or of any other record's data: the
    characters its fonts must hold."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, bytes):
            return
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    walk(case)
    return "".join(found)
