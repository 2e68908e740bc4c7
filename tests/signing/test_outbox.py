"""The outbox worker: invitations mailed once with a working link, retries with backoff
when the provider is busy, a recorded failure when it refuses."""

from __future__ import annotations

import datetime as dt
import email
import json
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from icalendar import Calendar
from sqlalchemy import delete, select

from docgen import sample_plan
from signing.domain import envelopes as svc
from signing.domain import outbox
from signing.domain import workflow as wf
from signing.domain.links import LinkSigner, check_nonce
from signing.domain.mail import FileMailBackend, SendGridMailBackend
from signing.domain.models import OutboxRow
from signing.domain.notify import UPDATE_MESSAGES, Mailer

NOW = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)
HR = svc.Actor("hr:riley")
KEYS = ["k" * 32]
BASE = "https://sign.example.com"


def sent_envelope(sessions, *, name: str | None = None, address: str | None = None,
                  plan_data: dict | None = None) -> str:
    """An envelope sent to the sample plan's employee; ``name``, ``address`` and
    ``plan_data`` stand for what was stored before plans were checked for the mailer."""
    plan = sample_plan()
    specs = [svc.SignerSpec(wf.Role.EMPLOYEE, name or plan.employee.name,
                            address or plan.employee.email, 1)]
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan_data or plan.model_dump(mode="json", by_alias=True,
                                                            exclude_none=True),
            template="standard", pdf=b"%PDF-1.7 fake", signers=specs, actor=HR, now=NOW)
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
        # These tests follow the signer's emails: the update the manager (who signs
        # nothing here) is sent is tested in test_plan_updates.py.
        session.execute(delete(OutboxRow).where(OutboxRow.name.in_(UPDATE_MESSAGES)))
    return envelope_id


def mailer(backend) -> Mailer:
    return Mailer(backend, LinkSigner(KEYS), BASE, "Fallback Co")


def test_invitation_is_mailed_once_with_a_link_that_opens(sessions, tmp_path):
    envelope_id = sent_envelope(sessions)
    folder = tmp_path / "mail"
    handlers = {"email": mailer(FileMailBackend(folder))}
    assert outbox.run_once(sessions, handlers, now=NOW) == 1
    assert outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(hours=1)) == 0
    [eml] = folder.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "alex.sample@example.com"
    assert message["Subject"] == "Please review and acknowledge your performance plan"
    text = message.get_body(("plain",)).get_content()
    token = text.split(f"{BASE}/s/")[1].split()[0]
    claims = LinkSigner(KEYS).unsign(token)
    with sessions() as session:
        signer = svc.load(session, envelope_id).signers[0]
        check_nonce(claims, signer.nonce)
        row = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")).one()
        assert row.sent_at == NOW and row.attempts == 1
    assert [p.get_filename() for p in message.iter_attachments()] == ["check-ins.ics"]


def test_no_company_name_is_invented_in_emails(sessions, tmp_path):
    # Neither the plan nor the settings name the company: the email is from HR.
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    del data["company"]
    sent_envelope(sessions, plan_data=data)
    folder = tmp_path / "mail"
    handlers = {"email": Mailer(FileMailBackend(folder), LinkSigner(KEYS), BASE, "")}
    assert outbox.run_once(sessions, handlers, now=NOW) == 1
    [eml] = folder.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    text = " ".join(message.get_body(("plain",)).get_content().split())
    assert "HR has prepared a performance improvement plan with you." in text
    assert "sent to you by HR." in text
    assert "Your Company" not in text


@pytest.mark.parametrize("queued_before_rows_named_their_event", [False, True])
def test_each_hr_notice_quotes_the_comment_it_was_queued_for(
        sessions, tmp_path, queued_before_rows_named_their_event):
    """Several comments wait for the worker (the last with the acknowledgement, whose
    step records more after it); every notice quotes its own, not the latest. Rows
    queued before they carried the event's seq find it by the step in their key."""
    envelope_id = sent_envelope(sessions)
    with sessions() as session:
        signer_id = svc.load(session, envelope_id).signers[0].id
    comments = ["I need an accommodation for my disability.", "Goal 2 has no target.",
                "I acknowledge, with the comments above."]
    with sessions.begin() as session:
        for text in comments[:2]:
            svc.perform(session, envelope_id, "comment", signer_id=signer_id, text=text,
                        actor=HR, now=NOW)
        svc.perform(session, envelope_id, "acknowledge", signer_id=signer_id,
                    typed_name="Alex Sample", consent=True, statement="I have read it.",
                    comment=comments[2], actor=HR, now=NOW)
        if queued_before_rows_named_their_event:
            for row in session.scalars(select(OutboxRow)):
                row.payload = {k: v for k, v in row.payload.items() if k != "seq"}
    folder = tmp_path / "mail"
    outbox.run_once(sessions, {"email": mailer(FileMailBackend(folder))}, now=NOW)
    with sessions() as session:
        notices = session.scalars(select(OutboxRow).where(
            OutboxRow.name == "hr_notice_comment").order_by(OutboxRow.id)).all()
        assert len(notices) == 3 and all(n.sent_at == NOW for n in notices)
        files = [folder / n.provider_message_id for n in notices]
    quoted = []
    for eml in files:
        message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        text = message.get_body(("plain",)).get_content()
        quoted.append([c for c in comments if c in text])
    assert quoted == [[c] for c in comments]


