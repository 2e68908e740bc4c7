"""What the signer's page says, through Flask's test client: who sent the plan and why,
what is asked of this reader, by when (in a named zone) and whom to ask; a summary of
every section of the plan; each role's forms; the employee's own comments; and a styled
page for an address that does not exist."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from docgen import sample_plan
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.web.app import create_app
from tests.signing.signer_pages import HR, csrf, meeting_time, token_for


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def send(sessions, *roles: tuple[wf.Role, int], language: str | None = None) -> dict[str, str]:
    """The sample plan sent to the given roles at their routing orders: signer ids by role."""
    plan = sample_plan()
    people = {wf.Role.EMPLOYEE: plan.employee, wf.Role.MANAGER: plan.manager,
              wf.Role.HR: plan.hr}
    now = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)  # a fixed past: the text is known
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    if language:
        data["language"] = language
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data,
            template="standard", pdf=b"%PDF-1.7 the plan", actor=HR, now=now,
            signers=[svc.SignerSpec(role, people[role].name, people[role].email, order)
                     for role, order in roles])
        svc.perform(session, envelope_id, "send", actor=HR, now=now,
                    expires_in=dt.timedelta(days=14))
        return {s.role: s.id for s in svc.load(session, envelope_id).signers}


def page_of(app, sessions, signer_id: str):
    client = app.test_client()
    assert client.get(f"/s/{token_for(app, sessions, signer_id)}").status_code == 303
    return client, client.get("/sign").get_data(as_text=True)


def text_of(html: str) -> str:
    """The page's words as a reader meets them: tags gone, spaces collapsed."""
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return re.sub(r"\( ", "(", re.sub(r" ([.,;:)])", r"\1", words))


def test_the_top_says_who_sent_it_what_is_asked_by_when_and_whom_to_ask(app, sessions):
    ids = send(sessions, (wf.Role.EMPLOYEE, 1))
    _, html = page_of(app, sessions, ids[wf.Role.EMPLOYEE])
    words = text_of(html)
    asked = words[words.index("What you are asked to do"):words.index("The plan in brief")]
    assert "Riley Placeholder (HR Business Partner) sent you this performance improvement plan" \
        in asked
    assert "acknowledge that you have received it, or refuse to sign" in asked
    # 14 days after noon UTC on 5 January, in the plan's check-in zone, named.
    assert "Please respond by Monday 19 January 2026, 12:00 GMT (Europe/London)." in asked
    assert "Questions? Ask Riley Placeholder, riley.placeholder@example.com" in asked
    assert 'href="mailto:riley.placeholder@example.com"' in html
    # The skip link comes first and goes to the first field of the response.
    assert html.index('class="skip-link" href="#typed_name"') < html.index("<main")
    assert "<iframe" not in html  # the PDF is opened through a link


def test_the_summary_covers_every_section_of_the_plan(app, sessions):
    ids = send(sessions, (wf.Role.EMPLOYEE, 1))
    _, html = page_of(app, sessions, ids[wf.Role.EMPLOYEE])
    words = text_of(html)
    for expected in (
        "Employee Alex Sample, Customer Support Specialist", "Department Customer Support",
        "Manager Morgan Example, Support Team Lead",
        "Answers customer tickets in the Tier 1 queue",  # the role
        "First-response times have been above the team standard for five months.",
        "June to August 2026: Median first response 9 h 40 min",
        "September 2026, Tickets within 4 h: 61% against a target of 90%",
        "Ticket response times First responses to new tickets arrive well after",
        "31 October 2026: 32% of October tickets (118 of 369) received a first response "
        "after 4 hours. (Source: Zendesk report ZD-FRT-2026-10)",
        "Send a first response to new Tier 1 tickets within 4 business hours.",
        "Measured by Share of new tickets", "Now 68% in October 2026",
        "Target 90% or more", "Due 29 January 2027",
        "11 December 2026: 75% of tickets answered within 4 h for the week.",
        "Coaching: Weekly 30-minute queue-triage coaching", "By Morgan Example",
        "Weekly on Tuesdays at 10:30 (Europe/London), 30 minutes, with Morgan Example.",
        "Where: Meeting room 2B", "Tuesday 8 December 2026, 10:30",
        "31 December 2026 30 January 2027 (final review)",
        "If the goals are met The plan closes and regular performance management resumes.",
        "If there is progress but not enough The plan may be extended once",
        "If the goals are not met Further action may follow",
        "Leave already booked for 24-26 December is honoured",
        "Raising concerns and appeals The employee can raise any concern about this plan",
        "HR contact: ",
        "Wellbeing and employee assistance Being on a performance improvement plan can be "
        "stressful.",
    ):
        assert expected in words, expected


