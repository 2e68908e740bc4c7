"""The case file: one PDF that holds a plan's whole case when it closes.

:func:`build_case_file` takes a :class:`CaseFile` (plain frozen data: the plan's sealed
record, every check-in with the employee's answer, the extensions and amended plans,
the outcome letter, the progress charts and the case's events) and gives the PDF: a
cover with the contents, the documents and drawn records in the order they happened,
the charts, and a certificate of the whole case; the included documents and
``case-file.json`` are attached (:mod:`.manifest`). Sealing and writing it are the
caller's (:mod:`signing.domain.cases.casefile`). Pure: data and bytes in, bytes out.

Importing it is light (the plan verifier reads manifests); fpdf2, HarfBuzz and pypdf are
imported when a case file is first built.
"""

from docgen.casefile.model import (
    OUTCOME_LABELS,
    Answer,
    BuiltCaseFile,
    CaseEvent,
    CaseFile,
    CaseFileInvalid,
    CheckinPage,
    Comment,
    ExtensionPage,
    GoalEntry,
    IncludedDocument,
)


def build_case_file(case: CaseFile, timings: dict[str, float] | None = None
                    ) -> BuiltCaseFile:
    """See :func:`docgen.casefile.build.build_case_file`."""
    from docgen.casefile.build import build_case_file as build

    return build(case, timings)


__all__ = ["OUTCOME_LABELS", "Answer", "BuiltCaseFile", "CaseEvent", "CaseFile",
           "CaseFileInvalid", "CheckinPage", "Comment", "ExtensionPage", "GoalEntry",
           "IncludedDocument", "build_case_file"]
