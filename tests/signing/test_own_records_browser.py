"""The records page (/my-records) and its link pages in real Chromium: axe-core (WCAG
2.2 AA and best practices) at a phone's width (390) and a laptop's (1366), the focus
walk, and a screenshot of each state for a person to look at (the folder is printed):
the form, the form with a field error, the answer once sent, an expired link and a
record no longer available."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from signing.domain.links import Purpose
from signing.web.app import create_app
from signing.web.current import services_of
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import WIDTHS, check_state

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path):
    app = create_app({"instance_path": str(tmp_path / "instance"),
                      "database_url": f"sqlite:///{tmp_path / 'plansign.db'}",
                      "secret_keys": "k" * 40, "base_url": "http://127.0.0.1",
                      "rate_limit_signer": "", "rate_limit_signer_strict": "",
                      "rate_limit_records_request": "",
                      "rate_limit_records_request_address": ""})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()


def test_the_records_page_passes_axe_at_both_widths(server, tmp_path):
    app, base = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the records page: {shots}")
    links = services_of(app).record_links
    now = dt.datetime.now(dt.UTC)
    expired = links.sign("plan", "no-such-record", "no-such-signer",
                         purpose=Purpose.RECORDS_ACCESS, now=now - dt.timedelta(days=1))
    gone = links.sign("plan", "no-such-record", "no-such-signer", purpose=Purpose.DOWNLOAD,
                      now=now)
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=WIDTHS["phone"], locale="en-US")
        page.goto(f"{base}/my-records")
        check_state(page, "records-form", shots, axe)

        page.get_by_label("Your email address").fill("not an address")
        page.get_by_role("button", name="Email me my records").click()
        expect(page.locator("#email-error")).to_have_text(
            "Enter an email address in the form name@example.com.")
        check_state(page, "records-form-error", shots, axe)

        page.get_by_label("Your email address").fill("someone@example.com")
        page.get_by_role("button", name="Email me my records").click()
        expect(page.get_by_role("status")).to_contain_text("If we hold records")
        check_state(page, "records-sent", shots, axe)

        # Each link opened in a page of its own, as from an email.
        page = browser.new_page(viewport=WIDTHS["phone"], locale="en-US")
        page.goto(f"{base}/my-records/{expired}")
        expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
        check_state(page, "records-link-expired", shots, axe)

        page = browser.new_page(viewport=WIDTHS["phone"], locale="en-US")
        page.goto(f"{base}/copy/{gone}")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This record is not available")
        check_state(page, "copy-link-gone", shots, axe)
        browser.close()
