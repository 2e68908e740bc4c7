"""In real Chromium, with the default routing (the manager confirms, the employee
responds, HR countersign): open each emailed link in turn, read the plan, refuse on one
envelope and acknowledge with comments on another; then check the database and the
outbox."""

from __future__ import annotations

import datetime as dt
import email
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from config import load_settings
from database import make_session_factory
from docgen.loading import parse_plan_text
from signing import instance
from signing.domain import envelopes as svc
from signing.domain.models import OutboxRow
from signing.domain.sending import SendOptions, send_plan
from tests.conftest import EXAMPLES
from testsupport.net import STARTUP_SECONDS, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture
def service(tmp_path, converter, database_url):
    """A real `plansign serve` on 127.0.0.1, and two envelopes sent to it."""
    port = free_port()
    env = {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
           "PLANSIGN_DATABASE_URL": database_url,
           "PLANSIGN_BASE_URL": f"http://127.0.0.1:{port}", "PLANSIGN_SECRET_KEYS": "k" * 40}
    settings = load_settings(env)
    sessions = make_session_factory(instance.database_engine(settings))
    options = SendOptions(template=Path("templates/standard.docx").resolve(),
                          company_name="X", expires_in=dt.timedelta(days=14))
    ids = [send_plan(sessions, parse_plan_text(EXAMPLES[i].read_text()), options=options,
                     converter=converter, actor=svc.Actor("hr:test"),
                     now=dt.datetime.now(dt.UTC)) for i in (1, 2)]
    def deliver() -> None:
        """The worker sends what the outbox holds: the next signer's invitation."""
        done = subprocess.run(
            [sys.executable, "-c", "from signing.cli import main; main()", "worker", "--once"],
            env={**os.environ, **env}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    deliver()
    server = subprocess.Popen(
        [sys.executable, "-c", "from signing.cli import main; main()", "serve", "--port",
         str(port)], env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign")
        except urllib.error.HTTPError:
            break
        except urllib.error.URLError:
            assert server.poll() is None, "plansign serve stopped before it answered"
            assert time.monotonic() < deadline, "plansign serve did not start"
            time.sleep(0.2)
    yield sessions, ids, tmp_path / "instance" / "mail", deliver
    server.terminate()
    server.wait(timeout=10)


def link_in_mail(folder: Path, to: str) -> str:
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"].addresses[0].addr_spec == to:
            text = message.get_body(("plain",)).get_content()
            return re.search(r"http://127\.0\.0\.1:\d+/s/\S+", text).group()
    raise AssertionError(f"no email to {to}")


def confirm(browser, link: str, name: str) -> None:
    """The manager or HR confirm the plan, in a browser of their own."""
    page = browser.new_context().new_page()
    page.goto(link)
    expect(page.get_by_text("By signing I confirm,", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    page.get_by_label("Type your full name").fill(name)
    page.get_by_label(re.compile("I agree to sign this plan electronically")).check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Your confirmation has been recorded")
    page.context.close()


def test_refuse_one_and_acknowledge_another(service):
    sessions, (engineer_id, agent_id), mail, deliver = service
    with sessions() as session:
        engineer, agent = ({s.role: s for s in svc.load(session, envelope_id).signers}
                           for envelope_id in (engineer_id, agent_id))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for signers in (engineer, agent):
            confirm(browser, link_in_mail(mail, signers["manager"].email),
                    signers["manager"].name)
        deliver()  # the employees' invitations

        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(link_in_mail(mail, engineer["employee"].email))
        assert "/s/" not in page.url  # the token left the address bar
        expect(page.get_by_role("heading", name="Goals")).to_be_visible()
        # Refusing sits apart, behind its own disclosure, and asks for a confirmation.
        page.get_by_text("I do not want to sign this plan").click()
        expect(page.get_by_text("You may refuse to sign. The plan still takes effect")) \
            .to_be_visible()
        page.get_by_label("Reason (optional)").fill("The defect numbers include other teams'.")
        page.get_by_label("I understand the plan still takes effect").check()
        page.get_by_role("button", name="Refuse to sign").click()
        expect(page.get_by_role("status")).to_contain_text("Your refusal to sign has been "
                                                           "recorded")

        context = browser.new_context()
        page = context.new_page()
        page.goto(link_in_mail(mail, agent["employee"].email))
        page.get_by_label("Type your full name").fill(agent["employee"].name)
        page.get_by_label(re.compile("I agree to receive this plan and sign it")).check()
        page.get_by_label("Comments (optional)").fill("<b>Ich bin nicht einverstanden</b> 🙂")
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_role("status")).to_contain_text("acknowledgement has been recorded")
        page.screenshot(path=str(mail.parent / "acknowledged.png"), full_page=True)
        deliver()  # HR's invitations
        for signers in (engineer, agent):
            confirm(browser, link_in_mail(mail, signers["hr"].email), signers["hr"].name)
        browser.close()

    with sessions() as session:
        states = {envelope_id: {s.role: s.state for s in svc.load(session, envelope_id).signers}
                  for envelope_id in (engineer_id, agent_id)}
        assert svc.load(session, engineer_id).state == "completed"
        assert states[engineer_id] == {"manager": "confirmed", "employee": "refused",
                                       "hr": "confirmed"}
        assert states[agent_id] == {"manager": "confirmed", "employee": "acknowledged",
                                    "hr": "confirmed"}
        trail = svc.audit_trail(session, agent_id)
        ack = next(r for r in trail if r.type == "signer.acknowledged")
        assert ack.data["typed_name"] == agent["employee"].name
        assert ack.user_agent and ack.ip == "127.0.0.1"
        assert ack.data["statement"].endswith("receipt and understanding, not agreement.")
        confirmed = [r for r in trail if r.type == "signer.confirmed"]
        assert [r.data["statement"].split(",")[1].strip() for r in confirmed] == [
            "as the employee's manager", "for Human Resources"]
        comment = next(r for r in trail if r.type == "signer.commented")
        assert comment.data["comment"] == "<b>Ich bin nicht einverstanden</b> 🙂"
        names = {(r.envelope_id, r.name) for r in session.scalars(select(OutboxRow))}
        assert (engineer_id, "hr_notice_refusal") in names
        assert (agent_id, "hr_notice_comment") in names
