"""Finalizing end to end with real LibreOffice: generate, send, act, then stamp, seal and
archive from the worker's outbox, and verify what was archived.

What a user would check: the final PDF's text (stamps, comments in Arabic and Chinese,
the certificate), its seal (pyHanko and poppler's pdfsig), the archive's record, the
signers' copies, and `verify` failing on a tampered copy.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import io
import subprocess
import unicodedata
from email import policy
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy import select

from archive import ArchivedRecord, FolderStore
from database import make_session_factory
from docgen import SIGNATURE_ANCHORS, plan_from_data, resolve_template
from docgen.seal import create_self_signed, validate
from docgen.stamp import find_anchors
from signing.domain import apikeys, deadlines, outbox, people, verification
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.completion import SignerFacts, completion_of
from signing.domain.finalize import Finalizer
from signing.domain.links import LinkSigner
from signing.domain.mail import FileMailBackend
from signing.domain.models import Document, OutboxRow
from signing.domain.notify import Mailer
from signing.domain.recordlinks import RecordLinks
from signing.domain.sending import SendOptions, send_plan
from signing.domain.wording import CONSENT, STATEMENT, consent_for, statement_for
from tests.conftest import EXAMPLES
from tests.docgen.stamp.test_stamp_record import joined, words_near

NOW = dt.datetime(2027, 1, 11, 9, 0, tzinfo=dt.UTC)
HR = svc.Actor("hr:riley")
ARABIC = "أوافق على الخطة ولكن الأهداف صعبة"
CHINESE = "我已阅读此计划，但我不同意第二个目标。"


@pytest.fixture
def seal_key(tmp_path):
    return create_self_signed(tmp_path / "seal", "Alpenglühn Mobile AG", now=NOW)


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "archive")


@pytest.fixture
def finalizer(sessions, store, seal_key):
    return Finalizer(sessions, store, sealing_key=lambda: seal_key, company_name="Fallback Co")


def check(pdf: bytes, key) -> object:
    return validate(pdf, trusted=[key.certificate])


# The employee alone, for the tests about finalizing itself; the default routing (every
# line signed by its role) is tested on its own below.
EMPLOYEE_ALONE = {"manager": "none", "hr": "none"}


def send(sessions, converter, *, routing: dict | None = EMPLOYEE_ALONE,
         actor=HR) -> str:
    import yaml

    data = yaml.safe_load(EXAMPLES[2].read_text(encoding="utf-8"))
    if routing is not None:
        data["routing"] = routing
    return send_plan(sessions, data, options=SendOptions(
        template=resolve_template("standard"), company_name="Fallback Co",
        expires_in=dt.timedelta(days=14)), converter=converter, actor=actor, now=NOW)


def signers(sessions, envelope_id) -> dict[str, str]:
    with sessions() as session:
        return {s.role: s.id for s in svc.load(session, envelope_id).signers}


def act(sessions, envelope_id, action, signer_id, at, *, ip="198.51.100.23",
        browser="Mozilla/5.0 (X11; Linux x86_64) Chromium/120", **arguments):
    actor = svc.Actor(f"signer:{signer_id}", ip, browser)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, action, signer_id=signer_id, actor=actor, now=at,
                    **arguments)


def finalize(sessions, finalizer, at) -> None:
    assert outbox.run_once(sessions, {"finalize": finalizer}, now=at) >= 1


def final_pdf(sessions, envelope_id) -> bytes:
    with sessions() as session:
        row = svc.load(session, envelope_id)
        return session.get_one(Document, row.final_sha256).content


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "final.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return unicodedata.normalize("NFKC", out)


def test_acknowledged_with_comments_in_arabic_and_chinese(sessions, converter, finalizer,
                                                          store, seal_key, tmp_path):
    envelope_id = send(sessions, converter)
    employee = signers(sessions, envelope_id)["employee"]
    at = NOW + dt.timedelta(days=1)
    act(sessions, envelope_id, "comment", employee, at, text=ARABIC)
    act(sessions, envelope_id, "acknowledge", employee, at + dt.timedelta(minutes=5),
        typed_name="Léa Brändli", consent=True, statement=STATEMENT, comment=CHINESE)
    finalize(sessions, finalizer, at + dt.timedelta(minutes=6))

    with sessions() as session:
        row = svc.load(session, envelope_id)
        assert row.state == wf.EnvelopeState.ARCHIVED
        trail = svc.audit_trail(session, envelope_id)
        assert [r.type for r in trail][-2:] == ["envelope.sealed", "envelope.archived"]
        record = session.get_one(ArchivedRecord, envelope_id)
        assert (record.employee_name, record.outcome) == ("Léa Brändli", "acknowledged")
        assert record.final_sha256 == row.final_sha256
        assert record.original_sha256 == row.document_sha256
        copies = session.scalars(select(OutboxRow).where(OutboxRow.name == "your_copy")).all()
        assert [c.signer_id for c in copies] == [employee]
    final = final_pdf(sessions, envelope_id)
    assert store.get(record.final_sha256) == final

    # The original pages come first, unchanged in number; the additions follow.
    with pdfplumber.open(io.BytesIO(final)) as pdf:
        pages = len(pdf.pages)
    with pdfplumber.open(io.BytesIO(store.get(record.original_sha256))) as pdf:
        original_pages = len(pdf.pages)
    assert pages > original_pages
    stamp_words = _words_beside(final, "Employee signature:")
    assert {"Acknowledged", "Certificate"} <= set(stamp_words), stamp_words
    text = text_of(final, tmp_path)
    assert "Acknowledged" in text and "Léa Brändli" in text
    assert _arabic_words_present(text)
    assert unicodedata.normalize("NFKC", CHINESE) in text.replace(" ", "").replace("\n", "")
    assert record.original_sha256 in text.replace("\n", "").replace(" ", "")
    assert "198.51.100.23" in text and "Chromium/120" in text
    assert trail[-2].prev_hash in text.replace("\n", "").replace(" ", "")  # chain head
    assert CONSENT.split(".")[0] in " ".join(text.split())
    assert f"Page {pages} of {pages}" in text

    report = check(final, seal_key)
    assert report.ok and report.covers_whole_file and report.intact
    pdfsig = _pdfsig(final, tmp_path)
    assert "Signature is Valid" in pdfsig and "Total document signed" in pdfsig

    validate_ = lambda pdf: check(pdf, seal_key)  # noqa: E731
    with sessions() as session:
        checks = verification.verify_envelope(session, store, envelope_id, validate_)
        assert all(c.ok for c in checks), checks
        assert all(c.ok for c in verification.verify_file(session, store, final, validate_))
        tampered = bytearray(final)
        spot = final.index(b"Performance") if b"Performance" in final else len(final) // 3
        tampered[spot] ^= 0x01
        results = verification.verify_file(session, store, bytes(tampered), validate_)
        assert not all(c.ok for c in results)
        assert any(c.name == "seal" and not c.ok for c in results)


def test_finalizing_twice_changes_nothing(sessions, converter, finalizer, store, tmp_path):
    envelope_id = send(sessions, converter)
    employee = signers(sessions, envelope_id)["employee"]
    at = NOW + dt.timedelta(days=2)
    act(sessions, envelope_id, "acknowledge", employee, at, typed_name="Léa Brändli",
        consent=True, statement=STATEMENT)
    finalize(sessions, finalizer, at)
    blobs = sorted(p.name for p in (tmp_path / "archive").rglob("*") if p.is_file())
    events = _events(sessions, envelope_id)
    readers = make_session_factory(sessions.kw["bind"], read_only=True)
    with readers() as session:
        job = outbox.OutboxJob(0, "again", "finalize", "finalize", envelope_id, None, {}, 2, at)
        finalizer(session, job, at + dt.timedelta(hours=1))
    assert sorted(p.name for p in (tmp_path / "archive").rglob("*") if p.is_file()) == blobs
    assert _events(sessions, envelope_id) == events
    assert len(blobs) == 4


def test_a_crash_after_sealing_archives_the_staged_pdf_not_a_new_one(
        sessions, converter, finalizer, store, seal_key):
    envelope_id = send(sessions, converter)
    employee = signers(sessions, envelope_id)["employee"]
    at = NOW + dt.timedelta(days=2)
    act(sessions, envelope_id, "acknowledge", employee, at, typed_name="Léa Brändli",
        consent=True, statement=STATEMENT)
    # The first run dies after staging the sealed PDF, before archiving.
    with sessions() as session:
        row = svc.load(session, envelope_id)
        staged = finalizer.final_pdf(session, row, at)
    finalizer._stage(envelope_id, staged, at)
    finalize(sessions, finalizer, at + dt.timedelta(minutes=5))
    with sessions() as session:
        record = session.get_one(ArchivedRecord, envelope_id)
    assert record.final_sha256 == hashlib.sha256(staged).hexdigest()


def confirm(sessions, envelope_id, role, signer_id, name, at) -> None:
    act(sessions, envelope_id, "confirm", signer_id, at, typed_name=name, consent=True,
        statement=statement_for(role), consent_text=consent_for(role))


def test_a_refusal_recorded_by_the_manager_leaves_the_employee_time_to_comment(
        sessions, converter, finalizer, seal_key, tmp_path):
    """The user walk that found it: the manager records the refusal, HR countersign
    seconds later; the plan must not be sealed before the employee, just emailed that
    they can comment, has had the chance. It is sealed by the worker's sweep once the
    comment window has passed, with the employee's comment in the record."""
    envelope_id = send(sessions, converter, routing=None)  # the default: every line signed
    ids = signers(sessions, envelope_id)
    at = NOW + dt.timedelta(days=3)
    confirm(sessions, envelope_id, "manager", ids["manager"], "Jürg Baumann", at)
    recorded = at + dt.timedelta(hours=1)
    # The plan's HR signer was in the meeting: they may witness it.
    act(sessions, envelope_id, "record_refusal", ids["manager"], recorded,
        witness="Sofía Castellanos", reason="Says the targets are unfair.", confirmed=True,
        meeting_at="2027-01-14T10:30", meeting_place="Room 4B", timezone="Europe/Zurich",
        comment_days=5)
    confirm(sessions, envelope_id, "hr", ids["hr"], "Sofia Castellanos",
            recorded + dt.timedelta(seconds=20))
    with sessions() as session:
        row = svc.load(session, envelope_id)
        assert row.state == wf.EnvelopeState.SENT  # every signer done, and not sealed
        assert row.comments_until == recorded + dt.timedelta(days=5)
        assert session.scalars(select(OutboxRow).where(OutboxRow.name == "finalize")).all() == []
    act(sessions, envelope_id, "comment", ids["employee"], recorded + dt.timedelta(days=2),
        text="I did not refuse; I asked for time to read the plan.")
    # Before the window has passed, the sweep leaves the plan open.
    assert deadlines.sweep(sessions, now=recorded + dt.timedelta(days=4, hours=23),
                           remind_every=None).completed == []
    closed_at = recorded + dt.timedelta(days=5)
    assert deadlines.sweep(sessions, now=closed_at, remind_every=None).completed == [
        envelope_id]
    finalize(sessions, finalizer, closed_at + dt.timedelta(minutes=1))
    final = final_pdf(sessions, envelope_id)
    text = " ".join(text_of(final, tmp_path).split())
    assert "Refused to sign" in text and "Confirmed" in text
    assert "Sofía Castellanos" in text and "Says the targets are unfair." in text
    assert "I did not refuse; I asked for time to read the plan." in text
    # The employee's line says who recorded the refusal, before whom and at which
    # meeting, not that she did it herself.
    small = _small_print(final, "employee")
    assert ("Refusal to sign recorded by Jürg Baumann (manager), witness Sofía Castellanos, "
            "at a meeting on 14 Jan 2027, 10:30 CET, Room 4B") in small, small
    assert "What was recorded as the employee's words" in text
    # Those who signed agreed to the company's consent; the employee agreed to nothing.
    assert ("Jürg Baumann (Manager) agreed to the following before signing: "
            f"{consent_for('manager')}") in text
    assert ("Sofía Castellanos (HR representative) agreed to the following before signing: "
            f"{consent_for('hr')}") in text
    assert "Léa Brändli did not sign, and agreed to none of it." in text
    assert CONSENT not in text
    with sessions() as session:
        assert session.get_one(ArchivedRecord, envelope_id).outcome == "refused"
        assert svc.load(session, envelope_id).state == wf.EnvelopeState.ARCHIVED


