"""The signer's pages in real Chromium.

Every state, checked with axe-core for WCAG 2.2 AA at a phone's width (390x844) and a
laptop's (1366x900): the employee's page open, after a name that is not theirs, with
field errors, past the comment limit, after acknowledging, after refusing and after their
manager recorded their refusal; the manager's and HR's pages open and after confirming;
the manager's record-refusal form sent with errors; a closed plan, a withdrawn one, a
link that cannot be used, a form whose CSRF token is not the session's, a session that
ended before its form was sent, and a page that is not there. On each, every
element the keyboard reaches is shown uncovered when focused, with a visible focus ring.
A screenshot of each state at each width is saved (the folder is printed) for a person
to look at.

And on a phone: the first action is on the first screen, one Tab (the skip link) and
Enter reach the name field, and what the signer typed survives a session that ended
before it was sent, until it is sent or the signing link's deadline has passed.

One server (the app in a thread, on 127.0.0.1) serves the module; pages are visited in
turn. Nothing waits on a clock: each step waits for what the page shows."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from docgen import load_plan
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.models import EnvelopeRow, SignerRow
from signing.web import timefmt
from signing.web.app import create_app
from signing.web.current import services_of
from tests.conftest import EXAMPLES
from tests.signing.test_browser import CHROMIUM, CHROMIUM_ARGS

HR = svc.Actor("hr:test")
WIDTHS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2's target size among them), and axe's
# best practices (landmarks, one h1, heading order).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"]}
ENGINEER = next(p for p in EXAMPLES if p.name.startswith("engineer"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The web app on 127.0.0.1 in a thread (a real HTTP server), with a comment limit of
    one, so the limit's page is one comment away, and no rate limits: every page here is
    opened from 127.0.0.1, many more than a person opens in a minute (test_ratelimit
    checks the limits). Each test sends its own envelopes."""
    tmp_path = tmp_path_factory.mktemp("signer-pages")
    app = create_app({"instance_path": str(tmp_path / "instance"),
                      "database_url": f"sqlite:///{tmp_path / 'plansign.db'}",
                      "secret_keys": "k" * 40, "base_url": "http://127.0.0.1",
                      "max_comments_per_signer": 1,
                      "rate_limit_signer": "", "rate_limit_signer_strict": ""})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()


def send(app, *roles: tuple[wf.Role, int], expires_in=dt.timedelta(days=14)) -> dict[str, str]:
    """The engineer's plan sent to the given roles, each at its routing order: the signer
    ids by role."""
    plan = load_plan(ENGINEER)
    people = {wf.Role.EMPLOYEE: plan.employee, wf.Role.MANAGER: plan.manager,
              wf.Role.HR: plan.hr}
    now = dt.datetime.now(dt.UTC)
    with services_of(app).sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=b"%PDF-1.7 the plan", actor=HR, now=now,
            signers=[svc.SignerSpec(role, people[role].name, people[role].email, order)
                     for role, order in roles])
        svc.perform(session, envelope_id, "send", actor=HR, now=now, expires_in=expires_in)
        ids = {s.role: s.id for s in svc.load(session, envelope_id).signers}
    return {"envelope": envelope_id, **ids}


def zones(app, envelope_id: str) -> dict[str, str | None]:
    """The time zone each of the envelope's signer events was recorded with, by type."""
    with services_of(app).sessions() as session:
        return {r.type: r.data.get("timezone") for r in svc.audit_trail(session, envelope_id)
                if r.type in ("signer.commented", "signer.refused", "signer.declined")}


def link(app, base: str, signer_id: str) -> str:
    with services_of(app).sessions() as session:
        nonce = session.get(SignerRow, signer_id).nonce
    return f"{base}/s/{services_of(app).links.sign(signer_id, nonce)}"


def perform(app, envelope_id: str, action: str, now: dt.datetime | None = None,
            **arguments: object) -> None:
    with services_of(app).sessions.begin() as session:
        svc.perform(session, envelope_id, action, actor=HR,
                    now=now or dt.datetime.now(dt.UTC), **({"reason": "Sent in error."}
                                                           if action == "void" else {}),
                    **arguments)


