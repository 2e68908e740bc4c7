"""The emails issue 14's steps send, composed by the worker from the rows they left: the
employee told of a refusal recorded in a meeting (with their link, for comments), HR told
of a decline (and the signers already sent the plan told it was withdrawn), HR told of a
signature under a name other than the plan's."""

from __future__ import annotations

import datetime as dt
import email
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from signing.domain import envelopes as svc
from signing.domain import outbox, people
from signing.domain.links import LinkSigner
from signing.domain.mail import FileMailBackend, compose
from signing.domain.notify import Mailer
from signing.domain.wording import CONSENT, statement_for
from tests.signing.signer_pages import send_plan, signer_ids

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def deliver(sessions, tmp_path):
    """Run the outbox's email rows through the real Mailer; the messages, by recipient."""
    def run() -> dict[str, list[email.message.EmailMessage]]:
        mail = tmp_path / "mail"
        mailer = Mailer(FileMailBackend(mail), LinkSigner(["k" * 40]),
                        "https://sign.example.com", "Co")
        outbox.run_once(sessions, {"email": mailer}, now=dt.datetime.now(dt.UTC))
        by_address: dict[str, list] = {}
        for path in sorted(mail.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            by_address.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
        return by_address
    return run


def act(sessions, envelope_id, action, signer_id, **arguments):
    with sessions.begin() as session:
        svc.perform(session, envelope_id, action, signer_id=signer_id,
                    actor=svc.Actor(f"signer:{signer_id}"), now=NOW, **arguments)


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def subjects(messages) -> list[str]:
    return [m["Subject"] for m in messages]


def test_the_employee_is_told_of_a_recorded_refusal_with_their_link(sessions, deliver):
    envelope_id, _ = send_plan(sessions)
    with sessions() as session:
        ids = signer_ids(session, envelope_id)
    meeting = (NOW - dt.timedelta(days=1)).astimezone(ZoneInfo("Europe/London"))
    act(sessions, envelope_id, "record_refusal", ids["manager"], witness="Jordan Lee",
        reason="Said the goals are unfair.", confirmed=True,
        meeting_at=meeting.strftime("%Y-%m-%dT%H:%M"), timezone="Europe/London", comment_days=5)
    mail = deliver()
    told = next(m for m in mail["alex.sample@example.com"]
                if m["Subject"] == "Your response to your performance plan was recorded")
    body = text(told)
    assert "Morgan Example has recorded that you refused to sign" in body
    assert "Jordan Lee is named as the witness" in body
    assert "Said the goals are unfair." in body and "The plan still goes ahead" in body
    assert "https://sign.example.com/s/" in body  # their link, still good for comments
    assert "GMT" in body  # the time in the plan's zone (Europe/London)
    # The meeting's time, and until when they may comment, in their zone.
    assert f"in a meeting on {compose.format_when(meeting)}" in " ".join(body.split())
    with sessions() as session:
        until = svc.load(session, envelope_id).comments_until.astimezone(
            ZoneInfo("Europe/London"))
    assert f"You can add comments until {compose.format_moment(until)}" in " ".join(body.split())
    hr = mail["riley.placeholder@example.com"]
    assert "A signer refused to sign a performance plan" in subjects(hr)
    notice = " ".join(text(next(m for m in hr if m["Subject"].startswith("A signer refused")))
                      .split())
    assert f"The meeting was on {compose.format_when(meeting)}" in notice
    assert f"Alex Sample can add comments until {compose.format_moment(until)}" in notice


def test_a_decline_tells_hr_and_those_already_sent_the_plan(sessions, deliver):
    envelope_id, employee = send_plan(sessions)
    with sessions() as session:
        ids = signer_ids(session, envelope_id)
    act(sessions, envelope_id, "acknowledge", employee, typed_name="Alex Sample",
        consent=True, statement=statement_for("employee"), consent_text=CONSENT)
    act(sessions, envelope_id, "decline", ids["hr"], reason="Goal 3 has no support.")
    mail = deliver()
    notice = next(m for m in mail["riley.placeholder@example.com"]
                  if m["Subject"].startswith("A signer declined"))
    body = text(notice)
    assert "Riley Placeholder (HR) declined to sign the performance improvement plan for " \
           "Alex Sample" in body
    assert "Goal 3 has no support." in body and "The plan is stopped" in body
    for address in ("alex.sample@example.com", "morgan.example@example.com"):
        assert "A signing request sent to you has been withdrawn" in subjects(mail[address])


def test_hr_are_told_of_a_signature_under_another_name(sessions, deliver):
    envelope_id, employee = send_plan(sessions)
    act(sessions, envelope_id, "acknowledge", employee, typed_name="Alexandra Sample-Jones",
        name_differs=True, consent=True, statement=statement_for("employee"))
    mail = deliver()
    notice = next(m for m in mail["riley.placeholder@example.com"]
                  if m["Subject"] == "A signer signed a performance plan with a different name")
    assert 'with the name "Alexandra Sample-Jones", which differs from the name on the plan, ' \
           '"Alex Sample"' in text(notice)


@pytest.mark.parametrize("language,zone,subject,words", [
    ("fr", "Europe/Paris",
     "Un signataire a signé un plan d’amélioration des performances sous un autre nom",
     ("a signé son plan d’amélioration des performances", "CET", "Bonjour Riley Placeholder")),
    # A Latin name isolated in the Arabic sentence, as <bdi> does; a zone with no
    # abbreviation named by its offset from UTC as the pages name it ("UTC+4", isolated
    # and held to its time), never tzdata's bare "+04".
    ("ar", "Asia/Dubai", "وقّع أحد الموقّعين خطة أداء باسم مختلف",
     ("وقّع \u2068Alex Sample\u2069 خطة تحسين الأداء", "\u2068UTC+4\u2069")),
])
def test_an_hr_notice_is_in_the_hr_persons_language_and_zone(sessions, deliver, language,
                                                             zone, subject, words):
    """HR's notice follows the language (and zone) HR chose for the console: the address
    is a console person's (any case); everyone else's stays in default_language."""
    with sessions.begin() as session:
        people.create_person(session, username="riley", display_name="Riley Placeholder",
                             email="Riley.Placeholder@example.com", role="hr", team=None,
                             password_hash=None, now=NOW, created_by="cli:test",
                             language=language, time_zone=zone)
    envelope_id, employee = send_plan(sessions)
    act(sessions, envelope_id, "acknowledge", employee, typed_name="Alexandra Sample-Jones",
        name_differs=True, consent=True, statement=statement_for("employee"))
    mail = deliver()
    notice = next(m for m in mail["riley.placeholder@example.com"] if m["Subject"] == subject)
    body = " ".join(text(notice).split())
    for word in words:
        assert word in body
    assert " +04" not in body
    assert "Alexandra Sample-Jones" in body and "Alex Sample" in body
    html = notice.get_body(("html",)).get_content()
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")
    # The employee's own emails stay in the plan's language (English here).
    assert all(m["Subject"].isascii() for m in mail["alex.sample@example.com"])


def test_the_reader_of_an_address_no_person_has_is_the_default_language(sessions):
    mailer = Mailer(FileMailBackend(Path("/nonexistent")), LinkSigner(["k" * 40]),
                    "https://sign.example.com", "Co", default_language="de")
    with sessions.begin() as session:
        people.create_person(session, username="gone", display_name="Gone", role="hr",
                             email="gone@example.com", team=None, password_hash=None,
                             now=NOW, created_by="cli:test", language="fr")
        people.disable(session, "gone", NOW)
        assert mailer.reader(session, "nobody@example.com").language == "de"
        assert mailer.reader(session, "GONE@example.com").language == "de"  # disabled
