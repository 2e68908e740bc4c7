"""The plan editor and the approval page in real Chromium: axe-core finds no WCAG 2.2 AA
violation on the start page, the editor (with findings showing), the preview and the
approval page, at a phone's width and a laptop's; and a lint finding appears beside the
goal's field as the manager types, without a reload, and goes once the goal is fixed.
Screenshots of each page at each width are kept (the folder is printed).

One server (the app in a thread, on 127.0.0.1) and one browser serve the module; pages
are visited in turn, and each step waits for what the page shows, never on a clock."""

from __future__ import annotations

import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from signing.domain import people
from signing.web.app import create_app
from signing.web.current import services_of
from tests.console.browser import sign_in
from tests.console.conftest import NOW, password_hash
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import WIDTHS, check_state


@pytest.fixture(scope="module")
def server(tmp_path_factory, converter):
    tmp_path = tmp_path_factory.mktemp("console-drafts")
    app = create_app({"instance_path": str(tmp_path / "instance"),
                      "database_url": f"sqlite:///{tmp_path / 'plansign.db'}",
                      "secret_keys": "k" * 40, "base_url": "http://127.0.0.1"})
    services_of(app).converter = converter
    with services_of(app).sessions.begin() as session:
        for username, role in (("maria", "manager"), ("hana", "hr")):
            people.create_person(session, username=username,
                                 display_name=f"{username.title()} Example",
                                 email=f"{username}@example.com", role=role, team="Care HR",
                                 password_hash=password_hash(), now=NOW, created_by="cli:test")
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()






def test_the_editor_and_approval_pages_pass_axe_and_lint_as_the_manager_types(server,
                                                                              tmp_path):
    base = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the plan editor and approval pages: {shots}")
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=WIDTHS["laptop"], locale="en-GB",
                                   timezone_id="Europe/Zurich").new_page()
        sign_in(page, base, "maria")
        page.goto(f"{base}/console/drafts/")
        check_state(page, "start", shots, axe)
        page.get_by_label("Start from", exact=True).select_option("example:support-agent-30d")
        page.get_by_role("button", name="Start the plan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Plan for Léa Brändli")

        # A vague goal: its metric emptied. The finding appears beside the field.
        metric = page.locator("#f-goals-0-metric")
        finding = page.locator("#x-f-goals-0-metric")
        expect(finding).to_be_empty()
        metric.fill("")
        expect(finding).to_contain_text("the goal has no metric")
        expect(page.locator("#x-f-plan")).to_contain_text("1 error")
        check_state(page, "editor-with-a-finding", shots, axe)
        metric.fill("Share of tickets answered within 4 business hours")
        expect(finding).to_be_empty()
        expect(page.locator("#x-f-plan")).to_contain_text("No findings")

        page.get_by_role("button", name="Save and submit for HR's approval").click()
        expect(page.get_by_role("status")).to_contain_text("Submitted")

        sign_in(page, base, "hana")
        page.goto(f"{base}/console/drafts/")
        page.get_by_role("link", name="Léa Brändli").click()
        expect(page.get_by_role("button", name="Approve and send")).to_be_visible()
        check_state(page, "approval", shots, axe)
        page.get_by_role("link", name="Preview the PDF").click()
        expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
        check_state(page, "preview", shots, axe, focus_walk=False)
        page.get_by_role("link", name="Back to the plan").click()
        page.get_by_label("Or return it to its author with comments").fill(
            "Please add November's figures to goal 2.")
        page.get_by_role("button", name="Return with comments").click()
        expect(page.get_by_role("status")).to_contain_text("Returned")

        sign_in(page, base, "maria")
        page.goto(f"{base}/console/drafts/")
        page.get_by_role("link", name="Léa Brändli").click()
        expect(page.get_by_role("note")).to_contain_text("November's figures")
        # The editor passed axe above; here only what the author sees first.
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            page.screenshot(path=str(shots / f"editor-returned-{width}.png"))
        browser.close()