def test_a_legal_name_that_differs_is_stamped_with_the_name_on_record(
        sessions, converter, finalizer, tmp_path):
    envelope_id = send(sessions, converter)
    employee = signers(sessions, envelope_id)["employee"]
    act(sessions, envelope_id, "acknowledge", employee, NOW + dt.timedelta(days=1),
        typed_name="Lea Keller-Brändli", name_differs=True, consent=True, statement=STATEMENT,
        consent_text=CONSENT, timezone="Europe/Zurich")
    finalize(sessions, finalizer, NOW + dt.timedelta(days=1))
    final = final_pdf(sessions, envelope_id)
    assert "Lea Keller-Brändli" in " ".join(_words_beside(final, SIGNATURE_ANCHORS["employee"]))
    assert ("Name on record: Léa Brändli; signer states their legal name differs (not "
            "verified by plansign)") in _small_print(final, "employee")
    text_of(final, tmp_path)  # kept with the test's files, to be looked at


def test_a_routed_employees_sent_row_names_plansign_not_the_managers_browser(
        sessions, converter, finalizer, seal_key, tmp_path):
    """The manager signs first; their signature makes plansign send the employee the
    plan, in the manager's request. That "Sent" is plansign's act: the certificate shows
    no IP address or browser on it, least of all the manager's."""
    envelope_id = send(sessions, converter, routing={"manager": "before", "hr": "none"})
    ids = signers(sessions, envelope_id)
    at = NOW + dt.timedelta(days=1)
    act(sessions, envelope_id, "confirm", ids["manager"], at, ip="198.51.100.77",
        browser="ManagerBrowser/1.0", typed_name="Jürg Baumann", consent=True,
        statement=statement_for("manager"))
    act(sessions, envelope_id, "acknowledge", ids["employee"], at + dt.timedelta(hours=3),
        ip="203.0.113.9", browser="EmployeeBrowser/2.0", typed_name="Léa Brändli",
        consent=True, statement=STATEMENT)
    finalize(sessions, finalizer, at + dt.timedelta(hours=4))
    final = final_pdf(sessions, envelope_id)
    with pdfplumber.open(io.BytesIO(final)) as pdf:
        certificate = next(i for i, p in enumerate(pdf.pages)
                           if "Certificate of completion" in (p.extract_text() or ""))
        text = "\n".join(p.extract_text() or "" for p in pdf.pages[certificate:])
    employee = text[text.index("Léa Brändli · Employee"):]
    employee = employee[:employee.index("Event times are")]
    sent = next(line for line in employee.splitlines() if line.startswith("Sent "))
    assert "plansign (system)" in sent
    assert "198.51.100.77" not in employee and "ManagerBrowser" not in employee
    assert "203.0.113.9" in employee and "EmployeeBrowser/2.0" in employee
    manager = text[text.index("Jürg Baumann · Manager"):text.index("Léa Brändli · Employee")]
    assert "Jürg Baumann (manager) 198.51.100.77 ManagerBrowser/1.0" in manager
    # The seal this PDF carries is named on the certificate, and the fingerprint is its.
    flat = "".join(text.split())
    assert "Sealedby" in flat and seal_key.subject.replace(" ", "") in flat
    assert seal_key.fingerprint in flat
    assert "plansignverify<file>" in flat and "pdfsig<file>" in flat
    assert check(final, seal_key).ok