def calendar_of(eml) -> Calendar:
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    [attachment] = [p for p in message.iter_attachments()
                    if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(attachment.get_content())


def test_the_void_email_cancels_the_invitations_check_in_meetings(sessions, tmp_path):
    envelope_id = sent_envelope(sessions)
    folder = tmp_path / "mail"
    handlers = {"email": mailer(FileMailBackend(folder))}
    outbox.run_once(sessions, handlers, now=NOW)
    [invitation] = folder.glob("*.eml")
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "void", reason="wrong plan", actor=HR,
                    now=NOW + dt.timedelta(hours=1))
    outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(hours=1))
    [voided] = set(folder.glob("*.eml")) - {invitation}
    published, cancelled = calendar_of(invitation), calendar_of(voided)
    assert published["METHOD"] == "PUBLISH" and cancelled["METHOD"] == "CANCEL"
    meetings = {e["UID"]: e for e in published.walk("VEVENT")}
    cancellations = {e["UID"]: e for e in cancelled.walk("VEVENT")}
    assert len(meetings) > 1 and cancellations.keys() == meetings.keys()
    for uid, event in cancellations.items():
        assert event["STATUS"] == "CANCELLED"
        assert event["SEQUENCE"] > meetings[uid]["SEQUENCE"]
        assert event.decoded("DTSTART") == meetings[uid].decoded("DTSTART")
        assert event.decoded("DTSTAMP") > meetings[uid].decoded("DTSTAMP")
        assert str(event["ATTENDEE"]) == f"mailto:{sample_plan().employee.email}"
        assert str(event["ORGANIZER"]) == f"mailto:{sample_plan().hr.email}"
    text = email.message_from_bytes(voided.read_bytes(), policy=policy.default).get_body(
        ("plain",)).get_content()
    assert "no longer works" in text and "check-ins-cancelled.ics" in text


def test_kinds_without_a_handler_wait(sessions, tmp_path):
    envelope_id = sent_envelope(sessions)
    signer_id = None
    with sessions() as session:
        signer_id = svc.load(session, envelope_id).signers[0].id
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "refuse", signer_id=signer_id, actor=HR, now=NOW,
                    reason="<b>I do not accept this</b>", confirmed=True)
    handlers = {"email": mailer(FileMailBackend(tmp_path / "mail"))}
    # The invitation, HR's notice, and the completion told to the manager and HR (who
    # sign nothing here).
    assert outbox.run_once(sessions, handlers, now=NOW) == 4
    with sessions() as session:
        waiting = session.scalars(select(OutboxRow).where(OutboxRow.sent_at.is_(None))).all()
        assert sorted((r.kind, r.name) for r in waiting) == [
            ("finalize", "finalize"), ("webhook", "envelope.sent"),
            ("webhook", "signer.refused")]
    mails = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
             for p in (tmp_path / "mail").glob("*.eml")]
    body = next(m for m in mails if m["Subject"] == "A signer refused to sign a performance plan")
    assert body["To"].addresses[0].addr_spec == "riley.placeholder@example.com"
    html = body.get_body(("html",)).get_content()
    assert "&lt;b&gt;I do not accept this&lt;/b&gt;" in html


def test_two_workers_claim_different_rows(sessions, db_backend):
    """On PostgreSQL a row another worker is claiming is skipped (``SKIP LOCKED``), not
    waited for and not claimed twice; SQLite runs one claim at a time instead."""
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite serialises writers, so no row is ever locked")
    for _ in range(3):
        sent_envelope(sessions)
    claimed: list[outbox.OutboxJob] = []
    with sessions.begin() as other_worker:
        held = other_worker.scalars(select(OutboxRow).order_by(OutboxRow.id).limit(1)
                                    .with_for_update()).one()
        claiming = threading.Thread(
            target=lambda: claimed.extend(outbox.claim(sessions, kinds=["email"], now=NOW)))
        claiming.start()
        claiming.join(timeout=10)
        assert not claiming.is_alive(), "the claim waited for the other worker's row"
    assert len(claimed) == 2 and held.id not in {job.id for job in claimed}
    later = outbox.claim(sessions, kinds=["email"], now=NOW)
    assert [job.id for job in later] == [held.id]  # the others are leased for a while


