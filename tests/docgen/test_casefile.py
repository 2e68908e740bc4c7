"""The case file: one PDF with a cover, the documents and drawn records in order, the
charts and a certificate of the whole case; the documents attached unchanged with
case-file.json; sealed, it passes pdfsig. Built from small real PDFs (the LibreOffice
documents are in tests/docgen/test_letters.py and the case's end-to-end test)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen import load_plan
from docgen.casefile import CaseFileInvalid, build_case_file
from docgen.casefile.manifest import read_case_file
from docgen.casefile.model import canonical
from docgen.seal import create_self_signed, seal, validate
from signing.domain.cases.casefile import make_case_file, write_case_file
from tests.docgen.seal.sealkit import make_pdf, pdfsig
from tests.docgen.stamp.test_stamp_record import arabic_words, squash
from tests.pdftext import pdf_text
from testsupport.casekit import ARABIC_COMMENT, sample_case

ROOT = Path(__file__).resolve().parents[2]
PLAN = load_plan(ROOT / "examples" / "support-agent-30d.yaml")
NOW = dt.datetime(2027, 2, 24, 16, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return create_self_signed(tmp_path_factory.mktemp("key"), "Alpenglühn Mobile AG",
                              now=dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def case(key):
    plan_pdf = seal(make_pdf(3), key, reason="Sealed record")
    return sample_case(PLAN, plan_pdf, meetings=5, amendment_pdf=make_pdf(2),
                       letter_pdf=make_pdf(1) + b"\n% the letter\n")


@pytest.fixture(scope="module")
def built(case):
    return build_case_file(case)


def pages_text(pdf: bytes) -> list[str]:
    return pdf_text(pdf).split("\f")


def test_the_parts_come_in_order_with_the_pages_the_contents_give(built):
    reader = PdfReader(io.BytesIO(built.pdf))
    assert built.pages == len(reader.pages)
    # (a date's no-break spaces read as spaces: a document's date is held together)
    titles = [e.title.replace("\u00a0", " ") for e in built.contents]
    assert titles == ["The plan, signed and sealed", "Check-in 1", "Check-in 2",
                      "Check-in 3 (missed)", "Check-in 4", "Extension 1: 14 days, to 24 "
                      "February 2027", "Amendment 1 of the plan of 11 January 2027",
                      "Check-in 5", "Outcome letter", "Progress against each goal",
                      "Certificate of the case"]
    text = pages_text(built.pdf)
    first = {e.title.replace("\u00a0", " "): e.first for e in built.contents}
    assert built.contents[0].first == 2 and built.contents[-1].last == built.pages
    for entry, after in zip(built.contents, built.contents[1:], strict=False):
        assert after.first == entry.last + 1
    assert "Check-in 3 of 5: missed" in text[first["Check-in 3 (missed)"] - 1]
    assert "Extension 1" in text[first["Extension 1: 14 days, to 24 February 2027"] - 1]
    assert "Progress against each goal" in text[first["Progress against each goal"] - 1]
    assert "Certificate of the case" in text[built.pages - 1]
    # The cover lists them with those pages, and the outline leads to them.
    cover = text[0]
    assert "Goals not met" in cover and "4 held and 1 missed of 5 scheduled" in cover
    assert "pages 2–4" in cover and f"page {built.pages}" in cover
    assert len(reader.outline) == len(built.contents) + 1


def test_each_checkin_page_reads_as_its_record(built, case):
    text = pages_text(built.pdf)
    first = {e.title.replace("\u00a0", " "): e.first for e in built.contents}
    two = text[first["Check-in 2"] - 1]
    for words in ("Check-in 2 of 5", "Thursday 21 January 2027, 09:30 CET", "Jürg Baumann",
                  "Milestones due for this meeting", "Support given since the last check-in",
                  "Agreed next steps", "Acknowledged by Léa Brändli", "77.2%"):
        assert squash(words) in squash(two), words
    # People's text is drawn as text, never markup; Arabic is there word for word.
    assert squash("<b>Not markup</b> & never read as such.") in squash(two)
    assert arabic_words(ARABIC_COMMENT) <= arabic_words(two)
    four = text[first["Check-in 4"] - 1]
    assert "No answer within the days given" in four


def test_the_certificate_states_every_hash_and_event(built, case):
    text = squash(pdf_text(built.pdf).split("\f")[built.pages - 1])
    for doc in case.documents:
        assert doc.sha256 in text
    for checkin in case.checkins:
        assert checkin.sha256 in text
    assert squash("2027-02-24 16:00:00 UTC") in text and squash("case closed: not met") in text


def test_the_documents_and_the_manifest_are_attached_unchanged(built, case):
    stated = read_case_file(built.pdf)
    assert stated is not None
    assert {name: hashlib.sha256(data).hexdigest() for name, data in
            stated.attachments.items()} == {d.name: d.sha256 for d in case.documents}
    data = stated.data
    assert data["envelope_id"] == case.envelope_id and data["outcome"] == "not_met"
    assert [d["sha256"] for d in data["documents"]] == [d.sha256 for d in case.documents]
    for record, checkin in zip(data["checkins"], case.checkins, strict=True):
        assert record["sha256"] == hashlib.sha256(canonical(record["record"])).hexdigest()
        assert record["sha256"] == checkin.sha256
    assert json.loads(canonical(data))["events"][-1]["what"] == "case closed: not met"
    # The included plan's seal is not carried onto its copied pages: only the attached
    # file has it (a copied signature field would show as a broken signature).
    assert "/AcroForm" not in PdfReader(io.BytesIO(built.pdf)).trailer["/Root"]


def test_sealed_it_passes_pdfsig_and_is_written_whole(case, key, tmp_path):
    sealed = make_case_file(case, key, now=dt.datetime.now(dt.UTC), location="Zürich")
    assert sealed.level == "B-B" and set(sealed.timings) == {"pages", "merge", "seal"}
    report = validate(sealed.pdf, trusted=[key.certificate])
    assert report.ok, report.problems
    out = pdfsig(sealed.pdf, tmp_path)
    assert out.count("Signature #") == 1 and "Signature is Valid" in out
    path = tmp_path / "cases" / "case-file.pdf"
    write_case_file(path, sealed.pdf)
    assert path.read_bytes() == sealed.pdf
    assert [p.name for p in path.parent.iterdir()] == ["case-file.pdf"]  # no temporary left


def test_bad_case_data_is_refused_naming_the_field(case):
    checkin = dataclasses.replace(case.checkins[0], missed_reason="ill")
    with pytest.raises(CaseFileInvalid, match=r"checkins\[0\]"):
        build_case_file(dataclasses.replace(case, checkins=(checkin, *case.checkins[1:])))
    with pytest.raises(CaseFileInvalid, match="outcome"):
        build_case_file(dataclasses.replace(case, outcome="fired"))
    plan = dataclasses.replace(case.plan, pdf=b"not a pdf")
    with pytest.raises(CaseFileInvalid, match=re.escape("documents[0].pdf")):
        build_case_file(dataclasses.replace(case, plan=plan))


def test_the_drawn_pages_are_tagged_in_reading_order_without_claiming_the_whole(built):
    """The pages plansign draws carry a structure tree (cover first, each part, the
    certificate), as the record's added pages do; the included documents' trees are not
    merged, so the file does not claim to be a tagged PDF."""
    reader = PdfReader(io.BytesIO(built.pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is False
    tree = root["/StructTreeRoot"]
    kids = tree["/K"]
    document = (kids[0] if isinstance(kids, list) else kids).get_object()
    assert document["/S"] == "/Document"
    (drawing,) = [k.get_object() for k in document["/K"]]  # what plansign drew, in parts
    sections = [k.get_object() for k in drawing["/K"]]
    titles = [s["/T"] for s in sections]
    drawn = [e.title for e in built.contents if e.kind != "document"]
    assert titles == ["Case file: summary and contents", *drawn]
    # Every part, charts included, is in the plan's language (English here).
    assert {s.get("/Lang") for s in sections} == {"en-GB"}
    # Every tagged page is one plansign drew; the included documents' pages hold no key
    # into a tree the case file does not carry.
    included = {n for e in built.contents if e.kind == "document"
                for n in range(e.first - 1, e.last)}
    keyed = {i for i, page in enumerate(reader.pages) if "/StructParents" in page}
    assert keyed and not keyed & included
    assert keyed | included == set(range(len(reader.pages)))