def test_a_plan_sent_by_api_key_names_the_key_on_the_certificate(sessions, converter,
                                                                  finalizer, tmp_path):
    with sessions.begin() as session:
        key, _ = apikeys.create_key(session, "Payroll sync", "hr", NOW)
        prefix = key.prefix
    envelope_id = send(sessions, converter, actor=svc.Actor(apikeys.actor(prefix), "192.0.2.5",
                                                            "python-requests/2.32"))
    employee = signers(sessions, envelope_id)["employee"]
    at = NOW + dt.timedelta(days=1)
    act(sessions, envelope_id, "acknowledge", employee, at, typed_name="Léa Brändli",
        consent=True, statement=STATEMENT)
    finalize(sessions, finalizer, at)
    with pdfplumber.open(io.BytesIO(final_pdf(sessions, envelope_id))) as pdf:
        lines = [line["text"] for page in pdf.pages for line in page.extract_text_lines()]
    sent = next(i for i, line in enumerate(lines) if line.startswith("Sent "))
    # The "By" cell wraps: the key's name, then its prefix.
    assert "HR key “Payroll sync”" in lines[sent]
    assert f"({prefix})" in lines[sent + 1]
    assert not any("192.0.2.5" in line or "python-requests" in line for line in lines)


def test_a_plan_sent_from_the_console_names_the_person_on_the_certificate(
        sessions, converter, finalizer):
    """The trail keeps "person:dana"; the certificate names Dana, as the console does."""
    with sessions.begin() as session:
        people.create_person(session, username="dana", display_name="Dana Whitfield",
                             email="dana@example.com", role="hr", team=None,
                             password_hash=None, now=NOW, created_by="cli:test")
    envelope_id = send(sessions, converter,
                       actor=svc.Actor(people.actor_of("dana"), "192.0.2.5", "Firefox"))
    employee = signers(sessions, envelope_id)["employee"]
    at = NOW + dt.timedelta(days=1)
    act(sessions, envelope_id, "acknowledge", employee, at, typed_name="Léa Brändli",
        consent=True, statement=STATEMENT)
    finalize(sessions, finalizer, at)
    with pdfplumber.open(io.BytesIO(final_pdf(sessions, envelope_id))) as pdf:
        flat = "".join("".join((page.extract_text() or "").split()) for page in pdf.pages)
    # The "By" cell wraps beside the empty address and browser cells ("—").
    assert "DanaWhitfield(plansignconsole,userdana)" in flat.replace("—", "")
    assert "person:dana" not in flat


