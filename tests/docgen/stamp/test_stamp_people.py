"""What the record says about people, read back from the final PDF as a reader would:
their own clock on their signature, who caused each event, a manager's confirmation,
a refusal that does not read as a plain "Completed", a name that differs, the seal.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pdfplumber
import pytest

from docgen.stamp import CompletionInvalid, SealFacts, SignerEvent, find_anchors, stamp
from docgen.stamp.wording import meeting
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
    ("decision", "withdrew", "signers[0].decision: must be one of"),
    ("meeting_at", dt.datetime(2027, 1, 12, 10, 0),
     "signers[0].meeting_at: must be a timezone-aware datetime"),
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


# -- a recorded refusal, a name that differs, a signer never asked, consents ------------

ZURICH = ZoneInfo("Europe/Zurich")
MEETING_PLACE = "Sitzungszimmer Matterhorn, Zürich"


def beside(stamped, plan_pdf, role: str = "employee") -> str:
    """The words right of a signer's line and just above and below it: their small print."""
    text = kit.SIGNATURE_ANCHORS[role]
    anchor = find_anchors(plan_pdf, [text])[text]
    return joined(words_near(stamped.pdf, anchor.page + 1, right_of=anchor.line.x1,
                             top=anchor.top - 40, bottom=anchor.line.bottom + 40))


def recorded_in_a_meeting(plan_pdf):
    completion = kit.refused(plan_pdf)
    employee = kit.replace(completion.signers[0], timezone="Europe/Zurich",
                           meeting_at=dt.datetime(2027, 1, 12, 10, 0, tzinfo=ZURICH),
                           meeting_place=MEETING_PLACE)
    return kit.replace(completion, signers=(employee, *completion.signers[1:]))


def test_a_recorded_refusal_says_on_the_line_who_recorded_it_before_whom_when_and_where(
        plan_pdf):
    stamped = stamp(plan_pdf, recorded_in_a_meeting(plan_pdf))
    assert stamped.notes == ()  # stamped beside the line, not moved elsewhere
    small = squash(beside(stamped, plan_pdf))
    assert squash("Refusal to sign recorded by Jürg Baumann (manager), witness Anna Keller, "
                  f"at a meeting on 12 Jan 2027, 10:00 CET, {MEETING_PLACE}") in small
    assert squash("recorded 12 Jan 2027, 10:14 CET") in small
    acknowledgement = " ".join(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT).split())
    assert ("The refusal was recorded by Jürg Baumann (manager) in a meeting with Léa "
            f"Brändli, on 12 January 2027, 10:00 CET, {MEETING_PLACE}, witnessed by Anna "
            "Keller; Léa Brändli did not refuse on their own signing page.") in acknowledgement
    assert "What was recorded as the employee's words" in acknowledgement
    certificate = squash(page_text(stamped.pdf, stamped.certificate_page))
    assert squash("Refusal to sign recorded, 2027-01-12 09:14:03 UTC") in certificate
    assert squash("By Jürg Baumann (manager), witness Anna Keller, at a meeting on 12 January "
                  f"2027, 10:00 CET, {MEETING_PLACE}.") in certificate
    assert squash(f"What was recorded as the employee's words: {kit.REASON}") in certificate


def test_a_refusal_on_the_employees_own_page_is_theirs_with_their_reason(plan_pdf):
    completion = kit.refused(plan_pdf)
    employee = kit.replace(completion.signers[0], witness=None, recorded_by=None)
    stamped = stamp(plan_pdf, kit.replace(completion,
                                          signers=(employee, *completion.signers[1:])))
    assert beside(stamped, plan_pdf).startswith("Refused to sign 12 Jan 2027, 09:14 UTC")
    acknowledgement = " ".join(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT).split())
    assert "Reason given" in acknowledgement and "recorded" not in acknowledgement
    certificate = squash(page_text(stamped.pdf, stamped.certificate_page))
    assert squash(f"Reason given: {kit.REASON}") in certificate


