"""The console's records and administration pages in real Chromium: records staff sign in,
find an archived record, open it and download its bundle, and place a legal hold; an
admin adds a person, a key and a webhook endpoint and sees its delivery. Each page is
checked with axe-core (WCAG 2.2 AA and best practices) at a phone's and a laptop's
width, the keyboard walked through it, and a screenshot kept (the folder is printed).

One server (the app in a thread, on 127.0.0.1) and one browser for the module; pages
are visited in turn; each step waits for what the page shows, never on a clock."""

from __future__ import annotations

import datetime as dt
import threading
import zipfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

import webhooks
from archive import Reader, get_record, log_access
from signing.domain import people
from signing.web.current import services_of
from tests.archive.records_data import seed
from tests.console.browser import browser_app, sign_in
from tests.console.conftest import password_hash
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.signing.test_signer_a11y import check_state
from testsupport.receivers import serve_receiver
from webhooks.delivery import Deliverer, DeliveryConfig

pytestmark = pytest.mark.slow
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("console-records")
    app = browser_app(tmp_path, webhook_allow_private=True)
    services = services_of(app)
    with services.sessions.begin() as session:
        for username, name, role, team in (("riley", "Riley Records", "records", None),
                                           ("ada", "Ada Admin", "admin", None),
                                           ("hana", "Hana Support", "hr", "Support HR")):
            people.create_person(session, username=username, display_name=name,
                                 email=f"{username}@example.com", role=role, team=team,
                                 password_hash=password_hash(), now=NOW, created_by="cli:test")
        ids = seed(session, services.store, sent_by="person:someone",
                   retain_for=dt.timedelta(days=1))  # long past: the purge preview lists them
        get_record(session, ids[1]).hold_reason = "Tribunal claim 2026/114"
        get_record(session, ids[1]).hold_by = "Riley Records"
        get_record(session, ids[1]).hold_at = NOW
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{http.server_port}", ids
    http.shutdown()
    thread.join()




