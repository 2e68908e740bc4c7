"""A case's extension on the database, with real LibreOffice: bad input refused by its
field with nothing recorded; an extension with an adjusted goal moves the case's end,
sends the amended plan to the employee as an envelope of the case, records
case.extended with its webhook and the calendar emails (new meetings as METHOD:REQUEST)
in one transaction; check-ins after the old end are taken and the sweep follows the new
schedule; the amendment's record archived is recorded on the case. A change of cadence
cancels the meetings it drops (METHOD:CANCEL, the invitation's UIDs)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from archive import FolderStore
from docgen import schedule_for
from docgen.seal import create_self_signed
from signing.domain import case_extension, case_service
from signing.domain import envelopes as svc
from signing.domain.cases import CaseClosed, CaseError
from signing.domain.events import EventType
from signing.domain.finalize import Finalizer
from signing.domain.links import LinkSigner
from signing.domain.mail import FileMailBackend, ics
from signing.domain.models import (
    AuditEventRow,
    CaseRow,
    Document,
    EnvelopeRow,
    ExtensionRow,
    OutboxRow,
)
from signing.domain.notify import Mailer
from tests.signing.cases import closekit
from tests.signing.cases.closekit import AT_END, HR, PLAN, Parts

pytestmark = pytest.mark.database

OLD = schedule_for(PLAN).checkins


@pytest.fixture
def parts(sessions, converter, tmp_path):
    key = create_self_signed(tmp_path / "seal", "Alpenglühn Mobile AG",
                             now=closekit.SENT - dt.timedelta(days=1))
    finalizer = Finalizer(sessions, FolderStore(tmp_path / "archive"),
                          sealing_key=lambda: key, company_name="Fallback Co")
    return Parts(sessions, converter, finalizer, closekit.letter_options(converter))


def state(sessions, envelope_id):
    """Everything an extension writes: nothing may change when one is refused."""
    with sessions() as session:
        case = session.get_one(CaseRow, envelope_id)
        return (session.scalar(select(func.count()).select_from(AuditEventRow)),
                session.scalar(select(func.count()).select_from(OutboxRow)),
                session.scalar(select(func.count()).select_from(EnvelopeRow)),
                session.scalar(select(func.count()).select_from(ExtensionRow)),
                case.state, case.end)


def mails(sessions, envelope_id, tmp_path):
    mailer = Mailer(FileMailBackend(tmp_path / "mail"), LinkSigner(["k" * 32]),
                    "https://plansign.example", "Fallback Co")
    with sessions() as session:
        rows = session.scalars(select(OutboxRow).where(
            OutboxRow.envelope_id == envelope_id,
            OutboxRow.name == case_extension.CALENDAR_EMAIL).order_by(OutboxRow.id)).all()
        return [mailer.compose(session, closekit_job(r)) for r in rows]


def closekit_job(row):
    from signing.domain import outbox

    return outbox.OutboxJob(row.id, row.dedupe_key, row.kind, row.name, row.envelope_id,
                            row.signer_id, row.payload, 0, row.created_at)


def calendar(message, name):
    [attachment] = [a for a in message.attachments if a.filename == name]
    return Calendar.from_ical(attachment.content)


def test_an_extension_with_an_adjusted_goal_moves_the_case_and_sends_its_amendment(
        parts, sessions, tmp_path):
    envelope_id = closekit.archived_plan(parts)
    closekit.record_checkins(sessions, envelope_id)
    at = AT_END - dt.timedelta(hours=2)

    # Bad input: each refused by its field, nothing recorded.
    before = state(sessions, envelope_id)
    for changes, field in (({"days": 0}, "days"), ({"days": -3}, "days"),
                           ({"days": 31}, "days"), ({"reason": "  "}, "reason"),
                           ({"goals": ({"goal": 4, "target": "1"},)}, "goals[0]"),
                           ({"cadence": "daily"}, "cadence")):
        with pytest.raises(CaseError) as raised:
            closekit.extend(parts, envelope_id, at, **changes)  # type: ignore[arg-type]
        assert raised.value.field == field, (changes, str(raised.value))
        assert state(sessions, envelope_id) == before

    extension = closekit.extend(parts, envelope_id, at)
    new_end = closekit.END + dt.timedelta(days=closekit.EXTENSION_DAYS)
    assert (extension.number, extension.days, extension.new_end) == (1, 7, new_end)
    with sessions() as session:
        case = session.get_one(CaseRow, envelope_id)
        assert (case.state, case.end) == ("extended", new_end)
        amendment = session.get_one(EnvelopeRow, extension.amendment_envelope_id)
        assert (amendment.document_kind, amendment.case_id, amendment.amendment_number,
                amendment.state) == ("amendment", envelope_id, 1, "sent")
        assert [s.role for s in amendment.signers] == ["employee"]
        assert amendment.plan_data["goals"][0]["target"] == closekit.AMENDED_TARGET
        assert amendment.plan_data["timeline"]["end"] == new_end.isoformat()
        # The signed plan is unchanged.
        plan = session.get_one(EnvelopeRow, envelope_id)
        assert plan.plan_data["goals"][0]["target"] == PLAN.goals[0].target
        pdf = session.get_one(Document, amendment.document_sha256).content
        event = next(r for r in svc.audit_trail(session, envelope_id)
                     if r.type == EventType.CASE_EXTENDED)
        webhook = session.scalars(select(OutboxRow).where(
            OutboxRow.envelope_id == envelope_id, OutboxRow.kind == "webhook",
            OutboxRow.name == EventType.CASE_EXTENDED)).one()
        view = case_service.read_case(session, envelope_id, now=at)
    assert event.data["reason"] and event.data["goals"] == [
        {"goal": 1, "target": closekit.AMENDED_TARGET}]
    assert set(webhook.payload) <= {"number", "days", "new_end", "amended_goals", "seq"}
    # The case follows the amended plan: its goal, its end, one meeting more.
    assert view.plan.goals[0].target == closekit.AMENDED_TARGET
    assert view.case.end == new_end and len(view.schedule) == len(OLD) + 1
    text = pdf_text(pdf, tmp_path)
    assert "Amendment 1" in text and "88% or more" in text

    # The calendar: the new meeting to the employee and the manager, as a request.
    [to_employee, to_manager] = mails(sessions, envelope_id, tmp_path)
    assert (to_employee.to, to_manager.to) == (PLAN.employee.email, PLAN.manager.email)
    added = view.schedule[-1]
    for message in (to_employee, to_manager):
        assert [a.filename for a in message.attachments] == [ics.REQUEST_FILENAME]
        request = calendar(message, ics.REQUEST_FILENAME)
        assert request["method"] == "REQUEST"
        [meeting] = request.walk("VEVENT")
        assert str(meeting["uid"]) == ics.meeting_uid(envelope_id, added)
        assert int(meeting["sequence"]) == 1
        assert meeting.decoded("dtstart") == added.starts
        assert "6 of 6" in str(meeting["summary"])
    assert "extended your performance improvement plan" in to_employee.text

    # The check-in after the old end is due, chased by the sweep, and taken.
    swept = case_service.sweep(sessions, now=added.ends.astimezone(dt.UTC)
                               + dt.timedelta(days=2, hours=1), settings=closekit.SETTINGS)
    assert (envelope_id, 6) in swept.reminded
    with sessions.begin() as session:
        record = case_service.record_checkin(
            session, envelope_id, closekit.checkin_form(5).__class__(
                meeting="6", held_at=added.starts.strftime("%Y-%m-%dT%H:%M"),
                attendees=[PLAN.manager.name, PLAN.employee.name],
                goals={"1": {"status": "met", "value": "89"}, "2": {"status": "on_track"},
                       "3": {"status": "at_risk"}}),
            actor=closekit.MANAGER, recorder=PLAN.manager.name,
            now=added.ends.astimezone(dt.UTC) + dt.timedelta(days=2, hours=2))
    assert record.meeting == 6

    # A second extension past the total is refused, nothing recorded.
    before = state(sessions, envelope_id)
    with pytest.raises(CaseError, match="7 already used") as raised:
        closekit.extend(parts, envelope_id, at + dt.timedelta(days=8), days=24)
    assert raised.value.field == "days" and state(sessions, envelope_id) == before

    # The employee acknowledges the amendment; its record archived is on the case.
    closekit.acknowledge(sessions, amendment.id, at + dt.timedelta(days=1))
    closekit.finalize(parts, at + dt.timedelta(days=1, hours=1))
    with sessions() as session:
        [listed] = case_extension.read_extensions(session, envelope_id)
        types = [r.type for r in svc.audit_trail(session, envelope_id)]
    assert listed.amendment_state == "archived" and listed.amendment_archived_at
    assert types.count(EventType.CASE_AMENDMENT_ARCHIVED) == 1
    # The amendment's own record names it, with the plan's date its pages give
    # (issue 18).
    with sessions() as session:
        final = session.get_one(Document, session.get_one(EnvelopeRow, amendment.id)
                                .final_sha256).content
    record = " ".join(pdf_text(final, tmp_path).split())
    header = re.search(r"Amendment 1 of the plan of (\d{1,2} \w+ \d{4})", text)
    assert header, "the amended plan's pages say whose amendment they are"
    assert (f"Amendment 1 to the Performance Improvement Plan of {header[1]} for "
            f"{PLAN.employee.name}") in record
    assert "the amendment was received and understood" in record
    assert "asked to sign the plan" not in record


def test_a_new_cadence_cancels_the_meetings_it_drops(parts, sessions, tmp_path):
    envelope_id = closekit.archived_plan(parts)
    at = OLD[1].ends.astimezone(dt.UTC) + dt.timedelta(hours=1)  # after meeting 2
    extension = closekit.extend(parts, envelope_id, at, goals=(), cadence="biweekly",
                                reason="Fewer, longer meetings from now on.")
    assert extension.cadence == "biweekly" and extension.goals == ()
    [to_employee, _] = mails(sessions, envelope_id, tmp_path)
    assert sorted(a.filename for a in to_employee.attachments) == [
        ics.REQUEST_FILENAME, ics.CANCEL_FILENAME]
    cancel = calendar(to_employee, ics.CANCEL_FILENAME)
    assert cancel["method"] == "CANCEL"
    # The meetings of 27 January and 10 February, by the UIDs the invitation gave them.
    assert sorted(str(e["uid"]) for e in cancel.walk("VEVENT")) == sorted(
        ics.meeting_uid(envelope_id, m) for m in (OLD[2], OLD[4]))
    assert all(int(e["sequence"]) == 1 and e["status"] == "CANCELLED"
               for e in cancel.walk("VEVENT"))
    request = calendar(to_employee, ics.REQUEST_FILENAME)
    assert [e.decoded("dtstart").date() for e in request.walk("VEVENT")] == [
        closekit.END + dt.timedelta(days=7)]
    with sessions() as session:
        view = case_service.read_case(session, envelope_id, now=at)
    assert [m.date for m in view.schedule] == [
        OLD[0].date, OLD[1].date, OLD[3].date, closekit.END + dt.timedelta(days=7)]
    # The amended plan lists those meetings: the two held at the old cadence as they
    # were, not the new cadence laid back over the plan's start.
    with sessions() as session:
        amendment = session.get_one(EnvelopeRow, extension.amendment_envelope_id)
        text = pdf_text(session.get_one(Document, amendment.document_sha256).content,
                        tmp_path)
    calendar_rows = text.split("Check-in calendar")[1]
    said = [f"{d:%A} {d.day} {d:%B %Y}" for d in (m.date for m in view.schedule)]
    assert all(day in calendar_rows for day in said), calendar_rows
    assert not any(f"{d:%A} {d.day} {d:%B %Y}" in calendar_rows
                   for d in (OLD[2].date, OLD[4].date)), calendar_rows


def test_a_closed_case_is_not_extended(parts, sessions):
    envelope_id = closekit.archived_plan(parts)
    with sessions.begin() as session:
        from signing.domain import case_close

        case_close.close_early(session, envelope_id, "withdrawn", "Role eliminated.",
                               actor=HR, closer=PLAN.hr.name,
                               now=closekit.SENT + dt.timedelta(days=3))
    before = state(sessions, envelope_id)
    with pytest.raises(CaseClosed):
        closekit.extend(parts, envelope_id, closekit.SENT + dt.timedelta(days=4))
    assert state(sessions, envelope_id) == before


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "amendment.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout


def test_two_hr_extending_at_once_make_one_extension(parts, sessions):
    """The second extension is made while the first one's amended plan is converted: the
    first, checked again under the lock, is told and records nothing."""
    envelope_id = closekit.archived_plan(parts)
    at = OLD[1].ends.astimezone(dt.UTC) + dt.timedelta(hours=1)

    class Meanwhile:
        def __init__(self) -> None:
            self.first = True

        def convert(self, docx: bytes) -> bytes:
            if self.first:
                self.first = False
                closekit.extend(parts, envelope_id, at, days=10, reason="The other HR.")
            return parts.converter.convert(docx)

    options = closekit.extension_options(Meanwhile())  # type: ignore[arg-type]
    with pytest.raises(case_extension.ExtensionChanged):
        case_extension.extend_case(
            sessions, envelope_id, case_extension.ExtensionForm(14, "Mine."), actor=HR,
            extender=PLAN.hr.name, options=options, now=at)
    with sessions() as session:
        [only] = case_extension.read_extensions(session, envelope_id)
        types = [r.type for r in svc.audit_trail(session, envelope_id)]
    assert (only.days, only.reason) == (10, "The other HR.")
    assert types.count(EventType.CASE_EXTENDED) == 1