def test_each_role_signs_its_own_words_into_the_record(sessions, converter, finalizer,
                                                       seal_key, tmp_path):
    """The default routing: the manager confirms, the employee acknowledges, HR
    countersign; the sealed record holds each one's statement, and no other's."""
    envelope_id = send(sessions, converter, routing=None)
    ids = signers(sessions, envelope_id)
    at = NOW + dt.timedelta(days=1)
    confirm(sessions, envelope_id, "manager", ids["manager"], "Jürg Baumann", at)
    act(sessions, envelope_id, "acknowledge", ids["employee"], at + dt.timedelta(hours=1),
        typed_name="Léa Brändli", consent=True, statement=statement_for("employee"),
        consent_text=CONSENT)
    confirm(sessions, envelope_id, "hr", ids["hr"], "Sofía Castellanos",
            at + dt.timedelta(hours=2))
    finalize(sessions, finalizer, at + dt.timedelta(hours=3))
    with sessions() as session:
        row = svc.load(session, envelope_id)
        trail = svc.audit_trail(session, envelope_id)
        completion = completion_of(
            envelope_id=envelope_id, document_sha256=row.document_sha256,
            signers=[SignerFacts(s.id, s.role, s.name, s.email, s.state, s.decided_at)
                     for s in row.signers], trail=trail,
            plan=plan_from_data(row.plan_data, stored=True), company="Co")
    assert {o.role: (o.decision, o.statement) for o in completion.signers} == {
        "manager": ("confirmed", statement_for("manager")),
        "employee": ("acknowledged", statement_for("employee")),
        "hr": ("confirmed", statement_for("hr"))}
    text = " ".join(text_of(final_pdf(sessions, envelope_id), tmp_path).split())
    for role in ("manager", "employee", "hr"):
        assert statement_for(role) in text, role
    assert text.count("receipt and understanding, not agreement") == 1  # the employee's only
    assert "Confirmed" in text and "Acknowledged" in text


