"""``case-file.json``: what the case file's certificate states, for a program.

Attached to the case file (which the seal then covers) beside the documents it includes:
each document's name, kind, pages and SHA-256, each check-in record's data and the
SHA-256 of that data, and every event. :func:`read_case_file` reads it back with the
attached documents, so ``plansign verify`` can check each hash against what is there.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from docgen.casefile.model import CaseFile, CheckinPage, Entry, IncludedDocument, canonical
from docgen.stamp.errors import UnreadablePdf

MANIFEST_NAME = "case-file.json"
FORMAT = "plansign case file 1"


def manifest(case: CaseFile, documents: Sequence[tuple[Entry, IncludedDocument]],
             checkins: Sequence[tuple[Entry, CheckinPage]]) -> bytes:
    """The manifest's bytes: each included document and check-in record with the pages
    it has in the case file."""
    return canonical({
        "format": FORMAT,
        "envelope_id": case.envelope_id,
        "plan_id": case.plan_id,
        "employee": case.employee,
        "outcome": case.outcome,
        "closed_at": case.closed_at.isoformat(),
        "made_at": case.made_at.isoformat(),
        "documents": [{"name": d.name, "kind": d.kind, "title": d.title, "sha256": d.sha256,
                       "pages": [e.first, e.last]} for e, d in documents],
        "checkins": [{"meeting": c.meeting, "sha256": c.sha256, "record": c.record(),
                      "pages": [e.first, e.last]} for e, c in checkins],
        "events": [{"at": e.at.isoformat(), "what": e.what, "actor": e.actor}
                   for e in sorted(case.events, key=lambda e: e.at)],
    })


@dataclass(frozen=True)
class StatedCaseFile:
    """A case file's manifest, read back, with the files attached beside it."""

    data: Mapping[str, Any]
    attachments: Mapping[str, bytes]


def read_case_file(pdf: bytes) -> StatedCaseFile | None:
    """The manifest and attached files of a case file; None if ``pdf`` is not one.

    Raises :class:`UnreadablePdf` for a PDF that cannot be read, or a manifest that is
    not what :func:`manifest` writes."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        attached = reader.attachments
        if MANIFEST_NAME not in attached:
            return None
        files = {name: contents for name, contents in attached.items()}
    except (PyPdfError, ValueError, KeyError) as exc:
        raise UnreadablePdf(f"the file is not a readable PDF ({exc})") from exc
    for name, contents in files.items():
        if len(contents) != 1:
            raise UnreadablePdf(f"the case file holds {len(contents)} files named {name}")
    try:
        data = json.loads(files[MANIFEST_NAME][0])
        if data.get("format") != FORMAT:
            raise ValueError(f"its format is {data.get('format')!r}")
        missing = [k for k in ("envelope_id", "documents", "checkins", "events")
                   if k not in data]
        if missing:
            raise KeyError(", ".join(missing))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadablePdf(f"the PDF's {MANIFEST_NAME} is not a plansign case file "
                            f"manifest ({exc})") from exc
    return StatedCaseFile(data, {name: c[0] for name, c in files.items()
                                 if name != MANIFEST_NAME})
