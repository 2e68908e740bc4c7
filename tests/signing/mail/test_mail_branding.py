"""Every email under the company's name and look, and speaking to its reader: the logo
inside the message with the company's name as its alt text, the colour on links and
buttons, the HR contact (with a phone), the From display name and the Reply-To on the
file outbox and on SendGrid (its real client against the local stand-in); no "ask Dana"
to Dana, no meetings "with" the reader, and no second full stop after "Inc." in any
language."""

from __future__ import annotations

import base64
import datetime as dt
import email
import io
from collections.abc import Iterator
from email import policy
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from docgen.doclang import one_full_stop
from docgen.languages import SUPPORTED
from docgen.sample import sample_plan
from docgen.schedule import schedule_for
from signing.domain.mail import FileMailBackend, compose
from signing.domain.mail.backends import SendGridMailBackend
from signing.domain.mail.message import Message
from tests.signing.mail.sendgrid_standin import FakeSendGrid

INC = "Harbor & Finch Analytics, Inc."
LINK = "https://sign.example.com/s/TOKEN"
LONDON = ZoneInfo("Europe/London")
DEADLINE = dt.datetime(2026, 12, 18, 17, 0, tzinfo=LONDON)
NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


LOOK = compose.Look(colour="#0b5cad", logo_png=logo_png(), logo_size=(120, 40),
                    reply_to="hr@harborfinch.example")
PEOPLE = compose.Contact("People Team", "people@harborfinch.example", "+1 555 010 2030")


def invitation(*, role="employee", to=None, name=None, contact=PEOPLE, look=LOOK,
               company=INC, language="en", meeting_with=None) -> Message:
    plan = sample_plan()
    person = {"employee": plan.employee, "manager": plan.manager, "hr": plan.hr}[role]
    return compose.invitation(
        to=to or person.email, name=name or person.name, link=LINK, deadline=DEADLINE,
        company=company, contact=contact, envelope_id="env1", signer_id="sig1",
        idempotency_key=f"env1:{role}:{language}", now=NOW, role=role,
        employee_name=plan.employee.name, meetings=schedule_for(plan).checkins,
        meeting_with=meeting_with, language=language, look=look)


def every_message(language: str, company: str) -> Iterator[Message]:
    """One of each message a signer or HR may get, in ``language``."""
    plan = sample_plan()
    common = {"to": plan.employee.email, "name": plan.employee.name, "company": company,
              "envelope_id": "env1", "signer_id": "sig1", "look": LOOK}
    yield invitation(language=language, company=company)
    yield compose.reminder(**common, link=LINK, deadline=DEADLINE, contact=PEOPLE,
                           idempotency_key="r", language=language)
    yield compose.your_copy(**common, link=LINK, contact=PEOPLE, idempotency_key="c",
                            language=language)
    yield compose.voided(**common, contact=PEOPLE, idempotency_key="v", language=language)
    yield compose.refusal_recorded(**common, contact=PEOPLE, idempotency_key="rr",
                                   recorded_by="Morgan", witness="Jordan", at=DEADLINE,
                                   language=language)
    yield compose.outcome_letter_invitation(**common, link=LINK, deadline=DEADLINE,
                                            contact=PEOPLE, idempotency_key="o",
                                            language=language)
    yield compose.case_file_copy(**common, contact=PEOPLE, idempotency_key="cf",
                                 outcome="met", link=LINK, attachments=(), language=language)
    for about in ("sent", "acknowledged", "completed"):
        yield compose.plan_update(
            to=plan.manager.email, name=plan.manager.name, link=LINK, company=company,
            envelope_id="env1", idempotency_key=f"u-{about}", about=about,
            reader="manager", employee_name=plan.employee.name, at=DEADLINE,
            contact=PEOPLE, language=language, look=LOOK)
    yield compose.hr_notice(kind="comment", to=plan.hr.email, name=plan.hr.name, link=LINK,
                            company=company, signer_name=plan.employee.name,
                            employee_name=plan.employee.name, envelope_id="env1",
                            signer_id="sig1", idempotency_key="n", text="A comment.",
                            at=DEADLINE, look=LOOK)


@pytest.mark.parametrize("language", SUPPORTED)
def test_a_name_ending_in_a_full_stop_gets_no_second_one_in_any_language(language):
    for message in every_message(language, INC):
        for part in (message.subject, message.text, message.html):
            assert "Inc.." not in part, (message.idempotency_key, language)
        assert "Inc." in message.text or (language == "ar" and INC in message.text)


def test_the_helper_ends_a_sentence_once_and_leaves_other_names_alone():
    assert one_full_stop(f"Sent by {INC}.", INC) == f"Sent by {INC}"
    assert one_full_stop("Sent by Acme Ltd.", "Acme Ltd") == "Sent by Acme Ltd."
    arabic = f"أرسلت إليك {INC} هذه الرسالة."
    assert one_full_stop(arabic, INC) == arabic  # the name is mid-sentence there


