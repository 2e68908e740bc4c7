"""The record carries its audit trail: an attached audit-trail.json, written before the
seal, so the seal covers it and the sealed PDF alone proves its history. Real
LibreOffice PDF, real seal, checked by pyHanko and poppler's pdfsig."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader, PdfWriter

from docgen.seal import create_self_signed, seal, validate
from docgen.stamp import (
    ATTACHMENT_NAME,
    CompletionInvalid,
    StatedTrail,
    UnreadablePdf,
    stamp,
    stated_trail,
)
from tests.docgen.seal.sealkit import pdfsig
from tests.docgen.stamp import stampkit as kit
from tests.docgen.stamp.stampkit import without_attachments

TRAIL = ({"seq": 1, "type": "envelope.sent", "ip": None, "hash": "a" * 64},
         {"seq": 2, "type": "signer.acknowledged", "ip": "203.0.113.7",
          "data": {"typed_name": "Léa Brändli"}, "hash": kit.AUDIT_HEAD})


@pytest.fixture(scope="module")
def seal_key(tmp_path_factory):
    return create_self_signed(tmp_path_factory.mktemp("seal"), "Alpenglühn Mobile AG",
                              now=dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def record(plan_pdf):
    completion = kit.replace(kit.acknowledged(plan_pdf), audit_trail=TRAIL)
    return completion, stamp(plan_pdf, completion).pdf


def test_the_trail_is_attached_as_an_associated_json_file(record):
    completion, pdf = record
    stated = stated_trail(pdf)
    assert stated is not None
    assert stated.records == TRAIL
    assert stated.audit_head_hash == kit.AUDIT_HEAD
    assert stated.envelope_id == completion.envelope_id
    assert stated.original_sha256 == completion.original_sha256
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    (spec,) = [f.get_object() for f in root["/AF"]]  # the document's associated file
    assert spec["/F"] == ATTACHMENT_NAME and spec["/AFRelationship"] == "/Data"
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


def test_the_seal_covers_the_attached_trail(record, seal_key, tmp_path):
    _, pdf = record
    sealed = seal(pdf, seal_key, reason="Sealed record")
    assert sealed.startswith(pdf)  # the trail is in the revision the seal signs
    assert stated_trail(sealed) == stated_trail(pdf)
    report = validate(sealed, trusted=[seal_key.certificate])
    assert report.ok, report.problems
    seen = pdfsig(sealed, tmp_path)
    assert "Signature Validation: Signature is Valid." in seen, seen
    assert "Total document signed" in seen, seen


def test_a_trail_attached_after_the_seal_breaks_it(record, seal_key):
    """A rewritten trail attached in a later update is read back, but the seal no longer
    covers the file: which is what verify reports."""
    _, pdf = record
    sealed = seal(pdf, seal_key, reason="Sealed record")
    writer = PdfWriter(io.BytesIO(sealed), incremental=True)
    forged = dict(json.loads(PdfReader(io.BytesIO(sealed)).attachments[ATTACHMENT_NAME][0]))
    forged["records"][1]["ip"] = "198.51.100.99"
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    stream = names[names.index(ATTACHMENT_NAME) + 1].get_object()["/EF"]["/F"].get_object()
    stream.set_data(json.dumps(forged).encode())
    out = io.BytesIO()
    writer.write(out)
    assert stated_trail(out.getvalue()).records[1]["ip"] == "198.51.100.99"
    report = validate(out.getvalue(), trusted=[seal_key.certificate])
    assert not report.ok
    assert any("does not cover the whole file" in p for p in report.problems), report.problems


def test_a_trail_whose_last_record_is_not_the_head_is_refused(plan_pdf):
    completion = kit.replace(kit.acknowledged(plan_pdf), audit_trail=TRAIL[:1])
    with pytest.raises(CompletionInvalid, match="audit_trail: its last record"):
        stamp(plan_pdf, completion)


def test_a_record_without_the_attachment_states_its_head_on_the_certificate(plan_pdf):
    """Records made before the trail was attached: the certificate's rows are read back,
    a hash wrapped over two lines included."""
    completion = kit.acknowledged(plan_pdf)
    stated = stated_trail(without_attachments(stamp(plan_pdf, completion).pdf))
    assert stated == StatedTrail(envelope_id=completion.envelope_id,
                                 original_sha256=completion.original_sha256,
                                 audit_head_hash=kit.AUDIT_HEAD, records=None)


def test_a_comment_that_looks_like_a_certificate_row_is_not_guessed_at(plan_pdf):
    fake = f"Audit trail head hash {'c' * 64}"
    completion = kit.acknowledged(plan_pdf, comments=(fake,))
    with pytest.raises(UnreadablePdf, match="states 2 different “Audit trail head hash”"):
        stated_trail(without_attachments(stamp(plan_pdf, completion).pdf))




@pytest.mark.parametrize("leaves", [False, True], ids=["flat names", "names under kids"])
def test_files_an_original_already_holds_stay_and_the_trail_joins_them_in_order(leaves):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    from docgen.stamp.attachment import attach

    made = PdfWriter()
    made.add_blank_page(200, 200)
    made.add_attachment("appendix.txt", b"appendix")
    made.add_attachment("zeta.txt", b"last")
    if leaves:  # the same names, as one leaf under /Kids
        tree = made.root_object["/Names"]["/EmbeddedFiles"]
        names = tree["/Names"]
        leaf = made._add_object(DictionaryObject({
            NameObject("/Limits"): ArrayObject([TextStringObject("appendix.txt"),
                                                TextStringObject("zeta.txt")]),
            NameObject("/Names"): names}))
        del tree["/Names"]
        tree[NameObject("/Kids")] = ArrayObject([leaf])
    original = io.BytesIO()
    made.write(original)
    writer = IncrementalPdfFileWriter(io.BytesIO(original.getvalue()))
    attach(writer, ATTACHMENT_NAME, b'{"format": "x"}', "the trail")
    out = io.BytesIO()
    writer.write(out)

    assert out.getvalue().startswith(original.getvalue())  # an incremental update
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert reader.attachments == {"appendix.txt": [b"appendix"], ATTACHMENT_NAME:
                                  [b'{"format": "x"}'], "zeta.txt": [b"last"]}
    tree = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]
    node = tree["/Kids"][0] if leaves else tree
    assert [str(k) for k in node["/Names"][0::2]] == ["appendix.txt", ATTACHMENT_NAME,
                                                      "zeta.txt"]
    (spec,) = [f.get_object() for f in reader.trailer["/Root"]["/AF"]]
    assert spec["/UF"] == ATTACHMENT_NAME and spec["/AFRelationship"] == "/Data"
