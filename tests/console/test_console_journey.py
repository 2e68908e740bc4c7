"""A plan's whole journey through the console, in real Chromium, as its people take it.

A manager signs in by single sign-on (a real OpenID provider on 127.0.0.1), drafts a plan
from an example, makes a goal vague and sees the finding beside it, fixes it and submits;
HR signs in with a password and a TOTP code, approves and sends; the manager confirms
and the employee acknowledges through their emailed links; HR, whose plans list is open
all along, sees the state change without reloading; HR countersign, the worker seals and
archives; records staff find the archived record and download its bundle; the admin,
who added a webhook endpoint at the start, sees its delivery; and HR of a second team
see none of it.

One app served in a thread, one worker running beside it (as in production), one
browser; every step waits for what the page shows, never on a clock."""

from __future__ import annotations

import email
import re
import threading
import zipfile
from email import policy
from io import BytesIO
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from signing.domain import people
from signing.domain.models import EnvelopeRow, PersonRow
from signing.web.app import create_app
from signing.web.current import services_of
from signing.worker import loop
from tests.console import browser as console_browser
from tests.console.conftest import NOW, password_hash
from tests.console.oidc_provider import oidc_provider  # noqa: F401  (fixture)
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from testsupport.receivers import serve_receiver

pytestmark = pytest.mark.slow
TEAM, OTHER_TEAM = "Care HR", "Sales HR"
TOTP_SECRET = pyotp.random_base32()


