"""Each signer's page through Flask's test client, with the default routing: the manager
confirms or declines and may record a refusal made in a meeting; the employee
acknowledges or refuses, and comments before and after; HR countersign. Field errors
beside their fields, the typed name checked, the time zone kept, opening the PDF
recorded, and what the page template is given."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import template_rendered
from markupsafe import escape
from sqlalchemy import select

from signing.domain import envelopes as svc
from signing.domain.models import OutboxRow, SignerRow
from signing.domain.wording import consent_for, statement_for
from signing.web import timefmt
from signing.web.app import create_app
from tests.signing.signer_pages import HR, MANAGER_ZONE, meeting_time, signer_ids


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def plain(html: str) -> str:
    """The page without the <bdi> that isolates names and places in its sentences."""
    return html.replace("<bdi>", "").replace("</bdi>", "")


def trail(sessions, envelope_id, type_=None):
    with sessions() as session:
        return [r for r in svc.audit_trail(session, envelope_id)
                if type_ is None or r.type == type_]


def outbox(sessions) -> list[tuple[str, str | None]]:
    with sessions() as session:
        return [(r.name, r.signer_id) for r in session.scalars(select(OutboxRow)
                                                             .order_by(OutboxRow.id))]


def state_of(sessions, signer_id) -> str:
    with sessions() as session:
        return session.get(SignerRow, signer_id).state


@pytest.fixture
def rendered(app):
    """The context of every template the app renders during the test, in order."""
    seen: list[tuple[str, dict]] = []

    def record(sender, template, context, **extra):
        seen.append((template.name, context))

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


# -- the manager ------------------------------------------------------------------------


def test_the_manager_confirms_in_their_own_words(signer, sessions):
    signer.send(manager_confirms=False)
    page = signer.open_as("manager")
    assert str(escape(statement_for("manager"))) in plain(page)
    assert "receipt and understanding, not agreement" not in plain(page)
    assert "Confirm the plan" in plain(page) and "Decline to sign" in plain(page)
    assert "Acknowledge the plan" not in plain(page) and "Refuse to sign" not in plain(page)
    assert 'action="/sign/comment"' not in plain(page)
    assert "Record that Alex Sample refused" not in plain(page)  # not sent the plan yet
    # Their own consent: to sign in their role, not the employee's paper copy and withdrawal.
    assert str(escape(consent_for("manager"))) in plain(page)
    assert "I can ask HR for a paper copy" not in plain(page)
    response = signer.confirm("morgan example", timezone="America/Chicago")
    assert response.status_code == 303
    assert "Your confirmation has been recorded" in signer.follow(response)
    [confirmed] = trail(sessions, signer.envelope_id, "signer.confirmed")
    assert confirmed.data["statement"] == statement_for("manager")
    assert confirmed.data["consent_text"] == consent_for("manager")
    assert confirmed.data["typed_name"] == "morgan example"
    assert confirmed.data["timezone"] == "America/Chicago"
    assert confirmed.actor == f"signer:{signer.signer_id}"
    with sessions() as session:
        employee = signer_ids(session, signer.envelope_id)["employee"]
    assert state_of(sessions, employee) == "notified"  # the employee is sent it now


def test_the_manager_cannot_acknowledge_and_the_employee_cannot_confirm(signer, sessions):
    signer.send(manager_confirms=False)
    signer.open_as("manager")
    response = signer.acknowledge(typed_name="Morgan Example")
    assert response.status_code == 409
    assert "Only the employee can acknowledge the plan; as the manager, you can confirm it " \
           "or decline to sign it." in response.get_data(as_text=True)
    signer.confirm("Morgan Example")
    signer.open_as("employee")
    for action in ("confirm", "decline"):
        response = signer.post(action, typed_name="Alex Sample", consent="on", reason="x")
        assert response.status_code == 409
        assert "as the employee, you can acknowledge it, refuse to sign it, or comment on it" \
               in response.get_data(as_text=True)
    assert trail(sessions, signer.envelope_id, "signer.declined") == []


def test_a_decline_needs_a_reason_then_stops_the_plan(signer, sessions, client):
    signer.send()
    employee = signer.another()
    employee.open_as("employee")
    employee.acknowledge()
    signer.open_as("hr")
    response = signer.decline("   ")
    assert response.status_code == 422
    assert 'id="decline-reason-error">Say why you are declining to sign.' in \
           response.get_data(as_text=True)
    response = signer.decline("Goal 3 commits support we cannot give.")
    assert response.status_code == 303 and response.headers["Location"] == "/sign/declined"
    page = client.get("/sign/declined").get_data(as_text=True)
    assert "You declined to sign" in plain(page) and "HR have been told your reason" in plain(page)
    # Only the browser that declined is shown that page: nobody can be told it falsely.
    assert client.application.test_client().get("/sign/declined").status_code == 404
    assert client.get("/sign").status_code == 403  # the plan was withdrawn
    [voided] = trail(sessions, signer.envelope_id, "envelope.voided")
    assert voided.data["reason"] == ("declined by HR Riley Placeholder: Goal 3 commits "
                                     "support we cannot give.")
    with sessions() as session:
        ids = signer_ids(session, signer.envelope_id)
    sent = outbox(sessions)
    assert ("hr_notice_decline", ids["hr"]) in sent
    assert ("voided", ids["employee"]) in sent and ("voided", ids["manager"]) in sent
    assert ("voided", ids["hr"]) not in sent


# -- recording a refusal made in a meeting ----------------------------------------------


def test_a_manager_records_the_employees_refusal_with_care(signer, sessions):
    signer.send()
    page = signer.open_as("manager")
    assert "Record that Alex Sample refused to sign" in plain(page)
    assert 'name="confirm_record"' in plain(page)
    before = signer.events()
    for witness, problem in [("  ", "Name the witness who saw the employee refuse"),
                             ("MORGAN example", "You cannot witness a refusal you record"),
                             ("Alex Sample", "The employee cannot witness their own")]:
        response = signer.record_refusal(witness, reason="Said it is unfair.")
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert f'id="record_refusal-witness-error">{problem}' in text
        assert "Said it is unfair.</textarea>" in text  # kept
    response = signer.record_refusal("Jordan Lee", confirm_record=False)
    assert 'id="record_refusal-confirm_record-error">Tick the box' in \
           response.get_data(as_text=True)
    assert signer.events() == before

    meeting = meeting_time(dt.timedelta(days=2))
    response = signer.record_refusal("Riley Placeholder", reason="Said it is unfair.",
                                     meeting_at=meeting, meeting_place="Room 4B")
    page = signer.follow(response)
    assert "refusal to sign has been recorded with your witness" in plain(page)
    assert "Record that Alex Sample refused" not in plain(page)
    [refused] = trail(sessions, signer.envelope_id, "signer.refused")
    with sessions() as session:
        ids = signer_ids(session, signer.envelope_id)
        comments_until = svc.load(session, signer.envelope_id).comments_until
    assert refused.signer_id == ids["employee"] and refused.actor == f"signer:{ids['manager']}"
    meeting_at = dt.datetime.fromisoformat(meeting).replace(tzinfo=ZoneInfo(MANAGER_ZONE))
    assert refused.data == {"recorded_by": ids["manager"], "witness": "Riley Placeholder",
                            "confirmed": True, "reason": "Said it is unfair.",
                            "meeting_at": meeting_at.isoformat(), "meeting_place": "Room 4B",
                            "timezone": MANAGER_ZONE}
    assert comments_until == refused.at + dt.timedelta(days=5)
    sent = outbox(sessions)
    assert ("hr_notice_refusal", ids["employee"]) in sent
    assert ("refusal_recorded", ids["employee"]) in sent
    again = signer.record_refusal("Jordan Lee")
    assert "The employee has already responded" in signer.follow(again)

    # The employee's link still works, for comments.
    employee = signer.another()
    page = employee.open_as("employee")
    assert "Morgan Example recorded that you refused to sign this plan in a meeting" in plain(page)
    assert "Witness: Riley Placeholder." in plain(page) and "Said it is unfair." in plain(page)
    # The meeting's time, not the click's, in the employee's zone (the plan's: London).
    london = "Europe/London"
    page = " ".join(page.split())
    assert (f"in a meeting on <time datetime=\"{timefmt.iso(meeting_at)}\">"
            f"{timefmt.local_time_named(meeting_at, london)}</time>. Place: Room 4B."
            ) in plain(page)
    assert f"Recorded on <time datetime=\"{timefmt.iso(refused.at)}\">" in plain(page)
    assert "What was recorded as your words:" in plain(page)
    assert (f"You can add comments until <time datetime=\"{timefmt.iso(comments_until)}\">"
            f"{timefmt.local_time_named(comments_until, london)}</time>") in plain(page)
    assert "Acknowledge the plan" not in plain(page)
    assert "Add comments" in plain(page)
    assert employee.follow(employee.comment("I did not refuse; I asked for time.")) \
        .count("I did not refuse; I asked for time.") == 1

    # HR read the reason as the manager's record of the employee's words, not as hers.
    page = signer.another().open_as("hr")
    assert "What was recorded as the employee's words:" in plain(page)
    assert "Said it is unfair." in plain(page) and "Reason given" not in plain(page)


@pytest.mark.parametrize(("meeting_at", "problem"), [
    ("", "Give the date and time of the meeting"),
    (meeting_time(-dt.timedelta(hours=2)), "The meeting&#39;s date and time are in the future"),
    (meeting_time(dt.timedelta(days=31)), "The meeting was more than 30 days ago"),
])
def test_the_meeting_time_is_asked_for_and_checked_beside_its_field(signer, sessions,
                                                                     meeting_at, problem):
    signer.send()
    page = signer.open_as("manager")
    assert '<input type="datetime-local" id="meeting_at" name="meeting_at" required' in plain(page)
    assert '<label for="meeting_place">Where the meeting took place (optional)</label>' in page
    assert "What Alex Sample said, as you recorded it" in plain(page)
    response = signer.record_refusal("Jordan Lee", meeting_at=meeting_at,
                                     meeting_place="Room 4B", reason="Kept.")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'id="record_refusal-meeting_at-error">{problem}' in text
    assert 'value="Room 4B"' in text and "Kept.</textarea>" in text  # what was typed is kept
    assert trail(sessions, signer.envelope_id, "signer.refused") == []


def test_the_witness_is_named_in_full_beside_the_field(signer, sessions):
    signer.send()
    signer.open_as("manager")
    response = signer.record_refusal("Jordan")
    assert response.status_code == 422
    assert 'id="record_refusal-witness-error">Give the witness&#39;s full name' in \
        response.get_data(as_text=True)
    assert trail(sessions, signer.envelope_id, "signer.refused") == []


def test_hr_confirm_at_once_and_are_told_the_record_waits_for_the_employees_comments(
        signer, sessions):
    signer.send()
    signer.open_as("manager")
    signer.record_refusal("Jordan Lee", reason="Said it is unfair.")
    hr = signer.another()
    page = " ".join(hr.open_as("hr").split())
    with sessions() as session:
        comments_until = svc.load(session, signer.envelope_id).comments_until
    assert (f"Alex Sample can add comments until <time datetime=\"{timefmt.iso(comments_until)}\">"
            f"{timefmt.local_time_named(comments_until, 'Europe/London')}</time>; "
            "the record is sealed after that.") in plain(page)
    assert "recorded that Alex Sample refused to sign in a meeting on" in plain(page)
    assert "Witness: Jordan Lee." in plain(page)
    assert "What was recorded as the employee's words:" in plain(page)
    hr.follow(hr.confirm("Riley Placeholder"))
    with sessions() as session:
        assert svc.load(session, signer.envelope_id).state == "sent"  # not sealed yet
    assert "envelope.completed" not in signer.events()
    employee = signer.another()
    employee.open_as("employee")
    page = employee.follow(employee.comment("I did not refuse; I asked for time."))
    assert "Your comments have been recorded" in plain(page)


def test_no_refusal_can_be_recorded_before_the_employee_has_the_plan(signer, sessions):
    signer.send(manager_confirms=False)
    signer.open_as("manager")
    response = signer.record_refusal("Jordan Lee")
    assert response.status_code == 409
    assert "The employee has not been sent the plan yet" in response.get_data(as_text=True)
    assert trail(sessions, signer.envelope_id, "signer.refused") == []


def test_only_the_manager_records_a_refusal(signer, sessions):
    page = signer.open()
    assert "Record that" not in plain(page)
    response = signer.record_refusal("A Friend")
    assert response.status_code == 409
    assert "Only the employee&#39;s manager can record" in response.get_data(as_text=True)
    assert trail(sessions, signer.envelope_id, "signer.refused") == []


# -- the employee -----------------------------------------------------------------------


def test_a_refusal_needs_the_employees_confirmation(signer, sessions):
    page = signer.open()
    assert 'name="confirm_refusal"' in plain(page)
    response = signer.refuse(confirm_refusal=False, reason="Unrealistic.")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="refuse-confirm_refusal-error">Tick the box to confirm that you understand ' \
           'the plan still takes effect' in text
    assert "Unrealistic.</textarea>" in text
    assert trail(sessions, signer.envelope_id, "signer.refused") == []


def test_the_employee_comments_after_acknowledging_and_sees_them(signer):
    signer.open()
    page = signer.follow(signer.acknowledge(comment="First, with my signature."))
    assert "You acknowledged this plan" in plain(page)
    assert "Your comments so far" in plain(page) and "First, with my signature." in plain(page)
    assert "Add comments" in plain(page)
    page = signer.follow(signer.comment("And a second thought."))
    assert "Your comments have been recorded" in plain(page)
    assert "You can still respond below" not in plain(page)
    assert page.index("First, with my signature.") < page.index("And a second thought.")


def test_after_refusing_the_employee_sees_the_reason_they_gave(signer):
    signer.open()
    page = signer.follow(signer.refuse(reason="The targets ignore <the incident load>."))
    assert "The reason you gave:" in plain(page)
    assert "The targets ignore &lt;the incident load&gt;." in plain(page)


def test_an_employee_whose_refusal_was_recorded_is_told_what_to_do_if_it_is_wrong(signer):
    signer.open()
    manager = signer.another()
    manager.open_as("manager")
    manager.record_refusal("Sam Witness")
    page = signer.open_as("employee")
    assert "recorded that you refused to sign this plan in a meeting." in plain(page)
    assert "If this is not what happened" in plain(page)


def test_hr_read_the_employees_answer_and_comments_before_countersigning(signer, sessions):
    signer.open()
    signer.comment("<b>The Q3 figures</b> include another team's accounts.")
    signer.acknowledge()
    [acknowledged] = trail(sessions, signer.envelope_id, "signer.acknowledged")
    assert acknowledged.data["consent_text"] == consent_for("employee")
    hr = signer.another()
    page = hr.open_as("hr")
    assert str(escape(consent_for("hr"))) in plain(page)
    assert "Alex Sample's response so far" in plain(page)
    assert "Alex Sample acknowledged the plan on" in plain(page)
    # Their words as they wrote them, escaped.
    assert "&lt;b&gt;The Q3 figures&lt;/b&gt; include another team&#39;s accounts." in plain(page)


def test_the_manager_sees_that_the_employee_has_not_answered_yet(signer):
    signer.send(manager_confirms=False)
    page = signer.open_as("manager")
    assert "Alex Sample has not been sent the plan yet." in plain(page)
    signer.confirm("Morgan Example")
    assert "has been sent the plan and has not answered yet" in signer.open_as("manager")


def test_a_comment_once_the_plan_is_closed_says_whom_to_contact(signer, sessions):
    page = signer.open()
    with sessions.begin() as session:
        svc.perform(session, signer.envelope_id, "expire", actor=HR,
                    now=dt.datetime.now(dt.UTC) + dt.timedelta(days=15))
    response = signer.post("comment", comment="Too late?", submission="s-late")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "This plan is closed, so comments can no longer be added here" in text
    assert "write to Riley Placeholder in HR at riley.placeholder@example.com" in text
    assert "Too late?</textarea>" in text  # kept, to copy
    assert 'name="submission"' in plain(page)
    assert trail(sessions, signer.envelope_id, "signer.commented") == []


# -- the typed name ---------------------------------------------------------------------


def test_a_different_name_is_refused_beside_the_field_then_accepted_when_it_differs(
        signer, sessions):
    signer.open()
    response = signer.acknowledge(typed_name="Mickey Mouse")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert ('id="acknowledge-typed_name-error">The name you typed does not match the name on '
            'this plan, &#34;Alex Sample&#34;.') in text
    assert 'value="Mickey Mouse"' in text and 'name="name_differs"' in text
    assert trail(sessions, signer.envelope_id, "signer.acknowledged") == []
    assert signer.acknowledge(typed_name="Alexandra Sample", name_differs="on") \
        .status_code == 303
    [signed] = trail(sessions, signer.envelope_id, "signer.acknowledged")
    assert signed.data["name_differs"] is True and signed.data["name_on_record"] == "Alex Sample"
    assert ("hr_notice_name_differs", signer.signer_id) in outbox(sessions)


def test_accents_case_and_spacing_do_not_matter(signer, sessions):
    signer.open()
    assert signer.acknowledge(typed_name="  ALEX   sample ").status_code == 303
    [signed] = trail(sessions, signer.envelope_id, "signer.acknowledged")
    assert "name_differs" not in signed.data


# -- the time zone ----------------------------------------------------------------------


@pytest.mark.parametrize(("given", "kept"), [
    ({"timezone": "America/Chicago"}, "America/Chicago"),
    ({"timezone": "Nowhere/Special"}, "Europe/London"),  # the plan's check-in zone
    ({}, "Europe/London")])
def test_the_signers_time_zone_is_recorded(signer, sessions, given, kept):
    signer.open()
    assert signer.acknowledge(**given).status_code == 303
    [signed] = trail(sessions, signer.envelope_id, "signer.acknowledged")
    assert signed.data["timezone"] == kept


# -- opening the PDF --------------------------------------------------------------------


def test_opening_the_pdf_is_recorded_once_per_session_and_kind(signer, sessions, client):
    signer.open()
    for _ in range(2):
        assert client.get("/sign/document.pdf").data == b"%PDF-1.7 the plan"
        assert client.get("/sign/document.pdf?download=1").status_code == 200
    opened = trail(sessions, signer.envelope_id, "signer.document_opened")
    assert [r.data for r in opened] == [{"download": False}, {"download": True}]
    assert opened[0].signer_id == signer.signer_id and opened[0].ip == "127.0.0.1"
    assert opened[0].actor == f"signer:{signer.signer_id}"
    # After deciding, a new browser session records it again.
    signer.acknowledge()
    signer.open_as("employee")
    client.get("/sign/document.pdf")
    assert len(trail(sessions, signer.envelope_id, "signer.document_opened")) == 3


def test_opening_the_pdf_of_a_closed_plan_only_serves_it(signer, sessions, client):
    signer.open()
    with sessions.begin() as session:
        svc.perform(session, signer.envelope_id, "expire", actor=HR,
                    now=dt.datetime.now(dt.UTC) + dt.timedelta(days=15))
    assert client.get("/sign/document.pdf?download=1").data == b"%PDF-1.7 the plan"
    assert trail(sessions, signer.envelope_id, "signer.document_opened") == []


# -- what the page is given -------------------------------------------------------------


def test_the_page_is_given_what_the_contract_lists(signer, rendered):
    signer.open()
    name, context = rendered[-1]
    assert name == "sign.html"
    assert context["role"] == "employee"
    assert context["statement"] == statement_for("employee")
    assert context["consent"] == consent_for("employee")
    assert context["sender"] == "Riley Placeholder"
    assert context["deadline"].tzinfo is not None
    assert context["tz"] == "Europe/London"
    assert context["my_comments"] == [] and context["can_comment"] is True
    assert context["recorded_refusal"] is None
    assert context["can_record_refusal"] is False
    assert context["employee"].name == "Alex Sample"
    assert context["errors"] == {} and context["failed"] is None
    for key in ("ctx", "consent", "notice", "error", "form", "max_chars", "submission"):
        assert key in context
    signer.comment("Noted.")
    signer.client.get("/sign")
    _, context = rendered[-1]
    [(at, text)] = context["my_comments"]
    assert text == "Noted." and at.tzinfo is not None

    signer.open_as("manager")
    _, context = rendered[-1]
    assert context["role"] == "manager" and context["can_record_refusal"] is True
    assert context["can_comment"] is False
    assert context["statement"] == statement_for("manager")
    assert context["consent"] == consent_for("manager")
    response = signer.record_refusal("")
    _, context = rendered[-1]
    assert response.status_code == 422
    assert context["errors"] == {"witness": "Name the witness who saw the employee refuse "
                                            "to sign."}
    assert context["failed"] == "record_refusal" and context["form"]["witness"] == ""
    assert context["error"]


# -- a session that ended before sending --------------------------------------------------


def test_a_post_after_the_session_ended_says_the_text_is_kept(signer, sessions):
    signer.open()
    with sessions.begin() as session:  # a new link: this session's has been revoked
        svc.perform(session, signer.envelope_id, "resend", signer_id=signer.signer_id,
                    actor=HR, now=dt.datetime.now(dt.UTC))
    response = signer.comment("A long comment I typed for an hour.")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "nothing was recorded" in text
    assert "What you typed is kept in this browser" in text
    assert "Open the link in your most recent email here" in text


def test_a_post_without_a_session_says_the_text_is_kept(app, signer):
    signer.open()
    stranger = app.test_client()  # the session cookie gone, as after two idle hours
    response = stranger.post("/sign/comment", data={"csrf_token": signer.csrf_token,
                                                    "comment": "Typed for an hour."})
    assert response.status_code == 400  # no session: its CSRF token cannot be checked
    text = response.get_data(as_text=True)
    # The page written for a session that ended before sending, not "reload the page"
    # (a reload sends the same form again, into the same refusal).
    assert "<h1>Your response was not sent</h1>" in text
    assert "This page expired before your response was sent, so nothing was recorded" in text
    assert "What you typed is kept in this browser" in text
    assert "Open the link in your most recent email here" in text
    assert "reload" not in text.lower()
