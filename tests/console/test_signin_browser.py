"""The console's sign-in and account pages in real Chromium, with axe-core (WCAG 2.2 AA)
at a phone's width and a laptop's, the keyboard walk of tests/signing/test_signer_a11y.py
on each, and a screenshot of each (the folder is printed): the sign-in page with single
sign-on, a refused sign-in, the account page, its password form with errors, the
second factor's set-up (and with a wrong code), the code step of a sign-in (and with a
wrong code), and the page for a single sign-on that did not complete. On the way, a
person signs in by single sign-on through the provider's own page, in the browser.

One app server and one provider (both on 127.0.0.1) serve the module; pages in turn."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from signing.domain import people, signin
from signing.web.app import create_app
from signing.web.current import services_of
from tests.console.browser import sign_in
from tests.console.conftest import PASSWORD, password_hash
from tests.console.oidc_provider import oidc_provider  # noqa: F401  (fixture)
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import WIDTHS, check_state

pytestmark = pytest.mark.slow  # one browser and two servers, about 20 seconds


@pytest.fixture(scope="module")
def server(tmp_path_factory, oidc_provider):  # noqa: F811
    """The app on 127.0.0.1 in a thread, with single sign-on at the test provider."""
    tmp_path = tmp_path_factory.mktemp("console-signin")
    serving: dict = {}
    http = make_server("127.0.0.1", 0, lambda env, start: serving["app"](env, start),
                       threaded=True)
    base = f"http://127.0.0.1:{http.server_port}"
    serving["app"] = app = create_app({
        "instance_path": str(tmp_path / "instance"),
        "database_url": f"sqlite:///{tmp_path / 'plansign.db'}", "secret_keys": "k" * 40,
        "base_url": base, "rate_limit_signer": "", "rate_limit_signer_strict": "",
        **oidc_provider.settings(roles="plansign-hr=hr; plansign-managers=manager")})
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, base
    http.shutdown()
    thread.join()






def test_sign_in_and_account_pages_pass_axe_at_both_widths(server, oidc_provider,  # noqa: F811
                                                            tmp_path):
    app, base = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the sign-in and account pages: {shots}")
    with services_of(app).sessions.begin() as session:
        people.create_person(session, username="dana", display_name="Dana Ólafsdóttir",
                             email="dana@example.com", role="hr", team="EMEA",
                             password_hash=password_hash(), now=dt.datetime.now(dt.UTC),
                             created_by="cli:test")
    oidc_provider.set_user("lee-sub", {"email": "lee@example.com", "name": "Lee Chen",
                                       "groups": ["plansign-managers"]})
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=WIDTHS["phone"], locale="en-US").new_page()

        page.goto(f"{base}/console/signin")
        expect(page.get_by_role("link", name="Sign in with Test Provider")).to_be_visible()
        check_state(page, "signin", shots, axe)
        sign_in(page, base, "dana", password="not the password", signed_in=False)
        expect(page.get_by_role("alert")).to_contain_text("is not right")
        check_state(page, "signin-refused", shots, axe)

        sign_in(page, base, "dana", password=PASSWORD, signed_in=False)
        expect(page.get_by_role("link", name="Dana Ólafsdóttir")).to_be_visible()
        page.get_by_role("link", name="Dana Ólafsdóttir").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()
        check_state(page, "account", shots, axe)
        page.get_by_label("Current password").fill("wrong")
        page.get_by_label("New password", exact=True).fill("short")
        page.get_by_label("New password again").fill("other")
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        check_state(page, "account-password-errors", shots, axe)

        page.get_by_role("link", name="Set up a second factor").click()
        secret = "".join(page.locator(".totp-secret code").inner_text().split())
        check_state(page, "totp-setup", shots, axe)
        page.get_by_label("The six-digit code the app shows now").fill("000000")
        page.get_by_label("Your current password").fill(PASSWORD)
        page.get_by_role("button", name="Turn on the second factor").click()
        expect(page.locator("#code-error")).to_be_visible()
        check_state(page, "totp-setup-wrong-code", shots, axe)
        now = dt.datetime.now(dt.UTC)
        step = int(now.timestamp()) // signin.TOTP_STEP
        page.get_by_label("The six-digit code the app shows now").fill(
            pyotp.TOTP(secret).at(step * signin.TOTP_STEP))
        page.get_by_label("Your current password").fill(PASSWORD)
        page.get_by_role("button", name="Turn on the second factor").click()
        expect(page.get_by_role("status")).to_contain_text("Your second factor is on")

        page.get_by_role("button", name="Sign out").click()
        sign_in(page, base, "dana", password=PASSWORD, signed_in=False)
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        check_state(page, "signin-code", shots, axe)
        page.get_by_label("Code from your authenticator app").fill("000000")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#code-error")).to_be_visible()
        check_state(page, "signin-code-wrong", shots, axe)
        page.get_by_label("Code from your authenticator app").fill(
            pyotp.TOTP(secret).at((step + 1) * signin.TOTP_STEP))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("link", name="Dana Ólafsdóttir")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

        # Single sign-on, through the provider's own page.
        page.get_by_role("link", name="Sign in with Test Provider").click()
        page.wait_for_url(re.compile(re.escape(oidc_provider.issuer) + ".*"))
        page.locator("input[name=sub]").fill("lee-sub")
        page.get_by_role("button", name="Authorize", exact=True).click()
        expect(page.get_by_role("link", name="Lee Chen")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

        # A provider's answer that is not this browser's sign-in.
        page.goto(f"{base}/console/signin/oidc/callback?code=x&state=y")
        expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
        check_state(page, "signin-oidc-problem", shots, axe)
        browser.close()