class _Later:
    """The WSGI app, given once the server's port (and so the app's base URL) is known."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def journey(tmp_path_factory, converter, oidc_provider):  # noqa: F811
    tmp_path = tmp_path_factory.mktemp("console-journey")
    later = _Later()
    http = make_server("127.0.0.1", 0, later, threaded=True)
    base = f"http://127.0.0.1:{http.server_port}"
    oidc_provider.set_user("maria-sso", {"email": "maria@example.com", "name": "Maria Keller",
                                         "groups": ["plansign-managers"]})
    later.app = app = create_app({
        "instance_path": str(tmp_path / "instance"),
        "database_url": f"sqlite:///{tmp_path / 'plansign.db'}",
        "secret_keys": "k" * 40, "base_url": base, "company_name": "Harbor & Finch",
        "console_plans_refresh_seconds": 2, "webhook_allow_private": True,
        "rate_limit_signer": "", "rate_limit_signer_strict": "", "rate_limit_api": "",
        "rate_limit_refused": "",
        **oidc_provider.settings(roles=f"plansign-managers=manager/{TEAM}")})
    services = services_of(app)
    services.converter = converter
    with services.sessions.begin() as session:
        for username, name, role, team in (
                ("hana", "Hana Weber", "hr", TEAM), ("sam", "Sam Ortiz", "hr", OTHER_TEAM),
                ("rae", "Rae Lindqvist", "records", None), ("ada", "Ada Byrne", "admin", None)):
            people.create_person(session, username=username, display_name=name,
                                 email=f"{username}@example.com", role=role, team=team,
                                 password_hash=password_hash(), now=NOW,
                                 created_by="cli:test")
        # Hana set up her second factor on her account page (tests/console/test_signin.py
        # drives that page); here she has one.
        session.query(PersonRow).filter_by(username="hana").update(
            {"totp_secret": TOTP_SECRET})
    server = threading.Thread(target=http.serve_forever, daemon=True)
    server.start()
    stop = threading.Event()
    worker = threading.Thread(target=loop.run, args=(services,),
                              kwargs={"once": False, "interval": 0.2, "stop": stop},
                              daemon=True)
    worker.start()
    yield base, services, tmp_path / "instance" / "mail"
    stop.set()
    worker.join(60)
    http.shutdown()
    server.join()


def sign_in(page: Page, base: str, username: str, *, totp: str | None = None) -> None:
    console_browser.sign_in(page, base, username, signed_in=totp is None)
    if totp:
        page.get_by_label(re.compile("code", re.I)).first.fill(pyotp.TOTP(totp).now())
        page.get_by_role("button", name=re.compile("Sign in|Continue|Verify")).first.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def link_to(mail: Path, to: str) -> str:
    """The signing link in the newest email to ``to`` (the worker sends them)."""
    for path in sorted(mail.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"].addresses[0].addr_spec == to:
            found = re.search(r"http://127\.0\.0\.1:\d+/s/\S+",
                              message.get_body(("plain",)).get_content())
            if found:
                return found.group()
    raise LookupError(to)


def wait_for_link(page: Page, mail: Path, to: str) -> str:
    """Wait (through the page's own clock, as a person would) for the worker's email."""
    for _ in range(300):
        try:
            return link_to(mail, to)
        except (LookupError, FileNotFoundError):
            page.wait_for_timeout(200)
    raise AssertionError(f"no signing link was emailed to {to}")


def test_a_plan_from_draft_to_archive_through_the_console(journey, oidc_provider):  # noqa: F811
    base, services, mail = journey
    with serve_receiver() as receiver, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="en-GB", timezone_id="Europe/London").new_page()

        # The admin adds a webhook endpoint for every plan's events.
        sign_in(page, base, "ada")
        page.goto(f"{base}/console/admin/webhooks")
        page.get_by_label("Address (URL)").fill(receiver.url)
        page.get_by_label("envelope.sent").check()
        page.get_by_label("Every plan").check()
        page.get_by_role("button", name="Add the endpoint").click()
        expect(page.get_by_role("link", name="See the endpoint and its deliveries")
               ).to_be_visible()

        # The manager signs in through the provider and drafts a plan with a vague goal.
        page.context.clear_cookies()
        page.goto(f"{base}/console/signin")
        page.get_by_role("link", name=re.compile("Sign in with")).click()
        page.locator("input[name=sub]").fill("maria-sso")
        page.get_by_role("button", name="Authorize").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        page.goto(f"{base}/console/drafts/")
        page.get_by_label("Start from", exact=True).select_option("example:support-agent-30d")
        page.get_by_role("button", name="Start the plan").click()
        # The editor whole, its htmx attached, before typing: an input made before htmx
        # listens is never linted (a fresh-clone run typed into a page still loading).
        expect(page.get_by_role("heading", level=1)).to_have_text("Plan for Léa Brändli")
        page.wait_for_load_state("load")
        metric, finding = page.locator("#f-goals-0-metric"), page.locator("#x-f-goals-0-metric")
        metric.fill("")
        expect(finding).to_contain_text("the goal has no metric")
        metric.fill("Share of tickets answered within 4 business hours")
        expect(finding).to_be_empty()
        page.get_by_role("button", name="Save and submit for HR's approval").click()
        expect(page.get_by_role("status")).to_contain_text("Submitted")

        # HR signs in with a password and a TOTP code, approves and sends.
        sign_in(page, base, "hana", totp=TOTP_SECRET)
        page.goto(f"{base}/console/drafts/")
        page.get_by_role("link", name="Léa Brändli").click()
        page.get_by_role("button", name="Approve and send").click()
        with services.readers() as session:
            envelope = session.query(EnvelopeRow).one()
            signers = {s.role: (s.name, s.email) for s in envelope.signers}
            envelope_id = envelope.id
        assert envelope.drafted_by == "person:maria-sso" or envelope.drafted_by.startswith(
            "person:")

        # HR keep their plans list open in a tab of their own.
        hr_list = page.context.new_page()
        hr_list.goto(f"{base}/console/")
        row = hr_list.get_by_role("row", name=re.compile("Léa Brändli"))
        expect(row).to_contain_text(re.compile("out for signature", re.I))

        # The manager confirms, then the employee acknowledges, each from their email.
        for role in ("manager", "employee"):
            signer = browser.new_context().new_page()
            name, address = signers[role]
            signer.goto(wait_for_link(signer, mail, address))
            signer.get_by_label("Type your full name").fill(name)
            signer.get_by_label(re.compile("I agree to")).check()
            signer.get_by_role("button", name="Confirm" if role == "manager"
                               else "Acknowledge").click()
            expect(signer.get_by_role("status")).to_contain_text("recorded")
            signer.context.close()
        # HR's open list follows without a reload: the plan now waits on HR.
        expect(row).to_contain_text(signers["hr"][0], timeout=30_000)

        signer = browser.new_context().new_page()
        signer.goto(wait_for_link(signer, mail, signers["hr"][1]))
        signer.get_by_label("Type your full name").fill(signers["hr"][0])
        signer.get_by_label(re.compile("I agree to")).check()
        signer.get_by_role("button", name="Confirm").click()
        expect(signer.get_by_role("status")).to_contain_text("recorded")
        signer.context.close()
        expect(row).to_contain_text(re.compile("archived", re.I), timeout=60_000)

        # Records staff find the archived record and download its bundle.
        sign_in(page, base, "rae")
        page.goto(f"{base}/console/records/")
        page.get_by_label("Employee name").fill("brandli")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="Léa Brändli").click()
        with page.expect_download() as download:
            page.get_by_role("link", name="Records bundle").click()
        with zipfile.ZipFile(BytesIO(Path(download.value.path()).read_bytes())) as bundle:
            assert any(name.endswith(".pdf") for name in bundle.namelist())

        # The admin sees the endpoint's delivery.
        sign_in(page, base, "ada")
        page.goto(f"{base}/console/admin/webhooks")
        page.get_by_role("link", name=receiver.url).click()
        expect(page.get_by_role("cell", name="delivered").first).to_be_visible()
        assert any(b'"envelope.sent"' in r.body for r in receiver.received)

        # HR of another team see none of it.
        sign_in(page, base, "sam")
        page.goto(f"{base}/console/")
        expect(page.get_by_role("row", name=re.compile("Léa Brändli"))).to_have_count(0)
        assert page.goto(f"{base}/console/plans/{envelope_id}").status == 404
        browser.close()
