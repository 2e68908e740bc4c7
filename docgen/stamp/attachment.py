"""The audit trail inside the record: an attached file that the seal covers.

The certificate of completion states the audit trail's head hash and the original's
SHA-256 for a person to read. The attached ``audit-trail.json`` states the same for a
program, with every record of the trail as it was when the record was made, so the
sealed PDF alone proves its history, and a trail kept elsewhere (the archive, the
database) can be checked against it: someone who can rewrite those, but has not the
sealing key, cannot make the sealed PDF agree.

It is an embedded file (the catalog's ``/Names /EmbeddedFiles``) and an associated
file of the document (the catalog's ``/AF``, relationship ``/Data``), written in the
stamping's incremental update, before the seal. Records made before it was attached
state the head on their certificate page only; :func:`stated_trail` reads that back.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docgen.stamp.errors import UnreadablePdf
from docgen.stamp.model import Completion
from docgen.stamp.wording import ENVELOPE_LABEL, HEAD_LABEL, ORIGINAL_LABEL

if TYPE_CHECKING:
    from pypdf import PdfWriter

# pypdf is imported where it is used: it takes a tenth of a second, which whatever
# imports docgen.stamp (every plansign command) would otherwise pay.

ATTACHMENT_NAME = "audit-trail.json"
_FORMAT = "plansign audit trail 1"
# A SHA-256 as the certificate prints it, in a column that may wrap it onto a second line.
_HEX64 = "(?:[0-9a-f]\\n?){63}[0-9a-f]"


@dataclass(frozen=True)
class StatedTrail:
    """What a record states: whose trail, its head, and its records (None for a record
    made before the trail was attached, whose certificate page states only its head)."""

    envelope_id: str
    original_sha256: str
    audit_head_hash: str
    records: tuple[Mapping[str, Any], ...] | None


def trail_attachment(completion: Completion) -> bytes:
    """The attached file's content, from what the record says (one byte sequence per
    completion: keys sorted, no spaces)."""
    return json.dumps({
        "format": _FORMAT,
        "envelope_id": completion.envelope_id,
        "original_sha256": completion.original_sha256,
        "audit_head_hash": completion.audit_head_hash,
        "records": list(completion.audit_trail),
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def attach(writer: PdfWriter, name: str, content: bytes, description: str) -> None:
    """Embed ``content`` as the document's associated JSON file ``name``."""
    from pypdf.generic import ArrayObject, NameObject, NumberObject, TextStringObject

    embedded = writer.add_attachment(name, content)
    embedded.subtype = NameObject("/application/json")  # written /application#2Fjson
    embedded.description = TextStringObject(description)
    embedded.associated_file_relationship = NameObject("/Data")
    embedded.size = NumberObject(len(content))
    root = writer.root_object
    files = root.get("/AF")
    files = ArrayObject(files.get_object()) if files is not None else ArrayObject()
    files.append(embedded.pdf_object.indirect_reference)
    root[NameObject("/AF")] = files


def stated_trail(pdf: bytes) -> StatedTrail | None:
    """The audit trail the record states in its attached file, else (a record made
    before the trail was attached) the head its certificate page states; None if it
    states neither.

    Raises :class:`UnreadablePdf` for a PDF that cannot be read, an attached file that
    is not what :func:`trail_attachment` writes, or a certificate that states more than
    one head (text a signer typed can look like a certificate row; it is not guessed at).
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        contents = reader.attachments.get(ATTACHMENT_NAME)
    except (PyPdfError, ValueError, KeyError) as exc:
        raise UnreadablePdf(f"the file is not a readable PDF ({exc})") from exc
    if not contents:
        return _stated_on_certificate(reader)
    if len(contents) > 1:
        raise UnreadablePdf(f"the PDF holds {len(contents)} files named {ATTACHMENT_NAME}")
    try:
        data = json.loads(contents[0])
        if data.get("format") != _FORMAT:
            raise ValueError(f"its format is {data.get('format')!r}")
        return StatedTrail(envelope_id=str(data["envelope_id"]),
                           original_sha256=str(data["original_sha256"]),
                           audit_head_hash=str(data["audit_head_hash"]),
                           records=tuple(dict(r) for r in data["records"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadablePdf(f"the PDF's {ATTACHMENT_NAME} is not a plansign audit trail "
                            f"({exc})") from exc


def _stated_on_certificate(reader: Any) -> StatedTrail | None:
    from pypdf.errors import PyPdfError

    try:
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError) as exc:
        raise UnreadablePdf(f"the PDF's text cannot be read ({exc})") from exc
    rows = {label: {re.sub(r"\s", "", value) for value in
                    re.findall(rf"(?m)^{re.escape(label)} ({pattern})$", text)}
            for label, pattern in ((ENVELOPE_LABEL, r"\S+"), (ORIGINAL_LABEL, _HEX64),
                                   (HEAD_LABEL, _HEX64))}
    if not rows[HEAD_LABEL]:
        return None
    for label, found in rows.items():
        if len(found) != 1:
            raise UnreadablePdf(f"its certificate states {len(found)} different "
                                f"“{label}” values, not one: {', '.join(sorted(found))}")
    return StatedTrail(envelope_id=rows[ENVELOPE_LABEL].pop(),
                       original_sha256=rows[ORIGINAL_LABEL].pop(),
                       audit_head_hash=rows[HEAD_LABEL].pop(), records=None)
