"""One check-in record alone, as a PDF: the employee's own copy of it while the case is
open (issue 19; the closed case's records are in its case file).

The record is drawn by the case file's own page (:func:`docgen.casefile.pages.draw_checkin`:
the meeting, each goal's status and value, notes, support, next steps, the employee's
view, acknowledgement and comments), followed by a short page saying what the document
is: whose plan, which check-in, which version, and the SHA-256 of the record's data. That
data is attached as ``checkin-record.json``, hashed exactly as the case file's
certificate hashes a check-in record, so the same answer gives the same hash in both.
Sealing is the caller's. Pure: data in, bytes out.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from docgen.casefile.build import _all_text
from docgen.casefile.model import ANSWER_KINDS, CaseFileInvalid, CheckinPage, canonical
from docgen.casefile.pages import characters, draw_checkin, row, row_height
from docgen.stamp.document import LEADING, MUTED, SMALL, Frame, RecordPdf
from docgen.stamp.errors import UnreadablePdf
from docgen.stamp.wording import exact_time, record_words

RECORD_NAME = "checkin-record.json"
FORMAT = "plansign check-in record 1"
_A4 = (595.28, 841.89)
_FRAME = Frame(_A4[0], _A4[1], left=62.0, right=62.0)
_WORDING = "→•–—·“”’…"


@dataclass(frozen=True)
class CheckinRecordDocument:
    """What the PDF of one check-in record shows."""

    envelope_id: str
    checkin_id: str
    plan_id: str
    company: str
    employee: str
    zone: str  # the plan's check-in zone: the meeting's times are shown in it
    scheduled: int  # meetings the plan (as extended) schedules, for "Check-in 3 of 9"
    page: CheckinPage
    version: int  # 1, then one more for each later answer of the employee's
    made_at: dt.datetime
    language: str = "en"  # the plan's: the record's own words are written in it

    @property
    def record_sha256(self) -> str:
        """The record's data's SHA-256, as the case file's certificate states it."""
        return self.page.sha256


def build_checkin_record(doc: CheckinRecordDocument) -> bytes:
    """The check-in record's PDF (unsealed), with its data attached. Raises
    :class:`CaseFileInvalid` for a record it cannot show."""
    from pypdf import PdfReader, PdfWriter

    from docgen.stamp.fonts import document_fonts

    _check(doc)
    w = record_words(doc.language)
    with document_fonts(_text(doc) + _WORDING + characters(w)) as fonts:
        pdf = RecordPdf(fonts, _FRAME, company=doc.company, words=w,
                        running_footer=w._("Check-in record · %(employee)s · %(plan)s",
                                           employee=doc.employee, plan=doc.plan_id))
        draw_checkin(pdf, doc.page, of=doc.scheduled, zone=doc.zone)
        _draw_about(pdf, doc)
        drawing = bytes(pdf.output())
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(drawing)))
    writer.add_attachment(RECORD_NAME, record_data(doc))
    writer.add_metadata({"/Title": w._("Check-in %(number)d: %(employee)s, %(plan)s",
                                       number=doc.page.meeting, employee=doc.employee,
                                       plan=doc.plan_id),
                         "/Author": doc.company or "plansign", "/Creator": "plansign"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def record_data(doc: CheckinRecordDocument) -> bytes:
    """``checkin-record.json``: the record's data and its hash, for a program."""
    return canonical({"format": FORMAT, "envelope_id": doc.envelope_id,
                      "checkin_id": doc.checkin_id, "plan_id": doc.plan_id,
                      "employee": doc.employee, "meeting": doc.page.meeting,
                      "version": doc.version, "made_at": doc.made_at.isoformat(),
                      "sha256": doc.record_sha256, "record": doc.page.record()})


def read_record_data(pdf: bytes) -> dict[str, Any] | None:
    """The attached ``checkin-record.json`` of a check-in record's PDF; None for another
    PDF. Raises :class:`UnreadablePdf` for a file that cannot be read or whose data is
    not what :func:`record_data` writes."""
    from pypdf.errors import PyPdfError

    try:
        from pypdf import PdfReader

        attached = PdfReader(io.BytesIO(pdf)).attachments
        if RECORD_NAME not in attached:
            return None
        contents = list(attached[RECORD_NAME])
    except (PyPdfError, ValueError, KeyError) as exc:
        raise UnreadablePdf(f"the file is not a readable PDF ({exc})") from exc
    try:
        if len(contents) != 1:
            raise ValueError(f"{len(contents)} files are named {RECORD_NAME}")
        data = json.loads(contents[0])
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not its format")
        for key in ("envelope_id", "checkin_id", "sha256", "record"):
            if key not in data:
                raise KeyError(key)
    except (ValueError, KeyError) as exc:
        raise UnreadablePdf(f"the PDF's {RECORD_NAME} is not a plansign check-in record "
                            f"({exc})") from exc
    return data


def _draw_about(pdf: RecordPdf, doc: CheckinRecordDocument) -> None:
    w = pdf.words
    rows = [(w._("Employee"), doc.employee, False),
            (w._("Plan reference"), doc.plan_id or "—", False),
            (w._("Envelope"), doc.envelope_id, True),
            (w._("Check-in record"), doc.checkin_id, True),
            (w._("Version"), w._("%(version)d, made %(when)s", version=doc.version,
                                 when=exact_time(doc.made_at)), False),
            (w._("Record's SHA-256"), doc.record_sha256, True)]
    note = w._("This is the check-in record as the employee's answer to it stood when this "
               "document was made. The record itself is never changed; a later answer (an "
               "acknowledgement, a comment) gives a new version of this document, and the "
               "earlier versions are kept. When the plan's case closes, the case file holds "
               "every check-in record, and states the same SHA-256 for a record whose answer "
               "has not changed since. The document is sealed with the organisation's "
               "electronic seal; “plansign verify <file>” on the plansign server checks the "
               "seal and the hash.")
    # The rows and the note that explains them are read together: the block starts a
    # page rather than leave a line of the note alone on the next one.
    pdf.set_font("sans", "", SMALL)
    note_height = len(pdf.wrap(note, pdf.frame.text_width)) * SMALL * LEADING
    heading = w._("About this record")
    pdf.keep(pdf.subheading_height(heading) + note_height
             + sum(row_height(pdf, label, value, mono=mono) for label, value, mono in rows))
    pdf.subheading(heading)
    with pdf.element("Table"):
        for label, value, mono in rows:
            row(pdf, label, value, mono=mono)
    pdf.para(note, size=SMALL, color=MUTED)



def _check(doc: CheckinRecordDocument) -> None:
    if doc.made_at.tzinfo is None:
        raise CaseFileInvalid("made_at: the time has no time zone")
    if doc.version < 1:
        raise CaseFileInvalid("version: a check-in record's versions count from 1")
    page = doc.page
    if (page.held_at is None) == (page.missed_reason is None):
        raise CaseFileInvalid("checkin: a check-in is either held (held_at) or missed "
                              "(missed_reason)")
    if page.answer.kind not in ANSWER_KINDS:
        raise CaseFileInvalid(f"checkin.answer.kind: {page.answer.kind!r} is not one of "
                              f"{', '.join(ANSWER_KINDS)}")


def _text(doc: CheckinRecordDocument) -> str:
    return _all_text(doc) + doc.employee + doc.company


__all__ = ["FORMAT", "RECORD_NAME", "CheckinRecordDocument", "build_checkin_record",
           "read_record_data", "record_data"]
