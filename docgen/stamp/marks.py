"""What the stamp on a signature line says, and drawing it once its place is known.

A stamp has three parts, like the tabs of commercial e-signature services: the headline
on the line itself (the typed name in a signature hand, or "Refused to sign" / "No
response"), small print beside it (the decision, the time on the signer's clock with its
zone named, the certificate page) and, for a signature (an acknowledgement or a
confirmation), the signer's date on the block's ``Date:`` line.
"""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass

from docgen.stamp.document import DECISION_COLORS, MUTED, SIGNATURE_INK, RecordPdf
from docgen.stamp.fonts import DocumentFonts
from docgen.stamp.model import SIGNED, Completion, SignerOutcome
from docgen.stamp.wording import STAMP_NAME_DIFFERS, RecordWords, words_for

SMALL_SIZE = 7.0
SMALL_LEADING = 8.6
DATE_SIZE = 10.0
# The small print is a narrow column (it fits the margin right of a signature line):
# longer lines (a name, a place) wrap at this many
# characters.
SMALL_CHARS = 34
# Measured with the widest page number a record will have.
WIDEST_PAGE = 999


@dataclass(frozen=True)
class Mark:
    """The words of one signer's stamp."""

    signer: SignerOutcome
    headline: str
    family: str  # the headline's font family: a signature hand, or "sans"
    style: str  # "" or "B"
    small: tuple[str, ...]  # the small print before the certificate reference
    date: str | None  # what goes on the Date: line; signatures only
    # The last line of the small print, "Certificate p. %(page)s", in the record's language.
    reference: str = "Certificate p. %(page)s"

    @property
    def is_signature(self) -> bool:
        """True for a typed name (an acknowledgement or a confirmation), False for a
        refusal or no response."""
        return self.signer.decision in SIGNED

    @property
    def in_script(self) -> bool:
        """True if the headline is drawn in a signature hand (it has all the letters)."""
        return self.family != "sans"

    @property
    def headline_size(self) -> float:
        """The largest size the headline is drawn at; a name may shrink to fit its line."""
        if self.in_script:
            return 20.0
        return 14.0 if self.is_signature else 11.0

    def small_lines(self, certificate_page: int | str) -> tuple[str, ...]:
        return (*self.small, self.reference % {"page": certificate_page})


@dataclass(frozen=True)
class Spot:
    """Where a mark is drawn: on which page of the final document, and how."""

    mark: Mark
    page: int  # 0-based, in the final document
    headline_x: float
    headline_baseline: float
    headline_size: float
    small_x: float
    small_baseline: float  # of the first line
    small_align: str  # "L": lines start at small_x; "R": they end there
    date_x: float | None = None
    date_baseline: float | None = None
    date_size: float = DATE_SIZE


def signature_name(signer: SignerOutcome) -> str:
    """What an acknowledgement's stamp writes: the name as typed, else the signer's name."""
    return (signer.typed_name or "").strip() or signer.name


def mark_for(signer: SignerOutcome, completion: Completion, fonts: DocumentFonts) -> Mark:
    w = words_for(completion)
    mark = _mark(w, signer, completion, fonts)
    return dataclasses.replace(mark, reference=w._("Certificate p. %(page)s"))


def _mark(w: RecordWords, signer: SignerOutcome, completion: Completion,
          fonts: DocumentFonts) -> Mark:
    decision = signer.decision
    label = w.decision(decision)
    zone = signer.timezone
    if decision in SIGNED:
        assert signer.decided_at is not None
        name = signature_name(signer)
        family = fonts.script_for(name)
        small = [label, w.signer_short_time(signer.decided_at, zone)]
        if signer.name_differs:
            # The typed name is the signature; the reader must see whose line it is on.
            small += _wrapped(w._(STAMP_NAME_DIFFERS, name=signer.name))
        return Mark(signer, name, family or "sans", "", tuple(small),
                    w.signer_date(signer.decided_at, zone))
    if decision == "refused":
        assert signer.decided_at is not None
        if signer.refusal_recorded:
            # The manager recorded it: the line says so, and who saw it, not that the
            # employee refused on their own page.
            recorded = w.decision_label(signer, completion)
            held = w.meeting(signer, short=True)
            parts = [*w.recorded_by(signer), *([held] if held else [])]
            comma = w._(", ").rstrip()
            small = [recorded,
                     *(line for i, part in enumerate(parts)
                       for line in _wrapped(part + (comma if i < len(parts) - 1 else ""))),
                     w._("recorded %(when)s",
                         when=w.signer_short_time(signer.decided_at, zone))]
            return Mark(signer, recorded, "sans", "", tuple(small), None)
        return Mark(signer, label, "sans", "",
                    (label, w.signer_short_time(signer.decided_at, zone)), None)
    if decision == "declined":
        assert signer.decided_at is not None
        return Mark(signer, label, "sans", "",
                    (label, w.signer_short_time(signer.decided_at, zone)), None)
    # No response: the envelope expired, was withdrawn, or completed without this signer.
    as_of = w._("as of %(when)s", when=w.short_time(completion.completed_at))
    if signer.not_asked:
        first, rest = w.not_asked(completion)
        return Mark(signer, first, "sans", "", (first, *_wrapped(rest), as_of), None)
    return Mark(signer, label, "sans", "", (label, as_of), None)


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, SMALL_CHARS, break_on_hyphens=False)


def draw(pdf: RecordPdf, spot: Spot, certificate_page: int) -> None:
    """Draw ``spot`` on the overlay page that is current in ``pdf``."""
    with pdf.element("P"):  # one paragraph for readers: name, decision, time, date
        _draw(pdf, spot, certificate_page)


def _draw(pdf: RecordPdf, spot: Spot, certificate_page: int) -> None:
    mark = spot.mark
    color = SIGNATURE_INK if mark.is_signature else DECISION_COLORS[mark.signer.decision]
    pdf.set_font(mark.family, mark.style, spot.headline_size)
    pdf.put(spot.headline_x, spot.headline_baseline, mark.headline, color=color)
    lines = mark.small_lines(certificate_page)
    for i, line in enumerate(lines):
        bold = i == 0
        pdf.set_font("sans", "B" if bold else "", SMALL_SIZE)
        pdf.put(spot.small_x, spot.small_baseline + i * SMALL_LEADING, line,
                color=DECISION_COLORS[mark.signer.decision] if bold else MUTED,
                align=spot.small_align)
    if mark.date and spot.date_x is not None and spot.date_baseline is not None:
        pdf.set_font("sans", "", spot.date_size)
        pdf.put(spot.date_x, spot.date_baseline, mark.date, color=SIGNATURE_INK)
