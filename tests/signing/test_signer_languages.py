"""The signer's pages in every language plansign writes to employees, in real Chromium
at a phone's width (390x844): each page's ``lang`` and ``dir`` are the plan's language's,
axe-core finds no WCAG 2.2 AA violation (in Arabic, right to left, too), none of the
English messages of the signer's catalog is left on a page in another language, and a
screenshot of each page is kept (the folder is printed) for a person to look at.

The pages: the employee's, open and after acknowledging; HR's, with the employee's
answer; the manager's, with the form to record a refusal open; the employee's after
their manager recorded their refusal; a plan whose time has passed; a link that cannot
be used and a page that is not there (the browser's language, no plan being known).

One server (the app in a thread) and one browser serve the module."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.messages.pofile import read_po
from playwright.sync_api import Page, sync_playwright

from docgen import load_plan
from docgen.languages import SUPPORTED, direction
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.wording import consent_for, statement_for
from signing.web.current import services_of
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import AXE_OPTIONS, ENGINEER, HR, WIDTHS, link
from tests.signing.test_signer_a11y import server as server
from tests.test_translations import TRANSLATIONS

pytestmark = pytest.mark.slow


def send(app, language: str, *roles: tuple[wf.Role, int],
         expires_in=dt.timedelta(days=14)) -> dict[str, str]:
    """The engineer's plan in ``language``, sent to the given roles: signer ids by role."""
    plan = load_plan(ENGINEER)
    people = {wf.Role.EMPLOYEE: plan.employee, wf.Role.MANAGER: plan.manager,
              wf.Role.HR: plan.hr}
    data = {**plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            "language": language}
    now = dt.datetime.now(dt.UTC)
    with services_of(app).sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data, template="standard", pdf=b"%PDF-1.7 the plan",
            actor=HR, now=now, signers=[svc.SignerSpec(role, people[role].name,
                                                       people[role].email, order)
                                        for role, order in roles])
        svc.perform(session, envelope_id, "send", actor=HR, now=now, expires_in=expires_in)
        ids = {s.role: s.id for s in svc.load(session, envelope_id).signers}
    return {"envelope": envelope_id, **ids}


def act(app, envelope_id: str, action: str, now: dt.datetime | None = None,
        **arguments: object) -> None:
    with services_of(app).sessions.begin() as session:
        svc.perform(session, envelope_id, action, actor=HR,
                    now=now or dt.datetime.now(dt.UTC), **arguments)


def english_messages() -> list[str]:
    """The signer catalog's English sentences long enough to be told apart from names."""
    with (TRANSLATIONS / "signer.pot").open("rb") as pot:
        return [m.id for m in read_po(pot)
                if isinstance(m.id, str) and "%" not in m.id and len(m.id) > 24]


def check(page: Page, language: str, name: str, shots, axe: Axe,
          english: list[str]) -> None:
    page.wait_for_load_state("load")
    html = page.locator("html")
    assert html.get_attribute("lang") == language, name
    assert html.get_attribute("dir") == direction(language), name
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{language} {name}:\n{results.generate_report()}"
    page.screenshot(path=str(shots / f"{language}-{name}.png"), full_page=True)
    if language != "en":
        text = " ".join(page.locator("body").inner_text().split())
        left = [m for m in english if m in text]
        assert not left, f"{language} {name}: English left on the page: {left}"


