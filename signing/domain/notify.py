"""Email from the outbox: compose each message just before sending it, from the rows.

The outbox row holds no link and no text: the link is signed at send time from the
signer's current nonce, so a link revoked by a resend is never mailed again.
"""

from __future__ import annotations

import datetime as dt
import email.errors
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docgen import Plan, PlanError, plan_from_data, schedule_for
from docgen.languages import SUPPORTED, stored_language
from signing.domain import envelopes, own_records
from signing.domain import workflow as wf
from signing.domain.audit import AuditRecord
from signing.domain.documents import OUTCOME_LETTER, case_file_name, document_name
from signing.domain.events import EventType
from signing.domain.links import LinkSigner, Purpose, link_url
from signing.domain.mail import (
    Attachment,
    MailBackend,
    Message,
    PermanentMailError,
    TransientMailError,
    compose,
)
from signing.domain.mail.compose import Contact as MailContact
from signing.domain.models import (
    CaseRow,
    CheckinRow,
    Document,
    EnvelopeRow,
    PersonRow,
    SignerRow,
)
from signing.domain.outbox import OutboxJob, PermanentFailure, TransientFailure
from signing.domain.recordlinks import RecordLinks
from signing.domain.workflow import Role
from signing.domain.workflow import valid_timezone as workflow_zone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reader:
    """Who reads a message to a person of the console: their language, and their own
    time zone if they chose one."""

    language: str
    zone: dt.tzinfo | None

# How the "your copy" email gives the sealed PDF (employee_copy_delivery).
COPY_DELIVERIES = ("attachment", "link")

# Messages to signers; when one cannot be delivered, HR are told.
SIGNER_MESSAGES = frozenset({"invitation", "reminder", "voided", "your_copy",
                             "refusal_recorded", "case_file_copy"})

# Updates to those who follow a plan without signing it (signing.domain.workflow._updates).
UPDATE_MESSAGES = frozenset({"manager_update", "hr_update"})

# Messages of a plan's case (signing.domain.case_service).
CASE_MESSAGES = frozenset({"checkin_record", "checkin_overdue_manager", "checkin_overdue_hr",
                           "extension_calendar"})

# HR notices about an event of a signer: the notice's kind, the events it may be about,
# and which field of the event's data it quotes.
_HR_NOTICES: dict[str, tuple[str, frozenset[str], str]] = {
    "hr_notice_comment": ("comment", frozenset({EventType.SIGNER_COMMENTED}), "comment"),
    "hr_notice_refusal": ("refusal", frozenset({EventType.SIGNER_REFUSED}), "reason"),
    "hr_notice_decline": ("decline", frozenset({EventType.SIGNER_DECLINED}), "reason"),
    "hr_notice_name_differs": ("name_differs", frozenset({EventType.SIGNER_ACKNOWLEDGED,
                                                          EventType.SIGNER_CONFIRMED}),
                               "typed_name"),
}


