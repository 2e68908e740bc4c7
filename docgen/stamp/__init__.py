"""The final record of a Performance Improvement Plan: the original PDF, stamped.

Once every signer has acted (or the envelope has expired), :func:`stamp` turns the
original PDF and a :class:`Completion` (what happened, from the audit trail) into the
final document, which is then sealed and archived by others:

* the original pages exactly as they were: the final file is the original, byte for
  byte, plus an incremental update; nothing is re-rendered;
* on each signature line, found by its anchor text as e-signature "anchor tabs" are,
  the signer's typed name in a signature hand, their decision, the time on their own
  clock with its zone and the certificate's page, and their date on the ``Date:`` line;
* on every page, below the original's own footer, the envelope, and one page number
  per page (see :mod:`docgen.stamp.footer`);
* appended pages: the acknowledgement record, every comment verbatim (any script,
  never read as markup), and the certificate of completion;
* tags for screen readers on everything added, joined to the original's structure tree
  (see :mod:`docgen.stamp.tagging`);
* the audit trail itself, attached as ``audit-trail.json`` (which the seal then covers),
  so the sealed PDF alone proves its history: :func:`stated_trail` reads it back.

Why this shape:

* Pure: bytes and data in, bytes out; no database, web, settings or clock.
* PDFium (pypdfium2) reads where things are on the original; fpdf2 draws the new pages
  and overlays, with HarfBuzz shaping for scripts that need it; pyHanko writes the
  incremental update. Fonts are found by path and cut down per document (see
  :mod:`docgen.stamp.fonts`).
* A stamp that cannot go on its line (no anchor, no room) goes on the acknowledgement
  page, and :attr:`Stamped.notes` says so for the caller to log.

The modules, from the bottom up: :mod:`.model` (the data), :mod:`.wording`,
:mod:`.writing` (shaping and direction of text), :mod:`.scan` (what the pages show),
:mod:`.anchors`, :mod:`.fonts`, :mod:`.document` (the fpdf2 document), :mod:`.marks`
(what a stamp says) and :mod:`.placement` (where), :mod:`.acknowledgement`,
:mod:`.comments`, :mod:`.certificate`, :mod:`.footer`, :mod:`.tagging`, :mod:`.merge`,
and :mod:`.pipeline`, which runs them (imported on first use: see there).

Typical use::

    stamped = stamp(original_pdf, completion)
    for note in stamped.notes:
        log.warning(note)
    sealed = seal(stamped.pdf, key)
"""

from docgen.stamp.anchors import Anchor, find_anchors
from docgen.stamp.attachment import ATTACHMENT_NAME, StatedTrail, stated_trail
from docgen.stamp.errors import (
    CompletionInvalid,
    FontMissing,
    OriginalMismatch,
    StampError,
    UnreadablePdf,
)
from docgen.stamp.model import (
    Comment,
    Completion,
    DocumentKind,
    SealFacts,
    SignerEvent,
    SignerOutcome,
    Stamped,
)


def stamp(original: bytes, completion: Completion) -> Stamped:
    """The final record: ``original`` exactly as it was, with each signer's stamp on their
    signature line, the record's footer on every page, and appended pages for the
    acknowledgements, the comments and the certificate of completion.

    Raises :class:`StampError` subclasses: :class:`CompletionInvalid` for data the record
    cannot show, :class:`OriginalMismatch` for a PDF that is not the one ``completion``
    describes, :class:`UnreadablePdf`, and :class:`FontMissing`.
    """
    from docgen.stamp.pipeline import stamp as run

    return run(original, completion)


__all__ = [
    "ATTACHMENT_NAME",
    "Anchor",
    "Comment",
    "Completion",
    "CompletionInvalid",
    "DocumentKind",
    "FontMissing",
    "OriginalMismatch",
    "SealFacts",
    "SignerEvent",
    "SignerOutcome",
    "StampError",
    "Stamped",
    "StatedTrail",
    "UnreadablePdf",
    "find_anchors",
    "stamp",
    "stated_trail",
]