def test_every_signer_page_in_every_language(server, tmp_path):
    app, base = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the signer's pages in each language: {shots}")
    axe, english = Axe(), english_messages()
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language in SUPPORTED:
            context = browser.new_context(viewport=WIDTHS["phone"], locale=language,
                                          timezone_id="Europe/London")
            page = context.new_page()

            def visit(signer_id: str, name: str, page: Page = page,
                      language: str = language) -> None:
                page.goto(link(app, base, signer_id))
                check(page, language, name, shots, axe, english)

            with_hr = send(app, language, (wf.Role.EMPLOYEE, 1), (wf.Role.HR, 2))
            visit(with_hr[wf.Role.EMPLOYEE], "employee-open")
            # The words the employee signs, in their language.
            words = " ".join(page.locator("main").inner_text().split())
            statement = page.locator(".statement").first.inner_text()
            if language != "en":
                assert statement != statement_for("employee")
            assert statement in words
            act(app, with_hr["envelope"], "acknowledge", signer_id=with_hr[wf.Role.EMPLOYEE],
                typed_name="Oluwaseun Adeyemi", consent=True, comment="Noted.",
                statement=statement, consent_text=consent_for("employee"))
            visit(with_hr[wf.Role.EMPLOYEE], "employee-acknowledged")
            visit(with_hr[wf.Role.HR], "hr-open")

            with_manager = send(app, language, (wf.Role.MANAGER, 1), (wf.Role.EMPLOYEE, 1))
            visit(with_manager[wf.Role.MANAGER], "manager-open")
            page.locator("#record-details summary").click()
            check(page, language, "manager-record-refusal", shots, axe, english)
            act(app, with_manager["envelope"], "record_refusal",
                signer_id=with_manager[wf.Role.MANAGER], witness="Priya Raman",
                meeting_at=yesterday.strftime("%Y-%m-%dT%H:%M"), meeting_place="Room 4B",
                timezone="Europe/London", reason="Not today.", confirmed=True)
            visit(with_manager[wf.Role.EMPLOYEE], "employee-refusal-recorded")

            closed = send(app, language, (wf.Role.EMPLOYEE, 1),
                          expires_in=dt.timedelta(hours=1))
            act(app, closed["envelope"], "expire",
                now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
            visit(closed[wf.Role.EMPLOYEE], "plan-closed")

            # No plan known: the browser's language (Accept-Language).
            fresh = browser.new_context(viewport=WIDTHS["phone"], locale=language)
            page = fresh.new_page()
            page.goto(f"{base}/s/not-a-link")
            check(page, language, "link-error", shots, axe, english)
            assert page.goto(f"{base}/no/such/page").status == 404
            check(page, language, "not-found", shots, axe, english)
            fresh.close()
            context.close()
        browser.close()
    assert len(list(shots.glob("*.png"))) == 9 * len(SUPPORTED)
    assert re.search(r"ar-employee-open", " ".join(p.name for p in shots.iterdir()))


@pytest.mark.parametrize("language,comma,zone", [
    ("ar", "\u060c ", "\u00a0\u2068UTC+4\u2069 (\u2068Asia/Dubai\u2069)"),
    ("fr", ", ", " UTC+4 (Asia/Dubai)"),
    # German's "Uhr" after the time, as the server writes it (docgen.languages).
    ("de", ", ", " Uhr UTC+4 (Asia/Dubai)")])
def test_a_time_rewritten_in_the_browsers_zone_keeps_the_languages_comma(server, language,
                                                                         comma, zone):
    """Where the browser is in another zone than the plan's, the page's script writes each
    time again in the browser's zone, in the page's language, with the same comma between
    date and time as the server's (Arabic's own, "،"), and the zone as the server names
    it (in Arabic, isolated and held to its time, docgen.languages.clock_in_zone)."""
    app, base = server
    ids = send(app, language, (wf.Role.EMPLOYEE, 1))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=WIDTHS["phone"], locale=language,
                                timezone_id="Asia/Dubai")
        page.goto(link(app, base, ids[wf.Role.EMPLOYEE]))
        deadline = page.locator(".asked time").first
        assert "Asia/Dubai" in deadline.inner_text()  # rewritten by the script
        written = deadline.inner_text()
        browser.close()
    time_at = re.search(r"\d{4}(\S*\s)\d{1,2}:\d{2}", written)
    assert time_at and time_at.group(1) == comma, written
    assert written.endswith(zone), written


def test_a_french_time_rewritten_in_the_browsers_zone_writes_the_first_1er(server):
    """The page's script writes "1er" for the first of a month in French, as the server
    does (the browser's own French date has "1")."""
    app, base = server
    now = dt.datetime.now(dt.UTC)
    first = (now.replace(day=1) + dt.timedelta(days=32)).replace(
        day=1, hour=12, minute=0, second=0, microsecond=0)  # 16:00 in Dubai, that day
    ids = send(app, "fr", (wf.Role.EMPLOYEE, 1), expires_in=first - now)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=WIDTHS["phone"], locale="fr",
                                timezone_id="Asia/Dubai")
        page.goto(link(app, base, ids[wf.Role.EMPLOYEE]))
        deadline = page.locator(".asked time").first
        written = deadline.inner_text()
        browser.close()
    assert "(Asia/Dubai)" in written  # rewritten by the script
    assert re.search(r"\b1er \w+ \d{4}, 16:00 ", written), written
