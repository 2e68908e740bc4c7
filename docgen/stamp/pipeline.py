"""From the original PDF and what happened to it, the final record.

:func:`docgen.stamp.stamp` runs :func:`stamp` here; this module is imported only then,
because fpdf2, PDFium and fontTools take about half a second to import, which every
``plansign lint`` would otherwise pay.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator, Sequence

from docgen.stamp import kinds
from docgen.stamp.acknowledgement import draw_acknowledgement
from docgen.stamp.anchors import DATE_LABELS, Anchor, anchors_in, with_former
from docgen.stamp.attachment import trail_attachment
from docgen.stamp.certificate import draw_certificate
from docgen.stamp.comments import draw_comments
from docgen.stamp.document import MUTED, Frame, RecordPdf
from docgen.stamp.errors import OriginalMismatch, UnreadablePdf
from docgen.stamp.fonts import DocumentFonts, document_fonts
from docgen.stamp.footer import SIZE as FOOTER_SIZE
from docgen.stamp.footer import footer_baseline, footer_text
from docgen.stamp.marks import Mark, Spot, draw, mark_for, signature_name
from docgen.stamp.merge import merge
from docgen.stamp.model import SIGNED, Completion, DocumentKind, Stamped, check_completion
from docgen.stamp.placement import NoRoom, place
from docgen.stamp.scan import PageScan, scan
from docgen.stamp.tagging import Element
from docgen.stamp.wording import RecordWords, words_for

# Appended pages take the original's margins, within these bounds.
_MIN_MARGIN, _MAX_MARGIN, _DEFAULT_MARGIN = 36.0, 90.0, 62.0


def stamp(original: bytes, completion: Completion) -> Stamped:
    """See :func:`docgen.stamp.stamp`."""
    check_completion(completion)
    digest = hashlib.sha256(original).hexdigest()
    if digest != completion.original_sha256:
        raise OriginalMismatch(f"the PDF given has SHA-256 {digest}, but the envelope's "
                               f"original has {completion.original_sha256}")
    anchor_texts = [s.anchor for s in completion.signers]
    # The date lines' label in every language: a plan's template is in its language, and
    # the search is cheap (a few ms a page).
    pages = scan(original, [*with_former(anchor_texts), *DATE_LABELS])
    if not pages:
        raise UnreadablePdf("the original PDF has no pages")
    anchors = anchors_in(pages, anchor_texts)
    notes: list[str] = []
    signatures = [signature_name(s) for s in completion.signers
                  if s.decision in SIGNED]
    words = words_for(completion)
    text = "".join(_strings(completion)) + "".join(sorted(words.characters))
    with document_fonts(text, signatures) as fonts:
        frame = _frame(pages[-1])
        pdf = RecordPdf(fonts, frame, company=completion.company,
                        running_footer=f"{completion.title} · {completion.plan_id}",
                        words=words)
        marks = [mark_for(s, completion, fonts) for s in completion.signers]
        on_pages, elsewhere = _place_all(pdf, fonts, pages, anchors, marks, notes, words,
                                         completion.document)
        spots = on_pages + draw_acknowledgement(pdf, completion, elsewhere,
                                                first_final_page=len(pages))
        draw_comments(pdf, completion.comments, words, completion.document)
        certificate_page = len(pages) + draw_certificate(pdf, completion)
        appended = pdf.pages_count
        _overlays(pdf, completion, pages, frame, spots, certificate_page, notes)
        layer = bytes(pdf.output())
        if fonts.missing:
            sample = ", ".join(f"U+{ord(c):04X}" for c in sorted(fonts.missing)[:5])
            notes.append(f"{len(fonts.missing)} character(s) of the record's text are in no "
                         f"installed font and show as boxes ({sample})")
    # Readers meet the stamps on the plan's pages first, then the record's pages, in
    # the plan's language (English is British English).
    record = Element("Sect", [pdf.overlays_structure, *pdf.pages_structure.kids],
                     title=words._("Record of completion"), lang=words.tag)
    final = merge(original, layer, appended=appended, origins=[p.origin for p in pages],
                  trail=trail_attachment(completion), structure=record)
    return Stamped(pdf=final, notes=tuple(notes), certificate_page=certificate_page)


def _place_all(pdf: RecordPdf, fonts: DocumentFonts, pages: Sequence[PageScan],
               anchors: dict[str, Anchor], marks: Sequence[Mark], notes: list[str],
               words: RecordWords, document: DocumentKind
               ) -> tuple[list[Spot], dict[int, tuple[Mark, str]]]:
    """Each mark's spot beside its anchor, or (with a note) a slot on the acknowledgement
    page when the anchor is missing, already taken or has no room beside it."""
    found = list(anchors.values())
    on_pages: list[Spot] = []
    elsewhere: dict[int, tuple[Mark, str]] = {}
    taken: set[str] = set()
    for index, mark in enumerate(marks):
        text = mark.signer.anchor
        anchor = anchors.get(text)
        if anchor is not None and text in taken:
            elsewhere[index] = (mark, words.about(kinds.LINE_TAKEN, document, line=text))
            notes.append(f"two signers have the '{text}' anchor; the stamp of "
                         f"{mark.signer.name} is on the acknowledgement page")
            continue
        taken.add(text)
        if anchor is None:
            elsewhere[index] = (mark, words.about(kinds.NO_LINE, document, line=text))
            notes.append(f"no '{text}' anchor in the document; its stamp is on the "
                         "acknowledgement page")
            continue
        spot = place(pdf, fonts, pages[anchor.page], anchor, found, mark)
        if isinstance(spot, NoRoom):
            elsewhere[index] = (mark, words.about(kinds.NO_ROOM, document, line=text))
            notes.append(f"'{text}' anchor on page {anchor.page + 1}: {spot.reason}; its "
                         "stamp is on the acknowledgement page")
        else:
            on_pages.append(spot)
    return on_pages, elsewhere


def _overlays(pdf: RecordPdf, completion: Completion, pages: Sequence[PageScan],
              frame: Frame, spots: Sequence[Spot], certificate_page: int,
              notes: list[str]) -> None:
    """One overlay page per page of the final document: its footer and its stamps."""
    total = len(pages) + pdf.pages_count
    pdf.start_overlays()
    for index in range(total):
        original = pages[index] if index < len(pages) else None
        width, height = (original.width, original.height) if original else (frame.width,
                                                                              frame.height)
        pdf.add_page(format=(width, height))
        if original is not None and original.rotation % 360:
            notes.append(f"page {index + 1} is rotated; the record's footer runs along the "
                         "edge that is its bottom before rotation")
        baseline = footer_baseline(original) if original else height - 14.0
        if baseline is None:
            notes.append(f"page {index + 1} is full to its edges; the record's footer "
                         "is drawn at its bottom edge and may touch its content")
            baseline = height - 7.0
        pdf.set_font("sans", "", FOOTER_SIZE)
        with pdf.furniture():
            text = footer_text(completion.envelope_id, index + 1, total, originals=len(pages),
                               numbered=original is not None and original.numbered,
                               words=pdf.words, document=completion.document)
            pdf.put(width / 2, baseline, text, color=MUTED, align="C")
        for spot in spots:
            if spot.page == index:
                draw(pdf, spot, certificate_page)


def _frame(page: PageScan) -> Frame:
    """Appended pages: the size and side margins of the original's last page."""
    content = page.content_box()
    left = content.x0 if content else _DEFAULT_MARGIN
    right = page.width - content.x1 if content else _DEFAULT_MARGIN

    def clamp(margin: float) -> float:
        return min(max(margin, _MIN_MARGIN), _MAX_MARGIN)

    return Frame(width=page.width, height=page.height, left=clamp(left), right=clamp(right))


def _strings(value: object) -> Iterator[str]:
    """Every string in the completion: the text the document's fonts must be able to draw."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
