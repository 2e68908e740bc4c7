"""The employee's check-in record: the email the worker composes (with a check-in link of
its own purpose), the page it opens, the acknowledgement (receipt, not agreement) and
comments recorded on the plan's audit chain; a new link for the employee ends the old
one; the manager's reminder and HR's alert about an unrecorded meeting."""

from __future__ import annotations

import datetime as dt
import email
import html
import re
from email import policy

import pytest
from sqlalchemy import select

from signing.domain import case_service, outbox
from signing.domain import envelopes as svc
from signing.domain.events import EventType
from signing.domain.links import Purpose
from signing.domain.models import AuditEventRow, SignerRow
from signing.web.app import create_app
from signing.web.current import services_of
from tests.signing.cases.casekit import record_first, send_case_plan
from tests.signing.signer_pages import csrf

ARABIC = "لم أحصل على التدريب الموعود هذا الأسبوع"


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def deliver(app, sessions, tmp_path) -> dict[str, list[email.message.EmailMessage]]:
    """The outbox's email rows through the app's own Mailer; the messages by address."""
    outbox.run_once(sessions, {"email": services_of(app).mailer}, now=dt.datetime.now(dt.UTC))
    by_address: dict[str, list] = {}
    for path in sorted((tmp_path / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        by_address.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return by_address


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def checkin_link(app, sessions, tmp_path) -> str:
    messages = deliver(app, sessions, tmp_path)
    (message,) = [m for m in messages["alex.sample@example.com"]
                  if m["Subject"] == "A record of your check-in meeting"]
    body = text(message)
    assert "does not mean that you agree" in body
    return re.search(r"https://sign\.example\.com(/checkin/\S+)", body).group(1)


def case_events(sessions, envelope_id):
    with sessions() as session:
        return [(r.type, r.actor, r.data) for r in session.scalars(
            select(AuditEventRow).where(AuditEventRow.envelope_id == envelope_id,
                                        AuditEventRow.type.like("checkin.%"))
            .order_by(AuditEventRow.seq))]


def test_the_employee_reads_acknowledges_and_comments(app, client, sessions, tmp_path):
    envelope_id = send_case_plan(sessions)
    record_first(sessions, envelope_id)
    link = checkin_link(app, sessions, tmp_path)
    opened = client.get(link)
    assert opened.status_code == 303 and opened.headers["Location"] == "/checkin"
    page = client.get("/checkin").get_data(as_text=True)
    for shown in ("Check-in meeting 1", "Reviewed the ticket queue together.", "At risk",
                  "<dd>78%</dd>", "Up to 20,000 characters.",
                  "The new macros help.", "not that you agree", "Acknowledge receipt"):
        assert shown in page
    token = csrf(page)
    done = client.post("/checkin/acknowledge", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith("done=acknowledge")
    again = client.post("/checkin/acknowledge", data={"csrf_token": token})
    assert again.headers["Location"].endswith("done=already")
    empty = client.post("/checkin/comment", data={"csrf_token": token, "comment": " "})
    assert empty.status_code == 422
    refused = empty.get_data(as_text=True)
    assert 'id="comment-error"' in refused and 'aria-describedby="comment-hint comment-error"' \
        in refused
    sent = client.post("/checkin/comment", data={"csrf_token": token, "comment": ARABIC,
                                                 "timezone": "Asia/Riyadh"})
    assert sent.status_code == 303
    page = client.get("/checkin?done=comment").get_data(as_text=True)
    assert ARABIC in page and "You acknowledged receiving this record" in page
    events = case_events(sessions, envelope_id)
    assert [t for t, _, _ in events] == [EventType.CHECKIN_RECORDED,
                                        EventType.CHECKIN_ACKNOWLEDGED,
                                        EventType.CHECKIN_COMMENTED]
    assert events[2][1].startswith("signer:") and events[2][2]["comment"] == ARABIC
    assert events[2][2]["timezone"] == "Asia/Riyadh"


def test_a_check_in_link_is_its_own_purpose_and_ends_with_a_new_link(app, client, sessions,
                                                                     tmp_path):
    envelope_id = send_case_plan(sessions, until="employee")  # not yet answered
    record_first(sessions, envelope_id)
    link = checkin_link(app, sessions, tmp_path)
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/s/{token}").status_code == 403  # not a signing link
    links = services_of(app).links
    with sessions() as session:
        employee = session.scalars(select(SignerRow).where(
            SignerRow.envelope_id == envelope_id, SignerRow.role == "employee")).one()
    assert links.unsign(token, Purpose.CHECKIN).nonce == employee.nonce
    assert client.get(link).status_code == 303
    with sessions.begin() as session:  # HR send the employee a new link
        svc.perform(session, envelope_id, "resend", signer_id=employee.id,
                    actor=svc.Actor("apikey:psk_hr"), now=dt.datetime.now(dt.UTC))
    assert client.get("/checkin").status_code == 403  # the session opened with it ends
    assert client.get(link).status_code == 403
    assert client.get("/checkin/not-a-token").status_code == 403
    assert client.get("/checkin").status_code == 403  # no session: nothing shown


def test_an_unrecorded_meeting_reminds_the_manager_then_alerts_hr(app, sessions, tmp_path):
    # Meetings 1 and 2 are at least six days past whatever today's weekday.
    envelope_id = send_case_plan(sessions, days_ago=20)
    settings = case_service.CaseSettings(grace=dt.timedelta(days=1),
                                         alert=dt.timedelta(days=1))
    now = dt.datetime.now(dt.UTC)
    swept = case_service.sweep(sessions, now=now, settings=settings)
    assert envelope_id in swept.opened
    assert {m for e, m in swept.reminded if e == envelope_id} >= {1, 2}
    assert {m for e, m in swept.alerted if e == envelope_id} >= {1, 2}
    messages = deliver(app, sessions, tmp_path)
    manager = [m for m in messages["morgan.example@example.com"]
               if m["Subject"] == "Please record a check-in meeting"]
    hr = [m for m in messages["riley.placeholder@example.com"]
          if m["Subject"] == "A check-in meeting has still not been recorded"]
    assert len(manager) >= 2 and len(hr) >= 2
    assert f"https://sign.example.com/console/plans/{envelope_id}/case" in text(manager[0])
    assert not case_service.sweep(sessions, now=now, settings=settings).reminded


@pytest.mark.parametrize("language, subject, words", [
    ("es", "El acta de su reunión de seguimiento",
     ["ha registrado la reunión de seguimiento 1 de su plan de mejora del desempeño",
      "Su progreso hasta ahora", "Reunión de seguimiento y fecha", "en riesgo",
      "Valor en cada reunión de seguimiento",
      # The goal's value with its target's unit, numbers by the locale.
      "<dd>78 %</dd>", "Hasta 20.000 caracteres."]),
    ("ar", "محضر اجتماع المتابعة الخاص بك",
     ["محضر اجتماع المتابعة رقم 1", "تقدّمك حتى الآن", "اجتماع المتابعة والتاريخ",
      "معرَّض للخطر", "القيمة في كل اجتماع متابعة"]),
])
def test_the_employee_reads_the_record_and_its_charts_in_the_plans_language(
        app, client, sessions, tmp_path, language, subject, words):
    envelope_id = send_case_plan(sessions)
    with sessions.begin() as session:  # the plan written in the employee's language
        row = svc.load(session, envelope_id)
        row.plan_data = {**row.plan_data, "language": language}
    record_first(sessions, envelope_id)
    (message,) = [m for m in deliver(app, sessions, tmp_path)["alex.sample@example.com"]
                  if m["Subject"] == subject]
    body = " ".join(text(message).split())
    link = re.search(r"https://sign\.example\.com(/checkin/\S+)", body).group(1)
    assert "check-in meeting" not in body  # none of it left in English
    assert client.get(link).status_code == 303
    assert words[0] in body
    page = " ".join(client.get("/checkin").get_data(as_text=True).split())
    assert '<figure class="progress-chart' in page  # each goal's chart, so far
    for phrase in words[1:]:
        assert phrase in page, phrase
    for english in ("Your progress so far", "Check-in and date", "Value at each check-in"):
        assert english not in page
    if language == "ar":  # the attendees' Latin names isolated, listed as Arabic lists
        assert "<bdi>Morgan Example</bdi> و<bdi>Alex Sample</bdi>" in page


NB, NN = "\u00a0", "\u202f"  # French: before ':' and «», before ';?!'


@pytest.mark.parametrize("language, empty, too_long", [
    ("en", "Write your comment before sending it.",
     "A comment may be up to 20,000 characters; this one has 20,001."),
    ("fr", "Rédigez votre commentaire avant de l’envoyer.",
     f"Un commentaire peut compter jusqu’à 20{NN}000 caractères{NN}; celui-ci en compte "
     f"20{NN}001."),
    ("ar", "اكتب تعليقك قبل إرساله.",
     "يجوز أن يصل التعليق إلى 20,000 من الأحرف؛ وعدد أحرف هذا التعليق: 20,001."),
])
def test_a_refused_comment_on_the_record_is_explained_in_the_plans_language(
        app, client, sessions, tmp_path, language, empty, too_long):
    envelope_id = send_case_plan(sessions)
    with sessions.begin() as session:  # the plan written in the employee's language
        row = svc.load(session, envelope_id)
        row.plan_data = {**row.plan_data, "language": language}
    record_first(sessions, envelope_id)
    assert client.get(checkin_link_in(app, sessions, tmp_path)).status_code == 303
    token = csrf(client.get("/checkin").get_data(as_text=True))
    before = case_events(sessions, envelope_id)
    for typed, message in ((" ", empty), ("x" * (case_service.MAX_COMMENT + 1), too_long)):
        response = client.post("/checkin/comment", data={"csrf_token": token,
                                                         "comment": typed})
        assert response.status_code == 422
        page = html.unescape(response.get_data(as_text=True))
        assert 'id="comment-error"><span class="visually-hidden">' in page
        error = page[page.index('id="comment-error">'):]
        assert message in error[:error.index("</p>")], error[:400]
    assert case_events(sessions, envelope_id) == before  # nothing recorded


def checkin_link_in(app, sessions, tmp_path) -> str:
    """The check-in link of the one email that tells the employee of a record."""
    body = " ".join(text(m) for ms in deliver(app, sessions, tmp_path).values() for m in ms)
    return re.search(r"https://sign\.example\.com(/checkin/\S+)", body).group(1)


def test_the_record_page_writes_its_period_and_values_as_the_plans_language(
        app, client, sessions, tmp_path):
    """"du 9 novembre 2026 au 9 décembre 2026", a whole phrase of the catalog, never
    "9 novembre 2026 à 9 décembre 2026" from pieces; a goal's value "78,5 %", not "78.5",
    with its target's unit."""
    from tests.signing.cases.casekit import plan_started

    envelope_id = send_case_plan(sessions)
    with sessions.begin() as session:
        row = svc.load(session, envelope_id)
        row.plan_data = {**row.plan_data, "language": "fr"}
    goals = {str(i): {"status": "on_track", "value": "78.5%"}
             for i in range(1, len(plan_started(15).goals) + 1)}
    record_first(sessions, envelope_id, goals=goals)
    (message,) = [m for m in deliver(app, sessions, tmp_path)["alex.sample@example.com"]
                  if m["Subject"] == "Le compte rendu de votre point de suivi"]
    link = re.search(r"https://sign\.example\.com(/checkin/\S+)", text(message)).group(1)
    assert client.get(link).status_code == 303
    page = " ".join(client.get("/checkin").get_data(as_text=True).split())
    lead = re.search(r'<p class="lead">(.*?)</p>', page).group(1)
    assert re.search(r"· du \d{1,2} \w+ \d{4} au \d{1,2} \w+ \d{4}$", lead), lead
    assert "<dd>78,5 %</dd>" in page and "78.5" not in page  # the space: French's narrow one


def test_a_spanish_record_lists_who_attended_with_e_before_a_name_that_begins_with_i(
        app, client, sessions, tmp_path):
    """"Morgan Example e Isabel Ortega": the page's list of who attended follows Spanish's
    conjunction rule (``docgen.languages.list_text``, through the pages' filter)."""
    envelope_id = send_case_plan(sessions)
    with sessions.begin() as session:
        row = svc.load(session, envelope_id)
        row.plan_data = {**row.plan_data, "language": "es"}
    record_first(sessions, envelope_id, attendees=["Morgan Example", "Isabel Ortega"])
    (message,) = [m for m in deliver(app, sessions, tmp_path)["alex.sample@example.com"]
                  if m["Subject"] == "El acta de su reunión de seguimiento"]
    link = re.search(r"https://sign\.example\.com(/checkin/\S+)", text(message)).group(1)
    assert client.get(link).status_code == 303
    page = " ".join(client.get("/checkin").get_data(as_text=True).split())
    assert "<bdi>Morgan Example</bdi> e <bdi>Isabel Ortega</bdi>" in page
    assert "</bdi> y <bdi>Isabel" not in page
