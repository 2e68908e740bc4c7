"""The signer's pages through Flask's test client: the link exchange, the plan page,
the three actions, CSRF, revoked and tampered links."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from docgen import sample_plan
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.models import AuditEventRow, OutboxRow, SignerRow
from signing.web.app import create_app
from signing.web.current import services_of
from tests.signing.signer_pages import (
    HR,
    SignerPages,
    csrf,
    events,
    open_plan,
    send_plan,
    token_for,
)


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def test_the_link_opens_the_plan(client, signer):
    page = signer.open()
    assert "Alex Sample" in page
    assert "Send a first response to new Tier 1 tickets within 4 business hours." in page
    assert "receipt and understanding, not agreement" in page
    assert "The plan still takes effect" in page
    assert signer.events()[-1] == "signer.viewed"
    response = client.get("/sign")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert signer.events().count("signer.viewed") == 1


def test_acknowledge_with_comments_then_a_second_submit(signer, sessions):
    signer.open()
    comment = "<script>alert('x')</script> I disagree with goal 1."
    response = signer.acknowledge(comment=comment)
    assert response.status_code == 303
    page = signer.follow(response)
    assert "Your acknowledgement has been recorded" in page
    assert "You acknowledged this plan" in page
    assert signer.events()[-3:] == [
        "signer.acknowledged", "signer.commented", "envelope.completed"]
    with sessions() as session:
        stored = session.scalars(select(AuditEventRow).where(
            AuditEventRow.type == "signer.commented")).one().data["comment"]
        assert stored == comment  # stored verbatim
        kinds = [r.name for r in session.scalars(select(OutboxRow))]
        assert "hr_notice_comment" in kinds and "finalize" in kinds
    again = signer.acknowledge(comment=comment)
    assert "You have already responded" in signer.follow(again)
    assert signer.events().count("signer.acknowledged") == 1


def test_refuse(signer):
    signer.open()
    page = signer.follow(signer.refuse(reason="The targets are unrealistic."))
    assert "Your refusal to sign has been recorded. The plan still takes effect." in page
    assert "You refused to sign this plan" in page
    assert "signer.refused" in signer.events()


def test_comment_keeps_the_link_open(signer):
    signer.open()
    page = signer.follow(signer.comment("Can we move the check-ins?"))
    assert "Your comments have been recorded" in page
    assert "Acknowledge the plan" in page


def test_bad_input_is_named_and_changes_nothing(signer):
    signer.open()
    before = signer.events()
    response = signer.acknowledge(consent=False)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = "Agree to use electronic records and signatures, or ask HR for a paper copy."
    # In the summary at the top, linking to the field, and beside the field itself.
    assert f'<a href="#consent">{message}</a>' in page
    assert f'id="acknowledge-consent-error">{message}</p>' in page
    assert 'aria-invalid="true" aria-describedby="acknowledge-consent-error"' in page
    assert 'value="Alex Sample"' in page  # the typed name given back
    assert signer.events() == before


def test_a_post_without_the_csrf_token_is_refused(client, signer):
    signer.open()
    response = client.post("/sign/acknowledge", data={"typed_name": "A", "consent": "on"})
    assert response.status_code == 400
    assert "signer.acknowledged" not in signer.events()


@pytest.mark.parametrize("token", ["garbage", "x" * 5000, "eyJzIjoiYSJ9.abc.def"])
def test_a_bad_link_gets_a_friendly_page(client, token):
    response = client.get(f"/s/{token}")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "ask HR for a new link" in text
    assert "Traceback" not in text and token[:20] not in text


def test_a_resend_revokes_the_open_session_and_the_old_link(app, client, sessions):
    envelope_id, signer_id, _ = open_plan(app, client, sessions)
    old_token = token_for(app, sessions, signer_id)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "resend", signer_id=signer_id, actor=HR,
                    now=dt.datetime.now(dt.UTC))
    assert client.get("/sign").status_code == 403
    assert client.get(f"/s/{old_token}").status_code == 403
    assert client.get(f"/s/{token_for(app, sessions, signer_id)}").status_code == 303


def test_a_void_revokes_every_link_and_every_open_session(app, sessions):
    """After a void the old link, and a session opened with it before, answer as a link
    that no longer works (the plan was withdrawn): no page, no PDF, no action."""
    envelope_id, signer_id = send_plan(sessions)
    old_token = token_for(app, sessions, signer_id)
    with sessions() as session:
        old_nonce = session.get(SignerRow, signer_id).nonce
    reader, downloader, commenter = (app.test_client() for _ in range(3))
    for browser in (reader, downloader, commenter):
        assert browser.get(f"/s/{old_token}").status_code == 303
    page = commenter.get("/sign").get_data(as_text=True)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "void", reason="sent to the wrong person",
                    actor=HR, now=dt.datetime.now(dt.UTC))
    answers = {
        "page": reader.get("/sign"),
        "pdf": downloader.get("/sign/document.pdf"),
        "comment": commenter.post("/sign/comment", data={
            "csrf_token": csrf(page), "comment": "still there?", "submission": "s1"}),
        "old link": app.test_client().get(f"/s/{old_token}"),
        # A link signed after the void (an invitation still queued) is no better.
        "new link": app.test_client().get(f"/s/{token_for(app, sessions, signer_id)}"),
    }
    for what, response in answers.items():
        text = response.get_data(as_text=True)
        assert response.status_code == 403, what
        assert "This plan was withdrawn, so this link no longer works" in text, what
        assert "Alex Sample" not in text and b"%PDF" not in response.data, what
    assert reader.get("/sign").status_code == 403  # the session is gone, not just refused once
    assert events(sessions, envelope_id)[-1] == "envelope.voided"  # the comment was not taken
    with sessions() as session:
        assert session.get(SignerRow, signer_id).nonce != old_nonce  # revoked, as by resend


def test_the_pdf_inline_and_as_a_download(client, signer):
    signer.open()
    inline = client.get("/sign/document.pdf")
    assert inline.data == b"%PDF-1.7 the plan"
    assert inline.headers["Content-Disposition"].startswith("inline")
    download = client.get("/sign/document.pdf?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_pages_need_a_session(client):
    assert client.get("/sign").status_code == 403


def send_to_manager_and_employee(sessions) -> tuple[str, str, str]:
    """An envelope whose manager and employee are asked together."""
    plan = sample_plan()
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=b"%PDF-1.7 the plan", signers=[
                svc.SignerSpec(wf.Role.EMPLOYEE, plan.employee.name, plan.employee.email, 1),
                svc.SignerSpec(wf.Role.MANAGER, plan.manager.name, plan.manager.email, 1)],
            actor=HR, now=now)
        svc.perform(session, envelope_id, "send", actor=HR, now=now,
                    expires_in=dt.timedelta(days=14))
        by_role = {s.role: s.id for s in svc.load(session, envelope_id).signers}
    return envelope_id, by_role["employee"], by_role["manager"]


def test_a_manager_records_the_employees_refusal_with_a_witness(app, client, sessions):
    envelope_id, employee_id, manager_id = send_to_manager_and_employee(sessions)
    client.get(f"/s/{token_for(app, sessions, manager_id)}")
    page = client.get("/sign").get_data(as_text=True)
    assert "Record that Alex Sample refused to sign" in page
    form = {"csrf_token": csrf(page), "witness": "  ", "reason": "Said it is unfair."}
    response = client.post("/sign/refuse", data=form)
    assert response.status_code == 422
    assert "Name the witness to the refusal." in response.get_data(as_text=True)
    assert "signer.refused" not in events(sessions, envelope_id)

    response = client.post("/sign/refuse", data={**form, "witness": "Jordan  Lee"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "refusal to sign has been recorded with your witness" in page
    assert "Record that Alex Sample refused" not in page  # the employee's step is done
    with sessions() as session:
        refused = session.scalars(select(AuditEventRow).where(
            AuditEventRow.type == "signer.refused")).one()
        assert refused.signer_id == employee_id and refused.actor == f"signer:{manager_id}"
        assert refused.data == {"recorded_by": manager_id, "witness": "Jordan Lee",
                                "reason": "Said it is unfair."}
        assert session.get(SignerRow, manager_id).state == "viewed"  # theirs is still open
        notices = session.scalars(select(OutboxRow).where(
            OutboxRow.name == "hr_notice_refusal")).all()
        assert [n.signer_id for n in notices] == [employee_id]
    again = client.post("/sign/refuse", data={**form, "witness": "Jordan Lee"})
    assert "The employee has already responded" in client.get(
        again.headers["Location"]).get_data(as_text=True)

    employee = app.test_client()
    employee.get(f"/s/{token_for(app, sessions, employee_id)}")
    page = employee.get("/sign").get_data(as_text=True)
    assert "Morgan Example recorded that you refused to sign this plan in a meeting" in page
    assert "Acknowledge the plan" not in page


def test_only_the_manager_can_record_a_refusal(app, client, sessions):
    envelope_id, employee_id, _ = send_to_manager_and_employee(sessions)
    client.get(f"/s/{token_for(app, sessions, employee_id)}")
    page = client.get("/sign").get_data(as_text=True)
    assert "Record that" not in page
    response = client.post("/sign/refuse", data={"csrf_token": csrf(page),
                                                  "witness": "A Friend"})
    assert response.status_code == 422
    assert "Only the manager can record" in response.get_data(as_text=True)
    assert "signer.refused" not in events(sessions, envelope_id)


def test_a_signer_past_the_comment_limit_gets_a_page_that_says_so(tmp_path, database_url):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                      "max_comments_per_signer": 2, "max_comment_chars_per_signer": 50})
    sessions = services_of(app).sessions
    signer = SignerPages(app, app.test_client(), sessions)
    signer.open()
    for text in ("First comment.", "Second comment."):
        assert signer.comment(text).status_code == 303
    outbox_before = outbox_count(sessions)
    third = "<b>A third</b> & last comment."
    response = signer.comment(third)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "You have sent 2 comments on this plan, the most one person may send here (2)" in text
    assert "contact HR directly" in text
    assert "riley.placeholder@example.com" in text  # whom to contact
    assert "&lt;b&gt;A third&lt;/b&gt; &amp; last comment.</textarea>" in text  # kept, escaped
    assert "<b>A third" not in text
    assert signer.events().count("signer.commented") == 2
    assert outbox_count(sessions) == outbox_before  # no third email to HR


def test_a_comment_past_the_signers_characters_is_refused(tmp_path, database_url):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                      "max_comment_chars_per_signer": 30})
    signer = SignerPages(app, app.test_client(), services_of(app).sessions)
    signer.open()
    assert signer.comment("x" * 20).status_code == 303
    response = signer.comment("y" * 11)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "20 characters in all" in text and "this comment has 11 (10 left)" in text
    assert "y" * 11 + "</textarea>" in text
    assert signer.events().count("signer.commented") == 1
    # Deciding is never refused for it.
    assert signer.acknowledge(comment="z" * 40).status_code == 303
    assert signer.events().count("signer.commented") == 2


def outbox_count(sessions) -> int:
    with sessions() as session:
        return len(session.scalars(select(OutboxRow)).all())


def test_a_plan_sent_under_earlier_rules_still_opens(app, client, sessions):
    """A plan stored before a rule was added (HR and the manager at one address, an
    address outside ASCII, a title past today's limit) still opens: its envelope must
    not become unreadable on upgrade. Such a plan is refused when sent today."""
    from docgen import PlanError, plan_from_data

    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["hr"]["email"] = data["manager"]["email"]
    data["routing"] = {"manager": "after", "hr": "after"}
    data["employee"]["email"] = "lea@exämple.ch"
    data["goals"][0]["metric"] = "M" * 1_200
    with pytest.raises(PlanError):
        plan_from_data(data)
    envelope_id, signer_id = send_plan(sessions)
    with sessions.begin() as session:
        svc.load(session, envelope_id).plan_data = data
    assert client.get(f"/s/{token_for(app, sessions, signer_id)}").status_code == 303
    page = client.get("/sign")
    assert page.status_code == 200 and "M" * 1_200 in page.get_data(as_text=True)
