"""Messages: what each one says, what its subject leaves out, escaping, the calendar file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from docgen.sample import sample_plan
from docgen.schedule import Meeting, schedule_for
from signing.domain.errors import SigningError
from signing.domain.mail import compose, ics
from signing.domain.mail.message import (
    Attachment,
    InvalidMessage,
    MailError,
    Message,
    PermanentMailError,
    TransientMailError,
)

LONDON = ZoneInfo("Europe/London")
LINK = "https://plansign.example.com/s/TOKEN-abc.def"
SENT_AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2026, 12, 14, 17, 0, tzinfo=LONDON)


def invitation(**overrides) -> Message:
    plan = sample_plan()
    args = dict(
        to=plan.employee.email, name=plan.employee.name, link=LINK, deadline=DEADLINE,
        company=plan.company.name, contact=compose.Contact(plan.hr.name, plan.hr.email),
        envelope_id="env_7f3a", signer_id="sig_91c2", idempotency_key="env_7f3a:sig_91c2:inv:1",
        now=SENT_AT, meetings=schedule_for(plan).checkins, location=plan.checkins.location,
        video_link=plan.checkins.video_link, meeting_with=plan.checkins.with_,
    )
    args.update(overrides)
    return compose.invitation(**args)


def all_messages() -> list[Message]:
    plan = sample_plan()
    contact = compose.Contact(plan.hr.name, plan.hr.email)
    common = dict(company=plan.company.name, envelope_id="env_7f3a", signer_id="sig_91c2")
    employee = dict(to=plan.employee.email, name=plan.employee.name, contact=contact, **common)
    manager = dict(to=plan.manager.email, name=plan.manager.name, contact=contact,
                   role="manager", employee_name=plan.employee.name, **common)
    return [
        invitation(),
        invitation(to=plan.manager.email, name=plan.manager.name, role="manager",
                   employee_name=plan.employee.name),
        compose.reminder(link=LINK, deadline=DEADLINE, idempotency_key="r1", **employee),
        compose.reminder(link=LINK, deadline=DEADLINE, idempotency_key="r2", **manager),
        compose.your_copy(link=LINK, idempotency_key="c1", **employee),
        compose.your_copy(link=LINK, idempotency_key="c2", **manager),
        compose.voided(idempotency_key="v1", **employee),
        compose.voided(idempotency_key="v2", **manager),
        *(compose.hr_notice(kind=kind, to=plan.hr.email, name=plan.hr.name, link=LINK,
                            signer_name=plan.employee.name, employee_name=plan.employee.name,
                            text="I do not agree with the October figures.",
                            idempotency_key=f"hr-{kind}", **common)
          for kind in ("refusal", "comment", "decline")),
        compose.hr_notice(kind="name_differs", to=plan.hr.email, name=plan.hr.name, link=LINK,
                          signer_name=plan.employee.name, employee_name=plan.employee.name,
                          text="Alexandra Sample", name_on_record=plan.employee.name,
                          idempotency_key="hr-name_differs", **common),
        refusal_recorded(),
        refusal_recorded(can_comment=False, link=None, idempotency_key="rr2"),
    ]


def refusal_recorded(**overrides) -> Message:
    plan = sample_plan()
    args = dict(
        to=plan.employee.email, name=plan.employee.name, company=plan.company.name,
        contact=compose.Contact(plan.hr.name, plan.hr.email), envelope_id="env_7f3a",
        signer_id="sig_91c2", idempotency_key="rr1", recorded_by=plan.manager.name,
        witness="Jordan Lee",
        at=dt.datetime(2026, 12, 6, 21, 2, tzinfo=ZoneInfo("America/Chicago")),
        meeting_at=dt.datetime(2026, 12, 4, 14, 30, tzinfo=ZoneInfo("America/Chicago")),
        meeting_place="Room <4B>",
        comments_until=dt.datetime(2026, 12, 11, 17, 0, tzinfo=ZoneInfo("Europe/Paris")),
        reason='She said: "the <targets> are unfair"', can_comment=True, link=LINK)
    args.update(overrides)
    return compose.refusal_recorded(**args)


# -- what every message holds ---------------------------------------------------------


@pytest.mark.parametrize("message", all_messages(), ids=lambda m: m.idempotency_key)
def test_subjects_leave_out_the_plan_and_the_person(message: Message) -> None:
    plan = sample_plan()
    assert not re.search(r"\bpip\b", message.subject, re.IGNORECASE)
    for private in (plan.employee.name, plan.employee.name.split()[0], plan.manager.name,
                    plan.company.name, plan.employee.department, "improvement"):
        assert private.lower() not in message.subject.lower()


@pytest.mark.parametrize("message", all_messages(), ids=lambda m: m.idempotency_key)
def test_custom_args_hold_only_opaque_ids(message: Message) -> None:
    assert dict(message.custom_args) == {"envelope_id": "env_7f3a", "signer_id": "sig_91c2"}


@pytest.mark.parametrize("message", all_messages(), ids=lambda m: m.idempotency_key)
def test_html_loads_nothing_from_elsewhere_and_runs_nothing(message: Message) -> None:
    html = message.html.lower()
    assert html.startswith("<!doctype html>")
    for forbidden in ("<img", "<script", "<link", "<iframe", "url(", "src=", "<style"):
        assert forbidden not in html
    # The first thing a mail client can show as a preview is the neutral preheader.
    preview = re.sub(r"<[^>]+>", " ", message.html.split("<body", 1)[1])
    first_words = " ".join(preview.split())[:80]
    assert sample_plan().employee.department not in first_words
    assert "performance" not in first_words.lower()


@pytest.mark.parametrize("message", all_messages(), ids=lambda m: m.idempotency_key)
def test_repr_shows_neither_the_link_nor_the_address(message: Message) -> None:
    assert LINK not in repr(message)
    assert "@" not in repr(message)


def test_messages_are_immutable() -> None:
    message = invitation()
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.subject = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        message.custom_args["name"] = "Alex"  # type: ignore[index]


def test_the_same_inputs_build_the_same_message() -> None:
    assert invitation() == invitation()
    assert invitation().attachments[0].content == invitation().attachments[0].content


# -- invitation -----------------------------------------------------------------------


def test_invitation_says_what_signing_means_with_the_link_and_deadline() -> None:
    message = invitation()
    assert message.subject == "Please review and acknowledge your performance plan"
    assert message.to == "alex.sample@example.com"
    assert message.to_name == "Alex Sample"
    assert message.reply_to == "riley.placeholder@example.com"
    for body in (message.text, message.html):
        assert LINK in body
        assert "Monday 14 December 2026 at 17:00 GMT" in body
        assert "received it and understood it" in body
        assert "does not mean that you agree" in body
        assert "The plan still goes ahead, and your refusal is recorded" in body
        assert "Tuesday 8 December 2026, 10:30 to 11:00 GMT" in body
        assert "Meeting room 2B" in body
        assert "check-ins.ics" in body
    assert f'href="{LINK}"' in message.html


def test_invitation_to_the_manager_names_the_employee_in_the_body_only() -> None:
    plan = sample_plan()
    message = invitation(to=plan.manager.email, name=plan.manager.name, role="manager",
                         employee_name=plan.employee.name)
    assert message.subject == "Please review and sign a performance plan"
    assert "performance improvement plan for Alex Sample as their manager" in message.text
    assert "does not mean that you agree" not in message.text
    with pytest.raises(ValueError, match="employee_name"):
        invitation(role="manager")


def test_invitation_attaches_the_check_ins_as_a_calendar() -> None:
    plan = sample_plan()
    meetings = schedule_for(plan).checkins
    (attachment,) = invitation().attachments
    assert attachment.filename == "check-ins.ics"
    assert attachment.content_type == "text/calendar"

    calendar = Calendar.from_ical(attachment.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [tz.tz_name for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    events = calendar.walk("VEVENT")
    assert len(events) == len(meetings) == 8
    for event, meeting in zip(events, meetings, strict=True):
        starts, ends = event["DTSTART"].dt, event["DTEND"].dt
        assert starts == meeting.starts and ends == meeting.ends
        assert starts.tzinfo is not None and ends.tzinfo is not None
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert starts.date() == meeting.date
        assert str(event["LOCATION"]) == "Meeting room 2B"
        assert str(event["URL"]) == "https://meet.example.com/pip-checkin"
        assert "Morgan Example" in str(event["DESCRIPTION"])
        assert "pip" not in str(event["SUMMARY"]).lower()
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    assert not any("env_7f3a" in uid for uid in uids)  # the seed is hashed
    # Stable: the same envelope gives the same UIDs on a resend, even a later one.
    again = Calendar.from_ical(invitation(now=SENT_AT + dt.timedelta(days=3))
                               .attachments[0].content)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == uids
    other = Calendar.from_ical(invitation(envelope_id="env_other").attachments[0].content)
    assert not {str(e["UID"]) for e in other.walk("VEVENT")} & set(uids)


def test_calendar_keeps_local_time_across_a_dst_change() -> None:
    meetings = tuple(
        Meeting(number=n, week=n, starts=dt.datetime(2027, 3, day, 10, 30, tzinfo=LONDON),
                ends=dt.datetime(2027, 3, day, 11, 0, tzinfo=LONDON))
        for n, day in ((1, 23), (2, 30))
    )
    calendar = Calendar.from_ical(ics.checkin_calendar(meetings, uid_seed="e", stamp=SENT_AT))
    starts = [event["DTSTART"].dt for event in calendar.walk("VEVENT")]
    assert [s.astimezone(dt.UTC).hour for s in starts] == [10, 9]  # GMT, then BST
    assert [(s.hour, s.minute) for s in starts] == [(10, 30), (10, 30)]


def test_invitation_without_check_ins_has_no_attachment() -> None:
    message = invitation(meetings=())
    assert message.attachments == ()
    assert "check-ins.ics" not in message.text


def test_a_video_link_that_is_not_a_url_is_shown_not_linked() -> None:
    message = invitation(video_link="Teams: ask Morgan for the room")
    assert "Teams: ask Morgan for the room" in message.html
    assert 'href="Teams' not in message.html
    event = Calendar.from_ical(message.attachments[0].content).walk("VEVENT")[0]
    assert "URL" not in event


def test_links_must_be_http_urls() -> None:
    for bad in ("javascript:alert(1)", "/s/relative", "https://x.example/a b", ""):
        with pytest.raises(ValueError, match="link"):
            invitation(link=bad)


def test_dates_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        invitation(deadline=dt.datetime(2026, 12, 14, 17, 0))


# -- the other messages ---------------------------------------------------------------


def test_reminder_your_copy_and_voided() -> None:
    by_key = {m.idempotency_key: m for m in all_messages()}
    reminder = by_key["r1"]
    assert reminder.subject.startswith("Reminder: ")
    assert LINK in reminder.text and LINK in reminder.html
    assert "Monday 14 December 2026 at 17:00 GMT" in reminder.text

    copy = by_key["c1"]
    assert copy.subject == "Your copy of your performance plan"
    assert LINK in copy.text and "Download your copy" in copy.html

    voided = by_key["v1"]
    assert voided.subject == "A signing request sent to you has been withdrawn"
    assert "no longer works" in voided.text
    assert "http" not in voided.text.replace("https://", "")  # no link at all
    assert "https://" not in voided.text


def test_hr_notice_says_which_and_escapes_the_comment() -> None:
    plan = sample_plan()
    comment = '<script>alert("x")</script> & I "disagree" with <b>this</b>'
    message = compose.hr_notice(
        kind="comment", to=plan.hr.email, name=plan.hr.name, link=LINK,
        company=plan.company.name, signer_name=plan.employee.name,
        employee_name=plan.employee.name, envelope_id="env_7f3a", signer_id="sig_91c2",
        idempotency_key="hr-1", text=comment,
        at=dt.datetime(2026, 12, 2, 9, 15, tzinfo=LONDON))
    assert message.subject == "A signer commented on a performance plan"
    assert "Alex Sample added a comment to their performance improvement plan" in message.text
    assert "<script>" not in message.html
    assert "<b>this</b>" not in message.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; I &#34;disagree&#34;" \
           in message.html
    assert comment in message.text  # plain text is shown as it was written
    assert message.reply_to is None
    # The record is named, with where HR's systems and an administrator find it: a
    # button into the key-protected API would only show a browser a 401.
    assert "The record is envelope env_7f3a" in message.text
    assert "plansign status env_7f3a" in message.text and LINK in message.text
    assert "<code>env_7f3a</code>" in message.html and "Open the record" not in message.html


def test_hr_notice_of_a_refusal_quotes_only_the_start_of_a_long_reason() -> None:
    plan = sample_plan()
    reason = "The targets ignore the queue change in October. " * 200  # ~10,000 characters
    message = compose.hr_notice(
        kind="refusal", to=plan.hr.email, name=plan.hr.name, link=LINK,
        company=plan.company.name, signer_name=plan.employee.name,
        employee_name=plan.employee.name, envelope_id="env_7f3a", signer_id="sig_91c2",
        idempotency_key="hr-2", text=reason, recorded_by=plan.manager.name,
        witness="Sam Witness")
    assert message.subject == "A signer refused to sign a performance plan"
    assert ("Morgan Example recorded that Alex Sample refused to sign their performance "
            "improvement plan in a meeting, witnessed by Sam Witness.") in message.text
    assert "The plan still goes ahead" in message.text
    assert f"a text of {len(reason.strip()):,} characters" in message.text
    assert len(message.text) < 2_000 and len(message.html) < 8_000
    assert reason.strip() not in message.html


def test_hr_notice_without_text_quotes_nothing() -> None:
    plan = sample_plan()
    message = compose.hr_notice(
        kind="refusal", to=plan.hr.email, name=plan.hr.name, link=LINK,
        company=plan.company.name, signer_name=plan.manager.name, signer_role="manager",
        employee_name=plan.employee.name, envelope_id="env_7f3a", signer_id="sig_m",
        idempotency_key="hr-3")
    assert "Morgan Example (manager) refused to sign the performance improvement plan for " \
           "Alex Sample." in message.text
    assert "THEIR REASON" not in message.text and "<blockquote" not in message.html


def test_hr_notice_of_an_undelivered_email_names_the_address_and_the_answer() -> None:
    plan = sample_plan()
    message = compose.hr_notice(
        kind="undeliverable", to=plan.hr.email, name=plan.hr.name, link=LINK,
        company=plan.company.name, signer_name=plan.manager.name, signer_role="manager",
        employee_name=plan.employee.name, envelope_id="env_7f3a", signer_id="sig_m",
        idempotency_key="hr-4", text="550 <mailbox> unavailable", undelivered="reminder",
        address="morgan@example.com", at=dt.datetime(2026, 12, 2, 9, 15, tzinfo=LONDON))
    assert message.subject == "An email about a performance plan could not be delivered"
    assert "The reminder for the performance improvement plan for Alex Sample could not be " \
           "delivered to Morgan Example (manager) at morgan@example.com" in \
           " ".join(message.text.split())
    assert "THE MAIL PROVIDER SAID" in message.text
    assert "550 &lt;mailbox&gt; unavailable" in message.html


# -- the Message itself ---------------------------------------------------------------


def message(**overrides) -> Message:
    args = dict(to="a@example.com", subject="Hello", text="t", html="<p>h</p>",
                idempotency_key="k1", custom_args={"envelope_id": "env_1"})
    args.update(overrides)
    return Message(**args)


@pytest.mark.parametrize("custom_args", [
    {"email": "alex.sample@example.com"},
    {"name": "Alex Sample"},
    {"plan_id": "PIP-SAMPLE-0001"},
    {"pip_id": "x1"},
    {"Envelope": "x1"},
    {"idempotency_key": "k"},
    {"envelope_id": ""},
    {"envelope_id": 12},
])
def test_custom_args_refuse_anything_but_opaque_ids(custom_args) -> None:
    with pytest.raises(InvalidMessage, match="custom_args"):
        message(custom_args=custom_args)


@pytest.mark.parametrize(("field", "value"), [
    ("to", "Alex <a@example.com>"),
    ("to", "a@example.com, b@example.com"),
    ("to", "a@example.com\r\nBcc: x@example.com"),
    ("to_name", "Alex\nBcc: x@example.com"),
    ("reply_to", "not an address"),
    ("subject", "Hi\r\nBcc: x@example.com"),
    ("subject", "Your PIP"),
    ("subject", " "),
    ("idempotency_key", "has space"),
    ("idempotency_key", ""),
    ("attachments", [("../x.ics", "text/calendar", b"")]),
    ("attachments", [("x.ics", "calendar", b"")]),
    ("attachments", [("x.ics", "text/calendar", "not bytes")]),
])
def test_a_message_refuses_what_cannot_be_sent(field: str, value) -> None:
    with pytest.raises(InvalidMessage, match=field.split("_")[0]) as caught:
        message(**{field: value})
    assert "x@example.com" not in str(caught.value)


def test_invalid_message_is_a_permanent_mail_error_and_a_value_error() -> None:
    assert issubclass(InvalidMessage, PermanentMailError)
    assert issubclass(InvalidMessage, ValueError)
    assert issubclass(MailError, SigningError)
    assert TransientMailError("busy", retry_after=3.5).retry_after == 3.5
    assert PermanentMailError("no", status=400).status == 400


def test_attachments_may_be_given_as_plain_tuples() -> None:
    built = message(attachments=[("a.ics", "text/calendar", b"BEGIN")])
    assert built.attachments == (Attachment("a.ics", "text/calendar", b"BEGIN"),)
    assert "BEGIN" not in repr(built)


# -- issue 14: the employee told of a recorded refusal; HR told of a decline or a name ----


def test_refusal_recorded_tells_the_employee_what_by_whom_and_that_they_may_comment() -> None:
    message = refusal_recorded()
    assert message.subject == "Your response to your performance plan was recorded"
    # The meeting's time, not the time the manager recorded it.
    assert ("Morgan Example has recorded that you refused to sign your performance "
            "improvement plan in a meeting on Friday 4 December 2026 at 14:30 CST, at Room "
            "<4B>. Jordan Lee is named as the witness who was present. It was recorded on "
            "Sunday 6 December 2026 at 21:02 CST.") in " ".join(message.text.split())
    assert "WHAT WAS RECORDED AS YOUR WORDS" in message.text
    assert 'She said: "the <targets> are unfair"' in message.text
    assert "The plan still goes ahead" in message.text
    assert "you can add comments through your link" in message.text
    # Until when, in the employee's zone; the record is sealed after that.
    assert ("You can add comments until Friday 11 December 2026, 17:00 CET; the record is "
            "sealed after that.") in " ".join(message.text.split())
    assert "You can add comments until Friday 11 December 2026, 17:00 CET" in message.html
    assert "Room &lt;4B&gt;" in message.html
    assert LINK in message.text and LINK in message.html
    assert "&lt;targets&gt;" in message.html and "<targets>" not in message.html
    assert message.reply_to == "riley.placeholder@example.com"


def test_refusal_recorded_once_the_plan_is_closed_offers_no_link() -> None:
    message = refusal_recorded(can_comment=False, link=None, reason=None)
    assert "https://" not in message.text and "https://" not in message.html
    assert "write to HR" in message.text
    assert "WHAT WAS RECORDED AS YOUR WORDS" not in message.text
    assert "You can add comments until" not in message.text
    with pytest.raises(ValueError, match="link"):
        refusal_recorded(link=None)


def test_hr_notice_of_a_recorded_refusal_gives_the_meeting_and_the_comment_window() -> None:
    plan = sample_plan()
    message = compose.hr_notice(
        kind="refusal", to=plan.hr.email, name=plan.hr.name, link=LINK,
        company=plan.company.name, signer_name=plan.employee.name,
        employee_name=plan.employee.name, envelope_id="env_7f3a", signer_id="sig_91c2",
        idempotency_key="hr-rr", text="Said it is unfair.", recorded_by=plan.manager.name,
        witness="Sam Witness", at=dt.datetime(2026, 12, 6, 9, 15, tzinfo=LONDON),
        meeting_at=dt.datetime(2026, 12, 4, 14, 30, tzinfo=LONDON), meeting_place="Room 4B",
        comments_until=dt.datetime(2026, 12, 11, 9, 15, tzinfo=LONDON))
    text = " ".join(message.text.split())
    # Whole sentences, each translatable as one (signing.domain.mail.notice_words).
    assert ("Morgan Example recorded that Alex Sample refused to sign their performance "
            "improvement plan in a meeting, witnessed by Sam Witness. The meeting was on "
            "Friday 4 December 2026 at 14:30 GMT, at Room 4B. It was recorded on Sunday "
            "6 December 2026 at 09:15 GMT.") in text
    assert "Alex Sample can add comments until Friday 11 December 2026, 09:15 GMT" in text
    assert "WHAT WAS RECORDED AS THE EMPLOYEE'S WORDS" in message.text
    assert "What was recorded as the employee&#39;s words" in message.html or \
        "What was recorded as the employee's words" in message.html


def test_hr_notice_of_a_decline_says_the_plan_is_stopped_and_quotes_the_reason() -> None:
    plan = sample_plan()
    message = compose.hr_notice(
        kind="decline", to=plan.hr.email, name=plan.hr.name, link=LINK,
        company=plan.company.name, signer_name=plan.manager.name, signer_role="manager",
        employee_name=plan.employee.name, envelope_id="env_7f3a", signer_id="sig_m",
        idempotency_key="hr-d", text="Goal 2 was never <discussed>.",
        at=dt.datetime(2026, 12, 2, 9, 15, tzinfo=LONDON))
    assert message.subject == "A signer declined to sign a performance plan, which is stopped"
    assert ("Morgan Example (manager) declined to sign the performance improvement plan for "
            "Alex Sample on Wednesday 2 December 2026 at 09:15 GMT.") in message.text
    assert "The plan is stopped" in message.text
    assert "THEIR REASON" in message.text and "Goal 2 was never <discussed>." in message.text
    assert "Goal 2 was never &lt;discussed&gt;." in message.html


def test_hr_notice_of_a_different_name_gives_both_names() -> None:
    by_key = {m.idempotency_key: m for m in all_messages()}
    message = by_key["hr-name_differs"]
    assert message.subject == "A signer signed a performance plan with a different name"
    assert ('Alex Sample signed their performance improvement plan with the name '
            '"Alexandra Sample", which differs from the name on the plan, "Alex Sample". '
            "They confirmed that their legal name differs") in message.text
    assert "THEIR" not in message.text  # the name is said once, not quoted again
