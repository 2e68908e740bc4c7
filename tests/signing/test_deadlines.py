"""The worker's deadlines with a frozen clock: reminders every few days to those who
have not acted, none after the deadline, expiry once, and a reminder actually mailed."""

from __future__ import annotations

import datetime as dt
import email
import re
import threading
from email import policy

from sqlalchemy import select

from docgen import sample_plan
from signing.domain import deadlines, outbox
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.links import LinkSigner
from signing.domain.mail import FileMailBackend
from signing.domain.models import OutboxRow
from signing.domain.notify import Mailer

NOW = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
EVERY = 3 * DAY
HR = svc.Actor("hr:riley")


def send(sessions, *roles: wf.Role) -> str:
    plan = sample_plan()
    specs = [svc.SignerSpec(role, f"{role} person", f"{role}@example.com", 1)
             for role in roles or (wf.Role.EMPLOYEE,)]
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=b"%PDF-1.7 fake", signers=specs, actor=HR, now=NOW)
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW, expires_in=14 * DAY)
    return envelope_id


def events(sessions, envelope_id: str) -> list[str]:
    with sessions() as session:
        return [r.type for r in svc.audit_trail(session, envelope_id)]


def signer_ids(sessions, envelope_id: str) -> list[str]:
    with sessions() as session:
        return [s.id for s in svc.load(session, envelope_id).signers]


def test_reminders_every_few_days_until_the_deadline_then_expiry(sessions):
    envelope_id = send(sessions)
    assert deadlines.sweep(sessions, now=NOW + 2 * DAY, remind_every=EVERY).reminded == []
    assert deadlines.sweep(sessions, now=NOW + EVERY, remind_every=EVERY).reminded == [envelope_id]
    # Swept again soon after: the reminder just sent resets the clock.
    assert deadlines.sweep(sessions, now=NOW + EVERY + DAY, remind_every=EVERY).reminded == []
    assert deadlines.sweep(sessions, now=NOW + 2 * EVERY, remind_every=EVERY).reminded == [
        envelope_id]
    swept = deadlines.sweep(sessions, now=NOW + 14 * DAY, remind_every=EVERY)
    assert swept.expired == [envelope_id] and swept.reminded == []
    assert deadlines.sweep(sessions, now=NOW + 20 * DAY, remind_every=EVERY).expired == []
    trail = events(sessions, envelope_id)
    assert trail.count("signer.reminded") == 2 and trail.count("envelope.expired") == 1
    with sessions() as session:
        assert svc.load(session, envelope_id).state == wf.EnvelopeState.EXPIRED
        names = session.scalars(select(OutboxRow.name).order_by(OutboxRow.id)).all()
    # The manager signs no envelope here, so is told it was sent.
    assert names == ["invitation", "envelope.sent", "manager_update", "reminder", "reminder",
                     "finalize", "envelope.expired"]


def test_only_those_who_have_not_acted_are_reminded(sessions):
    envelope_id = send(sessions, wf.Role.EMPLOYEE, wf.Role.MANAGER)
    with sessions() as session:  # by role: signers of one routing order come in id order
        by_role = {s.role: s.id for s in svc.load(session, envelope_id).signers}
    employee, manager = by_role["employee"], by_role["manager"]
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "acknowledge", signer_id=employee,
                    typed_name="employee person", consent=True, statement="s",
                    actor=svc.Actor("signer"), now=NOW + DAY)
    deadlines.sweep(sessions, now=NOW + EVERY, remind_every=EVERY)
    with sessions() as session:
        reminders = session.scalars(select(OutboxRow.signer_id).where(
            OutboxRow.name == "reminder")).all()
    assert reminders == [manager]


def test_a_resent_link_counts_as_a_fresh_request(sessions):
    envelope_id = send(sessions)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "resend", signer_id=signer_ids(sessions, envelope_id)[0],
                    actor=HR, now=NOW + 2 * DAY)
    assert deadlines.sweep(sessions, now=NOW + EVERY, remind_every=EVERY).reminded == []
    assert deadlines.sweep(sessions, now=NOW + 5 * DAY, remind_every=EVERY).reminded == [
        envelope_id]


def test_no_reminders_when_turned_off_and_none_for_closed_envelopes(sessions):
    open_id, voided_id = send(sessions), send(sessions)
    with sessions.begin() as session:
        svc.perform(session, voided_id, "void", reason="sent in error", actor=HR, now=NOW)
    assert deadlines.sweep(sessions, now=NOW + 10 * DAY, remind_every=None).reminded == []
    assert deadlines.sweep(sessions, now=NOW + 10 * DAY, remind_every=EVERY).reminded == [open_id]
    assert deadlines.sweep(sessions, now=NOW + 30 * DAY, remind_every=EVERY).expired == [open_id]


