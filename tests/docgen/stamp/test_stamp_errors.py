"""What stamping refuses, and how it says so: one StampError subclass per kind of fault."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest

from docgen import DocgenError, StampError
from docgen.stamp import (
    CompletionInvalid,
    FontMissing,
    OriginalMismatch,
    UnreadablePdf,
    stamp,
)
from docgen.stamp import fonts as stamp_fonts
from tests.docgen.stamp import stampkit as kit


def test_every_stamp_error_is_a_docgen_error():
    for error in (CompletionInvalid, FontMissing, OriginalMismatch, UnreadablePdf):
        assert issubclass(error, StampError) and issubclass(error, DocgenError)


def test_a_pdf_other_than_the_envelopes_original_is_refused(plan_pdf):
    completion = kit.acknowledged(plan_pdf)
    with pytest.raises(OriginalMismatch, match="SHA-256"):
        stamp(plan_pdf + b"\n", completion)


def test_bytes_that_are_not_a_pdf_are_refused():
    garbage = b"this is not a PDF at all"
    completion = kit.replace(kit.acknowledged(b""),
                             original_sha256=hashlib.sha256(garbage).hexdigest())
    with pytest.raises(UnreadablePdf, match="not a readable PDF"):
        stamp(garbage, completion)


@pytest.mark.parametrize(("change", "field"), [
    ({"completed_at": dt.datetime(2027, 1, 14, 10, 2)}, "completed_at"),
    ({"outcome": "cancelled"}, "outcome"),
    ({"original_sha256": "ABC"}, "original_sha256"),
    ({"envelope_id": " "}, "envelope_id"),
    ({"signers": ()}, "signers"),
])
def test_completion_data_the_record_cannot_show_is_refused(plan_pdf, change, field):
    completion = kit.replace(kit.acknowledged(plan_pdf), **change)
    with pytest.raises(CompletionInvalid, match=rf"^{field}: "):
        stamp(plan_pdf, completion)


def test_signer_faults_name_the_signer_and_field(plan_pdf):
    completion = kit.acknowledged(plan_pdf)
    employee = completion.signers[0]
    naive = dataclasses.replace(employee.events[0], at=dt.datetime(2027, 1, 11, 8))
    cases = {
        "signers[0].decision": dataclasses.replace(employee, decision="maybe"),
        "signers[0].decided_at": dataclasses.replace(employee, decided_at=None),
        "signers[0].events[0].at": dataclasses.replace(employee,
                                                       events=(naive, *employee.events[1:])),
    }
    for field, signer in cases.items():
        changed = kit.replace(completion, signers=(signer, *completion.signers[1:]))
        with pytest.raises(CompletionInvalid) as error:
            stamp(plan_pdf, changed)
        assert str(error.value).startswith(f"{field}: ")


def test_a_missing_font_names_the_package_to_install(plan_pdf, monkeypatch, tmp_path):
    gone = stamp_fonts.FontFile(tmp_path / "DancingScript-Regular.otf", "fonts-dancingscript")
    monkeypatch.setattr(stamp_fonts, "REQUIRED", (*stamp_fonts.REQUIRED, gone))
    with pytest.raises(FontMissing) as error:
        stamp(plan_pdf, kit.acknowledged(plan_pdf))
    assert "install fonts-dancingscript" in str(error.value)
    assert "scripts/install-system-packages.sh" in str(error.value)
