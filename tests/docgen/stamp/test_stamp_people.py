"""What the record says about people, read back from the final PDF as a reader would:
their own clock on their signature, who caused each event, a manager's confirmation,
a refusal that does not read as a plain "Completed", a name that differs, the seal.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pdfplumber
import pytest

from docgen.stamp import CompletionInvalid, SealFacts, SignerEvent, find_anchors, stamp
from tests.docgen.stamp import stampkit as kit
from tests.docgen.stamp.test_stamp_record import (
    joined,
    page_text,
    squash,
    visible,
    words_near,
)

# 21:02 on Saturday 5 December 2026 in Chicago is 03:02 UTC on Sunday 6 December.
CHICAGO_EVENING = dt.datetime(2026, 12, 6, 3, 2, 7, tzinfo=dt.UTC)
MANAGER_STATEMENT = ("I confirm that this plan was discussed with the employee and that I "
                     "will hold the check-ins and give the support it describes.")
SEAL = SealFacts("CN=Alpenglühn Mobile AG document seal,O=Alpenglühn Mobile AG,C=CH",
                 "3a" * 32, kit.at(14, 10, 2, 40))


def chicago(original: bytes, **changes):
    """The employee acknowledged at 21:02 in Chicago; the manager confirmed."""
    completion = kit.acknowledged(original, comments=())
    employee, manager, hr = completion.signers
    employee = kit.replace(employee, decided_at=CHICAGO_EVENING, timezone="America/Chicago",
                           events=(*employee.events[:3], SignerEvent(
                               "opened the full plan (PDF)", CHICAGO_EVENING
                               - dt.timedelta(minutes=4), "203.0.113.7", kit.CHROME,
                               "Léa Brändli (employee)"), SignerEvent(
                               "acknowledged", CHICAGO_EVENING, "203.0.113.7", kit.CHROME,
                               "Léa Brändli (employee)")))
    manager = kit.replace(manager, decision="confirmed", statement=MANAGER_STATEMENT,
                          timezone="Europe/Zurich")
    return kit.replace(completion, signers=(employee, manager, hr), seal=SEAL, **changes)


@pytest.fixture(scope="module")
def chicago_record(plan_pdf):
    completion = chicago(plan_pdf)
    return stamp(plan_pdf, completion), completion


def test_a_signature_at_2102_in_chicago_is_dated_that_evening_in_chicago(plan_pdf,
                                                                         chicago_record):
    stamped, _ = chicago_record
    anchor = find_anchors(plan_pdf, [kit.ANCHOR])[kit.ANCHOR]
    beside = joined(words_near(stamped.pdf, anchor.page + 1, right_of=anchor.line.x1,
                               top=anchor.top - 30, bottom=anchor.line.bottom + 30))
    assert "5 Dec 2026, 21:02 CST" in beside
    assert date_lines(stamped.pdf)[0] == "Date: 5 December 2026"
    plan_page = " ".join(page_text(stamped.pdf, kit.SIGNATURES).split())
    assert "6 December 2026" not in plan_page and "6 Dec 2026" not in plan_page
    acknowledgement = " ".join(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT).split())
    assert ("Acknowledged on 5 December 2026, 21:02 CST (America/Chicago; 6 December 2026, "
            "03:02 UTC)") in acknowledgement
    certificate = squash("".join(page_text(stamped.pdf, p) for p in
                                 range(stamped.certificate_page, stamped.certificate_page + 2)))
    assert squash("Acknowledged, 2026-12-06 03:02:07 UTC") in certificate
    assert squash("Local time: 2026-12-05 21:02:07 CST (America/Chicago)") in certificate


def test_a_managers_confirmation_is_stamped_as_confirmed_with_their_own_statement(
        plan_pdf, chicago_record):
    stamped, _ = chicago_record
    text = kit.SIGNATURE_ANCHORS["manager"]
    anchor = find_anchors(plan_pdf, [text])[text]
    beside = joined(words_near(stamped.pdf, anchor.page + 1, right_of=anchor.line.x1,
                               top=anchor.top - 30, bottom=anchor.line.bottom + 30))
    assert "Confirmed" in beside and "13 Jan 2027, 10:14 CET" in beside
    acknowledgement = " ".join(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT).split())
    assert "Confirmed on 13 January 2027, 10:14 CET (Europe/Zurich" in acknowledgement
    assert MANAGER_STATEMENT in acknowledgement
    assert date_lines(stamped.pdf)[1] == "Date: 13 January 2027"


def date_lines(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        lines = visible(doc.pages[kit.SIGNATURES - 1]).extract_text_lines()
    return [line["text"] for line in lines if line["text"].startswith("Date:")]


def test_the_certificate_names_who_caused_each_event_and_the_pdf_being_opened(chicago_record):
    stamped, _ = chicago_record
    with pdfplumber.open(io.BytesIO(stamped.pdf)) as pdf:
        lines = [line["text"] for page in pdf.pages[stamped.certificate_page - 1:]
                 for line in page.extract_text_lines()]
    assert any(line.startswith("Event Time (UTC) By IP address Browser") for line in lines)
    opened = next(i for i, line in enumerate(lines) if line.startswith("Opened the full"))
    assert "Léa Brändli (employee) 203.0.113.7" in lines[opened]
    assert "plan (PDF)" in lines[opened + 1]


def test_the_certificate_names_the_seal_and_how_to_check_it(chicago_record):
    stamped, _ = chicago_record
    text = " ".join(" ".join(page_text(stamped.pdf, p) for p in range(
        stamped.certificate_page, stamped.certificate_page + 2)).split())
    assert "Electronic seal" in text
    assert f"Sealed by {SEAL.subject}" in text
    assert "Sealed at 2027-01-14 10:02:40 UTC" in text
    assert SEAL.fingerprint_sha256 in text.replace(" ", "")
    assert "plansign verify <file>" in text and "pdfsig <file>" in text
    assert "signature panel" in text


def test_no_seal_section_when_there_is_no_seal(plan_pdf):
    stamped = stamp(plan_pdf, kit.acknowledged(plan_pdf, comments=()))
    text = " ".join(page_text(stamped.pdf, stamped.certificate_page).split())
    assert "Electronic seal" not in text and "Sealed by" not in text


def test_a_refusal_reads_as_refused_not_plain_completed(plan_pdf):
    stamped = stamp(plan_pdf, kit.refused(plan_pdf))
    acknowledgement = " ".join(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT).split())
    assert ("Refused to sign by the employee; the plan takes effect. Completed on 14 January "
            "2027, 10:02 UTC") in acknowledgement
    certificate = " ".join(page_text(stamped.pdf, stamped.certificate_page).split())
    assert ("Outcome Refused to sign by the employee; the plan takes effect. Completed, "
            "2027-01-14 10:02:31 UTC") in certificate


def test_a_name_that_differs_is_said_on_the_acknowledgement_page(plan_pdf):
    completion = kit.acknowledged(plan_pdf, comments=())
    employee = kit.replace(completion.signers[0], typed_name="Lea Braendli-Keller",
                           name_differs=True)
    stamped = stamp(plan_pdf, kit.replace(completion,
                                          signers=(employee, *completion.signers[1:])))
    acknowledgement = " ".join(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT).split())
    assert ("Lea Braendli-Keller The typed name differs from the name on record; the signer "
            "stated their legal name differs.") in acknowledgement


@pytest.mark.parametrize(("field", "value", "message"), [
    ("timezone", "Mars/Olympus", "signers[0].timezone: 'Mars/Olympus' is not an IANA"),
    ("decision", "declined", "signers[0].decision: must be one of"),
])
def test_a_signer_the_record_cannot_show_is_refused_naming_the_field(plan_pdf, field, value,
                                                                      message):
    completion = kit.acknowledged(plan_pdf, comments=())
    signer = kit.replace(completion.signers[0], **{field: value})
    with pytest.raises(CompletionInvalid, match=re.escape(message)):
        stamp(plan_pdf, kit.replace(completion, signers=(signer, *completion.signers[1:])))


def test_a_seal_with_a_malformed_fingerprint_is_refused(plan_pdf):
    completion = kit.replace(kit.acknowledged(plan_pdf, comments=()),
                             seal=kit.replace(SEAL, fingerprint_sha256="AB:CD"))
    with pytest.raises(CompletionInvalid, match=r"seal\.fingerprint_sha256"):
        stamp(plan_pdf, completion)