def test_two_workers_sweeping_at_once_remind_once(sessions):
    envelope_id = send(sessions)
    results: list[deadlines.Swept] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        results.append(deadlines.sweep(sessions, now=NOW + EVERY, remind_every=EVERY))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r.reminded) for r in results) == 1
    assert events(sessions, envelope_id).count("signer.reminded") == 1


def test_the_reminder_is_mailed_with_a_link_that_opens(sessions, tmp_path):
    envelope_id = send(sessions)
    deadlines.sweep(sessions, now=NOW + EVERY, remind_every=EVERY)
    links = LinkSigner(["k" * 32])
    backend = FileMailBackend(tmp_path / "mail", from_email="hr@example.com")
    mailer = Mailer(backend, links, "https://sign.example.com", "Co")
    # The invitation, the manager's update (they sign nothing here), the reminder.
    assert outbox.run_once(sessions, {"email": mailer}, now=NOW + EVERY) == 3
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in (tmp_path / "mail").glob("*.eml")]
    reminder = next(m for m in messages if "reminder" in m["Subject"].lower())
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    token = re.search(r"https://sign\.example\.com/s/(\S+)", text).group(1)
    assert links.unsign(token).signer_id == signer_ids(sessions, envelope_id)[0]


def test_reminder_due():
    assert deadlines.reminder_due(NOW, now=NOW + EVERY, every=EVERY, expires_at=None)
    assert not deadlines.reminder_due(NOW, now=NOW + EVERY, every=EVERY,
                                      expires_at=NOW + EVERY)
    assert not deadlines.reminder_due(NOW, now=NOW + DAY, every=EVERY, expires_at=None)


# -- the comment window after a recorded refusal --------------------------------------


def record_refusal(sessions, envelope_id: str, at: dt.datetime) -> dict[str, str]:
    """The manager records the employee's refusal, made in a meeting an hour before ``at``;
    returns the signer ids by role."""
    with sessions() as session:
        ids = {s.role: s.id for s in svc.load(session, envelope_id).signers}
    meeting = (at - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "record_refusal", signer_id=ids["manager"],
                    witness="Jordan Lee", meeting_at=meeting, timezone="UTC", confirmed=True,
                    comment_days=5, actor=svc.Actor("signer:m"), now=at)
    return ids


def confirms(sessions, envelope_id: str, ids: dict[str, str], at: dt.datetime) -> None:
    """The manager and HR confirm."""
    with sessions.begin() as session:
        for role in ("manager", "hr"):
            svc.perform(session, envelope_id, "confirm", signer_id=ids[role],
                        typed_name=f"{role} person", consent=True, statement="s",
                        actor=svc.Actor(f"signer:{role}"), now=at)


def outbox_names(sessions) -> list[str]:
    with sessions() as session:
        return session.scalars(select(OutboxRow.name).order_by(OutboxRow.id)).all()


def test_the_sweep_completes_a_plan_once_the_comment_window_has_closed(sessions):
    envelope_id = send(sessions, wf.Role.MANAGER, wf.Role.EMPLOYEE, wf.Role.HR)
    recorded = NOW + 12 * DAY  # the window outlasts the link's deadline (NOW + 14 days)
    ids = record_refusal(sessions, envelope_id, recorded)
    confirms(sessions, envelope_id, ids, recorded + dt.timedelta(seconds=30))
    # Every signer is done and the deadline has passed, but the employee may comment.
    swept = deadlines.sweep(sessions, now=recorded + 5 * DAY - dt.timedelta(minutes=1),
                            remind_every=EVERY)
    assert swept.completed == [] and swept.expired == [] and swept.reminded == []
    assert "finalize" not in outbox_names(sessions)
    swept = deadlines.sweep(sessions, now=recorded + 5 * DAY, remind_every=EVERY)
    assert swept.completed == [envelope_id] and swept.expired == []
    with sessions() as session:
        assert svc.load(session, envelope_id).state == wf.EnvelopeState.COMPLETED
    trail = events(sessions, envelope_id)
    assert trail.count("envelope.completed") == 1 and "envelope.expired" not in trail
    assert outbox_names(sessions).count("finalize") == 1
    # Swept again: nothing more.
    assert deadlines.sweep(sessions, now=recorded + 6 * DAY, remind_every=EVERY).completed == []


def test_expiry_waits_for_the_comment_window_when_hr_have_not_confirmed(sessions):
    envelope_id = send(sessions, wf.Role.MANAGER, wf.Role.EMPLOYEE, wf.Role.HR)
    recorded = NOW + 12 * DAY
    record_refusal(sessions, envelope_id, recorded)
    swept = deadlines.sweep(sessions, now=NOW + 15 * DAY, remind_every=None)
    assert swept.expired == [] and swept.completed == []  # past the deadline, in the window
    swept = deadlines.sweep(sessions, now=recorded + 5 * DAY, remind_every=None)
    assert swept.completed == [] and swept.expired == [envelope_id]  # HR never answered
    with sessions() as session:
        assert svc.load(session, envelope_id).state == wf.EnvelopeState.EXPIRED
