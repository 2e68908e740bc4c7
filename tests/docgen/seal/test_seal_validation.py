"""Validating: what the report says for unsealed, damaged and untrusted files."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from docgen.seal import SealingKey, SealKeyUnreadable, create_self_signed, seal, validate
from tests.docgen.seal.sealkit import cert_pem


def test_a_pdf_without_a_seal_is_a_report_not_an_exception(pdf: bytes) -> None:
    report = validate(pdf)
    assert not report.sealed and not report.ok
    assert report.problems == ("the PDF has no seal: it holds no signature",)


def test_a_file_that_is_not_a_pdf_is_a_report_too() -> None:
    report = validate(b"this is no PDF")
    assert not report.sealed
    assert report.problems[0].startswith("the file is not a readable PDF")


def test_without_trusted_certificates_a_seal_is_intact_but_not_trusted(
        pdf: bytes, seal_key: SealingKey) -> None:
    report = validate(seal(pdf, seal_key, reason="r"))
    assert report.intact and report.covers_whole_file and not report.trusted
    assert report.problems == (
        f"the sealing certificate ({seal_key.subject}) is not trusted: no trusted "
        f"certificates were given",
    )


def test_a_seal_by_another_key_is_not_trusted(pdf: bytes, seal_key: SealingKey,
                                              tmp_path) -> None:
    other = create_self_signed(tmp_path, "Someone Else", now=datetime.now(UTC))
    report = validate(seal(pdf, other, reason="r"), trusted=[seal_key.certificate])
    assert report.intact and not report.trusted
    assert "is not trusted" in report.problems[0]


def test_trusted_certificates_may_be_given_as_pem_or_der(pdf: bytes,
                                                         seal_key: SealingKey) -> None:
    sealed = seal(pdf, seal_key, reason="r")
    assert validate(sealed, trusted=[cert_pem(seal_key.certificate)]).trusted
    der = seal_key.certificate.public_bytes(serialization.Encoding.DER)
    assert validate(sealed, trusted=[der]).trusted


def test_a_trusted_entry_that_is_not_a_certificate_is_refused(pdf: bytes) -> None:
    with pytest.raises(SealKeyUnreadable, match="not a certificate"):
        validate(pdf, trusted=[b"not a certificate"])


def test_an_ec_key_is_what_the_self_signed_seal_uses(seal_key: SealingKey) -> None:
    assert isinstance(seal_key.private_key, ec.EllipticCurvePrivateKey)
    assert seal_key.private_key.curve.name == "secp256r1"


def test_importing_docgen_does_not_import_pyhanko() -> None:
    # lint and generate never seal; they should not pay for pyHanko's import.
    code = "import sys, docgen; print('pyhanko' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"