def test_the_summarys_labels_are_punctuated_as_the_plans_language_writes_them(app, sessions):
    """French puts a no-break space before a colon, after a date, a period, a kind of
    support ("31 octobre 2026 : ..."); the English page keeps its own (see above)."""
    ids = send(sessions, (wf.Role.EMPLOYEE, 1), language="fr")
    _, html = page_of(app, sessions, ids[wf.Role.EMPLOYEE])
    for label in ("31 octobre 2026\u00a0:</strong> 32% of October tickets",  # evidence
                  "11 décembre 2026\u00a0:</strong> 75% of tickets",  # a milestone
                  "June to August 2026\u00a0:</strong> Median first response",  # history
                  "September 2026, Tickets within 4 h\u00a0:</strong>",  # a result
                  "61\u00a0% pour un objectif de 90\u00a0%",  # its amounts
                  "Coaching\u00a0:</strong> Weekly 30-minute"):  # a kind of support
        assert label in html, label
    assert "2026:</strong>" not in html and "Coaching:</strong>" not in html


def test_the_employee_acknowledges_or_refuses_apart_with_a_confirmation(app, sessions):
    ids = send(sessions, (wf.Role.EMPLOYEE, 1))
    _, html = page_of(app, sessions, ids[wf.Role.EMPLOYEE])
    acknowledge = html.index('action="/sign/acknowledge"')
    refuse = html.index('action="/sign/refuse"')
    assert acknowledge < html.index('<details id="refuse-details">') < refuse
    assert 'name="confirm_refusal"' in html and 'name="timezone"' in html
    assert 'action="/sign/confirm"' not in html and 'action="/sign/decline"' not in html


def test_the_manager_confirms_or_declines_and_may_record_a_refusal(app, sessions):
    ids = send(sessions, (wf.Role.MANAGER, 1), (wf.Role.EMPLOYEE, 1))
    _, html = page_of(app, sessions, ids[wf.Role.MANAGER])
    words = text_of(html)
    assert "sent you the performance improvement plan for Alex Sample, who reports to you" \
        in words
    assert "Confirm that you have discussed the plan with Alex Sample" in words
    for action in ("confirm", "decline", "record_refusal"):
        assert f'action="/sign/{action}"' in html
    assert 'name="confirm_record"' in html and 'name="witness"' in html
    assert 'action="/sign/acknowledge"' not in html and 'action="/sign/refuse"' not in html


def test_hr_confirms_or_declines(app, sessions):
    ids = send(sessions, (wf.Role.HR, 1), (wf.Role.EMPLOYEE, 2))
    _, html = page_of(app, sessions, ids[wf.Role.HR])
    words = text_of(html)
    assert "Confirm that HR has reviewed the plan" in words
    assert 'action="/sign/confirm"' in html and 'action="/sign/decline"' in html
    assert "record_refusal" not in html and 'action="/sign/acknowledge"' not in html


def test_after_acknowledging_the_employee_sees_their_comments_and_may_add_more(app, sessions):
    ids = send(sessions, (wf.Role.EMPLOYEE, 1), (wf.Role.HR, 2))
    client, html = page_of(app, sessions, ids[wf.Role.EMPLOYEE])
    response = client.post("/sign/acknowledge", data={
        "csrf_token": csrf(html), "typed_name": "Alex Sample", "consent": "on",
        "comment": "<i>Goal 1</i> ignores the holiday backlog."})
    words = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your acknowledgement has been recorded. You can still add comments below." in words
    assert re.search(r"You acknowledged this plan on \w+day \d+ \w+ 20\d\d, \d\d:\d\d (GMT|BST) "
                     r"\(Europe/London\)", words)
    mine = words[words.index("Your comments so far"):]
    assert "&lt;i&gt;Goal 1&lt;/i&gt; ignores the holiday backlog." in mine  # escaped
    assert "Add comments" in mine


