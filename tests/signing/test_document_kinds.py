"""A document of a plan's case is called what it is, never "the plan": an outcome
letter's and an amendment's signer pages, the statements signed, their invitations,
reminders and "your copy" emails, in English and in the plan's language
(signing.domain.documents). The envelopes are made as case_close makes the outcome
letter's: the plan's data, the kind and the case set on the row, then sent.

Also the case file's email, which gives the file as the plan's copy is given
(employee_copy_delivery, the attachment limit, a copy link), and the check-in emails and
progress charts in the plan's language."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
from email import policy

import pytest
from markupsafe import escape

from docgen import sample_plan
from docgen.charts.svg import chart_svg
from docgen.model import Goal
from signing.domain import envelopes as svc
from signing.domain import outbox
from signing.domain.cases import Checkin, GoalProgress, GoalStatus
from signing.domain.cases.charts import chart_words, progress_charts
from signing.domain.documents import AMENDMENT, OUTCOME_LETTER, DocumentName, document_name
from signing.domain.links import LinkSigner, Purpose
from signing.domain.mail import FileMailBackend, compose
from signing.domain.models import Document, EnvelopeRow
from signing.domain.notify import Mailer
from signing.domain.outbox import OutboxJob
from signing.domain.recordlinks import RecordLinks
from signing.domain.wording import consent_for, statement_for
from signing.web.app import create_app
from tests.signing.signer_pages import HR, csrf, signer_ids, token_for

NOW = dt.datetime.now(dt.UTC)
BASE = "https://sign.example.com"


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": BASE})


def send_document(sessions, kind: str, *, number: int | None = None,
                  roles: tuple[str, ...] = ("employee",), language: str = "en") -> str:
    """An envelope of ``kind`` for the sample plan's case (its plan sent first), sent to
    ``roles`` in turn: its id."""
    plan = sample_plan()
    data = {**plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            "language": language}
    people = {"employee": plan.employee, "manager": plan.manager, "hr": plan.hr}
    with sessions.begin() as session:
        plan_id = svc.create_envelope(
            session, plan_data=data, template="standard", pdf=b"%PDF-1.7 the plan",
            signers=[svc.SignerSpec("employee", plan.employee.name, plan.employee.email, 1)],
            actor=HR, now=NOW)
        envelope_id = svc.create_envelope(
            session, plan_data=data, template="letters/not_met", pdf=b"%PDF-1.7 the document",
            signers=[svc.SignerSpec(role, people[role].name, people[role].email, order)
                     for order, role in enumerate(roles, 1)], actor=HR, now=NOW)
        row = session.get_one(EnvelopeRow, envelope_id)
        row.document_kind, row.case_id, row.amendment_number = kind, plan_id, number
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
    return envelope_id


def open_as(app, client, sessions, envelope_id: str, role: str) -> str:
    with sessions() as session:
        signer_id = signer_ids(session, envelope_id)[role]
    assert client.get(f"/s/{token_for(app, sessions, signer_id)}").status_code == 303
    return client.get("/sign").get_data(as_text=True).replace("<bdi>", "").replace("</bdi>", "")


def words(html: str) -> str:
    return " ".join(html.replace("<bdi>", "").replace("</bdi>", "").split())


# -- the name, decided in one place ---------------------------------------------------------


def test_each_kind_has_its_name_and_a_bad_kind_is_refused():
    english = str
    assert document_name(None).yours(english) == "your performance improvement plan"
    letter = document_name(OUTCOME_LETTER, 3)  # a number means nothing to a letter
    assert letter.number is None
    assert letter.yours(english) == "the outcome letter of your performance improvement plan"
    amendment = document_name(AMENDMENT, 1)
    assert amendment.yours(english) == "amendment 1 to your performance improvement plan"
    assert (amendment.of("Alex Sample", english)
            == "amendment 1 to the performance improvement plan for Alex Sample")
    assert amendment.file_name(signed=True) == "performance-plan-amendment-1-signed.pdf"
    with pytest.raises(ValueError, match="document_kind"):
        DocumentName("memo")
    with pytest.raises(ValueError, match="amendment_number"):
        DocumentName(AMENDMENT)


# -- the signer's pages ---------------------------------------------------------------------


def test_an_outcome_letters_page_calls_it_the_outcome_letter(app, client, sessions):
    envelope_id = send_document(sessions, OUTCOME_LETTER)
    page = words(open_as(app, client, sessions, envelope_id, "employee"))
    assert "the outcome letter of your performance improvement plan" in page
    assert "<title>Outcome letter for Alex Sample" in page
    assert "Open the document (PDF)" in page and "The plan the letter concludes" in page
    assert words(statement_for("employee", OUTCOME_LETTER)) in page
    assert words(consent_for("employee", OUTCOME_LETTER)) in page
    for plan_words in ("Performance plan for", "Acknowledge the plan",
                       "Open the full plan (PDF)", "I do not want to sign this plan",
                       "sent you this performance improvement plan"):
        assert plan_words not in page
    # The letter's own statement is what the signature records.
    response = client.post("/sign/acknowledge", data={
        "csrf_token": csrf(page), "typed_name": "Alex Sample", "consent": "on"})
    assert response.status_code == 303
    with sessions() as session:
        acknowledged = next(r for r in svc.audit_trail(session, envelope_id)
                            if r.type == "signer.acknowledged")
    assert acknowledged.data["statement"] == statement_for("employee", OUTCOME_LETTER)
    assert "outcome letter" in acknowledged.data["statement"]
    done = words(client.get("/sign?done=acknowledge").get_data(as_text=True))
    assert "You acknowledged receiving the outcome letter of your performance" in done


def test_an_outcome_letters_page_in_spanish(app, client, sessions):
    envelope_id = send_document(sessions, OUTCOME_LETTER, language="es")
    page = words(open_as(app, client, sessions, envelope_id, "employee"))
    assert "la carta de resultado de su plan de mejora del desempeño" in page
    assert "Carta de resultado" in page and "Abrir el documento (PDF)" in page
    assert "carta de resultado de mi plan de mejora del desempeño" in page  # the statement


def test_an_amendments_pages_name_it_for_each_signer(app, client, sessions):
    envelope_id = send_document(sessions, AMENDMENT, number=1,
                                roles=("manager", "employee"))
    manager = words(open_as(app, client, sessions, envelope_id, "manager"))
    assert ("amendment 1 to the performance improvement plan for Alex Sample" in manager)
    assert "Confirm the amendment" in manager and "Confirm the plan" not in manager
    assert str(escape(statement_for("manager", AMENDMENT))) in manager
    assert str(escape(consent_for("manager", AMENDMENT))) in manager
    response = client.post("/sign/confirm", data={
        "csrf_token": csrf(manager), "typed_name": sample_plan().manager.name,
        "consent": "on"})
    assert response.status_code == 303
    confirmed = words(client.get("/sign?done=confirm").get_data(as_text=True))
    assert "You confirmed amendment 1 to the performance improvement plan for" in confirmed
    other = app.test_client()
    employee = words(open_as(app, other, sessions, envelope_id, "employee"))
    assert "amendment 1 to your performance improvement plan" in employee
    assert "The amended plan in brief" in employee
    # The copy is saved under the document's name.
    response = other.get("/sign/document.pdf?download=1")
    assert "performance-plan-amendment-1.pdf" in response.headers["Content-Disposition"]


def test_a_plans_page_is_unchanged(app, client, sessions):
    from tests.signing.signer_pages import send_plan

    envelope_id, _ = send_plan(sessions)
    page = words(open_as(app, client, sessions, envelope_id, "employee"))
    assert "Acknowledge the plan" in page and "Open the full plan (PDF)" in page
    assert words(statement_for("employee")) in page


# -- the emails -------------------------------------------------------------------------------


@pytest.fixture
def deliver(sessions, tmp_path):
    """Run the outbox's email rows through the real Mailer: the messages, by recipient."""
    def run() -> dict[str, list[email.message.EmailMessage]]:
        mail = tmp_path / "mail"
        mailer = Mailer(FileMailBackend(mail), LinkSigner(["k" * 40]), BASE, "Co")
        outbox.run_once(sessions, {"email": mailer}, now=dt.datetime.now(dt.UTC))
        found: dict[str, list[email.message.EmailMessage]] = {}
        for path in sorted(mail.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            found.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
        return found
    return run


def text(message) -> str:
    return " ".join(message.get_body(("plain",)).get_content().split())


def test_an_amendments_invitations_name_the_amendment(sessions, deliver):
    send_document(sessions, AMENDMENT, number=2, roles=("employee",), language="fr")
    invitation = deliver()[sample_plan().employee.email][0]
    assert "avenant n° 2 à votre plan d’amélioration des performances" in text(invitation)
    assert words(invitation["Subject"]) == ("Veuillez lire un document relatif à votre plan "
                                            "d’amélioration des performances et en accuser "
                                            "réception")


def test_an_outcome_letters_invitation_is_in_the_plans_language(sessions, deliver):
    send_document(sessions, OUTCOME_LETTER, language="de")
    invitation = deliver()[sample_plan().employee.email][0]
    assert words(invitation["Subject"]) == ("Bitte lesen Sie das Abschlussschreiben zu Ihrem "
                                            "Plan und bestätigen Sie den Empfang")
    assert "Abschlussschreiben zu Ihrem Leistungsverbesserungsplan" in text(invitation)


@pytest.mark.parametrize("language, expected", [
    ("en", "We have not yet had your response to the outcome letter of your performance "
           "improvement plan"),
    ("ar", "خطاب نتيجة خطة تحسين الأداء الخاصة بك"),
])
def test_a_letters_reminder_and_copy_name_the_letter(language, expected):
    letter = DocumentName(OUTCOME_LETTER)
    common = {"to": "alex@example.com", "name": "Alex", "link": f"{BASE}/s/t",
              "company": "Co", "contact": compose.Contact("Riley"), "envelope_id": "e",
              "signer_id": "s", "idempotency_key": "k", "language": language,
              "document": letter}
    reminder = compose.reminder(deadline=NOW, **common)
    assert expected in " ".join(reminder.text.split())
    copy = compose.your_copy(**common)
    assert "Your performance improvement plan is complete" not in copy.text
    if language == "en":
        assert copy.subject == "Your copy of a document about your performance plan"
        assert "The signing of the outcome letter of your performance" in " ".join(
            copy.text.split())


def case_file_job(sessions, *, size: int) -> tuple[OutboxJob, str]:
    """The case file's email as the case file task queues it, its file ``size`` bytes."""
    from tests.signing.signer_pages import send_plan

    envelope_id, signer_id = send_plan(sessions)
    content = b"%PDF-1.7 " + b"x" * (size - 9)
    sha256 = hashlib.sha256(content).hexdigest()
    with sessions.begin() as session:
        session.add(Document(sha256=sha256, content=content, size=len(content),
                             content_type="application/pdf", created_at=NOW))
    return OutboxJob(1, f"{envelope_id}:case_file_copy", "email", "case_file_copy",
                     envelope_id, signer_id, {"sha256": sha256}, 0, NOW), sha256


def mailer(tmp_path, **options) -> Mailer:
    links = RecordLinks(["k" * 40], copy_max_age=None, access_max_age=dt.timedelta(hours=1))
    return Mailer(FileMailBackend(tmp_path), LinkSigner(["k" * 40]), BASE, "Co",
                  record_links=links, **options)


def test_the_case_file_email_follows_the_copy_settings(sessions, tmp_path):
    job, _ = case_file_job(sessions, size=2000)
    links = mailer(tmp_path).record_links
    assert links is not None
    with sessions() as session:
        attached = mailer(tmp_path).compose(session, job)
        too_large = mailer(tmp_path, copy_attachment_bytes=1000).compose(session, job)
        link_only = mailer(tmp_path, copy_delivery="link").compose(session, job)
    assert [a.filename for a in attached.attachments] == ["performance-plan-case-file.pdf"]
    assert not too_large.attachments and "(0.0 MB) is too large to attach" in too_large.text
    assert not link_only.attachments
    for message in (attached, too_large, link_only):
        # A copy link of the case file's own kind, not the signing link.
        token = message.text.split(f"{BASE}/copy/")[1].split()[0]
        claims = links.unsign(token, purpose=Purpose.DOWNLOAD, now=dt.datetime.now(dt.UTC))
        assert (claims.kind, claims.record_id) == ("case_file", job.envelope_id)
        assert f"{BASE}/my-records" in message.text


# -- the check-in emails and the charts in the plan's language --------------------------------


@pytest.mark.parametrize("language, expected", [
    ("es", ["ha registrado la reunión de seguimiento 2 de su plan de mejora del desempeño",
            "Leer el acta"]),
    ("ar", ["محضر اجتماع المتابعة رقم 2", "قراءة المحضر"]),
])
def test_the_employees_checkin_email_is_in_the_plans_language(language, expected):
    message = compose.checkin_record(
        to="alex@example.com", name="Alex", link=f"{BASE}/checkin/t", company="Co",
        contact=compose.Contact("Riley"), envelope_id="e", signer_id="s",
        idempotency_key="k", meeting=2, held_on=NOW, recorded_by="Morgan",
        answer_by=NOW + dt.timedelta(days=5), language=language)
    assert message.subject == compose.catalog(language).gettext(
        "A record of your check-in meeting")
    for phrase in expected:
        assert phrase in " ".join(message.text.split())
    assert "check-in meeting" not in message.text  # nothing left in English


def test_the_managers_overdue_email_stays_in_english_by_default():
    message = compose.checkin_overdue(
        to="m@example.com", name="Morgan", link=f"{BASE}/console", company="Co",
        envelope_id="e", idempotency_key="k", employee_name="Alex", meeting=3,
        scheduled=NOW, hr=False)
    assert message.subject == "Please record a check-in meeting"


GOALS = [Goal(statement="Resolve more tickets first time", metric="first-contact resolution",
              baseline="72% in November", target="85% or more"),
         Goal(statement="Document every release", metric=None, baseline=None,
              target="every release documented")]


def checkin(meeting: int, day: int, *progress: GoalProgress, held: bool = True) -> Checkin:
    at = dt.datetime(2026, 12, day, 10, tzinfo=dt.UTC)
    return Checkin(meeting, at, at if held else None, None if held else "manager ill", (),
                   progress if held else (), "", "", "", "", "person:dana", at)


CHECKINS = [checkin(1, 7, GoalProgress(1, GoalStatus.OFF_TRACK, 74.0),
                    GoalProgress(2, GoalStatus.AT_RISK)),
            checkin(2, 14, held=False),
            checkin(3, 21, GoalProgress(1, GoalStatus.ON_TRACK, 1281.5),
                    GoalProgress(2, GoalStatus.MET))]


@pytest.mark.parametrize("language, expected", [
    # A value is written as the documents write it, a no-break space before "%"; the
    # guides quote the plan's own baseline and target.
    ("es", ["Objetivo 1: first-contact resolution", "Punto de partida 72%",
            "Meta 85%", "según lo previsto",
            "Valor en cada reunión de seguimiento", "Reunión de seguimiento y fecha",
            "no celebrada", "1.281,5\u00a0%", "dic"]),
    ("ar", ["الهدف 1: first-contact resolution", "خط الأساس 72%", "المستهدف 85%",
            "على المسار الصحيح",
            "القيمة في كل اجتماع متابعة", "اجتماع المتابعة والتاريخ", "لم يُعقد",
            "تحقق"]),
])
def test_the_charts_text_is_in_the_plans_language(language, expected):
    charts = progress_charts(GOALS, CHECKINS, dt.UTC,
                             (dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
                             chart_words(language))
    svg = " ".join(chart_svg(c, id_prefix=f"g{i}") for i, c in enumerate(charts))
    for phrase in expected:
        assert phrase in svg, phrase
    for english in ("Baseline", "Target", "on track", ">missed<", "Check-in and date",
                    "Value at each check-in", "Latest status", "Status"):
        assert english not in svg, english


def test_the_records_email_lists_a_letter_as_the_letter():
    from signing.domain.own_records import OwnRecord

    letter = OwnRecord("plan", "env-1", "sig-1", "employee", "Alex Sample", NOW,
                       "acknowledged", DocumentName(OUTCOME_LETTER))
    amendment = OwnRecord("plan", "env-2", "sig-2", "manager", "Alex Sample", NOW,
                          "acknowledged", DocumentName(AMENDMENT, 1))
    message = compose.records_access(
        to="alex@example.com", name="Alex", company="Co", contact=compose.Contact("Riley"),
        envelope_id="e", signer_id="s", idempotency_key="k",
        records=[(letter, f"{BASE}/my-records/a"), (amendment, f"{BASE}/my-records/b")],
        available_until=NOW, records_page=f"{BASE}/my-records", language="fr")
    body = " ".join(message.text.split())
    assert "Lettre de conclusion" in body
    assert "Avenant n° 1 au plan d’amélioration des performances concernant Alex Sample" in body
