"""The case file: one PDF that holds a plan's whole case when it closes.

:func:`build_case_file` takes a :class:`CaseFile` (plain frozen data: the plan's sealed
record, every check-in with the employee's answer, the extensions and amended plans,
the outcome letter, the progress charts and the case's events) and gives the PDF: a
cover with the contents, the documents and drawn records in the order they happened,
the charts, and a certificate of the whole case; the included documents and
``case-file.json`` are attached (:mod:`.manifest`). Sealing and writing it are the
caller's (:mod:`signing.domain.cases.casefile`). Pure: data and bytes in, bytes out.

fpdf2 and HarfBuzz come with it; docgen itself does not import it.
"""

from docgen.casefile.build import BuiltCaseFile, build_case_file
from docgen.casefile.model import (
    OUTCOME_LABELS,
    Answer,
    CaseEvent,
    CaseFile,
    CaseFileInvalid,
    CheckinPage,
    Comment,
    ExtensionPage,
    GoalEntry,
    IncludedDocument,
)

__all__ = ["OUTCOME_LABELS", "Answer", "BuiltCaseFile", "CaseEvent", "CaseFile",
           "CaseFileInvalid", "CheckinPage", "Comment", "ExtensionPage", "GoalEntry",
           "IncludedDocument", "build_case_file"]
