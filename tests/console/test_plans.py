"""The plans list and a plan's page in the console (signing.web.console.plans), with the
words they use (signing.domain.plan_states, signing.domain.timeline)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask import render_template_string
from sqlalchemy import select

from archive import AccessEntry
from signing.domain import envelopes as svc
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, EnvelopeRow, SignerRow
from signing.domain.plan_states import PlanState, SignerSummary, draft_state, plan_state
from tests.console.plankit import make_draft, make_plan, set_state

pytestmark = pytest.mark.database

SALES, SUPPORT = "Sales HR", "Support HR"


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


# -- the words ------------------------------------------------------------------------


def signers(employee: str, manager: str = "confirmed", hr: str = "confirmed"):
    return [SignerSummary("manager", "M", manager), SignerSummary("employee", "E", employee),
            SignerSummary("hr", "H", hr)]


@pytest.mark.parametrize(("envelope", "employee", "hr", "words"), [
    ("draft", "waiting", "waiting", PlanState.DRAFT),
    ("sent", "viewed", "waiting", PlanState.OUT_FOR_SIGNATURE),
    ("sent", "refused", "notified", PlanState.OUT_FOR_SIGNATURE),
    ("completed", "acknowledged", "confirmed", PlanState.ACKNOWLEDGED),
    ("sealed", "refused", "confirmed", PlanState.REFUSED),
    ("sealed", "viewed", "waiting", PlanState.EXPIRED),
    ("expired", "notified", "waiting", PlanState.EXPIRED),
    ("voided", "viewed", "waiting", PlanState.VOIDED),
    ("archived", "acknowledged", "confirmed", PlanState.ARCHIVED),
])
def test_a_plans_state_in_words_comes_from_its_envelope_and_signers(envelope, employee, hr,
                                                                    words):
    assert plan_state(envelope, signers(employee, hr=hr)) is words


def test_drafts_in_words():
    assert draft_state("draft") is PlanState.DRAFT
    assert draft_state("returned") is PlanState.DRAFT
    assert draft_state("submitted") is PlanState.AWAITING_APPROVAL
    assert draft_state("sent") is None and draft_state("discarded") is None


# -- the list -------------------------------------------------------------------------


def test_hr_see_their_teams_plans_with_state_waiting_on_and_deadline(console, sessions):
    hr = console.sign_in("hr", team=SALES)
    make_plan(sessions, owner="apikey:psk_sales", team=SALES, employee="Léa Brändli")
    make_plan(sessions, owner="apikey:psk_other", team=SUPPORT, employee="Other Person")
    make_plan(sessions, owner=hr.actor, team=SALES, employee="Kai Manager-Wait",
              until="manager")
    page = text_of(console.get("/console/"))
    assert "Léa Brändli" in page and "Kai Manager-Wait" in page
    assert "Other Person" not in page
    assert "2 plans" in page and "Out for signature" in page
    assert "Léa Brändli (employee)" in page  # her plan waits on her
    assert "Morgan Example (manager)" in page  # Kai's plan waits on the manager
    assert "14 days left" in page


def test_search_is_accent_and_case_blind(console, sessions):
    console.sign_in("hr", team=SALES)
    for name in ("Léa Brändli", "Lea Brandli-Roy", "Jürg Baumann"):
        make_plan(sessions, owner="apikey:psk_sales", team=SALES, employee=name)
    page = text_of(console.get("/console/?q=BRANDLI"))
    assert "Léa Brändli" in page and "Lea Brandli-Roy" in page and "Jürg" not in page
    page = text_of(console.get("/console/?q=lea+b"))
    assert "2 plans" in page
    assert "1 plan" in text_of(console.get("/console/?q=jurg"))


def test_each_state_filter_finds_exactly_the_plans_shown_in_that_state(console, sessions):
    console.sign_in("hr", team=SALES)
    made = {
        PlanState.DRAFT: make_plan(sessions, owner="k", team=SALES, until="draft",
                                   employee="Dee Draft"),
        PlanState.OUT_FOR_SIGNATURE: make_plan(sessions, owner="k", team=SALES,
                                               employee="Oona Out"),
        PlanState.ACKNOWLEDGED: make_plan(sessions, owner="k", team=SALES,
                                          until="acknowledged", employee="Ada Acked"),
        PlanState.REFUSED: make_plan(sessions, owner="k", team=SALES, until="refused",
                                     employee="Rex Refused"),
        PlanState.VOIDED: make_plan(sessions, owner="k", team=SALES, until="voided",
                                    employee="Val Voided"),
        PlanState.EXPIRED: make_plan(sessions, owner="k", team=SALES, employee="Eve Expired"),
        PlanState.ARCHIVED: make_plan(sessions, owner="k", team=SALES, until="acknowledged",
                                      employee="Arlo Archived"),
    }
    set_state(sessions, made[PlanState.EXPIRED], "expired")
    set_state(sessions, made[PlanState.ARCHIVED], "archived")
    make_draft(sessions, owner="person:mgr", team=SALES, state="submitted",
               employee="Sam Submitted")
    names = {PlanState.DRAFT: "Dee Draft", PlanState.OUT_FOR_SIGNATURE: "Oona Out",
             PlanState.ACKNOWLEDGED: "Ada Acked", PlanState.REFUSED: "Rex Refused",
             PlanState.VOIDED: "Val Voided", PlanState.EXPIRED: "Eve Expired",
             PlanState.ARCHIVED: "Arlo Archived", PlanState.AWAITING_APPROVAL: "Sam Submitted"}
    for state, name in names.items():
        page = text_of(console.get(f"/console/?state={state}"))
        shown = [n for n in names.values() if n in page]
        assert shown == [name], (state, shown)
    assert "8 plans" in text_of(console.get("/console/"))


def test_drafts_are_listed_for_their_manager_and_submitted_ones_for_the_teams_hr(
        console, sessions):
    manager = console.person("manager", team=SALES)
    make_draft(sessions, owner=manager.actor, team=SALES, state="draft", employee="Mine Draft")
    make_draft(sessions, owner=manager.actor, team=SALES, state="submitted",
               employee="Mine Submitted")
    make_draft(sessions, owner="person:someone", team=SALES, state="draft",
               employee="Not Mine")
    make_draft(sessions, owner=manager.actor, team=SALES, state="discarded",
               employee="Thrown Away")
    make_plan(sessions, owner="k", team=SALES, drafted_by=manager.actor, employee="Sent Mine")
    make_plan(sessions, owner="k", team=SALES, employee="Sent Other")
    console.sign_in(manager)
    page = text_of(console.get("/console/"))
    assert all(n in page for n in ("Mine Draft", "Mine Submitted", "Sent Mine"))
    assert not any(n in page for n in ("Not Mine", "Thrown Away", "Sent Other"))
    assert "Awaiting approval" in page
    console.sign_in("hr", team=SALES)
    page = text_of(console.get("/console/"))
    assert "Mine Submitted" in page and "Mine Draft" not in page
    console.sign_in("hr", team=SUPPORT)
    assert "Mine Submitted" not in text_of(console.get("/console/"))


def test_filters_sort_and_pages(console, sessions):
    console.sign_in("hr", team=SALES)
    base = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    for index in range(30):
        make_plan(sessions, owner="k", team=SALES, employee=f"Person {index:02d}",
                  department="Sales" if index % 2 else "Support",
                  manager="Jo Lead" if index % 3 == 0 else "Morgan Example",
                  created=base + dt.timedelta(days=index))
    first = text_of(console.get("/console/"))
    assert "30 plans, page 1 of 2" in first and "Person 29" in first and "Person 04" not in first
    second = text_of(console.get("/console/?page=2"))
    assert "Person 04" in second and "Person 29" not in second
    assert "15 plans" in text_of(console.get("/console/?department=Sales"))
    assert "10 plans" in text_of(console.get("/console/?manager=Jo+Lead"))
    assert "5 plans" in text_of(console.get("/console/?department=Sales&manager=Jo+Lead"))
    week = text_of(console.get("/console/?from=2026-11-03&to=2026-11-09"))
    assert "7 plans" in week
    oldest = console.get("/console/?sort=oldest").get_data(as_text=True)
    assert oldest.index("Person 00") < oldest.index("Person 01")


def test_a_filter_that_cannot_be_read_is_named_beside_its_field(console):
    console.sign_in("hr", team=SALES)
    response = console.get("/console/?from=yesterday&state=lost")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="filter-from-error"' in page and 'aria-describedby="filter-from-error"' in page
    assert "Give a date as year-month-day" in page
    assert "Choose one of the states" in page


def test_the_lists_fragment_refreshes_itself_and_shows_a_new_state(console, sessions):
    console.sign_in("hr", team=SALES)
    envelope_id = make_plan(sessions, owner="k", team=SALES, employee="Pat Poll")
    page = console.get("/console/?q=pat").get_data(as_text=True)
    assert 'hx-get="/console/plans/rows?q=pat"' in page
    assert 'hx-trigger="every 10s, focus from:window"' in page
    assert "Out for signature" in text_of(console.get("/console/plans/rows?q=pat"))
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "void", reason="x", actor=svc.Actor("k"),
                    now=dt.datetime.now(dt.UTC))
    fragment = console.get("/console/plans/rows?q=pat", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Voided" in text_of(fragment)


def test_overdue_is_said_in_words(console, sessions):
    console.sign_in("hr", team=SALES)
    envelope_id = make_plan(sessions, owner="k", team=SALES, employee="Owen Overdue")
    with sessions.begin() as session:
        session.get(EnvelopeRow, envelope_id).expires_at = (dt.datetime.now(dt.UTC)
                                                            - dt.timedelta(days=2, hours=1))
    page = text_of(console.get("/console/"))
    assert "Overdue: 2 days past" in page or "Overdue: 3 days past" in page


# -- a plan's page --------------------------------------------------------------------


def test_the_plan_page_tells_the_timeline_by_name(console, sessions):
    hr = console.sign_in("hr", team=SALES, display_name="Dana Whitfield")
    envelope_id = make_plan(sessions, owner=hr.actor, team=SALES, employee="Priya Raman",
                            until="acknowledged")
    page = text_of(console.get(f"/console/plans/{envelope_id}"))
    assert "Plan for Priya Raman" in page and "Archived" not in page
    assert "Dana Whitfield (HR) sent the plan for signature." in page
    assert "Morgan Example (manager) confirmed the plan." in page
    assert "Priya Raman (employee) acknowledged the plan." in page
    assert "Every signer has answered: the plan is complete." in page
    assert "signer:" not in page and envelope_id not in text_of(console.get(
        f"/console/plans/{envelope_id}")).replace(f"plans/{envelope_id}", "")
    assert "The plan as sent (PDF)" in page
    pdf = console.get(f"/console/plans/{envelope_id}/original.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert console.get(f"/console/plans/{envelope_id}/final.pdf").status_code == 404


def test_another_team_and_a_manager_not_its_drafter_get_not_found_and_are_logged(
        console, sessions):
    envelope_id = make_plan(sessions, owner="k", team=SALES, employee="Priya Raman")
    other = console.sign_in("hr", team=SUPPORT, display_name="Other Team Person")
    for path in ("", "/original.pdf", "/verify", "/void", "/resend"):
        assert console.get(f"/console/plans/{envelope_id}{path}").status_code == 404, path
    refused = console.post(f"/console/plans/{envelope_id}/void", data={"reason": "mine now"})
    assert refused.status_code == 404
    console.sign_in("manager", team=SALES)
    assert console.get(f"/console/plans/{envelope_id}").status_code == 404
    assert console.get(f"/console/plans/{envelope_id}/void").status_code == 403
    with sessions() as session:
        assert session.get(EnvelopeRow, envelope_id).state == "sent"
        denied = session.scalars(select(AccessEntry).where(
            AccessEntry.envelope_id == envelope_id, AccessEntry.allowed.is_(False))).all()
        assert any(e.actor == other.display_name for e in denied)
    assert "Priya" not in text_of(console.get("/console/"))


def test_reading_a_plan_is_in_the_access_log_with_the_persons_name(console, sessions):
    hr = console.sign_in("hr", team=SALES, display_name="Dana Whitfield")
    envelope_id = make_plan(sessions, owner="k", team=SALES)
    assert console.get(f"/console/plans/{envelope_id}").status_code == 200
    with sessions() as session:
        entries = session.scalars(select(AccessEntry).where(
            AccessEntry.envelope_id == envelope_id, AccessEntry.allowed.is_(True))).all()
    assert any(e.actor == hr.display_name and "plan page" in e.action for e in entries)


def trail(sessions, envelope_id):
    with sessions() as session:
        return session.scalars(select(AuditEventRow).where(
            AuditEventRow.envelope_id == envelope_id).order_by(AuditEventRow.seq)).all()


def test_void_asks_for_a_reason_then_records_it_with_the_persons_name(console, sessions):
    hr = console.sign_in("hr", team=SALES, display_name="Dana Whitfield")
    envelope_id = make_plan(sessions, owner="k", team=SALES)
    form = console.get(f"/console/plans/{envelope_id}/void").get_data(as_text=True)
    assert "Voiding stops the plan for good" in form and 'name="reason"' in form
    empty = console.post(f"/console/plans/{envelope_id}/void", data={"reason": " "},
                         token_from=f"/console/plans/{envelope_id}/void")
    assert empty.status_code == 422
    page = empty.get_data(as_text=True)
    assert 'aria-describedby="reason-error reason-hint"' in page and "error-summary" in page
    done = console.post(f"/console/plans/{envelope_id}/void",
                        data={"reason": "Sent before the meeting"},
                        token_from=f"/console/plans/{envelope_id}/void")
    assert done.status_code == 303
    page = text_of(console.get(done.headers["Location"]))
    assert "The plan is voided" in page
    assert "Dana Whitfield (HR) voided it: Sent before the meeting" in page
    assert trail(sessions, envelope_id)[-1].actor == hr.actor


def test_resend_to_a_corrected_address_is_recorded_and_used(console, sessions):
    console.sign_in("hr", team=SALES, display_name="Dana Whitfield")
    envelope_id = make_plan(sessions, owner="k", team=SALES, employee="Priya Raman")
    with sessions() as session:
        employee = next(s for s in svc.load(session, envelope_id).signers
                        if s.role == "employee")
        old_nonce = employee.nonce
    path = f"/console/plans/{envelope_id}/resend"
    bad = console.post(path, data={"signer_id": employee.id, "email": "priya at example"},
                       token_from=path)
    assert bad.status_code == 422 and "not an email address" in bad.get_data(as_text=True)
    done = console.post(path, data={"signer_id": employee.id,
                                    "email": "priya.raman@example.org"}, token_from=path)
    assert done.status_code == 303
    with sessions() as session:
        row = session.get(SignerRow, employee.id)
        assert row.email == "priya.raman@example.org" and row.nonce != old_nonce
    last = trail(sessions, envelope_id)[-1]
    assert last.type == "signer.link_reissued" and last.data == {
        "email": "priya.raman@example.org", "previous_email": "alex.sample@example.com"}
    page = text_of(console.get(f"/console/plans/{envelope_id}"))
    assert ("Dana Whitfield (HR) corrected the email address of Priya Raman (employee) from "
            "alex.sample@example.com to priya.raman@example.org") in page


def test_remind_now_reminds_who_is_waiting(console, sessions):
    hr = console.sign_in("hr", team=SALES, display_name="Dana Whitfield")
    envelope_id = make_plan(sessions, owner="k", team=SALES, employee="Priya Raman")
    path = f"/console/plans/{envelope_id}/remind"
    assert "Priya Raman (employee)" in text_of(console.get(path))
    assert console.post(path, data={}, token_from=path).status_code == 303
    last = trail(sessions, envelope_id)[-1]
    assert last.type == "signer.reminded" and last.actor == hr.actor
    assert "Dana Whitfield (HR) reminded Priya Raman (employee)." in text_of(
        console.get(f"/console/plans/{envelope_id}"))


def test_record_a_refusal_keeps_the_workflows_witness_rules(console, sessions):
    console.sign_in("hr", team=SALES, display_name="Dana Whitfield")
    envelope_id = make_plan(sessions, owner="k", team=SALES, employee="Priya Raman")
    path = f"/console/plans/{envelope_id}/refusal"
    meeting = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    refused = console.post(path, data={"witness": "Priya Raman", "meeting_at": meeting,
                                       "confirm_record": "yes"}, token_from=path)
    assert refused.status_code == 422
    assert "The employee cannot witness their own refusal" in refused.get_data(as_text=True)
    done = console.post(path, data={"witness": "Sam Witness", "meeting_at": meeting,
                                    "meeting_place": "Room 4", "confirm_record": "yes"},
                        token_from=path)
    assert done.status_code == 303, done.get_data(as_text=True)
    page = text_of(console.get(f"/console/plans/{envelope_id}"))
    assert ("Morgan Example (manager) recorded that Priya Raman (employee) refused to sign "
            "in a meeting, witnessed by Sam Witness. Entered by Dana Whitfield (HR).") in page


def test_managers_see_their_plans_page_without_actions(console, sessions):
    manager = console.person("manager", team=SALES)
    envelope_id = make_plan(sessions, owner="k", team=SALES, drafted_by=manager.actor)
    console.sign_in(manager)
    page = text_of(console.get(f"/console/plans/{envelope_id}"))
    assert "Where it stands" in page and "Void the plan" not in page


def test_the_hr_notice_links_to_the_plans_page_in_the_console(console, sessions, services,
                                                              app, tmp_path):
    from signing.domain import outbox

    envelope_id = make_plan(sessions, owner="k", team=SALES, until="refused")
    outbox.run_once(sessions, {"email": services.mailer}, now=dt.datetime.now(dt.UTC))
    notices = [p.read_text() for p in (tmp_path / "mail").glob("*.eml")
               if "refused to sign a performance plan" in p.read_text()]
    assert notices
    assert all(f"https://sign.example.com/console/plans/{envelope_id}" in n for n in notices)
    assert not any("/api/v1/" in n for n in notices)


def test_past_what_it_counts_the_list_says_more_than_and_still_pages(console, sessions,
                                                                     monkeypatch):
    from signing.domain import plans_list

    monkeypatch.setattr(plans_list, "COUNT_UP_TO", 3)
    console.sign_in("hr", team=SALES)
    for index in range(5):
        make_plan(sessions, owner="k", team=SALES, employee=f"Person {index}")
    first = text_of(console.get("/console/?per_page=2"))
    assert "More than 3 plans, page 1" in first and "Next page" in first
    response = console.get("/console/?per_page=2&page=3")
    assert response.get_data(as_text=True).count('href="/console/plans/') == 1
    last = text_of(response)
    assert "Next page" not in last and "Previous page" in last


@pytest.mark.parametrize("event_type", list(EventType), ids=str)
def test_every_kind_of_event_is_told_in_words(app, event_type):
    """A new event type must be given its sentence, or the plan's and the record's pages
    would show its raw name ("signer: envelope.something")."""
    from signing.domain.audit import AuditRecord
    from signing.domain.timeline import TrailNames, Who, timeline

    record = AuditRecord(envelope_id="e", seq=1, type=event_type.value,
                         at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), actor="signer:s1",
                         ip=None, user_agent=None, document_sha256=None, signer_id="s1",
                         data={"reason": "a reason", "comment": "a comment"})
    [entry] = timeline([record], TrailNames(signers={"s1": Who("Priya Raman", "employee")}))
    with app.test_request_context():
        words = " ".join(render_template_string(
            '{% from "console/plan_timeline.html" import sentence with context %}'
            '{{ sentence(entry, "UTC") }}', entry=entry).split())
    assert words and event_type.value not in words, words