@dataclass(frozen=True)
class Mailer:
    """Everything an email needs that the database does not hold."""

    backend: MailBackend
    links: LinkSigner
    base_url: str
    company_name: str
    # The "your copy" email attaches the final PDF ("attachment") up to
    # ``copy_attachment_bytes`` (larger: the link alone, and the email says why), or
    # gives the link alone ("link"). Its link is a copy link (signing.domain.recordlinks),
    # which outlives the signing link; without ``record_links`` it is the signing link.
    copy_delivery: str = "attachment"
    copy_attachment_bytes: int = 10 * 1024 * 1024
    record_links: RecordLinks | None = None
    # The company's look in every message (its colour, logo and reply-to address), and
    # the HR contact signers are given (hr_contact_*; None: each plan's HR signer).
    look: compose.Look = compose.NEUTRAL_LOOK
    hr_contact: MailContact | None = None
    team_contacts: Mapping[str, MailContact] = field(default_factory=dict)  # by HR team
    # Whether those who follow a plan without signing it are told of it
    # (notify_managers, notify_hr): read when the update is sent.
    notify_managers: bool = True
    notify_hr: bool = True
    # The language of a message to a person of the console (HR's notices) who has not
    # chosen one (the default_language setting).
    default_language: str = "en"

    def __post_init__(self) -> None:
        if self.copy_delivery not in COPY_DELIVERIES:
            raise ValueError(f"employee_copy_delivery is {self.copy_delivery!r}; choose "
                             f"{' or '.join(COPY_DELIVERIES)}")

    def __call__(self, session: Session, job: OutboxJob, now: dt.datetime) -> str | None:
        """The outbox handler for ``email`` rows: returns the provider's message id.

        A message the mail library refuses to build (an address or a name it cannot put
        in a header) fails for good at once, like one the provider refuses: the same
        data would be refused on every attempt.
        """
        if not self._wanted(session, job):
            log.info("outbox row %s: %s is switched off; nothing sent", job.id, job.name)
            return None
        try:
            message = self.compose(session, job)
        except PermanentMailError as exc:  # a message that cannot be (an address, a name)
            raise PermanentFailure(str(exc)) from exc
        except PlanError as exc:
            raise PermanentFailure(f"the plan stored with the envelope cannot be read: "
                                   f"{exc}") from exc
        try:
            return self.backend.send(message).provider_message_id
        except TransientMailError as exc:
            raise TransientFailure(str(exc), exc.retry_after) from exc
        except PermanentMailError as exc:
            raise PermanentFailure(str(exc)) from exc
        except (ValueError, email.errors.MessageError) as exc:
            # The mail library refused to build what we gave it: the same data is refused
            # on every attempt. Its text may quote the header it choked on (an address),
            # so the record names the error's type, and only the log its text.
            log.warning("the mail library refused outbox row %s: %s: %s", job.id,
                        type(exc).__name__, exc)
            raise PermanentFailure(f"the mail library refused the message "
                                   f"({type(exc).__name__})") from exc

    def gave_up(self, session: Session, job: OutboxJob, reason: str, now: dt.datetime) -> None:
        """A message to a signer will not be delivered: record it, and tell HR (in the
        transaction that marks the row failed). A failed notice to HR tells no one."""
        if job.signer_id is None or job.name not in SIGNER_MESSAGES:
            return
        envelopes.perform(session, job.envelope_id, wf.Action.DELIVERY_FAILED,
                          signer_id=job.signer_id, message=job.name, error=reason,
                          actor=envelopes.Actor("worker"), now=now)

    def _wanted(self, session: Session, job: OutboxJob) -> bool:
        """Whether an update to someone who follows the plan is to be sent: its setting
        on, and about a plan (an outcome letter's progress has its own messages)."""
        if job.name not in UPDATE_MESSAGES:
            return True
        if not (self.notify_managers if job.name == "manager_update" else self.notify_hr):
            return False
        kind = session.scalar(select(EnvelopeRow.document_kind).where(
            EnvelopeRow.id == job.envelope_id))
        return kind in (None, "plan")

    def compose(self, session: Session, job: OutboxJob) -> Message:
        if job.name in CASE_MESSAGES:
            return self._case_message(session, job)
        if job.name in UPDATE_MESSAGES:
            return self._update(session, job)
        row = envelopes.load(session, job.envelope_id)
        signer = next(s for s in row.signers if s.id == job.signer_id)
        plan = plan_from_data(row.plan_data, stored=True)
        common: dict[str, Any] = {
            "to": signer.email, "name": signer.name, "company": self._company(plan),
            "envelope_id": row.id, "signer_id": signer.id, "idempotency_key": job.dedupe_key,
            # A signer's messages are in their plan's language; HR's notices in English.
            "language": stored_language(row.plan_data), "look": self.look,
        }
        contact = self._contact(plan, signer.role, row.team)
        person: dict[str, Any] = {"role": signer.role, "employee_name": plan.employee.name}
        # The plan, its outcome letter or an amendment: each message names it so.
        document = document_name(row.document_kind, row.amendment_number)
        if job.name == "invitation" and row.document_kind == OUTCOME_LETTER:
            return compose.outcome_letter_invitation(
                **common, link=self._link(signer), deadline=self._deadline(row, plan),
                contact=contact)
        if job.name == "invitation":
            # An amended plan's meetings come by the extension's own calendar email
            # (new ones invited, dropped ones cancelled), not as the whole schedule again.
            meetings = ({} if row.document_kind == "amendment"
                        else self._checkins(plan, signer))
            return compose.invitation(
                **common, **person, link=self._link(signer), deadline=self._deadline(row, plan),
                contact=contact, now=job.created_at, document=document, **meetings)
        if job.name == "reminder":
            return compose.reminder(**common, **person, link=self._link(signer),
                                    deadline=self._deadline(row, plan), contact=contact,
                                    document=document)
        if job.name == "your_copy":
            copy = self._copy(session, own_records.PlanRecords.name, row, signer,
                              row.final_sha256, document.file_name(
                                  signed=True, gettext=compose.catalog(common["language"]).gettext))
            return compose.your_copy(**common, **person, contact=contact, document=document,
                                     **copy)
        if job.name == own_records.REQUEST_EMAIL:
            return self._records_access(session, job, common, contact)
        if job.name == "case_file_copy":
            # The sealed case file (signing.domain.case_file_task), kept with the
            # documents as the final PDFs are.
            # Given as the plan's copy is (employee_copy_delivery, the attachment limit),
            # its link a copy link of the case file's own kind of record.
            sha256 = str(job.payload.get("sha256", ""))
            if session.get(Document, sha256) is None:
                raise PermanentFailure("the case file is not in the database")
            outcome = session.scalar(select(CaseRow.outcome).where(
                CaseRow.envelope_id == row.id)) or ""
            copy = self._copy(session, own_records.CaseFileRecords.name, row, signer, sha256,
                              case_file_name(compose.catalog(common["language"]).gettext))
            return compose.case_file_copy(**common, contact=contact, outcome=outcome, **copy)
        if job.name == "voided":
            # Cancels the meetings the invitation's calendar gave this signer, if any.
            return compose.voided(**common, **person, contact=contact, now=job.created_at,
                                  meetings=self._checkins(plan, signer).get("meetings", ()))
        if job.name in _HR_NOTICES:
            return self._hr_notice(session, row, signer, plan, job)
        if job.name == "refusal_recorded":
            event = self._event_of(session, row, signer, job,
                                   frozenset({EventType.SIGNER_REFUSED}))
            can_comment = bool(job.payload.get("can_comment"))
            zone = self._zone(plan)  # the employee's
            return compose.refusal_recorded(
                **common, contact=contact, at=event.at.astimezone(zone),
                recorded_by=self._name_of(row, event.data.get("recorded_by")),
                witness=event.data.get("witness") or "", reason=event.data.get("reason"),
                meeting_at=_in_zone(_moment(event.data.get("meeting_at")), zone),
                meeting_place=event.data.get("meeting_place"),
                can_comment=can_comment, link=self._link(signer) if can_comment else None,
                comments_until=_in_zone(_moment(job.payload.get("comments_until"))
                                        or row.comments_until, zone))
        if job.name == "hr_notice_undeliverable":
            reader = self.reader(session, plan.hr.email)
            return compose.hr_notice(
                kind="undeliverable", to=plan.hr.email, name=plan.hr.name, look=self.look,
                link=self._record_url(row), company=self._company(plan),
                signer_name=signer.name, employee_name=plan.employee.name,
                envelope_id=row.id, signer_id=signer.id, idempotency_key=job.dedupe_key,
                signer_role=signer.role, text=job.payload.get("error"),
                at=_in_zone(job.created_at, reader.zone),
                undelivered=job.payload.get("message"), address=signer.email,
                language=reader.language)
        raise PermanentFailure(f"no email is defined for outbox entries named {job.name}")

    def _contact(self, plan: Plan, reader: str, team: str | None) -> MailContact | None:
        """Whom a signer can ask: the sending HR team's contact, else the organisation's,
        else the plan's HR signer; HR themselves are given no one (an HR signer asked
        to "ask HR")."""
        if reader == Role.HR:
            return None
        return (self.team_contacts.get(team or "") or self.hr_contact
                or compose.Contact(plan.hr.name, plan.hr.email))

    def _case_message(self, session: Session, job: OutboxJob) -> Message:
        """A message of a plan's case (signing.domain.case_service): a check-in record
        to the employee, an unrecorded meeting to the manager, then to HR."""
        row = envelopes.load(session, job.envelope_id)
        plan = plan_from_data(row.plan_data, stored=True)
        zone, company = self._zone(plan), self._company(plan)
        if job.name == "checkin_record":
            signer = next(s for s in row.signers if s.id == job.signer_id)
            checkin = session.get(CheckinRow, job.payload.get("checkin_id", ""))
            if checkin is None:
                raise PermanentFailure("the check-in record is not in the database")
            if not signer.nonce:
                raise PermanentFailure("the employee has not been sent a link")
            token = self.links.sign(checkin.id, signer.nonce, Purpose.CHECKIN)
            answer_by = _moment(job.payload.get("answer_by")) or checkin.recorded_at
            return compose.checkin_record(
                to=signer.email, name=signer.name, company=company, look=self.look,
                contact=self._contact(plan, Role.EMPLOYEE, row.team),
                link=link_url(self.base_url, token, page="checkin"), envelope_id=row.id,
                signer_id=signer.id, idempotency_key=job.dedupe_key, meeting=checkin.meeting,
                held_on=_in_zone(checkin.held_at, zone), recorded_by=checkin.recorded_by,
                answer_by=answer_by.astimezone(zone),
                # The employee reads it in the plan's language, as the plan's emails.
                language=stored_language(row.plan_data))
        if job.name == "extension_calendar":
            return self._extension_calendar(session, row, plan, job)
        meeting = int(job.payload.get("meeting", 0))
        # The case's schedule, which extensions continue (or change the cadence of).
        from signing.domain import case_service

        schedule = case_service.read_case(session, row.id, now=job.created_at).schedule
        scheduled = next((m.starts for m in schedule if m.number == meeting), None)
        if scheduled is None:
            scheduled = job.created_at.astimezone(zone)
        hr = job.name == "checkin_overdue_hr"
        to = plan.hr if hr else plan.manager
        return compose.checkin_overdue(
            to=to.email, name=to.name, company=company, look=self.look, envelope_id=row.id,
            idempotency_key=job.dedupe_key, link=console_case_url(self.base_url, row.id),
            employee_name=plan.employee.name, meeting=meeting, scheduled=scheduled, hr=hr,
            manager_name=plan.manager.name, language=_person_language(session, to.email))

    def _extension_calendar(self, session: Session, row: EnvelopeRow, plan: Plan,
                            job: OutboxJob) -> Message:
        """The meetings an extension added and cancelled, to the employee or the manager
        (who attend the check-ins), in the plan's language."""
        from signing.domain import case_extension

        change = case_extension.calendar_change(session, row.id,
                                                int(job.payload.get("extension", 0)))
        manager = job.payload.get("to") == Role.MANAGER
        person = plan.manager if manager else plan.employee
        checkins = plan.checkins
        return compose.extension_calendar(
            to=person.email, name=person.name, company=self._company(plan), look=self.look,
            contact=self._contact(plan, Role.MANAGER if manager else Role.EMPLOYEE, row.team),
            envelope_id=row.id,
            signer_id=job.signer_id or "", idempotency_key=job.dedupe_key,
            role=Role.MANAGER if manager else Role.EMPLOYEE,
            employee_name=plan.employee.name, number=change.number,
            new_end=change.new_end,
            added=change.added, cancelled=change.cancelled, total=change.total,
            organizer=plan.hr.email, attendees=(plan.employee.email, plan.manager.email),
            now=job.created_at, location=checkins.location if checkins else None,
            video_link=checkins.video_link if checkins else None,
            meeting_with=_meeting_with(plan, Role.MANAGER if manager else Role.EMPLOYEE),
            language=stored_language(row.plan_data))

    def _update(self, session: Session, job: OutboxJob) -> Message:
        """A plan sent, acknowledged or completed, told to its manager (in the plan's
        language, as their invitation would be) or HR (as HR's notices: in the language
        and zone of the console's person at that address, else ``default_language`` and
        the plan's zone)."""
        row = envelopes.load(session, job.envelope_id)
        plan = plan_from_data(row.plan_data, stored=True)
        manager = job.name == "manager_update"
        reader = plan.manager if manager else plan.hr
        hr = None if manager else self.reader(session, plan.hr.email)
        zone = (hr.zone if hr is not None else None) or self._zone(plan)
        return compose.plan_update(
            to=reader.email, name=reader.name, company=self._company(plan), look=self.look,
            envelope_id=row.id, idempotency_key=job.dedupe_key,
            about=str(job.payload.get("about", "")),
            reader=Role.MANAGER if manager else Role.HR,
            employee_name=plan.employee.name,
            at=_in_zone(job.created_at, zone) or job.created_at,
            link=self._record_url(row),
            contact=self._contact(plan, Role.MANAGER, row.team) if manager else None,
            language=hr.language if hr is not None else stored_language(row.plan_data))

    def _hr_notice(self, session: Session, row: EnvelopeRow, signer: SignerRow, plan: Plan,
                   job: OutboxJob) -> Message:
        kind, event_types, quoted = _HR_NOTICES[job.name]
        event = self._event_of(session, row, signer, job, event_types)
        reader = self.reader(session, plan.hr.email)
        zone = reader.zone or self._zone(plan)  # theirs, else the plan's check-in zone
        return compose.hr_notice(
            kind=kind, to=plan.hr.email, name=plan.hr.name, look=self.look,
            link=self._record_url(row),
            company=self._company(plan), signer_name=signer.name,
            employee_name=plan.employee.name, envelope_id=row.id, signer_id=signer.id,
            idempotency_key=job.dedupe_key, signer_role=signer.role,
            text=event.data.get(quoted), at=_in_zone(event.at, reader.zone),
            witness=event.data.get("witness"),
            recorded_by=self._name_of(row, event.data.get("recorded_by")),
            name_on_record=event.data.get("name_on_record"),
            meeting_at=_in_zone(_moment(event.data.get("meeting_at")), zone),
            meeting_place=event.data.get("meeting_place"),
            comments_until=(_in_zone(row.comments_until, zone)
                            if event.data.get("recorded_by") and row.state == wf.EnvelopeState.SENT
                            else None), language=reader.language)

    def reader(self, session: Session, address: str) -> Reader:
        """The language and zone of a message to ``address``: a person of the console's
        (the first who is not disabled, by address in any case), else the
        ``default_language`` setting and no zone of their own."""
        row = session.scalars(select(PersonRow).where(
            func.lower(PersonRow.email) == address.strip().lower(),
            PersonRow.disabled_at.is_(None)).order_by(PersonRow.created_at).limit(1)).first()
        zone = workflow_zone(row.time_zone) if row is not None else None
        return Reader(row.language if row is not None and row.language in SUPPORTED
                      else self.default_language, ZoneInfo(zone) if zone else None)

    @staticmethod
    def _event_of(session: Session, row: EnvelopeRow, signer: SignerRow, job: OutboxJob,
                  event_types: frozenset[str]) -> AuditRecord:
        """Exactly the event this message was queued for: a signer may comment many
        times. A row queued before rows named it (no ``seq``) takes the signer's last
        such event up to the step that queued it (its key is ``envelope:seq:index``)."""
        seq = job.payload.get("seq")
        last = seq if seq is not None else int(job.dedupe_key.rsplit(":", 2)[1])
        return next(r for r in reversed(envelopes.audit_trail(session, row.id))
                    if r.seq <= last and r.type in event_types and r.signer_id == signer.id)

    @staticmethod
    def _name_of(row: EnvelopeRow, signer_id: str | None) -> str | None:
        return next((s.name for s in row.signers if s.id == signer_id), None)

    @staticmethod
    def _zone(plan: Plan) -> dt.tzinfo:
        return ZoneInfo(plan.checkins.timezone) if plan.checkins else dt.UTC

    def _copy(self, session: Session, kind: str, row: EnvelopeRow, signer: SignerRow,
              sha256: str | None, filename: str) -> dict[str, Any]:
        """How a signer's copy of a sealed record (``kind`` of own_records: the plan's,
        the case file) is given, as ``employee_copy_delivery`` says: attached up to
        ``copy_attachment_bytes`` (larger: not attached, and the email says why), and
        always a copy link (``/copy/TOKEN``), which outlives the signing link and is
        logged when followed. The arguments of compose.your_copy and case_file_copy."""
        attachments: tuple[Attachment, ...] = ()
        too_large: int | None = None
        if self.copy_delivery == "attachment" and sha256 is not None:
            document = session.get_one(Document, sha256)
            if document.size <= self.copy_attachment_bytes:
                attachments = (Attachment(filename, "application/pdf", document.content),)
            else:
                too_large = document.size
        if self.record_links is None:
            link, until = self._link(signer), None
        else:
            now = dt.datetime.now(dt.UTC)
            token = self.record_links.sign(kind, row.id, signer.id,
                                           purpose=Purpose.DOWNLOAD, now=now)
            link = self.record_links.url(self.base_url, token, Purpose.DOWNLOAD)
            until = self.record_links.expires_at(Purpose.DOWNLOAD, now)
        return {"link": link, "attachments": attachments, "available_until": until,
                "too_large_bytes": too_large,
                "records_page": self.records_page if self.record_links is not None else None}

    def _records_access(self, session: Session, job: OutboxJob, common: dict[str, Any],
                        contact: MailContact | None) -> Message:
        """The answer to a request on the records page: a fresh, short-lived link to each
        record of the address's, made now (never stored)."""
        if self.record_links is None:
            raise PermanentFailure("record links are not configured")
        address = str(job.payload.get("address", ""))
        now = dt.datetime.now(dt.UTC)
        records = own_records.records_of(session, address)
        links = [(r, self.record_links.url(self.base_url, self.record_links.sign(
                    r.kind, r.record_id, r.signer_id, purpose=Purpose.RECORDS_ACCESS,
                    now=now), Purpose.RECORDS_ACCESS)) for r in records]
        until = self.record_links.expires_at(Purpose.RECORDS_ACCESS, now)
        assert until is not None
        # To the signer's address as it is on record (the one asked about, in any case).
        return compose.records_access(
            **common, records=links, contact=contact,
            available_until=until, records_page=self.records_page)

    @property
    def records_page(self) -> str:
        return f"{self.base_url.rstrip('/')}/my-records"

    def _record_url(self, row: EnvelopeRow) -> str:
        """The plan's page in the console, which HR open in a browser (signing in if
        they must); the API's address needs a key no browser holds."""
        return console_plan_url(self.base_url, row.id)

    def _company(self, plan: Plan) -> str:
        # Who the email is from when neither the plan nor the settings name the company:
        # "HR" reads right wherever the name stands ("HR has prepared a plan with you",
        # "a document from HR") and is true, where an invented company name is not.
        return plan.company.name if plan.company else (self.company_name or "HR")

    def _link(self, signer: SignerRow) -> str:
        if not signer.nonce:
            raise PermanentFailure("the signer has not been sent a link")
        return link_url(self.base_url, self.links.sign(signer.id, signer.nonce))

    @staticmethod
    def _deadline(row: EnvelopeRow, plan: Plan) -> dt.datetime:
        """The deadline in the plan's own time zone, which is the employee's."""
        assert row.expires_at is not None  # only a sent envelope has signers to mail
        return row.expires_at.astimezone(Mailer._zone(plan))

    @staticmethod
    def _checkins(plan: Plan, signer: SignerRow) -> dict[str, Any]:
        # The calendar goes to those who attend the check-ins: employee and manager,
        # each told whom they meet (the manager meets the employee, not themself).
        if plan.checkins is None or signer.role == Role.HR:
            return {}
        return {"meetings": schedule_for(plan).checkins, "location": plan.checkins.location,
                "video_link": plan.checkins.video_link,
                "meeting_with": _meeting_with(plan, signer.role)}


