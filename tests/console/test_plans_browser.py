"""The plans list and a plan's pages in real Chromium.

An HR person signs in through the form; axe-core (WCAG 2.2 AA and best practices) finds
nothing, at a phone's width and a laptop's, on: the plans list (plans in several states,
one overdue, a draft awaiting approval), the list with filters it cannot read, a plan's
page, each action's confirmation form, the void form sent without a reason, and the
plan's page after a void. Every element the keyboard reaches is shown, on top, with a
focus ring. The list changes a plan's state by itself, without a reload, when the plan
changes. Screenshots of each page at each width are kept (the folder is printed).

One server (the app in a thread on 127.0.0.1) and one browser for the module."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from signing.domain import envelopes as svc
from signing.domain.models import EnvelopeRow
from signing.web.current import services_of
from tests.console.browser import browser_app, serving
from tests.console.conftest import PASSWORD, password_hash
from tests.console.plankit import make_draft, make_plan
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import check_state

SALES = "Sales HR"




@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("console-plans")
    app = browser_app(tmp_path, console_plans_refresh_seconds=2)
    with serving(app) as base:
        yield app, base


def test_the_plans_pages_pass_axe_and_the_list_follows_changes(server, tmp_path):
    app, base = server
    sessions = services_of(app).sessions
    from signing.domain import people

    with sessions.begin() as session:
        hr = people.create_person(session, username="dana", display_name="Dana Whitfield",
                                  email="dana@example.com", role="hr", team=SALES,
                                  password_hash=password_hash(), now=dt.datetime.now(dt.UTC),
                                  created_by="cli:test")
    open_id = make_plan(sessions, owner=hr.actor, team=SALES, employee="Priya Raman",
                        department="Sales")
    make_plan(sessions, owner=hr.actor, team=SALES, employee="Léa Brändli",
              department="Customer Support", until="acknowledged")
    make_plan(sessions, owner=hr.actor, team=SALES, employee="Jürg Baumann",
              until="refused", manager="Jo Lead")
    overdue_id = make_plan(sessions, owner=hr.actor, team=SALES, employee="Owen Overdue",
                           until="manager")
    watched_id = make_plan(sessions, owner=hr.actor, team=SALES, employee="Wren Watched")
    with sessions.begin() as session:
        session.get(EnvelopeRow, overdue_id).expires_at = (dt.datetime.now(dt.UTC)
                                                           - dt.timedelta(days=3))
    make_draft(sessions, owner="person:mo", team=SALES, state="submitted",
               employee="Sam Submitted")

    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the console's plans pages: {shots}")
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{base}/console/")
        page.get_by_label("Username").fill("dana")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()
        expect(page.locator("#plan-results")).to_contain_text("Overdue")
        check_state(page, "plans-list", shots, axe)

        # The list follows a change made elsewhere, without a reload.
        with sessions.begin() as session:
            svc.perform(session, watched_id, "void", reason="Sent twice.",
                        actor=svc.Actor("apikey:psk_other"), now=dt.datetime.now(dt.UTC))
        row = page.locator("#plan-results tr", has_text="Wren Watched")
        expect(row).to_contain_text("Voided", timeout=15_000)

        page.goto(f"{base}/console/?from=someday&q=brandli")
        expect(page.get_by_role("alert")).to_contain_text("Give a date")
        check_state(page, "plans-list-errors", shots, axe)

        page.goto(f"{base}/console/?q=BRANDLI")
        expect(page.locator("#plan-results")).to_contain_text("Léa Brändli")

        page.goto(f"{base}/console/plans/{open_id}")
        expect(page.get_by_role("heading", name="Plan for Priya Raman")).to_be_visible()
        check_state(page, "plan-page", shots, axe)
        for action, heading in (("remind", "Remind the signers now"),
                                ("resend", "Send a new link"),
                                ("refusal", "Record a refusal made in a meeting")):
            page.goto(f"{base}/console/plans/{open_id}/{action}")
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
            check_state(page, f"plan-{action}", shots, axe)
        page.goto(f"{base}/console/plans/{open_id}/void")
        page.get_by_role("button", name="Void the plan").click()
        expect(page.get_by_role("alert")).to_contain_text("say why the plan is voided")
        check_state(page, "plan-void-errors", shots, axe)
        page.get_by_label("Why it is voided").fill("The employee moved team.")
        page.get_by_role("button", name="Void the plan").click()
        expect(page.get_by_role("status").first).to_contain_text("The plan is voided")
        expect(page.locator(".plan-timeline")).to_contain_text(
            "Dana Whitfield (HR) voided it: The employee moved team.")
        check_state(page, "plan-voided", shots, axe)
        browser.close()