def test_records_and_admin_pages_work_and_pass_axe_at_both_widths(server, tmp_path):
    app, base, ids = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the console's records and admin pages: {shots}")
    axe = Axe()
    with sync_playwright() as p, serve_receiver() as receiver:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # Records staff: search, a mistyped date, the record, its bundle, a legal hold.
        page = browser.new_context(viewport={"width": 1366, "height": 900},
                                   accept_downloads=True).new_page()
        sign_in(page, base, "riley")
        page.goto(f"{base}/console/records/")
        page.get_by_label("Employee name").fill("brandli")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("status")).to_contain_text("Archived plans found: 1;")
        check_state(page, "records-search", shots, axe)
        page.goto(f"{base}/console/records/?name=brandli&completed_from=2026-99-01")
        expect(page.locator("#f-completed_from-error")).to_be_visible()
        check_state(page, "records-search-error", shots, axe)
        page.goto(f"{base}/console/records/?name=brandli")
        page.get_by_role("link", name="Léa Brändli").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Record of Léa Brändli")
        with page.expect_download() as download:
            page.get_by_role("link", name="Records bundle").click()
        with zipfile.ZipFile(download.value.path()) as bundle:
            assert "SHA256SUMS" in bundle.namelist()
        page.reload()  # the access log now shows the view and the download
        expect(page.get_by_role("cell", name="Downloaded: Records bundle (ZIP: every "
                                "document, with SHA-256 sums)")).to_be_visible()
        check_state(page, "record", shots, axe)
        page.get_by_role("link", name="Place a legal hold…").click()
        page.get_by_role("button", name="Place a legal hold").click()
        expect(page.locator("#f-reason-error")).to_be_visible()
        check_state(page, "record-hold-error", shots, axe)
        page.get_by_label("Reason").fill("Tribunal claim 2026/201")
        page.get_by_label("I confirm").check()
        page.get_by_role("button", name="Place a legal hold").click()
        expect(page.get_by_role("status")).to_contain_text("The record is on legal hold")
        page.goto(f"{base}/console/records/purge")
        expect(page.get_by_role("heading", name="Kept by a legal hold")).to_be_visible()
        check_state(page, "records-purge", shots, axe)
        # A legal hold over a manager (issue 19): a mistake, then placed, then released.
        page.goto(f"{base}/console/records/holds")
        page.get_by_role("button", name="Place the hold").click()
        expect(page.locator("#f-scope-error")).to_be_visible()
        check_state(page, "records-holds-error", shots, axe)
        page.get_by_label("A manager").check()
        page.get_by_label("Department or manager").fill("Sofía Castellanos")
        page.get_by_label("Reason").fill("EEOC charge 846-2026-01234")
        page.get_by_label("I confirm").check()
        page.get_by_role("button", name="Place the hold").click()
        expect(page.get_by_role("status")).to_contain_text("The hold is placed")
        expect(page.get_by_role("cell", name="2", exact=True)).to_be_visible()
        check_state(page, "records-holds", shots, axe)
        page.get_by_role("link", name="Release… Sofía Castellanos").click()
        check_state(page, "records-hold-release", shots, axe)
        page.get_by_label("Reason").fill("Charge dismissed")
        page.get_by_label("I confirm").check()
        page.get_by_role("button", name="Release the hold").click()
        expect(page.get_by_role("status")).to_contain_text("The hold is released")
        page.goto(f"{base}/console/admin/")
        expect(page.get_by_role("heading", level=1)).to_have_text("This page is not for your role")
        check_state(page, "console-403", shots, axe)
        page.goto(f"{base}/console/no-such-page")
        check_state(page, "console-404", shots, axe)
        page.context.close()

        # An admin: a person, a key, a webhook endpoint and its delivery, the settings.
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        sign_in(page, base, "ada")
        page.goto(f"{base}/console/admin/")
        check_state(page, "admin", shots, axe)
        page.goto(f"{base}/console/admin/people")
        page.get_by_label("Full name").fill("Dana Okafor")
        page.get_by_label("Username").fill("dana")
        page.get_by_label("Email address").fill("dana@example.com")
        page.get_by_label("Role").select_option("hr")
        page.get_by_label("HR team").fill("Sales HR")
        page.get_by_role("button", name="Add the person").click()
        expect(page.locator("#new-password")).to_be_visible()
        check_state(page, "admin-people", shots, axe)
        page.get_by_role("link", name="Dana Okafor").click()
        check_state(page, "admin-person", shots, axe)
        page.get_by_role("link", name="Disable this account…").click()
        check_state(page, "admin-confirm", shots, axe)
        page.goto(f"{base}/console/admin/keys")
        page.get_by_label("Name", exact=True).fill("HRIS sync")
        page.get_by_role("button", name="Make the key").click()
        expect(page.locator("#new-key")).to_be_visible()
        check_state(page, "admin-keys", shots, axe)
        page.goto(f"{base}/console/admin/webhooks")
        page.get_by_label("Address (URL)").fill(receiver.url)
        page.get_by_label("envelope.completed").check()
        page.get_by_label("Every plan").check()
        page.get_by_role("button", name="Add the endpoint").click()
        expect(page.locator("#new-secret")).to_be_visible()
        check_state(page, "admin-webhooks", shots, axe)
        # A plan completes and the worker's delivery pass sends it to the receiver.
        sessions = services_of(app).sessions
        with sessions.begin() as session:
            [message_id] = webhooks.publish(
                session, "envelope.completed", {"envelope_id": ids[0]},
                event_key=f"{ids[0]}:completed", ordering_key=ids[0], owner="person:someone",
                now=dt.datetime.now(dt.UTC))
        with Deliverer(sessions, DeliveryConfig(timeout=10.0, allow_private=True)) as worker:
            worker.run_once(now=dt.datetime.now(dt.UTC))
        assert receiver.ids() == [message_id]
        page.get_by_role("link", name="See the endpoint and its deliveries").click()
        expect(page.get_by_role("cell", name="delivered")).to_be_visible()
        expect(page.get_by_text("HTTP 204")).to_be_visible()
        check_state(page, "admin-webhook", shots, axe)
        page.goto(f"{base}/console/admin/settings")
        expect(page.get_by_text("(secret, set)").first).to_be_visible()
        check_state(page, "admin-settings", shots, axe)

        # Another HR team sees none of the records.
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        sign_in(page, base, "hana")
        page.goto(f"{base}/console/records/")
        expect(page.get_by_role("status")).to_contain_text("No archived plan matches")
        page.goto(f"{base}/console/records/{ids[0]}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        browser.close()


def test_a_record_page_in_french_and_arabic_lists_the_case_file_and_words_its_log(
        server, tmp_path):
    """The record page of a plan whose case closed, for records staff who read French
    and Arabic: the case file listed and downloaded under its name in their language,
    the access log's details in their language (a refused API request, a read that
    failed), a person's own words shown as written, in their direction (``dir="auto"``),
    not marked English; axe-core finds nothing at either width."""
    app, base, ids = server
    services = services_of(app)
    envelope_id = ids[2]
    at = NOW - dt.timedelta(hours=1)
    reason = "طلب الموظفة بتاريخ 3 مارس"
    with services.sessions.begin() as session:
        for username, name, language in (("remi", "Rémi Archives", "fr"),
                                         ("nour", "نور الأرشيف", "ar")):
            people.create_person(session, username=username, display_name=name,
                                 email=f"{username}@example.com", role="records", team=None,
                                 password_hash=password_hash(), now=NOW,
                                 created_by="cli:test", language=language,
                                 time_zone="Europe/Paris")
        get_record(session, envelope_id).case_file_sha256 = services.store.put(
            b"%PDF-1.7 stand-in case file")
        for action, detail in (
                ("copy.revoke", f"every signer: {reason}; with the records of check-in(s) 1"),
                ("request", f"denied (401) GET /api/v1/archive/records/{envelope_id}/"
                            "final.pdf: a valid API key is required: Authorization: "
                            "Bearer <key>"),
                ("view", "failed: no blob " + "c" * 64 + " in the archive")):
            log_access(session, Reader("Riley Records", "records"), action, now=at,
                       envelope_id=envelope_id, detail=detail)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of a record's page in French and Arabic: {shots}")
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900},
                                   accept_downloads=True).new_page()
        for username, language, link, saved, words in (
                ("remi", "fr", "Dossier de suivi (PDF scellé\u00a0: points de suivi, "
                               "progrès et issue)", f"{envelope_id}-dossier-de-suivi.pdf",
                 ("Refusé\u00a0: la requête GET", "est arrivée sans clé d’API valide.",
                  "le fichier est absent du stockage de l’archive")),
                ("nour", "ar", "ملف الحالة (PDF مختوم: اجتماعات المتابعة والتقدم والنتيجة)",
                 f"{envelope_id}-ملف-الحالة.pdf",
                 ("دون مفتاح API صالح", "الملف غير موجود في مخزن الأرشيف"))):
            sign_in(page, base, username, signed_in=False)
            page.goto(f"{base}/console/records/{envelope_id}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            with page.expect_download() as download:
                page.get_by_role("link", name=link, exact=True).click()
            assert download.value.suggested_filename == saved
            page.reload()  # the access log now shows the download
            log = page.locator("#h-log").locator("xpath=..")
            for said in words:
                expect(log).to_contain_text(said)
            theirs = log.locator("bdi.their-words", has_text=reason)
            expect(theirs).to_have_attribute("dir", "auto")
            assert theirs.evaluate("e => e.closest('[lang=\"en\"]')") is None
            assert log.locator('[lang="en"]').count() == 0
            check_state(page, f"record-{language}", shots, axe)
        browser.close()