def test_a_name_that_differs_is_stamped_with_the_name_on_record_beside_it(plan_pdf):
    completion = kit.acknowledged(plan_pdf, comments=())
    employee = kit.replace(completion.signers[0], typed_name="Lea Braendli-Keller",
                           name_differs=True)
    stamped = stamp(plan_pdf, kit.replace(completion,
                                          signers=(employee, *completion.signers[1:])))
    assert stamped.notes == ()
    anchor = find_anchors(plan_pdf, [kit.ANCHOR])[kit.ANCHOR]
    signature = joined(words_near(stamped.pdf, kit.SIGNATURES, right_of=anchor.x1,
                                  left_of=anchor.line.x1, top=anchor.top - 30,
                                  bottom=anchor.line.bottom + 8))
    assert signature == "Lea Braendli-Keller"
    assert squash("Acknowledged 12 Jan 2027, 09:14 UTC Name on record: Léa Brändli; signer "
                  "states their legal name differs (not verified by plansign) Certificate p. "
                  f"{stamped.certificate_page}") == squash(beside(stamped, plan_pdf))


def test_a_signer_never_sent_the_plan_is_not_asked_and_agreed_to_nothing(plan_pdf):
    completion = kit.expired(plan_pdf)
    employee, manager, hr = completion.signers
    stamped = stamp(plan_pdf, kit.replace(completion, signers=(
        employee, kit.replace(manager, decision="confirmed", consent="Manager's consent."),
        kit.replace(hr, not_asked=True))))
    assert squash(beside(stamped, plan_pdf, "hr")) == squash(
        "Not asked the plan expired before their turn as of 25 Jan 2027, 00:00 UTC "
        f"Certificate p. {stamped.certificate_page}")
    assert beside(stamped, plan_pdf).startswith("No response as of")
    acknowledgement = " ".join(page_text(stamped.pdf, kit.ACKNOWLEDGEMENT).split())
    assert ("Not asked: the plan expired before their turn Sofía Castellanos was never sent "
            "the plan, so was not asked to sign it.") in acknowledgement
    assert "Sofía Castellanos had not responded" not in acknowledgement
    assert "Léa Brändli had not responded when the envelope expired" in acknowledgement
    certificate = " ".join(page_text(stamped.pdf, stamped.certificate_page).split())
    assert ("Jürg Baumann (Manager) agreed to the following before signing: Manager's "
            "consent.") in certificate
    assert ("Léa Brändli and Sofía Castellanos did not sign, and agreed to none of it."
            in certificate)
    assert "Each signer agreed" not in certificate
    assert kit.CONSENT not in certificate


def test_the_certificate_gives_each_signers_consent_grouped_when_the_words_are_the_same(
        plan_pdf):
    completion = kit.acknowledged(plan_pdf, comments=())
    employee, manager, hr = completion.signers
    stamped = stamp(plan_pdf, kit.replace(completion, signers=(
        kit.replace(employee, consent="The employee's consent."),
        kit.replace(manager, decision="confirmed", consent="The company's consent."),
        kit.replace(hr, decision="confirmed", consent="The company's consent."))))
    certificate = " ".join(page_text(stamped.pdf, stamped.certificate_page).split())
    assert ("Léa Brändli (Employee) agreed to the following before signing: The employee's "
            "consent. Jürg Baumann (Manager) and Sofía Castellanos (HR representative) agreed "
            "to the following before signing: The company's consent.") in certificate
    assert "did not sign" not in certificate


@pytest.mark.parametrize(("changes", "short", "expected"), [
    ({"meeting_at": dt.datetime(2027, 1, 12, 10, 0, tzinfo=ZURICH),
      "meeting_place": "Room 3", "timezone": "Europe/Zurich"}, True,
     "at a meeting on 12 Jan 2027, 10:00 CET, Room 3"),
    # Without the manager's zone: the time as they entered it, with its offset (named
    # as the pages and emails name one).
    ({"meeting_at": dt.datetime(2027, 1, 12, 10, 0,
                                tzinfo=dt.timezone(dt.timedelta(hours=1)))}, False,
     "at a meeting on 12 January 2027, 10:00 UTC+1"),
    ({"meeting_place": "  Room\n3 "}, True, "at a meeting at Room 3"),
    ({}, True, None),  # recorded before the meeting was asked for
])
def test_a_recorded_refusals_meeting_in_words(plan_pdf, changes, short, expected):
    employee = kit.replace(kit.refused(plan_pdf).signers[0], **changes)
    # The date's spaces are no-break ones (a document's date is held together).
    said = meeting(employee, short=short)
    assert (said.replace("\u00a0", " ") if said else said) == expected
