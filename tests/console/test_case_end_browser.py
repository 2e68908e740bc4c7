"""A case's end in real Chromium: the case page with its progress chart and the outcome
form, the extension's form sent past its maximum, the form sent without a goal's
evidence, the proposal as HR see it (approve or return), and the early close opened
with its confirmation. axe-core finds nothing at a
phone's width and a laptop's (check_state checks both), and screenshots of each are kept
(the folder is printed).

One server (the app in a thread on 127.0.0.1) and one browser for the module."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from signing.domain import people
from signing.web.current import services_of
from tests.console.browser import browser_app, serving, sign_in
from tests.console.conftest import password_hash
from tests.signing.cases.casekit import record_first, send_case_plan
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import check_state

TEAM = "EMEA"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("console-case-end")
    app = browser_app(tmp_path)
    with serving(app) as base:
        yield app, base


def check(page, name, shots, axe) -> None:
    """check_state, its focus walk started from the page's first element: the walk
    resumes from the last element focused (Chrome's starting point survives a blur), and
    after a form posted from the page's end it would start past the last one."""
    page.locator("a.skip").focus()
    check_state(page, name, shots, axe)


def test_the_outcome_form_approval_and_early_close_pass_axe(server, tmp_path):
    app, base = server
    sessions = services_of(app).sessions
    with sessions.begin() as session:
        hr = people.create_person(session, username="sofia", display_name="Sofía Castellanos",
                                  email="sofia@example.com", role="hr", team=TEAM,
                                  password_hash=password_hash(), now=dt.datetime.now(dt.UTC),
                                  created_by="cli:test")
    envelope_id = send_case_plan(sessions, owner=hr.actor, team=TEAM, days_ago=62)
    record_first(sessions, envelope_id, days_ago=62)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the case's end: {shots}")
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, base, "sofia")
        page.goto(f"{base}/console/plans/{envelope_id}/case")
        expect(page.get_by_role("heading", name="Progress against each goal")).to_be_visible()
        expect(page.get_by_role("img").first).to_be_visible()
        expect(page.get_by_role("heading", name="Outcome", exact=True)).to_be_visible()
        check(page, "case-outcome-form", shots, axe)

        # The extension's form, sent past the maximum: the problem beside the days.
        page.get_by_text("Extend the plan", exact=True).first.click()
        page.get_by_label("Days to add").fill("45")
        page.get_by_label("Why the plan is extended").fill("Clear progress on goal 1.")
        page.get_by_role("button", name="Extend the plan").click()
        expect(page.get_by_role("alert")).to_contain_text("up to 30 days")
        expect(page.get_by_label("Days to add")).to_have_attribute("aria-invalid", "true")
        check(page, "case-extension-errors", shots, axe)

        page.get_by_label("Goals not met").check()
        page.get_by_label("Assessment").select_option("not met")
        page.get_by_label("Result at the final review").fill("78% in the last two weeks")
        page.get_by_role("button", name="Propose the outcome").click()
        expect(page.get_by_role("alert")).to_contain_text("evidence for goal 1")
        check(page, "case-outcome-errors", shots, axe)

        page.get_by_label("Evidence").fill("Zendesk report of the plan's last Friday.")
        page.get_by_role("button", name="Propose the outcome").click()
        expect(page.get_by_role("status").first).to_contain_text("The outcome is proposed")
        expect(page.get_by_role("button", name="Approve and send the outcome letter")
               ).to_be_visible()
        check(page, "case-outcome-proposed", shots, axe)

        page.get_by_text("Close the case early").click()
        page.get_by_label("Closed early: the employee resigned").check()
        page.get_by_label("Reason").fill("Resigned on Monday.")
        page.get_by_role("button", name="Close the case now").click()
        expect(page.get_by_role("alert")).to_contain_text("Tick the box")
        check(page, "case-close-confirm", shots, axe)
        page.get_by_label("I understand the case closes now").check()
        page.get_by_label("Reason").fill("Resigned on Monday.")
        page.get_by_role("button", name="Close the case now").click()
        expect(page.get_by_role("status").first).to_contain_text("The case is closed")
        check(page, "case-closed", shots, axe)
        browser.close()
