"""The draft form's standard texts follow the plan's language in real Chromium (issue 18):
HR choose French and "Raising a concern" and "Wellbeing support" read plansign's French
wording at once; a text HR wrote stays as they wrote it when they then choose German,
and the standard one becomes German; saving keeps what the form shows. Screenshots of
the French form at a laptop's width (1280) and a phone's (390) are kept (the folder is
printed) for a person to look at.

One server (the app in a thread, on 127.0.0.1) and one browser; each step waits for what
the page shows, never on a clock."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from docgen.doclang import standard_sections
from docgen.model import DEFAULT_CONCERNS, DEFAULT_WELLBEING
from signing.domain import people
from signing.web.current import services_of
from tests.console.browser import browser_app, serving, sign_in
from tests.console.conftest import NOW, password_hash
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS

OWN = "Talk to Dana in confidence; the assistance line is in the staff handbook."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = browser_app(tmp_path_factory.mktemp("draft-texts"))
    with services_of(app).sessions.begin() as session:
        people.create_person(session, username="hana", display_name="Hana Example",
                             email="hana@example.com", role="hr", team="Care HR",
                             password_hash=password_hash(), now=NOW, created_by="cli:test")
    with serving(app) as base:
        yield base


def test_the_standard_texts_follow_the_language_and_hrs_own_stay(server, tmp_path):
    base = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of a French draft form: {shots}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900},
                                   locale="en-GB").new_page()
        sign_in(page, base, "hana")
        page.goto(f"{base}/console/drafts/")
        page.get_by_label("Start from", exact=True).select_option("example:support-agent-30d")
        page.get_by_role("button", name="Start the plan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Plan for Léa Brändli")
        concerns, wellbeing = page.locator("#f-concerns"), page.locator("#f-wellbeing")
        expect(concerns).to_have_value(DEFAULT_CONCERNS)

        language = page.locator("#f-language")
        language.select_option("fr")
        expect(concerns).to_have_value(standard_sections("fr")["concerns"])
        expect(wellbeing).to_have_value(standard_sections("fr")["wellbeing"])
        concerns.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "fr-draft-form-1280.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        concerns.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "fr-draft-form-390.png"))
        page.set_viewport_size({"width": 1280, "height": 900})

        wellbeing.fill(OWN)
        language.select_option("de")
        expect(concerns).to_have_value(standard_sections("de")["concerns"])
        expect(wellbeing).to_have_value(OWN)
        language.select_option("")  # not set: the default_language setting's, English
        expect(concerns).to_have_value(DEFAULT_CONCERNS)
        expect(wellbeing).to_have_value(OWN)

        language.select_option("ar")
        page.get_by_role("button", name="Save draft").first.click()
        expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
        expect(page.locator("#f-concerns")).to_have_value(standard_sections("ar")["concerns"])
        expect(page.locator("#f-wellbeing")).to_have_value(OWN)
        assert OWN != DEFAULT_WELLBEING
        browser.close()
