"""The signer's pages with hostile input: links tampered with, cut short or padded out,
links for another purpose or from another key; replayed requests; forms with a missing,
wrong or borrowed CSRF token; comments with markup, bidi overrides, NUL bytes and a
megabyte of text; plan text with Jinja syntax, through the API, the page and the PDF.

Refused input gets a clear 4xx and leaves the database as it was; text that is allowed
is stored verbatim and shown escaped. tests/signing/test_pages.py and test_web_errors.py
cover the plain cases (a garbage link, no CSRF token, markup given back after a refusal);
these build on their helpers.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from docgen import sample_plan
from signing.domain import apikeys
from signing.domain.links import LinkSigner, Purpose
from signing.domain.models import AuditEventRow, SignerRow
from signing.web.app import create_app
from signing.web.current import services_of
from tests.hostile.server import database_state
from tests.pdftext import pdf_text
from tests.signing.signer_pages import csrf, events, open_plan, send_plan, token_for

KEYS = "k" * 40
FRIENDLY = "ask HR for a new link"


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": KEYS, "base_url": "https://sign.example.com"})


def comments(sessions, envelope_id: str) -> list[str]:
    with sessions() as session:
        return [row.data["comment"] for row in session.scalars(
            select(AuditEventRow).where(AuditEventRow.envelope_id == envelope_id,
                                        AuditEventRow.type == "signer.commented")
            .order_by(AuditEventRow.seq))]


def flip(text: str, at: int) -> str:
    """``text`` with the character at ``at`` changed to another the token alphabet has."""
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]


# -- links -----------------------------------------------------------------------------------


def bad_links(token: str) -> dict[str, str]:
    payload, stamp, signature = token.split(".")
    return {
        "payload changed": flip(token, 3),
        "timestamp changed": f"{payload}.{flip(stamp, 0)}.{signature}",
        "signature changed": flip(token, len(token) - 2),
        "signature of another part": f"{payload}.{stamp}.{payload[:len(signature)]}",
        "upper case": token.upper(),
        "cut by one": token[:-1],
        "cut in half": token[:len(token) // 2],
        "payload only": payload,
        "no signature": f"{payload}.{stamp}.",
        "padded": token + "A" * 10_000,
        "repeated": ".".join([token] * 3),
        "100 KB": "A" * 100_000,
        "NUL inside": token[:10] + "%00" + token[10:],
    }


def test_a_link_tampered_with_cut_or_padded_opens_nothing(app, client, sessions):
    _, signer_id = send_plan(sessions)
    token = token_for(app, sessions, signer_id)
    before = database_state(sessions)
    for name, bad in bad_links(token).items():
        response = client.get(f"/s/{bad}")
        assert response.status_code in (403, 404), name  # 404: no such route at all
        if response.status_code == 403:
            text = response.get_data(as_text=True)
            assert FRIENDLY in text and "Traceback" not in text, name
            assert token[:20] not in text and bad[:20] not in text, name
        assert client.get("/sign").status_code == 403, name  # no session was made
        assert "Set-Cookie" not in response.headers or "session=;" in response.headers[
            "Set-Cookie"], name
    assert database_state(sessions) == before
    # The real one still opens, and goes nowhere but the plan whatever is added to it.
    response = client.get(f"/s/{token}?next=https://evil.example/&url=//evil.example")
    assert response.status_code == 303 and response.headers["Location"] == "/sign"


def test_a_link_for_another_purpose_or_from_another_key_opens_nothing(app, client, sessions):
    _, signer_id = send_plan(sessions)
    with sessions() as session:
        nonce = session.get(SignerRow, signer_id).nonce
    links = services_of(app).links
    other_key = LinkSigner(["o" * 40], max_age=dt.timedelta(days=14))
    before = database_state(sessions)
    for bad in (links.sign(signer_id, nonce, Purpose.DOWNLOAD),
                other_key.sign(signer_id, nonce),
                links.sign(signer_id, "A" * 22),  # a nonce the signer never had
                links.sign("another-signer", nonce)):
        response = client.get(f"/s/{bad}")
        assert response.status_code == 403 and FRIENDLY in response.get_data(as_text=True)
        assert client.get("/sign").status_code == 403
    assert database_state(sessions) == before


# -- replays ---------------------------------------------------------------------------------


def test_a_replayed_decision_changes_nothing(app, client, sessions):
    envelope_id, _, page = open_plan(app, client, sessions)
    form = {"csrf_token": csrf(page), "typed_name": "Alex Sample", "consent": "on"}
    assert client.post("/sign/acknowledge", data=form).status_code == 303
    after_first = database_state(sessions)
    for action, data in [("acknowledge", form), ("refuse", {**form, "reason": "Replayed."}),
                         ("acknowledge", {**form, "typed_name": "Someone Else"})]:
        response = client.post(f"/sign/{action}", data=data)
        assert response.status_code == 303
        assert "already responded" in client.get(response.headers["Location"]).get_data(
            as_text=True)
    assert database_state(sessions) == after_first
    assert events(sessions, envelope_id).count("signer.acknowledged") == 1


def test_a_request_replayed_after_the_link_was_reissued_is_refused(app, client, sessions):
    from signing.domain import envelopes as svc

    envelope_id, signer_id, page = open_plan(app, client, sessions)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "resend", signer_id=signer_id,
                    actor=svc.Actor("hr:test"), now=dt.datetime.now(dt.UTC))
    before = database_state(sessions)
    answers = []
    for action, data in [("acknowledge", {"typed_name": "Alex Sample", "consent": "on"}),
                         ("refuse", {"reason": "no"}), ("comment", {"comment": "hello"})]:
        response = client.post(f"/sign/{action}", data={"csrf_token": csrf(page), **data})
        answers.append((response.status_code, response.get_data(as_text=True)))
    # The first ends the session; the form then belongs to no session at all.
    assert answers[0][0] == 403 and "Open the link in your most recent email" in answers[0][1]
    assert all(status == 400 and "nothing was recorded" in text for status, text in answers[1:])
    assert client.get("/sign/document.pdf").status_code == 403
    assert database_state(sessions) == before


def test_a_replayed_comment_is_recorded_once(app, client, sessions):
    envelope_id, _, page = open_plan(app, client, sessions)
    submission = re.search(r'name="submission" value="([^"]+)"', page)[1]
    form = {"csrf_token": csrf(page), "comment": "Can we move the check-ins?",
            "submission": submission}
    assert client.post("/sign/comment", data=form).status_code == 303
    replay = client.post("/sign/comment", data=form)
    assert replay.status_code == 303 and "already_commented" in replay.headers["Location"]
    again = client.get(replay.headers["Location"]).get_data(as_text=True)
    assert "Your comments were already recorded. Nothing was changed." in again
    assert comments(sessions, envelope_id) == [form["comment"]]
    # The page, shown again, sends a new submission: a second comment is recorded.
    fresh = re.search(r'name="submission" value="([^"]+)"', again)[1]
    assert fresh != submission
    client.post("/sign/comment", data={**form, "submission": fresh, "comment": "And one more."})
    assert comments(sessions, envelope_id) == [form["comment"], "And one more."]


# -- CSRF ------------------------------------------------------------------------------------


def test_a_wrong_or_borrowed_csrf_token_is_refused(app, client, sessions):
    _, _, page = open_plan(app, client, sessions)
    # Another signer's browser, with a token that is valid for its own session.
    other = app.test_client()
    _, _, other_page = open_plan(app, other, sessions)
    own = csrf(page)
    before = database_state(sessions)
    tokens = ["", "x", own[:-2], own + "x", flip(own, 5), own.split(".")[0],
              csrf(other_page), "A" * 5000]
    for token, action in zip(tokens, itertools.cycle(["acknowledge", "refuse", "comment"]),
                             strict=False):
        response = client.post(f"/sign/{action}", data={
            "csrf_token": token, "typed_name": "Alex Sample", "consent": "on",
            "comment": "x", "reason": "x"})
        assert response.status_code == 400, (token, action)
        assert "nothing was recorded" in response.get_data(as_text=True)
    # Nor in a header, nor with the session cookie gone.
    assert client.post("/sign/comment", data={"comment": "x"},
                       headers={"X-CSRFToken": csrf(other_page)}).status_code == 400
    bare = app.test_client()
    assert bare.post("/sign/comment", data={"csrf_token": own,
                                            "comment": "x"}).status_code in (400, 403)
    assert database_state(sessions) == before


# -- comments --------------------------------------------------------------------------------

ALLOWED = [
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "\u202egnp.exe \u2066isolated\u2069 \u200fRTL mark",
    "{{ 7*7 }} {% for x in y %}{% endfor %} {{ config }} {# #}",
    "Line one\nLine two\r\nLine three\ttabbed \u2028 separator",
    "</textarea><b>bold</b> &amp; &lt; ]]> \" ' `",
    "emoji 🎉 👩🏽‍💻 and ﷺ and 𝔘",
]


@pytest.mark.parametrize("comment", ALLOWED)
def test_comments_are_stored_verbatim_and_shown_escaped(app, client, sessions, comment):
    envelope_id, _, page = open_plan(app, client, sessions)
    # Refused for want of consent: the comment is given back, in the textarea, escaped.
    response = client.post("/sign/acknowledge", data={
        "csrf_token": csrf(page), "typed_name": "Alex Sample", "comment": comment})
    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    textarea = re.search(r'<textarea id="ack_comment"[^>]*>(.*?)</textarea>', shown, re.S)
    # (as the browser sent it: a browser reads CRLF in a textarea as one line break)
    assert html.unescape(textarea.group(1)).replace("\r\n", "\n") == comment.replace(
        "\r\n", "\n")
    for raw in ("<script>", "<img", "</textarea><b>", "<b>bold"):
        assert raw not in textarea.group(1)
    assert "49" not in textarea.group(1)
    # Sent as a comment, it is kept exactly as the signer's browser counted it.
    response = client.post("/sign/comment", data={"csrf_token": csrf(page), "comment": comment})
    assert response.status_code == 303
    assert comments(sessions, envelope_id) == [comment.replace("\r\n", "\n")]
    assert "<script>" not in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(("field", "action", "text", "message"), [
    ("comment", "comment", "before\x00after", "NUL"),
    ("comment", "acknowledge", "\x00", "NUL"),
    ("reason", "refuse", "no\x00", "NUL"),
    ("comment", "comment", "x" * 20_001, "the limit is 20,000"),
    ("comment", "acknowledge", "y" * 100_000, "the limit is 20,000"),
])
def test_comments_the_workflow_refuses_change_nothing(app, client, sessions, field, action,
                                                       text, message):
    _, _, page = open_plan(app, client, sessions)
    before = database_state(sessions)
    response = client.post(f"/sign/{action}", data={
        "csrf_token": csrf(page), "typed_name": "Alex Sample", "consent": "on", field: text})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert database_state(sessions) == before


@pytest.mark.parametrize("action", ["comment", "acknowledge", "refuse"])
def test_a_megabyte_of_text_is_refused_as_too_large(app, client, sessions, action):
    _, _, page = open_plan(app, client, sessions)
    before = database_state(sessions)
    response = client.post(f"/sign/{action}", data={
        "csrf_token": csrf(page), "typed_name": "Alex Sample", "consent": "on",
        "comment": "z" * 1024 * 1024, "reason": "z" * 1024 * 1024})
    assert response.status_code == 413
    assert "Traceback" not in response.get_data(as_text=True)
    assert "Your text is too long" in response.get_data(as_text=True)
    assert database_state(sessions) == before
    assert client.get("/sign").status_code == 200  # the session is still good


TYPED_NAMES = {"a NUL byte": "Alex\x00Sample", "300,000 characters": "A" * 300_000}


@pytest.mark.parametrize("typed_name", TYPED_NAMES.values(), ids=TYPED_NAMES.keys())
def test_a_typed_name_the_record_cannot_hold_is_refused(app, client, sessions, typed_name):
    _, _, page = open_plan(app, client, sessions)
    before = database_state(sessions)
    response = client.post("/sign/acknowledge", data={
        "csrf_token": csrf(page), "typed_name": typed_name, "consent": "on"})
    assert response.status_code == 422
    assert database_state(sessions) == before


# -- plan text with Jinja syntax: the API, the page and the PDF ---------------------------------

JINJA = "{{ 7*7 }}"
LOOP = "{% for x in y %}"


@pytest.fixture
def api_app(tmp_path, database_url, converter, clean_env):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": KEYS, "base_url": "https://sign.example.com"})
    services_of(app).converter = converter
    return app


def test_plan_text_with_jinja_and_markup_comes_out_literally(api_app):
    sessions = services_of(api_app).sessions
    with sessions.begin() as session:
        key = apikeys.create_key(session, "hr", "hr", dt.datetime.now(dt.UTC))[1]
    plan = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    plan.pop("template")
    plan["manager"].pop("webhook")
    plan["employee"]["name"] = f"Alex {JINJA} Sample"
    plan["employee"]["title"] = f"{LOOP}Agent{{% endfor %}}"
    plan["company"]["name"] = "<script>alert(1)</script> Ltd"
    plan["goals"][0]["statement"] = f"Answer within {JINJA} hours {LOOP} {{{{ config }}}}"
    plan["goals"][0]["target"] = "{{ ''.__class__.__mro__ }} <b>90%</b>"
    plan["support"][0]["description"] = "{% include '/etc/passwd' %} coaching"
    client = api_app.test_client()
    response = client.post("/api/v1/envelopes", json={"plan": plan},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201, response.get_json()
    envelope_id = response.get_json()["id"]
    signer_id = response.get_json()["signers"][0]["id"]

    assert client.get(f"/s/{token_for(api_app, sessions, signer_id)}").status_code == 303
    page = client.get("/sign").get_data(as_text=True)
    for text in (plan["employee"]["name"], plan["employee"]["title"],
                 plan["goals"][0]["statement"], plan["goals"][0]["target"],
                 plan["support"][0]["description"], plan["company"]["name"]):
        assert str(escape(text)) in page, text
    assert "<script>alert(1)</script>" not in page and "<b>90%</b>" not in page
    assert "Alex 49 Sample" not in page and "__mro__" in page

    pdf = client.get("/sign/document.pdf").data
    squashed = re.sub(r"\s+", "", pdf_text(pdf))
    for text in (plan["employee"]["name"], plan["goals"][0]["statement"],
                 plan["goals"][0]["target"], plan["support"][0]["description"],
                 plan["company"]["name"]):
        assert re.sub(r"\s+", "", text) in squashed, text
    assert "Alex49Sample" not in squashed
    assert events(sessions, envelope_id)[-2:] == ["signer.viewed", "signer.document_opened"]
