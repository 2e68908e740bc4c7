"""The case file at a case's close: the worker's handler for ``case_file`` outbox rows.

The row is queued in the transaction that closes the case
(:func:`signing.domain.case_close._close`), so it exists exactly when a case closed.
Its payload is plain data (nothing but the envelope), and the handler is safe to run
again after a crash, in three steps:

1. gather the :class:`docgen.casefile.CaseFile` from the database and the archive: the
   plan's sealed record (its archived final PDF), every check-in with the employee's
   acknowledgement, comments or silence, the outcome letter's sealed record, the
   progress charts and the case's events (read only);
2. build and seal it, outside any transaction (``casefile.sealed`` is the crash point
   just after: nothing was kept yet, so a restart makes it again);
3. in one transaction, with the plan's envelope locked: store the PDF in the blob store
   (keyed by its content), make it a document of the plan's archived record (searchable
   by the case's outcome), record ``case.file_archived`` on the plan's chain and queue
   the employee's copy by email. A second run finds the record's case file and stops,
   so one case file is kept and one email sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive import ArchivedRecord, BlobStore
from docgen import DocgenError, plan_from_data
from docgen.casefile import (
    Answer,
    CaseEvent,
    CaseFile,
    CheckinPage,
    Comment,
    ExtensionPage,
    GoalEntry,
    IncludedDocument,
)
from docgen.languages import stored_language
from docgen.seal import SealingKey
from docgen.stamp.wording import ENGLISH, N_, RecordWords, record_words
from signing.domain import case_service, envelopes, failpoints, trail_names
from signing.domain import workflow as wf
from signing.domain.cases import CaseState
from signing.domain.cases.casefile import make_case_file
from signing.domain.cases.charts import STATUS_LABELS, chart_words, progress_charts, unit_of
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, CaseRow, Document, EnvelopeRow, ExtensionRow
from signing.domain.outbox import OutboxJob, PermanentFailure, TransientFailure
from signing.domain.timeline import Who

log = logging.getLogger(__name__)
WORKER = envelopes.Actor("worker")

# The case's events the case file's certificate lists, in words (StrEnum keys: found
# by the stored type's text), in the plan's language as the certificate is (the
# ``docgen`` domain: babel-docgen.cfg).
_WORDS: dict[str, str] = {
    EventType.ENVELOPE_SENT: N_("plan sent to be signed; case opened"),
    EventType.ENVELOPE_ARCHIVED: N_("plan's record sealed and archived"),
    EventType.CHECKIN_MISSED: N_("manager reminded of an unrecorded check-in"),
    EventType.CHECKIN_HR_ALERTED: N_("HR alerted of an unrecorded check-in"),
    EventType.CHECKIN_ACKNOWLEDGED: N_("employee acknowledged receipt of a check-in record"),
    EventType.CHECKIN_COMMENTED: N_("employee commented on a check-in record"),
    EventType.CHECKIN_UNANSWERED: N_("no answer to a check-in record in time"),
    EventType.CASE_AMENDMENT_ARCHIVED: N_("amended plan's record sealed and archived"),
    EventType.CASE_OUTCOME_PROPOSED: N_("outcome proposed with evidence per goal"),
    EventType.CASE_OUTCOME_RETURNED: N_("proposed outcome returned by HR with a comment"),
    EventType.CASE_OUTCOME_APPROVED: N_("outcome approved by HR; outcome letter sent"),
    EventType.CASE_LETTER_VOIDED: N_("outcome letter voided by HR; the proposal is back "
                                     "with HR"),
}
# How the case closed, whole for each outcome (each language agrees its words with
# what closed: "objectifs atteints", "objectif non atteint" never).
_CLOSED_WORDS = {"met": N_("case closed: goals met"),
                 "not_met": N_("case closed: goals not met"),
                 "resigned": N_("case closed: the employee resigned"),
                 "withdrawn": N_("case closed: the plan was withdrawn")}
# Who caused an event, by role (timeline.Who's roles), in the certificate's language.
_ROLE_WORDS = {"employee": N_("employee"), "manager": N_("manager"), "hr": N_("HR"),
               "admin": N_("administrator"), "records": N_("records staff"),
               "api key": N_("API key"), "command line": N_("command line"),
               "email provider": N_("email provider"), "system": N_("system")}
# An amended plan's way, from its envelope's chain ("%(n)s": the amendment's number).
_AMENDMENT_WORDS: dict[str, str] = {
    EventType.ENVELOPE_SENT: N_("amended plan %(n)s sent to the employee"),
    EventType.SIGNER_ACKNOWLEDGED: N_("employee acknowledged receipt of amended plan %(n)s"),
    EventType.SIGNER_REFUSED: N_("employee refused to sign amended plan %(n)s"),
    EventType.SIGNER_COMMENTED: N_("employee commented on amended plan %(n)s"),
    EventType.ENVELOPE_EXPIRED: N_("no answer to amended plan %(n)s in time"),
}
# The outcome letter's own way, from its envelope's chain.
_LETTER_WORDS: dict[str, str] = {
    EventType.ENVELOPE_SENT: N_("outcome letter sent to the employee"),
    EventType.SIGNER_ACKNOWLEDGED: N_("employee acknowledged receipt of the outcome letter"),
    EventType.SIGNER_REFUSED: N_("employee refused to sign the outcome letter"),
    EventType.SIGNER_COMMENTED: N_("employee commented on the outcome letter"),
    EventType.ENVELOPE_EXPIRED: N_("no answer to the outcome letter in time"),
    EventType.ENVELOPE_ARCHIVED: N_("outcome letter's record sealed and archived"),
}


@dataclass(frozen=True)
class CaseFileMaker:
    sessions: sessionmaker[Session]
    store: BlobStore
    sealing_key: Callable[[], SealingKey]
    company_name: str = ""
    timestamp_url: str | None = None
    seal_level: str = "auto"
    # Seconds each step of the last run took ("gather", "pages", "merge", "seal",
    # "archive"): what bench/bench_case_close.py reports.
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    def __call__(self, session: Session, job: OutboxJob, now: dt.datetime) -> None:
        record = session.get(ArchivedRecord, job.envelope_id)
        if record is not None and record.case_file_sha256 is not None:
            return None  # made before (a retry after the transaction committed)
        try:
            started = time.perf_counter()
            case = gather(session, self.store, job.envelope_id, now=now,
                          company_name=self.company_name)
            self.timings.clear()
            self.timings["gather"] = time.perf_counter() - started
            sealed = make_case_file(case, self.sealing_key(), now=now,
                                    seal_level=self.seal_level,
                                    timestamp_url=self.timestamp_url)
            self.timings.update(sealed.timings)
            failpoints.reached("casefile.sealed")
            started = time.perf_counter()
            self._archive(job.envelope_id, sealed.pdf, case, now)
            self.timings["archive"] = time.perf_counter() - started
        except DocgenError as exc:
            raise TransientFailure(f"the case file of envelope {job.envelope_id}: "
                                   f"{exc}") from exc
        return None

    def _archive(self, envelope_id: str, pdf: bytes, case: CaseFile, now: dt.datetime) -> None:
        with self.sessions.begin() as db:
            envelope = envelopes.load(db, envelope_id, lock=True)
            record = db.get_one(ArchivedRecord, envelope_id)
            db.refresh(record)
            if record.case_file_sha256 is not None:
                return  # another run kept one first; keep theirs
            digest = self.store.put(pdf)
            # Kept with the documents too, as a final PDF is: the employee's copy is
            # mailed from there.
            if db.get(Document, digest) is None:
                db.add(Document(sha256=digest, content_type="application/pdf",
                                size=len(pdf), content=pdf, created_at=now))
            record.case_file_sha256, record.case_outcome = digest, case.outcome
            record.case_closed_at = case.closed_at
            employee = next(s for s in envelope.signers if s.role == wf.Role.EMPLOYEE)
            event = wf.Event(EventType.CASE_FILE_ARCHIVED, data={
                "sha256": digest, "outcome": case.outcome, "size": len(pdf)})
            envelopes.record_events(db, envelope_id, [event], [
                wf.Effect("email", "case_file_copy", employee.id, {"sha256": digest},
                          about=event)], actor=WORKER, now=now)


def gather(session: Session, store: BlobStore, envelope_id: str, *, now: dt.datetime,
           company_name: str = "") -> CaseFile:
    """The closed case of ``envelope_id`` as the case file builder takes it."""
    row = session.get(CaseRow, envelope_id)
    if row is None or row.state != CaseState.CLOSED or row.closed_at is None:
        raise PermanentFailure(f"the case of envelope {envelope_id} is not closed")
    record = session.get(ArchivedRecord, envelope_id)
    if record is None:
        # The plan's own record is finalized by its own outbox row: wait for it.
        raise TransientFailure(f"the plan's record of envelope {envelope_id} is not "
                               "archived yet")
    envelope = envelopes.load(session, envelope_id)
    plan = plan_from_data(envelope.plan_data, stored=True)
    view = case_service.read_case(session, envelope_id, now=now)
    zone = ZoneInfo(view.zone)
    employee = plan.employee.name
    # The case file's own words (its pages, the documents' titles) in the plan's language.
    language = stored_language(envelope.plan_data)
    words = record_words(language)
    plan_doc = IncludedDocument("plan", words._("The plan, signed and sealed"),
                                store.get(record.final_sha256), record.completed_at,
                                "plan.pdf")
    letter = None
    letter_id = row.letter_envelope_id
    if letter_id is not None and row.outcome in ("met", "not_met"):
        letter_row = session.get_one(EnvelopeRow, letter_id)
        if letter_row.final_sha256 is None:
            raise TransientFailure(f"the outcome letter {letter_id} is not sealed yet")
        letter = IncludedDocument("outcome letter",
                                  words._("Outcome letter, acknowledged and sealed"),
                                  session.get_one(Document, letter_row.final_sha256).content,
                                  _sealed_at(session, letter_id) or row.closed_at,
                                  "outcome-letter.pdf")
    extended = case_service.extension_rows(session, envelope_id)
    amendments = _amendments(session, extended, plan_date=record.sent_at,
                             zone=zone, wait=row.outcome in ("met", "not_met"), words=words)
    pages = [checkin_page(view, r) for r in view.records]
    checkins = [r.checkin for r in view.records]
    # The charts are in the plan's language, as the employee reads it, as the pages are.
    charts = progress_charts(plan.goals, checkins, zone, (view.case.start, view.case.end),
                             chart_words(language))
    return CaseFile(
        envelope_id=envelope_id, plan_id=plan.plan_id or "",
        company=plan.company.name if plan.company else company_name,
        employee=employee, employee_id=plan.employee.employee_id or "",
        department=plan.employee.department or "", manager=plan.manager.name,
        hr=plan.hr.name, zone=view.zone, start=view.case.start, end=view.case.end,
        outcome=str(row.outcome), outcome_reason=row.closed_reason or "",
        closed_at=row.closed_at, made_at=now, plan=plan_doc, checkins=tuple(pages),
        extensions=tuple(ExtensionPage(e.number, e.days, e.reason, e.new_end,
                                       bool(e.amended_goals), e.extended_by, e.extended_at)
                         for e in extended),
        amendments=amendments, outcome_letter=letter, charts=charts,
        events=_events(session, envelope_id, letter_id, words,
                       {e.amendment_envelope_id: e.number for e in extended
                        if e.amendment_envelope_id}),
        scheduled=len(view.schedule), language=language)


def _amendments(session: Session, extended: list[ExtensionRow], *, plan_date: dt.datetime,
                zone: ZoneInfo, wait: bool, words: RecordWords = ENGLISH
                ) -> tuple[IncludedDocument, ...]:
    """Each extension's amended plan as sealed. One not sealed yet is waited for when
    the case closed at its end (its letter came after it); after an early close it is
    left out (the extension's page still says what it changed)."""
    found = []
    for e in extended:
        if e.amendment_envelope_id is None:
            continue
        amendment = session.get_one(EnvelopeRow, e.amendment_envelope_id)
        if amendment.final_sha256 is None:
            if wait and amendment.state != wf.EnvelopeState.VOIDED:
                raise TransientFailure(f"amended plan {e.number} ({amendment.id}) is not "
                                       "sealed yet")
            continue
        found.append(IncludedDocument(
            "amendment", words._("Amendment %(number)d of the plan of %(date)s",
                                 number=e.number, date=words.long_date(
                                     plan_date.astimezone(zone))),
            session.get_one(Document, amendment.final_sha256).content,
            _sealed_at(session, amendment.id) or e.extended_at, f"amendment-{e.number}.pdf"))
    return tuple(found)



def checkin_page(view: case_service.CaseView, r: case_service.CheckinRecord) -> CheckinPage:
    """One check-in record with the employee's answer, as the case file draws it (and
    the employee's own copy of it, signing.domain.checkin_record_task)."""
    plan, employee, c = view.plan, view.plan.employee.name, r.checkin
    if r.acknowledged_at is not None:
        kind, at = "acknowledged", r.acknowledged_at
    elif r.unanswered_at is not None:
        kind, at = "no_answer", r.unanswered_at
    else:
        kind, at = "pending", None
    answer = Answer(kind, employee if kind == "acknowledged" else "", at,
                    tuple(Comment(employee, m.at, m.text) for m in r.comments))
    goals = tuple(
        GoalEntry(p.goal, plan.goals[p.goal - 1].statement, STATUS_LABELS[p.status],
                  _value(p.value, plan.goals[p.goal - 1].target or ""),
                  plan.goals[p.goal - 1].baseline or "",
                  plan.goals[p.goal - 1].target or "", p.note)
        for p in c.goals if 1 <= p.goal <= len(plan.goals))
    # The record's data (hashed, the same in its own PDF and the case file) keeps these
    # words in English; the pages translate them as they draw them (docgen.casefile.pages).
    due = tuple(f"Goal {item.goal}: {m.description}" for item in view.agenda(c.meeting)
                for m in item.milestones_due)
    return CheckinPage(c.meeting, c.scheduled_for, c.held_at, c.missed_reason, c.attendees,
                       goals, c.notes, c.support_given, c.next_steps, c.employee_view,
                       c.recorded_by, c.recorded_at, answer, due)


def _events(session: Session, envelope_id: str, letter_id: str | None, w: RecordWords,
            amendments: dict[str, int] | None = None) -> tuple[CaseEvent, ...]:
    """The plan's sending and archiving, everything on its case, each amended plan's
    way and the outcome letter's (sent, answered, archived), oldest first, everyone by
    name."""
    amendments = amendments or {}
    ids = [envelope_id, *amendments] + ([letter_id] if letter_id else [])
    rows = list(session.execute(
        select(AuditEventRow.envelope_id, AuditEventRow.type, AuditEventRow.at,
               AuditEventRow.actor, AuditEventRow.data)
        .where(AuditEventRow.envelope_id.in_(ids)).order_by(AuditEventRow.at,
                                                            AuditEventRow.seq)))
    names = trail_names.load(session, {r.actor for r in rows}, envelope_id=envelope_id)
    others = {other: trail_names.load(session, (), envelope_id=other).signers
              for other in ids[1:]}
    events = []
    for env, type_, at, actor, data in rows:
        if env in amendments:
            words = _AMENDMENT_WORDS.get(type_)
            what = w._(words, n=amendments[env]) if words else None
        else:
            what = event_words(type_, data, w, letter=env != envelope_id)
        if what is None:
            continue
        who = names.actor(actor) if env == envelope_id else (
            others[env].get(actor.removeprefix("signer:")) or names.actor(actor))
        events.append(CaseEvent(at, what, actor_words(who, w)))
    return tuple(events)


def event_words(type_: str, data: dict[str, object], w: RecordWords, *, letter: bool
          ) -> str | None:
    meeting = data.get("meeting")
    if letter:
        said = _LETTER_WORDS.get(type_)
        return w._(said) if said else None
    if type_ == EventType.CHECKIN_RECORDED:
        return (w._("check-in %(meeting)s recorded", meeting=meeting) if data.get("held_at")
                else w._("check-in %(meeting)s recorded as missed", meeting=meeting))
    if type_ == EventType.CASE_EXTENDED:
        return _extended(data, w)
    if type_ == EventType.CASE_CLOSED:
        outcome = str(data.get("outcome", ""))
        said = _CLOSED_WORDS.get(outcome)
        return w._(said) if said else w._("case closed: %(outcome)s",
                                          outcome=outcome.replace("_", " "))
    words = _WORDS.get(type_)
    if words is None:
        return None
    return (w._(words) if meeting is None
            else w._("%(event)s (%(meeting)s)", event=w._(words), meeting=meeting))


def _extended(data: dict[str, object], w: RecordWords) -> str:
    """``case extended (amendment 1): 14 days, to 5 March 2027``: the day count said
    with its plural, the new end as the language writes a date."""
    days = data.get("days")
    count = days if isinstance(days, int) else 0
    end = str(data.get("new_end") or "")
    # Not a date (no record writes one): shown as it was recorded.
    with contextlib.suppress(ValueError):
        end = w.long_date(dt.date.fromisoformat(end))
    values = {"number": data.get("number"), "end": end}
    if data.get("goals"):
        return w.ngettext("case extended (amendment %(number)s): %(num)d day, to %(end)s "
                          "with adjusted goals",
                          "case extended (amendment %(number)s): %(num)d days, to %(end)s "
                          "with adjusted goals", count, **values)
    return w.ngettext("case extended (amendment %(number)s): %(num)d day, to %(end)s",
                      "case extended (amendment %(number)s): %(num)d days, to %(end)s",
                      count, **values)


def actor_words(who: Who, w: RecordWords) -> str:
    """``Dana Whitfield (HR)``: a name, and its role in the certificate's language."""
    if not who.role:
        return who.name
    role = _ROLE_WORDS.get(who.role)
    return w._("%(name)s (%(role)s)", name=who.name, role=w._(role) if role else who.role)


def _sealed_at(session: Session, envelope_id: str) -> dt.datetime | None:
    return session.scalar(select(AuditEventRow.at).where(
        AuditEventRow.envelope_id == envelope_id,
        AuditEventRow.type == EventType.ENVELOPE_SEALED).limit(1))


def _value(value: float | None, target: str) -> str:
    if value is None:
        return ""
    unit = unit_of(target)
    text = f"{value:g}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()