def _person_language(session: Session, address: str) -> str:
    """The language a console user chose for themselves, found by their address; English
    for anyone else (HR's and managers' messages are in English unless they chose)."""
    chosen = session.scalar(select(PersonRow.language).where(
        func.lower(PersonRow.email) == address.lower(), PersonRow.language.is_not(None))
        .limit(1))
    return chosen if chosen in SUPPORTED else compose.SOURCE_LANGUAGE


def _meeting_with(plan: Plan, reader: str) -> str | None:
    """Whom ``reader`` meets at the check-ins: the manager meets the employee (not
    themself); the employee meets whom the plan names, else the manager."""
    if plan.checkins is None:
        return None
    if reader == Role.MANAGER:
        return plan.employee.name
    return plan.checkins.with_ or plan.manager.name


def console_case_url(base_url: str, envelope_id: str) -> str:
    """The address of a plan's case page in the console."""
    return f"{base_url.rstrip('/')}/console/plans/{envelope_id}/case"


def console_plan_url(base_url: str, envelope_id: str) -> str:
    """The address of a plan's page in the console."""
    return f"{base_url.rstrip('/')}/console/plans/{envelope_id}"


def _moment(text: Any) -> dt.datetime | None:
    """An ISO 8601 time kept in event or outbox data; None if absent or unreadable."""
    try:
        return dt.datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _in_zone(when: dt.datetime | None, zone: dt.tzinfo | None) -> dt.datetime | None:
    """``when`` in ``zone`` (a naive time is UTC); as it is, for no zone."""
    if when is None or zone is None:
        return when
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(zone)
