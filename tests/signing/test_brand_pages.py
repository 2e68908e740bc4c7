"""The company's name and look on the web pages: the signer's page shows the logo (its
alt text the company's name), takes the colour from a stylesheet of its own (a colour
too light for text on white becomes a readable shade of itself; the light one stays on
a rule that carries no text), gives the organisation's HR contact with a telephone
number, and says "Inc." once; the console's header carries the logo and the name.
With nothing configured, none of it is linked. In real Chromium, axe finds nothing on
the branded employee page and console sign-in page at a phone's width."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import sync_playwright

from docgen import plan_from_data, sample_plan
from signing.branding import MIN_TEXT_CONTRAST, contrast_with_white
from signing.domain import envelopes as svc
from signing.domain.sending import signer_specs
from signing.web.current import services_of
from tests.console.browser import browser_app, serving
from tests.signing.signer_pages import signer_ids, token_for
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.database

INC = "Harbor & Finch Analytics, Inc."
LIGHT = "#ffcc00"  # 1.5:1 on white: no text may be in it


def logo_file(folder):
    path = folder / "logo.png"
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (11, 92, 173)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def branded(folder):
    return browser_app(folder, company_name=INC, company_logo_path=str(logo_file(folder)),
                       company_primary_colour=LIGHT, hr_contact_name="People Team",
                       hr_contact_email="people@harborfinch.example",
                       hr_contact_phone="+1 555 010 2030")


@pytest.fixture
def app(tmp_path, clean_env):
    return branded(tmp_path)


def open_employee(app, client) -> str:
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    del data["company"]
    data["routing"] = {"manager": "none", "hr": "after"}
    plan = plan_from_data(data)
    now = dt.datetime.now(dt.UTC)
    sessions = services_of(app).sessions
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data, template="standard", pdf=b"%PDF-1.7 the plan",
            signers=signer_specs(plan), actor=svc.Actor("hr:test"), now=now)
        svc.perform(session, envelope_id, "send", actor=svc.Actor("hr:test"), now=now,
                    expires_in=dt.timedelta(days=14))
        employee = signer_ids(session, envelope_id)["employee"]
    response = client.get(f"/s/{token_for(app, sessions, employee)}")
    assert response.status_code == 303
    return client.get("/sign").get_data(as_text=True)


def test_the_employee_page_carries_the_company_look_and_contact(app, client):
    page = open_employee(app, client)
    logo = re.search(r'<img src="(/brand/logo\.png\?v=\w+)" alt="([^"]*)"', page)
    assert logo and logo.group(2) == "Harbor &amp; Finch Analytics, Inc."
    served = client.get(logo.group(1))
    assert served.status_code == 200 and served.mimetype == "image/png"
    css_url = re.search(r'<link rel="stylesheet" href="(/brand/look\.css\?v=\w+)">', page)
    assert css_url
    css = client.get(css_url.group(1)).get_data(as_text=True)
    accent = re.search(r"--accent: (#[0-9a-f]{6});", css).group(1)
    assert accent != LIGHT and contrast_with_white(accent) >= MIN_TEXT_CONTRAST
    assert f"--brand-rule: {LIGHT};" in css  # the light colour only where no text is
    text = " ".join(page.split())
    assert 'Questions? Ask People Team, <a href="mailto:people@harborfinch.example">' in text
    assert "Telephone: +1 555 010 2030" in text
    assert "Inc.." not in text and "from <bdi>Harbor &amp; Finch Analytics, Inc.</bdi>" in text
    assert "Your Company" not in text


def test_the_console_header_carries_the_logo_and_the_name(app, client):
    page = client.get("/console/signin").get_data(as_text=True)
    assert re.search(r'<a class="brand" href="[^"]+"><img src="/brand/logo\.png\?v=\w+" '
                     r'alt="" width="120" height="40"><span>Harbor &amp; Finch Analytics, '
                     r'Inc\.</span> <span class="product">plansign</span></a>', page)
    assert "/brand/look.css" in page


def test_nothing_configured_links_no_look(tmp_path, clean_env):
    plain = browser_app(tmp_path)
    client = plain.test_client()
    page = open_employee(plain, client)
    assert "/brand/" not in page and "<img" not in page
    assert client.get("/brand/look.css").status_code == 404
    assert client.get("/brand/logo.png").status_code == 404
    assert "Your Company" not in page


def test_branded_pages_pass_axe_at_a_phones_width(app, client, tmp_path):
    open_employee(app, client)
    cookie = client.get_cookie("session")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with serving(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.add_cookies([{"name": cookie.key, "value": cookie.value,
                                  "url": base}])
            page = context.new_page()
            found = {}
            for name, path in (("employee", "/sign"), ("console-signin", "/console/signin")):
                page.goto(base + path)
                assert page.locator("img[src^='/brand/logo.png']").count() == 1
                violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
                    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}).response[
                    "violations"]
                found[name] = [(v["id"], [n["html"][:100] for n in v["nodes"]])
                               for v in violations]
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        finally:
            browser.close()
    print(f"\nscreenshots of the branded pages: {shots}")
    assert found == {"employee": [], "console-signin": []}


def test_a_teams_own_hr_contact_on_its_plans_page_and_emails(tmp_path, clean_env):
    from signing.domain import outbox

    teamed = browser_app(tmp_path, hr_contact_name="People Team",
                         hr_contact_email="people@harborfinch.example",
                         hr_contacts_by_team=[{"team": "EMEA", "name": "EMEA People",
                                               "email": "emea@harborfinch.example"}])
    client = teamed.test_client()
    services = services_of(teamed)
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    now = dt.datetime.now(dt.UTC)
    with services.sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data, template="standard", pdf=b"%PDF-1.7 the plan",
            signers=signer_specs(plan_from_data(data)), actor=svc.Actor("hr:test"),
            now=now, team="EMEA")
        svc.perform(session, envelope_id, "send", actor=svc.Actor("hr:test"), now=now,
                    expires_in=dt.timedelta(days=14))
        manager = signer_ids(session, envelope_id)["manager"]
    client.get(f"/s/{token_for(teamed, services.sessions, manager)}")
    page = " ".join(client.get("/sign").get_data(as_text=True).split())
    assert "Questions? Ask EMEA People" in page and "People Team" not in page
    outbox.run_once(services.sessions, {"email": services.mailer}, now=now)
    [invitation] = (tmp_path / "instance" / "mail").glob("*.eml")
    text = invitation.read_text()
    assert "Questions? Ask EMEA People at emea@harborfinch.example" in " ".join(text.split())
    assert "People Team" not in text
