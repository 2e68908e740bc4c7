"""A person's own records (issue 19): the "your copy" email (attached by default, a link
that outlives the signing link), the records page that mails a fresh link to each of a
person's records, and those links: checked against the archive, revocable, each use in
the access log, and refused to whoever should not reach them.

Archived records are made without LibreOffice: plankit's envelopes, a stand-in final
PDF staged and archived by the finalizer's own archiving step."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import re
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from archive import access_log
from signing.domain import envelopes as svc
from signing.domain import outbox, own_records
from signing.domain import workflow as wf
from signing.domain.finalize import Finalizer
from signing.domain.links import Purpose
from signing.domain.mail import FileMailBackend
from signing.domain.mail.backends import SendGridMailBackend
from signing.domain.models import Document, EnvelopeRow, OutboxRow, RecordsRequestRow, SignerRow
from signing.domain.notify import Mailer
from signing.domain.recordlinks import RecordLinks
from signing.web.app import create_app
from signing.web.current import services_of
from tests.console.plankit import make_plan
from tests.signing.mail.sendgrid_standin import FakeSendGrid

KEYS = ["k" * 40]
BASE = "https://sign.example.com"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
NO_LIMITS = {"rate_limit_signer": "", "rate_limit_signer_strict": "",
             "rate_limit_records_request": "", "rate_limit_records_request_address": ""}
EMPLOYEE = "alex.sample@example.com"  # the sample plan's employee


def make_app(tmp_path: Path, database_url: str, **settings: object):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": KEYS[0], "base_url": BASE, **NO_LIMITS, **settings})


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return make_app(tmp_path, database_url)


def archive_plan(app, *, until: str = "acknowledged", employee_email: str = EMPLOYEE,
                 pdf_size: int = 0) -> str:
    """An acknowledged plan, sealed (a stand-in PDF) and archived."""
    services = services_of(app)
    sessions = services.sessions
    envelope_id = make_plan(sessions, owner="apikey:psk_test0000", until=until)
    final = (b"%PDF-1.7 final " + envelope_id.encode()).ljust(pdf_size, b" ")
    digest = hashlib.sha256(final).hexdigest()
    with sessions.begin() as session:
        session.execute(update(SignerRow).where(SignerRow.envelope_id == envelope_id,
                                                SignerRow.role == "employee")
                        .values(email=employee_email))
        session.add(Document(sha256=digest, content_type="application/pdf", size=len(final),
                             content=final, created_at=NOW))
        svc.perform(session, envelope_id, wf.Action.SEAL, final_sha256=digest,
                    actor=svc.Actor("worker"), now=NOW)
        svc.load(session, envelope_id).final_sha256 = digest
    Finalizer(sessions, services.store, sealing_key=lambda: None,  # type: ignore[arg-type]
              company_name="Co")._archive(envelope_id, NOW)
    return envelope_id


def employee_of(app, envelope_id: str) -> str:
    with services_of(app).sessions() as session:
        return next(s.id for s in svc.load(session, envelope_id).signers
                    if s.role == "employee")


def final_pdf(app, envelope_id: str) -> bytes:
    with services_of(app).sessions() as session:
        row = svc.load(session, envelope_id)
        return session.get_one(Document, row.final_sha256).content


def mailer(app, backend, **options) -> Mailer:
    services = services_of(app)
    return Mailer(backend, services.links, BASE, "Co", record_links=services.record_links,
                  **options)


def mails(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for p in sorted(folder.glob("*.eml"))]


def copy_mail(app, tmp_path, **options) -> email.message.EmailMessage:
    folder = tmp_path / "mail-out"
    outbox.run_once(services_of(app).sessions,
                    {"email": mailer(app, FileMailBackend(folder), **options)}, now=NOW)
    return next(m for m in mails(folder) if m["Subject"] == "Your copy of your performance plan")


def link_in(message, path: str) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.findall(rf"{re.escape(BASE)}(/{path}/[A-Za-z0-9_.\-]+)", text)
    assert found, text
    return found[0]


def attached_pdfs(message) -> list[bytes]:
    return [p.get_content() for p in message.iter_attachments()
            if p.get_content_type() == "application/pdf"]


def log(app, envelope_id: str | None = None) -> list[tuple[str, bool, str]]:
    with services_of(app).sessions() as session:
        return [(e.action, e.allowed, e.actor)
                for e in access_log(session, envelope_id=envelope_id)]


# -- the "your copy" email ------------------------------------------------------------------


def test_the_copy_is_attached_by_default_and_its_link_serves_the_archived_record(
        app, client, tmp_path):
    envelope_id = archive_plan(app)
    message = copy_mail(app, tmp_path)
    pdf = final_pdf(app, envelope_id)
    assert attached_pdfs(message) == [pdf]
    text = message.get_body(("plain",)).get_content()
    assert "It is attached to this email" in text
    assert "keeps working as long as the record is kept" in text
    assert f"{BASE}/my-records" in text and "/s/" not in text  # not the signing link

    response = client.get(link_in(message, "copy"))
    assert response.status_code == 200 and response.data == pdf
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    signer = employee_of(app, envelope_id)
    assert log(app, envelope_id)[0] == ("copy.download", True, f"signer:{signer}")


def test_a_link_only_delivery_attaches_nothing(app, tmp_path):
    archive_plan(app)
    message = copy_mail(app, tmp_path, copy_delivery="link")
    assert attached_pdfs(message) == []
    assert "Download your copy" in message.get_body(("plain",)).get_content()


def test_a_copy_too_large_to_attach_is_linked_and_the_email_says_why(app, tmp_path):
    archive_plan(app, pdf_size=3_000_000)
    message = copy_mail(app, tmp_path, copy_attachment_bytes=1_000_000)
    assert attached_pdfs(message) == []
    text = message.get_body(("plain",)).get_content()
    assert "The document (3.0 MB) is too large to attach" in text
    assert "too large to attach" in message.get_body(("html",)).get_content()


def test_the_copy_goes_through_sendgrids_client_with_the_pdf_attached(app):
    import base64

    envelope_id = archive_plan(app)
    with FakeSendGrid() as provider:
        backend = SendGridMailBackend("SG.test-key", host=provider.host,
                                      from_email="hr@example.com", timeout=5)
        outbox.run_once(services_of(app).sessions, {"email": mailer(app, backend)}, now=NOW)
    bodies = [r.json for r in provider.requests]
    copy = next(b for b in bodies if b["subject"] == "Your copy of your performance plan")
    (attachment,) = copy["attachments"]
    assert attachment["filename"] == "performance-plan-signed.pdf"
    assert attachment["type"] == "application/pdf"
    assert base64.b64decode(attachment["content"]) == final_pdf(app, envelope_id)


def test_an_unknown_delivery_is_refused_naming_the_setting(tmp_path, database_url, clean_env):
    from config import SettingsError

    app = make_app(tmp_path, database_url, employee_copy_delivery="pigeon")
    with pytest.raises(SettingsError, match="employee_copy_delivery"):
        services_of(app).mailer  # noqa: B018


# -- copy links: long-lived, bound, revocable, logged ---------------------------------------


def copy_token(app, envelope_id: str, signer_id: str, *, at: dt.datetime,
               purpose: Purpose = Purpose.DOWNLOAD) -> str:
    return services_of(app).record_links.sign("plan", envelope_id, signer_id,
                                              purpose=purpose, now=at)


def test_a_copy_link_outlives_the_signing_link(app, client):
    envelope_id = archive_plan(app)
    token = copy_token(app, envelope_id, employee_of(app, envelope_id),
                       at=NOW - dt.timedelta(days=800))
    assert client.get(f"/copy/{token}").status_code == 200


def test_a_copy_link_with_a_lifetime_expires_and_says_what_to_do(tmp_path, database_url,
                                                                 clean_env):
    app = make_app(tmp_path, database_url, employee_copy_link_days=30)
    envelope_id = archive_plan(app)
    signer = employee_of(app, envelope_id)
    client = app.test_client()
    assert client.get(f"/copy/{copy_token(app, envelope_id, signer, at=NOW)}").status_code == 200
    old = copy_token(app, envelope_id, signer, at=NOW - dt.timedelta(days=31))
    response = client.get(f"/copy/{old}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link has expired" in page and 'href="/my-records"' in page
    assert old not in page


def test_revoked_links_stop_and_a_later_one_works(app, client):
    envelope_id = archive_plan(app)
    signer = employee_of(app, envelope_id)
    before = copy_token(app, envelope_id, signer, at=NOW - dt.timedelta(days=2))
    with services_of(app).sessions.begin() as session:
        own_records.revoke(session, "plan", envelope_id, signer_id=None, by="cli:riley",
                           reason="mailbox compromised", now=NOW - dt.timedelta(days=1))
    response = client.get(f"/copy/{before}")
    assert response.status_code == 410
    assert "no longer available" in response.get_data(as_text=True)
    after = copy_token(app, envelope_id, signer, at=NOW)
    assert client.get(f"/copy/{after}").status_code == 200
    assert [(a, ok) for a, ok, _ in log(app, envelope_id)][:2] == [
        ("copy.download", True), ("copy.download", False)]


def test_a_link_reaches_only_its_own_record_for_its_own_signer(app, client):
    mine = archive_plan(app)
    other = archive_plan(app, employee_email="someone.else@example.com")
    signer = employee_of(app, mine)
    # A signer of one record named with another record (only our keys could sign it).
    crossed = copy_token(app, other, signer, at=NOW)
    assert client.get(f"/copy/{crossed}").status_code == 410
    assert log(app, other)[0] == ("copy.download", False, f"signer:{signer}")
    # Edited, forged with another key, made for another purpose, or a signing link.
    token = copy_token(app, mine, signer, at=NOW)
    forged = RecordLinks(["x" * 40], copy_max_age=None,
                         access_max_age=dt.timedelta(hours=1)).sign(
        "plan", mine, signer, purpose=Purpose.DOWNLOAD, now=NOW)
    access = copy_token(app, mine, signer, at=NOW, purpose=Purpose.RECORDS_ACCESS)
    signing = services_of(app).links.sign(signer, "n" * 43)
    for bad in (token[:-2] + "xx", forged, access, signing, "not-a-token", "a" * 2000):
        response = client.get(f"/copy/{bad}")
        assert response.status_code in (403, 404), bad
        if response.status_code == 403:
            assert "This link cannot be used" in response.get_data(as_text=True)
    # And a copy link opens no signing page.
    assert client.get(f"/s/{token}").status_code == 403


def test_a_purged_record_is_gone_from_its_links(app, client):
    from archive import Reader, get_record
    from archive.retention import purge
    from signing.domain.erasure import erase_purged

    envelope_id = archive_plan(app)
    token = copy_token(app, envelope_id, employee_of(app, envelope_id), at=NOW)
    services = services_of(app)
    with services.sessions.begin() as session:
        get_record(session, envelope_id).retain_until = NOW - dt.timedelta(days=1)
    purge(services.sessions, services.store, now=NOW, by=Reader("cli:test"), execute=True)
    with services.sessions.begin() as session:
        assert erase_purged(session) == [envelope_id]
    assert client.get(f"/copy/{token}").status_code == 410


# -- the records page ----------------------------------------------------------------------


def csrf(client, path: str = "/my-records") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def ask(client, address: str, **environ):
    token = csrf(client)
    return client.post("/my-records", data={"email": address, "csrf_token": token},
                       environ_base=environ)


def _without_token(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page)


def answer(app) -> int:
    services = services_of(app)
    return own_records.answer_requests(services.sessions, now=dt.datetime.now(dt.UTC),
                                       pepper=services.records_pepper)


def test_the_same_answer_and_work_whether_or_not_the_address_is_a_signers(app, client):
    archive_plan(app)
    known = ask(client, "Alex.Sample@Example.com")
    unknown = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert _without_token(known.get_data(as_text=True)) == \
        _without_token(unknown.get_data(as_text=True))
    assert "If we hold records with that address" in known.get_data(as_text=True)
    # The page wrote the same for both: a request for the worker, a line in the log that
    # names the address by a keyed hash, and no email yet.
    with services_of(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(RecordsRequestRow)) == 2
        assert not session.scalars(select(OutboxRow).where(
            OutboxRow.name == own_records.REQUEST_EMAIL)).all()
        lines = [(e.action, e.envelope_id, e.actor) for e in access_log(session)]
    assert lines == [("records.request", None, "records page")] * 2
    # The worker answers: an email for the signer's address only, and the log says so.
    assert answer(app) == 2 and answer(app) == 0
    with services_of(app).sessions() as session:
        rows = session.scalars(select(OutboxRow).where(
            OutboxRow.name == own_records.REQUEST_EMAIL)).all()
        assert [r.payload for r in rows] == [{"address": EMPLOYEE}]
        assert session.scalar(select(func.count()).select_from(RecordsRequestRow)) == 0
        entries = {e.action: e for e in access_log(session)}
    assert "nobody@example.com" not in (entries["records.none"].detail or "")
    assert EMPLOYEE in (entries["records.mailed"].detail or "")


def test_the_request_sends_the_same_statements_for_a_known_and_an_unknown_address(
        app, client):
    """Issue 19: the page's time must not tell a signer's address from another, so the
    request does the same work for both, statement for statement (the worker looks the
    address up); only the parameters differ. No timing asserted: bench/ measures it."""
    from sqlalchemy import event

    archive_plan(app)
    token = csrf(client)
    engine = services_of(app).engine

    def statements(address: str) -> list[str]:
        sent: list[str] = []

        def seen(_conn, _cursor, statement, *_rest) -> None:
            sent.append(" ".join(statement.split()))

        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert client.post("/my-records", data={"email": address, "csrf_token": token}
                               ).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        return sent

    known, unknown = statements(EMPLOYEE), statements("alex.sample@example.net")
    assert known == unknown
    assert [s.split()[:3] for s in known if s.startswith("INSERT")] == [
        ["INSERT", "INTO", "archive_access"], ["INSERT", "INTO", "records_requests"]]
    assert not [s for s in known if s.startswith("SELECT")]


def test_a_known_address_is_mailed_a_fresh_link_to_every_record(app, client, tmp_path):
    first, second = archive_plan(app), archive_plan(app, until="refused")
    archive_plan(app, employee_email="someone.else@example.com")
    assert ask(client, EMPLOYEE).status_code == 200
    assert answer(app) == 1
    folder = tmp_path / "mail-out"
    with services_of(app).sessions.begin() as session:  # only the request's row
        session.execute(update(OutboxRow).where(OutboxRow.name != own_records.REQUEST_EMAIL)
                        .values(sent_at=NOW))
    outbox.run_once(services_of(app).sessions,
                    {"email": mailer(app, FileMailBackend(folder))},
                    now=dt.datetime.now(dt.UTC))
    (message,) = mails(folder)
    assert message["Subject"] == "Your records" and message["To"].addresses[0].addr_spec \
        == EMPLOYEE
    text = message.get_body(("plain",)).get_content()
    links = re.findall(rf"{re.escape(BASE)}(/my-records/[A-Za-z0-9_.\-]+)", text)
    assert len(links) == 2 and "refused to sign" in text and "acknowledged" in text
    served = {client.get(link).data for link in links}
    assert served == {final_pdf(app, first), final_pdf(app, second)}
    downloads = [e for e in log(app) if e[0] == "records.download"]
    assert len(downloads) == 2 and all(ok for _, ok, _ in downloads)


def test_an_expired_records_link_says_to_ask_again(app, client):
    envelope_id = archive_plan(app)
    old = copy_token(app, envelope_id, employee_of(app, envelope_id),
                     at=NOW - dt.timedelta(hours=2), purpose=Purpose.RECORDS_ACCESS)
    response = client.get(f"/my-records/{old}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link has expired" in page and "Go to the records page" in page
    # A long-lived copy link is not a records link either.
    copy = copy_token(app, envelope_id, employee_of(app, envelope_id), at=NOW)
    assert client.get(f"/my-records/{copy}").status_code == 403


@pytest.mark.parametrize("typed, says", [
    ("", "Enter your email address."),
    ("not an address", "Enter an email address in the form name@example.com."),
    ("a@b.c, d@e.f", "Enter an email address in the form name@example.com."),
    ("x" * 250 + "@example.com", "An email address is at most 254 characters."),
])
def test_a_malformed_address_is_answered_beside_its_field(app, client, typed, says):
    response = ask(client, typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says in page and 'aria-invalid="true"' in page and 'href="#email"' in page
    with services_of(app).sessions() as session:
        assert session.scalars(select(RecordsRequestRow)).all() == []


def test_a_forged_form_sends_nothing(app, client):
    archive_plan(app)
    response = client.post("/my-records", data={"email": EMPLOYEE})
    assert response.status_code == 400
    assert "records page" in response.get_data(as_text=True)
    with services_of(app).sessions() as session:
        assert not session.scalars(select(RecordsRequestRow)).all()


def test_requests_are_limited_per_address_and_per_client(tmp_path, database_url, clean_env):
    app = make_app(tmp_path, database_url, rate_limit_records_request="3 per minute",
                   rate_limit_records_request_address="2 per minute")
    client = app.test_client()
    # One address from many clients: its third request is refused.
    assert ask(client, EMPLOYEE, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert ask(client, EMPLOYEE.upper(), REMOTE_ADDR="10.0.0.2").status_code == 200
    refused = ask(client, EMPLOYEE, REMOTE_ADDR="10.0.0.3")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    # One client asking for many addresses: its fourth request is refused.
    for n in range(3):
        assert ask(client, f"p{n}@example.com", REMOTE_ADDR="10.0.0.9").status_code == 200
    assert ask(client, "p9@example.com", REMOTE_ADDR="10.0.0.9").status_code == 429
    # Reading the page is not a request.
    assert client.get("/my-records", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code \
        == 200


def test_a_records_links_token_is_kept_out_of_the_logs():
    from signing.web.weberrors import redacted_path

    assert redacted_path("/copy/abc.def") == "/copy/[token]"
    assert redacted_path("/my-records/abc.def") == "/my-records/[token]"
    assert redacted_path("/my-records") == "/my-records"


def test_revoke_copy_links_from_the_command_line(app, client, tmp_path, database_url, runner):
    from signing.cli import main

    envelope_id = archive_plan(app)
    signer = employee_of(app, envelope_id)
    token = copy_token(app, envelope_id, signer, at=NOW - dt.timedelta(minutes=5))
    env = {"PLANSIGN_INSTANCE_PATH": str(tmp_path), "PLANSIGN_DATABASE_URL": database_url,
           "PLANSIGN_SECRET_KEYS": KEYS[0]}
    args = ["archive", "revoke-copy-links", envelope_id]
    refused = runner.invoke(main, [*args, "--signer", "nobody", "--reason", "x"], env=env)
    assert refused.exit_code == 2 and "nobody is not a signer" in refused.output
    missing = runner.invoke(main, ["archive", "revoke-copy-links", "no-such-id", "--reason",
                                   "x"], env=env)
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    done = runner.invoke(main, [*args, "--signer", signer, "--reason", "mailbox taken over"],
                         env=env)
    assert done.exit_code == 0, done.output
    assert client.get(f"/copy/{token}").status_code == 410
    assert ("copy.revoke", True) in [(a, ok) for a, ok, _ in log(app, envelope_id)]


def test_a_voided_plans_record_is_found_retrieved_and_listed_for_its_signers(
        app, client, tmp_path):
    from signing.domain import apikeys

    envelope_id = archive_plan(app, until="voided")
    with services_of(app).sessions.begin() as session:
        assert svc.load(session, envelope_id).state == wf.EnvelopeState.VOIDED
        plaintext = apikeys.create_key(session, "Records team", "records", NOW)[1]
    headers = {"Authorization": f"Bearer {plaintext}"}
    found = client.get("/api/v1/archive/records?outcome=voided", headers=headers).get_json()
    assert [r["envelope_id"] for r in found["records"]] == [envelope_id]
    pdf = client.get(f"/api/v1/archive/records/{envelope_id}/final.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.data == final_pdf(app, envelope_id)
    # Its employee's request on the records page finds it.
    with services_of(app).sessions() as session:
        assert [r.outcome for r in own_records.records_of(session, EMPLOYEE)] == ["voided"]


def test_the_worker_answers_a_request_and_mails_the_links(app, client, tmp_path,
                                                          database_url, runner):
    from signing.cli import main

    envelope_id = archive_plan(app)
    with services_of(app).sessions.begin() as session:  # only the request's email
        session.execute(update(OutboxRow).values(sent_at=NOW))
    assert ask(client, EMPLOYEE).status_code == 200
    env = {"PLANSIGN_INSTANCE_PATH": str(tmp_path), "PLANSIGN_DATABASE_URL": database_url,
           "PLANSIGN_SECRET_KEYS": KEYS[0], "PLANSIGN_BASE_URL": BASE}
    worked = runner.invoke(main, ["worker", "--once"], env=env)
    assert worked.exit_code == 0, worked.output
    assert "answered 1 request for records" in worked.output
    (message,) = mails(tmp_path / "mail")
    (link,) = re.findall(rf"{re.escape(BASE)}(/my-records/[A-Za-z0-9_.\-]+)",
                         message.get_body(("plain",)).get_content())
    assert client.get(link).data == final_pdf(app, envelope_id)


def test_a_closed_cases_case_file_is_the_employees_record_too(app, client, tmp_path):
    """Issue 19: the records page gives the employee every record of theirs, the case
    file of a closed case (every check-in record with their answers) among them; the
    plan's manager, a signer too, is given the plan only."""
    from archive.models import ArchivedRecord

    envelope_id = archive_plan(app)
    services = services_of(app)
    case_file = b"%PDF-1.7 the sealed case file " + envelope_id.encode()
    closed = dt.datetime(2027, 2, 1, 16, tzinfo=dt.UTC)
    with services.sessions.begin() as session:
        record = session.get_one(ArchivedRecord, envelope_id)
        record.case_file_sha256 = services.store.put(case_file)
        record.case_outcome, record.case_closed_at = "not_met", closed
        manager = next(s for s in svc.load(session, envelope_id).signers
                       if s.role == "manager")
    with services.sessions() as session:
        mine = own_records.records_of(session, EMPLOYEE)
        theirs = own_records.records_of(session, manager.email.lower())
    assert [(r.kind, r.outcome) for r in mine] == [("case_file", "not_met"),
                                                  ("plan", "acknowledged")]
    assert [r.kind for r in theirs] == ["plan"]

    assert ask(client, EMPLOYEE).status_code == 200 and answer(app) == 1
    folder = tmp_path / "mail-out"
    with services.sessions.begin() as session:  # only the request's row
        session.execute(update(OutboxRow).where(OutboxRow.name != own_records.REQUEST_EMAIL)
                        .values(sent_at=NOW))
    outbox.run_once(services.sessions, {"email": mailer(app, FileMailBackend(folder))},
                    now=dt.datetime.now(dt.UTC))
    (message,) = mails(folder)
    text = message.get_body(("plain",)).get_content()
    assert "The case file of your performance improvement plan" in text
    assert "the plan's goals were not met" in text
    links = re.findall(rf"{re.escape(BASE)}(/my-records/[A-Za-z0-9_.\-]+)", text)
    served = {client.get(link).data for link in links}
    assert served == {case_file, final_pdf(app, envelope_id)}
    # A case file link is for the employee: the manager's signer id in it is refused.
    forged = services.record_links.sign("case_file", envelope_id, manager.id,
                                        purpose=Purpose.RECORDS_ACCESS,
                                        now=dt.datetime.now(dt.UTC))
    assert client.get(f"/my-records/{forged}").status_code in (403, 404, 410)


def test_a_french_plans_copy_is_attached_under_a_french_name_and_says_its_language(
        app, tmp_path):
    envelope_id = archive_plan(app)
    with services_of(app).sessions.begin() as session:
        row = session.get_one(EnvelopeRow, envelope_id)
        row.plan_data = {**row.plan_data, "language": "fr"}
    folder = tmp_path / "mail-out"
    outbox.run_once(services_of(app).sessions,
                    {"email": mailer(app, FileMailBackend(folder))}, now=NOW)
    (copy,) = [m for m in mails(folder) if attached_pdfs(m) and EMPLOYEE in m["To"]]
    assert copy["Content-Language"] == "fr"
    assert [p.get_filename() for p in copy.iter_attachments()] == [
        "plan-de-performance-signé.pdf"]