def test_an_envelope_that_expires_with_no_response(sessions, converter, finalizer, seal_key,
                                                    tmp_path):
    envelope_id = send(sessions, converter)
    later = NOW + dt.timedelta(days=15)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "expire", actor=svc.Actor("worker"), now=later)
    finalize(sessions, finalizer, later)
    final = final_pdf(sessions, envelope_id)
    assert "No response" in " ".join(text_of(final, tmp_path).split())
    assert check(final, seal_key).ok
    with sessions() as session:
        record = session.get_one(ArchivedRecord, envelope_id)
        assert record.outcome == "no_response" and record.completed_at == later


def test_a_signer_whose_turn_never_came_is_not_asked_and_agreed_to_nothing(
        sessions, converter, finalizer, tmp_path):
    envelope_id = send(sessions, converter, routing=None)  # manager, employee, then HR
    ids = signers(sessions, envelope_id)
    confirm(sessions, envelope_id, "manager", ids["manager"], "Jürg Baumann",
            NOW + dt.timedelta(days=1))
    later = NOW + dt.timedelta(days=15)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "expire", actor=svc.Actor("worker"), now=later)
    finalize(sessions, finalizer, later)
    final = final_pdf(sessions, envelope_id)
    text = " ".join(text_of(final, tmp_path).split())
    assert "Not asked: the plan expired before their turn" in text
    assert "Sofía Castellanos had not responded" not in text
    assert "Léa Brändli had not responded when the envelope expired" in text
    assert ("Jürg Baumann (Manager) agreed to the following before signing: "
            f"{consent_for('manager')}") in text
    assert "Léa Brändli and Sofía Castellanos did not sign, and agreed to none of it." in text
    assert "Each signer agreed" not in text and CONSENT not in text
    assert _small_print(final, "hr").startswith(
        "Not asked the plan expired before their turn as of")


