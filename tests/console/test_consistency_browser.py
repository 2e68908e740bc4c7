"""The consistency report in real Chromium: an HR director of a team filters it by
department and dates, reads the flagged rows, and downloads the CSV; a mistyped range is
named beside its field. Each page is checked with axe-core (WCAG 2.2 AA and best
practices) at 390 and 1366 px, the keyboard walked through it, and a screenshot kept
(the folder is printed). One server and one browser for the module."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from signing.domain import people
from signing.web.app import create_app
from signing.web.current import services_of
from tests.console.browser import serving, sign_in
from tests.console.conftest import password_hash
from tests.reports.casefactory import START, make_case
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import check_state

pytestmark = pytest.mark.slow
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
TEAM = "EMEA HR"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("console-consistency")
    app = create_app({"instance_path": str(tmp_path / "instance"),
                      "database_url": f"sqlite:///{tmp_path / 'plansign.db'}",
                      "secret_keys": "k" * 40, "base_url": "http://127.0.0.1"})
    with services_of(app).sessions.begin() as session:
        people.create_person(session, username="dana", display_name="Dana Ólafsdóttir",
                             email="dana@example.com", role="hr", team=TEAM,
                             password_hash=password_hash(), now=NOW, created_by="cli:test")
        for i in range(9):  # Sales: few check-ins held, often not met, some extended
            make_case(session, department="Sales", manager=("Jürg Baumann", "Mo Khan")[i % 2],
                      team=TEAM, held=1 + i % 2, missed=2, outcome=("not_met", "met")[i % 3 == 0],
                      extended=14 if i % 3 == 0 else 0, lint=3,
                      start=START + dt.timedelta(days=7 * (i % 4)))
        for i in range(8):  # Customer Care: check-ins held, mostly met
            make_case(session, department="Customer Care", manager="Sofía Núñez", team=TEAM,
                      held=4, outcome=("met", "met", "resigned", "met")[i % 4], lint=1,
                      start=START + dt.timedelta(days=7 * (i % 4)))
        for i in range(6):  # Engineering: 60-day plans, some still open
            make_case(session, department="Engineering", manager="Chen Wang", team=TEAM,
                      days=60, held=6, state=("closed", "active")[i % 2], outcome="met",
                      lint=0, start=START + dt.timedelta(days=7 * (i % 3)))
        make_case(session, department="Legal", manager="Ewa Kowalska", team=TEAM, held=2,
                  outcome="withdrawn", closed_after=20)
        make_case(session, department="Finance", manager="Other Team", team="US HR")
    return app


def test_the_report_filters_flags_and_downloads_and_passes_axe(app, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the consistency report: {shots}")
    axe = Axe()
    with serving(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900},
                                   accept_downloads=True).new_page()
        sign_in(page, base, "dana")
        page.get_by_role("link", name="Consistency").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Consistency across plans")
        review = page.locator(".cy-review")
        expect(review).to_contain_text("Sales: 1.4 of 4.7 check-ins held per plan on average")
        expect(page.get_by_role("table", name="Plans by department")).to_be_visible()
        sales = page.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name="Sales", exact=True))
        expect(sales.get_by_role("cell").last).to_contain_text("For review")
        assert "Finance" not in page.content()  # another team's plans
        check_state(page, "consistency", shots, axe)

        with page.expect_download() as download:
            page.get_by_role("link", name="Download as CSV").click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
        assert lines[1][0] == "all plans" and lines[1][3] == "24"

        page.get_by_label("Department", exact=True).select_option("Sales")
        page.get_by_label("First day").fill("2026-09-14")
        page.get_by_role("button", name="Show the report").click()
        expect(page.get_by_role("table", name="Plans by manager")).to_contain_text("Mo Khan")
        expect(page.get_by_role("table", name="Plans by department")).not_to_contain_text(
            "Customer Care")
        check_state(page, "consistency-sales", shots, axe)

        page.get_by_label("Last day").fill("2026-09-01")
        page.get_by_role("button", name="Show the report").click()
        expect(page.locator("#f-started_to-error")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("before the first date")
        check_state(page, "consistency-error", shots, axe)
        browser.close()