class Provider(BaseHTTPRequestHandler):
    """Stands in for SendGrid: answers with the statuses queued in ``script``."""

    script: ClassVar[list[tuple[int, dict[str, str]]]] = []
    bodies: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        status, headers = self.script.pop(0)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Provider.script, Provider.bodies = [], []
    yield f"http://127.0.0.1:{server.server_port}", Provider
    server.shutdown()


def test_busy_provider_is_retried_with_backoff(sessions, provider):
    host, stand_in = provider
    stand_in.script = [(429, {"Retry-After": "90"}), (500, {}), (202, {"X-Message-Id": "m-1"})]
    sent_envelope(sessions)
    handlers = {"email": mailer(SendGridMailBackend("SG.secret", host=host,
                                                    from_email="hr@example.com"))}
    outbox.run_once(sessions, handlers, now=NOW)
    with sessions() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")).one()
        assert row.sent_at is None
        assert row.next_attempt_at == NOW + dt.timedelta(seconds=90)  # Retry-After wins
    assert outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(seconds=89)) == 0
    later = NOW + dt.timedelta(seconds=90)
    outbox.run_once(sessions, handlers, now=later)
    with sessions() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")).one()
        assert row.next_attempt_at == later + outbox.BACKOFF[1]
    outbox.run_once(sessions, handlers, now=later + outbox.BACKOFF[1])
    with sessions() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")).one()
        assert row.provider_message_id == "m-1" and row.attempts == 3
    # Each attempt carried the same idempotency key, so duplicates can be recognised.
    keys = {b["custom_args"]["idempotency_key"] for b in stand_in.bodies}
    assert len(keys) == 1


def test_refused_message_is_a_recorded_failure_and_hr_are_told(sessions, provider):
    host, stand_in = provider
    stand_in.script = [(400, {}), (202, {"X-Message-Id": "m-hr"})]
    envelope_id = sent_envelope(sessions)
    handlers = {"email": mailer(SendGridMailBackend("SG.secret", host=host,
                                                    from_email="hr@example.com"))}
    outbox.run_once(sessions, handlers, now=NOW)
    with sessions() as session:
        invitation, notice = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")
                                             .order_by(OutboxRow.id)).all()
        assert invitation.failed_at == NOW and invitation.sent_at is None
        assert "400" in invitation.last_error and "SG.secret" not in invitation.last_error
        assert notice.name == "hr_notice_undeliverable" and notice.sent_at is None
        failed = svc.audit_trail(session, envelope_id)[-1]
        assert failed.type == "email.failed" and failed.actor == "worker"
        assert failed.data["message"] == "invitation" and "400" in failed.data["error"]
    # The next pass mails HR, once; the refused invitation is not tried again.
    assert outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(minutes=1)) == 1
    assert outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(days=1)) == 0
    body = stand_in.bodies[-1]
    assert body["personalizations"][0]["to"][0]["email"] == sample_plan().hr.email
    assert body["subject"] == "An email about a performance plan could not be delivered"
    text = next(c["value"] for c in body["content"] if c["type"] == "text/plain")
    assert "The invitation to sign for their performance improvement plan could not be " \
           f"delivered to Alex Sample at {sample_plan().employee.email}" in text
    assert "400" in text


@pytest.mark.parametrize(("name", "address"), [
    (None, "lea,attacker<x>@example.com"), ("Alex\nBcc: x@example.com", None)])
def test_a_message_the_mail_library_refuses_fails_at_once_and_hr_are_told(sessions, tmp_path,
                                                                          name, address):
    """Not an outage: the same data is refused on every attempt, so the first is the last."""
    envelope_id = sent_envelope(sessions, name=name, address=address)
    folder = tmp_path / "mail"
    handlers = {"email": mailer(FileMailBackend(folder))}
    assert outbox.run_once(sessions, handlers, now=NOW) == 1
    with sessions() as session:
        invitation, notice = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")
                                             .order_by(OutboxRow.id)).all()
        assert invitation.failed_at == NOW and invitation.attempts == 1
        assert "unexpected" not in invitation.last_error
        assert notice.name == "hr_notice_undeliverable" and notice.sent_at is None
        failed = svc.audit_trail(session, envelope_id)[-1]
        assert failed.type == "email.failed" and failed.data["message"] == "invitation"
    assert outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(minutes=1)) == 1
    [eml] = folder.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == sample_plan().hr.email
    assert outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(days=1)) == 0