# Every element the keyboard can reach, in the page's order.
FOCUSABLE = ("a[href], button, input:not([type=hidden]), textarea, select, summary, "
             "[tabindex]:not([tabindex='-1'])")

FOCUS_CHECK = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;  // past the last element
  // A link that wraps has a box per line: its first line is where the eye goes.
  const box = el.getClientRects()[0] || el.getBoundingClientRect();
  const name = el.id || el.textContent.trim().slice(0, 40) || el.tagName;
  if (box.width === 0 || box.height === 0) return name + " has no size";
  if (box.bottom <= 0 || box.top >= innerHeight || box.right <= 0 || box.left >= innerWidth)
    return name + " is focused off screen";
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + Math.min(box.height / 2, 10), 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  const labels = el.labels ? [...el.labels] : [];
  if (top !== el && !el.contains(top) && !labels.includes(top))
    return name + " is covered by " + (top ? top.tagName + "." + top.className : "nothing");
  const style = getComputedStyle(el);
  if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2)
    return name + " has no visible focus ring";
  return "";
}"""


def check_focus_is_never_hidden(page: Page) -> None:
    """Tab through the whole page: each focused element is on screen, on top, ringed."""
    count = page.locator(FOCUSABLE).count()
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    problems, reached = [], 0
    for _ in range(count + 1):  # closed disclosures hide some: focus may leave sooner
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_CHECK)
        if problem is None:
            break
        reached += 1
        if problem:
            problems.append(problem)
    assert not problems, problems
    assert reached or not count  # an error page may have nothing to focus


def check_state(page: Page, name: str, shots: Path, axe: Axe, *,
                focus_walk: bool = True) -> None:
    """axe at both widths, the focus walk at both, and a screenshot of each. A page that
    embeds a PDF skips the walk (``focus_walk``): the keys then go into the browser's
    PDF viewer, whose controls this page's styles do not reach."""
    # The page whole, its styles and frames too: a page checked while its stylesheet was
    # still on its way was judged unstyled (its links then small targets).
    page.wait_for_load_state("load")
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{name} at {width}:\n{results.generate_report()}"
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        if focus_walk:
            check_focus_is_never_hidden(page)