def _events(sessions, envelope_id) -> list[str]:
    with sessions() as session:
        return [r.hash for r in svc.audit_trail(session, envelope_id)]


def _arabic_words_present(text: str) -> bool:
    # Shaped Arabic comes back from pdftotext glyph by glyph: words drawn with a lam-alef
    # ligature or a final alef maksura extract differently, so check the words without.
    return all(word in text for word in ("أوافق", "الخطة", "ولكن", "صعبة"))


def _pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


@pytest.mark.parametrize("delivery", ["link", "attachment"])
def test_each_signer_gets_their_copy_by_link_or_attached(sessions, converter, finalizer,
                                                         tmp_path, delivery):
    envelope_id = send(sessions, converter)
    employee = signers(sessions, envelope_id)["employee"]
    at = NOW + dt.timedelta(days=1)
    act(sessions, envelope_id, "acknowledge", employee, at, typed_name="Léa Brändli",
        consent=True, statement=STATEMENT)
    finalize(sessions, finalizer, at)
    keys = ["k" * 32]
    mailer = Mailer(FileMailBackend(tmp_path / "mail"), LinkSigner(keys),
                    "https://sign.example.com", "Co", copy_delivery=delivery,
                    record_links=RecordLinks(keys, copy_max_age=None,
                                             access_max_age=dt.timedelta(hours=1)))
    outbox.run_once(sessions, {"email": mailer}, now=at)
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in (tmp_path / "mail").glob("*.eml")]
    copy = next(m for m in messages if m["Subject"] == "Your copy of your performance plan")
    # The copy link, which outlives the signing link (tests/signing/test_own_records.py).
    assert "https://sign.example.com/copy/" in copy.get_body(("plain",)).get_content()
    pdfs = [part.get_content() for part in copy.iter_attachments()
            if part.get_content_type() == "application/pdf"]
    assert pdfs == ([final_pdf(sessions, envelope_id)] if delivery == "attachment" else [])


def _small_print(pdf: bytes, role: str) -> str:
    """The words right of a signer's signature line, a little above and below it: the
    small print of their stamp, read as a reader would."""
    text = SIGNATURE_ANCHORS[role]
    anchor = find_anchors(pdf, [text])[text]
    assert anchor.line is not None
    return joined(words_near(pdf, anchor.page + 1, right_of=anchor.line.x1,
                             top=anchor.top - 40, bottom=anchor.line.bottom + 40))


