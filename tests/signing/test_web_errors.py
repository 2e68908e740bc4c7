"""What the web app answers when something outside the workflow goes wrong: the database
away for a moment, a form without its CSRF token, bad input after a long comment; and
the security headers on every response."""

from __future__ import annotations

import logging
import sys

import pytest

from signing.web.app import create_app
from signing.web.current import services_of
from tests.signing.signer_pages import csrf, events, open_plan, token_for


@pytest.fixture
def app(tmp_path):
    (tmp_path / "db").mkdir()
    return create_app({"instance_path": str(tmp_path),
                       "database_url": f"sqlite:///{tmp_path / 'db' / 'plansign.db'}",
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def test_security_headers_on_pages_and_the_pdf(app, client, sessions):
    _, signer_id, _ = open_plan(app, client, sessions)
    opened = client.get(f"/s/{token_for(app, sessions, signer_id)}")
    cookie = opened.headers["Set-Cookie"]  # a new session (test_session_cookie: its refresh)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/sign")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    pdf = client.get("/sign/document.pdf")
    # Only our own page may frame the PDF; the browser's viewer needs no other limit.
    assert pdf.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert pdf.headers["X-Frame-Options"] == "SAMEORIGIN"
    api = client.get("/api/v1/envelopes/x")
    assert "frame-ancestors 'none'" in api.headers["Content-Security-Policy"]


def test_no_hsts_over_plain_http(tmp_path, database_url):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "http://127.0.0.1:8000"})
    response = app.test_client().get("/sign")
    assert "Strict-Transport-Security" not in response.headers


def test_a_form_older_than_the_session_is_sent_again_from_the_plans_page(app, client,
                                                                         sessions):
    """The signer's session is there, but the form's token is not its own (the page was
    opened again in another tab since): they are sent back to the plan's page by a link,
    never asked to reload, which would post the same form into the same refusal."""
    envelope_id, _, _ = open_plan(app, client, sessions)
    response = client.post("/sign/acknowledge", data={"typed_name": "A", "consent": "on"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "<h1>This form is out of date</h1>" in text
    assert "nothing was recorded" in text
    assert "What you typed is kept in this browser" in text
    assert """<a class="button" href="/sign">Go to your plan's page</a>""" in text
    assert "reload" not in text.lower()
    assert "signer.acknowledged" not in events(sessions, envelope_id)
    assert client.get("/sign").status_code == 200  # the link leads to the page itself


def test_refused_input_is_given_back_to_the_signer(app, client, sessions):
    _, _, page = open_plan(app, client, sessions)
    comment = "Ich habe <b>Einwände</b> & Fragen.\r\nZweite Zeile."
    response = client.post("/sign/acknowledge", data={
        "csrf_token": csrf(page), "typed_name": "Alex Sample", "comment": comment})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Ich habe &lt;b&gt;Einwände&lt;/b&gt; &amp; Fragen." in text  # kept, escaped
    assert 'value="Alex Sample"' in text
    # Only the form that was sent gets its text back.
    assert text.count("Einwände") == 1


def test_line_breaks_count_once_against_the_comment_limit(app, client, sessions):
    envelope_id, _, page = open_plan(app, client, sessions)
    # 20,000 characters as the browser counts them (LF), 20,999 as it sends them (CRLF).
    comment = "\r\n".join(["x" * 19] * 1000) + "x"
    assert len(comment.replace("\r\n", "\n")) == 20_000 and len(comment) == 20_999
    response = client.post("/sign/comment", data={"csrf_token": csrf(page), "comment": comment})
    assert response.status_code == 303
    assert events(sessions, envelope_id)[-1] == "signer.commented"


def _take_the_database_away(app, tmp_path):
    (tmp_path / "db").rename(tmp_path / "db-away")
    services_of(app).sessions.kw["bind"].dispose()


def _bring_it_back(app, tmp_path):
    (tmp_path / "db-away").rename(tmp_path / "db")


def test_the_database_away_for_a_moment_is_a_503_with_a_retry_hint(app, client, sessions,
                                                                     tmp_path, caplog):
    envelope_id, signer_id, page = open_plan(app, client, sessions)
    token = token_for(app, sessions, signer_id)
    _take_the_database_away(app, tmp_path)
    with caplog.at_level(logging.WARNING):
        link = client.get(f"/s/{token}")
        post = client.post("/sign/acknowledge", data={
            "csrf_token": csrf(page), "typed_name": "Alex Sample", "consent": "on"})
        api = client.get(f"/api/v1/envelopes/{envelope_id}",
                         headers={"Authorization": "Bearer psk_whatever"})
    for response in (link, post):
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert "nothing was changed" in response.get_data(as_text=True)
    assert api.status_code == 503 and api.get_json()["error"].startswith("The service")
    assert token not in caplog.text and "/s/[token]" in caplog.text
    _bring_it_back(app, tmp_path)
    again = client.post("/sign/acknowledge", data={
        "csrf_token": csrf(page), "typed_name": "Alex Sample", "consent": "on"})
    assert again.status_code == 303
    assert events(sessions, envelope_id).count("signer.acknowledged") == 1


def test_an_unexpected_error_logs_the_path_without_the_token(app, caplog):
    token = "eyJzIjoiYWJjIn0.secret-token-part"
    with app.test_request_context(f"/s/{token}"), caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            app.log_exception(sys.exc_info())
    assert "Exception on /s/[token] [GET]" in caplog.text and token not in caplog.text
