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
from docgen.stamp.wording import ENVELOPE_LABEL, HEAD_LABEL, ORIGINAL_LABEL, label_forms
from docgen.stamp.writing import is_rtl

if TYPE_CHECKING:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

# pypdf and pyHanko are imported where they are used: they take a tenth of a second or
# more, which whatever imports docgen.stamp (every plansign command) would otherwise pay.

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


def attach(writer: IncrementalPdfFileWriter, name: str, content: bytes,
           description: str) -> None:
    """Embed ``content`` as the document's associated JSON file ``name``: an embedded
    file stream, its file specification in the catalog's ``/Names /EmbeddedFiles`` tree
    (kept in key order) and in the catalog's ``/AF``."""
    from pyhanko.pdf_utils.generic import (
        ArrayObject,
        DictionaryObject,
        NumberObject,
        StreamObject,
        TextStringObject,
        pdf_name,
    )

    stream = StreamObject({
        pdf_name("/Type"): pdf_name("/EmbeddedFile"),
        pdf_name("/Subtype"): pdf_name("/application/json"),  # written /application#2Fjson
        pdf_name("/Params"): DictionaryObject({pdf_name("/Size"): NumberObject(len(content))}),
    }, stream_data=content)
    stream.compress()
    file = writer.add_object(stream)
    spec = writer.add_object(DictionaryObject({
        pdf_name("/Type"): pdf_name("/Filespec"),
        pdf_name("/F"): TextStringObject(name),
        pdf_name("/UF"): TextStringObject(name),
        pdf_name("/EF"): DictionaryObject({pdf_name("/F"): file, pdf_name("/UF"): file}),
        pdf_name("/Desc"): TextStringObject(description),
        pdf_name("/AFRelationship"): pdf_name("/Data"),
    }))
    root = writer.root
    if "/Names" not in root:
        root["/Names"] = DictionaryObject()
    names = root["/Names"]
    if "/EmbeddedFiles" not in names:
        names["/EmbeddedFiles"] = DictionaryObject()
    tree = names["/EmbeddedFiles"]
    _insert_name(writer, tree, name, spec)
    writer.update_container(names)
    files = root.get("/AF")
    files = ArrayObject(files.get_object().iterate()) if files is not None else ArrayObject()
    files.append(spec)
    root["/AF"] = files
    writer.update_root()


def _insert_name(writer: IncrementalPdfFileWriter, node: Any, name: str, value: Any) -> None:
    """Put ``name`` -> ``value`` in the name tree ``node``: in its own ``/Names`` if it
    is a leaf, else in the kid whose range it falls in (or the last), in key order."""
    from pyhanko.pdf_utils.generic import ArrayObject, TextStringObject

    while "/Kids" in node:
        kids = list(node["/Kids"].iterate())
        chosen = kids[-1].get_object()
        for kid in kids:
            limits = kid.get_object().get("/Limits")
            if limits is not None and _key(limits.get_object()[1]) >= name:
                chosen = kid.get_object()
                break
        limits = chosen.get("/Limits")
        if limits is not None:
            low, high = (_key(v) for v in limits.get_object())
            chosen["/Limits"] = ArrayObject([TextStringObject(min(low, name)),
                                             TextStringObject(max(high, name))])
            writer.update_container(chosen)
        node = chosen
    if "/Names" not in node:
        node["/Names"] = ArrayObject()
    pairs = node["/Names"]
    keys = [_key(k) for k in list(pairs)[0::2]]
    at = 2 * sum(1 for k in keys if k <= name)
    pairs.insert(at, value)
    pairs.insert(at, TextStringObject(name))
    writer.update_container(pairs)
    writer.update_container(node)


def _key(value: Any) -> str:
    """A name tree key (a PDF string) as text, to compare in key order."""
    value = value.get_object()
    return value if isinstance(value, str) else bytes(value).decode("latin-1")


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
                    re.findall(rf"(?m)^{_label_pattern(label)} ?({pattern})$", text)}
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


def _label_pattern(label: str) -> str:
    """A certificate row's label in any language the record is written in (a record made
    before the record had languages says it in English). pypdf reads a right-to-left
    label's words in the order they are drawn, last first, so that order is taken too."""
    forms = set()
    for form in label_forms(label):
        forms.add(form)
        if is_rtl(form):
            forms.add(" ".join(reversed(form.split())))
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"
