"""A plan's case on the database (signing.domain.case_service): recording check-ins with
their audit events and outbox rows in one transaction, bad input refused with nothing
written, the employee's answers, and the worker's sweep, safe to run twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text

from docgen import sample_plan, schedule_for
from signing.domain import case_service, envelopes
from signing.domain.case_service import CaseSettings, CaseUnavailable
from signing.domain.cases import CaseClosed, CaseError, CheckinForm, MeetingAlreadyRecorded
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, CaseRow, CheckinRow, OutboxRow
from tests.console.plankit import make_plan

PLAN = sample_plan()
MEETINGS = schedule_for(PLAN).checkins
FIRST, SECOND = MEETINGS[0], MEETINGS[1]
SENT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
AFTER_FIRST = FIRST.ends.astimezone(dt.UTC) + dt.timedelta(hours=2)
MANAGER = envelopes.Actor("person:morgan")
ALL_GOALS = {str(i): {"status": "on_track", "value": "80%"}
             for i in range(1, len(PLAN.goals) + 1)}
SETTINGS = CaseSettings(grace=dt.timedelta(days=2), alert=dt.timedelta(days=3),
                        answer=dt.timedelta(days=5))


def held(meeting=FIRST, **changes) -> CheckinForm:
    fields = {"meeting": str(meeting.number),
              "held_at": meeting.starts.strftime("%Y-%m-%dT%H:%M"),
              "attendees": ["Morgan Example", PLAN.employee.name], "goals": ALL_GOALS,
              "notes": "Reviewed the queue.", "support_given": "Two coaching sessions.",
              "next_steps": "Pair on escalations.", "employee_view": "Fair so far."}
    fields.update(changes)
    return CheckinForm(**fields)


@pytest.fixture
def envelope_id(sessions):
    return make_plan(sessions, owner="apikey:psk_hr", until="acknowledged", created=SENT)


def record(sessions, envelope_id, form, *, now=AFTER_FIRST):
    with sessions.begin() as session:
        return case_service.record_checkin(session, envelope_id, form, actor=MANAGER,
                                           recorder="Morgan Example", now=now,
                                           settings=SETTINGS)


def counts(sessions, envelope_id):
    with sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(table).where(
            table.envelope_id == envelope_id)) for table in (CheckinRow, AuditEventRow,
                                                              OutboxRow))


def case_events(sessions, envelope_id):
    with sessions() as session:
        return [(r.type, r.actor, r.signer_id, r.data) for r in session.scalars(
            select(AuditEventRow).where(AuditEventRow.envelope_id == envelope_id,
                                        AuditEventRow.type.like("checkin.%"))
            .order_by(AuditEventRow.seq))]


def outbox(sessions, envelope_id):
    with sessions() as session:
        return [(r.kind, r.name, r.payload) for r in session.scalars(
            select(OutboxRow).where(OutboxRow.envelope_id == envelope_id,
                                    OutboxRow.name.like("checkin%")).order_by(OutboxRow.id))]


def test_a_check_in_is_recorded_with_its_event_email_and_webhook(sessions, envelope_id):
    with sessions() as session:  # reading a case without a row writes none
        view = case_service.read_case(session, envelope_id, now=AFTER_FIRST)
        assert view.opened_at is None and view.next_meeting == FIRST
        assert session.get(CaseRow, envelope_id) is None
    record(sessions, envelope_id, held(
        goals={**ALL_GOALS, "1": {"status": "at_risk", "value": "78%", "note": "dip"}}))
    with sessions() as session:
        view = case_service.read_case(session, envelope_id, now=AFTER_FIRST)
        case_row = session.get_one(CaseRow, envelope_id)
    assert case_row.state == "active" and case_row.opened_at == SENT  # the plan's sending
    (checkin,) = view.records
    assert checkin.checkin.held_at == FIRST.starts_utc and checkin.meeting == 1
    assert checkin.checkin.goals[0].value == 78.0 and checkin.checkin.recorded_by == \
        "Morgan Example"
    assert checkin.answer_due_at == AFTER_FIRST + SETTINGS.answer
    ((kind, actor, _, data),) = case_events(sessions, envelope_id)
    assert (kind, actor) == (EventType.CHECKIN_RECORDED, "person:morgan")
    assert data["goals"][0] == {"goal": 1, "status": "at_risk", "value": 78.0, "note": "dip"}
    assert data["employee_view"] == "Fair so far." and data["checkin_id"] == checkin.id
    rows = outbox(sessions, envelope_id)
    assert [(k, n) for k, n, _ in rows] == [("email", "checkin_record"),
                                           ("webhook", "checkin.recorded")]
    assert rows[1][2] == {"checkin_id": checkin.id, "meeting": 1, "held": True}
    assert view.next_meeting == SECOND


@pytest.mark.parametrize("form, field", [
    (held(held_at="2027-03-02T10:00"), "held_at"),                      # outside the plan
    (held(goals={**ALL_GOALS, "7": {"status": "met"}}), "goals[7]"),     # not in the plan
    (held(goals={**ALL_GOALS, "1": {"status": "met", "value": "lots"}}), "goals[1].value"),
    (CheckinForm(meeting="40", held_at="2026-12-08T10:30", attendees=["A"]), "meeting"),
    (held(attendees=[]), "attendees"),
])
def test_bad_input_names_its_field_and_records_nothing(sessions, envelope_id, form, field):
    before = counts(sessions, envelope_id)
    with pytest.raises(CaseError) as refused:
        record(sessions, envelope_id, form,
               now=dt.datetime(2027, 3, 3, 12, 0, tzinfo=dt.UTC) if field == "held_at"
               else AFTER_FIRST)
    assert refused.value.field == field
    assert counts(sessions, envelope_id) == before


def test_a_closed_case_and_a_voided_plan_take_no_check_in(sessions, envelope_id):
    with sessions.begin() as session:
        case_service.open_case(session, envelope_id, now=SENT)
        session.get_one(CaseRow, envelope_id).state = "closed"
    before = counts(sessions, envelope_id)
    with pytest.raises(CaseClosed):
        record(sessions, envelope_id, held())
    assert counts(sessions, envelope_id) == before
    voided = make_plan(sessions, owner="apikey:psk_hr", until="voided", created=SENT)
    with pytest.raises(CaseUnavailable):
        record(sessions, voided, held())
    assert counts(sessions, voided)[0] == 0


def test_the_same_meeting_twice_is_refused_naming_who_recorded_it(sessions, envelope_id):
    record(sessions, envelope_id, held())
    before = counts(sessions, envelope_id)
    with pytest.raises(MeetingAlreadyRecorded, match="Morgan Example") as refused:
        record(sessions, envelope_id, held(notes="My version"))
    assert refused.value.field == "meeting"
    assert counts(sessions, envelope_id) == before


def test_the_employee_acknowledges_and_comments_on_the_chain(sessions, envelope_id):
    recorded = record(sessions, envelope_id, held())
    employee = envelopes.Actor("signer:emp", "203.0.113.9")
    later = AFTER_FIRST + dt.timedelta(days=1)
    with sessions.begin() as session:
        assert case_service.acknowledge_checkin(session, recorded.id, actor=employee, now=later)
    with sessions.begin() as session:  # a second acknowledgement records nothing
        assert not case_service.acknowledge_checkin(session, recorded.id, actor=employee,
                                                    now=later)
    with sessions.begin() as session:
        case_service.comment_on_checkin(session, recorded.id, "لم أتلقَّ التدريب الموعود",
                                        actor=employee, now=later, timezone="Asia/Dubai")
    with pytest.raises(CaseError) as refused, sessions.begin() as session:
        case_service.comment_on_checkin(session, recorded.id, "  ", actor=employee, now=later)
    assert refused.value.field == "comment"
    types = [(t, a, d.get("comment")) for t, a, _, d in case_events(sessions, envelope_id)]
    assert types[1:] == [(EventType.CHECKIN_ACKNOWLEDGED, "signer:emp", None),
                         (EventType.CHECKIN_COMMENTED, "signer:emp",
                          "لم أتلقَّ التدريب الموعود")]
    with sessions() as session:
        (shown,) = case_service.read_case(session, envelope_id, now=later).records
    assert shown.acknowledged_at == later and shown.answer_due_at is None
    assert [c.text for c in shown.comments] == ["لم أتلقَّ التدريب الموعود"]
    # Answered: the sweep records no "unanswered" for it.
    result = case_service.sweep(sessions, now=later + dt.timedelta(days=30), settings=SETTINGS)
    assert (envelope_id, 1) not in result.unanswered


@pytest.mark.parametrize("remembered", [False, True], ids=["every-case", "remembered"])
def test_the_sweep_reminds_then_alerts_once_and_records_unanswered(sessions, envelope_id,
                                                                    remembered):
    """As the worker runs it (remembering when each case may next need chasing) and
    reading every case: the same reminders, once each."""
    memory: case_service.QuietUntil | None = {} if remembered else None

    def sweep(sessions, *, now, settings):
        return case_service.sweep(sessions, now=now, settings=settings, quiet_until=memory)

    record(sessions, envelope_id, held())  # meeting 1 held; meeting 2 is never recorded
    ended = SECOND.ends.astimezone(dt.UTC)
    quiet = sweep(sessions, now=ended + dt.timedelta(days=1), settings=SETTINGS)
    assert not quiet.reminded and not quiet.alerted
    # Meeting 1's record had no answer within checkin_answer_days: recorded, once.
    assert quiet.unanswered == [(envelope_id, 1)]
    at_grace = ended + SETTINGS.grace + dt.timedelta(minutes=1)
    for _ in range(2):  # run twice: one reminder
        sweep(sessions, now=at_grace, settings=SETTINGS)
    names = [n for _, n, _ in outbox(sessions, envelope_id)]
    assert names.count("checkin_overdue_manager") == 1 and names.count("checkin.missed") == 1
    assert "checkin_overdue_hr" not in names
    at_alert = at_grace + SETTINGS.alert
    first = sweep(sessions, now=at_alert, settings=SETTINGS)
    again = sweep(sessions, now=at_alert + dt.timedelta(hours=1), settings=SETTINGS)
    assert (envelope_id, 2) in first.alerted and not again.alerted
    names = [n for _, n, _ in outbox(sessions, envelope_id)]
    assert names.count("checkin_overdue_hr") == 1 and names.count("checkin.missed") == 1
    assert not first.unanswered and not again.unanswered
    kinds = [t for t, *_ in case_events(sessions, envelope_id)]
    assert kinds.count(EventType.CHECKIN_MISSED) == 1
    assert kinds.count(EventType.CHECKIN_HR_ALERTED) == 1
    assert kinds.count(EventType.CHECKIN_UNANSWERED) == 1


def test_the_sweep_opens_the_cases_of_recently_sent_plans(sessions):
    sent = make_plan(sessions, owner="apikey:psk_hr", until="employee", created=SENT)
    draft = make_plan(sessions, owner="apikey:psk_hr", until="draft", created=SENT)
    result = case_service.sweep(sessions, now=SENT + dt.timedelta(hours=1), settings=SETTINGS)
    assert sent in result.opened and draft not in result.opened
    assert not case_service.sweep(sessions, now=SENT + dt.timedelta(hours=2),
                                  settings=SETTINGS).opened


def test_two_managers_recording_one_meeting_at_once_make_one_record(
        sessions, envelope_id, db_backend):
    """Two real transactions at once on PostgreSQL: the first holds the envelope's row
    while the second waits for it, then is told; SQLite serialises writers outright."""
    if db_backend != "postgresql":
        pytest.skip("two concurrent writers are PostgreSQL's; SQLite serialises them")
    first = sessions()
    first.begin()
    case_service.record_checkin(first, envelope_id, held(), actor=MANAGER,
                                recorder="Morgan Example", now=AFTER_FIRST, settings=SETTINGS)
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            record(sessions, envelope_id, held(notes="The other manager's notes"))
            outcome.append(None)
        except BaseException as exc:  # reported to the test's thread
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    with sessions() as watcher:  # wait until the second is blocked on the envelope's lock
        for _ in range(600):
            waiting = watcher.scalar(text(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                "and datname = current_database()"))
            watcher.rollback()
            if waiting or not thread.is_alive():
                break
            threading.Event().wait(0.05)
    assert thread.is_alive(), "the second recorder did not wait for the first"
    first.commit()
    first.close()
    thread.join(60)
    assert len(outcome) == 1 and isinstance(outcome[0], MeetingAlreadyRecorded)
    with sessions() as session:
        (row,) = session.scalars(select(CheckinRow).where(CheckinRow.envelope_id == envelope_id))
    assert row.notes == "Reviewed the queue."


def test_checkin_webhooks_are_thin(sessions, envelope_id):
    import json

    import webhooks
    from signing.domain import outbox
    from signing.domain.announce import Announcer
    from signing.domain.downloads import DownloadLinks
    from webhooks.models import WebhookMessage

    with sessions.begin() as session:
        webhooks.create_endpoint(
            session, url="https://hooks.example.com/h", created_by="test", sees_all=True,
            now=SENT, allow_private=False, resolve=lambda host: [],
            events=["checkin.recorded", "checkin.missed"])
    recorded = record(sessions, envelope_id, held(notes="Private words"))
    case_service.sweep(sessions, now=SECOND.ends.astimezone(dt.UTC) + dt.timedelta(days=3),
                       settings=SETTINGS)
    announcer = Announcer(sessions, DownloadLinks(["k" * 40], max_age=dt.timedelta(hours=1)),
                          "https://sign.example.com")
    outbox.run_once(sessions, {"webhook": announcer}, now=AFTER_FIRST + dt.timedelta(days=30))
    with sessions() as session:
        sent = list(session.scalars(select(WebhookMessage).order_by(WebhookMessage.position)))
    assert [m.event_type for m in sent] == ["checkin.recorded", "checkin.missed"]
    bodies = [json.loads(m.payload)["data"] for m in sent]
    assert bodies[0]["checkin"] == {"checkin_id": recorded.id, "meeting": 1, "held": True}
    assert bodies[1]["checkin"] == {"meeting": 2,
                                    "scheduled_for": SECOND.starts_utc.isoformat()}
    assert "Private words" not in sent[0].payload and "Alex" not in sent[0].payload
