"""The emails issue 18 changed, in real Chromium at a mail client's 600 px: with the
company's logo, colour and HR contact, and with nothing configured, in English and in
Arabic (right to left). axe-core finds nothing to fix in any (WCAG 2.2 AA: the logo's
alt text, the colour's contrast), and a screenshot of each is kept (the folder is
printed) for a person to look at."""

from __future__ import annotations

import base64
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import sync_playwright

from docgen.sample import sample_plan
from docgen.schedule import schedule_for
from signing.domain.mail import compose
from signing.domain.mail.message import Message
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, "resultTypes": ["violations"]}
LINK = "https://sign.example.com/s/TOKEN"
WHEN = dt.datetime(2026, 12, 18, 17, 0, tzinfo=ZoneInfo("Europe/London"))


def logo() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (180, 48), (255, 255, 255))
    image.paste((11, 92, 173), (0, 0, 48, 48))
    image.save(out, "PNG")
    return out.getvalue()


BRANDED = compose.Look(colour="#0b5cad", logo_png=logo(), logo_size=(180, 48),
                       reply_to="hr@harborfinch.example")
PEOPLE = compose.Contact("People Team", "people@harborfinch.example", "+1 555 010 2030")


def messages(look: compose.Look, company: str, language: str) -> dict[str, Message]:
    plan = sample_plan()
    common = {"company": company, "envelope_id": "env1", "look": look}
    return {
        "invitation-employee": compose.invitation(
            **common, to=plan.employee.email, name=plan.employee.name, link=LINK,
            deadline=WHEN, contact=PEOPLE, signer_id="s1", idempotency_key="i1",
            now=WHEN, meetings=schedule_for(plan).checkins, meeting_with=plan.manager.name,
            language=language),
        "invitation-manager": compose.invitation(
            **common, to=plan.manager.email, name=plan.manager.name, link=LINK,
            deadline=WHEN, contact=PEOPLE, signer_id="s2", idempotency_key="i2", now=WHEN,
            role="manager", employee_name=plan.employee.name,
            meetings=schedule_for(plan).checkins, meeting_with=plan.employee.name,
            language=language),
        "invitation-hr": compose.invitation(
            **common, to=plan.hr.email, name=plan.hr.name, link=LINK, deadline=WHEN,
            contact=compose.Contact(plan.hr.name, plan.hr.email), signer_id="s3",
            idempotency_key="i3", now=WHEN, role="hr", employee_name=plan.employee.name,
            language=language),
        "update-manager-acknowledged": compose.plan_update(
            **common, to=plan.manager.email, name=plan.manager.name, link=LINK,
            idempotency_key="u1", about="acknowledged", reader="manager",
            employee_name=plan.employee.name, at=WHEN, contact=PEOPLE, language=language),
        "update-hr-completed": compose.plan_update(
            **common, to=plan.hr.email, name=plan.hr.name, link=LINK, idempotency_key="u2",
            about="completed", reader="hr", employee_name=plan.employee.name, at=WHEN),
    }


def shown(message: Message) -> str:
    """The HTML as a mail client shows it: the logo's cid: resolved to its bytes."""
    html = message.html
    for image in message.inline_images:
        data = base64.b64encode(image.content).decode()
        html = html.replace(f"cid:{image.content_id}", f"data:{image.content_type};base64,{data}")
    return html


@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_changed_email_at_600_px_passes_axe_and_is_kept_as_a_screenshot(
        tmp_path, language):
    shots = tmp_path / "email-screenshots"
    shots.mkdir()
    looks = {"branded": (BRANDED, "Harbor & Finch Analytics, Inc."),
             "neutral": (compose.NEUTRAL_LOOK, "HR")}
    problems = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 600, "height": 900})
            for look_name, (look, company) in looks.items():
                for name, message in messages(look, company, language).items():
                    page.set_content(shown(message), wait_until="load")
                    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
                    if found:
                        problems[f"{look_name}/{name}"] = [v["id"] for v in found]
                    page.screenshot(path=str(shots / f"{language}-{look_name}-{name}.png"),
                                    full_page=True)
        finally:
            browser.close()
    print(f"\nscreenshots of the emails: {shots}")
    assert problems == {}
    assert len(list(shots.glob("*.png"))) == 2 * 5