def _words_beside(pdf: bytes, anchor: str) -> list[str]:
    """The words to the right of the anchor, on its line and a short band below it."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            lines = page.search(anchor)
            if lines:
                found = lines[-1]
                words = page.extract_words()
                beside = [w["text"] for w in words
                          if w["x0"] > found["x1"] and found["top"] - 12 <= w["top"]
                          <= found["bottom"] + 30]
                return beside
    raise AssertionError(f"{anchor!r} is not in the final PDF")


def test_a_voided_plan_is_archived_with_the_comments_made_before(sessions, converter,
                                                                 finalizer, store, seal_key,
                                                                 tmp_path):
    """Issue 19: HR withdraw a plan the employee had commented on. Its record is sealed
    and archived (outcome voided) with the comment and the reason; the envelope stays
    voided (its links withdrawn), nobody is sent a copy, and verify holds."""
    from archive import SearchQuery, search

    envelope_id = send(sessions, converter)
    employee = signers(sessions, envelope_id)["employee"]
    at = NOW + dt.timedelta(days=1)
    act(sessions, envelope_id, "comment", employee, at, text=ARABIC)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "void", reason="Sent to the wrong employee.",
                    actor=HR, now=at + dt.timedelta(hours=1))
    finalize(sessions, finalizer, at + dt.timedelta(hours=1))
    assert outbox.run_once(sessions, {"finalize": finalizer}, now=at + dt.timedelta(hours=2)) \
        == 0  # archived once

    with sessions() as session:
        row = svc.load(session, envelope_id)
        assert row.state == wf.EnvelopeState.VOIDED
        trail = [r.type for r in svc.audit_trail(session, envelope_id)]
        assert trail[-3:] == ["envelope.voided", "envelope.sealed", "envelope.archived"]
        record = session.get_one(ArchivedRecord, envelope_id)
        assert record.outcome == "voided" and record.completed_at == at + dt.timedelta(hours=1)
        assert not session.scalars(select(OutboxRow).where(
            OutboxRow.name == "your_copy")).all()
        found = search(session, SearchQuery(outcome="voided"))
        assert [r.envelope_id for r in found.records] == [envelope_id]
        validate_ = lambda pdf: check(pdf, seal_key)  # noqa: E731
        checks = verification.verify_envelope(session, store, envelope_id, validate_)
        assert all(c.ok for c in checks), checks
    final = final_pdf(sessions, envelope_id)
    assert store.get(record.final_sha256) == final
    text = " ".join(text_of(final, tmp_path).split())
    assert "Withdrawn (voided)" in text and "Sent to the wrong employee." in text
    assert "does not take effect" in text
    assert _arabic_words_present(text)


def test_a_plan_declined_by_the_manager_is_archived_with_the_reason(sessions, converter,
                                                                   finalizer, seal_key,
                                                                   tmp_path):
    envelope_id = send(sessions, converter, routing=None)  # the manager first
    manager = signers(sessions, envelope_id)["manager"]
    at = NOW + dt.timedelta(days=1)
    act(sessions, envelope_id, "decline", manager, at, reason="The goals are not agreed yet.")
    finalize(sessions, finalizer, at)
    final = final_pdf(sessions, envelope_id)
    assert check(final, seal_key).ok
    text = " ".join(text_of(final, tmp_path).split())
    assert "Declined to sign" in text and "The goals are not agreed yet." in text
    assert "Not asked: the plan was withdrawn before their turn" in text
    with sessions() as session:
        assert session.get_one(ArchivedRecord, envelope_id).outcome == "voided"


def test_the_retention_rule_that_applied_is_on_the_record_and_in_its_trail(
        sessions, converter, store, seal_key):
    import yaml

    from archive import parse_rules

    data = yaml.safe_load(EXAMPLES[2].read_text(encoding="utf-8"))  # Customer Care
    data["routing"] = EMPLOYEE_ALONE
    data["employee"]["jurisdiction"] = "CH"
    envelope_id = send_plan(sessions, data, options=SendOptions(
        template=resolve_template("standard"), company_name="Fallback Co",
        expires_in=dt.timedelta(days=14)), converter=converter, actor=HR, now=NOW)
    at = NOW + dt.timedelta(days=2)
    act(sessions, envelope_id, "acknowledge", signers(sessions, envelope_id)["employee"], at,
        typed_name="Léa Brändli", consent=True, statement=STATEMENT)
    policy = parse_rules([{"department": "Customer Care", "years": 10},
                          {"department": "customer care", "jurisdiction": "ch", "years": 5}],
                         default_years=7)
    finalize(sessions, Finalizer(sessions, store, sealing_key=lambda: seal_key,
                                 company_name="Fallback Co", retention=policy), at)
    rule = 'retention_rules[2] (department "customer care", jurisdiction "ch"): 5 years'
    with sessions() as session:
        record = session.get_one(ArchivedRecord, envelope_id)
        assert (record.jurisdiction, record.retention_rule) == ("CH", rule)
        assert record.retain_until == record.completed_at + dt.timedelta(days=1826)
        archived = svc.audit_trail(session, envelope_id)[-1]
    assert archived.type == "envelope.archived"
    assert archived.data == {"retention_rule": rule,
                             "retain_until": record.retain_until.isoformat()}