def test_an_unknown_address_gets_a_styled_page_and_the_api_its_json(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    words = text_of(response.get_data(as_text=True))
    assert "Page not found" in words and "open the link in the most recent email" in words
    assert "sign.css" in response.get_data(as_text=True)
    wrong_method = client.get("/sign/acknowledge")
    assert wrong_method.status_code == 405 and "This page cannot be used that way" in \
        wrong_method.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json and "error" in api.get_json()


def test_a_refusal_recorded_by_the_manager_says_so_on_the_employees_page(app, sessions):
    ids = send(sessions, (wf.Role.MANAGER, 1), (wf.Role.EMPLOYEE, 1))
    manager, html = page_of(app, sessions, ids[wf.Role.MANAGER])
    form = {"csrf_token": csrf(html), "witness": "Jordan Lee", "confirm_record": "on",
            "reason": "Said it is <b>unfair</b>.",
            "meeting_at": meeting_time(dt.timedelta(hours=2), "Europe/London"),
            "timezone": "Europe/London"}
    recorded = manager.post("/sign/record_refusal", data=form)
    if recorded.status_code == 404:  # STAND-IN (i14-page): main records it through refuse
        recorded = manager.post("/sign/refuse", data=form)
    assert recorded.status_code == 303
    _, html = page_of(app, sessions, ids[wf.Role.EMPLOYEE])
    words = text_of(html)
    assert re.search(r"Morgan Example recorded that you refused to sign this plan in a meeting "
                     r"on \w+day \d+ \w+ 20\d\d, \d\d:\d\d (GMT|BST) \(Europe/London\)\. "
                     r"(Place: .*\. )?"
                     r"Witness: Jordan Lee\. Recorded on \w+day \d+ \w+ 20\d\d, "
                     r"\d\d:\d\d (GMT|BST) \(Europe/London\)\.", words)
    assert ("What was recorded as your words: Said it is &lt;b&gt;unfair&lt;/b&gt;."
            in words)
    assert "You refused to sign" not in words


@pytest.mark.parametrize(("days", "minutes", "comments_for", "meeting_for"), [
    (1, 2, "لمدة يوم واحد؛", "لمدة دقيقتين"),
    (5, 10, "لمدة 5 أيام؛", "لمدة 10 دقائق"),
    (11, 30, "لمدة 11 يومًا؛", "لمدة 30 دقيقة"),
])
def test_an_arabic_page_counts_days_and_minutes_in_arabics_forms(
        tmp_path, database_url, sessions, days, minutes, comments_for, meeting_for):
    """Arabic counts with six forms: 5 days are "5 أيام", never "5 يومًا" (that form is for
    11 to 99); the same for a check-in's minutes in the plan's summary."""
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                      "refusal_comment_days": days})
    plan = sample_plan()
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["language"] = "ar"
    data["checkins"]["duration_minutes"] = minutes
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data, template="standard", pdf=b"%PDF-1.7 the plan", actor=HR,
            now=now, signers=[svc.SignerSpec(wf.Role.MANAGER, plan.manager.name,
                                             plan.manager.email, 1),
                              svc.SignerSpec(wf.Role.EMPLOYEE, plan.employee.name,
                                             plan.employee.email, 1)])
        svc.perform(session, envelope_id, "send", actor=HR, now=now,
                    expires_in=dt.timedelta(days=14))
        manager = next(s.id for s in svc.load(session, envelope_id).signers
                       if s.role == wf.Role.MANAGER)
    _, html = page_of(app, sessions, manager)
    words = text_of(html)
    assert f"إضافة تعليقات {comments_for}" in words
    assert f"(Europe/London)، {meeting_for}" in words
    assert "(<bdi>Europe/London</bdi>)" in html  # Latin letters, isolated
    for wrong in ("لمدة 5 يومًا", "لمدة 10 دقيقة", "لمدة 1 يوم", "لمدة 2 دقيقة"):
        assert wrong not in words


def test_a_french_page_writes_the_first_of_a_month_1er(app, sessions):
    """The sample plan runs from 1 December 2026: the French page says "1er décembre
    2026" where it says when the plan runs, as French writes it; other days ending in 1
    ("11 décembre", "31 octobre") are numbers as before."""
    ids = send(sessions, (wf.Role.EMPLOYEE, 1), language="fr")
    _, html = page_of(app, sessions, ids[wf.Role.EMPLOYEE])
    words = text_of(html)
    assert "du 1er décembre 2026 au 30 janvier 2027" in words.replace("\u00a0", " ")
    assert "1er juin 2026" in words  # the performance history's start
    assert not re.search(r"(?<!\d)1 (décembre|juin)", words)
    assert "11 décembre 2026" in words and "31 octobre 2026" in words