@pytest.mark.slow
def test_every_signer_page_passes_axe_at_both_widths(server, tmp_path):
    app, base = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nscreenshots of the signer's pages: {shots}")
    axe = Axe()

    # The employee answers first; HR countersigns after, so the plan stays open for the
    # employee's comments once they have acknowledged.
    with_hr = send(app, (wf.Role.EMPLOYEE, 1), (wf.Role.HR, 2))
    alone = send(app, (wf.Role.EMPLOYEE, 1))
    with_manager = send(app, (wf.Role.MANAGER, 1), (wf.Role.EMPLOYEE, 1))
    to_decline = send(app, (wf.Role.MANAGER, 1), (wf.Role.EMPLOYEE, 2))
    closed = send(app, (wf.Role.EMPLOYEE, 1), expires_in=dt.timedelta(hours=1))
    perform(app, closed["envelope"], "expire",
            now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    withdrawn = send(app, (wf.Role.EMPLOYEE, 1))
    withdrawn_link = link(app, base, withdrawn["employee"])
    perform(app, withdrawn["envelope"], "void")
    forged = send(app, (wf.Role.EMPLOYEE, 1))
    stale = send(app, (wf.Role.EMPLOYEE, 1))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def signer_page(signer_id: str) -> Page:
            # Each signer in a browser of their own, in a zone other than the plan's.
            context = browser.new_context(viewport=WIDTHS["phone"], locale="en-US",
                                          timezone_id="America/Chicago")
            page = context.new_page()
            page.goto(link(app, base, signer_id))
            return page

        # The employee, open; then a form sent without the consent box ticked.
        page = signer_page(with_hr[wf.Role.EMPLOYEE])
        expect(page.get_by_role("heading", name="What you are asked to do")).to_be_visible()
        # The browser's zone goes with every form, and the deadline is given in it.
        for form in ("acknowledge", "refuse", "comment"):
            expect(page.locator(f"form[data-draft={form}] input[name=timezone]")
                   ).to_have_value("America/Chicago")
        expect(page.locator(".asked time")).to_contain_text(" (America/Chicago)")
        check_state(page, "employee-open", shots, axe)
        # A name that is not theirs: the error beside the field, and the box to say their
        # legal name differs.
        page.get_by_label("Type your full name").fill("Mickey Mouse")
        page.get_by_label("I agree to receive this plan").check()
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.locator("#acknowledge-typed_name-error")).to_contain_text(
            "does not match the name on this plan")
        expect(page.get_by_label("My legal name differs")).to_be_visible()
        check_state(page, "employee-name-mismatch", shots, axe)
        # No name and no consent: both problems at once, each beside its field and
        # linked from the summary.
        page.get_by_label("Type your full name").fill("")
        page.get_by_label("I agree to receive this plan").uncheck()
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.locator("#acknowledge-typed_name-error")).to_have_text(
            "Type your full name to acknowledge the plan.")
        expect(page.locator("#acknowledge-consent-error")).to_be_visible()
        expect(page.locator("#error-summary li")).to_have_count(2)
        check_state(page, "employee-field-errors", shots, axe)
        # Then acknowledged with a comment: the comment is listed and more may be added.
        page.get_by_label("Type your full name").fill("Oluwaseun Adeyemi")
        page.get_by_label("I agree to receive this plan").check()
        page.get_by_label("Comments (optional)").fill("The Q4 numbers include shared work.")
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_role("status")).to_contain_text("acknowledgement has been recorded")
        expect(page.get_by_role("heading", name="Your comments")).to_be_visible()
        check_state(page, "employee-acknowledged", shots, axe)

        # HR, asked once the employee has answered; then HR countersign.
        page = signer_page(with_hr[wf.Role.HR])
        check_state(page, "hr-open", shots, axe)
        page.get_by_label("Type your full name").fill("Margaret O'Neill")
        page.get_by_label("I agree to").check()
        page.get_by_role("button", name="Confirm", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("confirmation has been recorded")
        check_state(page, "hr-confirmed", shots, axe)
        # The manager, with the employee asked too: confirm, decline, record a refusal.
        manager = signer_page(with_manager[wf.Role.MANAGER])
        expect(manager.get_by_text("Record that Oluwaseun Adeyemi refused to sign")).to_be_visible()
        manager.get_by_text("Record that Oluwaseun Adeyemi refused to sign").click()
        check_state(manager, "manager-open", shots, axe)
        # A refusal sent without the meeting's time: the error beside the field.
        manager.get_by_label("I confirm that Oluwaseun Adeyemi refused to sign").check()
        manager.get_by_role("button", name="Record the refusal").click()
        expect(manager.locator("#record_refusal-meeting_at-error")).to_contain_text(
            "Give the date and time of the meeting")
        check_state(manager, "manager-record-refusal-errors", shots, axe)
        # A day ago, whatever the browser's zone: in the past and within 30 days.
        yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        manager.get_by_label("Date and time of the meeting").fill(
            yesterday.strftime("%Y-%m-%dT%H:%M"))
        manager.get_by_label("Where the meeting took place").fill("Room 4B")
        manager.get_by_role("button", name="Record the refusal").click()
        expect(manager.locator("#record_refusal-witness-error")).to_contain_text(
            "Name the witness")
        manager.get_by_label("Witness's full name").fill("Priya Raman")
        manager.get_by_role("button", name="Record the refusal").click()
        expect(manager.get_by_role("status")).to_contain_text("recorded with your witness")
        # The employee, told by email, opens their link: what was recorded, and by whom.
        page = signer_page(with_manager[wf.Role.EMPLOYEE])
        expect(page.get_by_text("Witness: Priya Raman.")).to_be_visible()
        expect(page.get_by_text("You can add comments until").first).to_be_visible()
        check_state(page, "employee-refusal-recorded", shots, axe)
        # Then the manager confirms the plan.
        manager.get_by_label("Type your full name").fill("Hiroshi Tanaka")
        manager.get_by_label("I agree to").check()
        manager.get_by_role("button", name="Confirm", exact=True).click()
        expect(manager.get_by_role("status")).to_contain_text("confirmation has been recorded")
        check_state(manager, "manager-confirmed", shots, axe)
        # A manager who cannot stand behind the plan declines, with a reason, and is told
        # what became of it.
        page = signer_page(to_decline[wf.Role.MANAGER])
        page.locator("#decline-details summary").click()
        page.get_by_label("Reason (required)").fill("The Q3 figures are not this team's.")
        page.get_by_role("button", name="Decline to sign").click()
        expect(page.get_by_role("heading", name="You declined to sign")).to_be_visible()
        check_state(page, "manager-declined", shots, axe)

        # The employee alone: one comment, then past the limit of one, then a refusal.
        page = signer_page(alone[wf.Role.EMPLOYEE])
        page.get_by_role("heading", name="Add comments without deciding yet").wait_for()
        page.locator("#comment_text").fill("Can the check-ins move to Fridays?")
        page.get_by_role("button", name="Send comments").click()
        expect(page.get_by_role("status")).to_contain_text("Your comments have been recorded")
        page.locator("#comment_text").fill("And one more thing.")
        page.get_by_role("button", name="Send comments").click()
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        check_state(page, "employee-comment-limit", shots, axe)
        page.get_by_text("I do not want to sign this plan").click()
        page.get_by_label("Reason (optional)").fill("The targets ignore the incident load.")
        page.get_by_label("I understand the plan still takes effect").check()
        page.get_by_role("button", name="Refuse to sign").click()
        expect(page.get_by_role("status")).to_contain_text("Your refusal to sign has been")
        check_state(page, "employee-refused", shots, axe)
        # The comment and the refusal were sent with the browser's zone, for the record.
        assert zones(app, alone["envelope"]) == {"signer.commented": "America/Chicago",
                                                 "signer.refused": "America/Chicago"}

        page = signer_page(closed[wf.Role.EMPLOYEE])
        expect(page.get_by_text("The time to respond to this plan has passed")).to_be_visible()
        check_state(page, "plan-closed", shots, axe)

        page = browser.new_page(viewport=WIDTHS["phone"])
        page.goto(withdrawn_link)
        expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
        check_state(page, "plan-withdrawn", shots, axe)
        page.goto(f"{base}/s/not-a-link")
        expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
        check_state(page, "link-error", shots, axe)
        response = page.goto(f"{base}/no/such/page")
        assert response.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        check_state(page, "not-found", shots, axe)

        # A form sent with a CSRF token that is not the session's.
        page = signer_page(forged[wf.Role.EMPLOYEE])
        page.locator("form[data-draft=acknowledge] input[name=csrf_token]").evaluate(
            "input => { input.value = 'not-the-token'; }")
        page.get_by_label("Type your full name").fill("Oluwaseun Adeyemi")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Acknowledge").click()
        assert posted.value.status == 400
        expect(page.get_by_role("heading", name="This form is out of date")).to_be_visible()
        expect(page.get_by_text("Reload")).to_have_count(0)  # a reload posts it again
        check_state(page, "csrf-expired", shots, axe)
        # Its link leads back to the plan's page, the typed name filled in again.
        page.get_by_role("link", name="Go to your plan's page").click()
        expect(page.get_by_label("Type your full name")).to_have_value("Oluwaseun Adeyemi")
        # A session that ended before its form was sent: HR sent a new link meanwhile.
        page = signer_page(stale[wf.Role.EMPLOYEE])
        perform(app, stale["envelope"], "resend", signer_id=stale[wf.Role.EMPLOYEE])
        page.get_by_label("Type your full name").fill("Oluwaseun Adeyemi")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Acknowledge").click()
        assert posted.value.status == 403
        expect(page.get_by_text("This page expired before your response was sent")
               ).to_be_visible()
        check_state(page, "session-expired", shots, axe)
        browser.close()


def test_the_response_is_a_tap_away_and_typed_text_survives_a_lost_session(server):
    app, base = server
    employee = send(app, (wf.Role.EMPLOYEE, 1))[wf.Role.EMPLOYEE]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=WIDTHS["phone"])
        page = context.new_page()
        page.goto(link(app, base, employee))
        # The first action is on the first screen of a phone; the keyboard reaches the
        # response's first field with one Tab (the skip link) and Enter.
        expect(page.get_by_role("link", name="Go to your response")).to_be_in_viewport()
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to your response")).to_be_focused()
        page.keyboard.press("Enter")
        name = page.get_by_label("Type your full name")
        expect(name).to_be_focused()
        expect(name).to_be_in_viewport()

        name.fill("Oluwaseun Adeyemi")
        page.get_by_label("Comments (optional)").fill("<b>Ich bin nicht einverstanden</b> 🙂")
        page.get_by_label("I agree to receive this plan").check()
        # The session ends before the signer sends: nothing is recorded, nothing is lost,
        # and the page says so (not "reload", which would send the same form again).
        context.clear_cookies()
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_role("heading", name="Your response was not sent")).to_be_visible()
        expect(page.get_by_text("This page expired before your response was sent")
               ).to_be_visible()
        expect(page.get_by_text("Reload")).to_have_count(0)
        page.goto(link(app, base, employee))
        expect(name).to_have_value("Oluwaseun Adeyemi")
        expect(page.get_by_label("Comments (optional)")).to_have_value(
            "<b>Ich bin nicht einverstanden</b> 🙂")
        # The consent is given afresh, and the page does not claim the form is whole.
        consent = page.get_by_label("I agree to receive this plan")
        expect(consent).not_to_be_checked()
        expect(page.locator("form[data-draft=acknowledge] .restored")).to_have_text(
            "We filled in what you typed here earlier. It has not been sent yet. Any boxes "
            "you had ticked are not kept: tick them again before you send it.")
        consent.check()
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_role("status")).to_contain_text("acknowledgement has been recorded")
        # The notice can be on screen while the page still loads: its script, which
        # forgets the sent drafts, runs once the document has been read.
        page.wait_for_load_state("load")
        drafts = page.evaluate("() => Object.keys(localStorage)"
                               ".filter(k => k.startsWith('plansign.draft.'))")
        assert drafts == []  # sent, so no longer kept

        # A draft is kept no longer than the signing link works: the page gives its
        # deadline, and once that has passed the draft is dropped, not filled in.
        late = send(app, (wf.Role.EMPLOYEE, 1))
        page.goto(link(app, base, late[wf.Role.EMPLOYEE]))
        with services_of(app).sessions() as session:
            deadline = session.get(EnvelopeRow, late["envelope"]).expires_at
        expect(page.locator("main")).to_have_attribute("data-deadline", timefmt.iso(deadline))
        name.fill("Oluwaseun Adeyemi")
        assert page.evaluate("() => Object.keys(localStorage)"
                             ".filter(k => k.startsWith('plansign.draft.'))")
        passed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        with services_of(app).sessions.begin() as session:  # the deadline has passed
            session.get(EnvelopeRow, late["envelope"]).expires_at = passed
        page.reload()
        expect(page.locator("main")).to_have_attribute("data-deadline", timefmt.iso(passed))
        expect(name).to_have_value("")
        expect(page.get_by_text("We filled in what you typed here earlier")).to_have_count(0)
        drafts = page.evaluate("() => Object.keys(localStorage)"
                               ".filter(k => k.startsWith('plansign.draft.'))")
        assert drafts == []
        browser.close()
