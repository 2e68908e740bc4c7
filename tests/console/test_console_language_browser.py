"""The console in Arabic and French in real Chromium (issue 18): a person whose language
is Arabic sees the plans list, a plan's page, their settings and (an admin) a person's
page right to left, and axe-core (WCAG 2.2 AA) finds nothing at a phone's width and a
laptop's; the header's parts are mirrored (the person's name and sign-out on the left);
screenshots of each are kept (the folder is printed). A French page is checked too, and
an archived plan's verification (every check in the reader's language) in both."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright

from signing.domain import people
from signing.web.current import services_of
from tests.console.browser import browser_app, serving
from tests.console.conftest import NOW, PASSWORD, password_hash
from tests.console.plankit import make_plan
from tests.console.test_verify_words import archived_plan
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import WIDTHS, check_state

pytestmark = pytest.mark.slow  # one browser, one app server, about 20 seconds

TEAM = "EMEA"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = browser_app(tmp_path_factory.mktemp("console-language"))
    with serving(app) as base:
        yield app, base


def sign_in(page: Page, base: str, username: str) -> None:
    """The sign-in form (before sign-in: the browser's language, English here); the
    pages after it are in the person's."""
    page.context.clear_cookies()
    page.goto(f"{base}/console/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/console/")


def test_the_console_in_arabic_passes_axe_and_is_mirrored(server, tmp_path, converter):
    app, base = server
    sessions = services_of(app).sessions
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the console in Arabic and French: {shots}")
    with sessions.begin() as session:
        hr = people.create_person(session, username="layla", display_name="ليلى حداد",
                                  email="layla@example.com", role="hr", team=TEAM,
                                  password_hash=password_hash(), now=NOW,
                                  created_by="cli:test", language="ar",
                                  time_zone="Asia/Dubai")
        people.create_person(session, username="amira", display_name="Amira Admin",
                             email="amira@example.com", role="admin", team=None,
                             password_hash=password_hash(), now=NOW, created_by="cli:test",
                             language="ar")
        people.create_person(session, username="claire", display_name="Claire Martin",
                             email="claire@example.com", role="manager", team=TEAM,
                             password_hash=password_hash(), now=NOW, created_by="cli:test",
                             language="fr", time_zone="Europe/Paris")
        people.create_person(session, username="camille", display_name="Camille Dubois",
                             email="camille@example.com", role="records", team=None,
                             password_hash=password_hash(), now=NOW, created_by="cli:test",
                             language="fr", time_zone="Europe/Paris")
    plan_id = make_plan(sessions, owner=hr.actor, team=TEAM, employee="Priya Raman")
    archived_id = archived_plan(services_of(app), sessions, converter)
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=WIDTHS["phone"], locale="en-US").new_page()

        sign_in(page, base, "layla")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.get_by_role("button", name="تسجيل الخروج")).to_be_visible()
        expect(page.get_by_text("Asia/Dubai").first).to_be_visible()
        check_state(page, "ar-plans", shots, axe)
        # Mirrored: at a laptop's width the navigation is on the right, the person's
        # name and sign-out on the left.
        page.set_viewport_size(WIDTHS["laptop"])
        nav = page.get_by_role("navigation").first.bounding_box()
        who = page.locator(".who").bounding_box()
        assert nav and who and who["x"] < nav["x"]

        page.goto(f"{base}/console/plans/{plan_id}")
        expect(page.locator("h1")).to_be_visible()
        check_state(page, "ar-plan", shots, axe)

        page.goto(f"{base}/console/account")
        expect(page.get_by_role("heading", name="إعداداتك")).to_be_visible()
        check_state(page, "ar-account", shots, axe)

        sign_in(page, base, "amira")
        page.goto(f"{base}/console/admin/people/layla")
        expect(page.get_by_role("heading", name="اللغة والمنطقة الزمنية")).to_be_visible()
        check_state(page, "ar-admin-person", shots, axe)

        # An archived plan's verification, loaded into its page: every check in Arabic.
        page.goto(f"{base}/console/plans/{archived_id}")
        checks = page.locator(".plan-checks li")
        expect(checks.first).to_contain_text("ناجح")
        expect(page.locator("#plan-verify")).to_contain_text("ملف PDF النهائي")
        expect(page.locator("#plan-verify")).to_contain_text("يشمل الملف كله")
        assert page.locator("#plan-verify [lang=en]").count() == 0
        check_state(page, "ar-plan-verify", shots, axe)

        sign_in(page, base, "claire")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        check_state(page, "fr-plans", shots, axe)

        sign_in(page, base, "camille")
        page.goto(f"{base}/console/plans/{archived_id}")
        expect(page.locator(".plan-checks li").first).to_contain_text("Réussi")
        expect(page.locator("#plan-verify")).to_contain_text(
            "couvre l’intégralité du fichier")
        assert page.locator("#plan-verify [lang=en]").count() == 0
        check_state(page, "fr-plan-verify", shots, axe)
        browser.close()
