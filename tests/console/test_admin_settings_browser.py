"""The admin's Settings page in French and in Arabic, in real Chromium: each passes
axe-core (WCAG 2.2 AA and best practices) at a phone's and a laptop's width, with the
keyboard walked through it, and a screenshot of each is kept (the folder is printed).
Arabic reads right to left; the settings file's path and the values keep their own
left-to-right order."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from signing.domain import people
from signing.web.current import services_of
from tests.console.browser import browser_app, serving, sign_in
from tests.console.conftest import password_hash
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import check_state

pytestmark = pytest.mark.slow
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def setting_row(page, name):
    """The table's row of the setting ``name`` (its first cell's code is the name)."""
    return page.get_by_role("row").filter(
        has=page.locator("td:first-child code", has_text=re.compile(f"^{name}$")))


def assert_no_sideways_scroll(page):
    """At a phone's width the page fits: a long variable name (PLANSIGN_RATE_LIMIT_...)
    or path wraps rather than pushing the table past the screen's edge."""
    widths = page.evaluate("[document.documentElement.scrollWidth,"
                           " document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in {widths[1]} px"


def test_the_settings_page_in_french_and_arabic_passes_axe(tmp_path, clean_env,
                                                           monkeypatch):
    settings_file = tmp_path / "plansign.toml"
    settings_file.write_text("retention_years = 9\n", encoding="utf-8")
    monkeypatch.setenv("PLANSIGN_CONFIG", str(settings_file))
    monkeypatch.setenv("PLANSIGN_CONSOLE_IDLE_MINUTES", "20")
    app = browser_app(tmp_path)
    with services_of(app).sessions.begin() as session:
        for username, language in (("amelie", "fr"), ("amal", "ar")):
            people.create_person(
                session, username=username, display_name=username.title(),
                email=f"{username}@example.com", role="admin", team=None,
                password_hash=password_hash(), now=NOW, created_by="cli:test")
            people.set_preferences(session, people.row_of(session, username),
                                   language=language, time_zone="Europe/Paris")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the settings page: {shots}")
    axe = Axe()
    with serving(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()

        sign_in(page, base, "amelie", signed_in=False)
        page.goto(f"{base}/console/admin/settings")
        row = setting_row(page, "retention_years")
        expect(row).to_contain_text(f"fichier de réglages {settings_file}")
        expect(row).to_contain_text("Nombre d’années pendant lesquelles un plan archivé")
        expect(setting_row(page, "console_idle_minutes")
               ).to_contain_text("environnement")
        assert_no_sideways_scroll(page)
        check_state(page, "admin-settings-fr", shots, axe)

        sign_in(page, base, "amal", signed_in=False)
        page.goto(f"{base}/console/admin/settings")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        row = setting_row(page, "retention_years")
        expect(row).to_contain_text("ملف الإعدادات")
        expect(row.locator("bdi")).to_have_text(str(settings_file))
        expect(row).to_contain_text("عدد السنوات التي تُحفظ فيها الخطة المؤرشفة")
        # The values read left to right inside the right-to-left table.
        value = setting_row(page, "database_url").locator("code").nth(1)
        expect(value).to_have_css("direction", "ltr")
        page.set_viewport_size({"width": 390, "height": 844})
        assert_no_sideways_scroll(page)
        check_state(page, "admin-settings-ar", shots, axe)
        browser.close()
