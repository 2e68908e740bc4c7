"""The pages issue 18's last walk changed, in French and Arabic in real Chromium: a
record's page (its retention rule and access log in words), the purge preview, the
new-link form (each signer named as the language punctuates), a case's page (who
attended, listed as the language lists), a webhook endpoint's page and a console
address no route answers. axe-core (WCAG 2.2 AA) finds nothing at a phone's width and a
laptop's, nothing is wider than a phone, and a screenshot of each is kept (the folder is
printed). In Arabic, a zone's
Latin name stays on its time's line and the colon after it on the sentence's side."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

import webhooks
from archive import Reader, get_record, log_access
from signing.domain import people
from signing.web.current import services_of
from tests.archive.records_data import seed
from tests.console.browser import browser_app, serving
from tests.console.conftest import NOW, password_hash
from tests.console.plankit import make_plan
from tests.console.test_console_language_browser import sign_in
from tests.signing.cases.casekit import record_first, send_case_plan
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import WIDTHS, check_state

pytestmark = pytest.mark.slow  # one browser, one app server
TEAM = "EMEA"
PEOPLE = (("claire", "Claire Martin", "hr", TEAM, "fr"),
          ("layla", "ليلى حداد", "hr", TEAM, "ar"),
          ("remi", "Rémi Archives", "records", None, "fr"),
          ("rana", "رنا السجلات", "records", None, "ar"),
          ("adele", "Adèle Admin", "admin", None, "fr"),
          ("amir", "أمير المدير", "admin", None, "ar"))


def checked(page, name: str, shots, axe) -> None:
    """axe and screenshots at both widths (check_state), and nothing wider than a phone:
    a long address or setting name wraps."""
    check_state(page, name, shots, axe)
    page.set_viewport_size(WIDTHS["phone"])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS["phone"]["width"], f"{name}: {width} px wide on a phone"
    page.set_viewport_size(WIDTHS["laptop"])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = browser_app(tmp_path_factory.mktemp("console-words"))
    sessions = services_of(app).sessions
    with sessions.begin() as session:
        for username, name, role, team, language in PEOPLE:
            people.create_person(session, username=username, display_name=name,
                                 email=f"{username}@example.com", role=role, team=team,
                                 password_hash=password_hash(), now=NOW, created_by="cli:test",
                                 language=language, time_zone="Europe/Paris")
        ids = seed(session, services_of(app).store, sent_by="person:claire",
                   retain_for=dt.timedelta(days=1))  # long past: the preview lists them
        get_record(session, ids[0]).retention_rule = (
            'retention_rules[2] (department "Customer Care", jurisdiction "FR"): 7 years')
        get_record(session, ids[1]).hold_reason = "Prud'hommes, affaire 26/0114"
        get_record(session, ids[1]).hold_by = "Rémi Archives"
        get_record(session, ids[1]).hold_at = NOW
        for action, detail in (("hold", "Prud'hommes, affaire 26/0114"),
                               ("download final.pdf", None),
                               ("export", "to export-2026.zip, completed since 2020-01-01")):
            log_access(session, Reader("Rémi Archives", "records"), action, now=NOW,
                       envelope_id=ids[0], detail=detail)
        endpoint = webhooks.create_endpoint(
            session, url="https://hooks.example.com/plansign",
            events=["envelope.sent", "envelope.completed"], created_by="person:adele",
            sees_all=True, now=NOW, allow_private=False,
            resolve=lambda host: ["93.184.216.34"]).endpoint
        endpoint_id = endpoint.id
    plan = make_plan(sessions, owner="person:claire", team=TEAM, employee="Léa Brändli")
    case = send_case_plan(sessions, owner="person:claire", team=TEAM)
    record_first(sessions, case)
    with serving(app) as base:
        yield base, {"record": ids[0], "plan": plan, "case": case, "endpoint": endpoint_id}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_changed_pages_pass_axe_in_french_and_arabic(server, tmp_path, language):
    base, made = server
    hr, records, admin = ({"fr": "claire", "ar": "layla"}[language],
                          {"fr": "remi", "ar": "rana"}[language],
                          {"fr": "adele", "ar": "amir"}[language])
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the console's changed pages in {language}: {shots}")
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900},
                                   locale="en-US").new_page()

        sign_in(page, base, records)
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.goto(f"{base}/console/records/{made['record']}")
        log = page.locator("table.cards")
        if language == "fr":
            expect(page.get_by_text("selon la règle de conservation nº\u00a02")).to_be_visible()
            expect(log).to_contain_text("Pose d’une conservation légale")
            expect(log).to_contain_text("avec les dossiers terminés depuis le 1er janvier 2020")
        else:
            expect(page.get_by_text("بموجب قاعدة الاحتفاظ رقم 2")).to_be_visible()
            expect(log).to_contain_text("فرض حجز قانوني")
        for english in ("retention_rules[", "view", "download final.pdf", "(records)"):
            expect(page.locator("main")).not_to_contain_text(english)
        checked(page, f"{language}-record", shots, axe)
        page.goto(f"{base}/console/records/purge")
        expect(page.locator("main")).not_to_contain_text("record(s)")
        checked(page, f"{language}-purge", shots, axe)
        page.goto(f"{base}/console/nope")
        expect(page.locator("h1")).to_have_text(
            {"fr": "Page introuvable", "ar": "الصفحة غير موجودة"}[language])
        checked(page, f"{language}-not-found", shots, axe)

        sign_in(page, base, hr)
        page.goto(f"{base}/console/plans/{made['plan']}")
        deadline = page.locator("time").first
        if language == "ar":
            # The zone on its time's line: the time and its zone end the same line box.
            text = deadline.inner_text()
            assert text.endswith("\u00a0\u2068CET\u2069"), text
        checked(page, f"{language}-plan", shots, axe)
        page.goto(f"{base}/console/plans/{made['plan']}/resend")
        expect(page.locator("label").filter(has_text="Léa Brändli")).to_contain_text(
            {"fr": "Léa Brändli (personne salariée), alex.sample@example.com",
             "ar": "Léa Brändli (الموظف)، alex.sample@example.com"}[language])
        checked(page, f"{language}-resend", shots, axe)
        page.goto(f"{base}/console/plans/{made['case']}/case")
        expect(page.locator("#checkins")).to_contain_text(
            {"fr": "Morgan Example et Alex Sample",
             "ar": "Morgan Example وAlex Sample"}[language])
        checked(page, f"{language}-case", shots, axe)

        sign_in(page, base, admin)
        page.goto(f"{base}/console/admin/webhooks/{made['endpoint']}")
        expect(page.locator("main")).to_contain_text(
            {"fr": "envelope.sent et envelope.completed",
             "ar": "envelope.sent وenvelope.completed"}[language])
        checked(page, f"{language}-webhook", shots, axe)
        page.goto(f"{base}/console/admin/settings")
        checked(page, f"{language}-settings", shots, axe)
        browser.close()
