"""Sealing a PDF (PAdES B-B) and checking the seal with pyHanko, pdfsig and pypdf."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from docgen.seal import (
    PADES_SUBFILTER,
    SealCertificateExpired,
    SealingFailed,
    SealingKey,
    seal,
    validate,
)
from tests.docgen.seal.sealkit import PAGE_TEXT, pdfsig, signature_dictionary

REASON = "Performance Improvement Plan, acknowledged"


def test_a_sealed_pdf_validates_with_pyhanko(pdf: bytes, seal_key: SealingKey) -> None:
    sealed = seal(pdf, seal_key, reason=REASON, location="Leeds")
    report = validate(sealed, trusted=[seal_key.certificate])
    assert report.sealed and report.intact and report.covers_whole_file
    assert report.trusted and report.ok and report.problems == ()
    assert report.signer == seal_key.subject == "O=Acme Test Ltd,CN=Acme Test Ltd document seal"
    assert not report.timestamped


def test_the_seal_is_an_incremental_update_over_the_whole_file(
        pdf: bytes, seal_key: SealingKey) -> None:
    sealed = seal(pdf, seal_key, reason=REASON)
    assert sealed.startswith(pdf) and len(sealed) > len(pdf)
    byte_range = list(signature_dictionary(sealed)["/ByteRange"])
    # Two ranges: from the first byte to the signature, and from after it to the last byte.
    assert byte_range[0] == 0
    assert byte_range[2] + byte_range[3] == len(sealed)


def test_the_signature_dictionary_is_pades(pdf: bytes, seal_key: SealingKey) -> None:
    sealed = seal(pdf, seal_key, reason=REASON, location="Leeds")
    signature = signature_dictionary(sealed)
    assert signature["/SubFilter"] == PADES_SUBFILTER == "/ETSI.CAdES.detached"
    assert signature["/Filter"] == "/Adobe.PPKLite"
    assert signature["/Reason"] == REASON
    assert signature["/Location"] == "Leeds"
    assert validate(sealed).subfilter == PADES_SUBFILTER


def test_pdfsig_finds_the_seal_valid_and_covering_the_document(
        pdf: bytes, seal_key: SealingKey, tmp_path) -> None:
    report = pdfsig(seal(pdf, seal_key, reason=REASON), tmp_path)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report, report
    assert "Signature Type: ETSI.CAdES.detached" in report, report
    assert "Signer Certificate Common Name: Acme Test Ltd document seal" in report, report


def tamper(sealed: bytes) -> bytes:
    """One byte changed inside the signed range: a letter of the page text."""
    at = sealed.index(PAGE_TEXT.encode())
    changed = bytearray(sealed)
    changed[at] = ord("Q")
    return bytes(changed)


def test_one_changed_byte_breaks_the_seal_for_pyhanko_and_pdfsig(
        pdf: bytes, seal_key: SealingKey, tmp_path) -> None:
    broken = tamper(seal(pdf, seal_key, reason=REASON))
    report = validate(broken, trusted=[seal_key.certificate])
    assert report.sealed and not report.intact and not report.ok
    assert "the document was changed after it was sealed" in report.problems[0]
    seen = pdfsig(broken, tmp_path)
    assert "Signature Validation: Signature is Valid." not in seen, seen
    assert "Digest Mismatch" in seen, seen


def test_bytes_appended_after_the_seal_show(pdf: bytes, seal_key: SealingKey) -> None:
    sealed = seal(pdf, seal_key, reason=REASON)
    report = validate(sealed + b"\n% appended later\n", trusted=[seal_key.certificate])
    assert report.intact and not report.covers_whole_file and not report.ok
    assert any("does not cover the whole file" in p for p in report.problems)


def test_the_signing_time_is_the_given_now(pdf: bytes, seal_key: SealingKey) -> None:
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    report = validate(seal(pdf, seal_key, reason=REASON, now=moment),
                      trusted=[seal_key.certificate])
    assert report.signed_at == moment


def test_a_certificate_that_expired_is_refused_before_sealing(
        pdf: bytes, seal_key: SealingKey) -> None:
    later = seal_key.certificate.not_valid_after_utc + timedelta(days=1)
    with pytest.raises(SealCertificateExpired, match="expired on"):
        seal(pdf, seal_key, reason=REASON, now=later)


def test_what_is_not_a_pdf_cannot_be_sealed(seal_key: SealingKey) -> None:
    with pytest.raises(SealingFailed, match="not a readable PDF"):
        seal(b"%PDF-1.7 but nothing else", seal_key, reason=REASON)
    with pytest.raises(SealingFailed, match="not a readable PDF"):
        seal(b"hello", seal_key, reason=REASON)


def test_sealing_a_sealed_pdf_adds_a_second_seal(pdf: bytes, seal_key: SealingKey) -> None:
    twice = seal(seal(pdf, seal_key, reason="first"), seal_key, reason="second")
    assert signature_dictionary(twice, "Seal2")["/Reason"] == "second"
    report = validate(twice, trusted=[seal_key.certificate])
    assert report.ok