def test_the_logo_is_inside_the_message_with_the_company_as_its_alt_text():
    message = invitation()
    [image] = message.inline_images
    assert image.content == LOOK.logo_png and image.content_type == "image/png"
    assert f'<img src="cid:{image.content_id}" width="120" height="40" ' \
           'alt="Harbor &amp; Finch Analytics, Inc."' in message.html
    assert "#0b5cad" in message.html and "#1d4ed8" not in message.html
    # Nothing is loaded from elsewhere.
    assert "src=\"http" not in message.html


def test_nothing_configured_is_a_neutral_look_without_an_image():
    message = invitation(look=compose.NEUTRAL_LOOK, company="HR")
    assert message.inline_images == () and "<img" not in message.html
    assert compose.NEUTRAL_LINK_COLOUR in message.html
    assert "Your Company" not in message.html + message.text


def test_the_hr_contact_with_phone_and_the_reply_to_address():
    message = invitation()
    text = " ".join(message.text.split())
    assert "Questions? Ask People Team at people@harborfinch.example" in text
    assert "Telephone: +1 555 010 2030" in text and "+1 555 010 2030" in message.html
    assert message.reply_to == "hr@harborfinch.example"  # mail_reply_to wins
    plain = invitation(look=compose.Look())
    assert plain.reply_to == "people@harborfinch.example"  # else the contact's


def test_hr_are_not_told_to_ask_themselves():
    plan = sample_plan()
    dana = compose.Contact(plan.hr.name, plan.hr.email)
    message = invitation(role="hr", contact=dana)
    assert "Questions?" not in message.text and "Questions?" not in message.html
    assert message.reply_to == LOOK.reply_to
    # The address compared as addresses are: without regard to case.
    shouting = invitation(role="hr", to=plan.hr.email.upper(), contact=dana)
    assert "Questions?" not in shouting.text


def test_the_manager_is_not_told_of_meetings_with_themself():
    plan = sample_plan()
    message = invitation(role="manager", meeting_with=f" {plan.manager.name.upper()} ")
    text = " ".join(message.text.split())
    assert f"with {plan.manager.name}" not in text
    assert "check-in meetings:" in text
    employee = invitation(meeting_with=plan.manager.name)
    assert f"check-in meetings with {plan.manager.name}:" in " ".join(employee.text.split())


def test_the_file_outbox_sends_from_the_sender_name_with_the_logo_related(tmp_path):
    backend = FileMailBackend(tmp_path, from_email="plansign@harborfinch.example",
                              from_name="Harbor & Finch HR")
    message = invitation()
    backend.send(message)
    parsed = email.message_from_bytes(backend.path_for(message).read_bytes(),
                                      policy=policy.default)
    [sender] = parsed["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Harbor & Finch HR",
                                                       "plansign@harborfinch.example")
    assert parsed["Reply-To"] == "hr@harborfinch.example"
    html = parsed.get_body(("html",))
    assert html is not None
    [logo] = [p for p in parsed.walk() if p.get_content_type() == "image/png"]
    assert logo["Content-ID"] == f"<{compose.LOGO_CONTENT_ID}>"
    assert logo.get_content() == LOOK.logo_png
    # The calendar is still an attachment, the logo is not.
    assert [p.get_filename() for p in parsed.iter_attachments()] == ["check-ins.ics"]


def test_a_mail_from_with_its_own_display_name_keeps_it_when_none_is_set(tmp_path):
    backend = FileMailBackend(tmp_path, from_email="Plansign <plansign@example.com>")
    message = invitation(look=compose.Look())
    backend.send(message)
    parsed = email.message_from_bytes(backend.path_for(message).read_bytes(),
                                      policy=policy.default)
    assert parsed["From"].addresses[0].display_name == "Plansign"


def test_sendgrid_sends_from_the_sender_name_with_the_logo_inline():
    with FakeSendGrid() as provider:
        backend = SendGridMailBackend("SG.test-key", host=provider.host,
                                      from_email="plansign@harborfinch.example",
                                      from_name="Harbor & Finch HR")
        backend.send(invitation())
        [request] = provider.requests
    body = request.json
    assert body["from"] == {"email": "plansign@harborfinch.example",
                            "name": "Harbor & Finch HR"}
    assert body["reply_to"] == {"email": "hr@harborfinch.example"}
    [logo] = [a for a in body["attachments"] if a["disposition"] == "inline"]
    assert logo["content_id"] == compose.LOGO_CONTENT_ID and logo["type"] == "image/png"
    assert base64.b64decode(logo["content"]) == LOOK.logo_png
