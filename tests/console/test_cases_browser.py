"""A plan's case in real Chromium: the console's case page (the agenda and the form; the
form sent with a bad value; the check-in recorded) and the employee's check-in record
page (as opened from the email's link; acknowledged; with a comment in Arabic). axe-core
finds nothing at a phone's width and a laptop's, the keyboard's focus is always shown,
and screenshots of each are kept (the folder is printed).

One server (the app in a thread on 127.0.0.1) and one browser for the module."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from signing.domain import people
from signing.domain.links import Purpose, link_url
from signing.domain.models import CheckinRow, SignerRow
from signing.web.current import services_of
from tests.console.browser import browser_app, serving, sign_in
from tests.console.conftest import password_hash
from tests.signing.cases.casekit import past_meeting, send_case_plan
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import check_state

TEAM = "EMEA"
ARABIC = "أحتاج إلى مزيد من الوقت مع فريق التصعيد"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("console-cases")
    app = browser_app(tmp_path)
    with serving(app) as base:
        yield app, base


def test_the_case_page_and_the_employees_check_in_page_pass_axe(server, tmp_path):
    app, base = server
    sessions = services_of(app).sessions
    with sessions.begin() as session:
        hr = people.create_person(session, username="dana", display_name="Dana Whitfield",
                                  email="dana@example.com", role="hr", team=TEAM,
                                  password_hash=password_hash(), now=dt.datetime.now(dt.UTC),
                                  created_by="cli:test")
    envelope_id = send_case_plan(sessions, owner=hr.actor, team=TEAM, days_ago=20)
    meeting = past_meeting(20)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the case pages: {shots}")
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, base, "dana")
        page.goto(f"{base}/console/plans/{envelope_id}/case")
        expect(page.get_by_role("heading", name="Agenda for check-in 1")).to_be_visible()
        check_state(page, "case-page", shots, axe)

        page.get_by_label("When it was held").fill(meeting.starts.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_label("Who attended").fill("Morgan Example\nAlex Sample")
        page.get_by_label("At risk").check()
        page.get_by_label("Current value").fill("plenty")
        page.get_by_label("Notes", exact=True).fill("Reviewed the ticket queue together.")
        page.get_by_role("button", name="Record check-in 1").click()
        expect(page.get_by_role("alert")).to_contain_text("must be a number")
        check_state(page, "case-form-errors", shots, axe)

        page.get_by_label("Current value").fill("78%")
        page.get_by_role("button", name="Record check-in 1").click()
        expect(page.get_by_role("status").first).to_contain_text("The check-in is recorded")
        expect(page.locator("#checkins")).to_contain_text("Reviewed the ticket queue")
        check_state(page, "case-recorded", shots, axe)

        # The employee opens the record from their email's link.
        with sessions() as session:
            checkin = session.scalars(select(CheckinRow)).one()
            employee = session.scalars(select(SignerRow).where(
                SignerRow.envelope_id == envelope_id, SignerRow.role == "employee")).one()
        token = services_of(app).links.sign(checkin.id, employee.nonce, Purpose.CHECKIN)
        employee_page = browser.new_page(viewport={"width": 1366, "height": 900})
        employee_page.goto(link_url(base, token, page="checkin"))
        expect(employee_page.get_by_role("heading", name="Check-in meeting 1")).to_be_visible()
        check_state(employee_page, "checkin-record", shots, axe)
        employee_page.get_by_role("button", name="Acknowledge receipt").click()
        expect(employee_page.get_by_role("status")).to_contain_text("acknowledgement")
        employee_page.get_by_role("button", name="Add the comment").click()
        expect(employee_page.locator("#error-summary")).to_contain_text("Write your comment")
        check_state(employee_page, "checkin-comment-error", shots, axe)
        employee_page.get_by_label("Your comment on this record").fill(ARABIC)
        employee_page.get_by_role("button", name="Add the comment").click()
        expect(employee_page.locator(".comments")).to_contain_text(ARABIC)
        check_state(employee_page, "checkin-answered", shots, axe)

        page.reload()
        expect(page.locator("#checkins")).to_contain_text(ARABIC)
        expect(page.locator("#checkins")).to_contain_text("acknowledged receipt")
        browser.close()