def test_an_hr_notice_that_cannot_be_built_is_recorded_not_retried(sessions, tmp_path):
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["hr"]["email"] = "riley,other@example.com"
    sent_envelope(sessions, plan_data=data)
    handlers = {"email": mailer(FileMailBackend(tmp_path / "mail"))}
    outbox.run_once(sessions, handlers, now=NOW)  # the invitation: its Reply-To is HR's
    assert outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(minutes=1)) == 1
    with sessions() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")
                               .order_by(OutboxRow.id)).all()
        assert [(r.name, r.attempts) for r in rows] == [("invitation", 1),
                                                       ("hr_notice_undeliverable", 1)]
        assert all(r.failed_at is not None and r.last_error for r in rows)
    assert outbox.run_once(sessions, handlers, now=NOW + dt.timedelta(days=1)) == 0
    assert not list((tmp_path / "mail").glob("*.eml"))


def test_a_provider_busy_for_every_attempt_ends_in_a_failure_and_a_notice(sessions, provider):
    host, stand_in = provider
    stand_in.script = [(503, {})] * outbox.MAX_ATTEMPTS
    envelope_id = sent_envelope(sessions)
    handlers = {"email": mailer(SendGridMailBackend("SG.secret", host=host,
                                                    from_email="hr@example.com"))}
    now = NOW
    for _ in range(outbox.MAX_ATTEMPTS):
        assert outbox.run_once(sessions, {"email": handlers["email"]}, now=now, limit=1) == 1
        now += dt.timedelta(days=1)
    with sessions() as session:
        invitation = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).first()
        assert invitation.failed_at is not None and invitation.attempts == outbox.MAX_ATTEMPTS
        failed = svc.audit_trail(session, envelope_id)[-1]
        assert failed.type == "email.failed"
        assert failed.data["error"].startswith(f"gave up after {outbox.MAX_ATTEMPTS} attempts")
    assert len(stand_in.bodies) == outbox.MAX_ATTEMPTS


def test_backoff_schedule():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 6, 7)] == [
        30, 120, 600, 21600, 21600]
    assert outbox.backoff(1, retry_after=5).total_seconds() == 30


class Broken:
    """A handler with a bug (or a full disk): every call raises an unexpected error."""

    def __init__(self) -> None:
        self.calls = 0
        self.given_up: list[str] = []

    def __call__(self, session, job, now):
        self.calls += 1
        raise OSError(28, "No space left on device")

    def gave_up(self, session, job, reason, now):
        self.given_up.append(reason)


def test_an_unexpected_error_is_a_failed_attempt_not_a_dead_worker(sessions, caplog):
    sent_envelope(sessions)
    broken = Broken()
    at = NOW
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.run_once(sessions, {"email": broken}, now=at) == 1  # raises nothing
        with sessions() as session:
            row = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")).one()
            assert row.attempts == attempt
            assert "No space left on device" in row.last_error
        if attempt < outbox.MAX_ATTEMPTS:
            assert row.failed_at is None and row.next_attempt_at > at
            at = row.next_attempt_at
    assert row.failed_at == at and broken.calls == outbox.MAX_ATTEMPTS
    assert broken.given_up == [f"gave up after {outbox.MAX_ATTEMPTS} attempts: unexpected "
                               "error: OSError: [Errno 28] No space left on device"]
    assert "outbox entry" in caplog.text
    assert outbox.run_once(sessions, {"email": broken}, now=at + dt.timedelta(days=30)) == 0


def test_a_row_another_worker_took_over_is_not_carried_out_twice(sessions, tmp_path):
    """Worker A claims a batch, then takes longer than its lease; worker B claims the
    rows A has not reached. A renews each row's lease before handling it, and skips
    those B now holds."""
    sent_envelope(sessions)
    [mine] = outbox.claim(sessions, kinds=["email"], now=NOW)
    later = NOW + outbox.LEASE + dt.timedelta(seconds=1)
    [theirs] = outbox.claim(sessions, kinds=["email"], now=later)
    assert theirs.id == mine.id and theirs.attempts == mine.attempts + 1
    assert not outbox.renew(sessions, mine, later + outbox.LEASE)  # A lets it go
    assert outbox.renew(sessions, theirs, later + outbox.LEASE)    # B carries it out


def test_a_row_the_worker_dies_on_every_time_is_given_up(sessions):
    """Claimed again and again with no outcome recorded (the worker was killed each
    time): after MAX_ATTEMPTS it is given up, and its handler told, not fed to workers
    for ever."""
    sent_envelope(sessions)
    broken = Broken()
    at = NOW
    for _ in range(outbox.MAX_ATTEMPTS):
        assert outbox.claim(sessions, kinds=["email"], now=at)  # ... and the worker dies
        at += outbox.LEASE + dt.timedelta(seconds=1)
    assert outbox.run_once(sessions, {"email": broken}, now=at) == 1
    assert broken.calls == 0
    assert broken.given_up == [f"gave up after {outbox.MAX_ATTEMPTS} attempts: the worker "
                               "stopped each time while carrying it out"]
    with sessions() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")).one()
        assert row.failed_at == at and row.sent_at is None
